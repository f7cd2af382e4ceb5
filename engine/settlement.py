"""Settlement: promises to pay, instalment plans, what they pause and when they break.

Plain values in, decisions out. The rules:

- **Promise** (`promise_state`): a customer promises to pay an amount by a date. It is *kept*
  as soon as what it covers has received at least the promised amount (even before the date:
  it closes itself), *broken* once the date has passed without it (the follow-up resumes at the
  next level), else *open*: reminders pause until its date.
- **Schedule** (`build_schedule`): what is due is split into a down payment (optional, due on
  its own date) and a number of instalments from a first date, weekly, every two weeks,
  monthly or quarterly; the instalments are equal to the cent, rounded down, and the last one
  takes the rest, so they add up exactly to the total. A monthly date keeps the day of the
  first date, or the last day of a shorter month.
- **Allocation** (`allocate`): payments (date, amount, reference), oldest first, pay the
  instalments oldest first; each instalment knows what paid it and the day it was paid off.
- **Plan state** (`plan_state`): *done* when every instalment is paid; *broken* when an
  instalment is still unpaid more than the grace days after its date; *late* while it is within
  the grace days; else *running*.
- **Plan reminders** (`plan_reminder`): a courteous reminder `notice_days` before each unpaid
  instalment, a firmer one the day after an instalment that is missed (once each).
"""

import calendar
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

OPEN, KEPT, BROKEN = "open", "kept", "broken"
RUNNING, LATE, DONE = "running", "late", "done"
WEEKLY, BIWEEKLY, MONTHLY, QUARTERLY = "weekly", "biweekly", "monthly", "quarterly"
FREQUENCIES = (WEEKLY, BIWEEKLY, MONTHLY, QUARTERLY)
BEFORE, AFTER = "before", "after"


def _quantum(digits):
    return Decimal(1).scaleb(-digits)


def _dec(value, digits=2):
    return Decimal(str(value or 0)).quantize(_quantum(digits), rounding=ROUND_HALF_UP)


# -- promises ----------------------------------------------------------------------------------
def promise_state(promise_date, amount, received, today, digits=2):
    """open, kept or broken: `received` is what the invoices of the promise got since it was
    made (payments, credit notes), in the same currency as `amount`."""
    if _dec(received, digits) >= _dec(amount, digits):
        return KEPT
    if today > promise_date:
        return BROKEN
    return OPEN


# -- schedules ---------------------------------------------------------------------------------
def add_months(day, months, keep_day=None):
    """`day` plus `months` months, on `keep_day` (default: the day of `day`) or the last day of
    a shorter month."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    wanted = keep_day or day.day
    return date(year, month, min(wanted, calendar.monthrange(year, month)[1]))


def nth_date(first, frequency, index):
    """The date of the instalment `index` (0: `first`)."""
    if frequency == WEEKLY:
        return first + timedelta(weeks=index)
    if frequency == BIWEEKLY:
        return first + timedelta(weeks=2 * index)
    if frequency == QUARTERLY:
        return add_months(first, 3 * index, first.day)
    if frequency == MONTHLY:
        return add_months(first, index, first.day)
    raise ValueError(f"unknown frequency {frequency!r}")


@dataclass(frozen=True)
class Instalment:
    sequence: int
    date: date
    amount: Decimal
    down_payment: bool = False


def build_schedule(total, count, first_date, frequency=MONTHLY, down_payment=0, down_payment_date=None, digits=2):
    """The instalments of a plan of `total`: the down payment (if any) on `down_payment_date`
    (default: `first_date`), then `count` instalments from `first_date`; equal amounts rounded
    down to the cent, the last one takes the rest."""
    total = _dec(total, digits)
    down = _dec(down_payment, digits)
    if total <= 0:
        raise ValueError("the total of a plan must be positive")
    if count < 1:
        raise ValueError("a plan has at least one instalment")
    if down < 0 or down >= total:
        raise ValueError("the down payment must be less than the total")
    if frequency not in FREQUENCIES:
        raise ValueError(f"unknown frequency {frequency!r}")
    instalments = []
    if down:
        instalments.append(Instalment(1, down_payment_date or first_date, down, True))
    rest = total - down
    each = (rest / count).quantize(_quantum(digits), rounding=ROUND_DOWN)
    for index in range(count):
        amount = each if index < count - 1 else rest - each * (count - 1)
        instalments.append(Instalment(len(instalments) + 1, nth_date(first_date, frequency, index), amount))
    return instalments


# -- allocation --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Allocated:
    """One instalment once the payments are allocated: what it got and from which payments
    (``(date, amount, reference)``), and the day it was paid off (None while not)."""
    sequence: int
    date: date
    amount: Decimal
    paid: Decimal
    paid_date: date | None
    payments: tuple = field(default=())

    @property
    def left(self):
        return self.amount - self.paid


def allocate(instalments, payments, digits=2):
    """Allocate `payments` ((date, amount, reference), in any order) to `instalments`
    ((sequence, date, amount)), both oldest first. What is paid beyond the plan is ignored."""
    ordered = sorted(instalments, key=lambda inst: (inst[1], inst[0]))
    pending = [[_dec(amount, digits), day, ref] for day, amount, ref in
               sorted(payments, key=lambda pay: (pay[0], str(pay[2])))]
    result = []
    for sequence, due, given in ordered:
        amount = _dec(given, digits)
        paid = Decimal(0).quantize(_quantum(digits))
        used, paid_date = [], None
        for payment in pending:
            if paid >= amount:
                break
            if payment[0] <= 0:
                continue
            take = min(payment[0], amount - paid)
            payment[0] -= take
            paid += take
            used.append((payment[1], take, payment[2]))
            if paid >= amount:
                paid_date = payment[1]
        result.append(Allocated(sequence, due, amount, paid, paid_date, tuple(used)))
    return result


# -- plans ---------------------------------------------------------------------------------------
def missed(allocated, today, grace_days=0):
    """The first instalment unpaid more than `grace_days` after its date, or None."""
    return next((inst for inst in allocated
                 if inst.left > 0 and today > inst.date + timedelta(days=grace_days)), None)


def plan_state(allocated, today, grace_days=5):
    """done, broken, late (an instalment is past its date, within the grace days) or running."""
    if all(inst.left <= 0 for inst in allocated):
        return DONE
    if missed(allocated, today, grace_days):
        return BROKEN
    if missed(allocated, today, 0):
        return LATE
    return RUNNING


def plan_reminder(allocated, today, notice_days=3, reminded=frozenset()):
    """(BEFORE or AFTER, sequence) of the reminder the plan's customer gets today, or None:
    a courteous one from `notice_days` before an unpaid instalment until its date, a firmer
    one once its date has passed; `reminded` holds the (kind, sequence) already sent."""
    for inst in allocated:
        if inst.left <= 0:
            continue
        if today > inst.date and (AFTER, inst.sequence) not in reminded:
            return AFTER, inst.sequence
        if inst.date - timedelta(days=notice_days) <= today <= inst.date \
                and (BEFORE, inst.sequence) not in reminded:
            return BEFORE, inst.sequence
    return None


def paused_until(instalment_dates, grace_days=5):
    """The day until which a running plan pauses the follow-up of its invoices: the last
    instalment's date plus the grace days."""
    if not instalment_dates:
        return None
    return max(instalment_dates) + timedelta(days=grace_days)
