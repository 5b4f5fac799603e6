"""Each way of slicing the initiatives, declared once.

The FilterSet (filters.py) builds one URL parameter per dimension, the facets
(selectors.py) count along them, the CSV export (exports.py) writes their
columns, cards prefetch their relation and the admin filters by them, all from
this list. Adding a vocabulary-backed dimension is one line here.
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Dimension:
    name: str  # the URL parameter
    label: Promise  # the facet heading and chip label
    kind: str  # region, country, term, organisation, status, year or source
    error_label: Promise = _("value")  # how an invalid value is named in an error message
    vocabulary: str = ""  # term dimensions: the Vocabulary slug
    role: str = ""  # organisation dimensions: the Participation role
    relation: str = ""  # the Initiative field cards and CSV read (countries, topics...)
    csv_column: str = ""  # the CSV column holding it, if any
    facet: bool = True  # shown as a facet on the list page


DIMENSIONS: tuple[Dimension, ...] = (
    Dimension("region", _("Region"), "region", _("region"), relation="regions", csv_column="regions"),
    Dimension("country", _("Country"), "country", _("country code"), relation="countries", csv_column="countries"),
    Dimension("topic", _("Topic"), "term", _("topic"), vocabulary="topic", relation="topics", csv_column="topics"),
    Dimension(
        "audience",
        _("Target users"),
        "term",
        _("target user"),
        vocabulary="audience",
        relation="audiences",
        csv_column="audiences",
    ),
    Dimension(
        "modality",
        _("Modality"),
        "term",
        _("modality"),
        vocabulary="modality",
        relation="modalities",
        csv_column="modalities",
    ),
    Dimension("status", _("Status"), "status", _("status"), csv_column="status"),
    Dimension(
        "implementer",
        _("Implementer"),
        "organisation",
        _("organisation"),
        role="implementer",
        csv_column="implementers",
    ),
    Dimension("funder", _("Funder"), "organisation", _("organisation"), role="funder", csv_column="funders"),
    Dimension("year", _("Active in year"), "year", _("year"), facet=False),
    # Initiatives recorded by another mapping (a Source), linked from the mappings overview.
    Dimension("source", _("Mapping"), "source", _("mapping"), facet=False),
)

BY_NAME = {dimension.name: dimension for dimension in DIMENSIONS}
FACET_NAMES = tuple(dimension.name for dimension in DIMENSIONS if dimension.facet)
TERM_DIMENSIONS = tuple(dimension for dimension in DIMENSIONS if dimension.kind == "term")
