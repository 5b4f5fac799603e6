"""The OpenAPI description of /api/v1/initiatives/'s parameters, read from the one FilterSet's rules.

One parameter per dimension (initiatives.dimensions), plus q, specific, sort, the
page and the facets to count. The shapes and limits are those initiatives.filters
enforces, so that a client (or schemathesis) generating values from the schema
stays within what the list accepts.
"""

from drf_spectacular.utils import OpenApiParameter

from exchange.api.pagination import Pagination
from initiatives.dimensions import DIMENSIONS, FACET_NAMES
from initiatives.filters import MAX_VALUES, MAX_YEAR, MIN_YEAR, SLUG_RE, SORTS, InitiativeFilter
from initiatives.models import Initiative


def repeated(items: dict) -> dict:
    return {"type": "array", "items": items, "maxItems": MAX_VALUES}


SLUG = {"type": "string", "pattern": SLUG_RE.pattern}
SCHEMAS = {
    "region": repeated(SLUG),
    "country": repeated({"type": "string", "pattern": "^[A-Za-z]{2}$"}),
    "term": repeated(SLUG),
    "organisation": repeated(SLUG),
    "status": repeated({"type": "string", "enum": Initiative.Status.values}),
    "year": repeated({"type": "integer", "minimum": MIN_YEAR, "maximum": MAX_YEAR}),
    "source": repeated(SLUG),
}
# Shown in the documentation's example URL (and tried first by schemathesis).
EXAMPLES = {"region": ["africa"], "topic": ["cybercrime"]}


def describe(dimension) -> str:
    if dimension.kind == "region":
        return (
            "Region slug (see /api/v1/regions/): initiatives whose footprint meets the region, "
            "including those that serve a wider region containing it."
        )
    if dimension.kind == "country":
        return "ISO 3166 alpha-2 code: initiatives serving the country, named or through one of their regions."
    if dimension.kind == "term":
        return (
            f"Term slug of the {dimension.vocabulary} vocabulary (see /api/v1/terms/?vocabulary="
            f"{dimension.vocabulary}); a parent term includes its children."
        )
    if dimension.kind == "organisation":
        return f"Organisation slug (see /api/v1/organisations/): initiatives it takes part in as {dimension.role}."
    if dimension.kind == "year":
        return f"Active during that year ({MIN_YEAR}–{MAX_YEAR})."
    if dimension.kind == "source":
        return "Source slug (see /api/v1/sources/): initiatives recorded by that other mapping."
    return "Status of the initiative."


def dimension_parameter(dimension) -> OpenApiParameter:
    schema = SCHEMAS[dimension.kind]
    if dimension.name in EXAMPLES:
        schema = schema | {"example": EXAMPLES[dimension.name]}
    return OpenApiParameter(
        dimension.name,
        schema,
        description=describe(dimension) + " Repeat the parameter for several values (ORed).",
        style="form",
        explode=True,
    )


INITIATIVE_LIST = [
    OpenApiParameter(
        "q",
        {"type": "string", "maxLength": InitiativeFilter.base_filters["q"].extra["max_length"]},
        description=(
            "Text search: every word must match the title, summary, description, organisations, keywords, "
            "or the names and aliases of places and terms."
        ),
    ),
    *(dimension_parameter(dimension) for dimension in DIMENSIONS),
    OpenApiParameter(
        "specific",
        {"type": "boolean"},
        description="With region or country: only the initiatives that target the place itself.",
    ),
    OpenApiParameter(
        "sort",
        {"type": "string", "enum": list(SORTS)},
        description="Order: by title, by start date (newest first) or by last update. "
        "Default: by relevance with q, else by title.",
    ),
    *(
        OpenApiParameter(p["name"], p["schema"], description=p["description"])
        for p in Pagination().get_schema_operation_parameters(view=None)
    ),
    OpenApiParameter(
        "facets",
        repeated({"type": "string", "enum": [*FACET_NAMES, "all"]}) | {"example": ["region", "topic"]},
        style="form",
        explode=False,
        description="Facets to count, comma-separated (or all): for each, the number of initiatives per value, "
        "counting every other active filter.",
    ),
]
