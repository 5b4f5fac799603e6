"""The two curation roles, as auth groups that data migrations create and fill.

- Curator: creates and edits entries, submits them for review, reviews suggestions.
- Editor: a Curator who also publishes, archives, merges duplicates and imports.

Each app's migration grants its own models' permissions (initiatives, taxonomy here; insights
and exchange in theirs), so that the layers keep pointing down.
"""

from django.contrib.auth.management import create_permissions

CURATOR = "Curator"
EDITOR = "Editor"


def grant(apps, permissions: dict[str, dict[str, list[str]]]) -> None:
    """Give each role the listed permissions ({role: {app_label: [codename, ...]}}); an Editor gets a Curator's too.

    Run inside a data migration. Permissions are normally created after all migrations, so
    the ones of the named apps are created here first.
    """
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for label in {label for by_app in permissions.values() for label in by_app}:
        app_config = apps.get_app_config(label)
        app_config.models_module = True  # create_permissions skips apps without models
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    wanted = {EDITOR: {}, CURATOR: {}}
    for role, by_app in permissions.items():
        for label, codenames in by_app.items():
            wanted[role].setdefault(label, []).extend(codenames)
            if role == CURATOR:
                wanted[EDITOR].setdefault(label, []).extend(codenames)
    for role, by_app in wanted.items():
        group, _ = Group.objects.get_or_create(name=role)
        for label, codenames in by_app.items():
            found = Permission.objects.filter(content_type__app_label=label, codename__in=codenames)
            missing = set(codenames) - set(found.values_list("codename", flat=True))
            if missing:
                raise LookupError(f"{role}: no permission {', '.join(sorted(missing))} in {label}")
            group.permissions.add(*found)
