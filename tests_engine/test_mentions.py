from datetime import date
from decimal import Decimal

from engine import interest, mentions
from engine.interest import RateSchedule

D = Decimal
ECB = [(date(2024, 12, 18), D("3.15")), (date(2025, 6, 11), D("2.15"))]
STATUTORY = RateSchedule(interest.STATUTORY, ECB, margin=10)
DAY = date(2025, 9, 15)


def keys(result):
    return [m.key for m in result]


def test_professional_without_discount():
    result = mentions.invoice_mentions(professional=True, day=DAY, schedule=STATUTORY, indemnity_eur=40)
    assert keys(result) == [mentions.INTEREST_STATUTORY, mentions.INDEMNITY, mentions.NO_DISCOUNT]
    assert result[0].values == {"rate": D("12.15"), "reference": D("2.15"), "margin": D("10")}
    assert result[1].values == {"amount": D("40")}


def test_rate_of_the_half_year_of_the_invoice():
    result = mentions.invoice_mentions(professional=True, day=date(2025, 3, 1), schedule=STATUTORY, indemnity_eur=40)
    assert result[0].values["rate"] == D("13.15")


def test_discount_stated_unless_odoo_prints_it():
    discount = mentions.EarlyDiscount(D("2"), 10, date(2025, 9, 25))
    printed = mentions.invoice_mentions(professional=True, day=DAY, schedule=STATUTORY, indemnity_eur=40,
                                        discount=discount, discount_printed=True)
    assert keys(printed) == [mentions.INTEREST_STATUTORY, mentions.INDEMNITY]
    stated = mentions.invoice_mentions(professional=True, day=DAY, schedule=STATUTORY, indemnity_eur=40,
                                       discount=discount)
    assert stated[-1] == mentions.Mention(mentions.DISCOUNT, {"percentage": D("2"), "days": 10,
                                                              "deadline": date(2025, 9, 25)})


def test_consumer_gets_no_mention_unless_charged_interest():
    assert mentions.invoice_mentions(professional=False, day=DAY, schedule=STATUTORY, indemnity_eur=40) == []
    legal = RateSchedule(interest.LEGAL, floor_rates=[(date(2025, 7, 1), D("2.76"))])
    charged = mentions.invoice_mentions(professional=False, day=DAY, schedule=legal, indemnity_eur=40,
                                        interest_consumers=True)
    assert keys(charged) == [mentions.INTEREST_CONSUMER]  # never the L441-10 wording, never the EUR 40


def test_contractual_none_and_unknown_rates():
    contractual = RateSchedule(interest.CONTRACTUAL, rate=9, floor_rates=[(date(2025, 7, 1), D("2.76"))])
    result = mentions.invoice_mentions(professional=True, day=DAY, schedule=contractual, indemnity_eur=40)
    assert result[0] == mentions.Mention(mentions.INTEREST_CONTRACTUAL, {"rate": D("9")})
    none = mentions.invoice_mentions(professional=True, day=DAY, schedule=RateSchedule(interest.NONE),
                                     indemnity_eur=40)
    assert keys(none) == [mentions.INDEMNITY, mentions.NO_DISCOUNT]
    unknown = mentions.invoice_mentions(professional=True, day=DAY, schedule=RateSchedule(interest.STATUTORY, [],
                                                                                          margin=10))
    assert unknown == [mentions.Mention(mentions.INTEREST_REFERENCE, {"margin": D("10")}),
                       mentions.Mention(mentions.NO_DISCOUNT)]
    # a rate set during the half-year, none on its first day: the one known stands in
    late = RateSchedule(interest.STATUTORY, [(date(2025, 8, 1), D("2"))], margin=10)
    assert mentions.invoice_mentions(professional=True, day=DAY, schedule=late)[0].values["rate"] == D("12")
