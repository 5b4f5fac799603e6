"""What a URL query means: the one FilterSet, applied by selectors.search_initiatives for every listing.

One parameter per dimension (initiatives.dimensions), plus `q`, `specific` and
`sort`. Repeated values of one parameter are ORed, different parameters are
ANDed. Places follow the footprint rule (DESIGN.md): an initiative is in region
R or country C when the countries it serves meet R's countries (or C), read
from the membership tables; a parent term covers its children. Each filter is
one semi-join on an indexed table. Invalid input (unknown slugs, bad years,
unknown sort) makes the FilterSet invalid: callers must say so rather than
silently show an unfiltered list.
"""

import datetime
import re

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import F, Q, QuerySet
from django.db.models.functions import Lower
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from initiatives.dimensions import DIMENSIONS, Dimension
from initiatives.models import (
    FootprintCountry,
    Initiative,
    Organisation,
    Participation,
    Reach,
    RegionReach,
    Source,
    SourceRecord,
    TermMembership,
)
from initiatives.search import search
from taxonomy.models import Country, Region, Term

MAX_VALUES = 30  # per parameter; more is not a real query
SLUG_RE = re.compile(r"^[-a-zA-Z0-9_]{1,100}$")
MIN_YEAR, MAX_YEAR = 1990, 2100

BY_TITLE = Lower("title").asc()
SORTS = {
    "title": (BY_TITLE, gettext_lazy("Title (A–Z)")),
    "-start": (F("start_date").desc(nulls_last=True), gettext_lazy("Start date (newest first)")),
    "-updated": (F("updated_at").desc(), gettext_lazy("Recently updated")),
}
# Parameters that order the results without choosing them. (The list's `view`, cards or table, is not
# read here at all but by initiatives.browsing, so the API, feeds and exports never see it.)
DISPLAY_OPTIONS = ("sort",)


class SlugMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Several slugs (or codes), each checked for shape before it reaches the database."""

    def __init__(self, *args, label_for_errors, normalise=str.lower, **kwargs):
        self.label_for_errors = label_for_errors
        self.normalise = normalise
        super().__init__(*args, **kwargs)

    def clean(self, value):
        values = [self.normalise(v.strip()) for v in (value or []) if v.strip()]
        if len(values) > MAX_VALUES:
            raise ValidationError(
                _("Too many values for %(what)s: at most %(max)d.") % {"what": self.label_for_errors, "max": MAX_VALUES}
            )
        for item in values:
            if not SLUG_RE.match(item):
                raise ValidationError(
                    _("“%(value)s” is not a valid %(what)s.") % {"value": item[:60], "what": self.label_for_errors}
                )
        try:
            return super().clean(list(dict.fromkeys(values)))
        except ValidationError as error:
            if error.code == "invalid_choice":
                raise ValidationError(
                    _("Unknown %(what)s: “%(value)s”.")
                    % {"what": self.label_for_errors, "value": error.params["value"]},
                    code="invalid_choice",
                ) from None
            raise


class SlugFilter(django_filters.ModelMultipleChoiceFilter):
    """Rows named by slug in the URL (or another code given as to_field_name), repeatable."""

    field_class = SlugMultipleChoiceField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("to_field_name", "slug")
        super().__init__(*args, **kwargs)


class YearsField(forms.Field):
    """One or more years, repeated in the query (year=2020&year=2021)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        values = [v.strip() for v in (value or []) if v.strip()]
        if len(values) > MAX_VALUES:
            raise ValidationError(_("Too many years: at most %(max)d.") % {"max": MAX_VALUES})
        years = []
        for item in values:
            if not (item.isascii() and item.isdigit() and len(item) <= 4 and MIN_YEAR <= int(item) <= MAX_YEAR):
                raise ValidationError(
                    _("“%(value)s” is not a year between %(min)d and %(max)d.")
                    % {"value": item[:20], "min": MIN_YEAR, "max": MAX_YEAR}
                )
            years.append(int(item))
        return sorted(set(years))


class YearsFilter(django_filters.Filter):
    field_class = YearsField


class ChoicesField(django_filters.fields.MultipleChoiceField):
    """Several values from a fixed list (an initiative's status, a need's state): trimmed, lower-cased, capped."""

    def __init__(self, *args, label_for_errors, **kwargs):
        self.label_for_errors = label_for_errors
        super().__init__(*args, **kwargs)

    def clean(self, value):
        if value and len(value) > MAX_VALUES:
            raise ValidationError(
                _("Too many values for %(what)s: at most %(max)d.") % {"what": self.label_for_errors, "max": MAX_VALUES}
            )
        return super().clean(list(dict.fromkeys(v.strip().lower() for v in value or [] if v.strip())))


class ChoicesFilter(django_filters.MultipleChoiceFilter):
    field_class = ChoicesField


class FlagField(forms.Field):
    """A checkbox in the URL: 1/true/on/yes or 0/false/off/no (or absent)."""

    widget = forms.TextInput  # the raw text, so that a bad value is an error, not "on"

    def to_python(self, value):
        if isinstance(value, list | tuple):  # a dict of lists, as callers may pass a query: the last value wins
            value = value[-1] if value else ""
        text = str(value or "").strip().lower()
        if text in {"", "0", "false", "off", "no"}:
            return False
        if text in {"1", "true", "on", "yes"}:
            return True
        raise ValidationError(_("“%(value)s” is not a yes or no (use 1 or 0).") % {"value": text[:20]})


class FlagFilter(django_filters.Filter):
    field_class = FlagField


def filter_for(dimension: Dimension) -> django_filters.Filter:
    """The URL parameter of one dimension."""
    common = {"field_name": dimension.name, "label": dimension.label, "method": f"filter_{dimension.kind}"}
    if dimension.kind == "status":
        return ChoicesFilter(
            choices=Initiative.Status.choices,
            label_for_errors=dimension.error_label,
            error_messages={"invalid_choice": gettext_lazy("Unknown status: “%(value)s”.")},
            **common,
        )
    if dimension.kind == "year":
        return YearsFilter(**common)
    queryset, extra = {
        "region": (Region.objects.all(), {}),
        "country": (Country.objects.all(), {"to_field_name": "iso2", "normalise": str.upper}),
        "term": (Term.objects.of(dimension.vocabulary), {}),
        # Only public organisations: one taking part only in unpublished initiatives is unknown here,
        # so its slug answers exactly as a made-up one (400), not with its name in a chip.
        "organisation": (Organisation.objects.public(), {}),
        "source": (Source.objects.all(), {}),
    }[dimension.kind]
    return SlugFilter(queryset=queryset, label_for_errors=dimension.error_label, **extra, **common)


class InitiativeFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=gettext_lazy("Search"), max_length=200, method="filter_q")
    specific = FlagFilter(label=gettext_lazy("Only those that target the place itself"), method="filter_noop")
    sort = django_filters.ChoiceFilter(
        label=gettext_lazy("Sort by"),
        choices=[(key, label) for key, (_, label) in SORTS.items()],
        method="filter_noop",
        empty_label=gettext_lazy("Relevance"),
        error_messages={"invalid_choice": gettext_lazy("Unknown sort order: “%(value)s”.")},
    )

    class Meta:
        model = Initiative
        fields: list[str] = []

    @property
    def specific_only(self) -> bool:
        return bool(self.form.cleaned_data.get("specific"))

    # --- one method per kind of dimension; each narrows with one semi-join, so no row repeats

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return search(queryset, value) if value.strip() else queryset

    def filter_region(self, queryset, name, value):
        if not value:
            return queryset
        rows = RegionReach.objects.filter(region__in=[region.pk for region in value])
        if self.specific_only:
            rows = rows.filter(specific=True)
        return queryset.filter(pk__in=rows.values("initiative_id"))

    def filter_country(self, queryset, name, value):
        if not value:
            return queryset
        rows = FootprintCountry.objects.filter(country__in=[country.pk for country in value])
        if self.specific_only:
            rows = rows.filter(reach=Reach.COUNTRY)
        return queryset.filter(pk__in=rows.values("initiative_id"))

    def filter_term(self, queryset, name, value):
        if not value:
            return queryset
        rows = TermMembership.objects.filter(term__in=[term.pk for term in value])
        return queryset.filter(pk__in=rows.values("initiative_id"))

    def filter_organisation(self, queryset, name, value):
        if not value:
            return queryset
        rows = Participation.objects.filter(
            role=DIMENSION_ROLES[name], organisation__in=[organisation.pk for organisation in value]
        )
        return queryset.filter(pk__in=rows.values("initiative_id"))

    def filter_source(self, queryset, name, value):
        if not value:
            return queryset
        rows = SourceRecord.objects.filter(source__in=[source.pk for source in value])
        return queryset.filter(pk__in=rows.values("initiative_id"))

    def filter_status(self, queryset, name, value):
        return queryset.filter(status__in=value) if value else queryset

    def filter_year(self, queryset, name, value):
        if not value:
            return queryset
        active = Q()
        for year in value:
            active |= Q(start_date__lte=datetime.date(year, 12, 31)) & (
                Q(end_date__isnull=True) | Q(end_date__gte=datetime.date(year, 1, 1))
            )
        return queryset.filter(active)

    def filter_noop(self, queryset, name, value):
        return queryset  # `specific` qualifies the place filters; ordering is applied last

    # --- applying them

    def filter_queryset(self, queryset: QuerySet, exclude: frozenset[str] = frozenset()) -> QuerySet:
        """Apply every valid filter except those named in `exclude`, then order."""
        for name, value in self.form.cleaned_data.items():
            if name not in exclude:
                queryset = self.filters[name].filter(queryset, value)
        return self.order(queryset)

    def order(self, queryset: QuerySet) -> QuerySet:
        sort = self.form.cleaned_data.get("sort")
        if sort:
            return queryset.order_by(SORTS[sort][0], BY_TITLE, "pk")
        if self.form.cleaned_data.get("q", "").strip():
            return queryset.order_by("-rank", BY_TITLE, "pk")
        return queryset.order_by(BY_TITLE, "pk")

    def without(self, name: str) -> QuerySet:
        """The set matched by every other active filter: what a facet's counts are counted in."""
        return self.filter_queryset(self.queryset.all(), exclude=frozenset({name, *DISPLAY_OPTIONS})).order_by()

    def active_values(self) -> dict:
        """The cleaned values of every active filter (the sort aside), for chips and summaries."""
        return {name: value for name, value in self.form.cleaned_data.items() if name not in DISPLAY_OPTIONS and value}


# One parameter per dimension, between `q` and `specific` (the order of the form's fields).
_declared = InitiativeFilter.base_filters
InitiativeFilter.base_filters = {
    "q": _declared["q"],
    **{dimension.name: filter_for(dimension) for dimension in DIMENSIONS},
    "specific": _declared["specific"],
    "sort": _declared["sort"],
}
DIMENSION_ROLES = {dimension.name: dimension.role for dimension in DIMENSIONS if dimension.kind == "organisation"}


def published_filter(data) -> InitiativeFilter:
    """The FilterSet for a query over published initiatives: every public list starts here."""
    return InitiativeFilter(data, queryset=Initiative.objects.published())


def filter_labels(value) -> list[str]:
    """How a cleaned filter value reads in a URL: slugs, ISO codes, years or the text itself."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, bool):
        return ["1"]
    return [getattr(item, "slug", None) or getattr(item, "iso2", None) or str(item) for item in value]
