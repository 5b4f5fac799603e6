"""Helpers shared by the test modules (and the benchmark scripts)."""

import datetime
import re
from io import StringIO

from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from initiatives.membership import refresh_membership
from initiatives.models import Initiative, Organisation, Participation, SourceRecord
from taxonomy.models import Region, Term
from tests.factories import SourceFactory

CARD_RE = re.compile(r'<li class="card">\s*<h3><a href="/initiatives/([^/"]+)/">')
UNPUBLISHED = ["draft", "review", "archived"]


def listed(response) -> list[str]:
    """Slugs of the initiative cards on the page, in the order shown."""
    return CARD_RE.findall(response.content.decode())


def analyze() -> None:
    """Refresh the planner's statistics (PostgreSQL and SQLite both understand ANALYZE)."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def count_queries(client, url: str) -> int:
    """Queries of one request with nothing cached, as on the first visit after a change."""
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def region(slug: str) -> Region:
    return Region.objects.get(slug=slug)


def bulk_initiatives(count: int, prefix: str) -> list[int]:
    """Published initiatives with a few related rows each, made without per-row queries."""
    Initiative.objects.bulk_create(
        Initiative(
            title=f"{prefix.title()} {n:05d}",
            slug=f"{prefix}-{n}",
            summary="Bulk-made.",
            status=["planned", "ongoing", "completed"][n % 3],
            start_date=datetime.date(2015 + n % 10, 1, 1),
            publication_state="published",
        )
        for n in range(count)
    )
    ids = list(Initiative.objects.filter(slug__startswith=f"{prefix}-").values_list("pk", flat=True))
    Organisation.objects.bulk_create(
        Organisation(name=f"{prefix} org {n}", slug=f"{prefix}-org-{n}", kind="government")
        for n in range(max(1, count // 10))
    )
    organisations = list(Organisation.objects.filter(slug__startswith=f"{prefix}-org-"))
    topics = list(Term.objects.topics().values_list("pk", flat=True))
    audiences = list(Term.objects.audiences().values_list("pk", flat=True))
    modalities = list(Term.objects.modalities().values_list("pk", flat=True))
    west_africa = Region.objects.get(slug="western-africa").pk
    source = SourceFactory()
    Initiative.countries.through.objects.bulk_create(
        Initiative.countries.through(initiative_id=pk, country_id=iso2) for pk in ids for iso2 in ("NG", "GH")
    )
    Initiative.regions.through.objects.bulk_create(
        Initiative.regions.through(initiative_id=pk, region_id=west_africa) for pk in ids
    )
    Initiative.topics.through.objects.bulk_create(
        Initiative.topics.through(initiative_id=pk, term_id=topics[n % len(topics)]) for n, pk in enumerate(ids)
    )
    Initiative.audiences.through.objects.bulk_create(
        Initiative.audiences.through(initiative_id=pk, term_id=audiences[n % len(audiences)])
        for n, pk in enumerate(ids)
    )
    Initiative.modalities.through.objects.bulk_create(
        Initiative.modalities.through(initiative_id=pk, term_id=modalities[n % len(modalities)])
        for n, pk in enumerate(ids)
    )
    Participation.objects.bulk_create(
        Participation(initiative_id=pk, organisation=organisations[n % len(organisations)], role=role)
        for n, pk in enumerate(ids)
        for role in ("implementer", "funder")
    )
    SourceRecord.objects.bulk_create(
        SourceRecord(initiative_id=pk, source=source, external_id=f"{prefix}-{pk}") for pk in ids
    )
    refresh_membership(ids)  # bulk_create sends no signals
    return ids


def import_text(tmp_path, text: str, *args: str, source: str = "other-map", name: str = "file.csv") -> str:
    """Run `manage.py import_initiatives` on `text` written to a file; its output."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    out = StringIO()
    call_command("import_initiatives", str(path), "--source", source, *args, stdout=out)
    return out.getvalue()


def admin_form_data(response) -> dict:
    """What a browser would post back from an admin change form as it was rendered: every field and inline row."""
    data = {}

    def add(form):
        for name, field in form.fields.items():
            value = form[name].value()
            if value is None or value is False:
                continue
            if isinstance(value, (list, tuple)):
                data[form.add_prefix(name)] = [str(v.pk if hasattr(v, "pk") else v) for v in value]
            elif hasattr(field.widget, "decompress") or isinstance(value, datetime.date):
                data[form.add_prefix(name)] = str(value)
            else:
                data[form.add_prefix(name)] = "on" if value is True else str(value)

    add(response.context["adminform"].form)
    for inline in response.context.get("inline_admin_formsets", []):
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = str(management[name].value())
        for form in formset.initial_forms:
            add(form)
    return data


def member_of(role: str, username: str):
    """A staff user in one of the roles the migrations create (Curator, Editor), not a superuser."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    user = get_user_model().objects.create_user(username, f"{username}@example.org", "a-long-enough-password")
    user.is_staff = True
    user.save()
    user.groups.add(Group.objects.get(name=role))
    return user


SUGGESTER = ("Zebediah Quillfeather", "zebediah.quill@example.org")


def suggestion_data(**changes) -> dict[str, str]:
    """A complete, valid post of the /suggest/ form."""
    return {
        "title": "Sahel CERT mentoring",
        "website": "https://sahel-cert.example.org/",
        "where": "Mali, Niger, Burkina Faso",
        "who": "Sahel CERT network; GFCE",
        "message": "Mentors national CERTs in the Sahel since 2023.",
        "name": SUGGESTER[0],
        "email": SUGGESTER[1],
        "homepage": "",
        **changes,
    }
