"""What the mappings exist for: needs that countries and regions have stated, and curators' merge decisions."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from initiatives.models import Initiative
from taxonomy.fields import LowercaseSlugField
from taxonomy.models import Country, Region, Term, Vocabulary
from taxonomy.versioning import History, Versioned


class NeedQuerySet(models.QuerySet):
    def published(self) -> "NeedQuerySet":
        """The only starting point for needs shown outside the admin."""
        return self.filter(publication_state=Initiative.PublicationState.PUBLISHED)


class Need(Versioned):
    """A capacity need a country or region has expressed: in a national strategy, a declaration, a session."""

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        PARTLY_MET = "partly_met", _("Partly met")
        MET = "met", _("Met")

    title = models.CharField(max_length=200, help_text="What is needed, in a few words.")
    slug = LowercaseSlugField(max_length=120, unique=True)
    # Exactly one place: the country or the region that stated the need.
    country = models.ForeignKey(Country, null=True, blank=True, on_delete=models.PROTECT, related_name="needs")
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT, related_name="needs")
    topics = models.ManyToManyField(
        Term, blank=True, related_name="topic_needs", limit_choices_to={"vocabulary__slug": Vocabulary.TOPIC}
    )
    audiences = models.ManyToManyField(
        Term,
        blank=True,
        related_name="audience_needs",
        limit_choices_to={"vocabulary__slug": Vocabulary.AUDIENCE},
        verbose_name="target users",
    )
    description = models.TextField(blank=True)
    stated_in = models.CharField(
        "where it was stated", max_length=300, blank=True, help_text="E.g. National Cybersecurity Strategy 2021-2025."
    )
    stated_url = models.URLField("link to the statement", max_length=500, blank=True)
    stated_on = models.DateField("date stated", null=True, blank=True)
    state = models.CharField(max_length=20, choices=State.choices, default=State.OPEN)
    illustrative = models.BooleanField(
        default=False, help_text="Modelled on needs stated in public, for the demo; not a verified record."
    )
    publication_state = models.CharField(
        max_length=20, choices=Initiative.PublicationState.choices, default=Initiative.PublicationState.DRAFT
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = NeedQuerySet.as_manager()
    history = History(m2m_fields=["topics", "audiences"])

    class Meta:
        ordering = ["title"]
        permissions = [("publish_need", "Can publish, archive and unpublish needs")]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(country__isnull=False) & models.Q(region__isnull=True))
                | (models.Q(country__isnull=True) & models.Q(region__isnull=False)),
                name="need_one_place",
                violation_error_message="A need belongs to exactly one place: a country or a region.",
            ),
        ]
        indexes = [models.Index(fields=["publication_state", "state"], name="need_pub_state_idx")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("insights:need", kwargs={"slug": self.slug})

    @property
    def place(self) -> Country | Region:
        return self.country or self.region


class Merge(models.Model):
    """A curator's merge: one initiative folded into another, kept for the record (the old URL redirects)."""

    kept = models.ForeignKey(Initiative, null=True, on_delete=models.SET_NULL, related_name="merges")
    merged_id = models.PositiveIntegerField(help_text="The id the merged initiative had.")
    merged_title = models.CharField(max_length=300)
    merged_slug = models.CharField(max_length=120)
    moved = models.JSONField(default=dict, help_text="What moved onto the kept initiative, by kind of row.")
    merged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    merged_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-merged_at"]

    def __str__(self) -> str:
        return f"{self.merged_title} merged into {self.kept or 'a deleted initiative'}"


class DistinctPair(models.Model):
    """Two initiatives a curator has looked at and found to be different: no longer offered as duplicates."""

    first = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-decided_at"]
        verbose_name = "pair found distinct"
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="distinct_pair_unique"),
            models.CheckConstraint(
                condition=models.Q(first__lt=models.F("second")),
                name="distinct_pair_ordered",
                violation_error_message="Store a pair with the smaller id first.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first_id} and {self.second_id} are distinct"
