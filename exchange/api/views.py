"""The read-only JSON API: thin views over the selectors the HTML pages use.

/api/v1/initiatives/ reads its query with initiatives.selectors.search_initiatives,
like the HTML list and the CSV export, so one URL query means one set everywhere.
Only published initiatives, and organisations taking part in one, ever appear.
"""

import django_filters
from django.db.models import Prefetch
from django.http import HttpRequest, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from exchange.api import parameters
from exchange.api.serializers import (
    CountrySerializer,
    InitiativePageSerializer,
    InitiativeSerializer,
    OrganisationSerializer,
    RegionSerializer,
    SourceSerializer,
    TermSerializer,
    VocabularySerializer,
)
from initiatives.dimensions import FACET_NAMES
from initiatives.filters import SLUG_RE
from initiatives.membership import Places
from initiatives.models import Initiative, Organisation, Source
from initiatives.selectors import region_countries, search_initiatives
from taxonomy.models import Country, Region, Term, Vocabulary

NOT_FOUND = OpenApiResponse(
    {"type": "object", "properties": {"detail": {"type": "string"}}, "required": ["detail"]},
    description="No such row, or no such page.",
)
INVALID = OpenApiResponse(
    {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
    description="Some parameters are invalid: each one named, with its messages. Nothing is listed.",
)


def requested_facets(params) -> tuple[tuple[str, ...], list[str]]:
    """The facet names asked for with facets=region,topic (or repeated, or `all`), and any errors."""
    asked = [name.strip() for value in params.getlist("facets") for name in value.split(",") if name.strip()]
    if "all" in asked:
        return FACET_NAMES, []
    unknown = [name for name in asked if name not in FACET_NAMES]
    errors = [
        _("Unknown facet: “%(name)s”. Choose among %(names)s, or all.")
        % {"name": name[:60], "names": ", ".join(FACET_NAMES)}
        for name in unknown[:5]
    ]
    return tuple(dict.fromkeys(asked)), errors


class InitiativeList(generics.GenericAPIView):
    serializer_class = InitiativeSerializer

    @extend_schema(
        operation_id="initiatives_list",
        summary="Published initiatives, filtered",
        description=(
            "The same parameters as the HTML list /initiatives/ and the exports /initiatives/export.csv and "
            "/initiatives/export.xlsx, giving the same set in the same order. Repeated values of one parameter "
            "are ORed, different parameters are ANDed."
        ),
        parameters=parameters.INITIATIVE_LIST,
        responses={200: InitiativePageSerializer, 400: INVALID, 404: NOT_FOUND},
    )
    def get(self, request: Request) -> Response:
        facet_names, facet_errors = requested_facets(request.query_params)
        search = search_initiatives(request.query_params, facet_names=facet_names)
        errors = search.errors if not search.valid else {}
        if facet_errors:
            errors["facets"] = facet_errors
        if errors:
            raise ValidationError(errors)
        page = self.paginate_queryset(search.queryset.with_related())
        response = self.get_paginated_response(self.get_serializer(page, many=True).data)
        if facet_names:
            response.data["facets"] = {
                facet.name: [{"value": o.value, "label": o.label, "count": o.count} for o in facet.options]
                for facet in search.facets
            }
        return response


# A detail view's key that cannot be a slug is a 404 without a query (PostgreSQL refuses NUL bytes).
# (A comment, not a docstring: the schema would take it as the description of every detail view.)
class BySlug:
    lookup_field = "slug"

    def get_object(self):
        if not SLUG_RE.match(self.kwargs[self.lookup_field]):
            raise NotFound()
        return super().get_object()


@extend_schema_view(
    get=extend_schema(summary="One published initiative", responses={200: InitiativeSerializer, 404: NOT_FOUND})
)
class InitiativeDetail(BySlug, generics.RetrieveAPIView):
    queryset = Initiative.objects.published().with_related()
    serializer_class = InitiativeSerializer


@extend_schema_view(
    get=extend_schema(
        summary="Regions: continents, sub-regions and groupings", responses={200: RegionSerializer, 404: NOT_FOUND}
    )
)
class RegionList(generics.ListAPIView):
    queryset = Region.objects.select_related("parent")
    serializer_class = RegionSerializer

    def get_serializer_context(self) -> dict:
        # Every region's countries at once, by the rule the footprints follow.
        return super().get_serializer_context() | {"region_countries": Places.load().countries}


@extend_schema_view(get=extend_schema(summary="One region", responses={200: RegionSerializer, 404: NOT_FOUND}))
class RegionDetail(BySlug, generics.RetrieveAPIView):
    queryset = Region.objects.select_related("parent")
    serializer_class = RegionSerializer

    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        region = self.get_object()
        context = self.get_serializer_context() | {"region_countries": {region.pk: region_countries(region)}}
        return Response(self.serializer_class(region, context=context).data)


@extend_schema_view(get=extend_schema(summary="Countries", responses={200: CountrySerializer, 404: NOT_FOUND}))
class CountryList(generics.ListAPIView):
    queryset = Country.objects.select_related("region")
    serializer_class = CountrySerializer


@extend_schema_view(get=extend_schema(summary="One country", responses={200: CountrySerializer, 404: NOT_FOUND}))
class CountryDetail(generics.RetrieveAPIView):
    queryset = Country.objects.select_related("region")
    serializer_class = CountrySerializer

    def get_object(self) -> Country:
        iso2 = self.kwargs["iso2"]
        if not (len(iso2) == 2 and iso2.isascii() and iso2.isalpha()):
            raise NotFound()
        return get_object_or_404(self.get_queryset(), iso2=iso2.upper())


TERMS = (
    Term.objects.select_related("vocabulary", "parent")
    .prefetch_related("aliases")
    .order_by("vocabulary__slug", "order", "name", "pk")
)


@extend_schema_view(
    get=extend_schema(
        summary="Controlled vocabularies (topics, target users, modalities) with their terms",
        responses={200: VocabularySerializer, 404: NOT_FOUND},
    )
)
class VocabularyList(generics.ListAPIView):
    queryset = Vocabulary.objects.prefetch_related(Prefetch("terms", queryset=TERMS))
    serializer_class = VocabularySerializer


class TermFilter(django_filters.FilterSet):
    vocabulary = django_filters.ModelChoiceFilter(
        to_field_name="slug",
        queryset=Vocabulary.objects.all(),
        help_text="Only the terms of this vocabulary: topic, audience or modality.",
        error_messages={"invalid_choice": gettext_lazy("Unknown vocabulary: “%(value)s”.")},
    )

    class Meta:
        model = Term
        fields = ["vocabulary"]


@extend_schema_view(
    get=extend_schema(summary="Terms, with aliases", responses={200: TermSerializer, 400: INVALID, 404: NOT_FOUND})
)
class TermList(generics.ListAPIView):
    queryset = TERMS
    serializer_class = TermSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = TermFilter


PUBLIC_ORGANISATIONS = (
    Organisation.objects.public().select_related("country").prefetch_related("aliases").order_by("name", "pk")
)


@extend_schema_view(
    get=extend_schema(
        summary="Organisations taking part in published initiatives",
        responses={200: OrganisationSerializer, 404: NOT_FOUND},
    )
)
class OrganisationList(generics.ListAPIView):
    queryset = PUBLIC_ORGANISATIONS
    serializer_class = OrganisationSerializer


@extend_schema_view(
    get=extend_schema(summary="One organisation", responses={200: OrganisationSerializer, 404: NOT_FOUND})
)
class OrganisationDetail(BySlug, generics.RetrieveAPIView):
    queryset = PUBLIC_ORGANISATIONS
    serializer_class = OrganisationSerializer


@extend_schema_view(
    get=extend_schema(
        summary="Other mappings of cyber capacity building", responses={200: SourceSerializer, 404: NOT_FOUND}
    )
)
class SourceList(generics.ListAPIView):
    queryset = Source.objects.prefetch_related("topics", "audiences", "regions")
    serializer_class = SourceSerializer


def not_found(request: HttpRequest, path: str) -> JsonResponse:
    """Any other URL under /api/v1/: a 404 in JSON, like the API's own."""
    return JsonResponse({"detail": _("Not found.")}, status=404)
