import re
from collections.abc import Iterable, Iterator

from django.contrib import admin
from django.db.models import Case, Count, IntegerField, QuerySet, Value, When
from django.db.models.functions import Lower

from taxonomy.models import Country, CountryAlias, Region, RegionAlias, Term, TermAlias, Vocabulary
from taxonomy.reconcile import normalise
from taxonomy.versioning import VersionedAdmin

BRACKETED_CODE_RE = re.compile(r"\(([^()\s]+)\)\s*$")  # "... West African States (ECOWAS)"


def rank_by_name(term: str, entries: Iterable[tuple[object, list[str], list[str]]]) -> dict[object, int]:
    """The keys of the entries that `term` finds, with how well: 0 a code, 1 a name's start, 2 a word's, 3 inside.

    Each entry is (key, codes, names). Names are compared folded (lower case, no accents, punctuation as
    spaces), so "Nigéria", "nigeria" and "cote d'ivoire" find what they mean whichever language they are in.
    """
    code, needle = term.strip().casefold(), normalise(term)
    if not needle:
        return {}
    found = {}
    for key, codes, names in entries:
        folded = [normalise(name) for name in names]
        if code in (c.casefold() for c in codes if c):
            found[key] = 0
        elif any(name.startswith(needle) for name in folded):
            found[key] = 1
        elif any(f" {needle}" in f" {name}" for name in folded):
            found[key] = 2
        elif any(needle in name for name in folded):
            found[key] = 3
    return found


def ranked(queryset: QuerySet, ranks: dict[object, int]) -> QuerySet:
    """The rows of `ranks`, best first, then by name (the autocomplete keeps this order; a changelist sorts its own)."""
    by_rank: dict[int, list] = {}
    for key, rank in ranks.items():
        by_rank.setdefault(rank, []).append(key)
    order = Case(
        *(When(pk__in=keys, then=Value(rank)) for rank, keys in sorted(by_rank.items())),
        default=Value(9),
        output_field=IntegerField(),
    )
    return queryset.filter(pk__in=list(ranks)).order_by(order, Lower("name"), "pk")


class RankedSearchAdmin(admin.ModelAdmin):
    """Search (and so every autocomplete pointing here) by code or by any name, best matches first.

    The reference tables hold a few hundred rows: folding their names in Python is cheaper than
    teaching both databases to ignore accents, and it ranks "NG" -> Nigeria above Angola.
    """

    def search_entries(self) -> Iterator[tuple[object, list[str], list[str]]]:
        raise NotImplementedError

    def get_search_results(self, request, queryset, search_term):
        if not search_term.strip():
            return super().get_search_results(request, queryset, search_term)
        return ranked(queryset, rank_by_name(search_term, self.search_entries())), False


def aliases_by_key(rows) -> dict[object, list[str]]:
    aliases: dict[object, list[str]] = {}
    for key, name in rows:
        aliases.setdefault(key, []).append(name)
    return aliases


class RegionAliasInline(admin.TabularInline):
    model = RegionAlias
    extra = 1


class CountryAliasInline(admin.TabularInline):
    model = CountryAlias
    extra = 1


@admin.register(Region)
class RegionAdmin(RankedSearchAdmin, VersionedAdmin):
    list_display = ["name", "name_fr", "name_es", "kind", "parent", "m49", "member_count"]
    list_filter = ["kind"]
    list_select_related = ["parent"]
    search_fields = ["name", "name_fr", "name_es", "slug", "m49", "aliases__name"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent", "members"]
    inlines = [RegionAliasInline]

    ordering = [Lower("name")]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(member_total=Count("members", distinct=True))

    def search_entries(self):
        aliases = aliases_by_key(RegionAlias.objects.values_list("region_id", "name"))
        for region in Region.objects.all():
            # Its slug, M49 code and the acronym its name ends with ("ECOWAS", "EU") are its codes.
            acronym = BRACKETED_CODE_RE.search(region.name)
            codes = [region.slug, region.m49, acronym.group(1) if acronym else ""]
            yield region.pk, codes, [*region.names(), *aliases.get(region.pk, [])]

    @admin.display(description="members", ordering="member_total")
    def member_count(self, obj: Region) -> int:
        return obj.member_total


@admin.register(Country)
class CountryAdmin(RankedSearchAdmin):
    list_display = ["name", "name_fr", "name_es", "iso2", "iso3", "m49", "region"]
    list_filter = [("region", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["region"]
    search_fields = ["name", "name_fr", "name_es", "iso2", "iso3", "m49", "aliases__name"]
    autocomplete_fields = ["region"]
    inlines = [CountryAliasInline]
    ordering = [Lower("name")]

    def search_entries(self):
        aliases = aliases_by_key(CountryAlias.objects.values_list("country_id", "name"))
        for country in Country.objects.all():
            names = [*country.names(), *aliases.get(country.pk, [])]
            yield country.pk, [country.iso2, country.iso3, country.m49], names


@admin.register(RegionAlias)
class RegionAliasAdmin(admin.ModelAdmin):
    list_display = ["name", "scheme", "region"]
    list_filter = ["scheme", "region__kind"]
    list_select_related = ["region"]
    search_fields = ["name", "region__name", "region__name_fr", "region__name_es", "region__slug"]
    autocomplete_fields = ["region"]


@admin.register(CountryAlias)
class CountryAliasAdmin(admin.ModelAdmin):
    list_display = ["name", "scheme", "country"]
    list_filter = ["scheme"]
    list_select_related = ["country"]
    search_fields = ["name", "country__name", "country__name_fr", "country__name_es", "country__iso2"]
    autocomplete_fields = ["country"]


class TermAliasInline(admin.TabularInline):
    model = TermAlias
    extra = 1


@admin.register(Vocabulary)
class VocabularyAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


@admin.register(Term)
class TermAdmin(VersionedAdmin):
    list_display = ["name", "name_fr", "name_es", "vocabulary", "parent", "order"]
    list_filter = ["vocabulary"]
    list_select_related = ["vocabulary", "parent"]
    list_editable = ["order"]
    search_fields = ["name", "name_fr", "name_es", "slug", "aliases__name"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent"]
    inlines = [TermAliasInline]


@admin.register(TermAlias)
class TermAliasAdmin(admin.ModelAdmin):
    list_display = ["name", "scheme", "term", "vocabulary"]
    list_filter = ["scheme", "term__vocabulary"]
    list_select_related = ["term__vocabulary"]
    search_fields = ["name", "term__name", "term__name_fr", "term__name_es"]
    autocomplete_fields = ["term"]

    @admin.display(ordering="term__vocabulary__name")
    def vocabulary(self, obj: TermAlias) -> Vocabulary:
        return obj.term.vocabulary
