"""Suggestions from the public: /suggest/ and /initiatives/<slug>/correction/, and their review in the admin."""

import pytest
from django.test import Client

from exchange.models import Suggestion
from initiatives.models import FormerSlug, Initiative
from tests.factories import InitiativeFactory, SuggestionFactory
from tests.helpers import SUGGESTER, UNPUBLISHED, listed, suggestion_data

pytestmark = pytest.mark.django_db

SUGGEST = "/suggest/"
THANKS = "/suggest/thanks/"
CHANGELIST = "/admin/exchange/suggestion/"
NAME, EMAIL = SUGGESTER


def correction_url(initiative: Initiative) -> str:
    return f"/initiatives/{initiative.slug}/correction/"


@pytest.fixture
def initiative():
    return InitiativeFactory(title="West African cyber drills", slug="west-african-cyber-drills")


# --- the forms


def test_the_suggest_form_has_every_field_and_a_hidden_honeypot(client):
    response = client.get(SUGGEST)
    page = response.content.decode()
    assert response.status_code == 200
    for name in ["title", "website", "where", "who", "message", "name", "email", "homepage", "csrfmiddlewaretoken"]:
        assert f'name="{name}"' in page, name
    assert '<label for="id_title">' in page
    assert '<div class="honeypot" aria-hidden="true">' in page
    assert 'name="homepage" tabindex="-1" autocomplete="off"' in page
    assert "Leave this field empty" in page
    assert "style=" not in page and "<script" not in page  # the Content Security Policy allows neither inline


def test_the_correction_form_names_the_initiative_and_links_back(client, initiative):
    response = client.get(correction_url(initiative))
    page = response.content.decode()
    assert response.status_code == 200
    assert 'name="message"' in page and 'name="homepage"' in page and 'name="title"' not in page
    assert '<a href="/initiatives/west-african-cyber-drills/">West African cyber drills</a>' in page


def test_the_pages_link_to_the_forms(client, initiative):
    assert 'href="/suggest/"' in client.get("/").content.decode()  # the footer, on every page
    assert 'href="/suggest/"' in client.get("/initiatives/").content.decode()
    detail = client.get(initiative.get_absolute_url()).content.decode()
    assert f'href="{correction_url(initiative)}"' in detail and "Report a correction" in detail


@pytest.mark.parametrize("state", UNPUBLISHED)
def test_a_correction_to_an_unpublished_initiative_is_404_like_its_page(client, state):
    hidden = InitiativeFactory(title="Hidden programme", publication_state=state)
    assert client.get(hidden.get_absolute_url()).status_code == 404
    assert client.get(correction_url(hidden)).status_code == 404
    assert client.post(correction_url(hidden), {"message": "Wrong dates."}).status_code == 404
    assert not Suggestion.objects.exists()


def test_a_correction_to_an_unknown_initiative_is_404(client):
    assert client.get("/initiatives/no-such-initiative/correction/").status_code == 404
    assert client.post("/initiatives/no-such-initiative/correction/", {"message": "x"}).status_code == 404


def test_a_former_address_answers_301_to_the_kept_initiatives_form(client, initiative):
    FormerSlug.objects.create(slug="old-drills", initiative=initiative)
    response = client.get("/initiatives/old-drills/correction/")
    assert response.status_code == 301 and response["Location"] == correction_url(initiative)


# --- sending


def test_a_valid_suggestion_is_stored_in_review_with_its_contact(client):
    response = client.post(SUGGEST, suggestion_data())
    assert response.status_code == 303 and response["Location"] == THANKS
    suggestion = Suggestion.objects.get()
    assert suggestion.kind == Suggestion.Kind.NEW and suggestion.state == Suggestion.State.PENDING
    assert suggestion.title == "Sahel CERT mentoring" and suggestion.website == "https://sahel-cert.example.org/"
    assert suggestion.where == "Mali, Niger, Burkina Faso" and suggestion.who == "Sahel CERT network; GFCE"
    assert suggestion.message == "Mentors national CERTs in the Sahel since 2023."
    assert (suggestion.name, suggestion.email) == (NAME, EMAIL)
    assert suggestion.initiative is None and suggestion.created_initiative is None
    thanks = client.get(THANKS)
    assert thanks.status_code == 200 and "will review it" in thanks.content.decode()


def test_a_correction_is_stored_against_its_initiative(client, initiative):
    response = client.post(correction_url(initiative), {"message": "It ended in 2024.", "email": EMAIL})
    assert response.status_code == 303 and response["Location"] == THANKS
    suggestion = Suggestion.objects.get()
    assert suggestion.kind == Suggestion.Kind.CORRECTION and suggestion.initiative == initiative
    assert (suggestion.message, suggestion.email, suggestion.name) == ("It ended in 2024.", EMAIL, "")
    assert str(suggestion) == "Correction to West African cyber drills"


def test_the_contact_never_appears_on_a_public_page(client, initiative):
    client.post(SUGGEST, suggestion_data())
    client.post(correction_url(initiative), {"message": "It ended in 2024.", "name": NAME, "email": EMAIL})
    assert Suggestion.objects.count() == 2
    for url in [
        "/",
        "/initiatives/",
        initiative.get_absolute_url(),
        correction_url(initiative),
        SUGGEST,
        THANKS,
        "/initiatives/export.csv",
        "/initiatives/feed.atom",
        "/api/v1/initiatives/",
        "/sitemap-initiatives.xml",
    ]:
        response = client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert response.status_code == 200, url
        assert NAME.encode() not in body and EMAIL.encode() not in body, url


def test_only_a_keyed_hash_of_the_address_is_stored(client):
    client.post(SUGGEST, suggestion_data(), REMOTE_ADDR="198.51.100.7")
    client.post(SUGGEST, suggestion_data(), REMOTE_ADDR="198.51.100.7")
    client.post(SUGGEST, suggestion_data(), REMOTE_ADDR="198.51.100.8")
    first, second, other = Suggestion.objects.order_by("pk").values_list("client_hash", flat=True)
    assert first == second != other
    assert len(first) == 64 and "198.51.100" not in first


def test_a_post_without_the_csrf_token_is_refused():
    response = Client(enforce_csrf_checks=True).post(SUGGEST, suggestion_data())
    assert response.status_code == 403
    assert not Suggestion.objects.exists()


# --- robots: the honeypot and the rate limit


def test_a_filled_honeypot_gets_the_answer_a_person_gets_and_stores_nothing(client):
    person = client.post(SUGGEST, suggestion_data(), REMOTE_ADDR="198.51.100.1")
    robot = client.post(SUGGEST, suggestion_data(homepage="https://spam.example/"), REMOTE_ADDR="198.51.100.2")
    assert (robot.status_code, robot["Location"]) == (person.status_code, person["Location"]) == (303, THANKS)
    assert Suggestion.objects.count() == 1
    # Even with nothing else filled in: a robot learns nothing from an error page.
    assert client.post(SUGGEST, {"homepage": "x"}, REMOTE_ADDR="198.51.100.3").status_code == 303
    assert Suggestion.objects.count() == 1


def test_a_sixth_suggestion_within_the_hour_is_refused_with_429_and_the_form_kept(client, initiative):
    for n in range(5):
        assert client.post(SUGGEST, suggestion_data(title=f"Programme {n}")).status_code == 303
    response = client.post(correction_url(initiative), {"message": "Sixth message, kept in the form."})
    page = response.content.decode()
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 3600
    assert "You have sent several messages in the last hour" in page
    assert "Sixth message, kept in the form." in page
    assert Suggestion.objects.count() == 5
    other = client.post(SUGGEST, suggestion_data(), REMOTE_ADDR="203.0.113.9")
    assert other.status_code == 303 and Suggestion.objects.count() == 6


def test_the_limit_is_a_setting(client, settings):
    settings.SUGGESTIONS_PER_HOUR = 1
    assert client.post(SUGGEST, suggestion_data()).status_code == 303
    assert client.post(SUGGEST, suggestion_data()).status_code == 429
    assert Suggestion.objects.count() == 1


def test_invalid_posts_do_not_count_against_the_limit(client, settings):
    settings.SUGGESTIONS_PER_HOUR = 1
    assert client.post(SUGGEST, suggestion_data(title="")).status_code == 400
    assert client.post(SUGGEST, suggestion_data()).status_code == 303


def test_behind_the_tls_proxy_the_forwarded_address_counts(client, settings):
    settings.SUGGESTIONS_PER_HOUR = 1
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # The proxy appends the address it saw; what comes before is whatever the visitor sent.
    for address in ["10.0.0.1, 198.51.100.1", "10.0.0.1, 198.51.100.2"]:
        assert client.post(SUGGEST, suggestion_data(), HTTP_X_FORWARDED_FOR=address).status_code == 303
    forged = "203.0.113.9, 198.51.100.1"  # a forged first entry does not make a new visitor
    assert client.post(SUGGEST, suggestion_data(), HTTP_X_FORWARDED_FOR=forged).status_code == 429


def test_without_the_proxy_a_forwarded_address_is_ignored(client, settings):
    settings.SUGGESTIONS_PER_HOUR = 1
    assert client.post(SUGGEST, suggestion_data(), HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 303
    assert client.post(SUGGEST, suggestion_data(), HTTP_X_FORWARDED_FOR="198.51.100.2").status_code == 429


# --- bad and hostile input


def test_invalid_input_is_400_with_a_summary_linking_to_each_field(client):
    response = client.post(SUGGEST, suggestion_data(title="", message=" ", website="not a url", email="nobody"))
    page = response.content.decode()
    assert response.status_code == 400
    assert 'class="error-summary" role="alert"' in page
    for field in ["title", "website", "message", "email"]:
        assert f'href="#id_{field}"' in page, field
        assert f'id="id_{field}_error"' in page, field
    assert 'aria-invalid="true"' in page and 'aria-describedby="id_title_error"' in page
    assert "This field is required." in page and "Enter a valid URL." in page
    assert "<title>Error:" in page
    assert 'value="Sahel CERT network; GFCE"' in page  # what was valid stays filled in
    assert not Suggestion.objects.exists()


def test_markup_is_stored_as_sent_and_shown_escaped(curator_client):
    script = '<script>alert("x")</script>'
    response = curator_client.post(SUGGEST, suggestion_data(title=f"Drills {script}", message=f"Hi {script}"))
    assert response.status_code == 303
    suggestion = Suggestion.objects.get()
    assert suggestion.title == f"Drills {script}" and suggestion.message == f"Hi {script}"
    for url in [CHANGELIST, f"{CHANGELIST}{suggestion.pk}/change/"]:
        page = curator_client.get(url).content.decode()
        assert script not in page and "&lt;script&gt;" in page, url


def test_a_huge_message_is_400_with_a_message(client):
    response = client.post(SUGGEST, suggestion_data(message="x" * 100_000))
    assert response.status_code == 400
    assert "Ensure this value has at most 5000 characters (it has 100000)." in response.content.decode()
    assert not Suggestion.objects.exists()


def test_control_characters_and_direction_overrides_are_taken_out(client, initiative):
    title = "CERT\x00 drills\u202e slleh \x1b[31m"
    message = "Line one\r\nLine two\x00\x07 \u2066isolated\u2069\tend"
    assert client.post(SUGGEST, suggestion_data(title=title, message=message)).status_code == 303
    suggestion = Suggestion.objects.get()
    assert suggestion.title == "CERT drills slleh [31m"
    assert suggestion.message == "Line one\nLine two isolated\tend"


def test_a_field_of_control_characters_only_is_empty(client):
    response = client.post(SUGGEST, suggestion_data(title="\x00\x01\u202e"))
    assert response.status_code == 400 and not Suggestion.objects.exists()


def test_bytes_that_are_not_utf8_never_give_a_500(client):
    body = b"title=Caf\xe9+drills&message=Na\xefve+%FF%FE+text&homepage="
    response = client.post(SUGGEST, body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 303
    assert Suggestion.objects.get().title == "Café drills"  # Django reads a body that is not UTF-8 as Latin-1
    odd_charset = client.generic(
        "POST", SUGGEST, body, content_type="application/x-www-form-urlencoded; charset=no-such"
    )
    assert odd_charset.status_code == 303


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"message=" + b"x" * 3_000_000, "application/x-www-form-urlencoded"),  # over DATA_UPLOAD_MAX_MEMORY_SIZE
        (b"&".join(b"f%d=1" % n for n in range(1500)), "application/x-www-form-urlencoded"),  # too many fields
        (b"--x\r\nnot a part", "multipart/form-data; boundary=x"),
        (b"\x00\xff" * 100, "multipart/form-data"),  # no boundary
        (b'{"title": "json"}', "application/json"),
    ],
)
def test_malformed_posts_are_4xx_never_500(client, body, content_type):
    response = client.post(SUGGEST, body, content_type=content_type)
    assert 400 <= response.status_code < 500
    assert not Suggestion.objects.exists()


def test_other_methods_are_refused(client):
    assert client.put(SUGGEST, suggestion_data()).status_code == 405
    assert client.delete(SUGGEST).status_code == 405


# --- caching of the form pages


def test_a_form_page_answers_a_conditional_request_with_304_for_the_same_csrf_cookie(client, initiative):
    for url in [SUGGEST, correction_url(initiative)]:
        first = Client().get(url)  # no cookie yet, as a crawler or a first visit
        assert Client().get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
        # With its cookie, a browser's copy is confirmed only if its token still matches that cookie.
        client.cookies.clear()
        cookie = client.get(url).cookies["csrftoken"].value
        again = client.get(url)
        assert again.status_code == 200 and again.cookies["csrftoken"].value == cookie
        assert client.get(url, HTTP_IF_NONE_MATCH=again["ETag"]).status_code == 304
        client.cookies["csrftoken"] = "a" * 32  # another cookie: the copy's token would not match it
        assert client.get(url, HTTP_IF_NONE_MATCH=again["ETag"]).status_code == 200


# --- the admin


def test_the_admin_lists_the_suggestions_in_review_first_with_their_count(curator_client, initiative):
    SuggestionFactory(title="Pending new one")
    SuggestionFactory(kind="correction", title="", initiative=initiative)
    SuggestionFactory(title="Declined long ago", state="declined", reviewed_at="2026-01-01T00:00Z")
    page = curator_client.get(CHANGELIST).content.decode()
    assert "Suggestions: 2 in review" in page
    assert "Pending new one" in page and "Correction to" in page and "West African cyber drills" in page
    assert "Declined long ago" not in page
    assert "Declined long ago" in curator_client.get(f"{CHANGELIST}?state=all").content.decode()
    assert "Pending new one" not in curator_client.get(f"{CHANGELIST}?state=declined").content.decode()


def test_the_admin_shows_the_senders_contact(curator_client):
    suggestion = SuggestionFactory(name=NAME, email=EMAIL)
    page = curator_client.get(f"{CHANGELIST}{suggestion.pk}/change/").content.decode()
    assert NAME in page and EMAIL in page
    assert curator_client.get(f"{CHANGELIST}add/").status_code == 403  # suggestions come from the public


def test_accepting_creates_an_initiative_in_review_that_stays_hidden(curator_client, curator, client):
    InitiativeFactory(slug="sahel-cert-mentoring")  # the slug is taken: the new one gets a suffix
    suggestion = SuggestionFactory(
        title="Sahel CERT mentoring", website="https://sahel-cert.example.org/", message="Mentors CERTs. " * 60
    )
    response = curator_client.post(CHANGELIST, {"action": "create_initiatives", "_selected_action": [suggestion.pk]})
    assert response.status_code == 302
    suggestion.refresh_from_db()
    created = suggestion.created_initiative
    assert created is not None and created.publication_state == Initiative.PublicationState.REVIEW
    assert created.title == "Sahel CERT mentoring" and created.slug == "sahel-cert-mentoring-2"
    assert created.website == "https://sahel-cert.example.org/"
    assert len(created.summary) <= 500 and created.summary.startswith("Mentors CERTs. Mentors CERTs.")
    assert suggestion.state == Suggestion.State.ACCEPTED
    assert suggestion.reviewed_by == curator and suggestion.reviewed_at is not None
    assert created.slug not in listed(client.get("/initiatives/"))
    assert client.get(created.get_absolute_url()).status_code == 404
    # A second click creates nothing more.
    curator_client.post(CHANGELIST, {"action": "create_initiatives", "_selected_action": [suggestion.pk]})
    assert Initiative.objects.filter(title="Sahel CERT mentoring").count() == 1


def test_a_correction_cannot_become_a_new_initiative(curator_client, initiative):
    suggestion = SuggestionFactory(kind="correction", title="", initiative=initiative)
    before = Initiative.objects.count()
    response = curator_client.post(
        CHANGELIST, {"action": "create_initiatives", "_selected_action": [suggestion.pk]}, follow=True
    )
    assert "Not accepted" in response.content.decode()
    assert Initiative.objects.count() == before
    suggestion.refresh_from_db()
    assert suggestion.state == Suggestion.State.PENDING


@pytest.mark.parametrize(("action", "state"), [("decline", "declined"), ("mark_accepted", "accepted")])
def test_declining_and_marking_accepted_record_who_and_when(curator_client, curator, action, state):
    pending = SuggestionFactory()
    decided = SuggestionFactory(state="accepted", reviewed_at="2026-01-01T00:00Z")
    curator_client.post(CHANGELIST, {"action": action, "_selected_action": [pending.pk, decided.pk]})
    pending.refresh_from_db()
    decided.refresh_from_db()
    assert pending.state == state and pending.reviewed_by == curator and pending.reviewed_at is not None
    assert decided.state == "accepted" and decided.reviewed_by is None  # a decision already taken stays
    assert not Suggestion.objects.filter(state="pending").exists()
