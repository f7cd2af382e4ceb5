from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine import followup, interest, settlement
from engine.followup import Level, Line

D = Decimal


# -- promises --------------------------------------------------------------------------------
@pytest.mark.parametrize(("received", "today", "state"), [
    (0, date(2026, 3, 10), settlement.OPEN),         # before the date: open
    (0, date(2026, 3, 15), settlement.OPEN),         # on the date: still open
    (0, date(2026, 3, 16), settlement.BROKEN),       # the day after, nothing received: broken
    (299.99, date(2026, 3, 16), settlement.BROKEN),  # a cent short: broken
    (300, date(2026, 3, 1), settlement.KEPT),        # paid before the date: kept at once
    (450, date(2026, 4, 1), settlement.KEPT),
])
def test_promise_state(received, today, state):
    assert settlement.promise_state(date(2026, 3, 15), 300, received, today) == state


# -- schedules -------------------------------------------------------------------------------
def test_schedule_equal_instalments_rest_on_the_last():
    plan = settlement.build_schedule(D("1000.00"), 3, date(2026, 1, 31))
    assert [i.amount for i in plan] == [D("333.33"), D("333.33"), D("333.34")]
    # monthly on the 31st: the last day of shorter months
    assert [i.date for i in plan] == [date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31)]
    assert [i.sequence for i in plan] == [1, 2, 3]


def test_schedule_with_down_payment():
    plan = settlement.build_schedule(D("1200"), 2, date(2026, 2, 1), settlement.WEEKLY, down_payment=D("200"),
                                     down_payment_date=date(2026, 1, 20))
    assert [(i.date, i.amount, i.down_payment) for i in plan] == [
        (date(2026, 1, 20), D("200.00"), True),
        (date(2026, 2, 1), D("500.00"), False),
        (date(2026, 2, 8), D("500.00"), False),
    ]


@pytest.mark.parametrize("frequency,second", [
    (settlement.BIWEEKLY, date(2026, 1, 15)), (settlement.QUARTERLY, date(2026, 4, 1)),
])
def test_schedule_frequencies(frequency, second):
    plan = settlement.build_schedule(100, 2, date(2026, 1, 1), frequency)
    assert plan[1].date == second


@pytest.mark.parametrize("args", [(0, 3), (100, 0), (100, 2, 100), (100, 2, -1)])
def test_schedule_refuses_bad_input(args):
    total, count, *down = args
    with pytest.raises(ValueError):
        settlement.build_schedule(total, count, date(2026, 1, 1), down_payment=down[0] if down else 0)


@given(st.decimals(min_value=D("0.01"), max_value=D("1000000"), places=2),
       st.integers(min_value=1, max_value=36),
       st.decimals(min_value=D("0"), max_value=D("0.99"), places=2))
def test_schedule_adds_up_to_the_cent(total, count, down_share):
    down = (total * down_share).quantize(D("0.01"))
    if down >= total:
        down = D(0)
    plan = settlement.build_schedule(total, count, date(2026, 1, 31), down_payment=down)
    assert sum(i.amount for i in plan) == total
    assert all(i.amount >= 0 for i in plan)
    regular = [i.amount for i in plan if not i.down_payment]
    assert max(regular) - min(regular) < D("0.01") * count + D("0.01")
    assert [i.date for i in plan if not i.down_payment] == sorted(i.date for i in plan if not i.down_payment)


# -- allocation ------------------------------------------------------------------------------
INSTALMENTS = [(1, date(2026, 1, 10), 100), (2, date(2026, 2, 10), 100), (3, date(2026, 3, 10), 100)]


def test_payments_pay_instalments_oldest_first():
    alloc = settlement.allocate(INSTALMENTS, [
        (date(2026, 2, 5), 150, "PAY2"), (date(2026, 1, 8), 30, "PAY1"),
    ])
    assert [a.paid for a in alloc] == [D(100), D(80), D(0)]
    assert alloc[0].paid_date == date(2026, 2, 5)
    assert alloc[0].payments == ((date(2026, 1, 8), D(30), "PAY1"), (date(2026, 2, 5), D(70), "PAY2"))
    assert alloc[1].payments == ((date(2026, 2, 5), D(80), "PAY2"),)
    assert alloc[1].paid_date is None


def test_overpayment_is_ignored():
    alloc = settlement.allocate(INSTALMENTS, [(date(2026, 1, 1), 1000, "P")])
    assert [a.paid for a in alloc] == [D(100)] * 3
    assert settlement.plan_state(alloc, date(2026, 1, 2)) == settlement.DONE


@given(st.lists(st.tuples(st.integers(0, 100), st.decimals(min_value=D("0.01"), max_value=D("400"), places=2)),
                max_size=8))
def test_allocation_never_exceeds_and_fills_in_order(payments):
    pays = [(date(2026, 1, 1) + timedelta(days=d), a, str(i)) for i, (d, a) in enumerate(payments)]
    alloc = settlement.allocate(INSTALMENTS, pays)
    total = sum((a for _d, a, _r in pays), D(0))
    assert sum(a.paid for a in alloc) == min(total, D(300))
    # an instalment gets something only once every earlier one is paid off
    for before, after in pairwise(alloc):
        assert after.paid == 0 or before.left == 0


# -- plan state ------------------------------------------------------------------------------
def test_plan_followed_late_and_broken_with_grace():
    pays = [(date(2026, 1, 10), 100, "A")]
    alloc = settlement.allocate(INSTALMENTS, pays)
    assert settlement.plan_state(alloc, date(2026, 2, 10), 5) == settlement.RUNNING
    assert settlement.plan_state(alloc, date(2026, 2, 11), 5) == settlement.LATE
    assert settlement.plan_state(alloc, date(2026, 2, 15), 5) == settlement.LATE
    assert settlement.plan_state(alloc, date(2026, 2, 16), 5) == settlement.BROKEN
    assert settlement.missed(alloc, date(2026, 2, 16), 5).sequence == 2
    alloc = settlement.allocate(INSTALMENTS, [*pays, (date(2026, 2, 14), 100, "B")])
    assert settlement.plan_state(alloc, date(2026, 2, 16), 5) == settlement.RUNNING


def test_plan_reminders_before_and_after():
    alloc = settlement.allocate(INSTALMENTS, [])
    assert settlement.plan_reminder(alloc, date(2026, 1, 6), 3) is None
    assert settlement.plan_reminder(alloc, date(2026, 1, 7), 3) == (settlement.BEFORE, 1)
    assert settlement.plan_reminder(alloc, date(2026, 1, 8), 3, {(settlement.BEFORE, 1)}) is None
    assert settlement.plan_reminder(alloc, date(2026, 1, 11), 3, {(settlement.BEFORE, 1)}) == (settlement.AFTER, 1)
    done = {(settlement.BEFORE, 1), (settlement.AFTER, 1)}
    assert settlement.plan_reminder(alloc, date(2026, 2, 8), 3, done) == (settlement.BEFORE, 2)
    assert settlement.paused_until([inst.date for inst in alloc], 5) == date(2026, 3, 15)
    assert settlement.paused_until([], 5) is None


# -- disputes: days without interest ----------------------------------------------------------
def test_dispute_days_bear_no_interest():
    schedule = interest.RateSchedule(interest.CONTRACTUAL, rate=D("36.5"))
    plain = interest.Receivable(date(2026, 1, 31), D(1000))
    disputed = interest.Receivable(date(2026, 1, 31), D(1000), excluded=((date(2026, 2, 11), date(2026, 2, 20)),))
    end = date(2026, 3, 2)  # 30 days late
    full = interest.invoice_interest([plain], end, schedule)
    less = interest.invoice_interest([disputed], end, schedule)
    assert full.interest == D("30.00")  # 1000 x 36.5 % / 365 x 30 days
    assert less.interest == D("20.00")  # 10 disputed days left out
    assert [(p.date_from, p.date_to) for p in less.periods] == [
        (date(2026, 2, 1), date(2026, 2, 10)), (date(2026, 2, 21), date(2026, 3, 2))]
    # still disputed (open end): nothing from the dispute on
    open_end = interest.Receivable(date(2026, 1, 31), D(1000), excluded=((date(2026, 2, 11), None),))
    assert interest.invoice_interest([open_end], end, schedule).interest == D("10.00")


def test_without_excluded_pieces():
    jan = (date(2026, 1, 1), date(2026, 1, 31))
    assert interest.without_excluded(*jan, ()) == [jan]
    assert interest.without_excluded(*jan, ((date(2025, 12, 1), date(2026, 2, 1)),)) == []


# -- collection by hand ------------------------------------------------------------------------
ESCALATION = Level(5, 45, 5, gated=True, is_escalation=True)
FRIENDLY = Level(2, 3, 2)


def test_collection_by_hand_and_taken_back():
    lines = [Line(1, date(2026, 1, 1), 100), Line(2, date(2026, 1, 5), 50, ESCALATION, date(2026, 2, 20))]
    today = date(2026, 3, 1)
    handed = followup.dossier_state([FRIENDLY, ESCALATION], lines[:1], today, collection=True)
    assert handed.status == "collection" and handed.next_action_date is None
    assert all(state.next_level is None for state in handed.lines)
    sent = [(ESCALATION, date(2026, 2, 20))]
    derived = followup.dossier_state([FRIENDLY, ESCALATION], lines, today, sent_levels=sent)
    assert derived.status == "collection"
    taken_back = followup.dossier_state([FRIENDLY, ESCALATION], lines, today, collection=False, sent_levels=sent)
    assert taken_back.status == "due" and taken_back.next_level == FRIENDLY


def test_a_dispute_resolved_the_day_it_opened_excludes_nothing():
    jan = (date(2026, 1, 1), date(2026, 1, 31))
    assert interest.without_excluded(*jan, ((date(2026, 1, 10), date(2026, 1, 9)),)) == [jan]
