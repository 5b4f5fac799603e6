from django.db import migrations

from initiatives.roles import CURATOR, EDITOR, grant

PERMISSIONS = {
    CURATOR: {"insights": ["view_need", "add_need", "change_need", "view_merge", "view_distinctpair"]},
    EDITOR: {
        "insights": [
            "publish_need",
            "delete_need",
            "add_merge",
            "change_merge",
            "add_distinctpair",
            "change_distinctpair",
            "delete_distinctpair",
        ]
    },
}


def create_roles(apps, schema_editor):
    grant(apps, PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("initiatives", "0011_roles"),
        ("insights", "0002_history_and_versions"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
