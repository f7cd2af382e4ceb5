from datetime import date

import pytest

from engine import business_days


@pytest.mark.parametrize(("year", "easter"), [
    (2024, date(2024, 3, 31)), (2025, date(2025, 4, 20)), (2026, date(2026, 4, 5)),
    (2027, date(2027, 3, 28)), (2038, date(2038, 4, 25)),
])
def test_easter(year, easter):
    assert business_days.easter_sunday(year) == easter


def test_french_holidays_2026():
    holidays = business_days.public_holidays("FR", 2026)
    assert len(holidays) == 11
    assert date(2026, 4, 6) in holidays    # Easter Monday
    assert date(2026, 5, 14) in holidays   # Ascension
    assert date(2026, 5, 25) in holidays   # Whit Monday
    assert date(2026, 7, 14) in holidays


def test_weekends_and_holidays_are_not_business_days():
    assert business_days.is_business_day(date(2026, 11, 25), "FR")       # a Wednesday
    assert not business_days.is_business_day(date(2026, 11, 28), "FR")   # Saturday
    assert not business_days.is_business_day(date(2026, 11, 11), "FR")   # Armistice
    assert business_days.is_business_day(date(2026, 11, 11), "BE") is True


def test_next_business_day():
    # Friday 24 Dec 2027, Christmas on Saturday: next business day after Sat 25 is Mon 27
    assert business_days.next_business_day(date(2027, 12, 25), "FR") == date(2027, 12, 27)
    # Thursday 14 May 2026 (Ascension) -> Friday 15
    assert business_days.next_business_day(date(2026, 5, 14), "FR") == date(2026, 5, 15)
    assert business_days.next_business_day(date(2026, 11, 25), "FR") == date(2026, 11, 25)
