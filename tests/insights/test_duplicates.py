"""The duplicate scan: constructed near-duplicates pair, with the right reasons; different initiatives never do."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command

from initiatives import similarity
from initiatives.similarity import Index, Title, acronym_equal, expands, site, trigram_similarity, trigrams
from insights.duplicates import candidate_pairs, latest_scan, open_pairs
from insights.models import DistinctPair
from taxonomy.models import Country
from tests.factories import InitiativeFactory, OrganisationFactory, ParticipationFactory

pytestmark = pytest.mark.django_db


def countries(*codes: str) -> list[Country]:
    return list(Country.objects.filter(iso2__in=codes))


def programme(title: str, *, implementer=None, **values):
    values = {
        "topics": ["cybercrime"],
        "countries": countries("GH", "SN", "PH"),
        "start_date": datetime.date(2016, 3, 1),
        "end_date": datetime.date(2021, 12, 31),
        **values,
    }
    initiative = InitiativeFactory(title=title, **values)
    if implementer:
        ParticipationFactory(initiative=initiative, organisation=implementer, role="implementer")
    return initiative


@pytest.fixture
def coe():
    return OrganisationFactory(name="Council of Europe", acronym="CoE", slug="council-of-europe")


def pair_of(a, b):
    low, high = sorted((a.pk, b.pk))
    return next((p for p in candidate_pairs() if (p.first, p.second) == (low, high)), None)


def test_an_acronym_and_its_expansion_pair_with_every_reason(coe):
    short = programme("GLACY+", implementer=coe, countries=countries("GH", "SN", "PH", "LK"))
    long = programme(
        "Global Action on Cybercrime Extended",
        implementer=coe,
        start_date=datetime.date(2014, 1, 1),
        end_date=datetime.date(2019, 6, 30),
    )
    pair = pair_of(short, long)
    assert pair is not None
    assert pair.reasons == [
        "acronym-equal titles",
        "same implementer: Council of Europe",
        "same topic: Cybercrime",
        "footprints overlap (3 countries)",
        "dates overlap 2016-2019",
    ]
    assert pair.score == 0.9


def test_a_title_naming_its_acronym_in_brackets_pairs_with_the_acronym_alone(coe):
    bracketed = programme("Global Action on Cybercrime Extended (GLACY+)", implementer=coe)
    bare = programme("GLACY+", implementer=coe)
    assert "acronym-equal titles" in pair_of(bracketed, bare).reasons


def test_the_same_title_in_other_case_and_punctuation_pairs():
    a = InitiativeFactory(title="Cyber Resilience for Development")
    b = InitiativeFactory(title="CYBER-RESILIENCE for development!")
    pair = pair_of(a, b)
    assert pair.reasons[0] == "same title apart from case and punctuation"
    assert pair.score >= 0.7


def test_the_same_website_pairs_different_titles():
    a = InitiativeFactory(title="Octopus Project", website="https://www.coe.int/en/web/octopus/")
    b = InitiativeFactory(title="Cooperation against cybercrime", website="http://coe.int/en/web/octopus")
    assert "same website" in pair_of(a, b).reasons


def test_a_shared_home_page_is_not_the_same_website():
    a = InitiativeFactory(title="Octopus Project", website="https://www.coe.int/")
    b = InitiativeFactory(title="Cooperation against cybercrime", website="https://www.coe.int/")
    assert pair_of(a, b) is None


def test_clearly_different_initiatives_never_pair(coe):
    # Same implementer and dates, but another topic, another place and another title.
    programme("Global Action on Cybercrime Extended", implementer=coe)
    programme(
        "Child online protection in the Pacific",
        implementer=coe,
        topics=["child-online-protection"],
        countries=countries("FJ", "TO"),
    )
    assert candidate_pairs() == []


def test_programmes_alike_in_all_but_their_names_do_not_pair(coe):
    programme("Cybercrime legislation support for West Africa", implementer=coe)
    programme("Judicial training on electronic evidence", implementer=coe)
    assert candidate_pairs() == []


def test_the_same_title_with_everything_else_different_does_not_pair():
    programme("Cyber Awareness Week", topics=["awareness"], countries=countries("GH"))
    programme(
        "Cyber Awareness Week",
        topics=["cert-development"],
        countries=countries("CL"),
        start_date=datetime.date(2001, 1, 1),
        end_date=datetime.date(2003, 1, 1),
    )
    assert candidate_pairs() == []


def test_titles_with_other_numbers_count_for_less():
    a = InitiativeFactory(title="Cyber Academy for Women 2")
    b = InitiativeFactory(title="Cyber Academy for Women 3")
    c = InitiativeFactory(title="Cyber Academy for Women")
    assert pair_of(a, b) is None  # another edition
    assert pair_of(a, c) is not None


def test_a_pair_found_distinct_is_not_offered_again():
    a = InitiativeFactory(title="Cyber Resilience for Development")
    b = InitiativeFactory(title="Cyber resilience for development")
    assert pair_of(a, b) is not None
    DistinctPair.objects.create(first_id=min(a.pk, b.pk), second_id=max(a.pk, b.pk))
    assert pair_of(a, b) is None


def test_a_cached_scan_drops_pairs_decided_since():
    a = InitiativeFactory(title="Cyber Resilience for Development")
    b = InitiativeFactory(title="Cyber resilience for development")
    scan = latest_scan()
    assert len(open_pairs(scan.pairs)) == 1
    DistinctPair.objects.create(first_id=min(a.pk, b.pk), second_id=max(a.pk, b.pk))
    assert open_pairs(latest_scan().pairs) == []


def test_drafts_and_reviews_are_scanned_too():
    a = InitiativeFactory(title="Cyber Resilience for Development", publication_state="draft")
    b = InitiativeFactory(title="Cyber resilience for development", publication_state="review")
    assert pair_of(a, b) is not None


def test_pairs_come_best_first():
    InitiativeFactory(title="Octopus Project", website="https://example.org/octopus")
    InitiativeFactory(title="Octopus Project", website="https://example.org/octopus")
    InitiativeFactory(title="Cyber resilience academy", start_date=None)
    InitiativeFactory(title="Cyber resilience academies", start_date=None)
    scores = [pair.score for pair in candidate_pairs()]
    assert len(scores) == 2 and scores == sorted(scores, reverse=True) and scores[0] > scores[1]


def test_candidates_for_one_initiative_name_the_others(coe):
    long = programme("Global Action on Cybercrime Extended", implementer=coe)
    short = programme("GLACY+", implementer=coe)
    programme("Child online protection in the Pacific", topics=["child-online-protection"])
    matches = similarity.candidates_for(short)
    assert [m.pk for m in matches] == [long.pk]


def test_a_crowded_title_word_is_narrowed_to_a_topic():
    """With a key held by more initiatives than a block may hold, only those sharing a topic are compared."""
    cybercrime = [programme(f"Resilience {word}", topics=["cybercrime"]) for word in ("Alpha", "Bravo", "Charlie")]
    awareness = [programme(f"Resilience {word}", topics=["awareness"]) for word in ("Delta", "Echo", "Foxtrot")]
    topics = similarity.Topics.load()
    features = similarity.load_features(topics=topics)
    wide, _ = Index(features).neighbours(features[cybercrime[0].pk])
    narrow, _ = Index(features, max_block=4).neighbours(features[cybercrime[0].pk])
    assert {i.pk for i in cybercrime[1:] + awareness} <= wide
    assert narrow == {i.pk for i in cybercrime[1:]}


def test_the_command_prints_pairs_and_a_summary():
    InitiativeFactory(title="Cyber Resilience for Development")
    InitiativeFactory(title="Cyber resilience for development")
    out = StringIO()
    call_command("find_duplicates", stdout=out)
    lines = out.getvalue().splitlines()
    assert "Cyber Resilience for Development" in lines[0] and "same title" in lines[0]
    assert lines[-1].startswith("1 candidate pairs among 2 initiatives in ")


# --- the pieces


@pytest.mark.parametrize(
    ("acronym", "words", "expected"),
    [
        ("glacy+", "global action on cybercrime extended", True),
        ("glacy", "global action on cybercrime", True),
        ("glacy+", "global action on cybercrime enhanced", False),  # "+" is "extended" or "plus"
        ("glacy", "global action on cybercrime extended", False),  # every significant word gives a letter
        ("oas", "organization of american states", True),
        ("cert", "global action on cybercrime", False),
    ],
)
def test_an_acronym_expands_to_the_beginnings_of_words(acronym, words, expected):
    assert expands(acronym, tuple(words.split())) is expected


def test_titles_stating_different_acronyms_are_not_acronym_equal():
    extended = Title.read("Global Action on Cybercrime Extended (GLACY+)")
    enhanced = Title.read("Global Action on Cybercrime Enhanced (GLACY-e)")
    assert not acronym_equal(extended, enhanced)
    assert acronym_equal(extended, Title.read("GLACY+"))


def test_a_website_is_read_as_host_and_path():
    assert (
        site("https://www.Example.org/Projects/x/") == site("http://example.org/projects/x") == "example.org/projects/x"
    )
    assert site("https://example.org/") == ""
    assert site("not a url") == ""


def test_trigram_similarity_is_pg_trgm_s():
    # SELECT similarity('word', 'two words') = 0.36363637 in PostgreSQL.
    assert round(trigram_similarity(trigrams("word"), trigrams("two words")), 6) == round(4 / 11, 6)
