"""Dates kept as precisely as they were given: a year, a month or a day (Initiative.*_precision)."""

import datetime

from django.utils import formats

YEAR, MONTH, DAY = "year", "month", "day"


def as_text(value: datetime.date | None, precision: str) -> str:
    """ISO 8601 at the date's precision: "2021", "2021-03" or "2021-03-05"; "" for no date."""
    if value is None:
        return ""
    if precision == YEAR:
        return f"{value.year:04d}"
    if precision == MONTH:
        return f"{value.year:04d}-{value.month:02d}"
    return value.isoformat()


def display(value: datetime.date | None, precision: str) -> str:
    """For people, in the active language: "2021", "March 2021" or "5 March 2021"; "mars 2021",
    "5 mars 2021"; "marzo de 2021", "5 de marzo de 2021" (ccb_portal/formats)."""
    if value is None:
        return ""
    if precision == YEAR:
        return str(value.year)
    if precision == MONTH:
        return formats.date_format(value, "YEAR_MONTH_FORMAT")
    return formats.date_format(value, "DATE_FORMAT")
