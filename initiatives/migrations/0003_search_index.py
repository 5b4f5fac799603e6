"""Full-text index for text search on PostgreSQL (nothing to do on SQLite).

The expression matches what initiatives.search builds with
SearchVector("search_text", config="english"), so the planner can use it.
"""

from django.db import migrations

CREATE = (
    "CREATE INDEX IF NOT EXISTS initiative_search_idx ON initiatives_initiative "
    "USING gin (to_tsvector('english'::regconfig, COALESCE(search_text, '')))"
)
DROP = "DROP INDEX IF EXISTS initiative_search_idx"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("initiatives", "0002_search_text")]

    operations = [migrations.RunPython(create_index, drop_index)]
