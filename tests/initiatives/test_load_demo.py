import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from initiatives.models import Initiative, Organisation, Participation, RegionReach, Source, SourceRecord
from initiatives.services import DEMO_FILE, DemoDataError, load_demo
from taxonomy.models import Region

pytestmark = pytest.mark.django_db


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (Initiative, Organisation, Participation, Source, SourceRecord, Initiative.keywords.through)
    }


def test_load_demo_twice_duplicates_nothing():
    call_command("load_demo", stdout=StringIO())
    first = counts()
    call_command("load_demo", stdout=StringIO())
    assert counts() == first


def test_demo_data_is_big_enough_and_has_drafts():
    load_demo()
    published = Initiative.objects.published()
    assert published.count() >= 40
    assert Organisation.objects.count() >= 30
    assert Source.objects.count() >= 3
    assert Initiative.objects.exclude(publication_state=Initiative.PublicationState.PUBLISHED).count() >= 3


def test_every_published_demo_initiative_has_an_implementer_and_a_topic():
    load_demo()
    published = Initiative.objects.published()
    assert not published.exclude(participations__role=Participation.Role.IMPLEMENTER).exists()
    assert not published.filter(topics__isnull=True).exists()


@pytest.mark.parametrize("continent", ["africa", "americas", "asia", "europe", "oceania"])
def test_demo_data_covers_every_continent(continent):
    load_demo()
    # Not just the global programmes: at least three that target the continent itself.
    targeting = RegionReach.objects.filter(region=Region.objects.get(slug=continent), specific=True)
    assert Initiative.objects.published().filter(pk__in=targeting.values("initiative_id")).count() >= 3


def test_a_bad_reference_rolls_the_whole_load_back(tmp_path):
    data = json.loads(DEMO_FILE.read_text(encoding="utf-8"))
    data["initiatives"][-1]["countries"] = ["ZZ"]
    broken = tmp_path / "demo.json"
    broken.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(DemoDataError, match="unknown country ZZ"):
        load_demo(path=broken)
    assert Initiative.objects.count() == 0
    assert Organisation.objects.count() == 0


def test_with_curator_creates_a_curator_and_an_editor_neither_a_superuser(django_user_model, settings):
    settings.DEBUG = True
    out = StringIO()
    call_command("load_demo", "--reference-only", "--with-curator", stdout=out)
    curator = django_user_model.objects.get(username="curator")
    editor = django_user_model.objects.get(username="editor")
    assert curator.is_staff and editor.is_staff
    assert not curator.is_superuser and not editor.is_superuser
    assert list(curator.groups.values_list("name", flat=True)) == ["Curator"]
    assert list(editor.groups.values_list("name", flat=True)) == ["Editor"]
    assert curator.has_perm("initiatives.change_initiative")
    assert not curator.has_perm("initiatives.publish_initiative")
    assert editor.has_perm("initiatives.publish_initiative")
    assert "password" in out.getvalue()
    assert Initiative.objects.count() == 0


def test_with_curator_takes_superuser_rights_from_an_older_demo_curator(django_user_model, settings):
    settings.DEBUG = True
    django_user_model.objects.create_superuser("curator", "curator@example.org", "an-older-demo-password")
    call_command("load_demo", "--reference-only", "--with-curator", stdout=StringIO())
    curator = django_user_model.objects.get(username="curator")
    assert curator.is_staff and not curator.is_superuser
    assert list(curator.groups.values_list("name", flat=True)) == ["Curator"]
    assert not curator.has_perm("initiatives.publish_initiative")
    assert curator.check_password("an-older-demo-password")  # an existing password is left as it is


def test_demo_curator_is_refused_without_debug(django_user_model, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DJANGO_DEBUG"):
        call_command("load_demo", "--reference-only", "--with-curator", stdout=StringIO())
    assert not django_user_model.objects.filter(username="curator").exists()


def test_reloading_drops_provenance_the_file_no_longer_has(tmp_path):
    data = json.loads(DEMO_FILE.read_text(encoding="utf-8"))
    entry = next(row for row in data["initiatives"] if row.get("sources"))
    load_demo()
    initiative = Initiative.objects.get(slug=entry["slug"])
    assert initiative.source_records.count() == len(entry["sources"])
    entry["sources"] = []
    edited = tmp_path / "demo.json"
    edited.write_text(json.dumps(data), encoding="utf-8")
    load_demo(path=edited)
    assert initiative.source_records.count() == 0


def test_load_demo_reports_published_and_unpublished_initiatives_apart(tmp_path):
    data = json.loads(DEMO_FILE.read_text(encoding="utf-8"))
    states = ["draft", "draft", "review", "archived"]
    for row, state in zip(data["initiatives"], states, strict=False):
        row["publication_state"] = state
    for row in data["initiatives"][len(states) :]:
        row["publication_state"] = "published"
    edited = tmp_path / "demo.json"
    edited.write_text(json.dumps(data), encoding="utf-8")
    total, published = len(data["initiatives"]), len(data["initiatives"]) - 4

    loaded = load_demo(path=edited)
    assert (loaded.initiatives, loaded.published, loaded.unpublished) == (total, published, 4)
    assert loaded.by_state == {"published": published, "draft": 2, "review": 1, "archived": 1}
    assert Initiative.objects.published().count() == published  # what the site shows


def test_load_demo_command_says_how_many_the_site_shows_and_why_the_others_are_not():
    out = StringIO()
    call_command("load_demo", stdout=out)
    published = Initiative.objects.published().count()
    total = Initiative.objects.count()
    unpublished = {
        state: Initiative.objects.filter(publication_state=state).count() for state in ("draft", "review", "archived")
    }
    assert total > published > 0 and all(unpublished.values())  # the demo data has every state
    drafts = unpublished["draft"]
    expected = (
        f"Loaded {total} initiatives: {published} published, {total - published} unpublished "
        f"({drafts} draft{'s' if drafts > 1 else ''}, {unpublished['review']} in review, "
        f"{unpublished['archived']} archived)."
    )
    assert expected in out.getvalue()
    assert "Visitors see the published ones" in out.getvalue()
