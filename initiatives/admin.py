from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from initiatives.curation import CuratedAdmin, PublicationForm
from initiatives.dimensions import TERM_DIMENSIONS, Dimension
from initiatives.membership import deferred_refresh
from initiatives.models import (
    VERIFIED_FOR,
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
from taxonomy.versioning import EditConflict, HistoryAdmin


class ParticipationInline(admin.TabularInline):
    model = Participation
    extra = 1
    autocomplete_fields = ["organisation"]


class InitiativeForm(PublicationForm):
    publish_permission = "initiatives.publish_initiative"

    def missing_for_publication(self) -> list[str]:
        data = self.cleaned_data
        return Initiative.missing_to_publish(
            summary=data.get("summary", ""),
            places=bool(data.get("countries")) or bool(data.get("regions")),
            topics=bool(data.get("topics")),
            participants=self.has_participants(),
        )

    def has_participants(self) -> bool:
        """Whether the initiative will have a participant once this save is through.

        The change form submits the participations inline with it: its rows, read here so that one
        message names everything missing (the inline validates the rows themselves). The revert form
        has no inline: the participants stay those stored.
        """
        prefix = Initiative._meta.get_field("participations").get_accessor_name()
        try:
            total = int(self.data[f"{prefix}-TOTAL_FORMS"])
        except (KeyError, ValueError):
            return self.instance.pk is not None and self.instance.participations.exists()
        return any(
            self.data.get(f"{prefix}-{index}-organisation") and not self.data.get(f"{prefix}-{index}-DELETE")
            for index in range(min(total, 1000))
        )


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


class VerificationFilter(admin.SimpleListFilter):
    title = "verification"
    parameter_name = "verified"

    def lookups(self, request, model_admin):
        return [("stale", "Not verified for 12 months (or never)"), ("recent", "Verified in the last 12 months")]

    def queryset(self, request, queryset):
        cutoff = timezone.localdate() - VERIFIED_FOR
        stale = Q(last_verified__isnull=True) | Q(last_verified__lt=cutoff)
        if self.value() == "stale":
            return queryset.filter(stale)
        if self.value() == "recent":
            return queryset.exclude(stale)
        return queryset


@admin.register(Initiative)
class InitiativeAdmin(CuratedAdmin):
    form = InitiativeForm
    publish_permission = "initiatives.publish_initiative"
    change_list_template = "admin/initiatives/initiative/change_list.html"
    list_display = [
        "title",
        "status",
        "publication_state",
        "start_date",
        "implementer_list",
        "topic_list",
        "verified",
        "updated_at",
    ]
    list_filter = [
        "publication_state",
        VerificationFilter,
        "status",
        RegionFilter,
        *(term_list_filter(dimension) for dimension in TERM_DIMENSIONS),
    ]
    search_fields = ["title", "summary", "slug", "participations__organisation__name"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["countries", "regions", "topics", "audiences", "modalities"]
    date_hierarchy = "start_date"
    inlines = [ParticipationInline, SourceRecordInline]
    actions = ["submit_for_review", "publish", "archive", "mark_verified"]
    readonly_fields = ["created_at", "updated_at", "publication_log"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "summary", "description", "website"]}),
        ("When", {"fields": ["status", ("start_date", "start_precision"), ("end_date", "end_precision")]}),
        ("Where and for whom", {"fields": ["countries", "regions", "topics", "audiences", "modalities", "keywords"]}),
        ("Money", {"fields": ["budget", "budget_max", "currency"], "classes": ["collapse"]}),
        (
            "Publication",
            {"fields": ["publication_state", "publication_log", "last_verified", "created_at", "updated_at"]},
        ),
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

    def missing_for_publication(self, obj: Initiative) -> list[str]:
        return obj.missing_for_publication()

    @admin.display(description="implementers")
    def implementer_list(self, obj: Initiative) -> str:
        return ", ".join(p.organisation.acronym or p.organisation.name for p in obj.implementer_participations)

    @admin.display(description="topics")
    def topic_list(self, obj: Initiative) -> str:
        return ", ".join(t.name for t in obj.topics.all())

    # --- freshness: one click marks an entry verified today

    def get_urls(self):
        verify = self.admin_site.admin_view(self.verify_view)
        return [path("<int:pk>/verify/", verify, name="initiatives_initiative_verify"), *super().get_urls()]

    @admin.display(description="last verified", ordering="last_verified")
    def verified(self, obj: Initiative) -> str:
        stale = obj.verification_is_stale
        when = obj.last_verified.isoformat() if obj.last_verified else "never"
        if not stale:
            return when
        # The button belongs to a form outside the changelist's own (forms cannot nest); see change_list.html.
        return format_html(
            '{} <button type="submit" form="verify-form" formaction="{}" class="button verify-button"'
            ' aria-label="Mark “{}” verified today">Verified today</button>',
            when,
            reverse("admin:initiatives_initiative_verify", args=[obj.pk]),
            obj.title,
        )

    def verify_view(self, request, pk: int):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        initiative = get_object_or_404(Initiative, pk=pk)
        if not super().has_change_permission(request):  # verifying changes no public text
            raise PermissionDenied
        self._mark_verified(request, Initiative.objects.filter(pk=initiative.pk))
        back = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
            back = reverse("admin:initiatives_initiative_changelist")
        return HttpResponseRedirect(back)

    def _mark_verified(self, request, queryset) -> int:
        today, count = timezone.localdate(), 0
        for initiative in queryset.exclude(last_verified=today):
            initiative.last_verified = today
            try:
                initiative.save(update_fields=["last_verified", "updated_at"])
            except EditConflict:
                self.message_user(request, _("“%s” changed meanwhile; try again.") % initiative, messages.WARNING)
                continue
            self.log_change(request, initiative, [{"changed": {"fields": ["Last verified"]}}])
            count += 1
        self.message_user(
            request,
            ngettext(
                "%(count)d initiative marked verified today.", "%(count)d initiatives marked verified today.", count
            )
            % {"count": count},
            messages.SUCCESS,
        )
        return count

    @admin.action(description="Mark selected initiatives verified today", permissions=["change"])
    def mark_verified(self, request, queryset):
        self._mark_verified(request, queryset)


class OrganisationAliasInline(admin.TabularInline):
    model = OrganisationAlias
    extra = 1


@admin.register(Organisation)
class OrganisationAdmin(CuratedAdmin):
    # An organisation in a published initiative is on the public site: an editor changes what it says.
    publish_permission = "initiatives.publish_initiative"
    list_display = ["name", "acronym", "kind", "country", "initiative_count"]
    list_filter = ["kind", ("country", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["country"]
    search_fields = ["name", "acronym", "slug", "aliases__name"]
    inlines = [OrganisationAliasInline]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["country"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(initiative_total=Count("initiatives", distinct=True))

    def is_public(self, obj: Organisation) -> bool:
        return Organisation.objects.public().filter(pk=obj.pk).exists()

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


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows that belong to an initiative: listed and searched here, changed only in the initiative's form.

    There its publication rules and its version check apply; a second way in would bypass both.
    """

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SourceRecord)
class SourceRecordAdmin(ReadOnlyAdmin):
    list_display = ["initiative", "source", "external_id", "retrieved_on"]
    list_filter = ["source"]
    list_select_related = ["initiative", "source"]
    search_fields = ["external_id", "initiative__title"]
    autocomplete_fields = ["initiative", "source"]


@admin.register(Participation)
class ParticipationAdmin(ReadOnlyAdmin, HistoryAdmin):
    list_display = ["organisation", "role", "initiative"]
    list_filter = ["role"]
    list_select_related = ["organisation", "initiative"]
    search_fields = ["organisation__name", "organisation__acronym", "initiative__title"]
    autocomplete_fields = ["initiative", "organisation"]
