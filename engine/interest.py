"""Late-payment interest and the fixed recovery indemnity (France: Code de commerce L441-10 II).

Which rate (see RateSchedule and docs/legal.md):
- statutory: the reference rate (ECB main refinancing rate) in force on 1 January / 1 July plus
  the margin. In France the statutory rate is exactly ECB + 10 points; any other margin makes the
  rate a contractual one, which may never be below three times the legal interest rate of its
  half-year (L441-10 II);
- contractual: the rate of the terms of sale, raised to that floor in France;
- public: a public buyer (Code de la commande publique R2192-31): the ECB rate in force on the first
  day of the half-year in which the interest starts to run, plus 8 points, fixed for the whole delay;
- legal: a consumer (Code civil 1231-6): the legal interest rate of each half-year ("all other
  cases", the creditor being a company), or the penalty rate of the contract; in both cases only
  from the formal notice (Code civil 1231-5 and 1231-6: see after_notice).
A rate the computation needs and the table lacks is never guessed: MissingRateError says which.

Collective proceedings (C. com. L622-28, L631-14, L641-3): the opening judgment stops the running
of interest, which is owed up to the day before it (invoice_interest's `proceedings_opened`), and
no indemnity is owed when the due date is on or after the opening (L441-10 II, indemnity_owed).

Interest is simple interest on the amount still unpaid each day, from the day after the due
date to the payment date inclusive; a payment reduces the base from the day after it is
received. The reference rate of a half-year is the one in force on its first day (1 January
or 1 July); a delay that crosses 1 January or 1 July uses each half-year's rate for its own
days. Amounts are computed exactly (Decimal) and rounded once per invoice, half-up, in the
invoice currency.

Everything here takes plain values: dates, Decimal amounts, lists of ``(date, value)``.
"""

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

ONE_DAY = timedelta(days=1)
HUNDRED = Decimal(100)

# Day-count conventions: the denominator of a year.
ACTUAL_365 = "actual_365"
ACTUAL_360 = "actual_360"
ACTUAL_ACTUAL = "actual_actual"
DAY_COUNTS = (ACTUAL_365, ACTUAL_360, ACTUAL_ACTUAL)

# How the annual rate of a half-year is found.
STATUTORY = "statutory"  # reference rate in force on 1 January / 1 July + margin
CONTRACTUAL = "contractual"  # a fixed annual rate, never below the legal floor in France
NONE = "none"
PUBLIC = "public"  # a public buyer: reference rate of the half-year interest starts + margin, fixed
LEGAL = "legal"  # a consumer: the legal rate of each half-year, or the contract's penalty rate
MODES = (STATUTORY, CONTRACTUAL, NONE, PUBLIC, LEGAL)

# France: a contractual rate may not be below three times the legal interest rate (L441-10 II).
LEGAL_FLOOR_FACTOR = Decimal(3)
# France: the statutory rate is the ECB rate plus exactly 10 points (L441-10 II).
STATUTORY_MARGIN = Decimal(10)
# France, public buyers: the ECB rate plus 8 points (Code de la commande publique R2192-31).
PUBLIC_MARGIN = Decimal(8)
# France: the fixed recovery indemnity (D441-5; public buyers: D2192-35), in EUR.
STATUTORY_INDEMNITY = Decimal(40)

# Which rate is missing
REFERENCE_RATE = "reference"  # the reference (ECB) rate in force on a half-year's first day
LEGAL_RATE = "legal"  # the French legal interest rate of a half-year


class MissingRateError(ValueError):
    """A rate the computation needs is not known: `half_year` is the first day of the half-year,
    `kind` is REFERENCE_RATE or LEGAL_RATE."""

    def __init__(self, half_year, kind=REFERENCE_RATE):
        what = "legal interest rate" if kind == LEGAL_RATE else "reference rate"
        super().__init__(f"no {what} for the half-year starting {half_year.isoformat()}")
        self.half_year = half_year
        self.kind = kind


@dataclass(frozen=True)
class Period:
    """Days of one receivable line with the same base and the same annual rate."""

    date_from: date
    date_to: date
    base: Decimal  # amount outstanding on each of these days
    rate: Decimal  # % per year
    amount: Decimal  # exact interest of the period, not rounded
    line: object = None  # the caller's reference of the receivable line

    @property
    def days(self):
        return (self.date_to - self.date_from).days + 1


@dataclass(frozen=True)
class Receivable:
    """One receivable line: its due date, its original amount (> 0) and the reductions it got,
    as ``(date, amount)``: payments, credit notes, any settlement, on the day received."""

    due_date: date
    amount: Decimal
    reductions: tuple = ()
    line: object = None
    excluded: tuple = ()  # ``(date_from, date_to)`` periods bearing no interest (a dispute)


# -- dates ---------------------------------------------------------------------------------
def half_year_start(day):
    """1 January or 1 July of the half-year of `day`."""
    return date(day.year, 1 if day.month <= 6 else 7, 1)


def next_half_year(day):
    """The first day of the half-year after the one of `day`."""
    return date(day.year, 7, 1) if day.month <= 6 else date(day.year + 1, 1, 1)


def half_years(date_from, date_to):
    """``[(first day, last day)]`` of the slices of [date_from, date_to] cut at 1 Jan / 1 Jul."""
    slices = []
    day = date_from
    while day <= date_to:
        end = min(next_half_year(day) - ONE_DAY, date_to)
        slices.append((day, end))
        day = end + ONE_DAY
    return slices


def year_days(basis, day):
    """The denominator of the day count for a day of `day`'s year."""
    if basis == ACTUAL_365:
        return Decimal(365)
    if basis == ACTUAL_360:
        return Decimal(360)
    if basis == ACTUAL_ACTUAL:
        leap = day.year % 4 == 0 and (day.year % 100 != 0 or day.year % 400 == 0)
        return Decimal(366 if leap else 365)
    raise ValueError(f"unknown day-count basis: {basis!r}")


# -- rates ---------------------------------------------------------------------------------
def rate_in_force(rates, day):
    """The rate of ``rates`` (``[(date_from, rate)]``, any order) in force on `day`, or None."""
    best = None
    for date_from, rate in rates:
        if date_from <= day and (best is None or date_from > best[0]):
            best = (date_from, rate)
    return None if best is None else Decimal(str(best[1]))


def rate_of_half_year(rates, day):
    """The rate in force on the first day (1 January / 1 July) of `day`'s half-year, or None."""
    return rate_in_force(rates, half_year_start(day))


def legal_rate_of_half_year(rates, day):
    """The legal interest rate set for `day`'s half-year (a row dated that half-year's first
    day), or None when it is not known yet. Unlike a reference rate, a legal rate is set for
    one half-year only: the last half-year's rate does not stay in force."""
    start = half_year_start(day)
    for date_from, rate in rates:
        if date_from == start:
            return Decimal(str(rate))
    return None


def contractual_floor(legal_rate):
    """The lowest contractual rate French law allows: three times the legal rate."""
    return LEGAL_FLOOR_FACTOR * Decimal(str(legal_rate))


def contractual_rate_allowed(rate, legal_rate):
    """False when `rate` is below the floor of three times `legal_rate` (None: no floor known)."""
    return legal_rate is None or Decimal(str(rate)) >= contractual_floor(legal_rate)


class RateSchedule:
    """The annual rate (% per year) of each half-year.

    statutory: the reference rate in force on 1 January / 1 July plus `margin` points;
    contractual: `rate`;
    public: the reference rate in force on the first day of the half-year in which the interest
    starts, plus `margin` (8 in France), fixed for the whole delay (see `fixed`);
    legal: `rate` when the contract sets one (> 0), else the legal rate of the half-year;
    none: no interest.

    `floor_rates` are the French legal rates ("all other cases"), one row per half-year. Given
    (a French company), they make the schedule apply French law: a contractual rate, or a
    statutory one whose margin is not exactly 10 points (a contractual rate too), is raised to
    three times the legal rate of its half-year, and a half-year whose legal rate is not known
    raises MissingRateError(LEGAL_RATE) rather than apply an unchecked rate.
    """

    def __init__(self, mode, reference_rates=(), margin=0, rate=0, floor_rates=()):
        if mode not in MODES:
            raise ValueError(f"unknown interest mode: {mode!r}")
        self.mode = mode
        self.reference_rates = list(reference_rates)
        self.margin = Decimal(str(margin))
        self.rate = Decimal(str(rate))
        self.floor_rates = list(floor_rates)

    @property
    def fixed(self):
        """True when one rate holds for the whole delay: the rate of the first late day."""
        return self.mode == PUBLIC

    @property
    def floored(self):
        """True when the rate is contractual under French law, so never below its floor."""
        if not self.floor_rates:
            return False
        return self.mode == CONTRACTUAL or (self.mode == STATUTORY and self.margin != STATUTORY_MARGIN)

    def reference(self, day):
        """The reference rate in force on the first day of `day`'s half-year (or raise)."""
        reference = rate_of_half_year(self.reference_rates, day)
        if reference is None:
            raise MissingRateError(half_year_start(day))
        return reference

    def legal(self, day):
        """The legal rate of `day`'s half-year (or raise)."""
        legal = legal_rate_of_half_year(self.floor_rates, day)
        if legal is None:
            raise MissingRateError(half_year_start(day), LEGAL_RATE)
        return legal

    def __call__(self, day):
        if self.mode == NONE:
            return Decimal(0)
        if self.mode == LEGAL:
            return self.rate if self.rate > 0 else self.legal(day)
        rate = self.reference(day) + self.margin if self.mode in (STATUTORY, PUBLIC) else self.rate
        if self.floored:
            return max(rate, contractual_floor(self.legal(day)))
        return rate


# -- one receivable line -------------------------------------------------------------------
def _reductions_by_day(reductions):
    by_day = defaultdict(Decimal)
    for day, amount in reductions:
        by_day[day] += Decimal(str(amount))
    return by_day


def outstanding(receivable, day):
    """The amount of `receivable` still unpaid at the end of `day` (never below zero)."""
    paid = sum((Decimal(str(a)) for d, a in receivable.reductions if d <= day), Decimal(0))
    return max(Decimal(str(receivable.amount)) - paid, Decimal(0))


def settlement_date(receivable, end_date):
    """The day the receivable was paid off (its residual reached zero), if by `end_date`."""
    remaining = Decimal(str(receivable.amount))
    if remaining <= 0:
        return None
    by_day = _reductions_by_day(receivable.reductions)
    for day in sorted(by_day):
        if day > end_date:
            break
        remaining -= by_day[day]
        if remaining <= 0:
            return day
    return None


def days_late(receivable, end_date):
    """Days from the due date to the payment (or to `end_date` while unpaid); 0 when on time."""
    if outstanding(receivable, receivable.due_date) <= 0:
        return 0
    paid_on = settlement_date(receivable, end_date)
    last = min(paid_on, end_date) if paid_on else end_date
    return max((last - receivable.due_date).days, 0)


def without_excluded(date_from, date_to, excluded):
    """The sub-ranges of [date_from, date_to] outside the `excluded` ``(from, to)`` ranges (an
    open end, None, runs to the end of time)."""
    pieces = [(date_from, date_to)]
    for ex_from, given_to in excluded:
        ex_to = given_to or date.max
        if ex_to < ex_from:
            continue
        kept = []
        for start, end in pieces:
            if ex_to < start or ex_from > end:
                kept.append((start, end))
                continue
            if ex_from > start:
                kept.append((start, ex_from - ONE_DAY))
            if ex_to < end:
                kept.append((ex_to + ONE_DAY, end))
        pieces = kept
    return pieces


def interest_periods(receivable, end_date, schedule, basis=ACTUAL_365):
    """The periods of interest of one receivable line up to `end_date` inclusive.

    From the day after the due date, on the amount outstanding each day (a reduction received
    on day D lowers the base from D + 1), cut at 1 January / 1 July (each half-year at its own
    rate) and at each change of base. Periods with nothing outstanding are left out, and so
    are the receivable's excluded days (while it was disputed, when the company says so).
    """
    start = receivable.due_date + ONE_DAY
    if end_date < start:
        return []
    # a rate fixed for the whole delay is the one of the first late day
    fixed_rate = schedule(start) if getattr(schedule, "fixed", False) else None
    by_day = _reductions_by_day(receivable.reductions)
    base = Decimal(str(receivable.amount)) - sum(
        (amount for day, amount in by_day.items() if day < start), Decimal(0))
    # the days where the base changes: the day after each reduction inside the window
    cuts = sorted(day + ONE_DAY for day in by_day if start <= day < end_date)
    periods = []
    segment_start = start
    for cut in [*cuts, end_date + ONE_DAY]:
        if base > 0:
            for slice_from, slice_to in (piece for half in half_years(segment_start, cut - ONE_DAY)
                                         for piece in without_excluded(*half, receivable.excluded)):
                rate = fixed_rate if fixed_rate is not None else schedule(slice_from)
                days = Decimal((slice_to - slice_from).days + 1)
                # a half-year never crosses 31 December: one denominator per slice
                amount = base * rate / HUNDRED * days / year_days(basis, slice_from)
                periods.append(Period(slice_from, slice_to, base, rate, amount, receivable.line))
        if cut <= end_date:
            base -= by_day[cut - ONE_DAY]
        segment_start = cut
    return periods


# -- one invoice ---------------------------------------------------------------------------
def quantum(digits):
    return Decimal(1).scaleb(-digits)


def round_half_up(amount, digits=2):
    return Decimal(amount).quantize(quantum(digits), rounding=ROUND_HALF_UP)


def allocate(total, amounts, digits=2):
    """Rounded shares of `amounts` that add up exactly to `total` (largest remainder)."""
    step = quantum(digits)
    floors = [Decimal(a).quantize(step, rounding=ROUND_DOWN) for a in amounts]
    left = int((Decimal(total) - sum(floors, Decimal(0))) / step)
    order = sorted(range(len(amounts)), key=lambda i: (-(Decimal(amounts[i]) - floors[i]), i))
    if left < 0:
        order = list(reversed(order))
    for i in order[:abs(left)]:
        floors[i] += step if left > 0 else -step
    return floors


@dataclass(frozen=True)
class InvoiceInterest:
    periods: list  # [Period]
    shares: list  # the rounded amount of each period, adding up to `interest`
    interest: Decimal  # rounded once, half-up
    days_late: int  # the longest delay of its lines
    first_late_day: date | None  # the day after the earliest due date paid late
    outstanding: Decimal  # what is still unpaid at the end of the computation day


def invoice_interest(receivables, end_date, schedule, basis=ACTUAL_365, digits=2, proceedings_opened=None):
    """Interest of an invoice (its receivable lines) up to `end_date`, rounded once.

    `proceedings_opened`: the day of the judgment opening collective proceedings against the
    debtor, if any: interest runs up to the day before it, never after, whatever `end_date`
    (the delay and what is outstanding are still those of `end_date`)."""
    last_interest_day = end_date
    if proceedings_opened is not None:
        last_interest_day = min(end_date, proceedings_opened - ONE_DAY)
    periods = []
    late = 0
    first_late_day = None
    for receivable in receivables:
        # a period at a rate of zero (no interest due) is no part of the interest
        periods.extend(p for p in interest_periods(receivable, last_interest_day, schedule, basis) if p.amount)
        delay = days_late(receivable, end_date)
        late = max(late, delay)
        if delay:
            day = receivable.due_date + ONE_DAY
            first_late_day = day if first_late_day is None else min(first_late_day, day)
    exact = sum((p.amount for p in periods), Decimal(0))
    interest = round_half_up(exact, digits)
    shares = allocate(interest, [p.amount for p in periods], digits) if periods else []
    residual = sum((outstanding(r, end_date) for r in receivables), Decimal(0))
    return InvoiceInterest(periods, shares, interest, late, first_late_day, residual)


def allocate_oldest_first(receivables, reductions):
    """Spread invoice-level reductions (``(date, amount)``, e.g. a payment matched to the
    invoice without a journal entry) over its lines, the earliest due line first."""
    ordered = sorted(receivables, key=lambda r: r.due_date)
    left = {id(r): outstanding(r, date.max) for r in ordered}
    extra = defaultdict(list)
    for day, paid in sorted(reductions):
        to_spread = Decimal(str(paid))
        for receivable in ordered:
            if to_spread <= 0:
                break
            take = min(to_spread, left[id(receivable)])
            if take > 0:
                extra[id(receivable)].append((day, take))
                left[id(receivable)] -= take
                to_spread -= take
    return [
        Receivable(r.due_date, r.amount, tuple(r.reductions) + tuple(extra[id(r)]), r.line, r.excluded)
        for r in ordered
    ]


def after_notice(receivable, notice_date):
    """`receivable` bearing interest only after the formal notice sent on `notice_date` (a
    consumer, Code civil 1231-6; a penalty clause too, 1231-5): its days from the due date to
    the notice are excluded, and all its days when no notice was sent (`notice_date` None)."""
    first = receivable.due_date + ONE_DAY
    return replace(receivable, excluded=(*receivable.excluded, (first, notice_date)))


# -- indemnity -----------------------------------------------------------------------------
def indemnity_owed(due_date, proceedings_opened=None):
    """Whether the fixed indemnity is owed for an amount due on `due_date`: not when collective
    proceedings opened on or before the due date forbade paying it (L441-10 II, last sentence)."""
    return proceedings_opened is None or due_date < proceedings_opened


def indemnity(amount_eur, eur_to_currency, digits=2):
    """The fixed indemnity (in EUR) in the invoice currency, `eur_to_currency` being the
    number of invoice-currency units for one EUR on the first day late."""
    return round_half_up(Decimal(str(amount_eur)) * Decimal(str(eur_to_currency)), digits)
