from django.contrib import admin, messages
from django.db.models import Count, Prefetch
from django.utils.translation import ngettext

from initiatives.dimensions import TERM_DIMENSIONS, Dimension
from initiatives.membership import deferred_refresh
from initiatives.models import (
    Initiative,
    Organisation,
    OrganisationAlias,
    Participation,
    RegionReach,
    Source,
    SourceRecord,
    TermMembership,
)
from taxonomy.models import Region, Term


class ParticipationInline(admin.TabularInline):
    model = Participation
    extra = 1
    autocomplete_fields = ["organisation"]


class SourceRecordInline(admin.TabularInline):
    model = SourceRecord
    extra = 0
    autocomplete_fields = ["source"]


class TermListFilter(admin.SimpleListFilter):
    """Filter by one vocabulary's terms; a parent term also matches its children (membership table)."""

    dimension: Dimension

    def lookups(self, request, model_admin):
        terms = Term.objects.of(self.dimension.vocabulary).select_related("parent")
        return [(t.slug, f"– {t.name}" if t.parent_id else t.name) for t in terms]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        terms = Term.objects.of(self.dimension.vocabulary).filter(slug=self.value())
        return queryset.filter(pk__in=TermMembership.objects.filter(term__in=terms).values("initiative_id"))


def term_list_filter(dimension: Dimension) -> type[TermListFilter]:
    attributes = {"title": str(dimension.label).lower(), "parameter_name": dimension.name, "dimension": dimension}
    return type(f"{dimension.name.title()}Filter", (TermListFilter,), attributes)


class RegionFilter(admin.SimpleListFilter):
    """Continents and groupings: initiatives whose footprint meets them, as on the public list."""

    title = "region"
    parameter_name = "region"

    def lookups(self, request, model_admin):
        regions = Region.objects.exclude(kind=Region.Kind.SUB_REGION).order_by("kind", "name")
        return [(r.slug, r.name) for r in regions]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        reached = RegionReach.objects.filter(region__slug=self.value())
        return queryset.filter(pk__in=reached.values("initiative_id"))


@admin.register(Initiative)
class InitiativeAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "status",
        "publication_state",
        "start_date",
        "implementer_list",
        "topic_list",
        "updated_at",
    ]
    list_filter = [
        "publication_state",
        "status",
        RegionFilter,
        *(term_list_filter(dimension) for dimension in TERM_DIMENSIONS),
        "last_verified",
    ]
    search_fields = ["title", "summary", "slug", "participations__organisation__name"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["countries", "regions", "topics", "audiences", "modalities"]
    date_hierarchy = "start_date"
    inlines = [ParticipationInline, SourceRecordInline]
    actions = ["publish", "archive"]
    readonly_fields = ["created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "summary", "description", "website"]}),
        ("When", {"fields": ["status", ("start_date", "start_precision"), ("end_date", "end_precision")]}),
        ("Where and for whom", {"fields": ["countries", "regions", "topics", "audiences", "modalities", "keywords"]}),
        ("Money", {"fields": ["budget", "budget_max", "currency"], "classes": ["collapse"]}),
        ("Publication", {"fields": ["publication_state", "last_verified", "created_at", "updated_at"]}),
    ]

    def save_related(self, request, form, formsets, change):
        # Each many-to-many field and inline row changes the initiative again: refresh its
        # membership rows and search document once, at the end, inside the admin's transaction.
        with deferred_refresh():
            super().save_related(request, form, formsets, change)

    def get_queryset(self, request):
        # Two prefetches keep the changelist at a constant number of queries per page.
        return (
            super()
            .get_queryset(request)
            .prefetch_related(
                Prefetch(
                    "participations",
                    queryset=Participation.objects.filter(role=Participation.Role.IMPLEMENTER).select_related(
                        "organisation"
                    ),
                    to_attr="implementer_participations",
                ),
                "topics",
            )
        )

    @admin.display(description="implementers")
    def implementer_list(self, obj: Initiative) -> str:
        return ", ".join(p.organisation.acronym or p.organisation.name for p in obj.implementer_participations)

    @admin.display(description="topics")
    def topic_list(self, obj: Initiative) -> str:
        return ", ".join(t.name for t in obj.topics.all())

    def _set_state(self, request, queryset, state: str, verb: str) -> None:
        # One save per row, not update(): updated_at moves, search text stays fresh,
        # and each change is in the object's history, like an edit by hand.
        count = 0
        for initiative in queryset.exclude(publication_state=state):
            initiative.publication_state = state
            initiative.save(update_fields=["publication_state", "updated_at"])
            self.log_change(request, initiative, [{"changed": {"fields": ["Publication state"]}}])
            count += 1
        self.message_user(
            request,
            ngettext("%(count)d initiative %(verb)s.", "%(count)d initiatives %(verb)s.", count)
            % {"count": count, "verb": verb},
            messages.SUCCESS,
        )

    @admin.action(description="Publish selected initiatives", permissions=["change"])
    def publish(self, request, queryset):
        self._set_state(request, queryset, Initiative.PublicationState.PUBLISHED, "published")

    @admin.action(description="Archive selected initiatives", permissions=["change"])
    def archive(self, request, queryset):
        self._set_state(request, queryset, Initiative.PublicationState.ARCHIVED, "archived")


class OrganisationAliasInline(admin.TabularInline):
    model = OrganisationAlias
    extra = 1


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "acronym", "kind", "country", "initiative_count"]
    list_filter = ["kind", ("country", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["country"]
    search_fields = ["name", "acronym", "slug", "aliases__name"]
    inlines = [OrganisationAliasInline]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["country"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(initiative_total=Count("initiatives", distinct=True))

    @admin.display(description="initiatives", ordering="initiative_total")
    def initiative_count(self, obj: Organisation) -> int:
        return obj.initiative_total


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["name", "publisher", "licence", "record_count"]
    search_fields = ["name", "publisher", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["topics", "audiences", "regions"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(record_total=Count("records", distinct=True))

    @admin.display(description="records", ordering="record_total")
    def record_count(self, obj: Source) -> int:
        return obj.record_total


@admin.register(SourceRecord)
class SourceRecordAdmin(admin.ModelAdmin):
    list_display = ["initiative", "source", "external_id", "retrieved_on"]
    list_filter = ["source"]
    list_select_related = ["initiative", "source"]
    search_fields = ["external_id", "initiative__title"]
    autocomplete_fields = ["initiative", "source"]


@admin.register(Participation)
class ParticipationAdmin(admin.ModelAdmin):
    list_display = ["organisation", "role", "initiative"]
    list_filter = ["role"]
    list_select_related = ["organisation", "initiative"]
    search_fields = ["organisation__name", "organisation__acronym", "initiative__title"]
    autocomplete_fields = ["initiative", "organisation"]
