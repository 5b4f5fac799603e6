from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from initiatives import similarity
from initiatives.curation import CuratedAdmin, PublicationForm
from initiatives.membership import revision
from initiatives.models import Initiative
from insights.duplicates import latest_scan, open_pairs
from insights.models import DistinctPair, Merge, Need
from insights.needs import matching_initiatives, matching_url
from insights.services import MergeError, merge_initiatives, plan_merge, record_distinct

# --- needs


class NeedForm(PublicationForm):
    publish_permission = "insights.publish_need"

    def missing_for_publication(self) -> list[str]:
        return [] if self.cleaned_data.get("topics") else [_("a topic")]


@admin.register(Need)
class NeedAdmin(CuratedAdmin):
    form = NeedForm
    publish_permission = "insights.publish_need"
    actions = ["submit_for_review", "publish", "archive"]
    list_display = ["title", "place", "state", "publication_state", "illustrative", "stated_on", "updated_at"]
    list_filter = [
        "state",
        "publication_state",
        "illustrative",
        ("topics", admin.RelatedOnlyFieldListFilter),
        ("region", admin.RelatedOnlyFieldListFilter),
        ("country", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["country", "region"]
    search_fields = ["title", "slug", "description", "stated_in", "country__name", "region__name"]
    prepopulated_fields = {"slug": ["title"]}
    # The term menus offer only their vocabulary: the model's limit_choices_to, which autocomplete honours too.
    autocomplete_fields = ["country", "region", "topics", "audiences"]
    readonly_fields = ["matching", "publication_log", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "description"]}),
        ("Where and about what", {"fields": ["country", "region", "topics", "audiences"]}),
        ("Where it was stated", {"fields": ["stated_in", "stated_url", "stated_on"]}),
        ("Is it met?", {"fields": ["state", "matching"]}),
        (
            "Publication",
            {"fields": ["publication_state", "publication_log", "illustrative", "created_at", "updated_at"]},
        ),
    ]

    @admin.display(description="place", ordering="country__name")
    def place(self, obj: Need) -> str:
        return str(obj.place)

    def missing_for_publication(self, obj: Need) -> list[str]:
        return [] if obj.topics.exists() else [_("a topic")]

    @admin.display(description="matching initiatives")
    def matching(self, obj: Need) -> str:
        """What the public page shows: the ongoing published initiatives on its topics that reach its place."""
        if not obj.pk or not (obj.country_id or obj.region_id):
            return "Counted once the need is saved with its place and topics."
        count = matching_initiatives(obj).order_by().count()
        return format_html(
            '<a href="{}">{} ongoing published initiative{}</a> on its topics reach {}. {}',
            matching_url(obj),
            count,
            "" if count == 1 else "s",
            obj.place,
            "None: if the need is still open, it is a gap." if count == 0 else "",
        )


# --- duplicates and merges

PAIRS_PER_PAGE = 50
LARGEST_ID = 2**63 - 1  # the largest primary key SQLite and PostgreSQL (bigint) store
REVIEW = "initiatives.change_initiative"
MERGE = ["initiatives.change_initiative", "initiatives.delete_initiative"]
SET_APART = ["initiatives.change_initiative", "insights.add_distinctpair"]


def _names(items) -> str:
    return "; ".join(str(item) for item in items)


def _side(initiative: Initiative) -> dict[str, str]:
    """One column of the comparison: what a curator weighs, as text."""
    budget = ""
    if initiative.budget is not None:
        budget = f"{initiative.currency} {initiative.budget}" + (
            f" – {initiative.budget_max}" if initiative.budget_max is not None else ""
        )
    return {
        _("Title"): initiative.title,
        _("Address"): initiative.slug,
        _("Publication"): initiative.get_publication_state_display(),
        _("Status"): initiative.get_status_display(),
        _("Dates"): " – ".join(filter(None, [initiative.start_display, initiative.end_display])),
        _("Website"): initiative.website,
        _("Budget"): budget,
        _("Summary"): initiative.summary,
        _("Description"): initiative.description,
        _("Beneficiary countries"): _names(initiative.countries.all()),
        _("Beneficiary regions"): _names(initiative.regions.all()),
        _("Topics"): _names(initiative.topics.all()),
        _("Target users"): _names(initiative.audiences.all()),
        _("Modalities"): _names(initiative.modalities.all()),
        _("Implementers"): _names(initiative.implementers),
        _("Funders"): _names(initiative.funders),
        _("Partners"): _names(initiative.partners),
        _("Keywords"): _names(sorted(tag.name for tag in initiative.keywords.all())),
        _("Sources"): _names(initiative.source_records.all()),
        _("Last verified"): str(initiative.last_verified or ""),
        _("Updated"): f"{initiative.updated_at:%Y-%m-%d %H:%M}",
    }


@admin.register(Merge)
class MergeAdmin(admin.ModelAdmin):
    list_display = ["merged_title", "kept", "merged_by", "merged_at"]
    readonly_fields = ["kept", "merged_id", "merged_title", "merged_slug", "moved", "merged_by", "merged_at"]
    change_list_template = "admin/insights/merge/change_list.html"

    def has_add_permission(self, request):
        return False  # merges are made from the duplicates view, never typed in

    def get_urls(self):
        view = self.admin_site.admin_view
        pair = "duplicates/<int:first>-<int:second>/"
        return [
            path("duplicates/", view(self.duplicates_view), name="insights_merge_duplicates"),
            path(pair, view(self.compare_view), name="insights_merge_compare"),
            path(f"{pair}distinct/", view(self.distinct_view), name="insights_merge_distinct"),
            path(f"{pair}keep/<int:keep>/", view(self.merge_view), name="insights_merge_merge"),
            *super().get_urls(),
        ]

    def _context(self, request, title: str, **context) -> dict:
        return {**self.admin_site.each_context(request), "opts": self.model._meta, "title": title, **context}

    def _pair(self, request, first: int, second: int, *, related: bool = False):
        """Both initiatives of a pair, or None with a message when one is gone (merged or deleted meanwhile)."""
        queryset = Initiative.objects.with_related() if related else Initiative.objects.all()
        # An id beyond any primary key (typed into the address) is no initiative, not a database overflow.
        ids = [pk for pk in (first, second) if pk <= LARGEST_ID]
        found = queryset.in_bulk(ids) if ids else {}
        if first == second or len(found) < 2:
            messages.warning(
                request,
                _("This pair is no longer there: one of the initiatives was merged or deleted meanwhile."),
            )
            return None
        return found[first], found[second]

    def duplicates_view(self, request):
        """Candidate pairs, best first, with their score and reasons (initiatives.similarity)."""
        if not request.user.has_perm(REVIEW):
            raise PermissionDenied
        if request.method == "POST":
            result = latest_scan(again=True)
            messages.success(
                request,
                _("Scanned %(count)s initiatives in %(seconds).1f s.")
                % {"count": result.initiatives, "seconds": result.seconds},
            )
            return HttpResponseRedirect(request.get_full_path())
        result = latest_scan()
        pairs = open_pairs(result.pairs)
        only = request.GET.get("initiative", "")
        if only.isdigit():
            pairs = [p for p in pairs if int(only) in (p.first, p.second)]
        page = Paginator(pairs, PAIRS_PER_PAGE).get_page(request.GET.get("page"))
        shown = Initiative.objects.in_bulk([pk for p in page for pk in (p.first, p.second)])
        rows = [(p, shown[p.first], shown[p.second]) for p in page if p.first in shown and p.second in shown]
        context = self._context(
            request,
            _("Possible duplicates"),
            scan=result,
            stale=result.revision != revision(),
            page=page,
            rows=rows,
            count=len(pairs),
            only=only if only.isdigit() else "",
        )
        return TemplateResponse(request, "admin/insights/duplicates.html", context)

    def compare_view(self, request, first: int, second: int):
        if not request.user.has_perm(REVIEW):
            raise PermissionDenied
        if first > second:
            return HttpResponseRedirect(reverse("admin:insights_merge_compare", args=[second, first]))
        pair = self._pair(request, first, second, related=True)
        if pair is None:
            return HttpResponseRedirect(reverse("admin:insights_merge_duplicates"))
        left, right = pair
        corpus = similarity.Corpus.load()
        features = similarity.load_features([first, second], topics=corpus.topics)
        similarity.load_context(features, [first, second])
        match = similarity.score(features[first], features[second], corpus)
        a, b = _side(left), _side(right)
        context = self._context(
            request,
            _("Compare two initiatives"),
            left=left,
            right=right,
            match=match,
            rows=[(label, a[label], b[label], a[label] != b[label]) for label in a],
            distinct=DistinctPair.objects.filter(first=first, second=second).exists(),
            can_merge=request.user.has_perms(MERGE),
            can_set_apart=request.user.has_perms(SET_APART),
        )
        return TemplateResponse(request, "admin/insights/compare.html", context)

    def distinct_view(self, request, first: int, second: int):
        """Not duplicates: the pair is recorded and never offered again."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not request.user.has_perms(SET_APART):
            raise PermissionDenied
        pair = self._pair(request, min(first, second), max(first, second))
        if pair is not None:
            record_distinct(first=pair[0], second=pair[1], user=request.user)
            messages.success(
                request,
                _("“%(first)s” and “%(second)s” are recorded as distinct.") % {"first": pair[0], "second": pair[1]},
            )
        return HttpResponseRedirect(reverse("admin:insights_merge_duplicates"))

    def merge_view(self, request, first: int, second: int, keep: int):
        """GET: what the merge would move (a confirmation page). POST: merge."""
        if not request.user.has_perms(MERGE):
            raise PermissionDenied
        if keep not in (first, second):
            messages.warning(request, _("Choose one of the two initiatives to keep."))
            return HttpResponseRedirect(reverse("admin:insights_merge_duplicates"))
        pair = self._pair(request, min(first, second), max(first, second))
        if pair is None:
            return HttpResponseRedirect(reverse("admin:insights_merge_duplicates"))
        kept, other = pair if pair[0].pk == keep else pair[::-1]
        if request.method == "POST":
            try:
                merge = merge_initiatives(keep=kept, other=other, user=request.user)
            except MergeError as error:
                messages.warning(request, str(error))
                return HttpResponseRedirect(reverse("admin:insights_merge_duplicates"))
            self.log_change(request, kept, f"Merged “{merge.merged_title}” (#{merge.merged_id}) into it.")
            messages.success(
                request,
                format_html(
                    _('“{}” was merged into <a href="{}">{}</a>; its address now leads there.'),
                    merge.merged_title,
                    reverse("admin:initiatives_initiative_change", args=[kept.pk]),
                    kept,
                ),
            )
            return HttpResponseRedirect(reverse("admin:insights_merge_duplicates"))
        plan = plan_merge(keep=kept, other=other)
        context = self._context(
            request,
            _("Merge two initiatives"),
            kept=kept,
            other=other,
            first=min(first, second),
            second=max(first, second),
            moved=plan.moved(),
            duplicates=plan.duplicates(),
            fields=plan.fields,
            published=Initiative.PublicationState.PUBLISHED,
        )
        return TemplateResponse(request, "admin/insights/merge_confirm.html", context)


@admin.register(DistinctPair)
class DistinctPairAdmin(admin.ModelAdmin):
    list_display = ["first", "second", "decided_by", "decided_at"]
    readonly_fields = ["first", "second", "decided_by", "decided_at"]

    def has_add_permission(self, request):
        return False
