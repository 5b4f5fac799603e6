"""The API's documentation page: the generated OpenAPI schema, read as plain HTML (no JavaScript)."""

from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.views.decorators.http import require_safe
from drf_spectacular.generators import SchemaGenerator

from initiatives.models import Initiative, Organisation


@dataclass
class Parameter:
    name: str
    location: str
    required: bool
    type: str
    values: str
    description: str


@dataclass
class Operation:
    id: str
    method: str
    path: str
    summary: str
    description: str
    example: str
    parameters: list[Parameter] = field(default_factory=list)
    fields: list[str] = field(default_factory=list)
    responses: list[tuple[str, str]] = field(default_factory=list)


@lru_cache(maxsize=8)
def api_schema(language: str) -> dict:
    """The OpenAPI document, as /api/v1/openapi.json serves it; it changes only with the code (and language)."""
    return SchemaGenerator().get_schema(request=None, public=True)


def shape(schema: dict) -> tuple[str, str]:
    """A parameter's type ("string", "integer[]" when repeated) and the values it takes, in JSON Schema's words."""
    repeated = schema.get("type") == "array"
    item = schema.get("items", {}) if repeated else schema
    if "enum" in item:
        values = " | ".join(str(value) for value in item["enum"])
    elif "pattern" in item:
        values = f"pattern {item['pattern']}"
    elif "minimum" in item and "maximum" in item:
        values = f"{item['minimum']}–{item['maximum']}"
    elif "minimum" in item:
        values = f"≥ {item['minimum']}"
    elif "maxLength" in item:
        values = f"maxLength {item['maxLength']}"
    else:
        values = ""
    return item.get("type", "") + ("[]" if repeated else ""), values


def _resolve(schema: dict, components: dict) -> dict:
    if "$ref" in schema:
        return components[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def response_fields(operation: dict, components: dict) -> list[str]:
    """The fields of the rows an operation returns (those of `results` for a page)."""
    content = operation.get("responses", {}).get("200", {}).get("content", {})
    schema = _resolve(content.get("application/json", {}).get("schema", {}), components)
    results = schema.get("properties", {}).get("results")
    if results:
        schema = _resolve(results.get("items", {}), components)
    return list(schema.get("properties", {}))


def example_url(path: str, parameters: list[dict], keys: dict[str, str]) -> str:
    """The path with example keys, and the query parameters that carry an example; "" when a key is missing."""
    for name, value in keys.items():
        path = path.replace("{" + name + "}", value)
    if "{" in path:
        return ""
    query = {p["name"]: p["schema"]["example"] for p in parameters if p["in"] == "query" and "example" in p["schema"]}
    query = {name: ",".join(value) if isinstance(value, list) else value for name, value in query.items()}
    return path + (f"?{urlencode(query)}" if query else "")


def operations(schema: dict, keys: dict[str, dict[str, str]]) -> list[Operation]:
    components = schema.get("components", {}).get("schemas", {})
    found = []
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            parameters = operation.get("parameters", [])
            found.append(
                Operation(
                    id=operation["operationId"],
                    method=method.upper(),
                    path=path,
                    summary=operation.get("summary", ""),
                    description=operation.get("description", ""),
                    example=example_url(path, parameters, keys.get(path, {})),
                    parameters=[
                        Parameter(
                            p["name"], p["in"], p.get("required", False), *shape(p["schema"]), p.get("description", "")
                        )
                        for p in parameters
                    ],
                    fields=response_fields(operation, components),
                    responses=[(code, r.get("description", "")) for code, r in operation.get("responses", {}).items()],
                )
            )
    return found


def example_keys() -> dict[str, dict[str, str]]:
    """Real keys for the detail endpoints' example URLs: reference data, and the latest published rows."""
    prefix = reverse("exchange:api:docs")
    initiative = Initiative.objects.published().order_by("-updated_at").values_list("slug", flat=True).first()
    organisation = Organisation.objects.public().order_by("name").values_list("slug", flat=True).first()
    keys = {
        f"{prefix}regions/{{slug}}/": {"slug": "western-africa"},
        f"{prefix}countries/{{iso2}}/": {"iso2": "NG"},
    }
    if initiative:
        keys[f"{prefix}initiatives/{{slug}}/"] = {"slug": initiative}
    if organisation:
        keys[f"{prefix}organisations/{{slug}}/"] = {"slug": organisation}
    return keys


@require_safe
def documentation(request: HttpRequest) -> HttpResponse:
    schema = api_schema(get_language())
    context = {
        "info": schema["info"],
        "openapi_version": schema["openapi"],
        "operations": operations(schema, example_keys()),
        "schema_url": reverse("exchange:api:schema"),
    }
    return render(request, "exchange/api_docs.html", context)
