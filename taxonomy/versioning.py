"""Optimistic locking: a save based on an older version of a row is refused, not applied.

Curators from different organisations edit the same records. Without this, the
second of two concurrent saves silently reverts the first one's changes. Every
curated model (initiatives, organisations, regions, terms, needs) carries a
``version`` that each save raises by one, in the same statement that checks it,
so the check holds in the admin, in bulk actions, in imports and in services alike.
VersionedAdmin gives their admins the matching form (it carries the version it was
opened at and says who changed what since), one history entry per save, and diffs
without bookkeeping fields. It lives here, in the bottom layer, because taxonomy's
own models use it.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django import forms
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, router, transaction
from django.http import Http404, HttpResponseRedirect
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from simple_history.admin import SimpleHistoryAdmin
from simple_history.manager import SIMPLE_HISTORY_REVERSE_ATTR_NAME
from simple_history.models import HistoricalRecords

# Bookkeeping every save moves; a diff that listed them would hide the real change.
NOT_IN_DIFFS = ["version", "updated_at", "created_at"]


class EditConflict(Exception):
    """Someone saved this row after the version this save was based on."""

    def __init__(self, instance: models.Model) -> None:
        self.instance = instance
        super().__init__(
            f"{instance._meta.verbose_name} {instance.pk} was changed by someone else since version {instance.version}."
        )


class Versioned(models.Model):
    version = models.PositiveIntegerField(
        default=1,
        editable=False,
        help_text="Raised by one at every save; a save based on an older version is refused.",
    )

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        based_on = None if self._state.adding or kwargs.get("force_insert") else self.version
        if based_on is not None:
            self._version_based_on = based_on
            self.version = based_on + 1
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "version"}
        try:
            if based_on is None:
                return super().save(*args, **kwargs)
            # A savepoint, so that a refused save leaves the caller's transaction usable.
            with transaction.atomic(using=kwargs.get("using") or router.db_for_write(type(self), instance=self)):
                return super().save(*args, **kwargs)
        except BaseException:
            if based_on is not None:
                self.version = based_on
            raise
        finally:
            self._version_based_on = None

    def _do_update(self, base_qs, using, pk_val, values, update_fields, forced_update):
        # One statement checks and writes: UPDATE ... SET ..., version = n + 1 WHERE id = ... AND
        # version = n. It takes the row lock, so a concurrent save waits, then matches no row.
        based_on = getattr(self, "_version_based_on", None)
        if based_on is None:
            return super()._do_update(base_qs, using, pk_val, values, update_fields, forced_update)
        if not super()._do_update(base_qs.filter(version=based_on), using, pk_val, values, update_fields, True):
            self.version = based_on
            raise EditConflict(self)
        return True


def is_history(model) -> bool:
    """A table django-simple-history made to keep another's past, which stays as it was (merges leave it)."""
    return any(field.name in ("history_id", "m2m_history_id") for field in model._meta.concrete_fields)


_history_paused: ContextVar[bool] = ContextVar("history_paused", default=False)


class History(HistoricalRecords):
    """django-simple-history's records, also when a many-to-many field changes from its other side.

    simple-history records such a change on the instance the signal names: from the other side
    (``country.initiatives.add(...)``) that is the country, which has no history. Record the
    initiatives it changed instead. Inside ``history_paused()`` saves record nothing: the bulk
    writer records one entry per row at the end (``record_history``).
    """

    def post_save(self, instance, created, using=None, **kwargs):
        if not _history_paused.get():
            super().post_save(instance, created, using=using, **kwargs)

    def m2m_changed(self, instance, action, attr, pk_set, reverse, **kwargs):
        if _history_paused.get():
            return
        if not reverse:
            return super().m2m_changed(instance, action, attr, pk_set, reverse, **kwargs)
        if action in ("post_add", "post_remove") and pk_set:
            for changed in self.cls._base_manager.filter(pk__in=pk_set):
                self.create_historical_record(changed, "~")


@contextmanager
def history_paused():
    """Saves and many-to-many changes record no history entry here; deletions still do.

    For writers that change many rows field by field (a row and five many-to-many fields would be
    six entries each): they call ``record_history`` once the rows are written.
    """
    token = _history_paused.set(True)
    try:
        yield
    finally:
        _history_paused.reset(token)


def record_history(model, rows, *, user=None, reason: str = "", update: bool = False) -> None:
    """One history entry per row, its many-to-many values included, in a few statements.

    simple-history's bulk_history_create leaves many-to-many values out; an entry without them
    would read as "no places, no topics" in diffs, and a revert to it would clear them.
    """
    history = getattr(model, model._meta.simple_history_manager_attribute)
    records = history.bulk_history_create(
        list(rows), batch_size=1000, update=update, default_user=user, default_change_reason=reason[:100]
    )
    if not records:
        return
    by_row = {getattr(record, model._meta.pk.attname): record for record in records}
    for field in records[0]._history_m2m_fields:
        source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
        through = field.remote_field.through
        m2m_history = HistoricalRecords.m2m_models[field]
        values = through.objects.filter(**{f"{source}_id__in": list(by_row)}).values_list(
            "pk", f"{source}_id", f"{target}_id"
        )
        m2m_history.objects.bulk_create(
            [
                m2m_history(history=by_row[owner], **{"id": pk, f"{source}_id": owner, f"{target}_id": value})
                for pk, owner, value in values.iterator(chunk_size=2000)
            ],
            batch_size=1000,
        )


# --- the admin: a form that carries the version it was opened at, and one history entry per save


def current_version(model, pk) -> int | None:
    return model._base_manager.filter(pk=pk).values_list("version", flat=True).first()


def changes_since(instance, version: int) -> str:
    """Who changed what on this record after ``version``, as HTML for a form error."""
    history = instance.history.model.objects.filter(**{instance._meta.pk.attname: instance.pk})
    base = history.filter(version=version).order_by("-history_id").first()
    later = list(history.filter(version__gt=version).select_related("history_user").order_by("history_id"))
    if not later:
        return ""
    who = sorted({str(record.history_user or _("an import or a script")) for record in later})
    when = later[-1].history_date
    if base is None:
        return format_html(
            _("Saved by {who} at {when}."), who=", ".join(who), when=timezone.localtime(when).strftime("%Y-%m-%d %H:%M")
        )
    delta = later[-1].diff_against(base, excluded_fields=NOT_IN_DIFFS, foreign_keys_are_objs=True)
    items = []
    for change in delta.changes:
        field = instance._meta.get_field(change.field)
        new = change.new
        if isinstance(new, list):  # many-to-many: the rows of the through table
            related = field.related_model._meta.model_name
            new = ", ".join(str(row.get(related) if isinstance(row, dict) else row) for row in new) or "—"
        items.append((field.verbose_name, str(new) if new not in (None, "") else "—"))
    return format_html(
        "{} <ul>{}</ul>",
        format_html(
            _("Saved by {who} at {when}. Their values:"),
            who=", ".join(who),
            when=timezone.localtime(when).strftime("%Y-%m-%d %H:%M"),
        ),
        format_html_join("", "<li><strong>{}</strong>: {}</li>", items),
    )


def m2m_values_of(record, fields) -> dict[str, list]:
    """The many-to-many values an entry of the history recorded, for the form that reverts to it.

    Without them the revert form would show, and save, the record's current places and terms
    (a ModelForm reads many-to-many values from the database row, not from the old entry).
    """
    values = {}
    for field in record._history_m2m_fields:
        if field.name in fields:
            target = field.m2m_reverse_field_name()
            rows = getattr(record, field.name).values_list(f"{target}_id", flat=True)
            values[field.name] = list(rows)
    return values


class VersionedForm(forms.ModelForm):
    """Carries the version the curator opened; clean() refuses a save based on an older one."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None and not self.is_bound:
            # The current row's version, also when the form shows an old entry of the history to revert to.
            self.initial["version"] = current_version(type(self.instance), self.instance.pk)
            record = getattr(self.instance, SIMPLE_HISTORY_REVERSE_ATTR_NAME, None)
            if record is not None:
                self.initial.update(m2m_values_of(record, self.fields))

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None or self.instance._state.adding:
            return cleaned
        opened = cleaned.get("version")
        now = current_version(type(self.instance), self.instance.pk)
        if now is None:
            raise ValidationError(_("Someone deleted this record while you were editing it."), code="deleted")
        if opened is None:
            raise ValidationError(
                _("This form does not say which version it changes: reload the page."), code="version"
            )
        if opened != now:
            raise ValidationError(
                format_html(
                    "{} {} {}",
                    _("Someone else saved this record after you opened it, so your changes were not saved."),
                    changes_since(self.instance, opened),
                    _("Reload the page to see their version, then make your changes again."),
                ),
                code="edit_conflict",
            )
        # The save below checks this version again, in the same statement that writes.
        self.instance.version = opened
        return cleaned


class HistoryAdmin(SimpleHistoryAdmin):
    """django-simple-history's admin, answering 404 to a history address whose ids are not ids."""

    def _check_ids(self, object_id, version_id=None) -> None:
        # simple-history looks the ids up as given: "abc" for an integer key raises ValueError, a 500.
        try:
            self.model._meta.pk.to_python(unquote(object_id))
            if version_id is not None:
                history = getattr(self.model, self.model._meta.simple_history_manager_attribute)
                history.model._meta.pk.to_python(version_id)
        except ValidationError:
            raise Http404 from None

    def history_view(self, request, object_id, extra_context=None):
        self._check_ids(object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._check_ids(object_id, version_id)
        # Reverting is a change to the record as it is now, not as it was in the old entry.
        if request.method == "POST":
            current = self.get_object(request, unquote(object_id))
            if current is None:
                raise Http404
            if not self.has_change_permission(request, current):
                raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


class VersionedAdmin(HistoryAdmin):
    """History with readable diffs and revert, and no lost updates, for a model with a version."""

    form = VersionedForm

    def get_exclude(self, request, obj=None):
        # "version" is the form's own hidden field, not the model's (which no form may edit).
        return [*(super().get_exclude(request, obj) or []), "version"]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if any("version" in options["fields"] for _name, options in fieldsets):
            return fieldsets
        (name, options), *rest = fieldsets
        return [(name, {**options, "fields": [*options["fields"], "version"]}), *rest]

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        return self._refusing_conflicts(request, super().changeform_view, object_id, form_url, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        return self._refusing_conflicts(request, super().history_form_view, object_id, version_id, extra_context)

    def _refusing_conflicts(self, request, view, *args):
        try:
            # All or nothing: simple-history's revert view saves the row, then its many-to-many fields.
            with transaction.atomic(using=router.db_for_write(self.model)):
                return view(request, *args)
        except EditConflict:
            # Another save landed between this form's check and its write; nothing of this one was written.
            self.message_user(
                request,
                _("Someone else saved this record at the same moment: your changes were not saved. Make them again."),
                messages.ERROR,
            )
            return HttpResponseRedirect(request.path)

    def save_model(self, request, obj, form, change):
        obj._history_before = self._last_history_id(obj) if change else 0
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        self._one_history_entry_per_save(form.instance)

    def _last_history_id(self, obj) -> int:
        return obj.history.order_by("-history_id").values_list("history_id", flat=True).first() or 0

    def _one_history_entry_per_save(self, obj) -> None:
        """Each many-to-many change writes its own entry; keep the last, which has them all."""
        before = getattr(obj, "_history_before", None)
        if before is None:
            return
        entries = list(obj.history.filter(history_id__gt=before).values_list("history_id", flat=True))
        if len(entries) > 1:
            obj.history.filter(history_id__in=sorted(entries)[:-1]).delete()
            if before == 0:
                obj.history.filter(history_id=max(entries)).update(history_type="+")

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        previous = None
        for current in historical_records:
            if previous is not None:
                delta = previous.diff_against(
                    current, excluded_fields=NOT_IN_DIFFS, foreign_keys_are_objs=foreign_keys_are_objs
                )
                helper = self.get_historical_record_context_helper(request, previous)
                previous.history_delta_changes = helper.context_for_delta_changes(delta)
            previous = current
