from django.contrib import admin

from insights.models import DistinctPair, Merge, Need

# --- needs


@admin.register(Need)
class NeedAdmin(admin.ModelAdmin):
    list_display = ["title", "country", "region", "state", "publication_state", "stated_on"]
    list_filter = ["state", "publication_state", "illustrative"]
    search_fields = ["title", "description", "stated_in"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["country", "region"]
    filter_horizontal = ["topics", "audiences"]


# --- duplicates and merges


@admin.register(Merge)
class MergeAdmin(admin.ModelAdmin):
    list_display = ["merged_title", "kept", "merged_by", "merged_at"]
    readonly_fields = ["kept", "merged_id", "merged_title", "merged_slug", "moved", "merged_by", "merged_at"]

    def has_add_permission(self, request):
        return False  # merges are made from the duplicates view, never typed in


@admin.register(DistinctPair)
class DistinctPairAdmin(admin.ModelAdmin):
    list_display = ["first", "second", "decided_by", "decided_at"]
    readonly_fields = ["first", "second", "decided_by", "decided_at"]

    def has_add_permission(self, request):
        return False
