import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from initiatives.models import Initiative, Participation
from taxonomy.models import Country, Region
from tests.factories import InitiativeFactory, OrganisationFactory, ParticipationFactory, SourceRecordFactory

pytestmark = pytest.mark.django_db


def make_full_initiative(slug="ocwar-c", n_countries=2):
    initiative = InitiativeFactory(
        slug=slug,
        title="OCWAR-C: West African response on cybersecurity",
        summary="Regional support to ECOWAS states.",
        description="Line one.\n\nLine two about Côte d'Ivoire.",
        start_date=datetime.date(2019, 6, 1),
        end_date=datetime.date(2023, 12, 31),
        status=Initiative.Status.COMPLETED,
        budget=8_000_000,
        currency="EUR",
        countries=list(Country.objects.order_by("iso2")[:n_countries]),
        regions=[Region.objects.get(slug="ecowas")],
        topics=["cybercrime", "cert-development"],
        audiences=["law-enforcement"],
        modalities=["training"],
        keywords=["ECOWAS", "cybercrime"],
    )
    ParticipationFactory(
        initiative=initiative, organisation=OrganisationFactory(name="Expertise France"), role="implementer"
    )
    ParticipationFactory(
        initiative=initiative, organisation=OrganisationFactory(name="European Union"), role=Participation.Role.FUNDER
    )
    SourceRecordFactory(initiative=initiative, external_id="CYBIL-123")
    return initiative


def test_published_initiative_shows_all_fields(client):
    make_full_initiative()
    response = client.get("/initiatives/ocwar-c/")
    assert response.status_code == 200
    body = response.content.decode()
    for text in [
        "OCWAR-C: West African response on cybersecurity",
        "Completed",
        "8,000,000 EUR",
        "Economic Community of West African States",
        "Cybercrime",
        "CERT/CSIRT development",
        "Law enforcement",
        "Training",
        "Expertise France",
        "European Union",
        "CYBIL-123",
        "Côte d&#x27;Ivoire",
    ]:
        assert text in body, text


@pytest.mark.parametrize("state", ["draft", "review", "archived"])
def test_unpublished_initiative_answers_404(client, state):
    InitiativeFactory(slug="hidden", publication_state=state)
    assert client.get("/initiatives/hidden/").status_code == 404


def test_unknown_slug_answers_404(client):
    assert client.get("/initiatives/no-such-thing/").status_code == 404


def test_detail_query_count_does_not_grow_with_related_rows(client):
    make_full_initiative("small", n_countries=1)
    big = make_full_initiative("big", n_countries=40)
    for _ in range(5):
        ParticipationFactory(initiative=big, role=Participation.Role.PARTNER)
    with CaptureQueriesContext(connection) as small_queries:
        client.get("/initiatives/small/")
    with CaptureQueriesContext(connection) as big_queries:
        assert client.get("/initiatives/big/").status_code == 200
    assert len(big_queries) == len(small_queries)
