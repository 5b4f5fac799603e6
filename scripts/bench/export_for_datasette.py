#!/usr/bin/env python
"""Write the portal's published initiatives to a SQLite file for Datasette.

    DATABASE_URL=... .venv/bin/python scripts/bench/export_for_datasette.py OUT.db [--sample-offset 980]

One table, `initiatives`: the scalar columns, and the multi-valued ones
(countries, regions, topics, audiences, modalities, implementers, funders) as
JSON arrays of names, the shape Datasette's array facets read. Only the primary
key is indexed, as a table Datasette is handed usually is. Prints a JSON summary
(row count, a sample row for the detail pages, the id to start a deep page from)
for scripts/bench.py.
"""

import argparse
import json
import os
import sqlite3
import sys
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ccb_portal.settings")

import django  # noqa: E402

django.setup()

from initiatives.models import Initiative, Participation  # noqa: E402
from taxonomy.models import Region, Term  # noqa: E402

SCALARS = [
    "id",
    "slug",
    "title",
    "summary",
    "description",
    "status",
    "start_date",
    "end_date",
    "website",
    "budget",
    "currency",
    "last_verified",
    "updated_at",
]
ARRAYS = ["countries", "regions", "topics", "audiences", "modalities", "implementers", "funders"]


def arrays(published_ids) -> dict[str, dict[int, list[str]]]:
    """Each multi-valued column as {initiative id: sorted names}, one query per column."""
    columns: dict[str, dict[int, list[str]]] = {name: defaultdict(list) for name in ARRAYS}
    relations = {
        "countries": (Initiative.countries.through, "country__name"),
        "regions": (Initiative.regions.through, "region__name"),
        "topics": (Initiative.topics.through, "term__name"),
        "audiences": (Initiative.audiences.through, "term__name"),
        "modalities": (Initiative.modalities.through, "term__name"),
    }
    for column, (through, name) in relations.items():
        for pk, value in through.objects.filter(initiative_id__in=published_ids).values_list("initiative_id", name):
            columns[column][pk].append(value)
    roles = {Participation.Role.IMPLEMENTER: "implementers", Participation.Role.FUNDER: "funders"}
    for pk, role, value in Participation.objects.filter(
        initiative_id__in=published_ids, role__in=list(roles)
    ).values_list("initiative_id", "role", "organisation__name"):
        columns[roles[role]][pk].append(value)
    return columns


def cell(value):
    """Numbers as numbers, dates and times as ISO text, the way a CSV import into SQLite stores them."""
    if value is None or isinstance(value, int | float | str):
        return value
    if isinstance(value, Decimal):
        return float(value)
    return value.isoformat()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--sample-offset", type=int, default=980, help="row offset of the deep page (default 980)")
    args = parser.parse_args()

    published = Initiative.objects.published()
    rows = list(published.order_by("pk").values_list(*SCALARS))
    columns = arrays(published.values("pk"))
    args.out.unlink(missing_ok=True)
    db = sqlite3.connect(args.out)
    with db:
        db.execute(
            "CREATE TABLE initiatives (id INTEGER PRIMARY KEY, "
            + ", ".join(f"{name} {'REAL' if name == 'budget' else 'TEXT'}" for name in [*SCALARS[1:], *ARRAYS])
            + ")"
        )
        placeholders = ", ".join("?" * (len(SCALARS) + len(ARRAYS)))
        db.executemany(
            f"INSERT INTO initiatives VALUES ({placeholders})",
            (
                [
                    *(cell(value) for value in row),
                    *(json.dumps(sorted(columns[name].get(row[0], [])), ensure_ascii=False) for name in ARRAYS),
                ]
                for row in rows
            ),
        )
    db.close()
    sample = rows[len(rows) // 2] if rows else None
    deep = rows[min(args.sample_offset, len(rows) - 1)] if rows else None
    names = dict(Region.objects.values_list("slug", "name"))
    terms = {
        f"{vocabulary}:{slug}": name
        for vocabulary, slug, name in Term.objects.values_list("vocabulary__slug", "slug", "name")
    }
    print(
        json.dumps(
            {
                "rows": len(rows),
                "sample": {"id": sample[0], "slug": sample[1]} if sample else None,
                # Datasette pages by primary key: ?_next=<id> starts after that row.
                "deep_next": deep[0] if deep else None,
                "region_names": names,
                "term_names": terms,
            }
        )
    )


if __name__ == "__main__":
    main()
