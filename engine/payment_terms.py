"""The legal maximum of a payment term between French professionals (Code de commerce L441-10 I).

At most 60 days from the invoice date, or 45 days end of month. Both ways of counting "45 days
end of month" are accepted in practice: the end of the invoice's month plus 45 days, or the
invoice date plus 45 days taken to the end of that month; a due date is within the law when it
is no later than the latest of the three deadlines.

The due date of a payment-term line follows Odoo's four delay types (account.payment.term.line,
``_get_due_date``): days after the invoice date, days after the end of its month, days after the
end of the next month, and "days end of month on the" (a number of days, then the given day of
the following month; day 0 meaning the end of that month).
"""

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

MAX_DAYS = 60
MAX_DAYS_END_OF_MONTH = 45

DAYS_AFTER = "days_after"
DAYS_AFTER_END_OF_MONTH = "days_after_end_of_month"
DAYS_AFTER_END_OF_NEXT_MONTH = "days_after_end_of_next_month"
DAYS_END_OF_MONTH_ON_THE = "days_end_of_month_on_the"
DELAY_TYPES = (DAYS_AFTER, DAYS_AFTER_END_OF_MONTH, DAYS_AFTER_END_OF_NEXT_MONTH, DAYS_END_OF_MONTH_ON_THE)

# The invoice dates a term is tried on: two whole years, one of them a leap year, so that every
# month length and every day of the month is met.
SAMPLE_START = date(2023, 1, 1)
SAMPLE_DAYS = 731


def end_of_month(day):
    return date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])


def add_months(day, months, to_day=None):
    """`day` moved by `months` months, on `to_day` (default: the same day), clipped to the end
    of the month like dateutil's relativedelta."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(to_day or day.day, last))


def legal_deadline(invoice_date):
    """The latest due date French law allows between professionals for an invoice of that date."""
    return max(
        invoice_date + timedelta(days=MAX_DAYS),
        end_of_month(invoice_date) + timedelta(days=MAX_DAYS_END_OF_MONTH),
        end_of_month(invoice_date + timedelta(days=MAX_DAYS_END_OF_MONTH)),
    )


def exceeds_legal_maximum(invoice_date, due_dates):
    """Days by which the latest of `due_dates` passes the legal deadline (0 when within it)."""
    latest = max(due_dates, default=invoice_date)
    return max((latest - legal_deadline(invoice_date)).days, 0)


@dataclass(frozen=True)
class TermLine:
    delay_type: str = DAYS_AFTER
    nb_days: int = 0
    days_next_month: int = 10


def due_date(invoice_date, line):
    """The due date of one payment-term line for an invoice of `invoice_date`."""
    if line.delay_type == DAYS_AFTER_END_OF_MONTH:
        return end_of_month(invoice_date) + timedelta(days=line.nb_days)
    if line.delay_type == DAYS_AFTER_END_OF_NEXT_MONTH:
        return end_of_month(add_months(invoice_date, 1)) + timedelta(days=line.nb_days)
    if line.delay_type == DAYS_END_OF_MONTH_ON_THE:
        shifted = invoice_date + timedelta(days=line.nb_days)
        if not line.days_next_month:
            return end_of_month(shifted)
        return add_months(shifted, 1, to_day=line.days_next_month)
    if line.delay_type == DAYS_AFTER:
        return invoice_date + timedelta(days=line.nb_days)
    raise ValueError(f"unknown delay type: {line.delay_type!r}")


@dataclass(frozen=True)
class TermCheck:
    excess_days: int  # the most days a due date passes the legal deadline (0: always within)
    longest_days: int  # the most days from an invoice date to a due date of the term
    worst_invoice_date: date | None  # an invoice date where the excess is the largest


def check_term(lines, start=SAMPLE_START, days=SAMPLE_DAYS):
    """The worst case of a payment term (its `lines`, TermLine) against the legal maximum, over
    the invoice dates of two whole years."""
    excess, longest, worst = 0, 0, None
    if not lines:
        return TermCheck(0, 0, None)
    for offset in range(days):
        invoice_date = start + timedelta(days=offset)
        dues = [due_date(invoice_date, line) for line in lines]
        longest = max(longest, (max(dues) - invoice_date).days)
        over = exceeds_legal_maximum(invoice_date, dues)
        if over > excess:
            excess, worst = over, invoice_date
    return TermCheck(excess, longest, worst)
