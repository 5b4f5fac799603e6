"""Loading the illustrative demo needs: the "needs" list of fixtures/demo.json.

Kept apart from initiatives.services.load_demo because initiatives must not
import insights; `manage.py load_demo_needs` runs it after `load_demo`.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from initiatives.models import Initiative
from initiatives.services import DemoDataError
from insights.models import Need
from taxonomy.models import Country, Region, Term, Vocabulary

FIELDS = ("title", "description", "stated_in", "stated_url")


def load_demo_needs(data: dict) -> int:
    """Create or update the needs of a demo data set; returns how many.

    Idempotent: needs are matched on slug, and their topics and target users are
    set to exactly those listed. All or nothing: an unknown place or term (or a
    need naming both or neither of a country and a region) raises DemoDataError
    and nothing is written.
    """
    rows = data.get("needs", [])
    with transaction.atomic():
        for row in rows:
            _load_one(row)
    return len(rows)


def _load_one(row: dict) -> Need:
    slug = row["slug"]
    country = region = None
    if bool(row.get("country")) == bool(row.get("region")):
        raise DemoDataError(f"need {slug}: give exactly one place, a country or a region")
    if row.get("country"):
        country = Country.objects.filter(iso2=row["country"]).first()
        if country is None:
            raise DemoDataError(f"need {slug}: unknown country {row['country']}")
    else:
        region = Region.objects.filter(slug=row["region"]).first()
        if region is None:
            raise DemoDataError(f"need {slug}: unknown region {row['region']}")
    topics = _terms(Vocabulary.TOPIC, row.get("topics", []), slug)
    audiences = _terms(Vocabulary.AUDIENCE, row.get("audiences", []), slug)
    need = Need.objects.filter(slug=slug).first() or Need(slug=slug)
    for name in FIELDS:
        setattr(need, name, row.get(name, ""))
    need.country, need.region = country, region
    need.stated_on = datetime.date.fromisoformat(row["stated_on"]) if row.get("stated_on") else None
    need.state = row.get("state", Need.State.OPEN)
    need.illustrative = row.get("illustrative", True)
    need.publication_state = row.get("publication_state", Initiative.PublicationState.PUBLISHED)
    try:
        need.full_clean()  # choices, the URL, field lengths: checked before anything is written
    except ValidationError as error:
        raise DemoDataError(f"need {slug}: {'; '.join(error.messages)}") from error
    need.save()
    need.topics.set(topics)
    need.audiences.set(audiences)
    return need


def _terms(vocabulary: str, slugs: list[str], owner: str) -> list[Term]:
    found = {term.slug: term for term in Term.objects.of(vocabulary).filter(slug__in=slugs)}
    missing = sorted(set(slugs) - set(found))
    if missing:
        raise DemoDataError(f"need {owner}: unknown {vocabulary} term {', '.join(missing)}")
    return [found[slug] for slug in slugs]
