"""Who does what, where, for whom: initiatives, organisations and provenance."""

import datetime

from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager

from initiatives import dates
from initiatives.dimensions import DIMENSIONS
from taxonomy.fields import LowercaseSlugField
from taxonomy.models import Country, Region, Term, TranslatedNames, Vocabulary
from taxonomy.versioning import History, Versioned


class OrganisationQuerySet(models.QuerySet):
    def public(self) -> "OrganisationQuerySet":
        """Organisations with at least one published initiative: the only ones shown outside the admin."""
        return self.filter(
            pk__in=Participation.objects.filter(
                initiative__publication_state=Initiative.PublicationState.PUBLISHED
            ).values("organisation_id")
        )


class Organisation(TranslatedNames, Versioned):
    class Kind(models.TextChoices):
        GOVERNMENT = "government", _("Government")
        INTERGOVERNMENTAL = "intergovernmental", _("Intergovernmental")
        PRIVATE_SECTOR = "private_sector", _("Private sector")
        CIVIL_SOCIETY = "civil_society", _("Civil society")
        ACADEMIA = "academia", _("Academia")
        TECHNICAL_COMMUNITY = "technical_community", _("Technical community")

    name = models.CharField(max_length=200)
    # Only where the official name differs ("Union africaine"); public pages fall back to `name`.
    name_fr = models.CharField("name in French", max_length=200, blank=True)
    name_es = models.CharField("name in Spanish", max_length=200, blank=True)
    acronym = models.CharField(max_length=30, blank=True)
    slug = LowercaseSlugField(max_length=100, unique=True)
    # Blank when not known yet: imported organisations arrive without a kind.
    kind = models.CharField(max_length=30, choices=Kind.choices, blank=True)
    country = models.ForeignKey(
        Country,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organisations",
        help_text="Where it has its seat.",
    )
    website = models.URLField(blank=True)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrganisationQuerySet.as_manager()
    history = History()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.acronym})" if self.acronym else self.name

    @property
    def display_label(self) -> str:
        """What __str__ says, in the active language: "Union africaine (UA)" on a French page."""
        return f"{self.display_name} ({self.acronym})" if self.acronym else self.display_name

    def get_absolute_url(self) -> str:
        return reverse("initiatives:organisation", kwargs={"slug": self.slug})


class OrganisationAlias(models.Model):
    """Another name an organisation goes by in other mappings ("Expertise France" for "EF", a translation)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "organisation aliases"
        constraints = [
            models.UniqueConstraint(Lower("name"), "organisation", name="organisation_alias_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class DatePrecision(models.TextChoices):
    """How precisely a date was given: "2021" is a year, not 1 January 2021."""

    DAY = "day", _("Day")
    MONTH = "month", _("Month")
    YEAR = "year", _("Year")


# An entry not verified for this long is flagged as stale, in the admin and on its public page.
VERIFIED_FOR = datetime.timedelta(days=365)


class InitiativeQuerySet(models.QuerySet):
    def published(self) -> "InitiativeQuerySet":
        """The only starting point for anything shown outside the admin."""
        return self.filter(publication_state=Initiative.PublicationState.PUBLISHED)

    def with_related(self, *, keywords: bool = True) -> "InitiativeQuerySet":
        """Everything a card or a detail page shows, in a fixed number of queries."""
        # One prefetch per place or term dimension (initiatives.dimensions), then the participants.
        places_and_terms = [
            models.Prefetch(d.relation, queryset=Term.objects.select_related("vocabulary"))
            if d.kind == "term"
            else d.relation
            for d in DIMENSIONS
            if d.relation
        ]
        queryset = self.prefetch_related(
            *places_and_terms,
            models.Prefetch(
                "participations",
                queryset=Participation.objects.select_related("organisation").order_by("role", "organisation__name"),
            ),
            models.Prefetch("source_records", queryset=SourceRecord.objects.select_related("source")),
        )
        return queryset.prefetch_related("keywords") if keywords else queryset

    def for_cards(self) -> "InitiativeQuerySet":
        """What a result card shows (places, topics, implementers and funders): four queries however many cards."""
        return self.prefetch_related(
            "countries",
            "regions",
            "topics",
            models.Prefetch("participations", queryset=Participation.objects.select_related("organisation")),
        )


class Initiative(Versioned):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        ONGOING = "ongoing", _("Ongoing")
        COMPLETED = "completed", _("Completed")

    class PublicationState(models.TextChoices):
        DRAFT = "draft", _("Draft")
        REVIEW = "review", _("In review")
        PUBLISHED = "published", _("Published")
        ARCHIVED = "archived", _("Archived")

    title = models.CharField(max_length=300)
    slug = LowercaseSlugField(max_length=120, unique=True)
    summary = models.CharField(max_length=500, blank=True, help_text="One or two sentences.")
    description = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ONGOING)
    # A date given as a year or a month is stored as its first day (start) or last day (end),
    # so that "active during a year" stays a plain comparison, with its precision next to it.
    start_date = models.DateField(null=True, blank=True)
    start_precision = models.CharField(max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY)
    end_date = models.DateField(null=True, blank=True)
    end_precision = models.CharField(max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY)
    website = models.URLField(max_length=500, blank=True)
    budget = models.DecimalField(
        max_digits=15, decimal_places=2, null=True, blank=True, help_text="The amount, or the low end of a band."
    )
    budget_max = models.DecimalField(
        "budget (high end)",
        max_digits=15,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Only for a budget given as a band, e.g. CHF 100'000 - 500'000.",
    )
    currency = models.CharField(max_length=3, blank=True, help_text="ISO 4217 code, e.g. EUR.")

    countries = models.ManyToManyField(
        Country, blank=True, related_name="initiatives", verbose_name="beneficiary countries"
    )
    regions = models.ManyToManyField(Region, blank=True, related_name="initiatives", verbose_name="beneficiary regions")
    topics = models.ManyToManyField(
        Term,
        blank=True,
        related_name="topic_initiatives",
        limit_choices_to={"vocabulary__slug": Vocabulary.TOPIC},
    )
    audiences = models.ManyToManyField(
        Term,
        blank=True,
        related_name="audience_initiatives",
        limit_choices_to={"vocabulary__slug": Vocabulary.AUDIENCE},
        verbose_name="target users",
    )
    modalities = models.ManyToManyField(
        Term,
        blank=True,
        related_name="modality_initiatives",
        limit_choices_to={"vocabulary__slug": Vocabulary.MODALITY},
    )
    organisations = models.ManyToManyField(
        Organisation, through="Participation", related_name="initiatives", blank=True
    )
    keywords = TaggableManager(blank=True, help_text="Free-form keywords, comma-separated.")

    publication_state = models.CharField(
        max_length=20, choices=PublicationState.choices, default=PublicationState.DRAFT
    )
    last_verified = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # PostgreSQL's weighted full-text document (title, then summary, organisations and
    # keywords, then places and terms, then the description), kept up to date by
    # initiatives.membership and indexed by initiative_search_vector_idx. SQLite keeps
    # the same document in the FTS5 table initiatives_initiative_fts instead.
    search_vector = SearchVectorField(null=True, editable=False)
    # The CSV export's multi-valued cells (countries, regions, terms, organisations, sources),
    # precomputed by initiatives.membership so that an export reads this table alone.
    export_cells = models.TextField(blank=True, editable=False)

    objects = InitiativeQuerySet.as_manager()
    # Every change, with who made it; places and terms are part of each snapshot (the admin
    # records one snapshot per save, after the inlines). Participations have their own history.
    history = History(
        excluded_fields=["search_vector", "export_cells"],
        m2m_fields=["countries", "regions", "topics", "audiences", "modalities"],
    )

    class Meta:
        ordering = ["title"]
        permissions = [("publish_initiative", "Can publish, archive and unpublish initiatives")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(start_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="initiative_end_not_before_start",
                violation_error_message="The end date cannot be before the start date.",
            ),
            models.CheckConstraint(
                condition=models.Q(budget__isnull=True) | models.Q(budget__gte=0),
                name="initiative_budget_not_negative",
                violation_error_message="The budget cannot be negative.",
            ),
            models.CheckConstraint(
                condition=models.Q(budget_max__isnull=True)
                | (models.Q(budget__isnull=False) & models.Q(budget_max__gte=models.F("budget"))),
                name="initiative_budget_band_ordered",
                violation_error_message="A budget band needs a low end, not above its high end.",
            ),
            models.CheckConstraint(
                condition=models.Q(budget__isnull=True) | ~models.Q(currency=""),
                name="initiative_budget_has_currency",
                violation_error_message="A budget needs a currency.",
            ),
        ]
        indexes = [
            # The public list: published rows, newest first or by start date.
            models.Index(fields=["publication_state", "-updated_at"], name="initiative_pub_updated_idx"),
            models.Index(fields=["publication_state", "start_date"], name="initiative_pub_start_idx"),
            # The default order (Lower("title"), pk): pages of the list read 20 rows, not sort them all.
            models.Index(
                models.F("publication_state"), Lower("title"), models.F("id"), name="initiative_pub_title_idx"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("initiatives:detail", kwargs={"slug": self.slug})

    @property
    def start_display(self) -> str:
        return dates.display(self.start_date, self.start_precision)

    @property
    def end_display(self) -> str:
        return dates.display(self.end_date, self.end_precision)

    @property
    def verification_is_stale(self) -> bool:
        """Not verified for twelve months, or never: what visitors of other mappings complain about most."""
        return self.last_verified is None or self.last_verified < timezone.localdate() - VERIFIED_FOR

    @staticmethod
    def missing_to_publish(*, summary: str, places: bool, topics: bool, participants: bool) -> list[str]:
        """What a public page needs and this entry lacks, in words a curator acts on."""
        wanted = [
            (summary.strip(), _("a summary")),
            (places, _("a beneficiary country or region")),
            (topics, _("a topic")),
            (participants, _("an implementer, funder or partner")),
        ]
        return [str(label) for present, label in wanted if not present]

    def missing_for_publication(self) -> list[str]:
        return self.missing_to_publish(
            summary=self.summary,
            places=self.countries.exists() or self.regions.exists(),
            topics=self.topics.exists(),
            participants=self.participations.exists(),
        )

    def participants(self, role: str) -> list["Organisation"]:
        """Organisations in one role; uses the prefetch from with_related() when present."""
        return [p.organisation for p in self.participations.all() if p.role == role]

    @property
    def implementers(self) -> list["Organisation"]:
        return self.participants(Participation.Role.IMPLEMENTER)

    @property
    def funders(self) -> list["Organisation"]:
        return self.participants(Participation.Role.FUNDER)

    @property
    def partners(self) -> list["Organisation"]:
        return self.participants(Participation.Role.PARTNER)


class FormerSlug(models.Model):
    """An address an initiative used to have (merged into it, or renamed): it answers 301 to the initiative."""

    slug = LowercaseSlugField(max_length=120, unique=True)
    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="former_slugs")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return f"{self.slug} -> {self.initiative_id}"


class Participation(models.Model):
    """An organisation's role in an initiative, as IATI records participating organisations."""

    class Role(models.TextChoices):
        FUNDER = "funder", _("Funder")
        IMPLEMENTER = "implementer", _("Implementer")
        PARTNER = "partner", _("Partner")

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="participations")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="participations")
    role = models.CharField(max_length=20, choices=Role.choices)

    # Who added or removed an implementer or funder, and when (the initiative's own history
    # holds its fields, places and terms).
    history = History()

    class Meta:
        ordering = ["role", "organisation__name"]
        constraints = [
            models.UniqueConstraint(fields=["initiative", "organisation", "role"], name="participation_unique_role"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} – {self.get_role_display()} – {self.initiative}"


class Source(models.Model):
    """Another mapping or inventory of cyber capacity building."""

    name = models.CharField(max_length=200)
    slug = LowercaseSlugField(max_length=100, unique=True)
    publisher = models.CharField(max_length=200, blank=True)
    url = models.URLField(max_length=500, blank=True)
    focus = models.TextField(blank=True, help_text="What it maps, for whom.")
    licence = models.CharField(max_length=120, blank=True)
    topics = models.ManyToManyField(
        Term,
        blank=True,
        related_name="topic_sources",
        limit_choices_to={"vocabulary__slug": Vocabulary.TOPIC},
    )
    audiences = models.ManyToManyField(
        Term,
        blank=True,
        related_name="audience_sources",
        limit_choices_to={"vocabulary__slug": Vocabulary.AUDIENCE},
    )
    regions = models.ManyToManyField(Region, blank=True, related_name="sources", verbose_name="regions covered")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("initiatives:sources") + f"#{self.slug}"


class SourceRecord(models.Model):
    """Provenance: where one initiative's entry came from."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="source_records")
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="records")
    external_id = models.CharField(max_length=200, blank=True, help_text="The id in the other mapping.")
    url = models.URLField(max_length=500, blank=True)
    retrieved_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["source__name", "external_id"]
        verbose_name = "source record"
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"],
                condition=~models.Q(external_id=""),
                name="source_record_external_id_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source}: {self.external_id or self.initiative}"


# --- Membership tables: denormalised, indexed answers to "where" and "about what".
# Written only by initiatives.membership (on every write path, and rebuilt from scratch by
# `manage.py rebuild_membership`); read by filters and facets with plain semi-joins and GROUP BY.
# Derived data, millions of rows at scale: no foreign key constraints in the database (checking
# them at every bulk commit cost more than writing the rows); deletions still cascade through
# the ORM, and a rebuild recomputes everything from the source tables.


class Reach(models.IntegerChoices):
    """How an initiative reaches a place, most specific first."""

    COUNTRY = 0, _("In the country")
    REGION = 1, _("Region-wide")
    CONTINENT = 2, _("Continent-wide")
    GLOBAL = 3, _("Global")


class FootprintCountry(models.Model):
    """A country an initiative serves: named, or a member of one of its beneficiary regions."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, db_constraint=False, related_name="footprint")
    country = models.ForeignKey(Country, on_delete=models.CASCADE, db_constraint=False, related_name="+")
    reach = models.PositiveSmallIntegerField(choices=Reach.choices)
    # The beneficiary region it is reached through (the smallest one), none when named directly.
    via = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.CASCADE, db_constraint=False, related_name="+"
    )

    class Meta:
        verbose_name = "footprint country"
        constraints = [
            # Also serves the facet: footprint rows of a set of initiatives, grouped by country.
            models.UniqueConstraint(fields=["initiative", "country"], name="footprint_country_unique"),
        ]
        indexes = [
            # ?country=NG (and the country page): initiatives serving these countries.
            models.Index(fields=["country", "reach", "initiative"], name="footprint_country_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.initiative_id} serves {self.country_id} ({self.get_reach_display()})"


class RegionReach(models.Model):
    """A region an initiative's footprint meets, with how (the rule of DESIGN.md, "Footprint")."""

    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, db_constraint=False, related_name="regions_reached"
    )
    region = models.ForeignKey(Region, on_delete=models.CASCADE, db_constraint=False, related_name="+")
    reach = models.PositiveSmallIntegerField(choices=Reach.choices)
    via = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.CASCADE, db_constraint=False, related_name="+"
    )
    # Everything it names inside the region: countries of the region, or regions within it.
    specific = models.BooleanField()

    class Meta:
        verbose_name = "region reached"
        verbose_name_plural = "regions reached"
        constraints = [
            models.UniqueConstraint(fields=["initiative", "region"], name="region_reach_unique"),
        ]
        indexes = [
            # ?region=western-africa (and the region page), optionally only specific ones.
            models.Index(fields=["region", "specific", "initiative"], name="region_reach_region_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.initiative_id} reaches region {self.region_id} ({self.get_reach_display()})"


class TermMembership(models.Model):
    """An initiative under a term: tagged with it or with any term below it."""

    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, db_constraint=False, related_name="term_memberships"
    )
    term = models.ForeignKey(Term, on_delete=models.CASCADE, db_constraint=False, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["initiative", "term"], name="term_membership_unique"),
        ]
        indexes = [
            # ?topic=cybercrime: initiatives under these terms.
            models.Index(fields=["term", "initiative"], name="term_membership_term_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.initiative_id} under term {self.term_id}"


class FtsDocumentField(models.TextField):
    """FTS5's hidden column named after its table: the left side of MATCH."""


@FtsDocumentField.register_lookup
class Match(models.Lookup):
    lookup_name = "match"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} MATCH {rhs}", [*lhs_params, *rhs_params]


class InitiativeFts(models.Model):
    """SQLite only: the FTS5 table holding each initiative's search document (see initiatives.membership).

    Created by a migration on SQLite; PostgreSQL uses Initiative.search_vector instead.
    Its `rank` is bm25 with the column weights set when the table was created.
    """

    initiative = models.OneToOneField(
        Initiative, primary_key=True, db_column="rowid", on_delete=models.DO_NOTHING, related_name="fts"
    )
    document = FtsDocumentField(db_column="initiatives_initiative_fts")
    rank = models.FloatField()

    class Meta:
        managed = False
        db_table = "initiatives_initiative_fts"

    def __str__(self) -> str:
        return f"search document of {self.initiative_id}"


class DataRevision(models.Model):
    """One row whose token changes with every write to the derived data (initiatives.membership).

    Counts (facets, totals, home page figures) are cached under the current token, so every
    process serves fresh counts as soon as a write commits, with no cache to invalidate. A new
    random token rather than a counter: a rolled-back write can never make an old token current again.
    """

    token = models.CharField(max_length=32)

    def __str__(self) -> str:
        return self.token
