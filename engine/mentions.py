"""Which legal mentions an invoice carries, with which values (France: Code de commerce L441-9).

An invoice to a professional customer states its due date (Odoo prints it), the conditions of
the early-payment discount or that there is none, the rate of the late-payment penalties and
the fixed recovery indemnity. A consumer's invoice states none of these, except the
late-interest rate when the company charges consumers late interest.

The decision only: the wording of each mention (per company and language) and the formatting of
its values belong to the caller.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from . import interest

INTEREST_STATUTORY = "interest_statutory"  # values: rate, reference, margin
INTEREST_REFERENCE = "interest_reference"  # statutory, no reference rate known: values: margin
INTEREST_CONTRACTUAL = "interest_contractual"  # values: rate
INDEMNITY = "indemnity"  # values: amount (in EUR)
DISCOUNT = "discount"  # values: percentage, days, deadline
NO_DISCOUNT = "no_discount"
KEYS = (INTEREST_STATUTORY, INTEREST_REFERENCE, INTEREST_CONTRACTUAL, INDEMNITY, DISCOUNT, NO_DISCOUNT)


@dataclass(frozen=True)
class Mention:
    key: str
    values: dict = field(default_factory=dict)


@dataclass(frozen=True)
class EarlyDiscount:
    percentage: Decimal
    days: int
    deadline: date | None


def invoice_mentions(*, professional, day, schedule, indemnity_eur=0, interest_consumers=False,
                     discount=None, discount_printed=False):
    """The mentions of an invoice dated `day`, in the order they are printed.

    `schedule` is the company's interest.RateSchedule (its rate on `day` is the one stated),
    `indemnity_eur` the fixed indemnity, `discount` the EarlyDiscount of the payment term (None
    when it has none) and `discount_printed` whether Odoo already prints the discount line on
    this invoice (then it is not stated twice).
    """
    mentions = []
    if professional or interest_consumers:
        mentions.extend(_interest(schedule, day))
    if not professional:
        return mentions
    if indemnity_eur and Decimal(str(indemnity_eur)) > 0:
        mentions.append(Mention(INDEMNITY, {"amount": Decimal(str(indemnity_eur))}))
    if discount is None:
        mentions.append(Mention(NO_DISCOUNT))
    elif not discount_printed:
        mentions.append(Mention(DISCOUNT, {
            "percentage": Decimal(str(discount.percentage)), "days": discount.days, "deadline": discount.deadline,
        }))
    return mentions


def _interest(schedule, day):
    if schedule.mode == interest.NONE:
        return []
    if schedule.mode == interest.CONTRACTUAL:
        return [Mention(INTEREST_CONTRACTUAL, {"rate": schedule(day)})]
    try:
        rate = schedule(day)
    except interest.MissingRateError:
        # no rate for the half-year yet: the last one known, else the formula alone
        reference = interest.rate_in_force(schedule.reference_rates, day)
        if reference is None:
            return [Mention(INTEREST_REFERENCE, {"margin": schedule.margin})]
        rate = reference + schedule.margin
    return [Mention(INTEREST_STATUTORY, {"rate": rate, "reference": rate - schedule.margin,
                                         "margin": schedule.margin})]
