from django.db import migrations

from initiatives.roles import CURATOR, EDITOR, grant

PERMISSIONS = {
    # Curators review what the public suggests; imports are an editor's (they can publish many rows at once).
    CURATOR: {"exchange": ["view_importbatch", "view_importedrow", "view_suggestion", "change_suggestion"]},
    EDITOR: {
        "exchange": [
            "add_importbatch",
            "change_importbatch",
            "delete_importbatch",
            "delete_suggestion",
        ]
    },
}


def create_roles(apps, schema_editor):
    grant(apps, PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("initiatives", "0011_roles"),
        ("exchange", "0002_suggestion"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
