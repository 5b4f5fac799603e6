"""Imports in the admin: upload, preview (a dry run), teach unknown words as aliases, confirm.
Suggestions from the public: review, accept (as an initiative in review) or decline."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from exchange import suggestions
from exchange.importing import ImportRejected, Options, Report, apply_import, plan_import
from exchange.models import ImportBatch, ImportedRow, Suggestion
from exchange.tables import UnreadableFile, decode, parse_column_map, read_table
from initiatives.models import Source
from taxonomy.models import Country, CountryAlias, Region, RegionAlias, Term, TermAlias, Vocabulary

PLACE_KINDS = {"countries", "regions"}
VOCABULARY_OF_KIND = {"topics": Vocabulary.TOPIC, "audiences": Vocabulary.AUDIENCE, "modalities": Vocabulary.MODALITY}
MAX_PROBLEMS_SHOWN = 500


class UploadForm(forms.Form):
    file = forms.FileField(help_text="CSV (comma, semicolon or tab separated) or JSON Lines (.jsonl), UTF-8.")
    source = forms.ModelChoiceField(Source.objects.all(), help_text="The mapping the file comes from.")
    columns = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text='Only for headers we do not recognise: "Project name=title; Donor=funders" or a JSON object.',
    )
    month_first = forms.BooleanField(required=False, label="Dates are month first (1/10/2017 is 10 January)")
    skip_invalid = forms.BooleanField(required=False, label="Import the valid rows even if some are invalid")
    publish = forms.BooleanField(required=False, label="Publish at once (otherwise new initiatives go to review)")

    def clean_columns(self):
        text = self.cleaned_data["columns"].strip()
        if not text:
            return None
        try:
            return parse_column_map(text)
        except UnreadableFile as error:
            raise forms.ValidationError(str(error)) from None


def _options(batch: ImportBatch) -> Options:
    saved = batch.options
    return Options(
        publish=saved.get("publish", False),
        skip_invalid=saved.get("skip_invalid", False),
        day_first=saved.get("day_first", True),
        columns=saved.get("columns"),
    )


def _plan(batch: ImportBatch):
    table = read_table(batch.content.encode(), batch.file_name)
    return plan_import(table, source=batch.source, options=_options(batch))


def _choices(kind: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """What an unplaced word may be taught as, in groups: places for place columns, else the vocabulary's terms."""
    if kind in PLACE_KINDS:
        return [
            ("Regions", [(f"region:{pk}", name) for pk, name in Region.objects.values_list("pk", "name")]),
            ("Countries", [(f"country:{pk}", name) for pk, name in Country.objects.values_list("pk", "name")]),
        ]
    terms = Term.objects.of(VOCABULARY_OF_KIND[kind]).values_list("pk", "name")
    return [("Terms", [(f"term:{pk}", name) for pk, name in terms])]


class ImportedRowInline(admin.TabularInline):
    model = ImportedRow
    extra = 0
    can_delete = False
    fields = ["row_number", "action", "initiative", "external_id", "url"]
    readonly_fields = fields
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = ["file_name", "source", "state", "summary", "created_by", "created_at"]
    list_filter = ["state", "source"]
    list_select_related = ["source", "created_by"]
    search_fields = ["file_name", "source__name"]
    inlines = [ImportedRowInline]
    readonly_fields = ["file_name", "source", "state", "created_by", "created_at", "applied_at", "options"]
    exclude = ["content", "report"]

    @admin.display(description="rows")
    def summary(self, obj: ImportBatch) -> str:
        report = obj.report or {}
        return (
            f"{report.get('created', 0)} new, {report.get('updated', 0)} updated, "
            f"{report.get('matched', 0)} matched, {report.get('rejected', 0)} rejected"
        )

    def get_urls(self):
        return [
            path("upload/", self.admin_site.admin_view(self.upload_view), name="exchange_importbatch_upload"),
            path(
                "<int:pk>/preview/",
                self.admin_site.admin_view(self.preview_view),
                name="exchange_importbatch_preview",
            ),
            *super().get_urls(),
        ]

    def add_view(self, request, form_url="", extra_context=None):
        return HttpResponseRedirect(reverse("admin:exchange_importbatch_upload"))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        batch = self.get_object(request, object_id)
        if batch is not None and batch.state == ImportBatch.State.PREVIEWED:
            return HttpResponseRedirect(reverse("admin:exchange_importbatch_preview", args=[batch.pk]))
        return super().change_view(request, object_id, form_url, extra_context)

    def has_delete_permission(self, request, obj=None):
        # An applied import is the provenance of what it wrote (and tells later imports what it created).
        if obj is not None and obj.state == ImportBatch.State.APPLIED:
            return False
        return super().has_delete_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return (
            False
            if obj is not None and obj.state != ImportBatch.State.PREVIEWED
            else super().has_change_permission(request, obj)
        )

    def upload_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = UploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            data = upload.read()
            text, _notes = decode(data)
            batch = ImportBatch(
                source=form.cleaned_data["source"],
                file_name=upload.name[:255],
                content=text,
                options={
                    "publish": form.cleaned_data["publish"],
                    "skip_invalid": form.cleaned_data["skip_invalid"],
                    "day_first": not form.cleaned_data["month_first"],
                    "columns": form.cleaned_data["columns"],
                },
                created_by=request.user,
            )
            try:
                plan = _plan(batch)
            except UnreadableFile as error:
                form.add_error("file", str(error))
            else:
                batch.report = plan.report.as_dict()
                batch.save()
                return HttpResponseRedirect(reverse("admin:exchange_importbatch_preview", args=[batch.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Import initiatives from another mapping",
            "form": form,
        }
        return TemplateResponse(request, "admin/exchange/upload.html", context)

    def preview_view(self, request, pk: int):
        batch = get_object_or_404(ImportBatch.objects.select_related("source"), pk=pk)
        if batch.state != ImportBatch.State.PREVIEWED:
            return HttpResponseRedirect(reverse("admin:exchange_importbatch_change", args=[batch.pk]))
        if not self.has_add_permission(request):
            raise PermissionDenied
        if request.method == "POST":
            if "learn" in request.POST:
                learned = self.learn_aliases(request, batch)
                batch.report = _plan(batch).report.as_dict()
                batch.save(update_fields=["report"])
                messages.success(request, f"{learned} word(s) remembered as aliases; the preview is updated.")
            elif "apply" in request.POST:
                return self.apply(request, batch)
            elif "discard" in request.POST:
                batch.state = ImportBatch.State.REJECTED
                batch.save(update_fields=["state"])
                messages.info(request, "Import discarded: nothing was written.")
                return HttpResponseRedirect(reverse("admin:exchange_importbatch_changelist"))
            return HttpResponseRedirect(request.path)
        report = Report.from_dict(batch.report)
        unplaced = report.unplaced()
        choices = {kind: _choices(kind) for kind in {word.kind for word in unplaced}}  # per kind, not per word
        words = [
            {"problem": word, "field": f"alias-{n}", "choices": choices[word.kind]} for n, word in enumerate(unplaced)
        ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Preview: {batch.file_name}",
            "batch": batch,
            "report": report,
            "problems": report.problems[:MAX_PROBLEMS_SHOWN],
            "more_problems": max(0, len(report.problems) - MAX_PROBLEMS_SHOWN),
            "words": words,
            "can_apply": report.rows > report.rejected and (not report.rejected or batch.options.get("skip_invalid")),
        }
        return TemplateResponse(request, "admin/exchange/preview.html", context)

    def learn_aliases(self, request, batch: ImportBatch) -> int:
        """Each unplaced word mapped to a place or a term becomes an alias in the source's scheme."""
        # Each choice names its word (a hidden field beside it), so a form sent twice, or from an older
        # preview, never teaches one word as another; only words still unplaced are taught.
        unplaced = {(word.kind, word.value) for word in Report.from_dict(batch.report).unplaced()}
        scheme = batch.source.name[:80]
        learned = 0
        with transaction.atomic():
            for field, choice in request.POST.items():
                n = field.removeprefix("alias-")
                word = (request.POST.get(f"kind-{n}", ""), request.POST.get(f"word-{n}", ""))
                kind, _, pk = choice.partition(":")
                if not field.startswith("alias-") or word not in unplaced or not pk:
                    continue
                name = word[1][:200]
                taught = {"name__iexact": name, "scheme": scheme, "defaults": {"name": name}}
                if kind == "region" and pk.isdigit() and Region.objects.filter(pk=pk).exists():
                    RegionAlias.objects.get_or_create(region_id=pk, **taught)
                elif kind == "country" and Country.objects.filter(pk=pk).exists():
                    CountryAlias.objects.get_or_create(country_id=pk, **taught)
                elif kind == "term" and pk.isdigit() and Term.objects.filter(pk=pk).exists():
                    TermAlias.objects.get_or_create(term_id=pk, **taught)
                else:
                    continue
                unplaced.discard(word)
                learned += 1
        return learned

    def apply(self, request, batch: ImportBatch):
        try:
            with transaction.atomic():
                batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
                if batch.state != ImportBatch.State.PREVIEWED:  # a second click, or another curator
                    messages.warning(request, "This import was already applied or discarded.")
                    return HttpResponseRedirect(reverse("admin:exchange_importbatch_change", args=[batch.pk]))
                report = apply_import(_plan(batch), batch=batch)
        except ImportRejected as rejected:
            batch.report = rejected.report.as_dict()
            batch.save(update_fields=["report"])
            messages.error(request, f"{rejected} Map the unknown words below, or upload again with "
                           "“Import the valid rows”.")  # fmt: skip
            return HttpResponseRedirect(reverse("admin:exchange_importbatch_preview", args=[batch.pk]))
        batch.applied_at = batch.applied_at or timezone.now()
        messages.success(
            request,
            f"Imported: {report.created} created, {report.updated} updated, {report.matched} matched, "
            f"{report.unchanged} unchanged, {report.rejected} rejected.",
        )
        return HttpResponseRedirect(reverse("admin:exchange_importbatch_change", args=[batch.pk]))


class SuggestionStateFilter(admin.SimpleListFilter):
    """By state, the ones in review unless another state (or all) is chosen: what editors come for."""

    title = "state"
    parameter_name = "state"
    ALL = "all"

    def lookups(self, request, model_admin):
        return [*Suggestion.State.choices, (self.ALL, "All")]

    def queryset(self, request, queryset):
        value = self.value() or Suggestion.State.PENDING
        return queryset if value == self.ALL else queryset.filter(state=value)

    def choices(self, changelist):
        selected = self.value() or Suggestion.State.PENDING
        for value, label in self.lookup_choices:
            yield {
                "selected": selected == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }


@admin.register(Suggestion)
class SuggestionAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "subject", "state", "reviewed_by"]
    list_display_links = ["created_at"]
    list_filter = [SuggestionStateFilter, "kind"]
    list_select_related = ["initiative", "created_initiative", "reviewed_by"]
    search_fields = ["title", "message", "where", "who", "initiative__title"]
    date_hierarchy = "created_at"
    actions = ["create_initiatives", "mark_accepted", "decline"]
    fieldsets = [
        (None, {"fields": ["kind", "initiative", "title", "website", "where", "who", "message"]}),
        ("Sender (never shown on the portal)", {"fields": ["name", "email", "client_hash"]}),
        ("Review", {"fields": ["state", "created_at", "reviewed_at", "reviewed_by", "created_initiative"]}),
    ]
    # What the visitor sent stays as sent; the actions record the decision (state, by whom, when).
    readonly_fields = [field for _, options in fieldsets for field in options["fields"]]

    def has_add_permission(self, request):
        return False  # suggestions come from the public forms

    def has_accept_permission(self, request) -> bool:
        return self.has_change_permission(request) and request.user.has_perm("initiatives.add_initiative")

    @admin.display(description="suggestion", ordering="title")
    def subject(self, obj: Suggestion):
        about = obj.created_initiative or obj.initiative
        if about is None:
            return obj.title or "–"
        link = format_html(
            '<a href="{}">{}</a>', reverse("admin:initiatives_initiative_change", args=[about.pk]), about.title
        )
        if obj.kind == Suggestion.Kind.CORRECTION:
            return format_html("Correction to {}", link)
        return link

    def changelist_view(self, request, extra_context=None):
        pending = Suggestion.objects.filter(state=Suggestion.State.PENDING).count()
        return super().changelist_view(request, {"title": f"Suggestions: {pending} in review", **(extra_context or {})})

    @admin.action(description="Accept: create an initiative in review", permissions=["accept"])
    def create_initiatives(self, request, queryset):
        created, refused = [], []
        for suggestion in queryset.select_related("initiative"):
            try:
                created.append(suggestions.accept_as_initiative(suggestion=suggestion, reviewer=request.user))
            except suggestions.NotAcceptable as reason:
                refused.append(f"{suggestion}: {reason}")
        if created:
            links = format_html_join(
                ", ",
                '<a href="{}">{}</a>',
                ((reverse("admin:initiatives_initiative_change", args=[i.pk]), i.title) for i in created),
            )
            messages.success(request, format_html("Created in review (not yet public): {}.", links))
        for line in refused:
            messages.warning(request, f"Not accepted: {line}")

    @admin.action(description="Mark accepted (the change is made)", permissions=["change"])
    def mark_accepted(self, request, queryset):
        selected = queryset.count()
        changed = suggestions.mark_accepted(suggestions=queryset, reviewer=request.user)
        self._report(request, changed, selected, "accepted")

    @admin.action(description="Decline", permissions=["change"])
    def decline(self, request, queryset):
        selected = queryset.count()
        changed = suggestions.decline(suggestions=queryset, reviewer=request.user)
        self._report(request, changed, selected, "declined")

    def _report(self, request, changed: int, selected: int, what: str) -> None:
        messages.success(request, f"{changed} suggestion(s) {what}.")
        if selected > changed:
            messages.warning(request, f"{selected - changed} already reviewed, left as they were.")
