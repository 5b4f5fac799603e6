"""The shared vocabulary: regions, countries and controlled term lists.

Every app describes *where* with Region/Country and *what* or *for whom* with
Terms, so that filters, imports and exports all speak the same language.
"""

import unicodedata

from django.db import models
from django.db.models.functions import Coalesce, Lower, NullIf
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from taxonomy.fields import LowercaseSlugField
from taxonomy.versioning import History, Versioned


class Tree:
    """A parent/child hierarchy (regions, terms) read in one query, for walking it in Python.

    Both hierarchies are a few levels deep and have a few dozen rows, so this is
    cheaper and simpler than a recursive CTE, and one instance answers many
    questions (for example the counts of every option in a facet).
    """

    def __init__(self, queryset: models.QuerySet) -> None:
        self.parent: dict[int, int | None] = {}
        self.children: dict[int, list[int]] = {}
        for pk, parent_id in queryset.values_list("pk", "parent_id"):
            self.parent[pk] = parent_id
            if parent_id is not None:
                self.children.setdefault(parent_id, []).append(pk)

    def descendants(self, pks) -> set[int]:
        """These rows and every row below them, at any depth."""
        selected = set(pks)
        frontier = list(selected)
        while frontier:
            for child in self.children.get(frontier.pop(), []):
                if child not in selected:
                    selected.add(child)
                    frontier.append(child)
        return selected

    def depth(self, pk: int) -> int:
        depth, seen = 0, {pk}
        while (pk := self.parent.get(pk)) is not None and pk not in seen:
            seen.add(pk)
            depth += 1
        return depth


def language_of(language_code: str | None) -> str:
    """ "fr" for "fr", "fr-ca" or "fr_CA"; "" for no language."""
    return (language_code or "").replace("_", "-").split("-")[0].lower()


def name_in_language(field: str = "name", language_code: str | None = None) -> models.Expression:
    """A row's name in the active language, English where it has none, for values_list() and order_by().

    `field` names the English column, through relations if need be ("organisation__name"). The SQL
    differs by language, so counts cached under a query's SQL (initiatives.membership.cached_count)
    never carry one language's labels onto another language's page.
    """
    language = language_of(language_code if language_code is not None else get_language())
    if language not in TranslatedNames.TRANSLATED:
        return models.F(field)
    return Coalesce(NullIf(models.F(f"{field}_{language}"), models.Value("")), models.F(field))


def collation_key(text: str) -> str:
    """Sorts names as a reader expects in any of our languages: "Égypte" with the E's, "éducation" with "Éducation"."""
    return "".join(c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c))


class TranslatedNames:
    """Names in French and Spanish next to the English ``name``.

    Visitors search and read in all three languages, so a place or term has to be
    found by any of its names. Each model declares its own ``name_fr`` and ``name_es``
    (their lengths follow ``name``); the behaviour is shared here.
    """

    TRANSLATED = ("fr", "es")

    def names(self) -> list[str]:
        """The English, French and Spanish names, without blanks or repeats."""
        return list(dict.fromkeys(name for name in (self.name, self.name_fr, self.name_es) if name))

    def localized_name(self, language_code: str | None) -> str:
        """The name in this language ("fr", "es-419"...) when there is one, else the English name."""
        language = language_of(language_code)
        if language in self.TRANSLATED:
            return getattr(self, f"name_{language}") or self.name
        return self.name

    @property
    def display_name(self) -> str:
        """The name in the active language: what every public page shows."""
        return self.localized_name(get_language())

    @property
    def display_label(self) -> str:
        """How a chip, a feed title or a list of names shows it (organisations add their acronym)."""
        return self.display_name


class RegionQuerySet(models.QuerySet):
    def with_descendants(self) -> "RegionQuerySet":
        """These regions and their sub-regions and intermediate regions."""
        return Region.objects.filter(pk__in=Tree(Region.objects).descendants(self.values_list("pk", flat=True)))

    def countries(self) -> "models.QuerySet[Country]":
        """Countries in these regions (by M49) or members of these groupings."""
        return Country.objects.filter(models.Q(region__in=self) | models.Q(groupings__in=self)).distinct()


class Region(TranslatedNames, Versioned):
    class Kind(models.TextChoices):
        CONTINENT = "continent", _("Continent")
        SUB_REGION = "sub_region", _("Sub-region")
        GROUPING = "grouping", _("Political or economic grouping")

    slug = LowercaseSlugField(max_length=80, unique=True)
    name = models.CharField(max_length=160)
    name_fr = models.CharField("name in French", max_length=160, blank=True)
    name_es = models.CharField("name in Spanish", max_length=160, blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    m49 = models.CharField("M49 code", max_length=3, blank=True, help_text="UN M49 numeric code, for M49 regions.")
    description = models.TextField(blank=True)
    website = models.URLField(blank=True)
    members = models.ManyToManyField(
        "Country",
        blank=True,
        related_name="groupings",
        help_text="Member states of a grouping. M49 regions get their countries from Country.region.",
    )

    objects = RegionQuerySet.as_manager()
    history = History()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["m49"], condition=~models.Q(m49=""), name="region_m49_unique"),
            models.CheckConstraint(condition=~models.Q(parent=models.F("id")), name="region_not_own_parent"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("initiatives:region", kwargs={"slug": self.slug})

    def natural_key(self) -> tuple[str]:
        return (self.slug,)


class RegionAlias(models.Model):
    """Another mapping's word for a region, e.g. ITU's "Arab States" or "Global".

    Several rows with the same name map that word onto several regions: "Global" is
    every continent, "Europe & CIS" is Europe plus the CIS.
    """

    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=200)
    scheme = models.CharField(max_length=80, blank=True, help_text="Where the word comes from, e.g. ITU, UNDP.")

    class Meta:
        ordering = ["scheme", "name"]
        verbose_name_plural = "region aliases"
        constraints = [
            models.UniqueConstraint(Lower("name"), "scheme", "region", name="region_alias_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.scheme})" if self.scheme else self.name


class Country(TranslatedNames, models.Model):
    iso2 = models.CharField("ISO alpha-2", max_length=2, primary_key=True)
    iso3 = models.CharField("ISO alpha-3", max_length=3, unique=True)
    m49 = models.CharField("M49 code", max_length=3, unique=True)
    name = models.CharField(max_length=120)
    name_fr = models.CharField("name in French", max_length=120, blank=True)
    name_es = models.CharField("name in Spanish", max_length=120, blank=True)
    region = models.ForeignKey(
        Region,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="m49_countries",
        help_text="The most specific UN M49 region (intermediate region where there is one).",
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "countries"
        constraints = [
            models.CheckConstraint(condition=models.Q(iso2__regex=r"^[A-Z]{2}$"), name="country_iso2_format"),
            models.CheckConstraint(condition=models.Q(iso3__regex=r"^[A-Z]{3}$"), name="country_iso3_format"),
            models.CheckConstraint(condition=models.Q(m49__regex=r"^[0-9]{3}$"), name="country_m49_format"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("initiatives:country", kwargs={"iso2": self.iso2})


class CountryAlias(models.Model):
    """Another name a country goes by in other mappings: an ISO or ITU long form, an old name, a spelling."""

    country = models.ForeignKey(Country, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=200)
    scheme = models.CharField(
        max_length=80, blank=True, help_text="Where the name comes from, e.g. ISO 3166-1, ITU, former name."
    )

    class Meta:
        ordering = ["scheme", "name"]
        verbose_name_plural = "country aliases"
        constraints = [
            models.UniqueConstraint(Lower("name"), "scheme", "country", name="country_alias_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.scheme})" if self.scheme else self.name


class Vocabulary(models.Model):
    """A named controlled list: topic, audience, modality."""

    TOPIC = "topic"
    AUDIENCE = "audience"
    MODALITY = "modality"

    slug = LowercaseSlugField(max_length=40, unique=True)
    name = models.CharField(max_length=80)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "vocabularies"

    def __str__(self) -> str:
        return self.name


class TermQuerySet(models.QuerySet):
    def of(self, vocabulary_slug: str) -> "TermQuerySet":
        return self.filter(vocabulary__slug=vocabulary_slug)

    def topics(self) -> "TermQuerySet":
        return self.of(Vocabulary.TOPIC)

    def audiences(self) -> "TermQuerySet":
        return self.of(Vocabulary.AUDIENCE)

    def modalities(self) -> "TermQuerySet":
        return self.of(Vocabulary.MODALITY)


class Term(TranslatedNames, Versioned):
    vocabulary = models.ForeignKey(Vocabulary, on_delete=models.PROTECT, related_name="terms")
    slug = LowercaseSlugField(max_length=80)
    name = models.CharField(max_length=120)
    name_fr = models.CharField("name in French", max_length=120, blank=True)
    name_es = models.CharField("name in Spanish", max_length=120, blank=True)
    description = models.TextField(blank=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    order = models.PositiveIntegerField(default=0)

    objects = TermQuerySet.as_manager()
    history = History()

    class Meta:
        ordering = ["vocabulary__slug", "order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["vocabulary", "slug"], name="term_slug_unique_per_vocabulary"),
            models.CheckConstraint(condition=~models.Q(parent=models.F("id")), name="term_not_own_parent"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        if self.vocabulary.slug == Vocabulary.AUDIENCE:
            return reverse("initiatives:audience", kwargs={"slug": self.slug})
        if self.vocabulary.slug == Vocabulary.TOPIC:
            return reverse("initiatives:topic", kwargs={"slug": self.slug})
        return reverse("initiatives:list") + f"?{self.vocabulary.slug}={self.slug}"


class TermAlias(models.Model):
    """Another mapping's word for one of our terms, e.g. a GFCE theme."""

    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=200)
    scheme = models.CharField(
        max_length=80, blank=True, help_text="Where the word comes from, e.g. GFCE, Oxford CMM, ITU GCI."
    )

    class Meta:
        ordering = ["scheme", "name"]
        verbose_name_plural = "term aliases"
        constraints = [
            models.UniqueConstraint(Lower("name"), "scheme", "term", name="term_alias_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.scheme})" if self.scheme else self.name
