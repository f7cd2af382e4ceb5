import random
from datetime import date, timedelta

import pytest

from engine import prediction

REF = date(2026, 12, 1)


def day(offset):
    return REF + timedelta(days=offset)


# three invoices of 1,000 paid 360, 180 and 0 days ago, 10, 20 and 30 days late
HISTORY = [(1000.0, day(-370), day(-360)), (1000.0, day(-200), day(-180)), (1000.0, day(-30), day(0))]


def test_customer_profile_hand_computed():
    profile = prediction.customer_profile(HISTORY, REF)
    # recency weights 0.25, 0.5, 1: (2.5 + 10 + 30) / 1.75 = 24.2857 days; the last three average
    # 20 days: half the gap is added, 24.2857 + 0.5 x (20 - 24.2857) = 22.1429
    assert profile.delay == pytest.approx(22.142857, abs=1e-6)
    # 20th / 80th percentiles of 10, 20, 30: 14 and 26
    assert (profile.low, profile.high) == (pytest.approx(14.0), pytest.approx(26.0))
    assert (profile.count, profile.average, profile.weight) == (3, 20.0, 3000.0)
    assert profile.delays == (10, 20, 30)
    # invoices paid after the day are unknown
    assert prediction.customer_profile(HISTORY, day(-1)).count == 2
    assert prediction.customer_profile(HISTORY, day(-361)) is None


def test_fewer_than_five_invoices_mix_with_the_pool():
    own = prediction.customer_profile(HISTORY, REF)
    pool = prediction.Profile(2.0, -1.0, 4.0, 30, 2.0, 1.0)
    # 3 invoices, fewer than 5: its own weighs 3 / (3 + 0.25) = 12/13, the pool's 1/13:
    # (12 x 22.142857 + 2) / 13 = 20.593407 days, band (12 x 14 - 1) / 13 = 12.846154 ..
    # (12 x 26 + 4) / 13 = 24.307692
    mixed, source = prediction.with_pool(own, pool)
    assert source == "pool"
    assert (mixed.delay, mixed.low, mixed.high) == (pytest.approx(20.593407, abs=1e-6),
                                                    pytest.approx(12.846154, abs=1e-6),
                                                    pytest.approx(24.307692, abs=1e-6))
    assert (mixed.count, mixed.average) == (3, 20.0)
    assert prediction.with_pool(own, None) == (own, "customer")
    assert prediction.with_pool(None, pool) == (pool, "pool")
    assert prediction.with_pool(None, None) == (None, "due")
    five = prediction.customer_profile([*HISTORY, *HISTORY[:2]], REF)
    assert prediction.with_pool(five, pool) == (five, "customer")


def test_percentile_interpolates():
    assert prediction.percentile([30, 10, 20], 50) == 20
    assert prediction.percentile([0, 10], 20) == pytest.approx(2.0)
    assert prediction.percentile([5], 80) == 5
    assert prediction.percentile([], 20) is None


def test_predict_an_invoice_not_yet_due():
    profile = prediction.customer_profile(HISTORY, REF)
    got = prediction.predict(("line", 500.0, day(10)), profile, REF)
    # due + 22 days, band due + 14 .. due + 26
    assert got == prediction.Prediction(day(32), day(24), day(36), "customer")


def test_an_invoice_already_late_is_expected_after_the_longer_delays():
    profile = prediction.customer_profile(HISTORY, REF)
    # 25 days late already: of 10, 20, 30 only 30 is longer -> due + 30 = in 5 days
    assert prediction.predict(("line", 500.0, day(-25)), profile, REF) == prediction.Prediction(
        day(5), day(5), day(5), "customer")
    # later than ever: the stale days of its class from today (high: 14, band today .. 28 days)
    assert prediction.predict(("line", 500.0, day(-40)), profile, REF, risk_class="high") == prediction.Prediction(
        day(14), REF, day(28), "customer")
    assert prediction.predict(("line", 500.0, day(-40)), profile, REF, risk_class="critical").expected == day(30)
    # a band that would start in the past starts today
    got = prediction.predict(("line", 500.0, day(-16)), profile, REF)
    assert (got.low, got.expected, got.high) == (REF, day(6), day(10))


def test_promises_and_plans_win():
    profile = prediction.customer_profile(HISTORY, REF)
    assert prediction.predict(("line", 1.0, day(-5)), profile, REF, promise_date=day(5)) == prediction.Prediction(
        day(5), day(5), day(12), "promise")
    assert prediction.predict(("line", 1.0, day(-5)), profile, REF, plan_date=day(20),
                              plan_grace_days=3) == prediction.Prediction(day(20), day(20), day(23), "plan")
    # without any history: the due date, today at the earliest
    assert prediction.predict(("line", 1.0, day(9)), None, REF) == prediction.Prediction(day(9), day(9), day(9), "due")
    assert prediction.predict(("line", 1.0, day(-9)), None, REF).expected == REF


def test_plan_dates_pay_the_oldest_invoices_first():
    invoices = [("b", 500.0, day(-10)), ("a", 1000.0, day(-40)), ("c", 900.0, day(-5))]
    instalments = [(day(30), 600.0), (day(0), 600.0), (day(60), 300.0)]
    # a (1,000): 600 + 600 -> the second instalment; b (500): 200 left + 300 -> the third; c: not covered
    assert prediction.plan_dates(invoices, instalments) == {"a": day(30), "b": day(60)}


def test_pooled_profiles_weigh_by_amount():
    small = prediction.Profile(10.0, 5.0, 15.0, 3, 10.0, 1000.0)
    big = prediction.Profile(30.0, 20.0, 40.0, 4, 32.0, 3000.0)
    pool = prediction.pooled_profile([small, None, big])
    assert (pool.delay, pool.low, pool.high, pool.count, pool.average, pool.weight) == (
        25.0, 16.25, 33.75, 7, 26.5, 4000.0)
    assert prediction.pooled_from_sums(100_000.0, 65_000.0, 135_000.0, 106_000.0, 4000.0, 7) == pool
    assert prediction.pooled_profile([]) is None
    assert prediction.pooled_from_sums(0, 0, 0, 0, 0, 0) is None


def test_predict_customers_falls_back_on_the_class_then_the_company():
    history = [(1, *row) for row in HISTORY]
    open_rows = [(1, "l1", 500.0, day(10)), (2, "l2", 800.0, day(10)), (3, "l3", 800.0, day(10)),
                 (1, "l4", 100.0, day(0))]
    class_pool = prediction.Profile(5.0, 0.0, 9.0, 10, 5.0, 1.0)
    company_pool = prediction.Profile(2.0, -1.0, 4.0, 30, 2.0, 1.0)
    got, profiles = prediction.predict_customers(
        open_rows, history, REF, risk_classes={2: "high", 3: "low"}, class_pools={"high": class_pool},
        company_pool=company_pool, promise_dates={"l4": day(3)})
    # customer 1: its 3 invoices mixed with the company's pool (see above): due + 21, band + 13 .. + 24
    assert got["l1"] == prediction.Prediction(day(31), day(23), day(34), "company")
    assert got["l2"] == prediction.Prediction(day(15), day(10), day(19), "class")
    assert got["l3"] == prediction.Prediction(day(12), day(9), day(14), "company")
    assert got["l4"].source == "promise"
    assert profiles[1].count == 3 and profiles[2] is None
    own, _profiles = prediction.predict_customers(open_rows[:1], history, REF,
                                                  settings=prediction.PredictionSettings(min_history=3))
    assert own["l1"] == prediction.Prediction(day(32), day(24), day(36), "customer")


# --- backtest --------------------------------------------------------------------------------


def test_backtest_hand_computed():
    start = date(2026, 1, 1)
    rows = [("A", 100.0, start + timedelta(days=30 * n), start + timedelta(days=30 * n + 10)) for n in range(4)]
    result = prediction.backtest(rows)
    # the first invoice has no history (customer or company) yet: predicted on the due date,
    # 10 days off; the next ones are predicted 10 days late from the first, exactly (no pool to
    # mix with). The last delay misses only the first one too.
    assert (result.count, result.mae, result.mae_due_date, result.mae_last_delay) == (4, 2.5, 10.0, 2.5)
    # a second customer paying on time, due after A's three first invoices are paid... and A's
    # history is too short for the company's pool (5 invoices): B's first is predicted on time
    rows += [("B", 100.0, date(2026, 4, 10), date(2026, 4, 10))]
    result = prediction.backtest(rows)
    assert (result.count, result.mae, result.mae_due_date, result.mae_last_delay) == (5, 2.0, 8.0, 2.0)
    assert prediction.backtest([]) is None


def generated_history(customers=30, invoices=16):
    """A fixed history (seeded draws): each customer has a habit (from 5 days early to 60 days
    late), pays within 10 days of it, one invoice in ten 30 days later still (a slip), and one
    customer in five later and later; invoices are due every 30 days over 16 months."""
    rng = random.Random(25)
    start = date(2025, 1, 5)
    rows = []
    for customer in range(customers):
        habit = (customer * 13) % 66 - 5
        for n in range(invoices):
            slip = 30 if rng.random() < 0.1 else 0
            trend = n if customer % 5 == 0 else 0
            due = start + timedelta(days=30 * n + customer % 7)
            amount = float(rng.randrange(500, 1400, 10))
            rows.append((customer, amount, due, due + timedelta(days=habit + rng.randint(-10, 10) + slip + trend)))
    return rows


def test_backtest_beats_both_naive_predictions_on_a_generated_history():
    result = prediction.backtest(generated_history())
    assert result.count == 480
    assert round(result.mae, 2) == pytest.approx(RESULT_MAE, abs=0.01)
    assert round(result.mae_due_date, 2) == pytest.approx(RESULT_DUE, abs=0.01)
    assert round(result.mae_last_delay, 2) == pytest.approx(RESULT_LAST, abs=0.01)
    # 22.1 days better than "paid on the due date", 1.6 days better than "as late as the last one"
    assert result.gain_over_due_date > 22
    assert result.gain_over_last_delay > 1.5


RESULT_MAE, RESULT_DUE, RESULT_LAST = 12.60, 34.66, 14.22


# --- cash-in forecast ------------------------------------------------------------------------


def test_weekly_forecast():
    today = date(2026, 12, 2)  # a Wednesday: the first week starts on Monday 30 November
    rows = [
        (1000.0, date(2026, 12, 4), date(2026, 12, 1), date(2026, 12, 9)),  # week 1, early 1, late 2
        (500.0, date(2026, 11, 20), date(2026, 11, 20), date(2026, 11, 20)),  # in the past: week 1
        (300.0, date(2026, 12, 14), date(2026, 12, 14), date(2027, 3, 20)),  # week 3, late after 13 weeks
        (200.0, date(2027, 4, 1), date(2027, 2, 1), date(2027, 5, 1)),  # after 13 weeks, early week 10
        (50.0, None, None, None),  # not predicted
    ]
    weeks, later = prediction.weekly_forecast(rows, today)
    assert len(weeks) == 13 and weeks[0].start == date(2026, 11, 30) and weeks[-1].start == date(2027, 2, 22)
    assert weeks[0] == prediction.ForecastWeek(date(2026, 11, 30), 1500.0, 1500.0, 500.0, 1500.0)
    assert weeks[1] == prediction.ForecastWeek(date(2026, 12, 7), 0.0, 0.0, 1000.0, 1500.0)
    assert weeks[2] == prediction.ForecastWeek(date(2026, 12, 14), 300.0, 300.0, 0.0, 1800.0)
    assert weeks[9].early == 200.0
    assert later == 200.0
    assert sum(week.expected for week in weeks) + later == 2000.0
