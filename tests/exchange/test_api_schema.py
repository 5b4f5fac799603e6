"""Schemathesis exercises every API operation from /api/v1/openapi.json against the demo data.

Every answer must be free of 5xx, with a documented status code and content type, and a
body that matches the schema. Bounded and reproducible: a fixed number of examples per
operation, derandomized, and Hypothesis keeps nothing in the work tree.
"""

import pytest
import schemathesis
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from initiatives.filters import InitiativeFilter, SlugFilter
from initiatives.services import load_demo

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

# Hypothesis caches the constants it reads from our sources (schemathesis reads them at collection
# time to seed its values): under var/, like the other local files, rather than in .hypothesis/.
set_hypothesis_home_dir(settings.BASE_DIR / "var" / "hypothesis")

# Read from the application itself, as a client would (no database needed for the schema).
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", WSGIHandler())


# Real keys for the initiatives list's filters, by parameter; filled once the demo data is loaded.
KNOWN: dict[str, list[str]] = {}


def real_keys() -> dict[str, list[str]]:
    """What the FilterSet accepts for each parameter naming rows: region and term slugs, ISO codes..."""
    return {
        name: list(parameter.queryset.values_list(parameter.extra["to_field_name"], flat=True))
        for name, parameter in InitiativeFilter.base_filters.items()
        if isinstance(parameter, SlugFilter)
    }


@schema.hook
def flatmap_query(context, query):
    """Real keys instead of random slugs when fuzzing, so that generated queries get past validation.

    (The other phases send random and malformed slugs, and expect the 400s they get.)
    """
    if context.operation.label != "GET /api/v1/initiatives/" or not query:
        return st.just(query)
    replaced = {
        name: st.lists(st.sampled_from(KNOWN[name]), min_size=1, max_size=3) for name in query if KNOWN.get(name)
    }
    return st.fixed_dictionaries(replaced).map(lambda new: {**query, **new})


@pytest.fixture(scope="module")
def demo_data(django_db_setup, django_db_blocker):
    """The demo data, loaded once for every operation and rolled back after the module."""
    # As Django's test client does: the requests run inside the test's transaction, which
    # close_old_connections (at each request's start and end) would otherwise close.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        with django_db_blocker.unblock(), transaction.atomic():
            load_demo()
            KNOWN.update(real_keys())
            yield
            transaction.set_rollback(True)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.mark.usefixtures("demo_data", "db")
@schema.parametrize()
@hypothesis_settings(
    max_examples=40,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_every_operation_answers_as_its_schema_says(case):
    case.call_and_validate(checks=CHECKS)
