from django.contrib import admin
from django.db.models import Count

from taxonomy.models import Country, CountryAlias, Region, RegionAlias, Term, TermAlias, Vocabulary
from taxonomy.versioning import VersionedAdmin


class RegionAliasInline(admin.TabularInline):
    model = RegionAlias
    extra = 1


class CountryAliasInline(admin.TabularInline):
    model = CountryAlias
    extra = 1


@admin.register(Region)
class RegionAdmin(VersionedAdmin):
    list_display = ["name", "name_fr", "name_es", "kind", "parent", "m49", "member_count"]
    list_filter = ["kind"]
    list_select_related = ["parent"]
    search_fields = ["name", "name_fr", "name_es", "slug", "m49", "aliases__name"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent", "members"]
    inlines = [RegionAliasInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(member_total=Count("members", distinct=True))

    @admin.display(description="members", ordering="member_total")
    def member_count(self, obj: Region) -> int:
        return obj.member_total


@admin.register(Country)
class CountryAdmin(admin.ModelAdmin):
    list_display = ["name", "name_fr", "name_es", "iso2", "iso3", "m49", "region"]
    list_filter = [("region", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["region"]
    search_fields = ["name", "name_fr", "name_es", "iso2", "iso3", "m49", "aliases__name"]
    autocomplete_fields = ["region"]
    inlines = [CountryAliasInline]


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
