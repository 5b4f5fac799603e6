from django.db import migrations

from initiatives.roles import CURATOR, EDITOR, grant

PERMISSIONS = {
    CURATOR: {
        "initiatives": [
            "view_initiative",
            "add_initiative",
            "change_initiative",
            "view_organisation",
            "add_organisation",
            "change_organisation",
            *(f"{verb}_{model}" for verb in ("view", "add", "change", "delete") for model in ("organisationalias", "participation", "sourcerecord")),
            "view_source",
            "view_formerslug",
        ],
        "taxonomy": [f"view_{model}" for model in ("region", "country", "term", "vocabulary", "regionalias", "countryalias", "termalias")],
    },
    EDITOR: {
        "initiatives": [
            "publish_initiative",
            "delete_initiative",
            "delete_organisation",
            "add_source",
            "change_source",
            "add_formerslug",
            "change_formerslug",
            "delete_formerslug",
        ],
        "taxonomy": [
            "change_country",
            *(f"{verb}_{model}" for verb in ("add", "change") for model in ("region", "term")),
            *(f"{verb}_{model}" for verb in ("add", "change", "delete") for model in ("regionalias", "countryalias", "termalias")),
        ],
    },
}


def create_roles(apps, schema_editor):
    grant(apps, PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("taxonomy", "0005_history_and_versions"),
        ("initiatives", "0010_history_and_versions"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
