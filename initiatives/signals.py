"""Keep the membership tables and search documents in step with every model write.

Saves, deletions and many-to-many changes anywhere (admin, services, shell) end up
in initiatives.membership.schedule_refresh with the initiatives they touch. Bulk
writes that bypass signals (bulk_create, update) must call refresh_membership
themselves, as load_demo and generate_synthetic do.
"""

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver

from initiatives.membership import (
    THROUGH,
    initiatives_serving,
    initiatives_under_regions,
    initiatives_under_terms,
    new_revision,
    schedule_refresh,
)
from initiatives.models import (
    DataRevision,
    FootprintCountry,
    Initiative,
    InitiativeFts,
    Organisation,
    Participation,
    RegionReach,
    Source,
    SourceRecord,
    TermMembership,
)
from initiatives.selectors import region_countries
from taxonomy.models import Country, CountryAlias, Region, RegionAlias, Term, TermAlias

M2M_ACTIONS = {"post_add", "post_remove", "post_clear"}


@receiver(post_save, sender=Initiative)
def initiative_saved(sender, instance: Initiative, raw: bool = False, **kwargs) -> None:
    if not raw:
        schedule_refresh([instance.pk])


@receiver(post_delete, sender=Initiative)
def initiative_deleted(sender, instance: Initiative, **kwargs) -> None:
    schedule_refresh([instance.pk])


@receiver(post_save, sender=Participation)
@receiver(post_delete, sender=Participation)
def participation_changed(sender, instance: Participation, raw: bool = False, **kwargs) -> None:
    if not raw:
        schedule_refresh([instance.initiative_id])


@receiver(post_save, sender=SourceRecord)
@receiver(post_delete, sender=SourceRecord)
def source_record_changed(sender, instance: SourceRecord, raw: bool = False, **kwargs) -> None:
    if not raw:  # provenance is in the export's cells
        schedule_refresh([instance.initiative_id])


@receiver(post_save, sender=Source)
def source_saved(sender, instance: Source, created: bool, raw: bool = False, **kwargs) -> None:
    if not raw and not created:
        schedule_refresh(instance.records.values_list("initiative_id", flat=True))


@receiver(post_save, sender=Organisation)
def organisation_saved(sender, instance: Organisation, created: bool, raw: bool = False, **kwargs) -> None:
    if not raw and not created:
        schedule_refresh(instance.participations.values_list("initiative_id", flat=True))


def _initiative_m2m_changed(sender, instance, action: str, reverse: bool, pk_set, **kwargs) -> None:
    if isinstance(instance, Initiative):
        if action in M2M_ACTIONS:
            schedule_refresh([instance.pk])
        return
    if sender not in THROUGH.values():
        return  # a keyword's side: taggit's generic rows name no initiative column; edits go through initiatives
    # From the other side, e.g. country.initiatives.add(...): pk_set holds initiatives, except after a clear.
    if action == "pre_clear":
        through_field = next(f.name for f in sender._meta.fields if f.related_model is type(instance))
        instance._cleared = set(
            sender.objects.filter(**{through_field: instance.pk}).values_list("initiative_id", flat=True)
        )
    elif action in M2M_ACTIONS:
        schedule_refresh(pk_set or getattr(instance, "_cleared", set()))


for _through in [*THROUGH.values(), Initiative.keywords.through]:
    m2m_changed.connect(_initiative_m2m_changed, sender=_through, dispatch_uid=f"membership-{_through.__name__}")


# --- the taxonomy: membership of regions and the term hierarchy, and the names search reads


@receiver(m2m_changed, sender=Region.members.through)
def region_members_changed(sender, instance, action: str, reverse: bool, pk_set, **kwargs) -> None:
    if action == "pre_clear":  # after the clear, pk_set is empty: note who is about to go
        others = instance.members if isinstance(instance, Region) else instance.groupings
        instance._cleared = set(others.values_list("pk", flat=True))
        return
    if action not in M2M_ACTIONS:
        return
    changed = set(pk_set or getattr(instance, "_cleared", set()))
    regions, countries = ([instance.pk], changed) if isinstance(instance, Region) else (changed, [instance.pk])
    # Programmes for the grouping (and around it), and every initiative serving a country that joined or left.
    schedule_refresh({*initiatives_under_regions(regions), *initiatives_serving(countries)})


# What of a place or term the derived data reads: its position in the hierarchy, its names
# (search documents) and its slug (export cells).
WATCHED = {
    Region: ("parent_id", "slug", "name", "name_fr", "name_es"),
    Country: ("region_id", "name", "name_fr", "name_es"),
    Term: ("parent_id", "slug", "name", "name_fr", "name_es"),
}


@receiver(pre_save, sender=Region)
@receiver(pre_save, sender=Country)
@receiver(pre_save, sender=Term)
def taxonomy_saving(sender, instance, raw: bool = False, **kwargs) -> None:
    fields = WATCHED[sender]
    instance._before = sender.objects.filter(pk=instance.pk).values_list(*fields).first() if instance.pk else None


def _changed(sender, instance) -> tuple | None:
    """The row as it was, when a watched field changed; None when nothing the derived data reads did."""
    before = getattr(instance, "_before", None)
    if before is None or before == tuple(getattr(instance, name) for name in WATCHED[sender]):
        return None
    return before


@receiver(post_save, sender=Region)
def region_saved(sender, instance: Region, created: bool, raw: bool = False, **kwargs) -> None:
    if not raw and _changed(sender, instance):
        # A new parent changes which countries the regions above hold (and so who reaches them);
        # a new name, the search documents.
        schedule_refresh({*initiatives_under_regions([instance.pk]), *initiatives_serving(region_countries(instance))})


@receiver(post_save, sender=Country)
def country_saved(sender, instance: Country, created: bool, raw: bool = False, **kwargs) -> None:
    before = None if raw else _changed(sender, instance)
    if before:
        # Its names are in search documents; moving it between M49 regions changes both regions' members.
        regions = {instance.region_id, before[0]} - {None}
        schedule_refresh({*initiatives_serving([instance.iso2]), *initiatives_under_regions(regions)})


@receiver(post_save, sender=Term)
def term_saved(sender, instance: Term, created: bool, raw: bool = False, **kwargs) -> None:
    if not raw and _changed(sender, instance):
        schedule_refresh(initiatives_under_terms([instance.pk]))


@receiver(post_save, sender=TermAlias)
@receiver(post_delete, sender=TermAlias)
def term_alias_changed(sender, instance: TermAlias, raw: bool = False, **kwargs) -> None:
    if not raw:
        schedule_refresh(initiatives_under_terms([instance.term_id]))


@receiver(post_save, sender=CountryAlias)
@receiver(post_delete, sender=CountryAlias)
def country_alias_changed(sender, instance: CountryAlias, raw: bool = False, **kwargs) -> None:
    if not raw:  # the search documents of the initiatives serving it carry its other names
        schedule_refresh(initiatives_serving([instance.country_id]))


@receiver(post_save, sender=RegionAlias)
@receiver(post_delete, sender=RegionAlias)
def region_alias_changed(sender, instance: RegionAlias, raw: bool = False, **kwargs) -> None:
    if not raw:
        schedule_refresh(initiatives_under_regions([instance.region_id]))


# Deleting a place or a term removes through rows without many-to-many signals:
# note who is affected before, refresh them after.
@receiver(pre_delete, sender=Term)
@receiver(pre_delete, sender=Region)
@receiver(pre_delete, sender=Country)
def taxonomy_deleting(sender, instance, **kwargs) -> None:
    if isinstance(instance, Term):
        instance._affected = initiatives_under_terms([instance.pk])
    elif isinstance(instance, Region):
        instance._affected = initiatives_under_regions([instance.pk])
    else:
        instance._affected = initiatives_serving([instance.pk]) + initiatives_under_regions(
            list(instance.groupings.values_list("pk", flat=True)) + [instance.region_id] * bool(instance.region_id)
        )


@receiver(post_delete, sender=Term)
@receiver(post_delete, sender=Region)
@receiver(post_delete, sender=Country)
def taxonomy_deleted(sender, instance, **kwargs) -> None:
    schedule_refresh(getattr(instance, "_affected", []))


# --- the data revision: cached pages and counts are keyed on it (ccb_portal.pagecache)

# Whatever the public site shows comes from these apps' tables; an edit anywhere in them (a need,
# a mapping, an organisation's website) makes a new revision, in its own transaction, so the
# revision and the data change together. Suggestions, import logs and accounts are not shown, and
# the derived tables change only with a refresh, which makes its own revision. Fixtures loaded raw
# (reference data, load_demo) are followed by a refresh.
SHOWN_APPS = {"taxonomy", "initiatives", "insights", "taggit"}
DERIVED = {DataRevision, FootprintCountry, RegionReach, TermMembership, InitiativeFts}


def _shown(sender) -> bool:
    meta = sender._meta
    # simple_history's Historical* rows are a record of changes, not what is shown.
    return meta.app_label in SHOWN_APPS and sender not in DERIVED and not meta.model_name.startswith("historical")


@receiver(post_save, dispatch_uid="revision-on-save")
@receiver(post_delete, dispatch_uid="revision-on-delete")
def shown_data_written(sender, raw: bool = False, **kwargs) -> None:
    if not raw and _shown(sender):
        new_revision()


@receiver(m2m_changed, dispatch_uid="revision-on-m2m")
def shown_relation_written(sender, action: str, **kwargs) -> None:
    if action in M2M_ACTIONS and _shown(kwargs["model"]) and _shown(type(kwargs["instance"])):
        new_revision()
