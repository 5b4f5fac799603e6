"""How each published row reads in JSON. Read-only: nothing here validates input.

Related rows appear by their public keys (slugs, ISO codes), the same values the
URL parameters take, so a result can be fed back into a query. Every serializer
reads only what the views prefetch (Initiative.objects.with_related() and the
select_related of each view): no query per row.
"""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from initiatives.dates import as_text
from initiatives.models import Initiative, Organisation, Source, SourceRecord
from taxonomy.models import Country, Region, Term, TermAlias, Vocabulary

DATE_AT_PRECISION = {
    "type": "string",
    "nullable": True,
    "pattern": r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$",
    "description": "ISO 8601 at the precision it was given: a year (2021), a month (2021-03) or a day (2021-03-05).",
    "example": "2021-03",
}


def slugs(**kwargs) -> serializers.SlugRelatedField:
    return serializers.SlugRelatedField(many=True, read_only=True, slug_field="slug", **kwargs)


class NamesSerializer(serializers.Serializer):
    """The English, French and Spanish names ("" where there is no translation yet)."""

    en = serializers.CharField(source="name")
    fr = serializers.CharField(source="name_fr")
    es = serializers.CharField(source="name_es")


def names() -> NamesSerializer:
    return NamesSerializer(source="*", read_only=True)


# --- the shared vocabulary


class RegionSerializer(serializers.ModelSerializer):
    names = names()
    parent = serializers.SlugRelatedField(read_only=True, allow_null=True, slug_field="slug")
    countries = serializers.SerializerMethodField(
        help_text="ISO alpha-2 codes of its countries: M49 members at any depth, or the grouping's members."
    )
    url = serializers.HyperlinkedIdentityField(view_name="initiatives:region", lookup_field="slug")

    class Meta:
        model = Region
        fields = ["slug", "name", "names", "kind", "parent", "m49", "countries", "url"]

    def get_countries(self, region: Region) -> list[str]:
        return sorted(self.context["region_countries"][region.pk])


class CountrySerializer(serializers.ModelSerializer):
    names = names()
    region = serializers.SlugRelatedField(
        read_only=True, allow_null=True, slug_field="slug", help_text="Its most specific UN M49 region."
    )
    url = serializers.HyperlinkedIdentityField(view_name="initiatives:country", lookup_field="iso2")

    class Meta:
        model = Country
        fields = ["iso2", "iso3", "m49", "name", "names", "region", "url"]


class TermAliasSerializer(serializers.ModelSerializer):
    class Meta:
        model = TermAlias
        fields = ["name", "scheme"]


class TermSerializer(serializers.ModelSerializer):
    vocabulary = serializers.SlugRelatedField(read_only=True, slug_field="slug")
    names = names()
    parent = serializers.SlugRelatedField(read_only=True, allow_null=True, slug_field="slug")
    aliases = TermAliasSerializer(many=True, read_only=True, help_text="Other mappings' words for it.")
    url = serializers.SerializerMethodField()

    class Meta:
        model = Term
        fields = ["slug", "vocabulary", "name", "names", "description", "parent", "aliases", "url"]

    def get_url(self, term: Term) -> str:
        return self.context["request"].build_absolute_uri(term.get_absolute_url())


class VocabularySerializer(serializers.ModelSerializer):
    terms = TermSerializer(many=True, read_only=True)

    class Meta:
        model = Vocabulary
        fields = ["slug", "name", "description", "terms"]


# --- organisations, sources, initiatives


class OrganisationSerializer(serializers.ModelSerializer):
    names = names()
    country = serializers.SlugRelatedField(
        read_only=True, allow_null=True, slug_field="iso2", help_text="Where it has its seat."
    )
    aliases = serializers.SlugRelatedField(
        many=True, read_only=True, slug_field="name", help_text="Other names it goes by."
    )
    url = serializers.HyperlinkedIdentityField(view_name="initiatives:organisation", lookup_field="slug")

    class Meta:
        model = Organisation
        fields = ["slug", "name", "names", "acronym", "aliases", "kind", "country", "website", "description", "url"]


class SourceSerializer(serializers.ModelSerializer):
    website = serializers.URLField(source="url", read_only=True)
    topics = slugs()
    audiences = slugs()
    regions = slugs(help_text="Regions it covers.")
    url = serializers.SerializerMethodField()

    class Meta:
        model = Source
        fields = ["slug", "name", "publisher", "website", "focus", "licence", "topics", "audiences", "regions", "url"]

    def get_url(self, source: Source) -> str:
        return self.context["request"].build_absolute_uri(source.get_absolute_url())


class ParticipantSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["slug", "name", "acronym"]


class SourceRecordSerializer(serializers.ModelSerializer):
    source = serializers.SlugRelatedField(read_only=True, slug_field="slug")

    class Meta:
        model = SourceRecord
        fields = ["source", "external_id", "url", "retrieved_on"]


class InitiativeSerializer(serializers.ModelSerializer):
    start_date = serializers.SerializerMethodField()
    end_date = serializers.SerializerMethodField()
    countries = serializers.SlugRelatedField(
        many=True, read_only=True, slug_field="iso2", help_text="Beneficiary countries (ISO alpha-2)."
    )
    regions = slugs(help_text="Beneficiary regions.")
    topics = slugs()
    audiences = slugs(help_text="Target users.")
    modalities = slugs()
    keywords = serializers.SerializerMethodField()
    implementers = ParticipantSerializer(many=True, read_only=True)
    funders = ParticipantSerializer(many=True, read_only=True)
    partners = ParticipantSerializer(many=True, read_only=True)
    sources = SourceRecordSerializer(source="source_records", many=True, read_only=True)
    url = serializers.HyperlinkedIdentityField(view_name="initiatives:detail", lookup_field="slug")

    class Meta:
        model = Initiative
        fields = [
            "slug",
            "title",
            "summary",
            "description",
            "status",
            "start_date",
            "end_date",
            "budget",
            "budget_max",
            "currency",
            "website",
            "countries",
            "regions",
            "topics",
            "audiences",
            "modalities",
            "keywords",
            "implementers",
            "funders",
            "partners",
            "sources",
            "last_verified",
            "updated_at",
            "url",
        ]

    @extend_schema_field(DATE_AT_PRECISION)
    def get_start_date(self, initiative: Initiative) -> str | None:
        return as_text(initiative.start_date, initiative.start_precision) or None

    @extend_schema_field(DATE_AT_PRECISION)
    def get_end_date(self, initiative: Initiative) -> str | None:
        return as_text(initiative.end_date, initiative.end_precision) or None

    def get_keywords(self, initiative: Initiative) -> list[str]:
        return sorted(tag.name for tag in initiative.keywords.all())


# --- what only the schema needs: the page envelope of the initiatives list, and errors


class FacetOptionSerializer(serializers.Serializer):
    value = serializers.CharField(help_text="The value to pass in the parameter of the same name.")
    label = serializers.CharField()
    count = serializers.IntegerField(help_text="Initiatives matching every other active filter and this value.")


class InitiativePageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = InitiativeSerializer(many=True)
    facets = serializers.DictField(
        child=FacetOptionSerializer(many=True),
        required=False,
        help_text="Only when asked for with `facets`: for each facet named, the count of each value.",
    )
