"""Business days: reminders go out on business days only.

Saturdays and Sundays are never business days; public holidays depend on the country. France
(metropolitan) has eleven: 1 January, Easter Monday, 1 May, 8 May, Ascension Thursday, Whit
Monday, 14 July, 15 August, 1 November, 11 November and 25 December (Code du travail L3133-1).
"""

from datetime import date, timedelta
from functools import lru_cache


def easter_sunday(year):
    """Gregorian Easter Sunday (anonymous Gregorian algorithm, Meeus/Jones/Butcher)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l = (32 + 2 * e + 2 * i - h - k) % 7  # noqa: E741 (the algorithm's own name)
    m = (a + 11 * h + 22 * l) // 451
    month, day = divmod(h + l - 7 * m + 114, 31)
    return date(year, month, day + 1)


@lru_cache(maxsize=256)
def public_holidays(country_code, year):
    """The public holidays of `country_code` (ISO 3166 alpha-2) in `year`, as a frozenset."""
    if (country_code or "").upper() != "FR":
        return frozenset()
    easter = easter_sunday(year)
    return frozenset({
        date(year, 1, 1), easter + timedelta(days=1), date(year, 5, 1), date(year, 5, 8),
        easter + timedelta(days=39), easter + timedelta(days=50), date(year, 7, 14),
        date(year, 8, 15), date(year, 11, 1), date(year, 11, 11), date(year, 12, 25),
    })


def is_business_day(day, country_code=None):
    return day.weekday() < 5 and day not in public_holidays(country_code, day.year)


def next_business_day(day, country_code=None):
    """`day` itself when it is a business day, else the first business day after it."""
    while not is_business_day(day, country_code):
        day += timedelta(days=1)
    return day
