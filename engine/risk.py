"""Customer risk score: 0 = best, 100 = worst, explainable factor by factor.

The default formula is docs/design.md's "Risk score (default formula)" (amount-weighted days
beyond terms, share paid late, exposure, highest level, disputes and broken promises, trend). The score is the
sum of these factors, each worth at most its weight (max points):

- days_late: amount-weighted average days paid beyond terms of the invoices settled in the last
  12 months (an invoice paid early counts 0 days), 40 points at 60 days or more, linear;
- late_share: share of those invoices paid after their due date, 20 points at 100 %;
  both count the invoices still open past their due date (`open_late`, at their residual) with
  the days late they have reached so far, as if paid on the reference date: a customer who
  stopped paying is not judged on the invoices it paid before it stopped;
- exposure: overdue now against the credit limit, or against the average monthly sales of the
  last 12 months when there is no limit, 20 points at 100 % or more, linear;
- level: highest follow-up level reached in 12 months, at most 10 points (formal notice 7,
  collection 10; other levels in proportion, see level_rank_points, or as the model says);
- incidents: disputes and broken promises in 12 months, 5 points each, at most 10;
- trend: how much later the invoices due in the last 3 months were paid than the 12-month
  average (both capped at the 60 days of days_late), full points at 30 days worse. Its default
  weight is 0: the five factors above already share the 100 points, so the default formula
  stays exactly docs/design.md's. To use it, give it points taken from another factor (the weights
  may not add up to more than 100). Only a worsening counts.

A customer with fewer than 3 invoices settled in 12 months has no history (the open invoices do not
make a history) and scores 30
(optionally at least 30: no_history_keeps_current adds the exposure, level and incidents).

Properties (tests_engine/test_risk.py): the score is in 0..100; it never decreases when an
invoice settled in the window is paid later, when more invoices are late, when more is
overdue, when the level is higher or when there are more incidents (the trend factor keeps
this only if trend points / trend days <= days_late points / days_late days, which the weights
check); the factors' points add up to the score before rounding.

Inputs are plain values (amounts are floats, dates datetime.date); score_customer scores one
customer, build_inputs + score_customers score thousands from a few grouped queries.
"""

import math
from collections import defaultdict
from dataclasses import asdict, dataclass, field, fields
from datetime import date
from itertools import pairwise
from numbers import Real
from typing import NamedTuple

from .kpi import average_days_beyond_terms, months_before, share_paid_late

RISK_CLASSES = ("low", "medium", "high", "critical")
LEVEL_KINDS = ("normal", "formal_notice", "collection")

FACTOR_LABELS = {
    "days_late": "Average days paid beyond terms, weighted by amount",
    "late_share": "Share of invoices paid late",
    "exposure_credit_limit": "Overdue now against the credit limit",
    "exposure_monthly_sales": "Overdue now against the average monthly sales",
    "level": "Highest follow-up level reached",
    "incidents": "Disputes and broken promises",
    "trend": "Recent payment delays against the yearly average",
    "no_history": "No payment history: too few invoices settled",
}


@dataclass(frozen=True)
class RiskWeights:
    """Weights (max points) and caps of the score; the defaults are docs/design.md's formula.
    Invalid combinations raise ValueError (models check their settings before building one)."""

    window_months: int = 12
    days_late_points: float = 40.0
    days_late_full: float = 60.0  # average days beyond terms that give all the points
    late_share_points: float = 20.0
    late_grace_days: int = 0  # paid more than this many days after the due date = late
    exposure_points: float = 20.0
    exposure_full: float = 1.0  # overdue / limit (or monthly sales) that gives all the points
    level_points: float = 10.0
    formal_notice_points: float = 7.0
    collection_points: float = 10.0
    incident_points: float = 5.0  # per dispute or broken promise
    incidents_max_points: float = 10.0
    trend_points: float = 0.0
    trend_months: int = 3
    trend_full_days: float = 30.0  # recent average this many days worse gives all the points
    min_settled: int = 3
    no_history_score: float = 30.0
    no_history_keeps_current: bool = False

    def __post_init__(self):
        problems = self.problems()
        if problems:
            raise ValueError("invalid risk weights: " + "; ".join(problems))

    @property
    def max_score(self):
        return (self.days_late_points + self.late_share_points + self.exposure_points + self.level_points
                + self.incidents_max_points + self.trend_points)

    def problems(self):
        """What is wrong with these weights, in English (empty when they are valid)."""
        problems = [f"{item.name} is negative" for item in fields(self) if getattr(self, item.name) < 0]
        if min(self.days_late_full, self.exposure_full, self.trend_full_days) <= 0:
            problems.append("the values giving all the points must be positive")
        if not 0 < self.trend_months < self.window_months:
            problems.append("the trend months must be fewer than the window's")
        if not self.formal_notice_points <= self.collection_points <= self.level_points:
            problems.append("level points must grow: formal notice <= collection <= level maximum")
        if self.max_score > 100 + 1e-9:
            problems.append(f"the factors add up to {self.max_score:g} points, more than 100")
        if not 0 <= self.no_history_score <= 100:
            problems.append("the score without history must be within 0..100")
        if self.trend_points * self.days_late_full > self.days_late_points * self.trend_full_days + 1e-9:
            problems.append("the trend would make paying later lower the score: "
                            "trend points / trend days must not exceed days-late points / days")
        return problems


@dataclass(frozen=True)
class RiskThresholds:
    """Lowest score of each class above low: low < medium <= ... (docs/design.md: 25, 50, 75)."""

    medium: float = 25.0
    high: float = 50.0
    critical: float = 75.0

    def __post_init__(self):
        if not 0 < self.medium <= self.high <= self.critical <= 100:
            raise ValueError("risk thresholds must grow within 0..100: medium <= high <= critical")


DEFAULT_WEIGHTS = RiskWeights()
DEFAULT_THRESHOLDS = RiskThresholds()


def risk_class(score, thresholds=DEFAULT_THRESHOLDS):
    """'low', 'medium', 'high' or 'critical'."""
    if score >= thresholds.critical:
        return "critical"
    if score >= thresholds.high:
        return "high"
    if score >= thresholds.medium:
        return "medium"
    return "low"


def classify(score, classes):
    """The key of the class a score falls in, for classes given as (lowest score, key): the
    class with the highest lowest score that the score reaches (None when it reaches none).
    risk_class() is this with the four default classes."""
    reached = [(minimum, index, key) for index, (minimum, key) in enumerate(classes) if score >= minimum]
    return max(reached, key=lambda item: (item[0], -item[1]))[2] if reached else None


class SettledInvoice(NamedTuple):
    amount: float
    due: date
    paid: date


@dataclass(frozen=True)
class RiskInput:
    """One customer's plain inputs on `reference_date`.

    `settled`: its settled invoices (or receivable lines), those paid outside the window are
    ignored; `credit_limit` None or <= 0: no limit, `monthly_sales` (average of the last 12
    months) is the yardstick then; `level`: a kind of LEVEL_KINDS or its points (a number);
    `disputes` and `broken_promises`: counts over the window; `open_late`: (amount, due date)
    of its invoices still open past their due date (followed, not disputed), counted in the
    history factors as paid on `reference_date`.
    """

    reference_date: date
    settled: tuple = ()
    open_late: tuple = ()
    overdue_amount: float = 0.0
    credit_limit: float | None = None
    monthly_sales: float = 0.0
    level: str | float = "normal"
    disputes: int = 0
    broken_promises: int = 0


@dataclass(frozen=True)
class RiskFactor:
    code: str
    label: str
    value: object  # the raw measure in `unit` (days, %, count, level kind or points), None if undefined
    points: float
    weight: float  # its maximum points
    unit: str


@dataclass(frozen=True)
class RiskResult:
    score: float  # 0..100, one decimal
    risk_class: str
    no_history: bool
    factors: tuple = field(default_factory=tuple)
    raw_score: float = 0.0  # the exact sum of the factors' points

    def as_dict(self):
        return asdict(self)


def _linear(value, full):
    return min(max(value / full, 0.0), 1.0)


def _round_half_up(value, digits=1):
    scale = 10**digits
    return math.floor(value * scale + 0.5) / scale


def level_points(level, weights=DEFAULT_WEIGHTS):
    """Points of the highest level reached: a kind ('normal', 'formal_notice', 'collection')
    or points given by the model, kept within 0..level_points."""
    if isinstance(level, Real) and not isinstance(level, bool):
        return min(max(float(level), 0.0), weights.level_points)
    kinds = {"normal": 0.0, "formal_notice": weights.formal_notice_points, "collection": weights.collection_points}
    if level not in kinds:
        raise ValueError(f"unknown level kind: {level!r}")
    return kinds[level]


def level_rank_points(rank, formal_notice_rank=None, collection_rank=None, weights=DEFAULT_WEIGHTS):
    """Points of a level by its rank in the policy (1 = first level, 0 = none reached): the
    formal notice level gets formal_notice_points, the collection level collection_points,
    the levels before and between them in proportion to their rank; a level past the last
    of these anchors gets that anchor's points. Without any anchor, 0."""
    anchors = [(0, 0.0)]
    if formal_notice_rank:
        anchors.append((formal_notice_rank, weights.formal_notice_points))
    if collection_rank:
        anchors.append((collection_rank, weights.collection_points))
    if any(later[0] <= earlier[0] for earlier, later in pairwise(anchors)):
        raise ValueError("the formal notice must come before the collection level")
    if rank <= 0:
        return 0.0
    for (low_rank, low_points), (high_rank, high_points) in pairwise(anchors):
        if rank <= high_rank:
            return low_points + (high_points - low_points) * (rank - low_rank) / (high_rank - low_rank)
    return anchors[-1][1]


class PolicyLevel(NamedTuple):
    id: int
    sequence: int
    days: int
    is_formal_notice: bool = False
    is_escalation: bool = False


def policy_level_points(levels, weights=DEFAULT_WEIGHTS):
    """{level id: points} for the levels of one policy: an escalation gets collection_points, a
    formal notice formal_notice_points, a level before (or on) the due date none (a courtesy
    reminder says nothing about the customer), the other levels after the due date points in
    proportion to their rank among them (level_rank_points)."""
    ordered = sorted(levels, key=lambda level: (level.sequence, level.days, level.id))
    after_due = [level for level in ordered if level.days > 0 or level.is_formal_notice or level.is_escalation]
    rank = {level.id: index for index, level in enumerate(after_due, start=1)}
    notice_rank = next((rank[level.id] for level in after_due if level.is_formal_notice and not level.is_escalation),
                       None)
    collection_rank = next((rank[level.id] for level in after_due if level.is_escalation), None)
    if notice_rank and collection_rank and notice_rank >= collection_rank:
        notice_rank = None
    points = {}
    for level in ordered:
        if level.is_escalation:
            points[level.id] = level_points("collection", weights)
        elif level.is_formal_notice:
            points[level.id] = level_points("formal_notice", weights)
        elif level.id not in rank:
            points[level.id] = 0.0
        else:
            points[level.id] = level_rank_points(rank[level.id], notice_rank, collection_rank, weights)
    return points


def _factor(code, value, points, weight, unit):
    return RiskFactor(code, FACTOR_LABELS[code], value, points, weight, unit)


def _current_factors(inp, weights):
    """Factors that describe now rather than the payment history: exposure, level, incidents."""
    factors = []
    if weights.exposure_points:
        overdue = max(inp.overdue_amount, 0.0)
        has_limit = inp.credit_limit is not None and inp.credit_limit > 0
        base = inp.credit_limit if has_limit else max(inp.monthly_sales, 0.0)
        if base > 0:
            ratio = overdue / base
            value = ratio * 100.0
        else:
            ratio = math.inf if overdue > 0 else 0.0
            value = None
        points = weights.exposure_points * (1.0 if ratio == math.inf else _linear(ratio, weights.exposure_full))
        code = "exposure_credit_limit" if has_limit else "exposure_monthly_sales"
        factors.append(_factor(code, value, points, weights.exposure_points, "%"))
    if weights.level_points:
        points = level_points(inp.level, weights)
        factors.append(_factor("level", inp.level, points, weights.level_points, "level"))
    if weights.incidents_max_points:
        count = max(inp.disputes, 0) + max(inp.broken_promises, 0)
        points = min(count * weights.incident_points, weights.incidents_max_points)
        factors.append(_factor("incidents", count, points, weights.incidents_max_points, "count"))
    return factors


def _history_factors(settled, reference_date, weights):
    factors = []
    average = average_days_beyond_terms(settled)
    if weights.days_late_points:
        points = weights.days_late_points * _linear(average, weights.days_late_full)
        factors.append(_factor("days_late", average, points, weights.days_late_points, "days"))
    if weights.late_share_points:
        share = share_paid_late(settled, weights.late_grace_days)
        factors.append(_factor("late_share", share * 100.0, weights.late_share_points * share,
                               weights.late_share_points, "%"))
    if weights.trend_points:
        start = months_before(reference_date, weights.trend_months)
        recent = [invoice for invoice in settled if start < invoice.due <= reference_date]
        value, points = None, 0.0
        if recent:
            recent_average = average_days_beyond_terms(recent)
            value = recent_average - average
            worse = min(recent_average, weights.days_late_full) - min(average, weights.days_late_full)
            points = weights.trend_points * _linear(worse, weights.trend_full_days)
        factors.append(_factor("trend", value, points, weights.trend_points, "days"))
    return factors


def score_customer(inp, weights=DEFAULT_WEIGHTS, thresholds=DEFAULT_THRESHOLDS):
    """The RiskResult of one customer."""
    start = months_before(inp.reference_date, weights.window_months)
    settled = [SettledInvoice(*invoice) for invoice in inp.settled if start < invoice[2] <= inp.reference_date]
    current = _current_factors(inp, weights)
    if len(settled) < weights.min_settled:
        floor = weights.no_history_score
        if weights.no_history_keeps_current:
            kept = current
            top_up = max(floor - math.fsum(factor.points for factor in current), 0.0)
        else:
            kept, top_up = [], floor
        factors = [_factor("no_history", len(settled), top_up, floor, "count"), *kept]
        no_history = True
    else:
        still_open = [SettledInvoice(amount, due, inp.reference_date) for amount, due in inp.open_late
                      if due < inp.reference_date]
        factors = [*_history_factors(settled + still_open, inp.reference_date, weights), *current]
        no_history = False
    raw = math.fsum(factor.points for factor in factors)
    score = min(max(_round_half_up(raw), 0.0), 100.0)
    return RiskResult(score, risk_class(score, thresholds), no_history, tuple(factors), raw)


def build_inputs(settled_rows, reference_date, *, overdue=None, credit_limits=None, monthly_sales=None,
                 levels=None, disputes=None, broken_promises=None, open_late_rows=(), weights=DEFAULT_WEIGHTS):
    """Per-customer RiskInput from grouped query results, in one pass over the invoices.

    `settled_rows`: (customer key, amount, due date, paid date) rows (those paid outside the
    window are dropped here); `open_late_rows`: (customer key, amount, due date) rows of the
    invoices still open past their due date; the other keyword arguments are {customer key:
    value} dicts. Every key found anywhere gets an input.
    """
    overdue, credit_limits, monthly_sales = overdue or {}, credit_limits or {}, monthly_sales or {}
    levels, disputes, broken_promises = levels or {}, disputes or {}, broken_promises or {}
    settled = defaultdict(list)
    start = months_before(reference_date, weights.window_months)
    for key, amount, due, paid in settled_rows:
        if start < paid <= reference_date:
            settled[key].append(SettledInvoice(amount, due, paid))
    open_late = defaultdict(list)
    for key, amount, due in open_late_rows:
        if due < reference_date:
            open_late[key].append((amount, due))
    keys = set(settled).union(open_late, overdue, credit_limits, monthly_sales, levels, disputes, broken_promises)
    return {
        key: RiskInput(
            reference_date=reference_date,
            settled=tuple(settled.get(key, ())),
            open_late=tuple(open_late.get(key, ())),
            overdue_amount=overdue.get(key, 0.0),
            credit_limit=credit_limits.get(key),
            monthly_sales=monthly_sales.get(key, 0.0),
            level=levels.get(key, "normal"),
            disputes=disputes.get(key, 0),
            broken_promises=broken_promises.get(key, 0),
        )
        for key in keys
    }


def score_customers(inputs, weights=DEFAULT_WEIGHTS, thresholds=DEFAULT_THRESHOLDS):
    """{customer key: RiskResult} for {customer key: RiskInput}."""
    return {key: score_customer(inp, weights, thresholds) for key, inp in inputs.items()}
