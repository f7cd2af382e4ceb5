from datetime import date, timedelta
from decimal import Decimal

import pytest

from engine import followup, receivables

TODAY = date(2026, 11, 30)


def line(line_id, days_late, residual, **kwargs):
    return followup.Line(line_id, TODAY - timedelta(days=days_late), Decimal(str(residual)), **kwargs)


def state(lines):
    return followup.dossier_state([], lines, TODAY)


@pytest.mark.parametrize(("days", "bucket"), [
    (-10, "not_due"), (0, "not_due"), (1, "days_1_30"), (30, "days_1_30"), (31, "days_31_60"),
    (60, "days_31_60"), (61, "days_61_90"), (90, "days_61_90"), (91, "days_over_90"), (400, "days_over_90"),
])
def test_bucket_of_days(days, bucket):
    assert receivables.bucket_of_days(days) == bucket


def test_buckets_in_age_order():
    assert receivables.BUCKETS == ("not_due", "days_1_30", "days_31_60", "days_61_90", "days_over_90")
    assert [code for code, _amount in receivables.Balance().aged()] == list(receivables.BUCKETS)


def test_credit_used_once_on_the_oldest_lines():
    # 1,000 at 95 days, 2,000 at 40 days, 500 not due; a credit note of 1,500
    result = receivables.balance(state([
        line(1, 95, 1000), line(2, 40, 2000), line(3, -5, 500), line(4, 10, -1500),
    ]))
    assert result.amount_due == Decimal("2000.00")
    assert result.amount_overdue == Decimal("1500.00")
    assert result.buckets == {"not_due": Decimal("500.00"), "days_1_30": 0, "days_31_60": Decimal("1500.00"),
                              "days_61_90": 0, "days_over_90": Decimal("0.00")}
    assert result.credit_left == 0
    assert sum(result.buckets[code] for code in receivables.OVERDUE_BUCKETS) == result.amount_overdue


def test_left_out_lines_apart_and_the_credit_left_over():
    # a disputed 700 and an excluded 300 stay apart; the credit pays the 400 and 600 are left
    result = receivables.balance(state([
        line(1, 20, 400), line(2, 70, 700, disputed=True), line(3, 45, 300, excluded=True), line(4, 3, -1000),
    ]))
    assert result.amount_overdue == 0
    assert result.amount_excluded == Decimal("1000.00")
    assert result.credit_left == Decimal("-600.00")
    assert all(amount == 0 for amount in result.buckets.values())
    assert result.amount_due == Decimal("400.00") == (
        sum(result.buckets.values()) + result.amount_excluded + result.credit_left)


def test_total_of_customers():
    one = receivables.balance(state([line(1, 95, 1000), line(2, -3, 250)]))
    two = receivables.balance(state([line(3, 15, 80), line(4, 1, -100)]))
    both = receivables.total([one, two])
    assert both.amount_due == Decimal("1230.00")
    assert both.amount_overdue == Decimal("1000.00")
    assert both.buckets["days_over_90"] == Decimal("1000.00")
    assert both.buckets["not_due"] == Decimal("250.00")
    assert both.credit_left == Decimal("-20.00")
    assert both.counts["days_over_90"] == 1
