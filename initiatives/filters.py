"""What a URL query means: the one FilterSet behind the HTML lists and the CSV export (and any future API).

Repeated values of one parameter are ORed, different parameters are ANDed.
A region covers its sub-regions and its countries; a parent term covers its
children. Invalid input (unknown slugs, bad years, unknown sort) makes the
FilterSet invalid: views must check is_valid() and say so rather than
silently show an unfiltered list.
"""

import datetime
import re

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import F, Q, QuerySet
from django.db.models.functions import Lower
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from initiatives.models import Initiative, Organisation, Participation
from initiatives.search import search
from initiatives.selectors import in_regions_q, with_term_children
from taxonomy.models import Country, Region, Term, Tree

MAX_VALUES = 30  # per parameter; more is not a real query
SLUG_RE = re.compile(r"^[-a-zA-Z0-9_]{1,100}$")
MIN_YEAR, MAX_YEAR = 1990, 2100

TERM_THROUGH = {
    "topic": Initiative.topics.through,
    "audience": Initiative.audiences.through,
    "modality": Initiative.modalities.through,
}

BY_TITLE = Lower("title").asc()
SORTS = {
    "title": (BY_TITLE, gettext_lazy("Title (A–Z)")),
    "-start": (F("start_date").desc(nulls_last=True), gettext_lazy("Start date (newest first)")),
    "-updated": (F("updated_at").desc(), gettext_lazy("Recently updated")),
}


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


class StatusField(django_filters.fields.MultipleChoiceField):
    def clean(self, value):
        if value and len(value) > MAX_VALUES:
            raise ValidationError(
                _("Too many values for %(what)s: at most %(max)d.") % {"what": _("status"), "max": MAX_VALUES}
            )
        return super().clean(list(dict.fromkeys(v.strip().lower() for v in value or [] if v.strip())))


class StatusFilter(django_filters.MultipleChoiceFilter):
    field_class = StatusField


class InitiativeFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=gettext_lazy("Search"), max_length=200, method="filter_q")
    region = SlugFilter(
        label=gettext_lazy("Region"),
        queryset=Region.objects.all(),
        label_for_errors=gettext_lazy("region"),
        method="filter_region",
    )
    country = SlugFilter(
        label=gettext_lazy("Country"),
        queryset=Country.objects.all(),
        to_field_name="iso2",
        label_for_errors=gettext_lazy("country code"),
        normalise=str.upper,
        method="filter_country",
    )
    topic = SlugFilter(
        label=gettext_lazy("Topic"),
        queryset=Term.objects.topics(),
        label_for_errors=gettext_lazy("topic"),
        method="filter_terms",
    )
    audience = SlugFilter(
        label=gettext_lazy("Target users"),
        queryset=Term.objects.audiences(),
        label_for_errors=gettext_lazy("target user"),
        method="filter_terms",
    )
    modality = SlugFilter(
        label=gettext_lazy("Modality"),
        queryset=Term.objects.modalities(),
        label_for_errors=gettext_lazy("modality"),
        method="filter_terms",
    )
    implementer = SlugFilter(
        label=gettext_lazy("Implementer"),
        queryset=Organisation.objects.all(),
        label_for_errors=gettext_lazy("organisation"),
        method="filter_participant",
    )
    funder = SlugFilter(
        label=gettext_lazy("Funder"),
        queryset=Organisation.objects.all(),
        label_for_errors=gettext_lazy("organisation"),
        method="filter_participant",
    )
    status = StatusFilter(
        label=gettext_lazy("Status"),
        choices=Initiative.Status.choices,
        method="filter_status",
        error_messages={"invalid_choice": gettext_lazy("Unknown status: “%(value)s”.")},
    )
    year = YearsFilter(label=gettext_lazy("Active in year"), method="filter_year")
    sort = django_filters.ChoiceFilter(
        label=gettext_lazy("Sort by"),
        choices=[(key, label) for key, (_, label) in SORTS.items()],
        method="filter_noop",
        empty_label=gettext_lazy("Relevance"),
        error_messages={"invalid_choice": gettext_lazy("Unknown sort order: “%(value)s”.")},
    )

    ROLES = {"implementer": Participation.Role.IMPLEMENTER, "funder": Participation.Role.FUNDER}

    class Meta:
        model = Initiative
        fields: list[str] = []

    # The hierarchies, read once per query however many filters and facets walk them.
    @cached_property
    def region_tree(self) -> Tree:
        return Tree(Region.objects)

    @cached_property
    def term_tree(self) -> Tree:
        return Tree(Term.objects)

    # --- one method per parameter; each narrows with a subquery so no row repeats

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return search(queryset, value) if value.strip() else queryset

    def filter_region(self, queryset, name, value):
        return queryset.filter(in_regions_q(value, self.region_tree)) if value else queryset

    def filter_country(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(
            pk__in=Initiative.countries.through.objects.filter(country__in=value).values("initiative_id")
        )

    def filter_terms(self, queryset, name, value):
        if not value:
            return queryset
        through = TERM_THROUGH[name]
        return queryset.filter(
            pk__in=through.objects.filter(term__in=with_term_children(value, self.term_tree)).values("initiative_id")
        )

    def filter_participant(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(
            pk__in=Participation.objects.filter(role=self.ROLES[name], organisation__in=value).values("initiative_id")
        )

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
        return queryset  # ordering is applied last, in filter_queryset

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
        return self.filter_queryset(self.queryset.all(), exclude=frozenset({name, "sort"})).order_by()

    def active_values(self) -> dict:
        """The cleaned values of every active filter (sort aside), for chips and summaries."""
        return {name: value for name, value in self.form.cleaned_data.items() if name != "sort" and value}


def published_filter(data) -> InitiativeFilter:
    """The FilterSet for a query over published initiatives: every public list starts here."""
    return InitiativeFilter(data, queryset=Initiative.objects.published())


def filter_labels(value) -> list[str]:
    """How a cleaned filter value reads in a URL: slugs, ISO codes, years or the text itself."""
    if isinstance(value, str):
        return [value]
    return [getattr(item, "slug", None) or getattr(item, "iso2", None) or str(item) for item in value]
