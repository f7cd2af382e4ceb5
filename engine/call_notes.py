"""What a customer said on the phone, read from the note typed while logging the call.

Plain text in, a date and an amount out. The rules:

- **Date**: the first date written in the note: ISO ``2026-12-15``; day first ``15/12/2026``,
  ``15.12.26``, ``15-12-2026``; day and month only ``15/12``; a day and a month name in
  English or French ``15 December``, ``December 15``, ``15 déc. 2026``. Without a year, the
  next such day from today (today included). A day that does not exist is no date.
- **Amount**: the first number written next to a currency (``€``, ``EUR``, ``euros``, ``$``,
  ``USD``, ``£``, ``GBP``, ``CHF``), before or after it: ``1 200 €``, ``1,200.00 EUR``,
  ``1.200,50 €``, ``€1200``, ``350 euros``. Spaces (also non-breaking), dots, commas and
  apostrophes group the thousands; the last dot or comma followed by one or two digits marks
  the decimals. A bare number is not an amount (it could be a day, an invoice number...).
  The amount is returned as written: the currency is not converted.
- Nothing found: None for that part. Dates are read first and taken out of the text, so the
  digits of a date never make an amount.
"""

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

MONTHS = {
    # English and French names, and their usual abbreviations (accents removed)
    "january": 1, "jan": 1, "janvier": 1, "janv": 1,
    "february": 2, "feb": 2, "fevrier": 2, "fev": 2, "fevr": 2,
    "march": 3, "mar": 3, "mars": 3,
    "april": 4, "apr": 4, "avril": 4, "avr": 4,
    "may": 5, "mai": 5,
    "june": 6, "jun": 6, "juin": 6,
    "july": 7, "jul": 7, "juillet": 7, "juil": 7,
    "august": 8, "aug": 8, "aout": 8,
    "september": 9, "sep": 9, "sept": 9, "septembre": 9,
    "october": 10, "oct": 10, "octobre": 10,
    "november": 11, "nov": 11, "novembre": 11,
    "december": 12, "dec": 12, "decembre": 12,
}
_MONTH = r"(?P<month_name>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_YEAR = r"(?P<year>\d{4}|\d{2})"
_CURRENCY = r"(?:€|eur(?:os?)?\b|\$|usd\b|£|gbp\b|chf\b)"
DATE_PATTERNS = (
    re.compile(r"(?<!\d)(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})(?!\d)"),
    re.compile(r"(?<![\d/.-])(?P<day>\d{1,2})[/.-](?P<month>\d{1,2})(?:[/.-]" + _YEAR + r")?(?![\d/-])"
               r"(?!\s?" + _CURRENCY + ")", re.IGNORECASE),
    re.compile(r"(?<![\w])(?P<day>\d{1,2})(?:er|st|nd|rd|th)?\s+" + _MONTH + r"(?:\s+(?P<year>\d{4}))?(?!\w)",
               re.IGNORECASE),
    re.compile(r"(?<![\w])" + _MONTH + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(?P<year>\d{4}))?(?!\w)",
               re.IGNORECASE),
)
_NUMBER = r"(?P<number>\d{1,3}(?:[ \u00a0\u202f.,']\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?)"
AMOUNT_PATTERNS = (
    re.compile(r"(?<![\d.,])" + _NUMBER + r"\s?" + _CURRENCY, re.IGNORECASE),
    re.compile(_CURRENCY + r"\s?" + _NUMBER + r"(?![\d])", re.IGNORECASE),
)


@dataclass(frozen=True)
class CallPromise:
    """What a note says was promised: the date and the amount, each None when not written."""

    date: date | None
    amount: Decimal | None


def _plain(text):
    """The text without accents (``déc`` reads ``dec``), same length kept by the callers' regexes."""
    return "".join(char for char in unicodedata.normalize("NFKD", text) if not unicodedata.combining(char))


def _make_date(year, month, day):
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _next_date(month, day, today):
    """The next `day`/`month` from `today` (today included); 29 February waits for a leap year."""
    for year in range(today.year, today.year + 8):
        found = _make_date(year, month, day)
        if found and found >= today:
            return found
    return None


def _match_date(match, today):
    groups = match.groupdict()
    month = MONTHS[groups["month_name"].lower()] if groups.get("month_name") else int(groups["month"])
    day = int(groups["day"])
    if not groups.get("year"):
        if not 1 <= month <= 12:
            return None
        return _next_date(month, day, today)
    year = int(groups["year"])
    if year < 100:
        year += 2000
    return _make_date(year, month, day)


def parse_date(text, today):
    """The first date written in `text` (see the module's rules), else None; and the text with
    that date taken out."""
    plain = _plain(text or "")
    found = []
    for pattern in DATE_PATTERNS:
        for match in pattern.finditer(plain):
            value = _match_date(match, today)
            if value:
                found.append((match.start(), match.end(), value))
                break
    if not found:
        return None, plain
    start, end, value = min(found)
    return value, plain[:start] + " " * (end - start) + plain[end:]


def parse_amount(number):
    """The Decimal written as `number` (digits with thousands separators and decimals)."""
    compact = re.sub(r"[ \u00a0\u202f']", "", number)
    decimals = re.search(r"[.,](\d{1,2})$", compact)
    if decimals:
        whole = re.sub(r"[.,]", "", compact[:decimals.start()])
        return Decimal(f"{whole}.{decimals.group(1)}")
    return Decimal(re.sub(r"[.,]", "", compact))


def find_amount(text):
    """The first amount next to a currency in `text`, else None."""
    found = []
    for pattern in AMOUNT_PATTERNS:
        match = pattern.search(text or "")
        if match:
            found.append((match.start(), match.group("number")))
    if not found:
        return None
    amount = parse_amount(min(found)[1])
    return amount if amount > 0 else None


def read_promise(text, today):
    """The promised date and amount that the note `text` of a call gives (see the rules above)."""
    promised_date, rest = parse_date(text or "", today)
    return CallPromise(date=promised_date, amount=find_amount(rest))
