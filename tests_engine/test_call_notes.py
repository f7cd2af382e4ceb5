from datetime import date
from decimal import Decimal

import pytest

from engine import call_notes

TODAY = date(2026, 12, 2)


@pytest.mark.parametrize(("note", "promised_date", "amount"), [
    ("will pay 1 200 € on 15/12", date(2026, 12, 15), Decimal("1200")),
    ("1,200.00 EUR 2026-12-15", date(2026, 12, 15), Decimal("1200.00")),
    ("Virement de 1.200,50 € le 15/12/2026", date(2026, 12, 15), Decimal("1200.50")),
    ("paiera 1\u202f200,00\u00a0€ le 15 décembre", date(2026, 12, 15), Decimal("1200.00")),
    ("sends €350 by December 20th", date(2026, 12, 20), Decimal("350")),
    ("350 euros le 3 janv.", date(2027, 1, 3), Decimal("350")),    # no year: the next 3 January
    ("pays 2 500 $ on 10.01.27", date(2027, 1, 10), Decimal("2500")),
    ("1,200 EUR on 1/12", date(2027, 12, 1), Decimal("1200")),       # 1 December is past: next year
    ("on 02/12 they pay 99,9 EUR", TODAY, Decimal("99.9")),          # today counts
    ("Will pay on Friday", None, None),
    ("invoice 2026/00161 paid 12 000 USD", None, Decimal("12000")),
    ("will pay invoice 123 on 31/02", None, None),                   # no such day, a bare number
    ("12.05 € of bank fees to deduct", None, Decimal("12.05")),      # an amount, not 12 May
    ("", None, None),
])
def test_read_promise(note, promised_date, amount):
    found = call_notes.read_promise(note, TODAY)
    assert found.date == promised_date
    assert found.amount == amount


def test_the_dates_digits_never_make_an_amount():
    assert call_notes.read_promise("15/12 1 200 €", TODAY) == call_notes.CallPromise(date(2026, 12, 15), Decimal(1200))


def test_29_february_waits_for_a_leap_year():
    assert call_notes.read_promise("on 29/02", TODAY).date == date(2028, 2, 29)


@pytest.mark.parametrize(("number", "value"), [
    ("1 200", "1200"), ("1,200.00", "1200.00"), ("1.200,5", "1200.5"), ("1'200", "1200"), ("12,50", "12.50"),
    ("1,200", "1200"), ("1200", "1200"),
])
def test_parse_amount(number, value):
    assert call_notes.parse_amount(number) == Decimal(value)
