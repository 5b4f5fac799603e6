"""Multi-step writes: loading the demo data set."""

import json
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Count

from initiatives.membership import deferred_refresh
from initiatives.models import Initiative, Organisation, OrganisationAlias, Participation, Source, SourceRecord
from taxonomy.models import Country, Region, Term
from taxonomy.versioning import history_paused, record_history

DEMO_FILE = Path(settings.BASE_DIR) / "fixtures" / "demo.json"


class DemoDataError(ValueError):
    """The demo file refers to something that does not exist."""


@dataclass(frozen=True)
class DemoLoaded:
    """What load_demo wrote: the site shows only the published initiatives, so they are counted apart."""

    sources: int
    organisations: int
    by_state: dict[str, int]  # publication state -> initiatives loaded in it

    @property
    def initiatives(self) -> int:
        return sum(self.by_state.values())

    @property
    def published(self) -> int:
        return self.by_state.get(Initiative.PublicationState.PUBLISHED, 0)

    @property
    def unpublished(self) -> int:
        return self.initiatives - self.published


def _resolve(queryset, field: str, keys: list[str], what: str, owner: str) -> list:
    found = {getattr(obj, field): obj for obj in queryset.filter(**{f"{field}__in": keys})}
    missing = sorted(set(keys) - set(found))
    if missing:
        raise DemoDataError(f"{owner}: unknown {what} {', '.join(missing)}")
    return [found[key] for key in keys]


def _terms(vocabulary: str, slugs: list[str], owner: str) -> list[Term]:
    return _resolve(Term.objects.of(vocabulary), "slug", slugs, f"{vocabulary} term", owner)


def load_demo(*, path: Path = DEMO_FILE) -> DemoLoaded:
    """Create or update the demo sources, organisations and initiatives.

    Idempotent: rows are matched on slugs (and source + external id for
    provenance), so loading twice duplicates nothing. Needs the reference data.
    Any bad reference rolls the whole load back. The membership tables and search
    documents of the initiatives are refreshed once, at the end, in the same transaction.
    """
    with path.open(encoding="utf-8") as handle:
        data = json.load(handle)
    with transaction.atomic(), deferred_refresh():
        with history_paused():
            counts = _load(data)
        # One history entry per row written (an initiative's places and terms included), not one per field.
        initiatives = [row["slug"] for row in data["initiatives"]]
        for model, rows in [
            (Organisation, Organisation.objects.filter(slug__in=[row["slug"] for row in data["organisations"]])),
            (Initiative, Initiative.objects.filter(slug__in=initiatives)),
            (Participation, Participation.objects.filter(initiative__slug__in=initiatives)),
        ]:
            record_history(model, rows, reason="Demo data")
        states = Initiative.objects.filter(slug__in=initiatives).order_by()
        states = states.values_list("publication_state").annotate(Count("pk"))
        return DemoLoaded(sources=counts["sources"], organisations=counts["organisations"], by_state=dict(states))


def _load(data: dict) -> dict[str, int]:
    sources: dict[str, Source] = {}
    for row in data["sources"]:
        source, _ = Source.objects.update_or_create(
            slug=row["slug"],
            defaults={key: row.get(key, "") for key in ("name", "publisher", "url", "focus", "licence")},
        )
        source.topics.set(_terms("topic", row.get("topics", []), row["slug"]))
        source.audiences.set(_terms("audience", row.get("audiences", []), row["slug"]))
        source.regions.set(_resolve(Region.objects, "slug", row.get("regions", []), "region", row["slug"]))
        sources[source.slug] = source

    organisations: dict[str, Organisation] = {}
    for row in data["organisations"]:
        country = None
        if row.get("country"):
            country = _resolve(Country.objects, "iso2", [row["country"]], "country", row["slug"])[0]
        organisation, _ = Organisation.objects.update_or_create(
            slug=row["slug"],
            defaults={
                "name": row["name"],
                "name_fr": row.get("name_fr", ""),
                "name_es": row.get("name_es", ""),
                "acronym": row.get("acronym", ""),
                "kind": row["kind"],
                "country": country,
                "website": row.get("website", ""),
                "description": row.get("description", ""),
            },
        )
        for alias in row.get("aliases", []):  # other mappings' names for it: imports find it by them
            OrganisationAlias.objects.get_or_create(organisation=organisation, name=alias)
        organisations[organisation.slug] = organisation

    for row in data["initiatives"]:
        slug = row["slug"]
        initiative, _ = Initiative.objects.update_or_create(
            slug=slug,
            defaults={
                "title": row["title"],
                "summary": row.get("summary", ""),
                "description": row.get("description", ""),
                "status": row["status"],
                "start_date": row.get("start_date"),
                "end_date": row.get("end_date"),
                "website": row.get("website", ""),
                "budget": row.get("budget"),
                "currency": row.get("currency", ""),
                "publication_state": row.get("publication_state", Initiative.PublicationState.PUBLISHED),
                "last_verified": row.get("last_verified"),
            },
        )
        initiative.countries.set(_resolve(Country.objects, "iso2", row.get("countries", []), "country", slug))
        initiative.regions.set(_resolve(Region.objects, "slug", row.get("regions", []), "region", slug))
        initiative.topics.set(_terms("topic", row.get("topics", []), slug))
        initiative.audiences.set(_terms("audience", row.get("audiences", []), slug))
        initiative.modalities.set(_terms("modality", row.get("modalities", []), slug))
        initiative.keywords.set(row.get("keywords", []))

        wanted = set()
        for participation in row.get("participations", []):
            if participation["organisation"] not in organisations:
                raise DemoDataError(f"{slug}: unknown organisation {participation['organisation']}")
            obj, _ = Participation.objects.get_or_create(
                initiative=initiative,
                organisation=organisations[participation["organisation"]],
                role=participation["role"],
            )
            wanted.add(obj.pk)
        initiative.participations.exclude(pk__in=wanted).delete()

        wanted = set()
        for record in row.get("sources", []):
            if record["source"] not in sources:
                raise DemoDataError(f"{slug}: unknown source {record['source']}")
            obj, _ = SourceRecord.objects.update_or_create(
                source=sources[record["source"]],
                external_id=record["external_id"],
                defaults={
                    "initiative": initiative,
                    "url": record.get("url", ""),
                    "retrieved_on": record.get("retrieved"),
                },
            )
            wanted.add(obj.pk)
        initiative.source_records.exclude(pk__in=wanted).delete()

    return {
        "sources": len(sources),
        "organisations": len(organisations),
        "initiatives": len(data["initiatives"]),
    }
