"""Dates, periods and budgets as other mappings write them, read cell by cell.

Other mappings' CSV files say "2021", "Mar 2016", "18.01.2019", "2016 – 2019" or "CHF 100'000 - 500'000".
These functions read one cell each and keep what was said as precisely as it was said: a year stays a year
(with its precision next to it, like ``Initiative.start_precision``), a band keeps both ends, and the original
text goes along so that the importer can show it. Nothing here touches the database.

What cannot be read raises ``UnreadableValue`` with a message naming the text and saying what was expected;
the importer reports it against the row instead of guessing.
"""

import calendar
import dataclasses
import datetime
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

__all__ = [
    "Budget",
    "PartialDate",
    "Period",
    "UnreadableValue",
    "end_from_duration",
    "parse_budget",
    "parse_date",
    "parse_period",
]

DAY, MONTH, YEAR = "day", "month", "year"  # the values of initiatives.models.DatePrecision

# A four-digit number outside this range is a typo or not a year at all ("1500" in a date column).
MIN_YEAR, MAX_YEAR = 1900, 2100


class UnreadableValue(ValueError):
    """A cell that cannot be read as asked; the message names the text and says what was expected."""

    def __init__(self, message: str, text: str = "") -> None:
        super().__init__(message)
        self.text = text


class _NotADate(UnreadableValue):
    """No date form matched at all (as opposed to a date form with an impossible day or month)."""


# --- Shared helpers -----------------------------------------------------------------------------------------

# Spreadsheets and word processors put non-breaking (U+00A0), narrow non-breaking (U+202F), thin (U+2009) and
# figure (U+2007) spaces where a space is meant, e.g. as thousands separators ("9 000 000").
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009\u2007]+")


def _squeeze(text: str) -> str:
    """The text with every run of spaces of any kind made one plain space, and stripped."""
    return _SPACES.sub(" ", text).strip()


def _fold(text: str) -> str:
    """Lower case without accents, for looking words up: "Février" -> "fevrier", "millón" -> "millon"."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# Cells that say "nothing given" rather than a value.
_NOTHING = {
    "",
    "-",
    "–",
    "—",
    "?",
    "n/a",
    "na",
    "n.a.",
    "n/d",
    "nd",
    "tbd",
    "tbc",
    "unknown",
    "not known",
    "not available",
    "inconnu",
    "desconocido",
}
# An end date that has not come yet: no date, the initiative is still running.
_NOT_ENDED = {"ongoing", "present", "current", "now", "today", "open", "open-ended", "en cours", "en curso"}
_UNDISCLOSED = {"not disclosed", "undisclosed", "confidential", "non communique", "no disponible"}


# --- Dates --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PartialDate:
    """A date as precisely as it was given: "2021" is a year, not 1 January 2021.

    ``value`` is the first day of the year or month (the day itself for a day); ``as_end()`` gives the last
    day instead, which is what an end date needs so that "active during a year" stays a plain comparison.
    """

    value: datetime.date
    precision: str  # "day" | "month" | "year"
    text: str  # the original text, stripped
    ambiguous: bool = False  # day and month could be either way round (1/10/2017): the importer reports it

    def as_end(self) -> "PartialDate":
        """The same period ending on its last day: 2021 -> 2021-12-31, 2021-02 -> 2021-02-28."""
        if self.precision == YEAR:
            return dataclasses.replace(self, value=datetime.date(self.value.year, 12, 31))
        if self.precision == MONTH:
            last = calendar.monthrange(self.value.year, self.value.month)[1]
            return dataclasses.replace(self, value=self.value.replace(day=last))
        return self


# Month names and their usual abbreviations in English, French and Spanish, folded (no accents, lower case).
_MONTHS = {
    **dict.fromkeys(["january", "jan", "janvier", "janv", "enero", "ene"], 1),
    **dict.fromkeys(["february", "feb", "fevrier", "fevr", "fev", "febrero"], 2),
    **dict.fromkeys(["march", "mar", "mars", "marzo"], 3),
    **dict.fromkeys(["april", "apr", "avril", "avr", "abril", "abr"], 4),
    **dict.fromkeys(["may", "mai", "mayo"], 5),
    **dict.fromkeys(["june", "jun", "juin", "junio"], 6),
    **dict.fromkeys(["july", "jul", "juillet", "juil", "julio"], 7),
    **dict.fromkeys(["august", "aug", "aout", "agosto", "ago"], 8),
    **dict.fromkeys(["september", "sep", "sept", "septembre", "septiembre", "setiembre"], 9),
    **dict.fromkeys(["october", "oct", "octobre", "octubre"], 10),
    **dict.fromkeys(["november", "nov", "novembre", "noviembre"], 11),
    **dict.fromkeys(["december", "dec", "decembre", "diciembre", "dic"], 12),
}

# 2021, and 2021.0 as a spreadsheet writes a year from a column of numbers.
_YEAR = re.compile(r"(\d{4})(?:\.0)?")
# 2021-03, 2021-3, 2021/03, 2021.03: year then month ("2019.5" is a number, not May 2019).
_YEAR_MONTH = re.compile(r"(\d{4})(?:[-/](\d{1,2})|\.(\d{2}))")
# 03/2021, 3.2021: month then year.
_MONTH_YEAR = re.compile(r"(\d{1,2})[-/.](\d{4})")
# 2019-01-18, 2019/01/18: ISO order (nobody writes year, day, month).
_ISO_DAY = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")
# 2019-01-18T10:00:00Z, 2019-01-18 00:00:00 (spreadsheet and database exports): the date as written.
_ISO_DATETIME = re.compile(r"(\d{4}-\d{2}-\d{2})[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:Z|[+-]\d{2}:?\d{2})?", re.I)
# 1/10/2017, 18.01.2019, 18-01-2019: day and month in an order the numbers alone may not tell.
_NUMERIC_DAY = re.compile(r"(\d{1,2})([-/.])(\d{1,2})\2(\d{4})")
# 1/10/17: the same with a two-digit year, which we refuse.
_SHORT_YEAR_DAY = re.compile(r"\d{1,2}([-/.])\d{1,2}\1\d{2}")
# 43466 or 43466.5: a spreadsheet's serial day number.
_SERIAL = re.compile(r"\d{5}(?:\.\d+)?")
# Mar 2016, March 2016, mars 2016, marzo (de) 2016, Jan-2019. Applied to folded text.
_NAMED_MONTH = re.compile(r"([a-z]+)\.?[ \-/]?(\d{4})")
# 18 January 2019, 18-Jan-2019, 1er mars 2016, 18 de enero de 2019 ("de" removed first).
_DAY_NAMED_MONTH = re.compile(r"(\d{1,2})(?:st|nd|rd|th|er|o|º)?\.?[ \-/]?([a-z]+)\.?[ \-/]?(\d{4})")
# January 18, 2019 / Jan 18 2019 (commas removed first).
_NAMED_MONTH_DAY = re.compile(r"([a-z]+)\.? (\d{1,2})(?:st|nd|rd|th)? (\d{4})")

_EXPECTED_DATE = "expected a year (2021), a month (2021-03, Mar 2016) or a day (2021-03-05, 18.01.2019, 1/10/2017)"


def parse_date(text: str, *, day_first: bool = True) -> PartialDate | None:
    """Read one date cell, keeping its precision (year, month or day) and its original text.

    Returns None for a cell that gives no date: blank, "n/a", "-", "unknown", and also "ongoing" or "present":
    an end that has not come yet is no end date (the importer may read the status from it separately).

    ``day_first`` decides 1/10/2017 (1 October when true, 10 January when false); such a date is marked
    ``ambiguous`` so that the importer can report it. 13/10/2017 and 10/13/2017 are not ambiguous: 13 cannot
    be a month. Dotted dates (18.01.2019) are always day first, the only way they are written.

    Refused with ``UnreadableValue``: impossible dates (31/02/2019, 2019-13), two-digit years (1/10/17: which
    century, and which order?) and spreadsheet serial numbers (43466): a serial depends on the workbook's date
    system (1900 or 1904, four years apart), which a CSV file no longer says.
    """
    original = text.strip()
    cleaned = _squeeze(text)
    folded = _fold(cleaned)
    if folded in _NOTHING or folded in _NOT_ENDED or folded == "none":
        return None
    for read in (_read_numeric_date, _read_named_date):
        result = read(cleaned, folded, original, day_first)
        if result is not None:
            return result
    if _SHORT_YEAR_DAY.fullmatch(cleaned):
        raise UnreadableValue(
            f'Cannot read "{original}" as a date: the year needs four digits (2017, not 17).', original
        )
    if _SERIAL.fullmatch(cleaned):
        raise UnreadableValue(
            f'Cannot read "{original}" as a date: it looks like a spreadsheet serial number; '
            "save the column as dates (2019-01-18), not numbers.",
            original,
        )
    raise _NotADate(f'Cannot read "{original}" as a date: {_EXPECTED_DATE}.', original)


def _read_numeric_date(cleaned: str, folded: str, original: str, day_first: bool) -> PartialDate | None:
    """Dates written with digits only: 2021, 2021-03, 03/2021, 2019-01-18, 1/10/2017, 18.01.2019."""
    cleaned = re.sub(r"(?<=\d) ?([-/.]) ?(?=\d)", r"\1", cleaned)  # stray spaces: "18 / 01 / 2019"
    if match := _YEAR.fullmatch(cleaned):
        return PartialDate(datetime.date(_year(int(match[1]), original), 1, 1), YEAR, original)
    if match := _YEAR_MONTH.fullmatch(cleaned):
        return _month(int(match[1]), int(match[2] or match[3]), original)
    if match := _MONTH_YEAR.fullmatch(cleaned):
        return _month(int(match[2]), int(match[1]), original)
    if match := _ISO_DATETIME.fullmatch(cleaned):
        return _read_numeric_date(match[1], match[1], original, day_first)
    if match := _ISO_DAY.fullmatch(cleaned):
        return _day(int(match[1]), int(match[2]), int(match[3]), original)
    if match := _NUMERIC_DAY.fullmatch(cleaned):
        first, separator, second, year = int(match[1]), match[2], int(match[3]), int(match[4])
        # Dotted dates are written day first (18.01.2019); with slashes or hyphens either order is in use.
        order_known = separator == "."
        return _day_or_month_first(first, second, year, original, day_first=day_first or order_known, known=order_known)
    return None


def _day_or_month_first(
    first: int, second: int, year: int, original: str, *, day_first: bool, known: bool
) -> PartialDate:
    """1/10/2017: whichever order the numbers allow; when both do, ``day_first`` decides, unless ``known``."""
    if first > 12 and second > 12:
        raise UnreadableValue(
            f'Cannot read "{original}" as a date: neither {first} nor {second} can be a month.', original
        )
    if first > 12:  # 13/10/2017
        return _day(year, second, first, original)
    if second > 12:  # 10/13/2017
        return _day(year, first, second, original)
    day, month = (first, second) if day_first else (second, first)
    # 5/5/2017 is the same date either way round; 1/10/2017 is not.
    return dataclasses.replace(_day(year, month, day, original), ambiguous=first != second and not known)


def _read_named_date(cleaned: str, folded: str, original: str, day_first: bool) -> PartialDate | None:
    """Dates with a month name: Mar 2016, mars 2016, marzo de 2016, 18 January 2019, January 18, 2019."""
    words = _squeeze(re.sub(r"\b(?:de|del)\b|,", " ", folded))  # "18 de enero de 2019", "January 18, 2019"
    if match := _NAMED_MONTH.fullmatch(words):
        return _month(int(match[2]), _month_number(match[1], original), original)
    if match := _DAY_NAMED_MONTH.fullmatch(words):
        return _day(int(match[3]), _month_number(match[2], original), int(match[1]), original)
    if match := _NAMED_MONTH_DAY.fullmatch(words):
        return _day(int(match[3]), _month_number(match[1], original), int(match[2]), original)
    return None


def _month_number(name: str, original: str) -> int:
    if name not in _MONTHS:
        raise UnreadableValue(
            f'Cannot read "{original}" as a date: "{name}" is not a month name (English, French or Spanish).',
            original,
        )
    return _MONTHS[name]


def _month(year: int, month: int, original: str) -> PartialDate:
    if not 1 <= month <= 12:
        raise UnreadableValue(f'Cannot read "{original}" as a date: there is no month {month}.', original)
    return PartialDate(datetime.date(_year(year, original), month, 1), MONTH, original)


def _day(year: int, month: int, day: int, original: str) -> PartialDate:
    if not 1 <= month <= 12:
        raise UnreadableValue(f'Cannot read "{original}" as a date: there is no month {month}.', original)
    year = _year(year, original)
    try:
        return PartialDate(datetime.date(year, month, day), DAY, original)
    except ValueError:
        raise UnreadableValue(
            f'Cannot read "{original}" as a date: {day} {calendar.month_name[month]} {year} does not exist.',
            original,
        ) from None


def _year(year: int, original: str) -> int:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise UnreadableValue(
            f'Cannot read "{original}" as a date: the year {year} is outside {MIN_YEAR}–{MAX_YEAR}.', original
        )
    return year


# --- Periods ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """Start and end of an initiative; either may be unknown. ``end`` is already on its last day."""

    start: PartialDate | None
    end: PartialDate | None


# "since 2018", "from 2018", "depuis 2018", "desde 2018": a start only, unless a period follows ("from 2016 to
# 2019", "du 1/1/2016 au 31/12/2018", "desde 2016 hasta 2019"), where the word says nothing more.
_FROM = re.compile(r"(?:since|from|starting|depuis|desde|a partir de|du|de)\s+(.+)", re.IGNORECASE)
# "2018 onwards": a start only.
_ONWARDS = re.compile(r"(.+?)\s+onwards?", re.IGNORECASE)
# "until 2020", "till 2020", "to 2020", "through 2020", "jusqu'à 2020", "hasta 2020": an end only.
_END_ONLY = re.compile(r"(?:until|till|to|through|jusqu['’](?:a|à|en)|hasta)\s+(.+)", re.IGNORECASE)
# Between the two dates: a hyphen with spaces around it, an en or em dash or a minus sign (never inside a
# date), or a word.
_BETWEEN = re.compile(r"\s+-\s+|\s*[–—−]\s*|\s+(?:to|until|till|through|thru|au|à|a|al|hasta)\s+", re.IGNORECASE)
# 2016/17, 2016-17, 2016–17: a year and the next one's last two digits (or ISO 2016-03: see _short_year_period).
_SHORT_END_YEAR = re.compile(r"(\d{4})\s*([-/–—])\s*(\d{2})")
# 2016/2019: a slash between two years (a slash inside a date never has four digits on both sides).
_SLASHED_YEARS = re.compile(r"(\d{4})\s*/\s*(\d{4})")

_EXPECTED_PERIOD = (
    'expected two dates joined by "-", "–" or "to" (2016-2019, Mar 2016 - Dec 2018), "since 2018" or "until 2020"'
)


def parse_period(text: str, *, day_first: bool = True) -> Period:
    """Read a period cell: "2016-2019", "2016 – 2019", "Mar 2016 - Dec 2018", "2018-03 to 2020-06".

    Either end may be missing: "since 2018", "2018 -" and "2018 – ongoing" give a start only; "until 2020"
    and "- 2020" an end only; a blank cell gives neither. A single date ("2019") is a period of its own:
    the initiative ran during 2019, from its first to its last day. "Mar - Dec 2018" takes the year of its
    end for its start.

    Two-digit end years: "2016/17" and "2016-17" are 2016-2017 (17 cannot be a month), "2018-03" is
    March 2018 (ISO), and "2011-12" could be either, so it is refused rather than guessed.
    """
    cleaned = _squeeze(text)
    if _fold(cleaned) in _NOTHING:
        return Period(None, None)
    if match := _ONWARDS.fullmatch(cleaned):
        return Period(parse_date(match[1], day_first=day_first), None)
    if match := _END_ONLY.fullmatch(cleaned):
        return _period(None, parse_date(match[1], day_first=day_first), text)
    if match := _FROM.fullmatch(cleaned):
        try:
            return Period(parse_date(match[1], day_first=day_first), None)
        except UnreadableValue:
            cleaned = match[1]  # "from 2016 to 2019", "from 2016/17": read what follows as a period
    short = _SHORT_END_YEAR.fullmatch(cleaned)
    if short and (period := _short_year_period(int(short[1]), short[2], short[3], text)):
        return period
    if match := _SLASHED_YEARS.fullmatch(cleaned):
        return _period(parse_date(match[1]), parse_date(match[2]), text)
    if len(separators := list(_BETWEEN.finditer(cleaned))) == 1:
        return _split_period(cleaned, separators[0].start(), separators[0].end(), text, day_first)
    if not separators:
        try:
            single = parse_date(cleaned, day_first=day_first)
        except _NotADate:
            pass  # perhaps "2016-2019": dates joined by a bare hyphen, below
        else:
            return _period(single, single, text)
        # The one hyphen at which both sides read as dates: "2016-2019", "2018-03-2020-06".
        readings, problems = [], []
        for hyphen in re.finditer("-", cleaned):
            try:
                readings.append(_split_period(cleaned, hyphen.start(), hyphen.end(), text, day_first))
            except _NotADate:
                continue
            except UnreadableValue as problem:  # "2019-2016", "31/02/2019-2020": say what is wrong with it
                problems.append(problem)
        if len(readings) == 1:
            return readings[0]
        if not readings and problems:
            raise problems[0]
    raise UnreadableValue(f'Cannot read "{text.strip()}" as a period: {_EXPECTED_PERIOD}.', text.strip())


def _split_period(cleaned: str, at: int, after: int, text: str, day_first: bool) -> Period:
    left, right = cleaned[:at].strip(), cleaned[after:].strip()
    end = parse_date(right, day_first=day_first)
    try:
        start = parse_date(left, day_first=day_first)
    except _NotADate:
        # "Mar - Dec 2018": a month name alone takes the end's year.
        if end is None or _fold(left).rstrip(".") not in _MONTHS:
            raise
        start = PartialDate(datetime.date(end.value.year, _MONTHS[_fold(left).rstrip(".")], 1), MONTH, left)
    return _period(start, end, text)


def _short_year_period(year: int, separator: str, short: str, text: str) -> Period | None:
    """2016/17 -> 2016-2017; None for an ISO month (2018-03), which parse_date reads."""
    following = year + 1
    if separator in "-/" and 1 <= int(short) <= 12:
        if int(short) == following % 100:
            month = calendar.month_abbr[int(short)]
            raise UnreadableValue(
                f'Cannot read "{text.strip()}" as a period: it could be a month ({month} {year}) or two years '
                f"({year}-{following}); write {year}-{following} for the years or {month} {year} for the month.",
                text.strip(),
            )
        return None
    end_year = year - year % 100 + int(short)
    if end_year < year and end_year + 100 == following:  # 1999/00
        end_year = following
    return _period(
        PartialDate(datetime.date(year, 1, 1), YEAR, text.strip()),
        PartialDate(datetime.date(end_year, 1, 1), YEAR, text.strip()),
        text,
    )


def _period(start: PartialDate | None, end: PartialDate | None, text: str) -> Period:
    end = end.as_end() if end else None
    if start and end and end.value < start.value:
        raise UnreadableValue(
            f'Cannot read "{text.strip()}" as a period: it ends ({end.text}) before it starts ({start.text}).',
            text.strip(),
        )
    return Period(start, end)


# "66 months", "3 years", "18 mois", "24 meses", "3 ans", "2 años", "1.5 years", "18-month": folded text.
_DURATION = re.compile(r"(\d+(?:[.,]\d+)?)[\s-]*([a-z]+)\.?")
_MONTH_UNITS = {"month", "months", "mo", "mos", "mth", "mths", "mois", "mes", "meses"}
_YEAR_UNITS = {"year", "years", "yr", "yrs", "y", "an", "ans", "annee", "annees", "ano", "anos"}


def end_from_duration(start: PartialDate, text: str) -> PartialDate:
    """The end of an initiative given its start and a duration: 2016 + "66 months" -> June 2021.

    The duration counts the start's own month: 66 months from January 2016 cover January 2016 to June 2021.
    A start given as a day counts from that day (15 March 2019 + 12 months ends on 14 March 2020). Either way
    the end is only known to the month, so it has month precision; only whole years from a year ("3 years"
    from 2019) stay a year (2021). The result is already on its last day, with the duration as its text.
    """
    original = text.strip()
    match = _DURATION.fullmatch(_fold(_squeeze(text)))
    unit = match[2] if match else ""
    if unit not in _MONTH_UNITS | _YEAR_UNITS:
        raise UnreadableValue(
            f'Cannot read "{original}" as a duration: expected a number of months or years '
            "(66 months, 3 years, 18 mois, 24 meses).",
            original,
        )
    number = Decimal(match[1].replace(",", "."))
    months = number * 12 if unit in _YEAR_UNITS else number
    if months <= 0 or months != months.to_integral_value():
        raise UnreadableValue(
            f'Cannot read "{original}" as a duration: expected a whole number of months, more than none.', original
        )
    if start.precision == YEAR and unit in _YEAR_UNITS and number == number.to_integral_value():
        end_year = start.value.year + int(number) - 1
        return PartialDate(datetime.date(end_year, 1, 1), YEAR, original, start.ambiguous).as_end()
    last_day = _add_months(start.value, int(months)) - datetime.timedelta(days=1)
    return PartialDate(last_day.replace(day=1), MONTH, original, start.ambiguous).as_end()


def _add_months(day: datetime.date, months: int) -> datetime.date:
    year, month0 = divmod(day.month - 1 + months, 12)
    month = month0 + 1
    return datetime.date(day.year + year, month, min(day.day, calendar.monthrange(day.year + year, month)[1]))


# --- Budgets ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Budget:
    """An amount, or a band (``amount`` is its low end, ``high`` its high end), in an ISO 4217 currency."""

    amount: Decimal | None
    high: Decimal | None
    currency: str  # ISO 4217 code, "" if the text gave none and there was no default
    text: str


# Current ISO 4217 codes: any of them, upper or lower case, is read as itself.
_ISO_CODES = """
    AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP BYN BZD CAD CDF
    CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD
    HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD
    MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN
    PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY
    TTD TWD TZS UAH UGX USD UYU UZS VES VND VUV WST XAF XCD XOF XPF YER ZAR ZMW ZWG
"""
_ISO_CURRENCIES = frozenset(_ISO_CODES.split())
# Symbols and names other than ISO codes, folded. "$" alone is taken as US dollars, "¥" alone as yen: the
# dollar and yen signs are shared, but these are what an international mapping means by them.
_CURRENCY_WORDS = {
    **dict.fromkeys(["€", "euro", "euros"], "EUR"),
    **dict.fromkeys(["£", "pound sterling", "pounds sterling", "sterling"], "GBP"),
    **dict.fromkeys(["$", "us$", "us dollar", "us dollars"], "USD"),
    **dict.fromkeys(["fr", "sfr", "swiss franc", "swiss francs"], "CHF"),
    **dict.fromkeys(["¥", "yen"], "JPY"),
    **dict.fromkeys(["cn¥", "rmb", "yuan", "renminbi"], "CNY"),
    **dict.fromkeys(["a$", "au$"], "AUD"),
    **dict.fromkeys(["c$", "ca$"], "CAD"),
    "nz$": "NZD",
    "hk$": "HKD",
    "s$": "SGD",
    "₩": "KRW",
    "₹": "INR",
}
# Short scale: a billion is a thousand million, as in English-language reports.
_MULTIPLIERS = {
    **dict.fromkeys(["k", "thousand", "thousands"], Decimal(10**3)),
    **dict.fromkeys(["m", "mn", "mio", "million", "millions", "millon", "millones"], Decimal(10**6)),
    **dict.fromkeys(["b", "bn", "billion", "billions", "mrd", "milliard", "milliards"], Decimal(10**9)),
}

# One number as written, its digits grouped by spaces, apostrophes, commas or dots: 100'000, 8.347.000, 1,5.
_NUMBER = re.compile(r"\d(?:[\d.,'’ ]*\d)?")
# "approx. EUR 2m", "ca. 2 million", "~ 500 000": an estimate is still the amount.
_ABOUT = re.compile(
    r"(?:approx(?:imately)?\.?|about|around|ca\.|c\.|circa|some|~|≈|environ|aprox(?:imadamente)?\.?)\s*", re.I
)
# "up to EUR 2 million", "max. 500 000", "jusqu'à 1 Mio": an upper bound, read as the band 0 to it.
_UP_TO = re.compile(
    r"(?:up to|max(?:imum)?\.?|not more than|no more than|less than|under|below|jusqu['’]\s?[aà]|hasta)\s*", re.I
)
# "more than EUR 1m", "over 2 million", "EUR 2m+": no upper end, which a budget cannot store.
_AT_LEAST = re.compile(r"(?:more than|over|above|at least|min(?:imum)?\.?|plus de|mas de|más de)\s+|.*\d.*\+$")
# "EUR 1m per year", "500 000 p.a.": a yearly amount is not the initiative's budget.
_YEARLY = re.compile(r"per year|a year|per annum|p\.\s?a\.|/\s?y(?:ea)?r|annually|yearly|par an|por ano|al ano")
# Between the two ends of a band: a dash (spaces optional) or a word.
_BAND = re.compile(r"\s*[-−–—]\s*|\s+(?:to|à|hasta)\s+", re.IGNORECASE)

_EXPECTED_BUDGET = "expected an amount with its currency (EUR 9 000 000, £10 million, USD 2.5m, CHF 100'000 - 500'000)"


def parse_budget(text: str, *, default_currency: str = "") -> Budget | None:
    """Read a budget cell (see _parse_budget); a number beyond decimal arithmetic is an unreadable budget."""
    try:
        return _parse_budget(text, default_currency=default_currency)
    except ArithmeticError:
        original = text.strip()
        raise UnreadableValue(f'Cannot read "{original}" as a budget: the number is too large.', original) from None


def _parse_budget(text: str, *, default_currency: str = "") -> Budget | None:
    """Read a budget cell: one amount or a band, with its currency; None for a blank or undisclosed budget.

    Thousands may be grouped with spaces (plain or non-breaking), apostrophes (100'000), commas or dots
    (8.347.000). A single comma or dot followed by exactly three digits groups thousands (1,500 is 1500);
    otherwise it is the decimal mark (1,5 is 1.5). With both, the last one is the decimal mark (1,234,567.89).
    Amounts may carry k, m, bn, Mio, million... ("USD 2.5m"); "EUR 1-2 million" reads as 1 to 2 million.

    The currency is an ISO code (any case), a symbol or a name, before or after the amount, once for a band or
    on both ends. "$" alone is taken as US dollars and "¥" alone as yen, what an international mapping means
    by them. Without a currency, ``default_currency`` (possibly "": the importer then reports it).

    "up to EUR 2 million" is the band 0 to 2 million: that keeps exactly what it says (at most 2 million)
    where reading 2 million alone would state more than is known. "about EUR 2m" is simply 2 million.
    Refused: negative amounts, a band whose high end is below its low end, open bands ("more than EUR 1m"),
    yearly amounts ("EUR 1m per year") and unknown currencies.
    """
    original = text.strip()
    cleaned = _squeeze(text)
    folded = _fold(cleaned)
    if folded in _NOTHING or folded in _UNDISCLOSED:
        return None

    def fail(reason: str) -> UnreadableValue:
        return UnreadableValue(f'Cannot read "{original}" as a budget: {reason}.', original)

    if _AT_LEAST.match(folded):
        raise fail("it gives no upper end (more than …); give the amount, or a band such as EUR 1m - 2m")
    if _YEARLY.search(folded):
        raise fail("it is a yearly amount; give the initiative's total budget")
    if about := _ABOUT.match(cleaned):
        cleaned = cleaned[about.end() :]
    if up_to := _UP_TO.match(cleaned):
        cleaned = cleaned[up_to.end() :]

    parts = _BAND.split(cleaned)
    if len(parts) == 2 and not re.search(r"\d", parts[0]) and re.search(r"\d", parts[1]):
        raise fail("a budget cannot be negative")
    if len(parts) > 2 or (up_to and len(parts) == 2) or not all(re.search(r"\d", part) for part in parts):
        raise fail(_EXPECTED_BUDGET)
    sides = [_read_amount(part, fail) for part in parts]

    currencies = {currency for _, _, currency in sides if currency}
    if len(currencies) > 1:
        raise fail(f"its two ends are in different currencies ({' and '.join(sorted(currencies))})")
    currency = currencies.pop() if currencies else default_currency.strip().upper()

    if len(sides) == 1:
        number, multiplier, _ = sides[0]
        amount = _exact(number * (multiplier or 1))
        return Budget(Decimal(0), amount, currency, original) if up_to else Budget(amount, None, currency, original)

    (low_number, low_multiplier, _), (high_number, high_multiplier, _) = sides
    high = _exact(high_number * (high_multiplier or 1))
    if low_multiplier is None and high_multiplier and low_number * high_multiplier <= high:
        low_multiplier = high_multiplier  # "EUR 1-2 million": the multiplier is written once for both ends
    low = _exact(low_number * (low_multiplier or 1))
    if high < low:
        raise fail(f"its high end ({high}) is below its low end ({low})")
    return Budget(low, high, currency, original)


def _read_amount(part: str, fail) -> tuple[Decimal, Decimal | None, str]:
    """One end of a budget: its number, its multiplier (or None) and its currency (or "")."""
    numbers = list(_NUMBER.finditer(part))
    if len(numbers) != 1:
        raise fail(_EXPECTED_BUDGET)
    match = numbers[0]
    number = _read_number(match[0], fail)
    multiplier, currency = None, ""
    for words in (part[: match.start()], part[match.end() :]):
        word_multiplier, word_currency = _read_words(words.strip(), fail)
        if word_multiplier and multiplier or word_currency and currency:
            raise fail(_EXPECTED_BUDGET)
        multiplier, currency = multiplier or word_multiplier, currency or word_currency
    return number, multiplier, currency


def _read_words(words: str, fail) -> tuple[Decimal | None, str]:
    """What stands next to a number: "million euros", "Mio", "m€", "EUR", "US$", "MEUR"."""
    multiplier = None
    # A multiplier word first: "million euros", "Mio.", "m€", "bn".
    if (first := re.match(r"([^\W\d_]+)\.?(?![^\W\d_])", words)) and _fold(first[1]) in _MULTIPLIERS:
        multiplier = _MULTIPLIERS[_fold(first[1])]
        # "millions of euros", "millions d'euros", "millones de euros"
        words = re.sub(r"^(?:of|de|d['’])\s*", "", words[first.end() :].strip(), flags=re.IGNORECASE)
    if not words:
        return multiplier, ""
    key = _squeeze(_fold(words)).rstrip(".")
    if key.upper() in _ISO_CURRENCIES:
        return multiplier, key.upper()
    if key in _CURRENCY_WORDS:
        return multiplier, _CURRENCY_WORDS[key]
    # "MEUR 2.5", "500 kCHF": a multiplier letter glued to an ISO code.
    if multiplier is None and len(key) == 4 and key[0] in "km" and key[1:].upper() in _ISO_CURRENCIES:
        return _MULTIPLIERS[key[0]], key[1:].upper()
    raise fail(f'"{words}" is not a currency or a multiplier we know (write an ISO 4217 code such as EUR, USD or CHF)')


def _read_number(written: str, fail) -> Decimal:
    """100'000, 8.347.000, 9 000 000, 1,234,567.89, 1.234,5, 1,5, 1,500 -> the number they mean."""
    decimal_mark = _decimal_mark(written)
    whole, _, fraction = written.rpartition(decimal_mark) if decimal_mark else (written, "", "")
    grouping = set(re.sub(r"\d", "", whole))
    groups = re.split(r"[^\d]", whole)
    # Thousands groups: one kind of separator, groups of three digits after the first (1 to 3 digits).
    if len(grouping) > 1 or (grouping and not (1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:]))):
        raise fail(f'cannot tell how "{written}" groups its digits (write 1,500,000 or 1 500 000)')
    return Decimal("".join(groups) + (f".{fraction}" if fraction else ""))


def _decimal_mark(written: str) -> str:
    """The comma or dot that marks decimals in the number, or "" if it has none (see parse_budget)."""
    marks = [c for c in written if c in ",."]
    if not marks:
        return ""
    last = marks[-1]
    if len(set(marks)) == 2:
        return last  # 1,234,567.89 and 1.234.567,89
    if len(marks) > 1:
        return ""  # 8.347.000: the dots group thousands
    whole, fraction = written.split(last)
    others_group = any(c in " '’" for c in whole)
    if len(fraction) == 3 and whole != "0" and not others_group:
        return ""  # 1,500 is fifteen hundred
    return last


def _exact(amount: Decimal) -> Decimal:
    """2.5 * 10**6 as 2500000, not 2500000.0; other amounts as they are."""
    return amount.quantize(Decimal(1)) if amount == amount.to_integral_value() else amount
