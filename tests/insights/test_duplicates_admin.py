"""The admin's possible duplicates: list, compare, merge after a confirmation, or record as distinct."""

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from initiatives.models import FormerSlug, Initiative
from insights.models import DistinctPair, Merge
from tests.factories import InitiativeFactory

pytestmark = pytest.mark.django_db

LIST = "/admin/insights/merge/duplicates/"


@pytest.fixture
def pair():
    a = InitiativeFactory(title="Cyber Resilience for Development", slug="cyber4dev", website="")
    b = InitiativeFactory(
        title="CYBER-RESILIENCE for development",
        slug="cyber4dev-copy",
        website="https://www.cyber4dev.eu/about",
        publication_state="review",
    )
    return a, b


def urls(a, b) -> dict[str, str]:
    base = f"{LIST}{a.pk}-{b.pk}/"
    return {"compare": base, "distinct": f"{base}distinct/", "keep a": f"{base}keep/{a.pk}/"}


def test_the_merge_list_links_to_the_possible_duplicates(curator_client):
    page = curator_client.get("/admin/insights/merge/").content.decode()
    assert f'href="{LIST}"' in page


def test_the_list_shows_each_pair_with_score_and_reasons(curator_client, pair):
    a, b = pair
    InitiativeFactory(title="Child online protection in the Pacific")
    page = curator_client.get(LIST).content.decode()
    assert "1 candidate pair" in page
    assert a.title in page and b.title in page and "Child online protection" not in page
    assert "same title apart from case and punctuation" in page
    assert f'href="{urls(a, b)["compare"]}"' in page


def test_the_comparison_shows_both_records_side_by_side(curator_client, pair):
    a, b = pair
    page = curator_client.get(urls(a, b)["compare"]).content.decode()
    assert page.index(a.title) < page.index(b.title)
    assert "https://www.cyber4dev.eu/about" in page and "In review" in page
    assert f'href="{urls(a, b)["keep a"]}"' in page
    assert f'action="{urls(a, b)["distinct"]}"' in page


def test_merging_asks_for_confirmation_and_a_get_merges_nothing(curator_client, pair):
    a, b = pair
    page = curator_client.get(urls(a, b)["keep a"]).content.decode()
    assert "will be merged into" in page and "/initiatives/cyber4dev-copy/" in page
    assert 'method="post"' in page and "csrfmiddlewaretoken" in page
    assert Initiative.objects.filter(pk=b.pk).exists() and not Merge.objects.exists()


def test_merging_end_to_end(curator_client, curator, pair):
    a, b = pair
    response = curator_client.post(urls(a, b)["keep a"], follow=True)
    assert response.redirect_chain[-1][0] == LIST
    assert "was merged into" in response.content.decode()
    assert not Initiative.objects.filter(pk=b.pk).exists()
    merge = Merge.objects.get()
    assert (merge.kept, merge.merged_id, merge.merged_by) == (a, b.pk, curator)
    assert FormerSlug.objects.get(slug="cyber4dev-copy").initiative == a
    a.refresh_from_db()
    assert a.website == "https://www.cyber4dev.eu/about"
    assert "No possible duplicates" in response.content.decode()


def test_not_duplicates_records_the_pair_and_drops_it_from_the_list(curator_client, curator, pair):
    a, b = pair
    response = curator_client.post(urls(a, b)["distinct"])
    assert response.status_code == 302
    decided = DistinctPair.objects.get()
    assert (decided.first, decided.second, decided.decided_by) == (a, b, curator)
    page = curator_client.get(LIST).content.decode()
    assert "No possible duplicates" in page and 'id="duplicates"' not in page


def test_not_duplicates_refuses_a_get(curator_client, pair):
    assert curator_client.get(urls(*pair)["distinct"]).status_code == 405
    assert not DistinctPair.objects.exists()


def test_a_stale_pair_gives_a_message_not_an_error(curator_client, pair):
    a, b = pair
    links = urls(a, b)
    b.delete()
    for response in (
        curator_client.get(links["compare"], follow=True),
        curator_client.get(links["keep a"], follow=True),
        curator_client.post(links["keep a"], follow=True),
        curator_client.post(links["distinct"], follow=True),
    ):
        assert response.status_code == 200
        assert response.redirect_chain[-1][0] == LIST
        assert "no longer there" in response.content.decode()
    assert not Merge.objects.exists() and not DistinctPair.objects.exists()


def test_an_id_too_large_for_the_database_is_a_stale_pair_not_an_error(curator_client, pair):
    a, _b = pair
    huge = 10**20
    for response in (
        curator_client.get(f"{LIST}{a.pk}-{huge}/", follow=True),
        curator_client.get(f"{LIST}{a.pk}-{huge}/keep/{a.pk}/", follow=True),
        curator_client.post(f"{LIST}{a.pk}-{huge}/keep/{a.pk}/", follow=True),
        curator_client.post(f"{LIST}{a.pk}-{huge}/distinct/", follow=True),
    ):
        assert response.status_code == 200
        assert "no longer there" in response.content.decode()
    assert Initiative.objects.filter(pk=a.pk).exists() and not Merge.objects.exists()


def test_merging_a_pair_twice_says_it_was_merged(curator_client, pair):
    a, b = pair
    curator_client.post(urls(a, b)["keep a"])
    response = curator_client.post(urls(a, b)["keep a"], follow=True)
    assert "no longer there" in response.content.decode()
    assert Merge.objects.count() == 1


def test_the_kept_initiative_must_be_one_of_the_pair(curator_client, pair):
    a, b = pair
    other = InitiativeFactory()
    response = curator_client.post(f"{LIST}{a.pk}-{b.pk}/keep/{other.pk}/", follow=True)
    assert "Choose one of the two" in response.content.decode()
    assert Initiative.objects.filter(pk__in=[a.pk, b.pk]).count() == 2


def test_a_post_without_the_csrf_token_is_refused(curator, pair):
    client = Client(enforce_csrf_checks=True)
    client.force_login(curator)
    a, b = pair
    assert client.post(urls(a, b)["keep a"]).status_code == 403
    assert client.post(urls(a, b)["distinct"]).status_code == 403
    assert not Merge.objects.exists() and not DistinctPair.objects.exists()


def test_staff_need_the_permissions(client, django_user_model, pair):
    a, b = pair
    staff = django_user_model.objects.create_user("editor", password="x", is_staff=True)
    client.force_login(staff)
    assert client.get(LIST).status_code == 403
    staff.user_permissions.add(Permission.objects.get(codename="change_initiative"))
    assert client.get(LIST).status_code == 200
    assert client.post(urls(a, b)["keep a"]).status_code == 403  # merging also deletes
    staff.user_permissions.add(Permission.objects.get(codename="delete_initiative"))
    assert client.post(urls(a, b)["keep a"]).status_code == 302
    assert Merge.objects.count() == 1


def test_visitors_are_sent_to_the_login(client, pair):
    response = client.get(LIST)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_scan_again_recomputes(curator_client, pair):
    curator_client.get(LIST)
    InitiativeFactory(title="Octopus Project", website="https://example.org/octopus")
    InitiativeFactory(title="Octopus", website="https://example.org/octopus/")
    response = curator_client.post(LIST, follow=True)
    assert "Scanned 4 initiatives" in response.content.decode()
    assert "2 candidate pairs" in response.content.decode()
