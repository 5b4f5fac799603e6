"""What a /needs/ query means: the FilterSet of needs, validated the way initiatives.filters validates the list.

Parameters: `q` (words in the title, description or where it was stated),
`region` (needs of a country in the region, of the region itself, or of a region
within it: a sub-region, or a grouping all of whose members are in it), `country`
(ISO alpha-2: the needs that country stated), `topic` and `audience` (term slugs;
a parent covers its children), `state` (open, partly_met, met). Repeated values
of one parameter are ORed, different parameters are ANDed. Unknown slugs, bad
states and too many values make the FilterSet invalid.
"""

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy

from initiatives.dimensions import BY_NAME
from initiatives.filters import ChoicesFilter, filter_for
from initiatives.selectors import ordered_regions
from insights.models import Need
from insights.places import regions_within
from taxonomy.models import Country, Term, Tree, collation_key

MAX_WORDS = 10


class NeedFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=gettext_lazy("Search"), max_length=200, method="filter_q")
    # The place and term parameters mean what they mean on the list: declared once, in initiatives.dimensions
    # (the methods below read them for needs).
    region = filter_for(BY_NAME["region"])
    country = filter_for(BY_NAME["country"])
    topic = filter_for(BY_NAME["topic"])
    audience = filter_for(BY_NAME["audience"])
    state = ChoicesFilter(
        label=gettext_lazy("State"),
        label_for_errors=gettext_lazy("state"),
        choices=Need.State.choices,
        method="filter_state",
        error_messages={"invalid_choice": gettext_lazy("Unknown state: “%(value)s”.")},
    )

    class Meta:
        model = Need
        fields: list[str] = []

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        words = value.split()
        if len(words) > MAX_WORDS:
            words = words[:MAX_WORDS]  # a sentence pasted in: its first words are enough to narrow
        for word in words:
            queryset = queryset.filter(
                Q(title__icontains=word) | Q(description__icontains=word) | Q(stated_in__icontains=word)
            )
        return queryset

    def filter_region(self, queryset, name, value):
        if not value:
            return queryset
        # Facet counts apply this filter again (once per facet): read the region taxonomy once.
        key = tuple(region.pk for region in value)
        if getattr(self, "_regions_within", (None,))[0] != key:
            self._regions_within = (key, regions_within(value))
        countries, regions = self._regions_within[1]
        return queryset.filter(Q(country__in=countries) | Q(region__in=regions))

    def filter_country(self, queryset, name, value):
        return queryset.filter(country__in=[country.pk for country in value]) if value else queryset

    def filter_term(self, queryset, name, value):
        if not value:
            return queryset
        terms = Tree(Term.objects).descendants(term.pk for term in value)
        through = Need.topics.through if name == "topic" else Need.audiences.through
        return queryset.filter(pk__in=through.objects.filter(term__in=terms).values("need_id"))

    def filter_state(self, queryset, name, value):
        return queryset.filter(state__in=value) if value else queryset

    # --- applying them

    def filter_queryset(self, queryset: QuerySet, exclude: frozenset[str] = frozenset()) -> QuerySet:
        for name, value in self.form.cleaned_data.items():
            if name not in exclude:
                queryset = self.filters[name].filter(queryset, value)
        return queryset

    def without(self, name: str) -> QuerySet:
        """The needs matched by every other active filter: what a facet's counts are counted in."""
        return self.filter_queryset(self.queryset.all(), exclude=frozenset({name})).order_by()

    def active_values(self) -> dict:
        return {name: value for name, value in self.form.cleaned_data.items() if value}


def published_need_filter(data) -> NeedFilter:
    """The FilterSet for a query over published needs: every public list of needs starts here."""
    return NeedFilter(data, queryset=Need.objects.published())


def place_options(filterset: NeedFilter) -> dict:
    """The region and country choices of the /needs/ form: every region, and the countries that stated needs."""
    cleaned = getattr(filterset.form, "cleaned_data", {})
    regions = [region.slug for region in cleaned.get("region") or []]
    countries = [country.iso2 for country in cleaned.get("country") or []]
    with_needs = Country.objects.filter(Q(pk__in=Need.objects.published().values("country_id")) | Q(pk__in=countries))
    return {
        "region_options": [(region.slug, "– " * depth + region.display_name) for region, depth in ordered_regions()],
        "region_chosen": regions[:1],
        "region_also": regions[1:],  # further regions ride along hidden (region=a&region=b)
        "country_options": sorted(
            with_needs.only("iso2", "name", "name_fr", "name_es"),
            key=lambda country: collation_key(country.display_name),
        ),
        "country_chosen": countries[:1],
        "country_also": countries[1:],
    }
