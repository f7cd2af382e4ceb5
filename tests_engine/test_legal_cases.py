"""The seven legal cases of the second legal review, each with its worked example, computed by
hand in the comments (actual/365, rounded once per invoice, half-up)."""

from datetime import date
from decimal import Decimal

import pytest

from engine import interest, mentions, penalties
from engine.interest import RateSchedule, Receivable

D = Decimal
ECB = [(date(2023, 9, 20), D("4.50")), (date(2024, 6, 12), D("4.25")), (date(2024, 9, 18), D("3.65")),
       (date(2024, 10, 23), D("3.40")), (date(2024, 12, 18), D("3.15")), (date(2025, 2, 5), D("2.90")),
       (date(2025, 3, 12), D("2.65")), (date(2025, 4, 23), D("2.40")), (date(2025, 6, 11), D("2.15")),
       (date(2026, 6, 17), D("2.40"))]
# French legal rates, "all other cases"; 2026 H2 not published in this table
LEGAL_B = [(date(2024, 1, 1), D("5.07")), (date(2024, 7, 1), D("4.92")), (date(2025, 1, 1), D("3.71")),
           (date(2025, 7, 1), D("2.76")), (date(2026, 1, 1), D("2.62"))]
STATUTORY = RateSchedule(interest.STATUTORY, ECB, margin=10, floor_rates=LEGAL_B)


def interest_of(receivable, end, schedule=STATUTORY, **kwargs):
    return interest.invoice_interest([receivable], end, schedule, **kwargs).interest


# -- 1. collective proceedings ---------------------------------------------------------------
def test_proceedings_stop_interest_the_day_before_the_judgment():
    """EUR 20,000 due 31 Jan 2026, receivership opened 1 Mar 2026, statutory 2026 H1 12.15 %
    (ECB 2.15 on 1 Jan 2026 + 10).
    Before: to 30 Jun 2026, 150 days: 20,000 x 12.15 % x 150 / 365 = 998.63.
    After: 1-28 Feb 2026, 28 days: 20,000 x 12.15 % x 28 / 365 = 186.4109 -> 186.41, whatever the
    day asked; the due date is before the opening: the EUR 40 stays."""
    claim = Receivable(date(2026, 1, 31), D("20000.00"))
    assert interest_of(claim, date(2026, 6, 30)) == D("998.63")
    opened = date(2026, 3, 1)
    for asked in (date(2026, 3, 1), date(2026, 6, 30), date(2027, 6, 30)):
        result = interest.invoice_interest([claim], asked, STATUTORY, proceedings_opened=opened)
        assert result.interest == D("186.41")
        assert [(p.date_from, p.date_to) for p in result.periods] == [(date(2026, 2, 1), date(2026, 2, 28))]
    # what is late and outstanding is still counted to the day asked
    assert interest.invoice_interest([claim], date(2026, 6, 30), STATUTORY, proceedings_opened=opened).days_late == 150
    assert interest.indemnity_owed(claim.due_date, opened)


def test_proceedings_opened_before_the_due_date():
    """EUR 10,000 due 31 Mar 2026, proceedings opened 1 Mar 2026. Before: 1 Apr-30 Jun 2026,
    91 days x 12.15 % = 302.92 and the EUR 40. After: no interest (it stopped before it started)
    and no indemnity: the opening forbade paying at the due date (L441-10 II)."""
    claim = Receivable(date(2026, 3, 31), D("10000.00"))
    assert interest_of(claim, date(2026, 6, 30)) == D("302.92")
    opened = date(2026, 3, 1)
    assert interest_of(claim, date(2026, 6, 30), proceedings_opened=opened) == D("0.00")
    assert not interest.indemnity_owed(claim.due_date, opened)
    assert not interest.indemnity_owed(opened, opened)  # due the day of the judgment: none either
    assert interest.indemnity_owed(claim.due_date, None)
    # the issue's figure: EUR 5,000 due 30 Apr 2026, asked 30 Jun 2026 (61 days): before, 5,000 x
    # 12.15 % x 61 / 365 = 101.5274 -> 101.53 and the EUR 40; after, nothing
    issue = Receivable(date(2026, 4, 30), D("5000.00"))
    assert interest_of(issue, date(2026, 6, 30)) == D("101.53")
    assert interest_of(issue, date(2026, 6, 30), proceedings_opened=opened) == D("0.00")
    assert not interest.indemnity_owed(issue.due_date, opened)


# -- 2. consumers ----------------------------------------------------------------------------
def test_consumer_owes_the_legal_rate_from_the_formal_notice():
    """EUR 1,000 due 31 Jan 2026, unpaid at 31 Mar 2026.
    Before (B2B regime): 59 days x 12.15 %: 1,000 x 12.15 % x 59 / 365 = 19.6397 -> 19.64.
    After: no formal notice, nothing; notice sent 1 Mar 2026: 2-31 Mar, 30 days at the legal rate
    of 2026 H1 for a company creditor, 2.62 %: 1,000 x 2.62 % x 30 / 365 = 2.1534 -> 2.15.
    A penalty clause of 10 %: 1,000 x 10 % x 30 / 365 = 8.2192 -> 8.22, also from the notice."""
    claim = Receivable(date(2026, 1, 31), D("1000.00"))
    assert interest_of(claim, date(2026, 3, 31)) == D("19.64")
    legal = RateSchedule(interest.LEGAL, floor_rates=LEGAL_B)
    assert interest_of(interest.after_notice(claim, None), date(2026, 3, 31), legal) == D("0.00")
    noticed = interest.after_notice(claim, date(2026, 3, 1))
    result = interest.invoice_interest([noticed], date(2026, 3, 31), legal)
    assert (result.interest, result.periods[0].rate, result.periods[0].days) == (D("2.15"), D("2.62"), 30)
    clause = RateSchedule(interest.LEGAL, rate=D("10"), floor_rates=LEGAL_B)
    assert interest_of(noticed, date(2026, 3, 31), clause) == D("8.22")
    # a notice sent before the due date: interest from the day after the due date
    early = interest.after_notice(claim, date(2026, 1, 20))
    assert interest_of(early, date(2026, 3, 1), legal) == interest_of(claim, date(2026, 3, 1), legal)
    # no legal rate for the half-year: never guessed
    with pytest.raises(interest.MissingRateError) as error:
        interest_of(noticed, date(2026, 8, 31), legal)
    assert error.value.kind == interest.LEGAL_RATE


def test_consumer_invoice_never_prints_the_b2b_wording():
    legal = RateSchedule(interest.LEGAL, floor_rates=LEGAL_B)
    printed = mentions.invoice_mentions(professional=False, day=date(2026, 2, 1), schedule=legal,
                                        indemnity_eur=40, interest_consumers=True, french=True)
    assert printed == [mentions.Mention(mentions.INTEREST_CONSUMER)]
    clause = RateSchedule(interest.LEGAL, rate=D("10"), floor_rates=LEGAL_B)
    printed = mentions.invoice_mentions(professional=False, day=date(2026, 2, 1), schedule=clause,
                                        interest_consumers=True, french=True)
    assert printed == [mentions.Mention(mentions.INTEREST_CONSUMER_CONTRACTUAL, {"rate": D("10")})]
    assert mentions.invoice_mentions(professional=False, day=date(2026, 2, 1), schedule=legal, french=True) == []


# -- 3. mandatory mentions -------------------------------------------------------------------
def test_french_b2b_invoice_always_states_the_rate_and_the_indemnity():
    """Interest mode "none" and an indemnity of 0: a French B2B invoice of 1 Feb 2026 still states
    the statutory rate (ECB 2.15 + 10 = 12.15 %) and the EUR 40."""
    none = RateSchedule(interest.NONE, ECB)
    printed = mentions.invoice_mentions(professional=True, day=date(2026, 2, 1), schedule=none,
                                        indemnity_eur=0, french=True)
    assert printed == [
        mentions.Mention(mentions.INTEREST_STATUTORY, {"rate": D("12.15"), "reference": D("2.15"),
                                                       "margin": D("10")}),
        mentions.Mention(mentions.INDEMNITY, {"amount": D("40")}),
        mentions.Mention(mentions.NO_DISCOUNT),
    ]
    # outside France the settings decide
    assert mentions.invoice_mentions(professional=True, day=date(2026, 2, 1), schedule=none) == [
        mentions.Mention(mentions.NO_DISCOUNT)]


# -- 4. missing rates ------------------------------------------------------------------------
def test_missing_legal_rate_is_never_computed_silently():
    """Contractual 5 %, EUR 10,000 due 30 Jun 2026, asked 29 Sep 2026 (91 days).
    Before: 10,000 x 5 % x 91 / 365 = 124.6575 -> 124.66, unchecked.
    After: 2026 H2's legal rate is not known: MissingRateError names the half-year and the rate.
    Once entered (say 2.50 %), the floor 7.50 % applies: 10,000 x 7.5 % x 91 / 365 = 186.9863
    -> 186.99."""
    claim = Receivable(date(2026, 6, 30), D("10000.00"))
    assert interest_of(claim, date(2026, 9, 29), RateSchedule(interest.CONTRACTUAL, rate=5)) == D("124.66")
    contractual = RateSchedule(interest.CONTRACTUAL, rate=5, floor_rates=LEGAL_B)
    with pytest.raises(interest.MissingRateError) as error:
        interest_of(claim, date(2026, 9, 29), contractual)
    assert (error.value.half_year, error.value.kind) == (date(2026, 7, 1), interest.LEGAL_RATE)
    known = RateSchedule(interest.CONTRACTUAL, rate=5, floor_rates=[*LEGAL_B, (date(2026, 7, 1), D("2.50"))])
    assert interest_of(claim, date(2026, 9, 29), known) == D("186.99")
    # no ECB rate at all for a half-year: the reference rate is missing
    with pytest.raises(interest.MissingRateError) as error:
        interest_of(Receivable(date(2023, 5, 31), D("100")), date(2023, 9, 30), STATUTORY)
    assert (error.value.half_year, error.value.kind) == (date(2023, 1, 1), interest.REFERENCE_RATE)
    # the statutory rate (ECB + 10) needs no legal rate
    assert interest_of(claim, date(2026, 9, 29), STATUTORY) == D("309.15")  # 10,000 x 12.40 % x 91 / 365 = 309.1507


# -- 5. statutory means exactly ECB + 10 -----------------------------------------------------
def test_another_margin_is_a_contractual_rate_and_floored():
    """EUR 10,000 due 31 Jan 2024, asked 31 Mar 2024: 60 days of 2024 H1 (ECB 4.50 on 1 Jan).
    Before, margin 8: 12.50 %: 10,000 x 12.5 % x 60 / 365 = 205.4795 -> 205.48.
    After: 12.50 % is below 3 x 5.07 = 15.21 %: 10,000 x 15.21 % x 60 / 365 = 250.0274 -> 250.03.
    The statutory ECB + 10 (14.50 %) stays, even below the floor: 238.36."""
    claim = Receivable(date(2024, 1, 31), D("10000.00"))
    unfloored = RateSchedule(interest.STATUTORY, ECB, margin=8)
    assert interest_of(claim, date(2024, 3, 31), unfloored) == D("205.48")
    margin_8 = RateSchedule(interest.STATUTORY, ECB, margin=8, floor_rates=LEGAL_B)
    assert margin_8.floored and not STATUTORY.floored
    assert interest_of(claim, date(2024, 3, 31), margin_8) == D("250.03")
    assert interest_of(claim, date(2024, 3, 31)) == D("238.36")
    printed = mentions.invoice_mentions(professional=True, day=date(2024, 2, 1), schedule=margin_8,
                                        indemnity_eur=40, french=True)
    assert printed[0] == mentions.Mention(mentions.INTEREST_CONTRACTUAL, {"rate": D("15.21")})


# -- 6. penalty invoices ---------------------------------------------------------------------
def test_penalty_invoice_prints_no_penalty_mention():
    assert mentions.invoice_mentions(professional=True, day=date(2026, 2, 1), schedule=STATUTORY,
                                     indemnity_eur=40, french=True, penalty=True) == []


# -- 7. waivers and over-invoiced interest ---------------------------------------------------
def test_waived_days_are_not_invoiced_again():
    """A credit note on a penalty invoice keeps its days in the ledger: nothing left to invoice."""
    claim = Receivable(date(2024, 5, 31), D("5000.00"), line=1)
    periods = interest.invoice_interest([claim], date(2024, 7, 31), STATUTORY).periods
    waived = {1: [(date(2024, 6, 1), date(2024, 7, 31))]}
    left = penalties.to_invoice(periods, waived, D(40), indemnity_invoiced=True)
    assert (left.interest, left.indemnity, left.periods) == (D("0.00"), D("0"), [])


def test_payment_dated_before_the_penalty_invoice_shows_the_excess():
    """EUR 5,000 due 31 May 2024, penalties invoiced on 31 Jul 2024: 1-30 Jun at 14.50 %
    (59.5890) + 1-31 Jul at 14.25 % (5,000 x 14.25 % x 31 / 365 = 60.5137) = 120.10.
    A payment of the 5,000 dated 15 Jul 2024 is entered afterwards: the days now bear 59.5890 +
    1-15 Jul (29.2808) = 88.8699 -> 88.87: over-invoiced 120.10 - 88.87 = 31.23."""
    claim = Receivable(date(2024, 5, 31), D("5000.00"), line=1)
    invoiced = interest.invoice_interest([claim], date(2024, 7, 31), STATUTORY)
    assert invoiced.interest == D("120.10")
    rows = [(1, p.date_from, p.date_to, share) for p, share in zip(invoiced.periods, invoiced.shares, strict=True)]
    assert penalties.over_invoiced(invoiced.periods, rows) == D("0.00")
    paid = Receivable(date(2024, 5, 31), D("5000.00"), ((date(2024, 7, 15), D("5000.00")),), line=1)
    now = interest.invoice_interest([paid], date(2024, 12, 31), STATUTORY)
    assert now.interest == D("88.87")
    assert penalties.over_invoiced(now.periods, rows) == D("31.23")


# -- public buyers ---------------------------------------------------------------------------
def test_public_buyer_rate_is_fixed_for_the_whole_delay():
    """A public buyer (Code de la commande publique R2192-31): EUR 10,000 due 31 May 2024, paid
    30 Sep 2024 (122 days). Interest starts 1 Jun 2024, in 2024 H1: ECB in force on 1 Jan 2024,
    4.50 + 8 = 12.50 % for all 122 days, although the delay runs into 2024 H2:
    10,000 x 12.5 % x 122 / 365 = 417.8082 -> 417.81 (the B2B statutory rate would give 30 days
    at 14.50 % + 92 at 14.25 % = 478.36).
    Due 30 Jun 2024, paid 30 Sep 2024: interest starts 1 Jul 2024 (2024 H2, ECB 4.25 on 1 Jul):
    12.25 % x 92 days = 308.7671 -> 308.77."""
    public = RateSchedule(interest.PUBLIC, ECB, margin=interest.PUBLIC_MARGIN, floor_rates=LEGAL_B)
    may = Receivable(date(2024, 5, 31), D("10000.00"), ((date(2024, 9, 30), D("10000.00")),))
    result = interest.invoice_interest([may], date(2024, 12, 31), public)
    assert result.interest == D("417.81")
    assert {p.rate for p in result.periods} == {D("12.50")}
    assert interest_of(may, date(2024, 12, 31)) == D("478.36")
    june = Receivable(date(2024, 6, 30), D("10000.00"), ((date(2024, 9, 30), D("10000.00")),))
    assert interest_of(june, date(2024, 12, 31), public) == D("308.77")
    printed = mentions.invoice_mentions(professional=True, day=date(2024, 5, 1), schedule=public,
                                        indemnity_eur=40, french=True, public=True)
    assert [m.key for m in printed] == [mentions.INTEREST_PUBLIC, mentions.INDEMNITY_PUBLIC, mentions.NO_DISCOUNT]
    assert printed[1].values == {"amount": D("40")}
