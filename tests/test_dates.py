"""Dates on public pages in each language's own form (ccb_portal/formats): never "1 Jui 2026"."""

import datetime
import html

import pytest
from django.test import Client

from initiatives.models import DatePrecision
from tests.factories import InitiativeFactory, SourceRecordFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def dated():
    initiative = InitiativeFactory(
        slug="dated",
        start_date=datetime.date(2026, 7, 1),
        start_precision=DatePrecision.DAY,
        end_date=datetime.date(2027, 2, 1),
        end_precision=DatePrecision.MONTH,
        last_verified=datetime.date(2026, 6, 15),
    )
    SourceRecordFactory(initiative=initiative, retrieved_on=datetime.date(2019, 2, 1))
    return initiative


def detail(language: str) -> str:
    response = Client(HTTP_ACCEPT_LANGUAGE=language).get("/initiatives/dated/")
    assert response.status_code == 200
    return html.unescape(response.content.decode())


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", ["1 July 2026 – February 2027", "15 June 2026", "1 February 2019"]),
        ("fr", ["1 juillet 2026 – février 2027", "15 juin 2026", "1 février 2019"]),
        ("es", ["1 de julio de 2026 – febrero de 2027", "15 de junio de 2026", "1 de febrero de 2019"]),
    ],
)
def test_the_detail_page_writes_dates_in_the_visitors_language(dated, language, expected):
    page = detail(language)
    for text in expected:
        assert text in page


@pytest.mark.parametrize("language", ["fr", "es"])
def test_no_date_uses_a_three_letter_month(dated, language):
    page = detail(language)
    for abbreviation in ["Jui", "Jul", "Fév", "Feb", "Jun"]:
        assert f" {abbreviation} 20" not in page


def test_a_year_is_only_a_year(dated):
    dated.start_precision = DatePrecision.YEAR
    dated.save()
    assert "2026 – " in detail("fr")
    assert "juillet 2026 –" not in detail("fr")
