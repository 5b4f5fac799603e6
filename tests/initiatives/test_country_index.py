"""The countries index /countries/: every country by continent and M49 region, counted under the list's filters."""

from html.parser import HTMLParser
from urllib.parse import urlencode

import pytest

from taxonomy.models import Country
from tests.factories import InitiativeFactory
from tests.helpers import UNPUBLISHED, bulk_initiatives, count_queries, region

pytestmark = pytest.mark.django_db


class IndexPage(HTMLParser):
    """What a visitor reads in the tables: continents (captions), region rows, and per country its link and count,
    and what submitting a count's button asks for (the form's hidden filters plus country=XX)."""

    def __init__(self):
        super().__init__()
        self.continents: list[str] = []
        self.regions: list[str] = []
        self.rows: dict[str, dict] = {}  # iso2 -> {name, href, count, button, zero, continent, region}
        self.form_action = ""
        self.hidden: list[tuple[str, str]] = []
        self._in_form = self._in_caption = self._in_rowgroup = False
        self._row: dict | None = None
        self._text = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id") == "country-tables":
            self._in_form, self.form_action = True, attrs["action"]
        if not self._in_form:
            return
        if tag == "input" and attrs.get("type") == "hidden":
            self.hidden.append((attrs["name"], attrs["value"]))
        elif tag == "caption":
            self._in_caption, self._text = True, ""
        elif tag == "tr":
            self._close_row()
            self._row = {"zero": "none" in (attrs.get("class") or ""), "button": None, "text": ""}
        elif tag == "th" and attrs.get("scope") == "rowgroup":
            self._in_rowgroup, self._text, self._row = True, "", None
        elif tag == "a" and self._row is not None:
            self._row["href"] = attrs["href"]
        elif tag == "button" and self._row is not None:
            self._row["button"] = (attrs["name"], attrs["value"])

    def handle_endtag(self, tag):
        if tag == "caption":
            self._in_caption = False
            self.continents.append(self._text.strip())
        if tag in ("tbody", "table"):
            self._close_row()
        if tag == "form":
            self._in_form = False

    def handle_data(self, data):
        if self._in_caption or self._in_rowgroup:
            self._text += data
        elif self._row is not None:
            self._row["text"] += data + "|"

    def _close_row(self):
        if self._in_rowgroup:
            self.regions.append(self._text.strip())
            self._in_rowgroup = False
        row, self._row = self._row, None
        if row and "href" in row:
            name, count = [part for part in row["text"].split("|") if part.strip()]
            iso2 = row["href"].strip("/")
            self.rows[iso2] = {
                **row,
                "name": name,
                "count": int(count),
                "continent": self.continents[-1],
                "region": self.regions[-1] if self.regions else "",
            }

    def list_url(self, iso2: str) -> str:
        """Where the count's button leads: the form's action with its hidden filters and the button's value."""
        name, value = self.rows[iso2]["button"]
        return f"{self.form_action}?{urlencode([*self.hidden, (name, value)])}"


def index(client, query: str = "", status: int = 200) -> tuple[IndexPage, object]:
    response = client.get("/countries/" + (f"?{query}" if query else ""))
    assert response.status_code == status, response.content.decode()[:2000]
    page = IndexPage()
    page.feed(response.content.decode())
    page.close()
    return page, response


@pytest.fixture
def world():
    """Nigeria named; ECOWAS-wide and Africa-wide programmes; one in France; unpublished ones everywhere."""
    InitiativeFactory(slug="ng-police", countries=["NG"], topics=["cybercrime"], audiences=["law-enforcement"])
    InitiativeFactory(slug="ecowas-judges", regions=[region("ecowas")], topics=["cybercrime"], audiences=["judiciary"])
    InitiativeFactory(slug="africa-certs", regions=[region("africa")], topics=["cert-development"])
    InitiativeFactory(slug="fr-awareness", countries=["FR"], topics=["awareness"], audiences=["law-enforcement"])
    for state in UNPUBLISHED:
        InitiativeFactory(
            slug=f"hidden-{state}", countries=["NG", "JP"], topics=["cybercrime"], publication_state=state
        )


def test_every_country_is_listed_under_its_continent_and_m49_region(client, world):
    page, response = index(client)
    assert len(page.rows) == Country.objects.count()
    assert page.continents[:5] == ["Africa", "Americas", "Asia", "Europe", "Oceania"]
    nigeria = page.rows["NG"]
    assert (nigeria["name"], nigeria["continent"], nigeria["region"]) == ("Nigeria", "Africa", "Western Africa")
    assert (page.rows["FR"]["continent"], page.rows["FR"]["region"]) == ("Europe", "Western Europe")
    assert "Northern Africa" in page.regions and "Caribbean" in page.regions
    # Each country's name links to its page (relative: the page is /countries/).
    assert nigeria["href"] == "NG/"
    assert client.get("/countries/" + nigeria["href"]).status_code == 200


def test_counts_follow_the_footprint_and_only_published_initiatives(client, world):
    page, response = index(client)
    counts = {iso2: row["count"] for iso2, row in page.rows.items()}
    assert counts["NG"] == 3  # named, ECOWAS-wide, Africa-wide; not the three hidden ones
    assert counts["GH"] == 2  # ECOWAS-wide and Africa-wide
    assert counts["KE"] == 1  # Africa-wide only
    assert counts["FR"] == 1
    assert counts["JP"] == 0  # only hidden initiatives name Japan
    assert "hidden" not in response.content.decode()


def test_countries_with_none_are_listed_and_marked(client, world):
    page, _response = index(client)
    japan = page.rows["JP"]
    assert japan["count"] == 0 and japan["zero"] and japan["button"] is None
    assert not page.rows["NG"]["zero"]


@pytest.mark.parametrize(
    "query",
    ["", "topic=cybercrime", "topic=cybercrime&audience=law-enforcement", "region=africa&specific=1", "status=ongoing"],
)
def test_each_count_equals_the_total_of_the_list_it_opens(client, world, query):
    page, _response = index(client, query)
    checked = 0
    for iso2 in ["NG", "GH", "KE", "FR", "JP", "SN"]:
        row = page.rows[iso2]
        if row["count"] == 0:
            assert row["button"] is None
            list_total = client.get(f"/initiatives/?{query}&country={iso2}").context["browse"].total
        else:
            response = client.get(page.list_url(iso2))
            assert response.status_code == 200
            list_total = response.context["browse"].total
            checked += 1
        assert row["count"] == list_total, (iso2, query)
    assert checked  # some counts were links to follow


def test_filters_narrow_the_counts_and_show_as_chips(client, world):
    page, response = index(client, "topic=cybercrime&audience=law-enforcement")
    assert page.rows["NG"]["count"] == 1 and page.rows["GH"]["count"] == 0 and page.rows["FR"]["count"] == 0
    assert sorted(page.hidden) == [("audience", "law-enforcement"), ("topic", "cybercrime")]
    index_result = response.context["index"]
    assert [chip.label for chip in index_result.chips] == ["Topic: Cybercrime", "Target users: Law enforcement"]
    assert index_result.chips[0].remove_url == "/countries/?audience=law-enforcement"
    body = response.content.decode()
    assert 'href="/initiatives/?topic=cybercrime&amp;audience=law-enforcement"' in body  # back to the list


def test_the_country_filter_is_set_aside_and_said_so(client, world):
    page, response = index(client, "country=NG&topic=cybercrime")
    assert page.rows["GH"]["count"] == 1  # every country counted, not only Nigeria
    assert ("country", "NG") not in page.hidden  # each button names its own country only
    assert "The country filter is not applied here" in response.content.decode()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("topic=nope", "Unknown topic: “nope”."),
        ("year=abc", "“abc” is not a year"),
        ("implementer=hidden-org", "Unknown organisation"),
        ("sort=sideways", "Unknown sort order"),
    ],
)
def test_an_invalid_filter_is_a_400_with_its_message(client, world, query, message):
    _page, response = index(client, query, status=400)
    body = response.content.decode()
    assert message in body
    assert "Some filters could not be applied" in body
    assert "<svg" not in body


def test_empty_parameters_redirect_to_the_short_address(client, world):
    response = client.get("/countries/?topic=cybercrime&q=&year=")
    assert response.status_code == 302
    assert response["Location"] == "/countries/?topic=cybercrime"


def test_the_index_is_linked_from_the_home_page_the_region_list_the_nav_and_the_sitemap(client, world):
    assert 'href="/countries/"' in client.get("/").content.decode()
    assert 'href="/countries/"' in client.get("/regions/").content.decode()
    assert "/countries/</loc>" in client.get("/sitemap-static.xml").content.decode()


def test_the_list_links_to_the_same_results_on_a_map(client, world):
    body = client.get("/initiatives/?topic=cybercrime&page=1").content.decode()
    assert 'href="/countries/?topic=cybercrime">See these results on a map</a>' in body


def test_the_index_is_in_french_on_a_french_page(client, world):
    response = client.get("/countries/", HTTP_ACCEPT_LANGUAGE="fr")
    page = IndexPage()
    page.feed(response.content.decode())
    assert page.rows["NG"]["name"] == "Nigéria"
    assert page.continents[0] == "Afrique"
    assert page.rows["NG"]["region"] == "Afrique de l'Ouest"


def test_query_count_does_not_grow_with_the_number_of_initiatives(client):
    url = "/countries/?topic=cybercrime&status=ongoing"
    bulk_initiatives(10, "few")
    client.get(url)  # warm up caches (content types and the like)
    few = count_queries(client, url)
    bulk_initiatives(300, "many")
    many = count_queries(client, url)
    page, _response = index(client, "status=ongoing")
    assert page.rows["NG"]["count"] > 100  # the second run really counted more
    assert many == few
    assert few <= 12


def test_a_country_page_lists_what_reaches_it_with_how_in_the_visitors_language_and_links_the_index(client, world):
    response = client.get("/countries/NG/", HTTP_ACCEPT_LANGUAGE="fr")
    reach = {card.slug: card.reach_label.text for card in response.context["browse"].page.object_list}
    assert reach == {
        "ng-police": "Dans ce pays",
        "ecowas-judges": "À l’échelle régionale (Communauté économique des États de l'Afrique de l'Ouest (CEDEAO))",
        "africa-certs": "À l’échelle du continent (Afrique)",
    }
    assert 'href="/countries/"' in response.content.decode()
