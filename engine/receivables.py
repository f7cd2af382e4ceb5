"""Receivables: what a customer owes in one company and how old it is, from the customer's
follow-up state (engine/followup.py `dossier_state`), so that every screen shows the same
figures as the follow-up console: the dashboard, the receivables analysis and the API.

The rules:

- **Amount due**: the net balance of every open receivable line of the customer (invoices,
  credit notes, payments not yet matched, the lines left out of the follow-up).
- **Amount overdue**: the followed lines past their due date, once the customer's credits are
  used (each credit once): the console's "Amount overdue", the amount a reminder states.
- **Aged balance**, in age order: not yet due, 1-30, 31-60, 61-90, over 90 days past due. Each
  bucket holds what is still to pay on the followed lines of that age once the credits are
  used, so the overdue buckets add up to the amount overdue. Apart from the buckets: what is
  left out of the follow-up (excluded, blocked or disputed lines, at their full residual) and
  the credit left over once every followed line is paid (zero or negative). The buckets, the
  left out and the credit left over add up to the amount due.

Amounts are Decimal, rounded to the currency's digits as the follow-up state hands them over.
"""

from dataclasses import dataclass, field
from decimal import Decimal

# the aged buckets in age order (the codes of engine/kpi.py)
BUCKETS = ("not_due", "days_1_30", "days_31_60", "days_61_90", "days_over_90")
OVERDUE_BUCKETS = BUCKETS[1:]


def bucket_of_days(days_late):
    """The bucket of a line `days_late` days past its due date (0 or less: not yet due)."""
    if days_late <= 0:
        return "not_due"
    if days_late <= 30:
        return "days_1_30"
    if days_late <= 60:
        return "days_31_60"
    if days_late <= 90:
        return "days_61_90"
    return "days_over_90"


@dataclass(frozen=True)
class Balance:
    """What a customer owes in one company: see the module's rules."""

    amount_due: Decimal = Decimal(0)
    amount_overdue: Decimal = Decimal(0)
    amount_excluded: Decimal = Decimal(0)
    credit_left: Decimal = Decimal(0)
    buckets: dict = field(default_factory=lambda: dict.fromkeys(BUCKETS, Decimal(0)))
    counts: dict = field(default_factory=lambda: dict.fromkeys(BUCKETS, 0))

    @property
    def amount_not_due(self):
        return self.buckets["not_due"]

    def aged(self):
        """[(bucket, amount)] in age order."""
        return [(code, self.buckets[code]) for code in BUCKETS]


def balance(state):
    """The Balance of a customer from its follow-up state (`dossier_state`): the amounts the
    state computed, the followed lines still to pay sorted into the aged buckets."""
    buckets = dict.fromkeys(BUCKETS, Decimal(0))
    counts = dict.fromkeys(BUCKETS, 0)
    followed_open = Decimal(0)
    for line in state.lines:
        if line.followed and line.open_amount > 0:
            code = bucket_of_days(line.days_late)
            buckets[code] += line.open_amount
            counts[code] += 1
            followed_open += line.open_amount
    return Balance(
        amount_due=state.amount_due,
        amount_overdue=state.amount_overdue,
        amount_excluded=state.amount_excluded,
        credit_left=state.amount_due - state.amount_excluded - followed_open,
        buckets=buckets,
        counts=counts,
    )


def total(balances):
    """The Balance of several customers (a company's total)."""
    balances = list(balances)
    buckets = {code: sum((b.buckets[code] for b in balances), Decimal(0)) for code in BUCKETS}
    counts = {code: sum(b.counts[code] for b in balances) for code in BUCKETS}
    return Balance(
        amount_due=sum((b.amount_due for b in balances), Decimal(0)),
        amount_overdue=sum((b.amount_overdue for b in balances), Decimal(0)),
        amount_excluded=sum((b.amount_excluded for b in balances), Decimal(0)),
        credit_left=sum((b.credit_left for b in balances), Decimal(0)),
        buckets=buckets,
        counts=counts,
    )
