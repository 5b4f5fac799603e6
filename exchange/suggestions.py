"""Suggestions from the public: who sent them (as a keyed hash), how many an address may send, and review.

Visitors suggest new initiatives and report corrections through exchange.views; nothing they send is
published as it is. Editors accept a new-initiative suggestion as an initiative *in review* (so it is
still not public), mark a suggestion accepted after changing the data themselves, or decline it.
"""

import math
import time

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.text import Truncator, slugify

from ccb_portal.security import forwarded_client_ip
from exchange.models import Suggestion
from initiatives.membership import deferred_refresh
from initiatives.models import FormerSlug, Initiative

WINDOW = 60 * 60  # seconds: the rate limit counts the suggestions of the hour after an address's first one
SLUG_LENGTH = 120  # Initiative.slug's max_length
SUMMARY_LENGTH = 500  # Initiative.summary's max_length


class NotAcceptable(ValueError):
    """This suggestion cannot become an initiative (a correction, or already reviewed)."""


def client_address(request: HttpRequest) -> str:
    """The visitor's address, by the same rule as login throttling (ccb_portal.security)."""
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        return (forwarded_client_ip(request) or "")[:100]
    return request.META.get("REMOTE_ADDR", "")[:100]


def client_key(address: str) -> str:
    """A keyed hash of an address (HMAC with SECRET_KEY): equal for one address, and not the address."""
    return salted_hmac("exchange.suggestions.client", address, algorithm="sha256").hexdigest()


def count_submission(*, client: str) -> int:
    """Count one submission from this client (a client_key): 0 if it may go ahead, else seconds to wait.

    At most settings.SUGGESTIONS_PER_HOUR in the hour from the client's first one. incr is atomic in
    every cache backend that matters (locmem, Redis, Memcached), so a burst of parallel posts cannot
    slip through; with a per-process cache (locmem) each worker process counts on its own.
    """
    count_key, since_key = f"suggestions:{client}:count", f"suggestions:{client}:since"
    now = time.time()
    cache.add(since_key, now, WINDOW)
    cache.add(count_key, 0, WINDOW)
    try:
        count = cache.incr(count_key)
    except ValueError:  # expired between add and incr
        cache.set(count_key, 1, WINDOW)
        count = 1
    if count <= settings.SUGGESTIONS_PER_HOUR:
        return 0
    since = cache.get(since_key, now)
    return max(1, math.ceil(since + WINDOW - now))


def create_suggestion(
    *,
    kind: str,
    message: str,
    client: str = "",
    initiative: Initiative | None = None,
    title: str = "",
    website: str = "",
    where: str = "",
    who: str = "",
    name: str = "",
    email: str = "",
) -> Suggestion:
    """Store a visitor's suggestion, in review. The texts come cleaned by the form (no control characters)."""
    return Suggestion.objects.create(
        kind=kind,
        initiative=initiative,
        title=title,
        website=website,
        where=where,
        who=who,
        message=message,
        name=name,
        email=email,
        client_hash=client,
    )


def accept_as_initiative(*, suggestion: Suggestion, reviewer: AbstractBaseUser | None) -> Initiative:
    """Create an initiative *in review* from a new-initiative suggestion, and mark the suggestion accepted.

    The initiative has the suggested title and website and the message as its summary; the editor
    completes it (places, topics, organisations) and publishes it. Raises NotAcceptable for a
    correction or a suggestion already reviewed.
    """
    with transaction.atomic(), deferred_refresh():
        suggestion = Suggestion.objects.select_for_update().get(pk=suggestion.pk)  # one initiative per click
        if suggestion.kind != Suggestion.Kind.NEW:
            raise NotAcceptable("a correction: edit the initiative, then mark the suggestion accepted.")
        if suggestion.state != Suggestion.State.PENDING:
            raise NotAcceptable(f"already {suggestion.get_state_display().lower()}.")
        title = suggestion.title or Truncator(" ".join(suggestion.message.split())).chars(80)
        initiative = Initiative.objects.create(
            title=title,
            slug=_free_slug(title),
            summary=Truncator(" ".join(suggestion.message.split())).chars(SUMMARY_LENGTH),
            website=suggestion.website,
            publication_state=Initiative.PublicationState.REVIEW,
        )
        suggestion.created_initiative = initiative
        _decide(suggestion, Suggestion.State.ACCEPTED, reviewer)
        suggestion.save(update_fields=["created_initiative", "state", "reviewed_by", "reviewed_at"])
    return initiative


def mark_accepted(*, suggestions: QuerySet[Suggestion], reviewer: AbstractBaseUser | None) -> int:
    """Mark the pending ones among these accepted (the editor has made the change); returns how many."""
    return _decide_all(suggestions, Suggestion.State.ACCEPTED, reviewer)


def decline(*, suggestions: QuerySet[Suggestion], reviewer: AbstractBaseUser | None) -> int:
    """Decline the pending ones among these; returns how many."""
    return _decide_all(suggestions, Suggestion.State.DECLINED, reviewer)


def _decide(suggestion: Suggestion, state: str, reviewer: AbstractBaseUser | None) -> None:
    suggestion.state = state
    suggestion.reviewed_by = reviewer
    suggestion.reviewed_at = timezone.now()


def _decide_all(suggestions: QuerySet[Suggestion], state: str, reviewer: AbstractBaseUser | None) -> int:
    # Only pending ones: a decided suggestion (one that created an initiative, say) keeps its decision.
    with transaction.atomic():
        return suggestions.filter(state=Suggestion.State.PENDING).update(
            state=state, reviewed_by=reviewer, reviewed_at=timezone.now()
        )


def _free_slug(title: str) -> str:
    """A slug from the title that no initiative has or had (a former slug still answers for its initiative)."""
    base = slugify(title)[: SLUG_LENGTH - 8].strip("-") or "suggested-initiative"
    taken = set(Initiative.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    taken |= set(FormerSlug.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug
