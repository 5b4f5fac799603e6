from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

from initiatives.membership import deferred_refresh
from initiatives.models import Initiative
from initiatives.roles import CURATOR, EDITOR
from initiatives.services import DemoDataError, DemoLoaded, load_demo
from taxonomy.services import load_reference

# How the report names the initiatives in each unpublished state, one and several.
UNPUBLISHED = [
    (Initiative.PublicationState.DRAFT, "draft", "drafts"),
    (Initiative.PublicationState.REVIEW, "in review", "in review"),
    (Initiative.PublicationState.ARCHIVED, "archived", "archived"),
]

# Local demo accounts, one per role (neither is a superuser): username, password, group.
DEMO_ACCOUNTS = [
    ("curator", "curator-demo-password", CURATOR),
    ("editor", "editor-demo-password", EDITOR),
]


class Command(BaseCommand):
    help = "Load reference data (regions, countries, vocabularies) and the illustrative demo data. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument(
            "--reference-only", action="store_true", help="Load the reference data but no demo initiatives."
        )
        parser.add_argument(
            "--with-curator",
            action="store_true",
            help="Also create the demo accounts, a Curator and an Editor (only when DJANGO_DEBUG is on).",
        )

    def handle(self, *args, reference_only: bool, with_curator: bool, **options):
        with deferred_refresh():  # changed places and terms refresh the initiatives they concern, once
            counts = load_reference()
        self.stdout.write("Reference data: " + ", ".join(f"{v} {k}" for k, v in counts.items()))
        if not reference_only:
            try:
                loaded = load_demo()
            except DemoDataError as error:
                raise CommandError(f"Demo data not loaded: {error}") from error
            self.stdout.write(
                f"Demo data (illustrative): {loaded.sources} sources, {loaded.organisations} organisations."
            )
            self.stdout.write(initiatives_report(loaded))
        if with_curator:
            self._create_demo_curator()

    def _create_demo_curator(self) -> None:
        if not settings.DEBUG:
            raise CommandError("Refusing to create demo accounts with known passwords when DJANGO_DEBUG is off.")
        for username, password, role in DEMO_ACCOUNTS:
            user, created = get_user_model().objects.get_or_create(
                username=username, defaults={"is_staff": True, "is_superuser": False}
            )
            # Older databases made the demo curator a superuser: each demo account has its role's rights only.
            user.is_staff, user.is_superuser = True, False
            user.save(update_fields=["is_staff", "is_superuser"])
            user.groups.set([Group.objects.get(name=role)])
            if not created:
                self.stdout.write(f"Demo {role.lower()} {username!r} already exists; its password was left as it is.")
                continue
            user.set_password(password)
            user.save()
            self.stdout.write(
                self.style.SUCCESS(
                    f"Demo {role.lower()}: log in at /{settings.ADMIN_URL} as {username!r} with password {password!r}"
                    " (local use only)."
                )
            )


def initiatives_report(loaded: DemoLoaded) -> str:
    """Published and unpublished apart, since visitors see only the first: "Loaded 87 initiatives: 83 published,
    4 unpublished (2 drafts, 1 in review, 1 archived). ..."
    """
    states = [
        f"{count} {one if count == 1 else several}"
        for state, one, several in UNPUBLISHED
        if (count := loaded.by_state.get(state, 0))
    ]
    details = f" ({', '.join(states)})" if states else ""
    return (
        f"Loaded {loaded.initiatives} initiatives: {loaded.published} published, {loaded.unpublished} unpublished"
        f"{details}. Visitors see the published ones; the others are seen only in the admin."
    )
