"""Dates kept as precisely as they were given: a year, a month or a day."""

import datetime

from initiatives.models import DatePrecision


def as_text(value: datetime.date | None, precision: str) -> str:
    """ISO 8601 at the date's precision: "2021", "2021-03" or "2021-03-05"; "" for no date."""
    if value is None:
        return ""
    if precision == DatePrecision.YEAR:
        return f"{value.year:04d}"
    if precision == DatePrecision.MONTH:
        return f"{value.year:04d}-{value.month:02d}"
    return value.isoformat()
