"""Imports from other mappings: the file as uploaded, what was done with each row, and why."""

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
