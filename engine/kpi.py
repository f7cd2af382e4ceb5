"""Receivables measures: aged balance, DSO, CEI, shares overdue, days beyond terms, recovery.

The definitions (docs/design.md, "Measures"):

- aged balance buckets: not due, 1-30, 31-60, 61-90, over 90 days past due;
- DSO simple = receivables at the end / credit sales of the period x days of the period;
- DSO count-back: subtract each month's credit sales from the receivables, newest month first,
  counting that month's days, until what is left is smaller than a month's sales, then add that
  month's days pro rata (150,000 against November 100,000 (30 days) and October 80,000
  (31 days): 30 + 50,000 / 80,000 x 31 = 49.375 days);
- best possible DSO = receivables not yet due / credit sales x days; average days delinquent =
  DSO - best possible DSO;
- CEI = (receivables at start + credit sales - receivables at end)
  / (receivables at start + credit sales - receivables at end not yet due) x 100;
- share overdue by count and by amount; average days beyond terms weighted by amount; share of
  invoices paid late.

Numbers: amounts are plain floats everywhere in this module (and in engine/risk.py), as Odoo's
Monetary fields hand them over; sums use math.fsum, nothing is rounded here (the views round
for display). A residual at or below `tolerance` (half a cent by default) counts as settled.
Dates are datetime.date. Undefined ratios (a division by zero sales) are None, not 0.
"""

import math
from bisect import bisect_right
from calendar import monthrange
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import NamedTuple

TOLERANCE = 0.005

BUCKETS = ("not_due", "days_1_30", "days_31_60", "days_61_90", "days_over_90")
BUCKET_LABELS = {
    "not_due": "Not due",
    "days_1_30": "1-30 days",
    "days_31_60": "31-60 days",
    "days_61_90": "61-90 days",
    "days_over_90": "Over 90 days",
}


# ---------------------------------------------------------------------------------------------
# Dates


def months_before(day, months):
    """The same day `months` calendar months earlier, clamped to the month's end
    (31 March minus 1 month is 28 or 29 February)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, monthrange(year, month + 1)[1]))


def month_end(day):
    return date(day.year, day.month, monthrange(day.year, day.month)[1])


def month_ends(reference_date, count, include_current=False):
    """The last `count` month ends before `reference_date`, oldest first (with
    `include_current`, the current month's end is the last of them)."""
    if include_current:
        last = month_end(reference_date)
    else:
        last = date(reference_date.year, reference_date.month, 1) - timedelta(days=1)
    return [month_end(months_before(last, n)) for n in range(count - 1, -1, -1)]


def in_window(day, reference_date, months=12):
    """True when `day` is in the `months` months ending on `reference_date`:
    months_before(reference_date, months) < day <= reference_date."""
    return months_before(reference_date, months) < day <= reference_date


# ---------------------------------------------------------------------------------------------
# Aged balance


def days_past_due(due, reference_date):
    return (reference_date - due).days


def bucket_of(due, reference_date):
    """The bucket code of an open item due on `due`, seen on `reference_date`."""
    days = days_past_due(due, reference_date)
    if days <= 0:
        return "not_due"
    if days <= 30:
        return "days_1_30"
    if days <= 60:
        return "days_31_60"
    if days <= 90:
        return "days_61_90"
    return "days_over_90"


@dataclass
class AgedBalance:
    """Open amounts per bucket (and how many open items fall in each)."""

    not_due: float = 0.0
    days_1_30: float = 0.0
    days_31_60: float = 0.0
    days_61_90: float = 0.0
    days_over_90: float = 0.0
    counts: dict = field(default_factory=lambda: dict.fromkeys(BUCKETS, 0))

    @property
    def total(self):
        return math.fsum(getattr(self, code) for code in BUCKETS)

    @property
    def overdue(self):
        return math.fsum(getattr(self, code) for code in BUCKETS[1:])

    def add(self, residual, due, reference_date):
        code = bucket_of(due, reference_date)
        setattr(self, code, getattr(self, code) + residual)
        self.counts[code] += 1

    def as_dict(self):
        return {code: getattr(self, code) for code in BUCKETS}


def aged_balance(rows, reference_date, tolerance=TOLERANCE):
    """Aged balance of open items given as (residual, due date) rows; a residual at or below
    `tolerance` (settled, or a credit) is left out."""
    balance = AgedBalance()
    for residual, due in rows:
        if residual > tolerance:
            balance.add(residual, due, reference_date)
    return balance



# ---------------------------------------------------------------------------------------------
# Aged balance as it was on a past date (the 12-month trend does not use today's residuals)


class HistoricItem(NamedTuple):
    """A receivable as booked: `key` identifies it (the receivable line id)."""

    key: object
    amount: float
    invoice_date: date
    due_date: date


class ItemPayment(NamedTuple):
    """An amount settled on a receivable on a date (a reversal is a negative amount)."""

    key: object
    paid_on: date
    amount: float


class _PaymentIndex:
    """Payments per item, sorted by date, with running totals: the amount settled on an item
    by a date is one binary search."""

    def __init__(self, payments):
        per_key = defaultdict(list)
        for key, paid_on, amount in payments:
            per_key[key].append((paid_on, amount))
        self._dates = {}
        self._totals = {}
        for key, items in per_key.items():
            items.sort(key=lambda item: item[0])
            running, totals = 0.0, []
            for _paid_on, amount in items:
                running += amount
                totals.append(running)
            self._dates[key] = [paid_on for paid_on, _amount in items]
            self._totals[key] = totals

    def paid_by(self, key, day):
        dates = self._dates.get(key)
        if not dates:
            return 0.0
        position = bisect_right(dates, day)
        return self._totals[key][position - 1] if position else 0.0


def _open_at(items, index, day, tolerance):
    """(item, residual) of the items open at the end of `day`."""
    for item in items:
        if item.invoice_date <= day:
            residual = item.amount - index.paid_by(item.key, day)
            if residual > tolerance:
                yield item, residual


def aged_balance_history(items, payments, dates, tolerance=TOLERANCE):
    """The aged balance as it was at the end of each day in `dates`: {date: AgedBalance}.

    `items` are HistoricItem rows (amount, invoice date, due date), `payments` ItemPayment rows.
    On a date D an item counts when it was invoiced on or before D, with its amount less what
    was paid on it on or before D, bucketed by its due date against D.
    """
    index = _PaymentIndex(payments)
    items = [HistoricItem(*item) for item in items]
    result = {}
    for day in dates:
        balance = result[day] = AgedBalance()
        for item, residual in _open_at(items, index, day, tolerance):
            balance.add(residual, item.due_date, day)
    return result


def aged_balances_history(items, payments, dates, group_of, tolerance=TOLERANCE):
    """As aged_balance_history, one balance per group: {date: {group: AgedBalance}}, where
    `group_of` maps an item key to its group (a customer, a company); items it lacks are left out."""
    index = _PaymentIndex(payments)
    items = [HistoricItem(*item) for item in items if item[0] in group_of]
    result = {}
    for day in dates:
        balances = defaultdict(AgedBalance)
        for item, residual in _open_at(items, index, day, tolerance):
            balances[group_of[item.key]].add(residual, item.due_date, day)
        result[day] = dict(balances)
    return result


def settlement_dates(items, payments, until=None, tolerance=TOLERANCE):
    """The day each item was fully paid: {key: date} for the items whose payments (those on or
    before `until`, when given) reach their amount, within `tolerance`; the day is the one of
    the payment that settled it (a later reversal reopens the item)."""
    amounts = {item[0]: item[1] for item in items}
    per_key = defaultdict(list)
    for key, paid_on, amount in payments:
        if key in amounts and (until is None or paid_on <= until):
            per_key[key].append((paid_on, amount))
    result = {}
    for key, rows in per_key.items():
        rows.sort(key=lambda row: row[0])
        running, settled = 0.0, None
        for paid_on, amount in rows:
            running += amount
            settled = (settled or paid_on) if amounts[key] - running <= tolerance else None
        if settled is not None:
            result[key] = settled
    return result



# ---------------------------------------------------------------------------------------------
# DSO and CEI


def dso_simple(receivables, credit_sales, days):
    """Receivables at the end / credit sales of the period x days of the period; None when
    there were no sales (0 when there is nothing to collect either)."""
    if credit_sales <= 0:
        return 0.0 if receivables <= 0 else None
    return max(receivables, 0.0) / credit_sales * days


def dso_count_back(receivables, months):
    """Count-back DSO. `months` are (credit sales, days of the month) pairs, newest first.

    Each month whose sales are covered by what is left of the receivables counts in full (a
    month without sales too); the month that covers the rest counts pro rata. When the months
    given do not cover the receivables, the result is the sum of their days (a lower bound).
    Never more than the sum of the days given.
    """
    left = receivables
    total = 0.0
    for month_sales, days in months:
        sales = max(month_sales, 0.0)  # net credit notes do not add receivables
        if left <= 0:
            break
        if left > sales:
            total += days
            left -= sales
        else:
            total += left / sales * days
            left = 0.0
    return total


def count_back_months(sales_by_month, last_day, count=12):
    """(credit sales, days) pairs for `dso_count_back`, newest first: the `count` months up to
    the month of `last_day`, read from {(year, month): credit sales} (a missing month has no
    sales). The month of `last_day` counts up to that day only (a period may end mid-month)."""
    months = []
    for back in range(count):
        first = months_before(date(last_day.year, last_day.month, 1), back)
        days = last_day.day if back == 0 else monthrange(first.year, first.month)[1]
        months.append((sales_by_month.get((first.year, first.month), 0.0), days))
    return months


def best_possible_dso(receivables_not_due, credit_sales, days):
    """Receivables not yet due / credit sales x days (None without sales)."""
    return dso_simple(receivables_not_due, credit_sales, days)



def collection_effectiveness_index(receivables_start, credit_sales, receivables_end, receivables_end_not_due):
    """CEI in percent: (start + sales - end) / (start + sales - end not due) x 100; None when
    nothing was collectable."""
    collectable = receivables_start + credit_sales - receivables_end_not_due
    if collectable <= 0:
        return None
    return (receivables_start + credit_sales - receivables_end) / collectable * 100.0


# ---------------------------------------------------------------------------------------------
# Shares and days beyond terms


@dataclass(frozen=True)
class OverdueShare:
    open_count: int
    overdue_count: int
    open_amount: float
    overdue_amount: float

    @property
    def by_count(self):
        """Share of open items that are overdue, 0..1 (0 when nothing is open)."""
        return self.overdue_count / self.open_count if self.open_count else 0.0

    @property
    def by_amount(self):
        """Share of the open amount that is overdue, 0..1 (0 when nothing is open)."""
        return min(self.overdue_amount / self.open_amount, 1.0) if self.open_amount > 0 else 0.0



def days_beyond_terms(due, paid):
    """Days paid after the due date; 0 when paid on or before it (early payment does not
    offset lateness elsewhere)."""
    return max((paid - due).days, 0)


def average_days_beyond_terms(rows):
    """Average days beyond terms of settled invoices given as (amount, due, paid) rows,
    weighted by amount (rows with an amount <= 0 are left out); 0 without any row."""
    weights, weighted = [], []
    for amount, due, paid in rows:
        if amount > 0:
            weights.append(amount)
            weighted.append(amount * days_beyond_terms(due, paid))
    total = math.fsum(weights)
    return math.fsum(weighted) / total if total > 0 else 0.0


def share_paid_late(rows, grace_days=0):
    """Share (0..1) of settled invoices, given as (amount, due, paid) rows, paid more than
    `grace_days` after their due date; 0 without any row. Counts invoices, not amounts."""
    count = late = 0
    for _amount, due, paid in rows:
        count += 1
        if (paid - due).days > grace_days:
            late += 1
    return late / count if count else 0.0


def settled_in_window(rows, reference_date, months=12):
    """The (amount, due, paid) rows paid in the `months` months ending on `reference_date`."""
    return [row for row in rows if in_window(row[2], reference_date, months)]


# ---------------------------------------------------------------------------------------------
# Change against the previous period


class Change(NamedTuple):
    value: float | None
    previous: float | None
    delta: float | None
    delta_percent: float | None


def change(value, previous):
    """Value, previous value, difference and difference in percent of the previous value
    (None when a value is missing, and the percentage too when the previous value is 0)."""
    if value is None or previous is None:
        return Change(value, previous, None, None)
    delta = value - previous
    percent = delta / abs(previous) * 100.0 if previous else None
    return Change(value, previous, delta, percent)


# ---------------------------------------------------------------------------------------------
# Recovery by level: what was paid within N days of a reminder


class ReminderLine(NamedTuple):
    """One receivable line on one sent reminder: `reminder` identifies the reminder (one per
    customer and sending), `line` the receivable line, `amount_due` its residual at send."""

    reminder: object
    level: object
    sent_on: date
    line: object
    amount_due: float


class LinePayment(NamedTuple):
    line: object
    paid_on: date
    amount: float


@dataclass
class LevelRecovery:
    level: object
    reminders: int = 0
    lines: int = 0
    amount_due: float = 0.0
    paid: dict = field(default_factory=dict)  # {days: amount paid within days of the reminder}

    def rate(self, days):
        """Share of the amount due at send paid within `days` (0..1; 0 when nothing was due)."""
        return self.paid.get(days, 0.0) / self.amount_due if self.amount_due > 0 else 0.0


def recovery_by_level(reminder_lines, payments, windows=(7, 15, 30)):
    """Per level: reminders sent, lines and amount due on them, and the amount paid within
    each window (in days) after the reminder: {level: LevelRecovery}.

    A payment is credited to the most recent reminder of its line sent on or before the payment
    date (a payment on the day of sending counts), when it came at most `window` days after it;
    what is credited to a reminder line never exceeds its amount due at send.
    """
    windows = tuple(sorted(set(windows)))
    per_line = defaultdict(list)
    result = {}
    seen_reminders = set()
    for reminder_line in reminder_lines:
        recovery = result.get(reminder_line.level)
        if recovery is None:
            recovery = LevelRecovery(reminder_line.level, paid=dict.fromkeys(windows, 0.0))
            result[reminder_line.level] = recovery
        if (reminder_line.level, reminder_line.reminder) not in seen_reminders:
            seen_reminders.add((reminder_line.level, reminder_line.reminder))
            recovery.reminders += 1
        recovery.lines += 1
        recovery.amount_due += max(reminder_line.amount_due, 0.0)
        per_line[reminder_line.line].append(reminder_line)
    sent_dates = {}
    for line, sends in per_line.items():
        sends.sort(key=lambda send: send.sent_on)
        sent_dates[line] = [send.sent_on for send in sends]
    credited = defaultdict(lambda: dict.fromkeys(windows, 0.0))  # per (line, position) of send
    for line, paid_on, amount in sorted(payments, key=lambda payment: payment.paid_on):
        sends = per_line.get(line)
        if not sends or amount <= 0:
            continue
        position = bisect_right(sent_dates[line], paid_on) - 1
        if position < 0:
            continue
        send = sends[position]
        elapsed = (paid_on - send.sent_on).days
        for days in windows:
            if elapsed > days:
                continue
            already = credited[line, position][days]
            part = min(amount, max(send.amount_due - already, 0.0))
            credited[line, position][days] = already + part
            result[send.level].paid[days] += part
    return result
