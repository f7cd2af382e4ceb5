"""Which legal mentions an invoice carries, with which values (France: Code de commerce L441-9).

An invoice to a professional customer states its due date (Odoo prints it), the conditions of
the early-payment discount or that there is none, the rate of the late-payment penalties and
the fixed recovery indemnity. For a French company these mentions are mandatory on every B2B
invoice (fines up to EUR 75,000 / 375,000): whatever the settings, the rate is printed (the
statutory ECB + 10 points when the company charges no interest) and so is the indemnity (at
least the statutory EUR 40, D441-5).

A public buyer's invoice (Code de la commande publique) states the public procurement rule
instead: the ECB rate of the half-year the interest starts, plus 8 points (R2192-31), and the
EUR 40 indemnity (L2192-13, D2192-35).

A consumer's invoice never carries the L441-10 wording: only, when the company charges consumers
late interest, the consumer rule (legal interest rate, or the contract's penalty rate, from the
formal notice: Code civil 1231-5, 1231-6). A penalty invoice carries none of these mentions: no
penalty runs on penalties.

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
INTEREST_PUBLIC = "interest_public"  # a public buyer: values: margin
INDEMNITY_PUBLIC = "indemnity_public"  # a public buyer: values: amount (in EUR)
INTEREST_CONSUMER = "interest_consumer"  # a consumer, legal rate from the formal notice: no values
INTEREST_CONSUMER_CONTRACTUAL = "interest_consumer_contractual"  # a consumer, penalty clause: values: rate
KEYS = (INTEREST_STATUTORY, INTEREST_REFERENCE, INTEREST_CONTRACTUAL, INDEMNITY, DISCOUNT, NO_DISCOUNT,
        INTEREST_PUBLIC, INDEMNITY_PUBLIC, INTEREST_CONSUMER, INTEREST_CONSUMER_CONTRACTUAL)


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
                     discount=None, discount_printed=False, french=False, public=False, penalty=False):
    """The mentions of an invoice dated `day`, in the order they are printed.

    `schedule` is the interest.RateSchedule that applies to the customer (its rate on `day` is
    the one stated; a consumer's is in mode LEGAL, a public buyer's in mode PUBLIC),
    `indemnity_eur` the fixed indemnity, `discount` the EarlyDiscount of the payment term (None
    when it has none) and `discount_printed` whether Odoo already prints the discount line on
    this invoice (then it is not stated twice). `french`: the company is French (the mentions
    are mandatory); `public`: the customer is a public buyer; `penalty`: a penalty invoice.
    """
    if penalty:
        return []
    if not professional:
        return [_consumer(schedule)] if interest_consumers and schedule.mode != interest.NONE else []
    indemnity_eur = Decimal(str(indemnity_eur or 0))
    if french:
        indemnity_eur = max(indemnity_eur, interest.STATUTORY_INDEMNITY)
    if public and french:
        found = [Mention(INTEREST_PUBLIC, {"margin": interest.PUBLIC_MARGIN}),
                 Mention(INDEMNITY_PUBLIC, {"amount": indemnity_eur})]
    else:
        if french and schedule.mode == interest.NONE:
            # the statutory rate applies when the terms name none: it is printed
            schedule = interest.RateSchedule(interest.STATUTORY, schedule.reference_rates,
                                             margin=interest.STATUTORY_MARGIN)
        found = _interest(schedule, day)
        if indemnity_eur > 0:
            found.append(Mention(INDEMNITY, {"amount": indemnity_eur}))
    if discount is None:
        found.append(Mention(NO_DISCOUNT))
    elif not discount_printed:
        found.append(Mention(DISCOUNT, {
            "percentage": Decimal(str(discount.percentage)), "days": discount.days, "deadline": discount.deadline,
        }))
    return found


def _consumer(schedule):
    if schedule.mode == interest.LEGAL and schedule.rate <= 0:
        return Mention(INTEREST_CONSUMER)
    return Mention(INTEREST_CONSUMER_CONTRACTUAL, {"rate": schedule.rate})


def _interest(schedule, day):
    if schedule.mode == interest.NONE:
        return []
    if schedule.mode == interest.CONTRACTUAL:
        try:
            rate = schedule(day)
        except interest.MissingRateError:
            rate = schedule.rate  # the legal rate of the half-year is not known yet: the terms' rate
        return [Mention(INTEREST_CONTRACTUAL, {"rate": rate})]
    try:
        rate = schedule(day)
    except interest.MissingRateError:
        # no rate for the half-year yet: the last one known, else the formula alone
        reference = interest.rate_in_force(schedule.reference_rates, day)
        if reference is None or schedule.floored:
            return [Mention(INTEREST_REFERENCE, {"margin": schedule.margin})]
        rate = reference + schedule.margin
    if schedule.floored:
        # another margin than the statutory one: a contractual rate, floored
        return [Mention(INTEREST_CONTRACTUAL, {"rate": rate})]
    return [Mention(INTEREST_STATUTORY, {"rate": rate, "reference": rate - schedule.margin,
                                         "margin": schedule.margin})]
