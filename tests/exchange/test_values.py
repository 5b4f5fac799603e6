"""Dates, periods and budgets as other mappings write them (exchange.values): pure functions, no database."""

import datetime
from decimal import Decimal

import pytest

from exchange.values import (
    Budget,
    PartialDate,
    Period,
    UnreadableValue,
    end_from_duration,
    parse_budget,
    parse_date,
    parse_period,
)

D = datetime.date
EXPECTED_DATE = "expected a year (2021), a month (2021-03, Mar 2016) or a day (2021-03-05, 18.01.2019, 1/10/2017)"
EXPECTED_PERIOD = (
    'expected two dates joined by "-", "–" or "to" (2016-2019, Mar 2016 - Dec 2018), "since 2018" or "until 2020"'
)
EXPECTED_BUDGET = "expected an amount with its currency (EUR 9 000 000, £10 million, USD 2.5m, CHF 100'000 - 500'000)"


def raised(function, *args, **kwargs) -> UnreadableValue:
    with pytest.raises(UnreadableValue) as caught:
        function(*args, **kwargs)
    return caught.value


# --- parse_date ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, value, precision, ambiguous",
    [
        ("2021", D(2021, 1, 1), "year", False),
        ("2021.0", D(2021, 1, 1), "year", False),  # a year from a spreadsheet column of numbers
        ("2021-03", D(2021, 3, 1), "month", False),
        ("2021-3", D(2021, 3, 1), "month", False),
        ("2021/03", D(2021, 3, 1), "month", False),
        ("03/2021", D(2021, 3, 1), "month", False),
        ("01/2017", D(2017, 1, 1), "month", False),
        ("Mar 2016", D(2016, 3, 1), "month", False),
        ("March 2016", D(2016, 3, 1), "month", False),
        ("Sept. 2019", D(2019, 9, 1), "month", False),
        ("mars 2016", D(2016, 3, 1), "month", False),
        ("févr. 2016", D(2016, 2, 1), "month", False),
        ("Août 2018", D(2018, 8, 1), "month", False),
        ("marzo 2016", D(2016, 3, 1), "month", False),
        ("marzo de 2016", D(2016, 3, 1), "month", False),
        ("Jan-2019", D(2019, 1, 1), "month", False),
        ("1/10/2017", D(2017, 10, 1), "day", True),
        ("13/10/2017", D(2017, 10, 13), "day", False),
        ("10/13/2017", D(2017, 10, 13), "day", False),
        ("5/5/2017", D(2017, 5, 5), "day", False),  # the same date either way round
        ("18.01.2019", D(2019, 1, 18), "day", False),
        ("01.02.2019", D(2019, 2, 1), "day", False),  # dotted dates are written day first
        ("18-01-2019", D(2019, 1, 18), "day", False),
        ("2019-01-18", D(2019, 1, 18), "day", False),
        ("2019/01/18", D(2019, 1, 18), "day", False),
        ("18 January 2019", D(2019, 1, 18), "day", False),
        ("18th January 2019", D(2019, 1, 18), "day", False),
        ("January 18, 2019", D(2019, 1, 18), "day", False),
        ("Jan 18 2019", D(2019, 1, 18), "day", False),
        ("18-Jan-2019", D(2019, 1, 18), "day", False),
        ("1er mars 2016", D(2016, 3, 1), "day", False),
        ("18 de enero de 2019", D(2019, 1, 18), "day", False),
        ("2019-01-18T10:00:00Z", D(2019, 1, 18), "day", False),
        ("2019-01-18T23:30:00+02:00", D(2019, 1, 18), "day", False),  # the date as written, no time zone sums
        ("2019-01-18 00:00:00", D(2019, 1, 18), "day", False),
        ("2020-02-29", D(2020, 2, 29), "day", False),
    ],
)
def test_parse_date_reads_each_form_with_its_precision(text, value, precision, ambiguous):
    assert parse_date(text) == PartialDate(value, precision, text, ambiguous)


@pytest.mark.parametrize(
    "text, value, precision",
    [
        ("  2021 ", D(2021, 1, 1), "year"),
        ("\u00a0Mar  2016\t", D(2016, 3, 1), "month"),
        ("18 / 01 / 2019", D(2019, 1, 18), "day"),
        ("January 18 ,  2019", D(2019, 1, 18), "day"),
    ],
)
def test_parse_date_ignores_stray_spaces_and_keeps_the_text_stripped(text, value, precision):
    date = parse_date(text)
    assert (date.value, date.precision, date.text) == (value, precision, text.strip())


@pytest.mark.parametrize(
    "text, value, ambiguous",
    [
        ("1/10/2017", D(2017, 1, 10), True),
        ("13/10/2017", D(2017, 10, 13), False),
        ("10/13/2017", D(2017, 10, 13), False),
        ("18.01.2019", D(2019, 1, 18), False),
        ("01.02.2019", D(2019, 2, 1), False),  # dots stay day first
    ],
)
def test_parse_date_month_first(text, value, ambiguous):
    date = parse_date(text, day_first=False)
    assert (date.value, date.precision, date.ambiguous) == (value, "day", ambiguous)


@pytest.mark.parametrize(
    "text", ["", "   ", "n/a", "N/A", "-", "—", "?", "unknown", "Unknown", "tbd", "none", "ongoing", "Present"]
)
def test_parse_date_gives_none_for_no_date(text):
    assert parse_date(text) is None


@pytest.mark.parametrize(
    "text, reason",
    [
        ("Q3 2019", EXPECTED_DATE),
        ("next year", EXPECTED_DATE),
        ("2019.5", EXPECTED_DATE),  # a number, not May 2019
        ("31/02/2019", "31 February 2019 does not exist"),
        ("2019-02-29", "29 February 2019 does not exist"),
        ("30 February 2020", "30 February 2020 does not exist"),
        ("2019-13", "there is no month 13"),
        ("2021-00", "there is no month 0"),
        ("2019-13-01", "there is no month 13"),
        ("13/14/2019", "neither 13 nor 14 can be a month"),
        ("1/10/17", "the year needs four digits (2017, not 17)"),
        ("43466", "it looks like a spreadsheet serial number; save the column as dates (2019-01-18), not numbers"),
        ("43466.5", "it looks like a spreadsheet serial number; save the column as dates (2019-01-18), not numbers"),
        ("3019", "the year 3019 is outside 1900–2100"),
        ("1/10/1850", "the year 1850 is outside 1900–2100"),
        ("early 2019", '"early" is not a month name (English, French or Spanish)'),
        ("Marhc 2016", '"marhc" is not a month name (English, French or Spanish)'),
    ],
)
def test_parse_date_refuses_with_a_message_naming_the_text(text, reason):
    error = raised(parse_date, text)
    assert str(error) == f'Cannot read "{text}" as a date: {reason}.'
    assert error.text == text


def test_unreadable_value_is_a_value_error():
    assert issubclass(UnreadableValue, ValueError)


@pytest.mark.parametrize(
    "text, last_day",
    [
        ("2021", D(2021, 12, 31)),
        ("2021-02", D(2021, 2, 28)),
        ("Feb 2020", D(2020, 2, 29)),
        ("2021-04", D(2021, 4, 30)),
        ("2019-01-18", D(2019, 1, 18)),
    ],
)
def test_as_end_gives_the_last_day_of_the_same_period(text, last_day):
    start = parse_date(text)
    end = start.as_end()
    assert end == PartialDate(last_day, start.precision, text, start.ambiguous)
    assert end.as_end() == end


def test_as_end_keeps_the_ambiguity():
    assert parse_date("1/10/2017").as_end().ambiguous is True


# --- parse_period -------------------------------------------------------------------------------------------


def ends(period: Period):
    """(start value, start precision, end value, end precision), None for a missing end."""
    start = (period.start.value, period.start.precision) if period.start else (None, None)
    end = (period.end.value, period.end.precision) if period.end else (None, None)
    return start + end


YEARS_2016_2019 = (D(2016, 1, 1), "year", D(2019, 12, 31), "year")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2016-2019", YEARS_2016_2019),
        ("2016 – 2019", YEARS_2016_2019),
        ("2016–2019", YEARS_2016_2019),
        ("2016 — 2019", YEARS_2016_2019),
        ("2016 - 2019", YEARS_2016_2019),
        ("2016 to 2019", YEARS_2016_2019),
        ("2016/2019", YEARS_2016_2019),
        ("from 2016 to 2019", YEARS_2016_2019),
        ("2016/17", (D(2016, 1, 1), "year", D(2017, 12, 31), "year")),
        ("2016-17", (D(2016, 1, 1), "year", D(2017, 12, 31), "year")),
        ("2019/20", (D(2019, 1, 1), "year", D(2020, 12, 31), "year")),
        ("1999/00", (D(1999, 1, 1), "year", D(2000, 12, 31), "year")),
        ("Mar 2016 - Dec 2018", (D(2016, 3, 1), "month", D(2018, 12, 31), "month")),
        ("Mar 2016-Dec 2018", (D(2016, 3, 1), "month", D(2018, 12, 31), "month")),
        ("Mar - Dec 2018", (D(2018, 3, 1), "month", D(2018, 12, 31), "month")),
        ("March–December 2018", (D(2018, 3, 1), "month", D(2018, 12, 31), "month")),
        ("2018-03 to 2020-06", (D(2018, 3, 1), "month", D(2020, 6, 30), "month")),
        ("2018-03-2020-06", (D(2018, 3, 1), "month", D(2020, 6, 30), "month")),
        ("01/2017 to 06/2019", (D(2017, 1, 1), "month", D(2019, 6, 30), "month")),
        ("de marzo 2016 a diciembre 2018", (D(2016, 3, 1), "month", D(2018, 12, 31), "month")),
        ("2016 - Jun 2018", (D(2016, 1, 1), "year", D(2018, 6, 30), "month")),
        ("01/02/2016-31/12/2018", (D(2016, 2, 1), "day", D(2018, 12, 31), "day")),
        ("du 01/02/2016 au 31/12/2018", (D(2016, 2, 1), "day", D(2018, 12, 31), "day")),
        ("2019-01-18 - 2020-01-17", (D(2019, 1, 18), "day", D(2020, 1, 17), "day")),
        ("2019", (D(2019, 1, 1), "year", D(2019, 12, 31), "year")),  # a single date is a period of its own
        ("2018-03", (D(2018, 3, 1), "month", D(2018, 3, 31), "month")),  # ISO month, not 2018-2003
        ("since 2018", (D(2018, 1, 1), "year", None, None)),
        ("Since March 2018", (D(2018, 3, 1), "month", None, None)),
        ("from 2018", (D(2018, 1, 1), "year", None, None)),
        ("depuis 2018", (D(2018, 1, 1), "year", None, None)),
        ("2018 onwards", (D(2018, 1, 1), "year", None, None)),
        ("2018 -", (D(2018, 1, 1), "year", None, None)),
        ("2018 – ongoing", (D(2018, 1, 1), "year", None, None)),
        ("2018 - present", (D(2018, 1, 1), "year", None, None)),
        ("until 2020", (None, None, D(2020, 12, 31), "year")),
        ("until June 2020", (None, None, D(2020, 6, 30), "month")),
        ("- 2020", (None, None, D(2020, 12, 31), "year")),
        ("", (None, None, None, None)),
        ("n/a", (None, None, None, None)),
        ("ongoing", (None, None, None, None)),
    ],
)
def test_parse_period_reads_each_form(text, expected):
    assert ends(parse_period(text)) == expected


def test_parse_period_keeps_each_end_with_its_own_text():
    period = parse_period("Mar 2016 - Dec 2018")
    assert period == Period(
        PartialDate(D(2016, 3, 1), "month", "Mar 2016"), PartialDate(D(2018, 12, 31), "month", "Dec 2018")
    )


def test_parse_period_carries_ambiguous_days_and_the_order():
    period = parse_period("1/10/2017 - 2/3/2018")
    assert (period.start.value, period.start.ambiguous) == (D(2017, 10, 1), True)
    assert (period.end.value, period.end.ambiguous) == (D(2018, 3, 2), True)
    period = parse_period("1/10/2017 - 1/12/2017", day_first=False)
    assert (period.start.value, period.end.value) == (D(2017, 1, 10), D(2017, 1, 12))


@pytest.mark.parametrize(
    "text, message",
    [
        ("2019-2016", 'Cannot read "2019-2016" as a period: it ends (2016) before it starts (2019).'),
        (
            "Dec 2018 - Mar 2016",
            'Cannot read "Dec 2018 - Mar 2016" as a period: it ends (Mar 2016) before it starts (Dec 2018).',
        ),
        ("2016-15", 'Cannot read "2016-15" as a period: it ends (2016-15) before it starts (2016-15).'),
        (
            "2011-12",
            'Cannot read "2011-12" as a period: it could be a month (Dec 2011) or two years (2011-2012); '
            "write 2011-2012 for the years or Dec 2011 for the month.",
        ),
        (
            "2010/11",
            'Cannot read "2010/11" as a period: it could be a month (Nov 2010) or two years (2010-2011); '
            "write 2010-2011 for the years or Nov 2010 for the month.",
        ),
        ("31/02/2019 - 2020", 'Cannot read "31/02/2019" as a date: 31 February 2019 does not exist.'),
        ("31/02/2019-2020", 'Cannot read "31/02/2019" as a date: 31 February 2019 does not exist.'),
        ("2016 - Q3 2019", f'Cannot read "Q3 2019" as a date: {EXPECTED_DATE}.'),
        ("2016 - 2018 - 2019", f'Cannot read "2016 - 2018 - 2019" as a period: {EXPECTED_PERIOD}.'),
        ("sometime", f'Cannot read "sometime" as a period: {EXPECTED_PERIOD}.'),
        ("2016-03-2017", f'Cannot read "2016-03-2017" as a period: {EXPECTED_PERIOD}.'),  # two readings
    ],
)
def test_parse_period_refuses_with_a_message_naming_the_text(text, message):
    assert str(raised(parse_period, text)) == message


# --- end_from_duration --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "start, duration, value, precision",
    [
        ("2016", "66 months", D(2021, 6, 30), "month"),  # January 2016 to June 2021
        ("2019", "3 years", D(2021, 12, 31), "year"),
        ("2019", "1 year", D(2019, 12, 31), "year"),
        ("2019", "3 años", D(2021, 12, 31), "year"),
        ("2019", "3 ans", D(2021, 12, 31), "year"),
        ("2016", "18 mois", D(2017, 6, 30), "month"),
        ("2016", "24 meses", D(2017, 12, 31), "month"),
        ("2016", "18-month", D(2017, 6, 30), "month"),
        ("2019", "1.5 years", D(2020, 6, 30), "month"),
        ("2019", "1,5 ans", D(2020, 6, 30), "month"),
        ("2019", "12 months", D(2019, 12, 31), "month"),  # months stay months, even from a year
        ("Jan 2016", "1 month", D(2016, 1, 31), "month"),
        ("Mar 2019", "3 years", D(2022, 2, 28), "month"),
        ("Mar 2019", "36 months", D(2022, 2, 28), "month"),
        ("15/03/2019", "12 months", D(2020, 3, 31), "month"),  # ends 14 March 2020, known to the month
        ("2019-03-01", "12 months", D(2020, 2, 29), "month"),
        ("2016", " 66  months ", D(2021, 6, 30), "month"),
    ],
)
def test_end_from_duration(start, duration, value, precision):
    assert end_from_duration(parse_date(start), duration) == PartialDate(value, precision, duration.strip())


def test_end_from_duration_carries_the_start_ambiguity():
    assert end_from_duration(parse_date("1/10/2017"), "12 months").ambiguous is True
    assert end_from_duration(parse_date("13/10/2017"), "12 months").ambiguous is False


@pytest.mark.parametrize(
    "duration, reason",
    [
        ("3 weeks", "expected a number of months or years (66 months, 3 years, 18 mois, 24 meses)"),
        ("two years", "expected a number of months or years (66 months, 3 years, 18 mois, 24 meses)"),
        ("ongoing", "expected a number of months or years (66 months, 3 years, 18 mois, 24 meses)"),
        ("", "expected a number of months or years (66 months, 3 years, 18 mois, 24 meses)"),
        ("0 months", "expected a whole number of months, more than none"),
        ("1.3 months", "expected a whole number of months, more than none"),
    ],
)
def test_end_from_duration_refuses_with_a_message_naming_the_text(duration, reason):
    error = raised(end_from_duration, parse_date("2016"), duration)
    assert str(error) == f'Cannot read "{duration}" as a duration: {reason}.'


# --- parse_budget -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, amount, high, currency",
    [
        ("CHF 100'000 - 500'000", "100000", "500000", "CHF"),
        ("CHF 100’000 – 500’000", "100000", "500000", "CHF"),
        ("100 000 – 500 000 CHF", "100000", "500000", "CHF"),
        ("EUR 1m - EUR 2m", "1000000", "2000000", "EUR"),
        ("EUR 1m to 2m", "1000000", "2000000", "EUR"),
        ("EUR 1-2 million", "1000000", "2000000", "EUR"),  # the multiplier written once for both ends
        ("500,000 - 2 million USD", "500000", "2000000", "USD"),  # but not 500,000 million
        ("EUR 2m - 2m", "2000000", "2000000", "EUR"),
        ("up to EUR 2 million", "0", "2000000", "EUR"),  # at most 2 million: the band 0 to 2 million
        ("Up to CHF 500'000", "0", "500000", "CHF"),
        ("max. EUR 300,000", "0", "300000", "EUR"),
        ("Euro 8.347.000", "8347000", None, "EUR"),
        ("EUR 9 000 000", "9000000", None, "EUR"),
        ("EUR 9\u00a0000\u00a0000", "9000000", None, "EUR"),
        ("EUR 9\u202f000\u202f000", "9000000", None, "EUR"),
        ("£10 million", "10000000", None, "GBP"),
        ("10 million GBP", "10000000", None, "GBP"),
        ("USD 2.5m", "2500000", None, "USD"),
        ("$1.2bn", "1200000000", None, "USD"),  # "$" alone is taken as US dollars
        ("€ 1,5 Mio", "1500000", None, "EUR"),
        ("€2m", "2000000", None, "EUR"),
        ("2 M€", "2000000", None, "EUR"),
        ("MEUR 2.5", "2500000", None, "EUR"),
        ("500 kCHF", "500000", None, "CHF"),
        ("1,234,567.89 USD", "1234567.89", None, "USD"),
        ("1.234.567,89 EUR", "1234567.89", None, "EUR"),
        ("US$ 750,000", "750000", None, "USD"),
        ("2.5 million euros", "2500000", None, "EUR"),
        ("3 millones de euros", "3000000", None, "EUR"),
        ("2,5 millions d'euros", "2500000", None, "EUR"),
        ("JPY 100,000,000", "100000000", None, "JPY"),
        ("¥500", "500", None, "JPY"),
        ("Fr. 250'000", "250000", None, "CHF"),
        ("A$ 2m", "2000000", None, "AUD"),
        ("C$ 750 000", "750000", None, "CAD"),
        ("NOK 5 000 000", "5000000", None, "NOK"),
        ("SEK 1,5 Mio", "1500000", None, "SEK"),
        ("KES 5,000,000", "5000000", None, "KES"),  # any ISO 4217 code
        ("eur 100", "100", None, "EUR"),
        ("approx. EUR 2m", "2000000", None, "EUR"),
        ("about EUR 2m", "2000000", None, "EUR"),
        ("1,500 EUR", "1500", None, "EUR"),  # a group of three: thousands
        ("1,5 EUR", "1.5", None, "EUR"),  # otherwise a decimal comma
        ("0,500 EUR", "0.5", None, "EUR"),
        ("EUR 500000.0", "500000", None, "EUR"),
        ("  EUR 9 000 000 ", "9000000", None, "EUR"),
        ("0 EUR", "0", None, "EUR"),
    ],
)
def test_parse_budget_reads_each_form(text, amount, high, currency):
    assert parse_budget(text) == Budget(Decimal(amount), Decimal(high) if high else None, currency, text.strip())


def test_parse_budget_keeps_the_decimals_given():
    assert str(parse_budget("1,234,567.89 USD").amount) == "1234567.89"
    assert str(parse_budget("USD 2.5m").amount) == "2500000"


@pytest.mark.parametrize(
    "text, default, currency",
    [
        ("500000", "EUR", "EUR"),
        ("500000", "eur", "EUR"),
        ("USD 500000", "EUR", "USD"),  # the text's own currency wins
        ("500000", "", ""),  # none at all: the importer reports it
    ],
)
def test_parse_budget_default_currency(text, default, currency):
    assert parse_budget(text, default_currency=default) == Budget(Decimal(500000), None, currency, text)


@pytest.mark.parametrize(
    "text", ["", "  ", "n/a", "N/A", "-", "unknown", "not disclosed", "Not disclosed", "undisclosed"]
)
def test_parse_budget_gives_none_for_no_budget(text):
    assert parse_budget(text) is None


@pytest.mark.parametrize(
    "text, reason",
    [
        ("EUR 2m - 1m", "its high end (1000000) is below its low end (2000000)"),
        ("CHF 500'000 - 100'000", "its high end (100000) is below its low end (500000)"),
        ("EUR 1m - USD 2m", "its two ends are in different currencies (EUR and USD)"),
        ("XYZ 100", '"XYZ" is not a currency or a multiplier we know (write an ISO 4217 code such as EUR, USD or CHF)'),
        (
            "1 000 000 FCFA",
            '"FCFA" is not a currency or a multiplier we know (write an ISO 4217 code such as EUR, USD or CHF)',
        ),
        ("kr 500", '"kr" is not a currency or a multiplier we know (write an ISO 4217 code such as EUR, USD or CHF)'),
        (
            "EUR 2m (estimated)",
            '"(estimated)" is not a currency or a multiplier we know (write an ISO 4217 code such as EUR, USD or CHF)',
        ),
        ("-500", "a budget cannot be negative"),
        ("EUR -500", "a budget cannot be negative"),
        ("−500 EUR", "a budget cannot be negative"),  # a minus sign
        ("more than EUR 1m", "it gives no upper end (more than …); give the amount, or a band such as EUR 1m - 2m"),
        ("over 2 million", "it gives no upper end (more than …); give the amount, or a band such as EUR 1m - 2m"),
        ("EUR 2m+", "it gives no upper end (more than …); give the amount, or a band such as EUR 1m - 2m"),
        ("EUR 1m per year", "it is a yearly amount; give the initiative's total budget"),
        ("500 000 EUR p.a.", "it is a yearly amount; give the initiative's total budget"),
        ("12,34,567 INR", 'cannot tell how "12,34,567" groups its digits (write 1,500,000 or 1 500 000)'),
        ("1.500.5 EUR", 'cannot tell how "1.500.5" groups its digits (write 1,500,000 or 1 500 000)'),
        ("EUR", EXPECTED_BUDGET),
        ("millions", EXPECTED_BUDGET),
        ("EUR 1m - 2m - 3m", EXPECTED_BUDGET),
        ("EUR 2m 2019", EXPECTED_BUDGET),
        ("up to EUR 1m - 2m", EXPECTED_BUDGET),
    ],
)
def test_parse_budget_refuses_with_a_message_naming_the_text(text, reason):
    error = raised(parse_budget, text)
    assert str(error) == f'Cannot read "{text}" as a budget: {reason}.'
    assert error.text == text
