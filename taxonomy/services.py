"""Loading the reference data in fixtures/reference/ into the database.

Loading is idempotent: rows are matched on their natural keys (slug, ISO code)
and updated in place, so running it twice changes nothing the second time.
"""

import json
from pathlib import Path

from django.conf import settings
from django.db import transaction

from taxonomy.models import Country, CountryAlias, Region, RegionAlias, Term, TermAlias, Vocabulary

REFERENCE_DIR = Path(settings.BASE_DIR) / "fixtures" / "reference"


def read_json(path: Path):
    with path.open(encoding="utf-8") as handle:
        return json.load(handle)


@transaction.atomic
def load_reference(*, directory: Path = REFERENCE_DIR) -> dict[str, int]:
    """Load regions, countries, grouping members and vocabularies. Returns counts."""
    regions = read_json(directory / "regions.json")
    countries = read_json(directory / "countries.json")
    vocabularies = read_json(directory / "vocabularies.json")

    by_slug: dict[str, Region] = {}
    for row in regions:  # parents come before children in the file
        by_slug[row["slug"]], _ = Region.objects.update_or_create(
            slug=row["slug"],
            defaults={
                "name": row["name"],
                "name_fr": row.get("name_fr", ""),
                "name_es": row.get("name_es", ""),
                "kind": row["kind"],
                "parent": by_slug[row["parent"]] if row.get("parent") else None,
                "m49": row.get("m49") or "",
                "description": row.get("description", ""),
                "website": row.get("website", ""),
            },
        )

    for row in countries:
        Country.objects.update_or_create(
            iso2=row["iso2"],
            defaults={
                "iso3": row["iso3"],
                "m49": row["m49"],
                "name": row["name"],
                "name_fr": row.get("name_fr", ""),
                "name_es": row.get("name_es", ""),
                "region": by_slug[row["region"]] if row.get("region") else None,
            },
        )

    for row in regions:
        if row.get("members"):
            by_slug[row["slug"]].members.set(row["members"])

    add_aliases(RegionAlias, "region", {by_slug[row["slug"]].pk: row.get("aliases", []) for row in regions})
    add_aliases(CountryAlias, "country", {row["iso2"]: row.get("aliases", []) for row in countries})

    term_count = 0
    for vocabulary_row in vocabularies:
        vocabulary, _ = Vocabulary.objects.update_or_create(
            slug=vocabulary_row["slug"],
            defaults={"name": vocabulary_row["name"], "description": vocabulary_row.get("description", "")},
        )
        terms: dict[str, Term] = {}
        for order, row in enumerate(vocabulary_row["terms"]):
            term, _ = Term.objects.update_or_create(
                vocabulary=vocabulary,
                slug=row["slug"],
                defaults={
                    "name": row["name"],
                    "name_fr": row.get("name_fr", ""),
                    "name_es": row.get("name_es", ""),
                    "description": row.get("description", ""),
                    "parent": terms[row["parent"]] if row.get("parent") else None,
                    "order": order,
                },
            )
            terms[term.slug] = term
            term_count += 1
            for alias in row.get("aliases", []):
                TermAlias.objects.get_or_create(term=term, name=alias["name"], scheme=alias.get("scheme", ""))

    return {
        "regions": len(regions),
        "region aliases": sum(len(row.get("aliases", [])) for row in regions),
        "countries": len(countries),
        "country aliases": sum(len(row.get("aliases", [])) for row in countries),
        "vocabularies": len(vocabularies),
        "terms": term_count,
    }


def add_aliases(model, target: str, aliases: dict) -> None:
    """Create the aliases that are missing; keep every other, including those curators added."""
    existing = {
        (pk, name.casefold(), scheme)
        for pk, name, scheme in model.objects.values_list(f"{target}_id", "name", "scheme")
    }
    missing = {}
    for pk, rows in aliases.items():
        for alias in rows:
            key = (pk, alias["name"].casefold(), alias.get("scheme", ""))
            if key not in existing and key not in missing:
                missing[key] = model(**{f"{target}_id": pk, "name": alias["name"], "scheme": alias.get("scheme", "")})
    model.objects.bulk_create(missing.values())
