from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Lower
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from initiatives.curation import CuratedAdmin, PublicationForm
from initiatives.dimensions import DIMENSIONS, Dimension
from initiatives.membership import deferred_refresh
from initiatives.models import (
    VERIFIED_FOR,
    FootprintCountry,
    Initiative,
    Organisation,
    OrganisationAlias,
    Participation,
    RegionReach,
    Source,
    SourceRecord,
    TermMembership,
)
from initiatives.search import WORD_RE, named_in, search, words_of
from taxonomy.admin import BRACKETED_CODE_RE
from taxonomy.models import Country, Region, Term
from taxonomy.versioning import EditConflict, HistoryAdmin

SHOWN_PLACES = 3  # a changelist cell names this many places or terms, then "+N"
SHOWN_TERMS = 1
lower_lazy = lazy(lambda text: str(text).lower(), str)


def changelist_search(queryset: QuerySet, term: str) -> QuerySet:
    """The initiatives a curator's search finds: what the public search finds, and the places it names.

    Each initiative's search document (initiatives.membership) already holds its title, summary,
    organisations' names and acronyms, keywords, and its own countries' and regions' names in three
    languages, folded. On top of that: a country or region named in the query ("Nigéria", "Afrique
    de l'Ouest") or an ISO code ("NG", "KEN") finds every initiative whose footprint reaches it (an
    ECOWAS programme for "Nigeria"), with any other words of the query still required. Whole words
    only, so "NG" is Nigeria and never the "ng" of "training"; a title substring counts from four
    characters. An initiative's slug finds that initiative alone.
    """
    words = words_of(term)
    if not words:
        return queryset.none()
    slug = term.strip().lower()
    if "-" in slug and queryset.filter(slug=slug).exists():
        return queryset.filter(slug=slug)  # pasted from a page's address: that entry, not its words' matches
    everything = Initiative.objects.all()
    found = Q(pk__in=search(everything, term).values("pk")) | Q(slug=slug)
    if len(term.strip()) >= 4:
        found |= Q(title__icontains=term.strip())
    places = _places_named(term, words)
    if places:
        reaching = Q()
        for reaches_one in places.values():  # each place named is required, as each word is
            reaching &= reaches_one
        rest = [word for index, word in enumerate(words) if not any(index in span for span in places)]
        if rest:
            reaching &= Q(pk__in=search(everything, " ".join(rest)).values("pk"))
        found |= reaching
    return queryset.filter(found)


def _places_named(term: str, words: list[str]) -> dict[tuple[int, ...], Q]:
    """For each run of words naming places (their positions in `words`): initiatives reaching one of them."""
    countries: dict[tuple[int, ...], set[str]] = {}
    regions: dict[tuple[int, ...], set[str]] = {}
    for named in named_in(term):
        if named.parameter not in ("country", "region"):
            continue
        start = words.index(named.words[0])
        span = tuple(range(start, start + len(named.words)))
        (countries if named.parameter == "country" else regions).setdefault(span, set()).add(named.value)
    # ISO codes: the whole query ("ng"), or a word typed in capitals ("NG cybercrime"); a lower-case
    # "in" or "to" in a sentence is a word, not India or Tonga.
    typed = WORD_RE.findall(term)
    codes = {
        index: word.upper()
        for index, word in enumerate(typed)
        if len(word) in (2, 3) and word.isalpha() and (word.isupper() or len(typed) == 1) and index < len(words)
    }
    if codes:
        by_code = {}
        for iso2, iso3 in Country.objects.filter(Q(iso2__in=codes.values()) | Q(iso3__in=codes.values())).values_list(
            "iso2", "iso3"
        ):
            by_code[iso2] = by_code[iso3] = iso2
        for index, code in codes.items():
            if code in by_code and not any(index in span for span in countries | regions):
                countries.setdefault((index,), set()).add(by_code[code])
    places: dict[tuple[int, ...], Q] = {}
    for span in countries.keys() | regions.keys():
        serving = FootprintCountry.objects.filter(country_id__in=countries.get(span, set()))
        meeting = RegionReach.objects.filter(region__slug__in=regions.get(span, set()))
        places[span] = Q(pk__in=serving.values("initiative_id")) | Q(pk__in=meeting.values("initiative_id"))
    return places


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


class CountryFilter(admin.SimpleListFilter):
    """Initiatives whose footprint includes the country, as ?country= on the public list.

    The options are the countries some initiative names (a few dozen); any other ISO code still
    works in the URL, for a country reached only through a region.
    """

    dimension: Dimension

    def lookups(self, request, model_admin):
        named = Country.objects.filter(pk__in=Initiative.countries.through.objects.values("country_id"))
        named = named.order_by(Lower("name"))
        return [(country.iso2, country.name) for country in named]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        serving = FootprintCountry.objects.filter(country_id=self.value().upper())
        return queryset.filter(pk__in=serving.values("initiative_id"))


class OrganisationFilter(admin.SimpleListFilter):
    """Initiatives an organisation takes part in with the dimension's role (only those in the role are offered)."""

    dimension: Dimension

    def lookups(self, request, model_admin):
        in_role = Participation.objects.filter(role=self.dimension.role).values("organisation_id")
        in_role = Organisation.objects.filter(pk__in=in_role)
        options = [(o.slug, o.acronym or o.name) for o in in_role.only("slug", "acronym", "name")]
        return sorted(options, key=lambda option: option[1].casefold())

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        rows = Participation.objects.filter(role=self.dimension.role, organisation__slug=self.value())
        return queryset.filter(pk__in=rows.values("initiative_id"))


class SourceFilter(admin.SimpleListFilter):
    """Initiatives recorded by another mapping; only mappings with records are offered."""

    dimension: Dimension

    def lookups(self, request, model_admin):
        recorded = Source.objects.filter(pk__in=SourceRecord.objects.values("source_id")).order_by(Lower("name"))
        return [(source.slug, source.name) for source in recorded]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        rows = SourceRecord.objects.filter(source__slug=self.value())
        return queryset.filter(pk__in=rows.values("initiative_id"))


FILTER_FOR_KIND = {
    "region": RegionFilter,
    "country": CountryFilter,
    "term": TermListFilter,
    "organisation": OrganisationFilter,
    "source": SourceFilter,
}


def dimension_filters() -> list:
    """The changelist's filters, one per dimension of initiatives.dimensions, with the public list's parameters."""
    filters: list = []
    for dimension in DIMENSIONS:
        if dimension.kind == "status":
            filters.append("status")
        elif dimension.kind in FILTER_FOR_KIND:  # the year has the date hierarchy instead
            title = lower_lazy(dimension.label)
            attributes = {"title": title, "parameter_name": dimension.name, "dimension": dimension}
            filters.append(type(f"{dimension.name.title()}Filter", (FILTER_FOR_KIND[dimension.kind],), attributes))
    return filters


def short_name(region: Region) -> str:
    """The acronym a region's name ends with ("ECOWAS"), else its name."""
    acronym = BRACKETED_CODE_RE.search(region.name)
    return acronym.group(1) if acronym else region.name


def abbreviated(shown: list[str], full: list[str], limit: int = SHOWN_PLACES) -> str:
    """The first `limit` values and "+N" for the others; every value, in full, in the tooltip."""
    if not shown:
        return "–"
    more = len(shown) - limit
    text = ", ".join(shown[:limit]) + (f" +{more}" if more > 0 else "")
    return format_html('<span title="{}">{}</span>', "; ".join(full), text)


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
    # Fits 1280 px beside the navigation and the filters: long values are cut to a line or two, whole in
    # their tooltip. Who implements and funds is a filter and a search term rather than a column.
    list_display = ["title_cell", "state", "places", "topic_list", "verified", "updated"]
    list_filter = ["publication_state", VerificationFilter, *dimension_filters()]
    # Only shows the search box: get_search_results does the searching.
    search_fields = ["title"]
    search_help_text = gettext_lazy(
        "Finds words of the title, summary and keywords, organisations by name or acronym, and places by "
        "name in any language or by ISO code (NG), with every initiative reaching them."
    )
    ordering = [Lower("title")]  # "eSkills" among the E's, not after "Zambia"
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
        # One prefetch per column listing related rows: a constant number of queries per page.
        return (
            super()
            .get_queryset(request)
            .prefetch_related(
                "topics",
                "countries",
                "regions",
            )
        )

    def get_search_results(self, request, queryset, search_term):
        if not search_term.strip():
            return queryset, False
        return changelist_search(queryset, search_term), False  # semi-joins only: no row repeats

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "summary":  # 500 characters: a few lines to read it whole while editing
            kwargs["widget"] = forms.Textarea(attrs={"rows": 3, "class": "vLargeTextField"})
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def missing_for_publication(self, obj: Initiative) -> list[str]:
        return obj.missing_for_publication()

    @admin.display(description=gettext_lazy("title"), ordering=Lower("title"))
    def title_cell(self, obj: Initiative) -> str:
        # Cut to two lines by admin.css; the whole title on hover.
        return format_html('<span class="clamp" title="{}">{}</span>', obj.title, obj.title)

    @admin.display(description=gettext_lazy("state"), ordering="publication_state")
    def state(self, obj: Initiative) -> str:
        return format_html(
            '<span class="state state-{}">{}</span>', obj.publication_state, obj.get_publication_state_display()
        )

    @admin.display(description=gettext_lazy("places"))
    def places(self, obj: Initiative) -> str:
        """Regions by their short name ("ECOWAS"), then country codes: "ECOWAS, NG, GH +3"."""
        regions = sorted(obj.regions.all(), key=lambda region: region.name)
        countries = sorted(obj.countries.all(), key=lambda country: country.iso2)
        short = [short_name(region) for region in regions] + [country.iso2 for country in countries]
        return abbreviated(short, [region.name for region in regions] + [country.name for country in countries])

    @admin.display(description="topics")
    def topic_list(self, obj: Initiative) -> str:
        names = [term.name for term in obj.topics.all()]
        return abbreviated(names, names, SHOWN_TERMS)

    @admin.display(description=gettext_lazy("updated"), ordering="updated_at")
    def updated(self, obj: Initiative) -> str:
        return timezone.localtime(obj.updated_at).date().isoformat()

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
    list_display = ["name_cell", "acronym", "kind", "country", "initiative_count"]
    list_filter = ["kind", ("country", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["country"]
    search_fields = ["name", "name_fr", "name_es", "acronym", "slug", "aliases__name"]
    inlines = [OrganisationAliasInline]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["country"]
    ordering = [Lower("name")]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(initiative_total=Count("initiatives", distinct=True))

    def get_search_results(self, request, queryset, search_term):
        """Django's search, the best matches first for the autocomplete: the acronym, then a name's start.

        Organisations can be thousands, so this ranks in SQL (case-insensitive, not accent-insensitive),
        where the few hundred places and terms are ranked in Python (taxonomy.admin.rank_by_name).
        """
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        if not term:
            return queryset, may_have_duplicates
        names = ("name", "name_fr", "name_es")
        starts = Q()
        for name in names:
            starts |= Q(**{f"{name}__istartswith": term})
        rank = Case(
            When(acronym__iexact=term, then=Value(0)),
            When(starts, then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        )
        return queryset.annotate(search_rank=rank).order_by("search_rank", Lower("name"), "pk"), may_have_duplicates

    @admin.display(description="name", ordering=Lower("name"))
    def name_cell(self, obj: Organisation) -> str:
        return obj.name

    def is_public(self, obj: Organisation) -> bool:
        return Organisation.objects.public().filter(pk=obj.pk).exists()

    @admin.display(description="initiatives", ordering="initiative_total")
    def initiative_count(self, obj: Organisation) -> int:
        return obj.initiative_total


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["name", "publisher", "licence", "record_count"]
    search_fields = ["name", "publisher", "slug"]
    ordering = [Lower("name")]
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
