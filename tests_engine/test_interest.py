from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import interest
from engine.interest import RateSchedule, Receivable

D = Decimal
# ECB main refinancing rate, date of change -> % (docs/legal.md)
ECB = [
    (date(2009, 5, 13), D("1.00")), (date(2011, 4, 13), D("1.25")), (date(2011, 7, 13), D("1.50")),
    (date(2011, 11, 9), D("1.25")), (date(2011, 12, 14), D("1.00")), (date(2012, 7, 11), D("0.75")),
    (date(2013, 5, 8), D("0.50")), (date(2013, 11, 13), D("0.25")), (date(2014, 6, 11), D("0.15")),
    (date(2014, 9, 10), D("0.05")), (date(2016, 3, 16), D("0.00")), (date(2022, 7, 27), D("0.50")),
    (date(2022, 9, 14), D("1.25")), (date(2022, 11, 2), D("2.00")), (date(2022, 12, 21), D("2.50")),
    (date(2023, 2, 8), D("3.00")), (date(2023, 3, 22), D("3.50")), (date(2023, 5, 10), D("3.75")),
    (date(2023, 6, 21), D("4.00")), (date(2023, 8, 2), D("4.25")), (date(2023, 9, 20), D("4.50")),
    (date(2024, 6, 12), D("4.25")), (date(2024, 9, 18), D("3.65")), (date(2024, 10, 23), D("3.40")),
    (date(2024, 12, 18), D("3.15")), (date(2025, 2, 5), D("2.90")), (date(2025, 3, 12), D("2.65")),
    (date(2025, 4, 23), D("2.40")), (date(2025, 6, 11), D("2.15")), (date(2026, 6, 17), D("2.40")),
]
LEGAL_B = [(date(2024, 1, 1), D("5.07")), (date(2024, 7, 1), D("4.92")), (date(2025, 1, 1), D("3.71")),
           (date(2025, 7, 1), D("2.76")), (date(2026, 1, 1), D("2.62"))]
STATUTORY = RateSchedule(interest.STATUTORY, ECB, margin=10)


def test_worked_example_of_domain_md():
    """EUR 5,000.00 due 31 May 2024; 2,000.00 paid 15 Jul 2024, the rest 30 Sep 2024."""
    invoice = Receivable(date(2024, 5, 31), D("5000.00"),
                         ((date(2024, 7, 15), D("2000.00")), (date(2024, 9, 30), D("3000.00"))))
    result = interest.invoice_interest([invoice], date(2024, 12, 31), STATUTORY)
    rows = [(p.date_from, p.date_to, p.days, p.base, p.rate, p.amount.quantize(D("0.0001")))
            for p in result.periods]
    assert rows == [
        (date(2024, 6, 1), date(2024, 6, 30), 30, D("5000.00"), D("14.50"), D("59.5890")),
        (date(2024, 7, 1), date(2024, 7, 15), 15, D("5000.00"), D("14.25"), D("29.2808")),
        (date(2024, 7, 16), date(2024, 9, 30), 77, D("3000.00"), D("14.25"), D("90.1849")),
    ]
    assert result.interest == D("179.05")
    assert result.shares == [D("59.59"), D("29.28"), D("90.18")]
    assert sum(result.shares) == result.interest
    assert result.days_late == 122
    assert result.first_late_day == date(2024, 6, 1)
    assert result.outstanding == 0
    assert result.interest + interest.indemnity(40, 1) == D("219.05")


def test_statutory_rates_of_domain_md():
    expected = {date(2023, 1, 1): "12.50", date(2023, 7, 1): "14.00", date(2024, 1, 1): "14.50",
                date(2024, 7, 1): "14.25", date(2025, 1, 1): "13.15", date(2025, 7, 1): "12.15",
                date(2026, 1, 1): "12.15", date(2026, 7, 1): "12.40"}
    for day, rate in expected.items():
        assert STATUTORY(day) == D(rate)
        assert STATUTORY(day + timedelta(days=100)) == D(rate)


def test_delay_crossing_two_half_year_boundaries():
    # due 15 Nov 2024, unpaid until 10 Aug 2025: 2024 H2, 2025 H1, 2025 H2
    line = Receivable(date(2024, 11, 15), D("1000.00"), ((date(2025, 8, 10), D("1000.00")),))
    result = interest.invoice_interest([line], date(2025, 12, 31), STATUTORY)
    assert [(p.date_from, p.date_to, p.days, p.rate) for p in result.periods] == [
        (date(2024, 11, 16), date(2024, 12, 31), 46, D("14.25")),
        (date(2025, 1, 1), date(2025, 6, 30), 181, D("13.15")),
        (date(2025, 7, 1), date(2025, 8, 10), 41, D("12.15")),
    ]
    exact = (D(1000) * (D("14.25") * 46 + D("13.15") * 181 + D("12.15") * 41) / 100 / 365)
    assert result.interest == exact.quantize(D("0.01"))  # 17.9589 + 65.2096 + 13.6479
    assert result.interest == D("96.82")
    assert result.days_late == 268


def test_unpaid_runs_to_the_given_date():
    line = Receivable(date(2024, 5, 31), D("5000.00"))
    result = interest.invoice_interest([line], date(2024, 6, 30), STATUTORY)
    assert result.interest == D("59.59")
    assert result.days_late == 30
    assert result.outstanding == D("5000.00")
    # a payment after the given date does not count yet
    later = Receivable(date(2024, 5, 31), D("5000.00"), ((date(2024, 7, 15), D("5000.00")),))
    assert interest.invoice_interest([later], date(2024, 6, 30), STATUTORY).interest == D("59.59")


def test_paid_on_time_or_not_yet_due():
    on_time = Receivable(date(2024, 5, 31), D("5000.00"), ((date(2024, 5, 31), D("5000.00")),))
    result = interest.invoice_interest([on_time], date(2024, 12, 31), STATUTORY)
    assert (result.periods, result.interest, result.days_late, result.first_late_day) == ([], 0, 0, None)
    not_due = Receivable(date(2024, 5, 31), D("5000.00"))
    result = interest.invoice_interest([not_due], date(2024, 5, 31), STATUTORY)
    assert (result.periods, result.interest, result.days_late) == ([], 0, 0)


def test_partly_paid_before_the_due_date():
    line = Receivable(date(2024, 5, 31), D("5000.00"), ((date(2024, 5, 20), D("2000.00")),))
    result = interest.invoice_interest([line], date(2024, 6, 30), STATUTORY)
    assert [p.base for p in result.periods] == [D("3000.00")]
    assert result.interest == (D(3000) * D("0.145") * 30 / 365).quantize(D("0.01"))


def test_instalments_each_from_its_own_due_date():
    """Two instalments of 1,000.00, due 31 Jan and 31 Mar 2025, both paid 30 Apr 2025."""
    first = Receivable(date(2025, 1, 31), D("1000.00"), ((date(2025, 4, 30), D("1000.00")),), line=1)
    second = Receivable(date(2025, 3, 31), D("1000.00"), ((date(2025, 4, 30), D("1000.00")),), line=2)
    result = interest.invoice_interest([first, second], date(2025, 12, 31), STATUTORY)
    assert [(p.line, p.days) for p in result.periods] == [(1, 89), (2, 30)]
    exact = D(1000) * D("13.15") / 100 * 119 / 365
    assert result.interest == exact.quantize(D("0.01"))
    assert result.days_late == 89
    assert result.first_late_day == date(2025, 2, 1)
    # the second instalment paid on time: only the first one is late
    second_on_time = Receivable(date(2025, 3, 31), D("1000.00"), ((date(2025, 3, 31), D("1000.00")),), line=2)
    result = interest.invoice_interest([first, second_on_time], date(2025, 12, 31), STATUTORY)
    assert [p.line for p in result.periods] == [1]


def test_credit_note_reduces_like_a_payment():
    # 1,200.00 due 31 Jan 2025; a credit note of 200.00 on 10 Feb; paid 28 Feb
    line = Receivable(date(2025, 1, 31), D("1200.00"),
                      ((date(2025, 2, 10), D("200.00")), (date(2025, 2, 28), D("1000.00"))))
    result = interest.invoice_interest([line], date(2025, 12, 31), STATUTORY)
    assert [(p.days, p.base) for p in result.periods] == [(10, D("1200.00")), (18, D("1000.00"))]
    exact = (D(1200) * 10 + D(1000) * 18) * D("13.15") / 100 / 365
    assert result.interest == exact.quantize(D("0.01"))


def test_multi_currency_rounds_in_the_invoice_currency():
    # JPY has no decimals: one rounding, to the yen
    line = Receivable(date(2024, 5, 31), D("750000"), ((date(2024, 9, 30), D("750000")),))
    result = interest.invoice_interest([line], date(2024, 12, 31), STATUTORY, digits=0)
    exact = D(750000) * (D("14.50") * 30 + D("14.25") * 92) / 100 / 365
    assert result.interest == exact.quantize(D(1), rounding="ROUND_HALF_UP")
    assert result.interest == D(35877)
    assert sum(result.shares) == result.interest
    # the EUR 40 at 1 EUR = 162.55 JPY; at 1 EUR = 0.8456 GBP
    assert interest.indemnity(40, D("162.55"), digits=0) == D(6502)
    assert interest.indemnity(40, D("0.8456")) == D("33.82")


def test_day_count_bases():
    line = Receivable(date(2023, 12, 31), D("1000.00"), ((date(2024, 1, 31), D("1000.00")),))
    contractual = RateSchedule(interest.CONTRACTUAL, rate=D("10"))
    r365 = interest.invoice_interest([line], date(2024, 12, 31), contractual, basis=interest.ACTUAL_365)
    r360 = interest.invoice_interest([line], date(2024, 12, 31), contractual, basis=interest.ACTUAL_360)
    r366 = interest.invoice_interest([line], date(2024, 12, 31), contractual, basis=interest.ACTUAL_ACTUAL)
    assert (r365.interest, r360.interest, r366.interest) == (D("8.49"), D("8.61"), D("8.47"))
    with pytest.raises(ValueError):
        interest.invoice_interest([line], date(2024, 12, 31), contractual, basis="30/360")


def test_contractual_rate_raised_to_the_legal_floor():
    schedule = RateSchedule(interest.CONTRACTUAL, rate=D("12"), floor_rates=LEGAL_B)
    assert schedule(date(2024, 3, 1)) == D("15.21")  # 3 x 5.07
    assert schedule(date(2025, 9, 1)) == D("12")  # 3 x 2.76 = 8.28 < 12
    with pytest.raises(interest.MissingRateError) as error:  # 2026 H2 not known yet: never unchecked
        schedule(date(2026, 9, 1))
    assert (error.value.half_year, error.value.kind) == (date(2026, 7, 1), interest.LEGAL_RATE)
    assert interest.contractual_floor(D("2.62")) == D("7.86")
    assert not interest.contractual_rate_allowed(D("7.85"), D("2.62"))
    assert interest.contractual_rate_allowed(D("7.86"), D("2.62"))
    assert interest.contractual_rate_allowed(D("1"), None)
    # the statutory default stays ECB + 10 even when below the floor (2024 H1: 14.50 < 15.21)
    assert STATUTORY(date(2024, 3, 1)) == D("14.50")


def test_legal_rate_is_per_half_year_only():
    assert interest.legal_rate_of_half_year(LEGAL_B, date(2026, 5, 1)) == D("2.62")
    assert interest.legal_rate_of_half_year(LEGAL_B, date(2026, 8, 1)) is None


def test_no_interest_mode_and_unknown_rates():
    line = Receivable(date(2024, 5, 31), D("5000.00"))
    result = interest.invoice_interest([line], date(2024, 9, 30), RateSchedule(interest.NONE))
    assert (result.interest, result.periods, result.shares) == (0, [], [])
    assert result.days_late == 122
    with pytest.raises(interest.MissingRateError) as error:
        interest.invoice_interest([Receivable(date(2008, 5, 31), D("10"))], date(2008, 9, 30), STATUTORY)
    assert error.value.half_year == date(2008, 1, 1)
    with pytest.raises(ValueError):
        RateSchedule("compound")


def test_invoice_level_reductions_go_to_the_oldest_line_first():
    lines = [Receivable(date(2025, 3, 31), D("500"), line=2), Receivable(date(2025, 1, 31), D("500"), line=1)]
    spread = interest.allocate_oldest_first(lines, [(date(2025, 2, 15), D("700"))])
    assert [(r.line, r.reductions) for r in spread] == [
        (1, ((date(2025, 2, 15), D("500")),)), (2, ((date(2025, 2, 15), D("200")),))]


def test_allocate_adds_up():
    assert interest.allocate(D("0.03"), [D("0.005"), D("0.005"), D("0.02")]) == [D("0.01"), D("0.00"), D("0.02")]
    assert interest.allocate(D("1.00"), [D("0.996")]) == [D("1.00")]
    assert interest.allocate(D("0.99"), [D("0.4949"), D("0.4949")]) == [D("0.50"), D("0.49")]


# -- properties ----------------------------------------------------------------------------
days = st.integers(min_value=0, max_value=1500)
amounts = st.integers(min_value=1, max_value=10_000_000).map(lambda cents: D(cents) / 100)
START = date(2012, 1, 1)


@st.composite
def receivables(draw):
    due = START + timedelta(days=draw(days))
    amount = draw(amounts)
    payments = draw(st.lists(st.tuples(st.integers(-30, 900), st.integers(1, 100)), max_size=4))
    reductions = tuple((due + timedelta(days=offset), (amount * share / 100).quantize(D("0.01")))
                       for offset, share in payments)
    return Receivable(due, amount, reductions)


def _exact(receivable, end, schedule):
    return sum((p.amount for p in interest.interest_periods(receivable, end, schedule)), D(0))


TINY = D("1e-18")


@settings(max_examples=300, deadline=None)
@given(receivables(), st.integers(0, 1200), st.integers(-40, 1200))
def test_splitting_a_period_never_changes_the_total(receivable, length, split):
    """Cutting the delay in two at any day (a reduction of zero) gives the same interest, and
    the interest to D2 is the interest to D1 plus that of the days after D1."""
    end = receivable.due_date + timedelta(days=length)
    middle = receivable.due_date + timedelta(days=split)
    cut = Receivable(receivable.due_date, receivable.amount, (*receivable.reductions, (middle, D(0))))
    whole = interest.interest_periods(receivable, end, STATUTORY)
    split_up = interest.interest_periods(cut, end, STATUTORY)
    assert sum(p.days for p in split_up) == sum(p.days for p in whole)
    assert abs(_exact(cut, end, STATUTORY) - _exact(receivable, end, STATUTORY)) < TINY
    assert (interest.invoice_interest([cut], end, STATUTORY).interest
            == interest.invoice_interest([receivable], end, STATUTORY).interest)
    if receivable.due_date <= middle <= end:
        before = _exact(receivable, middle, STATUTORY)
        after = sum((p.amount for p in split_up if p.date_from > middle), D(0))
        assert abs(before + after - _exact(receivable, end, STATUTORY)) < TINY


@settings(max_examples=200, deadline=None)
@given(receivables(), st.integers(0, 1200))
def test_one_rounding_per_invoice(receivable, length):
    end = receivable.due_date + timedelta(days=length)
    result = interest.invoice_interest([receivable], end, STATUTORY)
    assert result.interest == _exact(receivable, end, STATUTORY).quantize(D("0.01"), rounding="ROUND_HALF_UP")
    assert sum(result.shares, D(0)) == result.interest
    assert all(p.base > 0 and p.days > 0 for p in result.periods)
    # periods never overlap and never cross 1 January or 1 July
    for p in result.periods:
        assert interest.half_year_start(p.date_from) == interest.half_year_start(p.date_to)
    for a, b in zip(result.periods, result.periods[1:], strict=False):
        assert a.date_to < b.date_from


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 3000), amounts, st.integers(0, 900), st.integers(0, 900), st.integers(0, 1500))
def test_paying_earlier_never_costs_more(due_offset, amount, pay_a, pay_b, horizon):
    due = START + timedelta(days=due_offset)
    end = due + timedelta(days=horizon)
    early, late = sorted((pay_a, pay_b))
    paid_early = Receivable(due, amount, ((due + timedelta(days=early), amount),))
    paid_late = Receivable(due, amount, ((due + timedelta(days=late), amount),))
    assert _exact(paid_early, end, STATUTORY) <= _exact(paid_late, end, STATUTORY)
    assert (interest.invoice_interest([paid_early], end, STATUTORY).interest
            <= interest.invoice_interest([paid_late], end, STATUTORY).interest)


@settings(max_examples=200, deadline=None)
@given(receivables(), st.integers(0, 1200), st.integers(0, 2000), st.integers(0, 2000))
def test_a_higher_rate_never_costs_less(receivable, length, rate_a, rate_b):
    end = receivable.due_date + timedelta(days=length)
    low, high = sorted((D(rate_a) / 100, D(rate_b) / 100))
    cheap = interest.invoice_interest([receivable], end, RateSchedule(interest.CONTRACTUAL, rate=low))
    dear = interest.invoice_interest([receivable], end, RateSchedule(interest.CONTRACTUAL, rate=high))
    assert cheap.interest <= dear.interest
    lower_margin = interest.invoice_interest([receivable], end, RateSchedule(interest.STATUTORY, ECB, margin=low))
    higher_margin = interest.invoice_interest([receivable], end, RateSchedule(interest.STATUTORY, ECB, margin=high))
    assert lower_margin.interest <= higher_margin.interest
