"""Incoming data: imports from other mappings (the file as uploaded, what was done with each row, and why)
and suggestions from the public, both reviewed in the admin."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from initiatives.models import Initiative, Source


class ImportBatch(models.Model):
    """One file from another mapping: previewed first (a dry run), then applied, or not."""

    class State(models.TextChoices):
        PREVIEWED = "previewed", _("Previewed")
        APPLIED = "applied", _("Applied")
        REJECTED = "rejected", _("Rejected")

    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="import_batches")
    file_name = models.CharField(max_length=255)
    # The file's text, kept so that a previewed batch can be applied as it was previewed.
    content = models.TextField()
    options = models.JSONField(default=dict, blank=True)
    report = models.JSONField(default=dict, blank=True)
    state = models.CharField(max_length=20, choices=State.choices, default=State.PREVIEWED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "import"
        verbose_name_plural = "imports"

    def __str__(self) -> str:
        return f"{self.file_name} ({self.source}, {self.get_state_display().lower()})"


class ImportedRow(models.Model):
    """Provenance of one initiative from one import: the row as it was in the file."""

    class Action(models.TextChoices):
        CREATED = "created", _("Created")
        UPDATED = "updated", _("Updated")
        MATCHED = "matched", _("Matched to an existing initiative")
        UNCHANGED = "unchanged", _("Unchanged")

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="rows")
    row_number = models.PositiveIntegerField()
    initiative = models.ForeignKey(
        Initiative, null=True, blank=True, on_delete=models.SET_NULL, related_name="imported_rows"
    )
    action = models.CharField(max_length=20, choices=Action.choices)
    external_id = models.CharField(max_length=200, blank=True)
    url = models.URLField(max_length=500, blank=True)
    original = models.JSONField(default=dict, help_text="The row exactly as read from the file.")

    class Meta:
        ordering = ["batch", "row_number"]
        verbose_name = "imported row"

    def __str__(self) -> str:
        return f"{self.batch.file_name}, row {self.row_number}: {self.get_action_display().lower()}"


class Suggestion(models.Model):
    """A visitor's suggestion: a new initiative, or a correction to a published one. Editors review it in the admin."""

    class Kind(models.TextChoices):
        NEW = "new", _("New initiative")
        CORRECTION = "correction", _("Correction")

    class State(models.TextChoices):
        PENDING = "pending", _("In review")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")

    kind = models.CharField(max_length=20, choices=Kind.choices)
    initiative = models.ForeignKey(
        Initiative,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="suggestions",
        help_text="The initiative a correction is about.",
    )
    # What the visitor wrote, as written (templates escape it), without control characters.
    title = models.CharField(max_length=300, blank=True)
    website = models.URLField(max_length=500, blank=True)
    where = models.TextField("countries or regions", max_length=1000, blank=True)
    who = models.TextField("organisations", max_length=1000, blank=True)
    message = models.TextField(max_length=5000)
    # The sender's contact, optional, for the editors' questions: shown in the admin only, never published.
    name = models.CharField("sender's name", max_length=200, blank=True)
    email = models.EmailField("sender's email", blank=True)
    state = models.CharField(max_length=20, choices=State.choices, default=State.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Tells suggestions from one address apart (abuse) without keeping the address itself.
    client_hash = models.CharField(
        "sender's address (keyed hash)", max_length=64, blank=True, help_text="Equal for equal addresses."
    )
    created_initiative = models.ForeignKey(
        Initiative,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The initiative created from this suggestion.",
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "suggestion"
        verbose_name_plural = "suggestions"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state="pending") | models.Q(reviewed_at__isnull=False),
                name="suggestion_reviewed_when_decided",
                violation_error_message="An accepted or declined suggestion needs its review time.",
            ),
        ]
        indexes = [
            # The admin's default list: the suggestions in review, newest first.
            models.Index(fields=["state", "created_at"], name="suggestion_state_created_idx"),
        ]

    def __str__(self) -> str:
        if self.kind == self.Kind.CORRECTION:
            about = self.initiative.title if self.initiative_id else "a deleted initiative"
            return f"Correction to {about}"
        return self.title or f"Suggestion {self.pk}"
