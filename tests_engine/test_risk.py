import dataclasses
import math
from datetime import date, timedelta
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import risk

REF = date(2026, 11, 30)


def paid(amount, days_late, paid_days_ago=10):
    """A settled invoice paid `paid_days_ago` days before REF, `days_late` after its due date."""
    paid_on = REF - timedelta(days=paid_days_ago)
    return risk.SettledInvoice(amount, paid_on - timedelta(days=days_late), paid_on)


def factors(result):
    return {factor.code: factor for factor in result.factors}


# --- the default formula on worked cases --------------------------------------------------------


def test_good_payer_scores_zero():
    result = risk.score_customer(risk.RiskInput(REF, settled=tuple(paid(1000, 0) for _ in range(5)),
                                                credit_limit=10_000))
    assert (result.score, result.risk_class, result.no_history) == (0.0, "low", False)
    assert [factor.code for factor in result.factors] == [
        "days_late", "late_share", "exposure_credit_limit", "level", "incidents"]
    assert sum(factor.weight for factor in result.factors) == 100


def test_late_payer_worked_example():
    # days: (1000 x 30 + 3000 x 60 + 1000 x 0) / 5000 = 42 days -> 40 x 42 / 60 = 28
    # late share 2 / 3 -> 13.33; overdue 5,000 / limit 10,000 -> 10; formal notice 7; 1 dispute 5
    inp = risk.RiskInput(REF, settled=(paid(1000, 30), paid(3000, 60), paid(1000, -3)), overdue_amount=5000,
                         credit_limit=10_000, level="formal_notice", disputes=1)
    result = risk.score_customer(inp)
    got = factors(result)
    assert got["days_late"].value == 42.0
    assert got["days_late"].points == pytest.approx(28.0)
    assert got["late_share"].value == pytest.approx(200 / 3)
    assert got["late_share"].points == pytest.approx(40 / 3)
    assert got["exposure_credit_limit"].value == 50.0
    assert got["exposure_credit_limit"].points == 10.0
    assert (got["level"].value, got["level"].points) == ("formal_notice", 7.0)
    assert (got["incidents"].value, got["incidents"].points) == (1, 5.0)
    assert result.raw_score == pytest.approx(28 + 40 / 3 + 10 + 7 + 5)
    assert (result.score, result.risk_class) == (63.3, "high")


def test_caps_reach_one_hundred():
    inp = risk.RiskInput(REF, settled=(paid(1, 90), paid(1, 120), paid(1, 61)), overdue_amount=30_000,
                         credit_limit=10_000, level="collection", disputes=2, broken_promises=3)
    result = risk.score_customer(inp)
    assert (result.score, result.risk_class) == (100.0, "critical")
    assert factors(result)["incidents"].points == 10.0


def test_no_history():
    result = risk.score_customer(risk.RiskInput(REF, settled=(paid(1000, 0), paid(1000, 50)), overdue_amount=99_999,
                                                level="collection"))
    assert (result.score, result.risk_class, result.no_history) == (30.0, "medium", True)
    assert [(factor.code, factor.value, factor.points) for factor in result.factors] == [("no_history", 2, 30.0)]


def test_no_history_keeps_current_factors_when_configured():
    weights = risk.RiskWeights(no_history_keeps_current=True)
    quiet = risk.score_customer(risk.RiskInput(REF, settled=(paid(1000, 0),)), weights)
    assert quiet.score == 30.0
    assert factors(quiet)["no_history"].points == 30.0
    bad = risk.score_customer(risk.RiskInput(REF, overdue_amount=50_000, monthly_sales=10_000, level="collection",
                                             disputes=1), weights)
    assert (bad.score, bad.no_history) == (35.0, True)
    assert factors(bad)["no_history"].points == 0.0
    assert sum(factor.points for factor in bad.factors) == bad.raw_score


def test_only_invoices_settled_in_the_window_count():
    old = paid(1000, 90, paid_days_ago=365)  # paid on 30 Nov 2025: just outside
    recent = [paid(1000, 0, paid_days_ago=364) for _ in range(2)]
    assert risk.score_customer(risk.RiskInput(REF, settled=(old, *recent))).no_history
    future = paid(1000, 90, paid_days_ago=-1)  # paid after the reference date: not settled yet then
    assert risk.score_customer(risk.RiskInput(REF, settled=(future, *recent))).no_history
    assert not risk.score_customer(risk.RiskInput(REF, settled=(paid(1, 0, 0), *recent))).no_history


def test_exposure_against_monthly_sales_without_limit():
    history = tuple(paid(1000, 0) for _ in range(3))
    result = risk.score_customer(risk.RiskInput(REF, settled=history, overdue_amount=3000, credit_limit=0,
                                                monthly_sales=4000))
    exposure = factors(result)["exposure_monthly_sales"]
    assert (exposure.value, exposure.points) == (75.0, 15.0)
    nothing = risk.score_customer(risk.RiskInput(REF, settled=history, overdue_amount=10, monthly_sales=0))
    assert (factors(nothing)["exposure_monthly_sales"].value, nothing.score) == (None, 20.0)
    clean = risk.score_customer(risk.RiskInput(REF, settled=history))
    assert factors(clean)["exposure_monthly_sales"].points == 0.0


def test_level_points():
    assert risk.level_points("normal") == 0.0
    assert risk.level_points("formal_notice") == 7.0
    assert risk.level_points("collection") == 10.0
    assert risk.level_points(4.5) == 4.5
    assert risk.level_points(25) == 10.0
    with pytest.raises(ValueError):
        risk.level_points("litigation")


def test_level_rank_points_in_proportion():
    # six levels: courtesy, friendly, firm, call, formal notice (5), collection (6)
    assert risk.level_rank_points(0, 5, 6) == 0.0
    assert risk.level_rank_points(1, 5, 6) == pytest.approx(1.4)
    assert risk.level_rank_points(4, 5, 6) == pytest.approx(5.6)
    assert risk.level_rank_points(5, 5, 6) == 7.0
    assert risk.level_rank_points(6, 5, 6) == 10.0
    # a level between the formal notice and the collection
    assert risk.level_rank_points(4, 3, 5) == 8.5
    assert risk.level_rank_points(7, 5, None) == 7.0
    assert risk.level_rank_points(2, None, 4) == 5.0
    assert risk.level_rank_points(3, None, None) == 0.0
    with pytest.raises(ValueError):
        risk.level_rank_points(1, 5, 4)


def test_risk_classes_and_thresholds():
    assert [risk.risk_class(score) for score in (0, 24.9, 25, 49.9, 50, 74.9, 75, 100)] == [
        "low", "low", "medium", "medium", "high", "high", "critical", "critical"]
    strict = risk.RiskThresholds(medium=10, high=30, critical=60)
    assert risk.risk_class(30, strict) == "high"
    with pytest.raises(ValueError):
        risk.RiskThresholds(medium=50, high=40)


def test_class_follows_the_rounded_score():
    # raw 24.96 shows as 25.0: the class is the one of what the user sees
    inp = risk.RiskInput(REF, settled=tuple(paid(1000, 0) for _ in range(3)), overdue_amount=12_480,
                         credit_limit=10_000, level=4.96)
    result = risk.score_customer(inp)
    assert result.raw_score == pytest.approx(24.96)
    assert (result.score, result.risk_class) == (25.0, "medium")


def test_weights_are_checked():
    with pytest.raises(ValueError, match="more than 100"):
        risk.RiskWeights(trend_points=10)
    risk.RiskWeights(trend_points=10, days_late_points=30)
    with pytest.raises(ValueError, match="paying later"):
        risk.RiskWeights(trend_points=20, days_late_points=20)
    with pytest.raises(ValueError, match="negative"):
        risk.RiskWeights(incident_points=-1)
    with pytest.raises(ValueError, match="grow"):
        risk.RiskWeights(formal_notice_points=9, collection_points=8)
    assert risk.DEFAULT_WEIGHTS.max_score == 100
    assert risk.RiskWeights(days_late_points=30).problems() == []


def test_factors_with_no_weight_are_left_out():
    weights = risk.RiskWeights(incidents_max_points=0, incident_points=0)
    result = risk.score_customer(risk.RiskInput(REF, settled=tuple(paid(1, 0) for _ in range(3)), disputes=4), weights)
    assert "incidents" not in factors(result)
    assert "trend" not in factors(result)


def test_trend_counts_only_a_worsening():
    weights = risk.RiskWeights(trend_points=10, days_late_points=30)
    steady = tuple(paid(1000, 0, paid_days_ago=200) for _ in range(4))
    # due in the last 3 months, paid 30 days late: recent average 30 against a yearly 12 days
    recent = tuple(paid(1000, 30, paid_days_ago=5) for _ in range(2))
    worse = risk.score_customer(risk.RiskInput(REF, settled=steady + recent), weights)
    trend = factors(worse)["trend"]
    assert trend.value == pytest.approx(30 - 10)
    assert trend.points == pytest.approx(10 * 20 / 30)
    improving = risk.score_customer(
        risk.RiskInput(REF, settled=tuple(paid(1000, 40, paid_days_ago=200) for _ in range(4))
                       + tuple(paid(1000, 0, paid_days_ago=5) for _ in range(2))), weights)
    assert factors(improving)["trend"].value < 0
    assert factors(improving)["trend"].points == 0.0
    no_recent = risk.score_customer(risk.RiskInput(REF, settled=steady), weights)
    assert (factors(no_recent)["trend"].value, factors(no_recent)["trend"].points) == (None, 0.0)
    # the default formula has no trend factor at all
    assert "trend" not in factors(risk.score_customer(risk.RiskInput(REF, settled=steady + recent)))


def test_result_as_dict():
    result = risk.score_customer(risk.RiskInput(REF, settled=(paid(1, 0),)))
    data = result.as_dict()
    assert data["score"] == 30.0
    assert data["factors"][0]["code"] == "no_history"


# --- many customers at once ----------------------------------------------------------------


def test_build_inputs_and_score_customers():
    rows = [
        (1, 1000.0, REF - timedelta(days=40), REF - timedelta(days=20)),
        (1, 1000.0, REF - timedelta(days=100), REF - timedelta(days=50)),
        (1, 2000.0, REF - timedelta(days=70), REF - timedelta(days=70)),
        (1, 500.0, REF - timedelta(days=500), REF - timedelta(days=400)),  # outside the window
        (2, 100.0, REF - timedelta(days=10), REF - timedelta(days=10)),
    ]
    inputs = risk.build_inputs(rows, REF, overdue={1: 2500.0, 3: 100.0}, credit_limits={1: 5000.0},
                               monthly_sales={2: 400.0}, levels={1: "formal_notice"}, disputes={2: 1},
                               broken_promises={1: 1})
    assert set(inputs) == {1, 2, 3}
    assert len(inputs[1].settled) == 3
    assert inputs[3].overdue_amount == 100.0
    results = risk.score_customers(inputs)
    assert not results[1].no_history
    assert results[2].no_history and results[3].no_history
    # customer 1: days (1000 x 20 + 1000 x 50) / 4000 = 17.5 -> 11.67; share 2/3 -> 13.33;
    # 2500 / 5000 -> 10; formal notice 7; one broken promise 5
    assert results[1].raw_score == pytest.approx(40 * 17.5 / 60 + 40 / 3 + 10 + 7 + 5)
    assert results[1] == risk.score_customer(risk.RiskInput(
        REF, settled=tuple(risk.SettledInvoice(*row[1:]) for row in rows[:3]), overdue_amount=2500,
        credit_limit=5000, level="formal_notice", broken_promises=1))


def test_open_invoices_past_due_count_with_the_days_reached_so_far():
    # a customer who paid 4 invoices of 1,000 on time, then stopped: 3 invoices of 5,000 open
    # 75, 45 and 15 days past due.
    # days: (4 x 1000 x 0 + 5000 x (75 + 45 + 15)) / 19000 = 675000 / 19000 = 35.53 -> 23.68 points;
    # late share 3 / 7 -> 8.57; overdue 15,000 / limit 10,000 -> 20; collection 10
    settled = tuple(paid(1000, 0, paid_days_ago=150 + 30 * n) for n in range(4))
    still_open = tuple((5000.0, REF - timedelta(days=days)) for days in (75, 45, 15))
    inp = risk.RiskInput(REF, settled=settled, open_late=still_open, overdue_amount=15_000, credit_limit=10_000,
                         level="collection")
    result = risk.score_customer(inp)
    got = factors(result)
    assert got["days_late"].value == pytest.approx(675000 / 19000)
    assert got["late_share"].value == pytest.approx(300 / 7)
    assert result.raw_score == pytest.approx(40 * 675000 / 19000 / 60 + 20 * 3 / 7 + 20 + 10)
    assert (result.score, result.risk_class) == (62.3, "high")
    # the settled history alone said "medium": 0 + 0 + 20 + 10
    assert risk.score_customer(dataclasses.replace(inp, open_late=())).score == 30.0
    # open invoices not yet due do not count, and they make no history on their own
    not_due = dataclasses.replace(inp, open_late=((5000.0, REF), (5000.0, REF + timedelta(days=10))))
    assert risk.score_customer(not_due).score == 30.0
    alone = risk.RiskInput(REF, open_late=still_open)
    assert risk.score_customer(alone).no_history


def test_build_inputs_passes_the_open_invoices_past_due():
    rows = [(1, 1000.0, REF - timedelta(days=40), REF - timedelta(days=40)) for _ in range(3)]
    inputs = risk.build_inputs(rows, REF, open_late_rows=[(1, 600.0, REF - timedelta(days=30)),
                                                          (1, 700.0, REF + timedelta(days=5)),
                                                          (2, 50.0, REF - timedelta(days=1))])
    assert inputs[1].open_late == ((600.0, REF - timedelta(days=30)),)
    assert inputs[2].open_late == ((50.0, REF - timedelta(days=1)),)
    # days: 600 x 30 / 3600 = 5 -> 3.33 points; share 1 / 4 -> 5
    assert risk.score_customers(inputs)[1].raw_score == pytest.approx(40 * 5 / 60 + 5)


# --- properties ------------------------------------------------------------------------------

invoices = st.builds(
    lambda amount, paid_days_ago, days_late: paid(amount, days_late, paid_days_ago),
    st.floats(1, 100_000), st.integers(0, 360), st.integers(-30, 200))
levels = st.one_of(st.sampled_from(risk.LEVEL_KINDS), st.floats(0, 10))
inputs = st.builds(
    risk.RiskInput,
    reference_date=st.just(REF),
    settled=st.lists(invoices, max_size=12).map(tuple),
    overdue_amount=st.floats(0, 1_000_000),
    credit_limit=st.one_of(st.none(), st.floats(0, 1_000_000)),
    monthly_sales=st.floats(0, 1_000_000),
    level=levels,
    disputes=st.integers(0, 4),
    broken_promises=st.integers(0, 4),
)
weight_sets = st.sampled_from([
    risk.DEFAULT_WEIGHTS,
    risk.RiskWeights(trend_points=10, days_late_points=30),
    risk.RiskWeights(trend_points=20, days_late_points=40, late_share_points=10, exposure_points=10),
    risk.RiskWeights(no_history_keeps_current=True),
])
EPSILON = 1e-9


@given(inputs, weight_sets)
def test_score_is_bounded_and_explained(inp, weights):
    result = risk.score_customer(inp, weights)
    assert 0.0 <= result.score <= 100.0
    assert math.fsum(factor.points for factor in result.factors) == result.raw_score
    assert abs(result.score - result.raw_score) <= 0.05 + EPSILON
    assert result.risk_class == risk.risk_class(result.score)
    for factor in result.factors:
        assert -EPSILON <= factor.points <= factor.weight + EPSILON
        assert factor.label


@settings(max_examples=300)
@given(inputs, weight_sets, st.data())
def test_paying_later_never_lowers_the_score(inp, weights, data):
    if not inp.settled:
        return
    index = data.draw(st.integers(0, len(inp.settled) - 1))
    extra = data.draw(st.integers(1, 120))
    settled = list(inp.settled)
    amount, due, paid_on = settled[index]
    settled[index] = risk.SettledInvoice(amount, due, min(paid_on + timedelta(days=extra), REF))
    later = dataclasses.replace(inp, settled=tuple(settled))
    assert risk.score_customer(later, weights).raw_score >= risk.score_customer(inp, weights).raw_score - EPSILON


@given(inputs, weight_sets, st.data())
def test_more_invoices_late_never_lowers_the_score(inp, weights, data):
    on_time = [n for n, (_amount, due, paid_on) in enumerate(inp.settled) if paid_on <= due < REF]
    if not on_time:
        return
    index = data.draw(st.sampled_from(on_time))
    amount, due, _paid_on = inp.settled[index]
    settled = list(inp.settled)
    settled[index] = risk.SettledInvoice(amount, due, due + timedelta(days=data.draw(st.integers(1, (REF - due).days))))
    later = dataclasses.replace(inp, settled=tuple(settled))
    before, after = risk.score_customer(inp, weights), risk.score_customer(later, weights)
    assert after.raw_score >= before.raw_score - EPSILON


@given(inputs, weight_sets, st.floats(0.01, 1_000_000))
def test_owing_more_never_lowers_the_score(inp, weights, more):
    more_owed = dataclasses.replace(inp, overdue_amount=inp.overdue_amount + more)
    assert risk.score_customer(more_owed, weights).raw_score >= risk.score_customer(inp, weights).raw_score - EPSILON


@given(inputs, weight_sets)
def test_a_higher_level_never_lowers_the_score(inp, weights):
    for ladder in (risk.LEVEL_KINDS, (0, 3.5, 7, 10)):
        scores = [risk.score_customer(dataclasses.replace(inp, level=level), weights).raw_score for level in ladder]
        assert all(higher >= lower - EPSILON for lower, higher in pairwise(scores))


@given(inputs, weight_sets, st.integers(1, 3), st.integers(0, 3))
def test_more_incidents_never_lower_the_score(inp, weights, more_disputes, more_broken):
    worse = dataclasses.replace(inp, disputes=inp.disputes + more_disputes,
                                broken_promises=inp.broken_promises + more_broken)
    assert risk.score_customer(worse, weights).raw_score >= risk.score_customer(inp, weights).raw_score - EPSILON


@given(st.integers(0, 30), st.integers(1, 5), st.integers(1, 5))
def test_level_rank_points_grow_with_the_rank(rank, gap_notice, gap_collection):
    notice = gap_notice
    collection = notice + gap_collection
    assert risk.level_rank_points(rank, notice, collection) <= risk.level_rank_points(rank + 1, notice, collection)
    assert 0 <= risk.level_rank_points(rank, notice, collection) <= 10


# --- configurable classes ------------------------------------------------------------------------


def test_classify_with_configured_classes():
    classes = [(50, "high"), (0, "low"), (25, "medium"), (75, "critical")]
    assert [risk.classify(score, classes) for score in (0, 24.9, 25, 49.9, 50, 74.9, 75, 100)] == [
        "low", "low", "medium", "medium", "high", "high", "critical", "critical"]
    # below the lowest class: none; two classes from the same score: the first given
    assert risk.classify(10, [(20, "a"), (50, "b")]) is None
    assert risk.classify(60, [(50, "a"), (50, "b")]) == "a"
    assert risk.classify(5, []) is None


@given(st.floats(0, 100))
def test_classify_agrees_with_the_default_classes(score):
    classes = [(0, "low"), (25, "medium"), (50, "high"), (75, "critical")]
    assert risk.classify(score, classes) == risk.risk_class(score)


def test_policy_level_points():
    # the shipped policy: courtesy -5, friendly +3, firm +15, formal notice +30, collection +45
    levels = [risk.PolicyLevel(1, 10, -5), risk.PolicyLevel(2, 20, 3), risk.PolicyLevel(3, 30, 15),
              risk.PolicyLevel(4, 40, 30, is_formal_notice=True), risk.PolicyLevel(5, 50, 45, is_escalation=True)]
    points = risk.policy_level_points(levels)
    assert points[1] == 0.0
    assert points[2] == pytest.approx(7 / 3)
    assert points[3] == pytest.approx(14 / 3)
    assert (points[4], points[5]) == (7.0, 10.0)
    # no formal notice: the levels lead up to the collection level
    points = risk.policy_level_points([risk.PolicyLevel(1, 10, 10), risk.PolicyLevel(2, 20, 40, is_escalation=True)])
    assert points == {1: 5.0, 2: 10.0}
    # neither: no points for a level (the engine cannot tell how serious it is)
    assert risk.policy_level_points([risk.PolicyLevel(1, 10, 10)]) == {1: 0.0}
    # a level that is both counts as the collection
    assert risk.policy_level_points([risk.PolicyLevel(1, 10, 30, True, True)]) == {1: 10.0}


@given(st.lists(st.integers(-10, 90), min_size=1, max_size=8, unique=True), st.booleans(), st.booleans())
def test_policy_level_points_grow_with_the_levels(days, notice, escalation):
    days = sorted(days)
    levels = [risk.PolicyLevel(index, index, day) for index, day in enumerate(days)]
    if escalation:
        levels[-1] = levels[-1]._replace(is_escalation=True)
    # a formal notice is about a debt already due: never a level on or before the due date
    if notice and len(levels) > 1 and levels[-2].days > 0:
        levels[-2] = levels[-2]._replace(is_formal_notice=True)
    points = risk.policy_level_points(levels)
    ordered = [points[level.id] for level in levels]
    assert ordered == sorted(ordered)
    assert all(0 <= value <= risk.DEFAULT_WEIGHTS.level_points for value in ordered)
