from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine import kpi

REF = date(2026, 11, 30)

amounts = st.floats(min_value=-1000, max_value=1_000_000, allow_nan=False, allow_infinity=False)
days_offsets = st.integers(min_value=-200, max_value=400)


# --- dates -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("day", "months", "expected"), [
    (date(2026, 11, 30), 12, date(2025, 11, 30)),
    (date(2026, 3, 31), 1, date(2026, 2, 28)),
    (date(2024, 3, 31), 1, date(2024, 2, 29)),
    (date(2026, 1, 15), 1, date(2025, 12, 15)),
    (date(2026, 1, 15), 0, date(2026, 1, 15)),
])
def test_months_before(day, months, expected):
    assert kpi.months_before(day, months) == expected


def test_month_ends():
    assert kpi.month_ends(date(2026, 3, 10), 3) == [date(2025, 12, 31), date(2026, 1, 31), date(2026, 2, 28)]
    assert kpi.month_ends(date(2026, 3, 10), 2, include_current=True) == [date(2026, 2, 28), date(2026, 3, 31)]


def test_window_excludes_its_first_day():
    assert kpi.in_window(date(2025, 12, 1), REF)
    assert not kpi.in_window(date(2025, 11, 30), REF)
    assert kpi.in_window(REF, REF)
    assert not kpi.in_window(REF + timedelta(days=1), REF)


# --- aged balance ----------------------------------------------------------------------------


@pytest.mark.parametrize(("days_late", "bucket"), [
    (-10, "not_due"), (0, "not_due"), (1, "days_1_30"), (30, "days_1_30"), (31, "days_31_60"),
    (60, "days_31_60"), (61, "days_61_90"), (90, "days_61_90"), (91, "days_over_90"), (400, "days_over_90"),
])
def test_bucket_boundaries(days_late, bucket):
    assert kpi.bucket_of(REF - timedelta(days=days_late), REF) == bucket


def test_aged_balance():
    rows = [(100.0, REF), (200.0, REF - timedelta(days=5)), (300.0, REF - timedelta(days=45)),
            (50.0, REF - timedelta(days=45)), (0.004, REF - timedelta(days=200)), (-80.0, REF)]
    balance = kpi.aged_balance(rows, REF)
    assert balance.as_dict() == {"not_due": 100.0, "days_1_30": 200.0, "days_31_60": 350.0,
                                 "days_61_90": 0.0, "days_over_90": 0.0}
    assert balance.counts["days_31_60"] == 2
    assert balance.total == 650.0
    assert balance.overdue == 550.0



@given(st.lists(st.tuples(amounts, days_offsets), max_size=40))
def test_buckets_sum_to_total_open(rows):
    rows = [(amount, REF - timedelta(days=offset)) for amount, offset in rows]
    balance = kpi.aged_balance(rows, REF)
    open_total = sum(amount for amount, _due in rows if amount > kpi.TOLERANCE)
    assert balance.total == pytest.approx(open_total, rel=1e-9, abs=1e-6)
    assert balance.overdue <= balance.total + 1e-6
    assert sum(balance.counts.values()) == sum(1 for amount, _due in rows if amount > kpi.TOLERANCE)


# --- aged balance at a past date ---------------------------------------------------------------


def test_aged_balance_history_uses_residuals_of_the_time():
    items = [
        kpi.HistoricItem("a", 1000.0, date(2026, 1, 10), date(2026, 2, 9)),
        kpi.HistoricItem("b", 500.0, date(2026, 3, 5), date(2026, 4, 4)),
        kpi.HistoricItem("c", 200.0, date(2026, 4, 20), date(2026, 5, 20)),
    ]
    payments = [
        kpi.ItemPayment("a", date(2026, 3, 15), 400.0),
        kpi.ItemPayment("a", date(2026, 4, 30), 600.0),  # paid in full on the last day of April
        kpi.ItemPayment("b", date(2026, 5, 2), 500.0),
    ]
    ends = [date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31), date(2026, 4, 30), date(2026, 5, 31)]
    history = kpi.aged_balance_history(items, payments, ends)
    assert history[date(2026, 1, 31)].as_dict()["not_due"] == 1000.0
    assert history[date(2026, 2, 28)].days_1_30 == 1000.0  # 19 days late
    march = history[date(2026, 3, 31)]
    assert march.days_31_60 == 600.0  # a: 50 days late, 400 paid
    assert march.not_due == 500.0
    april = history[date(2026, 4, 30)]
    assert april.as_dict() == {"not_due": 200.0, "days_1_30": 500.0, "days_31_60": 0.0,
                               "days_61_90": 0.0, "days_over_90": 0.0}
    assert history[date(2026, 5, 31)].total == 200.0  # c 11 days late
    assert history[date(2026, 5, 31)].days_1_30 == 200.0
    assert kpi.aged_balance_history(items, payments, [date(2026, 3, 14)])[date(2026, 3, 14)].days_31_60 == 1000.0


def test_aged_balances_history_per_customer():
    items = [(1, 100.0, date(2026, 1, 5), date(2026, 2, 4)), (2, 50.0, date(2026, 1, 20), date(2026, 3, 1)),
             (3, 70.0, date(2026, 1, 2), date(2026, 1, 2))]
    payments = [(1, date(2026, 2, 10), 100.0)]
    ends = [date(2026, 1, 31), date(2026, 2, 28)]
    history = kpi.aged_balances_history(items, payments, ends, {1: "A", 2: "A", 3: "B"})
    assert history[date(2026, 1, 31)]["A"].not_due == 150.0
    assert history[date(2026, 1, 31)]["B"].days_1_30 == 70.0
    assert history[date(2026, 2, 28)]["A"].as_dict()["not_due"] == 50.0
    assert history[date(2026, 2, 28)]["A"].total == 50.0
    assert history[date(2026, 2, 28)]["B"].days_31_60 == 70.0
    assert set(kpi.aged_balances_history(items, payments, [date(2026, 1, 31)], {3: "B"})[date(2026, 1, 31)]) == {"B"}


def test_aged_balance_history_reversed_payment_reopens():
    items = [kpi.HistoricItem(7, 100.0, date(2026, 1, 1), date(2026, 1, 31))]
    payments = [kpi.ItemPayment(7, date(2026, 2, 10), 100.0), kpi.ItemPayment(7, date(2026, 2, 20), -100.0)]
    assert kpi.aged_balance_history(items, payments, [date(2026, 2, 15)])[date(2026, 2, 15)].total == 0.0
    assert kpi.aged_balance_history(items, payments, [date(2026, 2, 28)])[date(2026, 2, 28)].days_1_30 == 100.0


@given(st.lists(st.tuples(st.floats(0.01, 10_000), st.integers(0, 300), st.integers(0, 90),
                          st.lists(st.tuples(st.integers(0, 400), st.floats(0, 5_000)), max_size=3)),
                max_size=20),
       st.integers(0, 400))
def test_history_today_equals_aged_balance_of_residuals(specs, day_offset):
    start = date(2025, 1, 1)
    day = start + timedelta(days=day_offset)
    items, payments, rows = [], [], []
    for key, (amount, invoiced, term, pays) in enumerate(specs):
        item = kpi.HistoricItem(key, amount, start + timedelta(days=invoiced), start + timedelta(days=invoiced + term))
        items.append(item)
        paid = 0.0
        for paid_offset, paid_amount in pays:
            payments.append(kpi.ItemPayment(key, start + timedelta(days=paid_offset), paid_amount))
            if start + timedelta(days=paid_offset) <= day:
                paid += paid_amount
        if item.invoice_date <= day:
            rows.append((amount - paid, item.due_date))
    expected = kpi.aged_balance(rows, day)
    got = kpi.aged_balance_history(items, payments, [day])[day]
    for code in kpi.BUCKETS:
        assert getattr(got, code) == pytest.approx(getattr(expected, code), abs=1e-6)


# --- DSO -------------------------------------------------------------------------------------


def test_dso_count_back_worked_example():
    # docs/design.md ("Measures"): 30 + 50,000 / 80,000 x 31 = 49.375, shown as 49.4
    dso = kpi.dso_count_back(150_000, [(100_000, 30), (80_000, 31), (90_000, 30)])
    assert dso == 49.375
    assert round(dso, 1) == 49.4


def test_dso_count_back_edges():
    # receivables below the last month's sales: that month pro rata
    assert kpi.dso_count_back(25_000, [(100_000, 30), (80_000, 31)]) == 7.5
    # exactly one month's sales: that month in full
    assert kpi.dso_count_back(100_000, [(100_000, 30), (80_000, 31)]) == 30.0
    # more receivables than all the months given: the sum of their days (a lower bound)
    assert kpi.dso_count_back(500_000, [(100_000, 30), (80_000, 31)]) == 61.0
    # months without sales count in full
    assert kpi.dso_count_back(50_000, [(0, 30), (100_000, 31)]) == 30 + 15.5
    assert kpi.dso_count_back(50_000, [(0, 30), (0, 31)]) == 61.0
    # nothing to collect
    assert kpi.dso_count_back(0, [(100_000, 30)]) == 0.0
    assert kpi.dso_count_back(-10, [(100_000, 30)]) == 0.0
    assert kpi.dso_count_back(1000, []) == 0.0


@given(amounts, st.lists(st.tuples(amounts, st.integers(28, 31)), max_size=13))
def test_dso_count_back_bounded(receivables, months):
    dso = kpi.dso_count_back(receivables, months)
    assert 0 <= dso <= sum(days for _sales, days in months) + 1e-9


def test_count_back_months():
    sales = {(2026, 11): 100_000.0, (2026, 10): 80_000.0, (2026, 9): 90_000.0}
    months = kpi.count_back_months(sales, date(2026, 11, 30), 4)
    assert months == [(100_000.0, 30), (80_000.0, 31), (90_000.0, 30), (0.0, 31)]
    assert kpi.dso_count_back(150_000, months) == 49.375
    assert kpi.count_back_months(sales, date(2026, 11, 15), 1) == [(100_000.0, 15)]
    assert kpi.count_back_months({}, date(2026, 3, 31), 2) == [(0.0, 31), (0.0, 28)]


def test_dso_simple_and_best():
    assert kpi.dso_simple(150_000, 180_000, 61) == pytest.approx(50.8333, abs=1e-4)
    assert kpi.dso_simple(0, 0, 30) == 0.0
    assert kpi.dso_simple(100, 0, 30) is None
    best = kpi.best_possible_dso(90_000, 180_000, 61)
    assert best == 30.5


def test_cei():
    # start 100, sales 500, end 150 of which 90 not due: (100+500-150) / (100+500-90) x 100
    assert kpi.collection_effectiveness_index(100, 500, 150, 90) == pytest.approx(450 / 510 * 100)
    assert kpi.collection_effectiveness_index(0, 0, 0, 0) is None
    # everything collected
    assert kpi.collection_effectiveness_index(100, 500, 90, 90) == 100.0


# --- shares and days beyond terms -----------------------------------------------------------


def test_share_overdue():
    share = kpi.OverdueShare(open_count=3, overdue_count=1, open_amount=1000.0, overdue_amount=100.0)
    assert share.by_count == pytest.approx(1 / 3)
    assert share.by_amount == pytest.approx(0.1)
    assert kpi.OverdueShare(0, 0, 0.0, 0.0).by_amount == 0.0
    assert kpi.OverdueShare(0, 0, 0.0, 0.0).by_count == 0.0


@given(st.lists(st.tuples(amounts, days_offsets), max_size=30))
def test_shares_in_unit_interval(rows):
    balance = kpi.aged_balance([(amount, REF - timedelta(days=offset)) for amount, offset in rows], REF)
    open_count = sum(balance.counts.values())
    share = kpi.OverdueShare(open_count, open_count - balance.counts["not_due"], balance.total, balance.overdue)
    assert 0.0 <= share.by_count <= 1.0
    assert 0.0 <= share.by_amount <= 1.0


def test_average_days_beyond_terms_weighted_by_amount():
    due = date(2026, 6, 30)
    rows = [(1000.0, due, due + timedelta(days=10)), (3000.0, due, due + timedelta(days=30)),
            (5000.0, due, due - timedelta(days=5)),  # early: 0 days beyond terms
            (-200.0, due, due + timedelta(days=90))]  # a credit: left out
    assert kpi.average_days_beyond_terms(rows) == pytest.approx((1000 * 10 + 3000 * 30) / 9000)
    assert kpi.average_days_beyond_terms([]) == 0.0


def test_share_paid_late():
    due = date(2026, 6, 30)
    rows = [(1.0, due, due), (1.0, due, due + timedelta(days=1)), (1.0, due, due + timedelta(days=3)),
            (1.0, due, due - timedelta(days=2))]
    assert kpi.share_paid_late(rows) == 0.5
    assert kpi.share_paid_late(rows, grace_days=2) == 0.25
    assert kpi.share_paid_late([]) == 0.0


@given(st.lists(st.tuples(amounts, days_offsets, days_offsets), max_size=30))
def test_share_paid_late_and_days_bounds(rows):
    rows = [(amount, REF - timedelta(days=due), REF - timedelta(days=paid)) for amount, due, paid in rows]
    assert 0.0 <= kpi.share_paid_late(rows) <= 1.0
    average = kpi.average_days_beyond_terms(rows)
    assert 0.0 <= average <= max([kpi.days_beyond_terms(due, paid) for _a, due, paid in rows], default=0) + 1e-9


def test_settled_in_window():
    rows = [(1.0, date(2025, 10, 1), date(2025, 11, 30)), (2.0, date(2025, 10, 1), date(2025, 12, 1))]
    assert kpi.settled_in_window(rows, REF) == [rows[1]]


# --- change --------------------------------------------------------------------------------


def test_change():
    assert kpi.change(45.0, 50.0) == kpi.Change(45.0, 50.0, -5.0, -10.0)
    assert kpi.change(5.0, 0.0) == kpi.Change(5.0, 0.0, 5.0, None)
    assert kpi.change(None, 3.0) == kpi.Change(None, 3.0, None, None)
    assert kpi.change(-2.0, -4.0).delta_percent == 50.0


# --- recovery by level ---------------------------------------------------------------------


def test_recovery_by_level():
    sent1 = date(2026, 10, 1)
    sent2 = date(2026, 10, 20)
    lines = [
        kpi.ReminderLine("r1", "friendly", sent1, "l1", 1000.0),
        kpi.ReminderLine("r1", "friendly", sent1, "l2", 500.0),
        kpi.ReminderLine("r2", "friendly", sent1, "l3", 300.0),
        kpi.ReminderLine("r3", "firm", sent2, "l1", 600.0),
    ]
    payments = [
        kpi.LinePayment("l1", date(2026, 10, 5), 400.0),    # 4 days after the friendly reminder
        kpi.LinePayment("l2", date(2026, 10, 14), 500.0),   # 13 days after
        kpi.LinePayment("l3", date(2026, 9, 30), 300.0),    # before any reminder: not credited
        kpi.LinePayment("l1", date(2026, 10, 20), 100.0),   # day of the firm reminder: credited to it
        kpi.LinePayment("l1", date(2026, 11, 10), 700.0),   # 21 days after the firm one, capped at 500 left
        kpi.LinePayment("zz", date(2026, 10, 2), 50.0),     # a line never reminded
    ]
    result = kpi.recovery_by_level(lines, payments)
    friendly, firm = result["friendly"], result["firm"]
    assert (friendly.reminders, friendly.lines, friendly.amount_due) == (2, 3, 1800.0)
    assert friendly.paid == {7: 400.0, 15: 900.0, 30: 900.0}
    assert friendly.rate(15) == 0.5
    assert (firm.reminders, firm.lines, firm.amount_due) == (1, 1, 600.0)
    assert firm.paid == {7: 100.0, 15: 100.0, 30: 600.0}
    assert firm.rate(30) == 1.0


@given(st.lists(st.tuples(st.sampled_from("abc"), st.integers(0, 60), st.sampled_from([1, 2]), st.floats(0, 1000)),
                max_size=10),
       st.lists(st.tuples(st.sampled_from("abc"), st.integers(0, 90), st.floats(-100, 2000)), max_size=15))
def test_recovery_never_exceeds_amount_due_and_grows_with_window(sends, pays):
    start = date(2026, 1, 1)
    lines = [kpi.ReminderLine(n, level, start + timedelta(days=offset), line, due)
             for n, (line, offset, level, due) in enumerate(sends)]
    payments = [kpi.LinePayment(line, start + timedelta(days=offset), amount) for line, offset, amount in pays]
    for recovery in kpi.recovery_by_level(lines, payments).values():
        assert 0 <= recovery.paid[7] <= recovery.paid[15] + 1e-9 <= recovery.paid[30] + 2e-9
        assert recovery.paid[30] <= recovery.amount_due + 1e-6
        assert 0.0 <= recovery.rate(30) <= 1.0 + 1e-9


# --- settlement dates ------------------------------------------------------------------------


def test_settlement_dates():
    items = [(1, 100.0, date(2026, 1, 1), date(2026, 1, 31)), (2, 50.0, date(2026, 1, 1), date(2026, 1, 31)),
             (3, 80.0, date(2026, 2, 1), date(2026, 2, 28))]
    payments = [(1, date(2026, 2, 10), 40.0), (1, date(2026, 2, 20), 60.0), (2, date(2026, 2, 1), 20.0),
                (3, date(2026, 3, 1), 80.0), (3, date(2026, 3, 5), -80.0), (9, date(2026, 1, 1), 5.0)]
    assert kpi.settlement_dates(items, payments) == {1: date(2026, 2, 20)}
    assert kpi.settlement_dates(items, payments, until=date(2026, 3, 2)) == {1: date(2026, 2, 20), 3: date(2026, 3, 1)}
    assert kpi.settlement_dates(items, payments, until=date(2026, 2, 15)) == {}
