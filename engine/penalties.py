"""What is left to invoice of an invoice's penalties, given what was invoiced already.

The interest of a receivable line is a list of periods (interest.Period). A penalty invoice
invoices days: the ledger holds, per receivable line, the day ranges already invoiced. What is
left is every day of the periods that no invoiced range covers, at the period's base and rate;
the exact interest of a part of a period is its share of days (one rate and one base per
period, one year denominator per half-year), and the result is rounded once, per invoice,
half-up, like the interest itself. The fixed indemnity is invoiced once per invoice.

A penalty invoice credited in full is a waiver of its days: they stay in the ledger (never
invoiced again by the machine) until an administrator frees them. A payment entered after a
penalty invoice but dated before its periods lowers what those days bear: over_invoiced says by
how much the invoice claimed too much, to credit it.
"""

from dataclasses import dataclass, replace
from datetime import timedelta
from decimal import Decimal

from . import interest

ONE_DAY = timedelta(days=1)


def merge_ranges(ranges):
    """Sorted, merged, inclusive ``(date_from, date_to)`` ranges (adjacent ranges joined)."""
    merged = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1] + ONE_DAY:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def subtract_ranges(date_from, date_to, ranges):
    """The parts of [date_from, date_to] that none of `ranges` (inclusive) covers."""
    parts = []
    start = date_from
    for low, high in merge_ranges(ranges):
        if high < start or low > date_to:
            continue
        if low > start:
            parts.append((start, low - ONE_DAY))
        start = max(start, high + ONE_DAY)
        if start > date_to:
            break
    if start <= date_to:
        parts.append((start, date_to))
    return parts


def uninvoiced_periods(periods, invoiced):
    """The parts of `periods` (interest.Period) not yet invoiced; `invoiced` maps the line
    reference of a period to its invoiced ``(date_from, date_to)`` ranges."""
    left = []
    for period in periods:
        ranges = invoiced.get(period.line) or ()
        for start, end in subtract_ranges(period.date_from, period.date_to, ranges):
            days = (end - start).days + 1
            amount = period.amount if days == period.days else period.amount * Decimal(days) / Decimal(period.days)
            left.append(replace(period, date_from=start, date_to=end, amount=amount))
    return left


@dataclass(frozen=True)
class ToInvoice:
    periods: list  # [interest.Period] not invoiced yet
    shares: list  # the rounded amount of each, adding up to `interest`
    interest: Decimal  # rounded once, half-up
    indemnity: Decimal


def to_invoice(periods, invoiced, indemnity=Decimal(0), indemnity_invoiced=False, digits=2):
    """What is left to invoice: the interest of the days not invoiced yet and the indemnity
    unless it was invoiced."""
    left = [p for p in uninvoiced_periods(periods, invoiced) if p.amount]
    total = interest.round_half_up(sum((p.amount for p in left), Decimal(0)), digits)
    shares = interest.allocate(total, [p.amount for p in left], digits) if left else []
    # a part too small to be worth a cent is no part of the invoice
    kept = [(p, s) for p, s in zip(left, shares, strict=True) if s]
    return ToInvoice([p for p, _s in kept], [s for _p, s in kept], total,
                     Decimal(0) if indemnity_invoiced else Decimal(str(indemnity)))


def due_for_days(periods, line, date_from, date_to):
    """The exact interest `periods` (interest.Period) give for the days [date_from, date_to] of
    the receivable line `line`."""
    total = Decimal(0)
    for period in periods:
        if period.line != line:
            continue
        start, end = max(period.date_from, date_from), min(period.date_to, date_to)
        if start <= end:
            total += period.amount * Decimal((end - start).days + 1) / Decimal(period.days)
    return total


def over_invoiced(periods, invoiced_rows, digits=2):
    """What penalty invoices claimed beyond what is due now: `periods` are the interest periods
    computed today (a payment entered since, dated earlier, lowered them), `invoiced_rows` the
    ``(line, date_from, date_to, amount)`` of the periods one penalty invoice invoiced. Their
    amounts against what their days bear now, rounded once like the invoice; never below zero."""
    invoiced = sum((Decimal(str(amount)) for _line, _from, _to, amount in invoiced_rows), Decimal(0))
    due = sum((due_for_days(periods, line, date_from, date_to) for line, date_from, date_to, _a in invoiced_rows),
              Decimal(0))
    return max(invoiced - interest.round_half_up(due, digits), Decimal(0))
