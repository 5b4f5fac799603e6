"""`manage.py load_demo_needs`: the illustrative demo needs, loaded idempotently, all or nothing."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from initiatives.services import DEMO_FILE, DemoDataError, load_demo
from insights.demo import load_demo_needs
from insights.models import Need
from insights.needs import matching_initiatives

pytestmark = pytest.mark.django_db


def demo_data() -> dict:
    return json.loads(DEMO_FILE.read_text(encoding="utf-8"))


def counts() -> dict[str, int]:
    return {
        "needs": Need.objects.count(),
        "topics": Need.topics.through.objects.count(),
        "audiences": Need.audiences.through.objects.count(),
    }


def test_loading_twice_duplicates_nothing():
    out = StringIO()
    call_command("load_demo_needs", stdout=out)
    first = counts()
    call_command("load_demo_needs", stdout=StringIO())
    assert counts() == first
    assert first["needs"] == len(demo_data()["needs"])
    assert f"Demo needs (illustrative): {first['needs']}" in out.getvalue()


def test_the_demo_needs_are_a_dozen_varied_published_illustrative_needs():
    assert load_demo_needs(demo_data()) >= 12
    needs = Need.objects.all()
    assert not needs.exclude(illustrative=True).exists()
    assert needs.published().count() == needs.count()
    assert {need.state for need in needs} == set(Need.State.values)
    assert needs.filter(country__isnull=False).count() >= 4
    assert needs.filter(region__isnull=False).count() >= 4
    assert not needs.filter(topics__isnull=True).exists()
    assert not needs.filter(audiences__isnull=True).exists()
    assert not needs.filter(stated_in="").exists()


def test_some_demo_needs_are_answered_and_some_are_real_gaps():
    load_demo()
    load_demo_needs(demo_data())
    matches = {need.slug: matching_initiatives(need).count() for need in Need.objects.all()}
    gaps = [slug for slug, count in matches.items() if count == 0]
    answered = [slug for slug, count in matches.items() if count > 0]
    assert len(gaps) >= 2, matches
    assert len(answered) >= 6, matches
    # Its only matching initiative is a draft, which must not count.
    assert "moldova-national-csirt-mentoring" in gaps


def test_reloading_sets_the_terms_the_file_lists():
    data = demo_data()
    load_demo_needs(data)
    entry = data["needs"][0]
    entry["topics"] = ["standards"]
    entry["state"] = "met"
    load_demo_needs(data)
    need = Need.objects.get(slug=entry["slug"])
    assert [t.slug for t in need.topics.all()] == ["standards"]
    assert need.state == "met"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"topics": ["no-such-topic"]}, "unknown topic term no-such-topic"),
        ({"audiences": ["cybercrime"]}, "unknown audience term cybercrime"),
        ({"country": "ZZ", "region": None}, "unknown country ZZ"),
        ({"country": None, "region": "atlantis"}, "unknown region atlantis"),
        ({"country": "NG", "region": "ecowas"}, "exactly one place"),
        ({"state": "solved"}, "solved"),
    ],
)
def test_a_bad_entry_rolls_the_whole_load_back(change, message):
    data = demo_data()
    data["needs"][-1].update(change)
    with pytest.raises(DemoDataError, match=message):
        load_demo_needs(data)
    assert Need.objects.count() == 0


def test_the_command_reports_a_bad_file_clearly(tmp_path):
    data = demo_data()
    data["needs"][-1]["topics"] = ["no-such-topic"]
    broken = tmp_path / "demo.json"
    broken.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(CommandError, match="Demo needs not loaded: .*no-such-topic"):
        call_command("load_demo_needs", "--path", str(broken), stdout=StringIO())
    assert Need.objects.count() == 0
