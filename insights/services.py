"""Curators' decisions on duplicates: merging two initiatives into one, or recording that they are distinct."""

from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from taggit.models import TaggedItem

from initiatives.membership import deferred_refresh, schedule_refresh
from initiatives.models import (
    FootprintCountry,
    FormerSlug,
    Initiative,
    InitiativeFts,
    RegionReach,
    TermMembership,
)
from insights.models import DistinctPair, Merge
from taxonomy.versioning import is_history

# Derived from the initiative's own rows: rebuilt by the refresh, never moved.
DERIVED = {FootprintCountry, RegionReach, TermMembership, InitiativeFts}
# Empty on the kept initiative: taken from the merged one, each group together (a budget with its currency).
FILLED = [
    ("summary",),
    ("description",),
    ("website",),
    ("start_date", "start_precision"),
    ("end_date", "end_precision"),
    ("budget", "budget_max", "currency"),
    ("last_verified",),
]


class MergeError(ValueError):
    """The merge cannot be made: the same initiative twice, or one of them is gone (merged or deleted)."""


@dataclass
class Move:
    """The rows of one kind pointing at the merged initiative: those to move, and those the kept one has already."""

    kind: str
    rows: models.QuerySet
    column: str
    duplicates: list[int] = field(default_factory=list)  # pks: the kept initiative has the same row

    @property
    def count(self) -> int:
        return self.rows.exclude(pk__in=self.duplicates).count()


@dataclass
class MergePlan:
    keep: Initiative
    other: Initiative
    moves: list[Move]
    fields: list[str]  # the kept initiative's empty fields that the other fills

    def moved(self) -> dict[str, int]:
        counts = {}
        for move in self.moves:
            if count := move.count:
                counts[move.kind] = counts.get(move.kind, 0) + count
        return counts

    def duplicates(self) -> dict[str, int]:
        counts = {}
        for move in self.moves:
            if move.duplicates:
                counts[move.kind] = counts.get(move.kind, 0) + len(move.duplicates)
        return counts


def _kind(relation) -> str:
    """ "participations", "countries" (a many-to-many field's through table), "imported rows"..."""
    for many in Initiative._meta.many_to_many:
        through = getattr(many.remote_field, "through", None)
        if through is relation.related_model and through._meta.auto_created:
            return many.name
    if relation.hidden:
        return str(relation.related_model._meta.verbose_name_plural)
    return relation.get_accessor_name().replace("_", " ")


def _unique_together(model, column: str) -> list[list[str]]:
    """The other fields of each unconditional uniqueness rule that includes column: the rows the kept
    initiative already has on those fields cannot be moved (they would be the same row twice)."""
    rules = [list(names) for names in model._meta.unique_together]
    rules += [
        list(constraint.fields)
        for constraint in model._meta.constraints
        if isinstance(constraint, models.UniqueConstraint) and constraint.fields and constraint.condition is None
    ]
    found = [[name for name in rule if name != column] for rule in rules if column in rule]
    if model._meta.get_field(column).unique:
        found.append([])
    return found


def _moves(keep: Initiative, other: Initiative) -> list[Move]:
    """Every row pointing at `other` through a foreign key (reverse relations of Initiative, the
    many-to-many through tables and other apps' models included, so nothing is left behind), then its keywords."""
    moves = []
    for relation in Initiative._meta.get_fields(include_hidden=True):
        if not (relation.auto_created and not relation.concrete and (relation.one_to_many or relation.one_to_one)):
            continue
        model = relation.related_model
        if model in DERIVED or model is DistinctPair or not model._meta.managed or is_history(model):
            continue
        column = relation.field.name
        rows = model._base_manager.filter(**{column: other.pk})
        duplicates: set[int] = set()
        for rest in _unique_together(model, column):
            kept = model._base_manager.filter(**{column: keep.pk})
            if not rest:
                if kept.exists():
                    duplicates.update(rows.values_list("pk", flat=True))
                continue
            taken = set(kept.values_list(*rest))
            duplicates.update(pk for pk, *values in rows.values_list("pk", *rest) if tuple(values) in taken)
        moves.append(Move(_kind(relation), rows, column, sorted(duplicates)))
    content_type = ContentType.objects.get_for_model(Initiative)
    tags = TaggedItem.objects.filter(content_type=content_type, object_id=other.pk)
    kept_tags = TaggedItem.objects.filter(content_type=content_type, object_id=keep.pk).values_list("tag_id")
    moves.append(
        Move("keywords", tags, "object_id", list(tags.filter(tag_id__in=kept_tags).values_list("pk", flat=True)))
    )
    return moves


def _empty(value) -> bool:
    return value is None or value == ""


def _fields(keep: Initiative, other: Initiative) -> list[str]:
    filled = []
    for group in FILLED:
        if _empty(getattr(keep, group[0])) and not _empty(getattr(other, group[0])):
            filled += group
    start = other.start_date if "start_date" in filled else keep.start_date
    end = other.end_date if "end_date" in filled else keep.end_date
    if start and end and end < start:  # half of the other's dates would contradict the kept one's
        filled = [name for name in filled if name not in ("start_date", "start_precision", "end_date", "end_precision")]
    return filled


def plan_merge(*, keep: Initiative, other: Initiative) -> MergePlan:
    """What merging would move and fill, without writing: the confirmation page shows it."""
    if keep.pk == other.pk:
        raise MergeError("An initiative cannot be merged into itself.")
    published = Initiative.PublicationState.PUBLISHED
    if other.publication_state == published and keep.publication_state != published:
        # Its public address would redirect to a page nobody can see: the entry would vanish from the site.
        raise MergeError(
            f"“{other.title}” is published and “{keep.title}” is not: keep the published one, "
            "or publish the other first, so that the entry does not disappear from the public site."
        )
    return MergePlan(keep, other, _moves(keep, other), _fields(keep, other))


def merge_initiatives(*, keep: Initiative, other: Initiative, user: AbstractBaseUser | None) -> Merge:
    """Fold `other` into `keep` and delete it: its participations, places, terms, keywords, provenance,
    import rows and former addresses move to `keep` (rows `keep` has already are dropped), `keep`'s empty
    fields are filled from it, its address becomes a former slug of `keep` (answering 301), and the merge
    is recorded. Raises MergeError when either initiative is gone (a stale pair) or they are the same."""
    with transaction.atomic(), deferred_refresh():
        locked = Initiative.objects.select_for_update().in_bulk([keep.pk, other.pk])
        if keep.pk not in locked or other.pk not in locked:
            raise MergeError("One of these initiatives no longer exists: it was merged or deleted meanwhile.")
        keep, other = locked[keep.pk], locked[other.pk]
        plan = plan_merge(keep=keep, other=other)
        moved = plan.moved()
        for move in plan.moves:
            if move.duplicates:
                move.rows.filter(pk__in=move.duplicates).delete()
            move.rows.update(**{move.column: keep.pk})
        moved |= _carry_distinct_pairs(keep, other)
        for name in plan.fields:
            setattr(keep, name, getattr(other, name))
        # Saved even with no field filled: the version moves, so a form opened on `keep` before the
        # merge cannot write back the places and terms it had then; the history records the merge.
        keep._change_reason = f"Merged “{other.title}” into it"[:100]
        keep.save(update_fields=[*plan.fields, "updated_at"])
        FormerSlug.objects.update_or_create(slug=other.slug, defaults={"initiative": keep})
        merge = Merge.objects.create(
            kept=keep,
            merged_id=other.pk,
            merged_title=other.title[:300],
            merged_slug=other.slug,
            moved=moved | ({"fields filled": plan.fields} if plan.fields else {}),
            merged_by=user,
        )
        schedule_refresh([keep.pk])  # the moves were bulk updates: no signals
        other.delete()
    return merge


def _carry_distinct_pairs(keep: Initiative, other: Initiative) -> dict[str, int]:
    """A curator's "not the same" about the merged initiative holds for what it became part of."""
    pairs = DistinctPair.objects.filter(models.Q(first=other) | models.Q(second=other))
    known = set(
        DistinctPair.objects.filter(models.Q(first=keep) | models.Q(second=keep)).values_list("first", "second")
    )
    carried = 0
    for pair in pairs:
        third = pair.second_id if pair.first_id == other.pk else pair.first_id
        ordered = tuple(sorted((keep.pk, third)))
        if third != keep.pk and ordered not in known:
            DistinctPair.objects.create(first_id=ordered[0], second_id=ordered[1], decided_by_id=pair.decided_by_id)
            known.add(ordered)
            carried += 1
    return {"pairs found distinct": carried} if carried else {}


def record_distinct(*, first: Initiative, second: Initiative, user: AbstractBaseUser | None) -> DistinctPair:
    """Two initiatives a curator found different: never offered as duplicates again."""
    if first.pk == second.pk:
        raise MergeError("An initiative is not distinct from itself.")
    low, high = sorted((first.pk, second.pk))
    pair, _ = DistinctPair.objects.get_or_create(first_id=low, second_id=high, defaults={"decided_by": user})
    return pair
