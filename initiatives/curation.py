"""The admin's review rules, shared by the admins of models with a publication state.

Curators create and edit and submit for review; only Editors (the publish permission)
publish, archive or unpublish, and publishing needs what a public page needs. History and
version checks come from taxonomy.versioning.VersionedAdmin.
"""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from initiatives.models import Initiative
from taxonomy.versioning import EditConflict, VersionedAdmin, VersionedForm

State = Initiative.PublicationState
PUBLIC_STATES = {State.PUBLISHED, State.ARCHIVED}


class PublicationForm(VersionedForm):
    """Only users with the publish permission move a record into or out of the public states."""

    user = None  # set per request by CuratedAdmin.get_form
    publish_permission = ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The stored state, not the instance's: reverting to an old entry of the history shows its old state.
        stored = type(self.instance)._base_manager.filter(pk=self.instance.pk) if self.instance.pk else None
        self.state_before = stored.values_list("publication_state", flat=True).first() if stored else None
        field = self.fields.get("publication_state")
        if field is not None and not self.can_publish():
            allowed = {State.DRAFT, State.REVIEW, self.state_before}
            # Only the menu shrinks: a crafted value still reaches clean_publication_state and its message.
            field.widget.choices = [(value, label) for value, label in field.choices if value in allowed]
            if self.initial.get("publication_state") not in allowed:
                # Reverting to an entry of the history that was public keeps the state it has now.
                self.initial["publication_state"] = self.state_before
            field.help_text = _("Editors publish: set it to “In review” when it is ready.")

    def can_publish(self) -> bool:
        return bool(self.user and self.user.has_perm(self.publish_permission))

    def clean_publication_state(self):
        state = self.cleaned_data["publication_state"]
        moves_public = state != (self.state_before or State.DRAFT) and (
            state in PUBLIC_STATES or self.state_before in PUBLIC_STATES
        )
        if moves_public and not self.can_publish():
            raise ValidationError(
                _("Only editors can publish, archive or unpublish. Set it to “In review”: an editor will publish it."),
                code="publish_permission",
            )
        return state

    def missing_for_publication(self) -> list[str]:
        return []

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("publication_state") == State.PUBLISHED:
            missing = self.missing_for_publication()
            if missing:
                self.add_error(
                    "publication_state",
                    ValidationError(
                        _("To publish it, add: %(missing)s.") % {"missing": ", ".join(missing)}, code="incomplete"
                    ),
                )
        return cleaned


class CuratedAdmin(VersionedAdmin):
    """History, version checks and, for models with a publication state, the review rules."""

    form = VersionedForm
    publish_permission = ""  # "app.publish_model" for models with a publication state

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        # modelform_factory made this class for this request: the user is safe to keep on it.
        form.user = request.user
        form.publish_permission = self.publish_permission
        return form

    def has_publish_permission(self, request) -> bool:
        return bool(self.publish_permission) and request.user.has_perm(self.publish_permission)

    def is_public(self, obj) -> bool:
        """Whether what this entry says is on the public site (or was, for archived ones)."""
        return obj.publication_state in PUBLIC_STATES

    def is_public_to_others(self, request, obj) -> bool:
        """A public entry that this user may not publish: they read it, an editor changes it."""
        return (
            obj is not None
            and bool(self.publish_permission)
            and not self.has_publish_permission(request)
            and self.is_public(obj)
        )

    def has_change_permission(self, request, obj=None):
        # What the public sees changes only through an editor, so no unreviewed text goes live.
        return not self.is_public_to_others(request, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self.is_public_to_others(request, obj) and super().has_delete_permission(request, obj)

    # --- review

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not self.publish_permission:
            for name in ("publish", "archive", "submit_for_review"):
                actions.pop(name, None)
        return actions

    def _set_state(self, request, queryset, state: str, verb: str) -> None:
        # One save per row, not update(): updated_at and the version move, the search text
        # stays fresh, and each change is in the record's history with who made it.
        done, incomplete, changed_meanwhile = 0, [], []
        for obj in queryset.exclude(publication_state=state):
            missing = self.missing_for_publication(obj) if state == State.PUBLISHED else []
            if missing:
                incomplete.append(f"“{obj}” ({', '.join(missing)})")
                continue
            obj.publication_state = state
            try:
                obj.save(update_fields=["publication_state", "updated_at"])
            except EditConflict:
                changed_meanwhile.append(f"“{obj}”")
                continue
            self.log_change(request, obj, [{"changed": {"fields": ["Publication state"]}}])
            done += 1
        self.message_user(
            request,
            ngettext("%(count)d entry %(verb)s.", "%(count)d entries %(verb)s.", done) % {"count": done, "verb": verb},
            messages.SUCCESS,
        )
        if incomplete:
            self.message_user(
                request,
                _("Not published, incomplete: %(list)s.") % {"list": "; ".join(incomplete)},
                messages.WARNING,
            )
        if changed_meanwhile:
            self.message_user(
                request,
                _("Left as they were, someone saved them meanwhile: %(list)s. Try again.")
                % {"list": "; ".join(changed_meanwhile)},
                messages.WARNING,
            )

    def missing_for_publication(self, obj) -> list[str]:
        return []

    @admin.action(description="Publish selected entries", permissions=["publish"])
    def publish(self, request, queryset):
        self._set_state(request, queryset, State.PUBLISHED, "published")

    @admin.action(description="Archive selected entries", permissions=["publish"])
    def archive(self, request, queryset):
        self._set_state(request, queryset, State.ARCHIVED, "archived")

    @admin.action(description="Submit selected drafts for review", permissions=["change"])
    def submit_for_review(self, request, queryset):
        self._set_state(request, queryset.filter(publication_state=State.DRAFT), State.REVIEW, "submitted for review")

    @admin.display(description="publication history")
    def publication_log(self, obj) -> str:
        """Each change of publication state, with who and when, read from the history."""
        if obj is None or obj.pk is None:
            return "—"
        rows, previous = [], None
        entries = obj.history.order_by("history_id").select_related("history_user")
        for entry in entries.only("history_id", "history_date", "history_user", "publication_state"):
            if entry.publication_state != previous:
                label = State(entry.publication_state).label if entry.publication_state in State.values else ""
                rows.append(
                    (
                        timezone.localtime(entry.history_date).strftime("%Y-%m-%d %H:%M"),
                        entry.history_user or _("an import or a script"),
                        State(previous).label if previous in State.values else "—",
                        label,
                    )
                )
                previous = entry.publication_state
        if not rows:
            return _("No change recorded yet.")
        return format_html("<ul>{}</ul>", format_html_join("", "<li>{}: {}, {} → {}</li>", rows))
