"""Predicted payment dates of open customer invoices, and the backtest that measures them.

The rules, in plain words (the defaults are PredictionSettings'):

- **A customer's delay**: the days between due date and payment (negative when paid early) of
  the invoices it settled, weighted by amount and by recency (an invoice paid `half_life_days`
  before the reference date weighs half as much as one paid on it); then its trend: half of
  the gap between the plain average of its `trend_count` most recently paid invoices and that
  weighted average is added (a customer paying later and later is expected later still).
  With fewer than `min_history` (5) settled invoices, its delay and band mix its own and its
  pool's (its risk class's, else its company's), the pool counting as `pool_weight` (a quarter)
  of an invoice: 1 invoice, 1 / 1.25 = 80 % its own (a customer's own payments, even few, say
  more than the average of the others: the backtests of tests_engine say so).
- **The band**: the 20th and 80th percentiles of the customer's delays (linear interpolation),
  widened to hold the expected delay.
- **The pools**: the customers of a risk class in the company with a delay of their own,
  their delays and bands pooled, each customer weighing by the amounts it settled; the same for
  every customer of the company. A customer without any settled invoice takes its class's pool,
  else its company's, else the due date.
- **Promises and plans win**: an invoice under an open payment promise is expected on the
  promised date (band: that date to `promise_grace_days` later); an invoice in a running
  instalment plan on the date of the instalment that completes it, the plan's instalments
  paying the plan's invoices oldest due first (band: that date to the plan's grace days later).
- **Never in the past**: an invoice already later than its expected date is expected after
  the delays of the customer longer than the days it has reached (their average, and their
  20th-80th percentiles for the band); when it is later than every delay the customer ever
  had, `stale_days` of its risk class from the reference date (band: the reference date to
  twice that). No date is before the reference date.

The backtest replays a settled history: each invoice is predicted at its due date with what
was known then (the other invoices paid before that day, its customer's and the company's), as
an invoice not yet due, and compared with the day it was paid; the mean absolute error in days is set
beside two naive predictions, "paid on the due date" and "paid as late as the customer's last
invoice".

Inputs are plain values: amounts floats, dates datetime.date.
"""

import bisect
import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import NamedTuple

SOURCES = ("promise", "plan", "customer", "class", "company", "due")


class PaidInvoice(NamedTuple):
    amount: float
    due: date
    paid: date


class OpenInvoice(NamedTuple):
    key: object  # the caller's key (a receivable line id)
    amount: float
    due: date


@dataclass(frozen=True)
class PredictionSettings:
    half_life_days: float = 180.0
    trend_count: int = 3
    trend_share: float = 0.5
    min_history: int = 5
    pool_weight: float = 0.25  # the pool counts as a quarter of an invoice beside a short history
    low_percentile: float = 20.0
    high_percentile: float = 80.0
    promise_grace_days: int = 7
    stale_days: dict = field(default_factory=lambda: {"low": 7, "medium": 7, "high": 14, "critical": 30})
    default_stale_days: int = 7


DEFAULT_SETTINGS = PredictionSettings()


@dataclass(frozen=True)
class Profile:
    """How late a customer (or a pool of customers) pays: `delay` the expected days beyond the
    due date, `low`/`high` the band, `count` invoices, `average` their amount-weighted average
    delay (for the words shown), `weight` the amounts settled (to pool profiles), `delays` the
    sorted delays (for invoices already late)."""

    delay: float
    low: float
    high: float
    count: int
    average: float
    weight: float
    delays: tuple = ()


class Prediction(NamedTuple):
    expected: date
    low: date
    high: date
    source: str


def delay_days(due, paid):
    """Days paid after the due date (negative: before)."""
    return (paid - due).days


def percentile(values, pct):
    """The `pct` percentile (0..100) of `values`, linear interpolation between the closest ranks
    (the spreadsheet's PERCENTILE.INC); None without values."""
    ordered = sorted(values)
    if not ordered:
        return None
    position = (len(ordered) - 1) * pct / 100.0
    lower = math.floor(position)
    upper = min(lower + 1, len(ordered) - 1)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)


def customer_profile(history, reference_date, settings=DEFAULT_SETTINGS):
    """The Profile of one customer from its settled (amount, due, paid) invoices paid on or
    before `reference_date`; None without any (see with_pool for fewer than `min_history`)."""
    rows = sorted((PaidInvoice(*row) for row in history if row[2] <= reference_date and row[0] > 0),
                  key=lambda row: (row.paid, row.due))
    if not rows:
        return None
    delays = [delay_days(row.due, row.paid) for row in rows]
    expected = _expected_delay(rows, delays, reference_date, settings)
    amount = math.fsum(row.amount for row in rows)
    average = math.fsum(row.amount * d for row, d in zip(rows, delays, strict=True)) / amount
    low = percentile(delays, settings.low_percentile)
    high = percentile(delays, settings.high_percentile)
    return Profile(expected, min(low, expected), max(high, expected), len(rows), average, amount,
                   tuple(sorted(delays)))


def _expected_delay(rows, delays, reference_date, settings):
    """The expected delay of PaidInvoice `rows` in payment order (their `delays`): the average
    weighted by amount and recency, moved by the trend of the last ones."""
    weights = [row.amount * 0.5 ** ((reference_date - row.paid).days / settings.half_life_days) for row in rows]
    base = math.fsum(w * d for w, d in zip(weights, delays, strict=True)) / math.fsum(weights)
    if not settings.trend_count:
        return base
    recent = delays[-settings.trend_count:]
    return base + settings.trend_share * (math.fsum(recent) / len(recent) - base)


def with_pool(own, pool, settings=DEFAULT_SETTINGS):
    """(Profile, source) to predict with: the customer's own with `min_history` invoices or
    more ("customer"); with fewer, its own and the pool's (its class's or its company's), its
    own weighing its n invoices against the pool's `pool_weight`: n / (n + pool_weight) its
    own ("pool"); without a pool, its own; (None, "due") with neither."""
    if own is None or own.count == 0:
        return (pool, "pool") if pool else (None, "due")
    if own.count >= settings.min_history or pool is None:
        return own, "customer"
    share = own.count / (own.count + settings.pool_weight)

    def mix(name):
        return share * getattr(own, name) + (1 - share) * getattr(pool, name)

    return Profile(mix("delay"), mix("low"), mix("high"), own.count, own.average, own.weight, own.delays), "pool"


def pooled_profile(profiles):
    """One Profile for a pool of customers (a risk class, the company): their delays, bands and
    averages weighted by the amounts each settled; None for an empty pool."""
    profiles = [profile for profile in profiles if profile and profile.weight > 0]
    if not profiles:
        return None
    total = math.fsum(profile.weight for profile in profiles)

    def mean(name):
        return math.fsum(getattr(profile, name) * profile.weight for profile in profiles) / total

    return Profile(mean("delay"), mean("low"), mean("high"), sum(profile.count for profile in profiles),
                   mean("average"), total)


def pooled_from_sums(delay_x_weight, low_x_weight, high_x_weight, average_x_weight, weight, count):
    """pooled_profile from sums already taken (a grouped query over stored profiles)."""
    if not weight or weight <= 0:
        return None
    return Profile(delay_x_weight / weight, low_x_weight / weight, high_x_weight / weight, int(count or 0),
                   average_x_weight / weight, weight)


def plan_dates(invoices, instalments):
    """{invoice key: date of the instalment that completes it}: `invoices` (key, amount, due)
    paid oldest due first by `instalments` (date, amount left) in date order; invoices the
    instalments do not cover are left out."""
    result = {}
    schedule = sorted((day, amount) for day, amount in instalments if amount > 0)
    index, available = 0, 0.0
    for invoice in sorted(invoices, key=lambda row: (row[2], str(row[0]))):
        needed = invoice[1]
        while available + 1e-6 < needed and index < len(schedule):
            available += schedule[index][1]
            index += 1
        if available + 1e-6 < needed:
            break
        available -= needed
        result[invoice[0]] = schedule[index - 1][0]
    return result


def _clamp(expected, low, high, reference_date):
    expected = max(expected, reference_date)
    return max(min(low, expected), reference_date), expected, max(high, expected)


def predict(invoice, profile, reference_date, *, source="customer", risk_class=None, promise_date=None,
            plan_date=None, plan_grace_days=0, settings=DEFAULT_SETTINGS):
    """The Prediction of one open invoice (an OpenInvoice or (key, amount, due)): `profile` the
    customer's own, else its class's or its company's (`source` says which), None for none."""
    due = invoice[2]
    if promise_date:
        expected = max(promise_date, reference_date)
        return Prediction(expected, expected, expected + timedelta(days=settings.promise_grace_days), "promise")
    if plan_date:
        expected = max(plan_date, reference_date)
        return Prediction(expected, expected, expected + timedelta(days=max(plan_grace_days, 0)), "plan")
    if profile is None:
        expected = max(due, reference_date)
        return Prediction(expected, expected, expected, "due")
    expected = due + timedelta(days=round(profile.delay))
    if expected >= reference_date:
        low, expected, high = _clamp(expected, due + timedelta(days=round(profile.low)),
                                     due + timedelta(days=round(profile.high)), reference_date)
        return Prediction(expected, low, high, source)
    reached = delay_days(due, reference_date)
    longer = [delay for delay in profile.delays if delay > reached]
    if longer:
        low, expected, high = _clamp(
            due + timedelta(days=round(math.fsum(longer) / len(longer))),
            due + timedelta(days=round(percentile(longer, settings.low_percentile))),
            due + timedelta(days=round(percentile(longer, settings.high_percentile))), reference_date)
        return Prediction(expected, low, high, source)
    stale = settings.stale_days.get(risk_class, settings.default_stale_days)
    return Prediction(reference_date + timedelta(days=stale), reference_date,
                      reference_date + timedelta(days=2 * stale), source)


def predict_customers(open_rows, history_rows, reference_date, *, risk_classes=None, class_pools=None,
                      company_pool=None, promise_dates=None, plan_dates_by_key=None, plan_grace=None,
                      settings=DEFAULT_SETTINGS):
    """({open invoice key: Prediction}, {customer: Profile or None}) for a batch of customers.

    `open_rows`: (customer, key, amount, due); `history_rows`: (customer, amount, due, paid);
    `risk_classes`: {customer: class code}; `class_pools`: {class code: Profile};
    `company_pool`: Profile; `promise_dates`/`plan_dates_by_key`/`plan_grace`: {key: value}.
    """
    risk_classes, class_pools = risk_classes or {}, class_pools or {}
    promise_dates, plan_dates_by_key, plan_grace = promise_dates or {}, plan_dates_by_key or {}, plan_grace or {}
    histories = defaultdict(list)
    for customer, amount, due, paid in history_rows:
        histories[customer].append((amount, due, paid))
    customers = {row[0] for row in open_rows}.union(histories)
    profiles = {customer: customer_profile(histories.get(customer, ()), reference_date, settings)
                for customer in customers}
    predictions = {}
    for customer, key, amount, due in open_rows:
        pool, pool_source = class_pools.get(risk_classes.get(customer)), "class"
        if pool is None:
            pool, pool_source = company_pool, "company"
        profile, source = with_pool(profiles.get(customer), pool, settings)
        source = pool_source if source == "pool" else source
        predictions[key] = predict(
            (key, amount, due), profile, reference_date, source=source, risk_class=risk_classes.get(customer),
            promise_date=promise_dates.get(key), plan_date=plan_dates_by_key.get(key),
            plan_grace_days=plan_grace.get(key, 0), settings=settings)
    return predictions, profiles


# ---------------------------------------------------------------------------------------------
# Backtest


@dataclass(frozen=True)
class BacktestResult:
    count: int
    mae: float  # the predictor's mean absolute error, in days
    mae_due_date: float  # "paid on the due date"
    mae_last_delay: float  # "paid as late as the customer's last invoice"

    @property
    def gain_over_due_date(self):
        """Days of error saved against "paid on the due date"."""
        return self.mae_due_date - self.mae

    @property
    def gain_over_last_delay(self):
        return self.mae_last_delay - self.mae


def backtest(rows, settings=DEFAULT_SETTINGS, since=None):
    """BacktestResult of the settled invoices `rows` (customer, amount, due, paid), those due on
    or after `since` (every one when None) predicted: each at its due date with the invoices
    paid before that day (its customer's own history, else the company's pooled), as an invoice
    not yet due. None without any invoice to predict.

    Only the expected delays are needed here (not the bands): they are computed as
    customer_profile and with_pool compute them, over each customer's invoices sorted once by
    payment date, without the percentiles."""
    rows = sorted((row for row in rows if row[1] > 0), key=lambda row: (row[2], row[3]))
    if not rows:
        return None
    by_customer = defaultdict(list)
    for index, (customer, amount, due, paid) in enumerate(rows):
        by_customer[customer].append((index, PaidInvoice(amount, due, paid)))
    # each customer's invoices in payment order (as customer_profile sorts them), their delays
    # and payment dates for the bisections
    paid_order = {}
    for customer, history in by_customer.items():
        ordered = sorted(history, key=lambda item: (item[1].paid, item[1].due))
        paid_order[customer] = ([index for index, _row in ordered], [row for _index, row in ordered],
                                [delay_days(row.due, row.paid) for _index, row in ordered],
                                [row.paid for _index, row in ordered])
    pools = {}  # the company's pooled delay, taken once a month (it moves slowly)

    def company_pool(day):
        month = date(day.year, day.month, 1)
        if month not in pools:
            reference = month - timedelta(days=1)
            weighted, total = [], []
            for _indexes, ordered, delays, paid_dates in paid_order.values():
                count = bisect.bisect_right(paid_dates, reference)
                if count < settings.min_history:
                    continue
                amount = math.fsum(row.amount for row in ordered[:count])
                if amount <= 0:
                    continue
                weighted.append(_expected_delay(ordered[:count], delays[:count], reference, settings) * amount)
                total.append(amount)
            pools[month] = math.fsum(weighted) / math.fsum(total) if total else None
        return pools[month]

    errors, errors_due, errors_last = [], [], []
    for index, (customer, _amount, due, paid) in enumerate(rows):
        if since and due < since:
            continue
        # what was paid before the due date, but not the invoice itself (paid early, it is known then)
        indexes, ordered, delays, paid_dates = paid_order[customer]
        count = bisect.bisect_left(paid_dates, due)
        known = [(row, delay) for other, row, delay in zip(indexes[:count], ordered[:count], delays[:count],
                                                          strict=True) if other != index]
        pool = company_pool(due)
        if known:
            own = _expected_delay([row for row, _delay in known], [delay for _row, delay in known],
                                  due - timedelta(days=1), settings)
            if len(known) < settings.min_history and pool is not None:
                share = len(known) / (len(known) + settings.pool_weight)
                own = share * own + (1 - share) * pool
            delay = round(own)
        else:
            delay = round(pool) if pool is not None else 0
        actual = delay_days(due, paid)
        errors.append(abs(actual - delay))
        errors_due.append(abs(actual))
        errors_last.append(abs(actual - known[-1][1]) if known else abs(actual))
    if not errors:
        return None
    count = len(errors)
    return BacktestResult(count, math.fsum(errors) / count, math.fsum(errors_due) / count,
                          math.fsum(errors_last) / count)


# ---------------------------------------------------------------------------------------------
# Cash-in forecast


class ForecastWeek(NamedTuple):
    start: date  # a Monday
    expected: float  # what is expected to come in that week
    early: float  # if every invoice is paid at the start of its band
    late: float  # if every invoice is paid at the end of its band
    cumulative: float  # expected, from the first week on


def week_start(day):
    return day - timedelta(days=day.weekday())


def weekly_forecast(rows, today, weeks=13):
    """(the `weeks` ForecastWeek from the week of `today`, amount expected later): `rows` are
    (amount, expected date, band start, band end) of the open invoices; each amount falls in the
    week of its date (a date before this week, in this week)."""
    first = week_start(today)
    expected, early, late = ([0.0] * weeks for _ in range(3))
    later = 0.0

    def index(day):
        return max((week_start(day) - first).days // 7, 0)

    for amount, day, low, high in rows:
        if not day:
            continue
        position = index(day)
        if position < weeks:
            expected[position] += amount
        else:
            later += amount
        for column, other in ((early, low or day), (late, high or day)):
            position = index(other)
            if position < weeks:
                column[position] += amount
    result, total = [], 0.0
    for number in range(weeks):
        total += expected[number]
        result.append(ForecastWeek(first + timedelta(days=7 * number), expected[number], early[number], late[number],
                                   total))
    return result, later
