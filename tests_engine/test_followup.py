from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine import followup
from engine.followup import Level, Line

COURTESY = Level(1, -5, 1, min_gap_days=5)
FRIENDLY = Level(2, 3, 2, min_gap_days=7)
FIRM = Level(3, 15, 3, min_gap_days=10)
FORMAL = Level(4, 30, 4, min_gap_days=8, gated=True)
ESCALATION = Level(5, 45, 5, gated=True, is_escalation=True)
LEVELS = [ESCALATION, FIRM, COURTESY, FORMAL, FRIENDLY]  # order given does not matter

DUE = date(2026, 3, 2)


def day(offset):
    return DUE + timedelta(days=offset)


def line(residual=100, maturity=DUE, level=None, level_date=None, id=1, **kw):
    return Line(id, maturity, residual, level, level_date, **kw)


# -- level selection around every boundary --------------------------------------------------
@pytest.mark.parametrize(("offset", "level", "when"), [
    (-10, COURTESY, -5), (-6, COURTESY, -5),          # before the courtesy reminder: planned
    (-5, COURTESY, -5), (-4, COURTESY, -5),           # on and after it: due
    (0, COURTESY, -5), (1, FRIENDLY, 3), (2, FRIENDLY, 3),  # overdue: no courtesy reminder any more
    (3, FRIENDLY, 3), (4, FRIENDLY, 3),
    (14, FRIENDLY, 3), (15, FIRM, 15), (16, FIRM, 15),
    (29, FIRM, 15), (30, FIRM, 15), (100, FIRM, 15),  # never a formal notice first
])
def test_first_level_of_a_line(offset, level, when):
    assert followup.line_next_level(LEVELS, line(), day(offset)) == (level, day(when))


@pytest.mark.parametrize(("reached", "offset", "level", "when"), [
    (COURTESY, -1, FRIENDLY, 3), (COURTESY, 2, FRIENDLY, 3), (COURTESY, 3, FRIENDLY, 3),
    (COURTESY, 20, FIRM, 15),                       # the friendly one is skipped
    (FRIENDLY, 14, FIRM, 15), (FRIENDLY, 15, FIRM, 15), (FRIENDLY, 16, FIRM, 15),
    (FRIENDLY, 40, FIRM, 15),                       # the formal notice waits for the firm one
    (FIRM, 29, FORMAL, 30), (FIRM, 30, FORMAL, 30), (FIRM, 31, FORMAL, 30),
    (FIRM, 90, FORMAL, 30),                         # the escalation waits for the formal notice
    (FORMAL, 44, ESCALATION, 45), (FORMAL, 45, ESCALATION, 45), (FORMAL, 46, ESCALATION, 45),
])
def test_next_level_after_the_one_reached(reached, offset, level, when):
    # reached long ago: the gap does not matter here
    current = line(level=reached, level_date=day(-60))
    assert followup.line_next_level(LEVELS, current, day(offset)) == (level, day(when))


def test_the_gap_after_a_level_delays_the_next():
    # friendly reminder sent late (day 12): the firm one waits 7 days, until day 19
    current = line(level=FRIENDLY, level_date=day(12))
    assert followup.line_next_level(LEVELS, current, day(15)) == (FIRM, day(19))
    assert followup.line_next_level(LEVELS, current, day(19)) == (FIRM, day(19))
    # with no gap, on its day
    current = line(level=Level(2, 3, 2), level_date=day(12))
    assert followup.line_next_level(LEVELS, current, day(15)) == (FIRM, day(15))


def test_after_the_escalation_nothing_more():
    assert followup.line_next_level(LEVELS, line(level=ESCALATION, level_date=day(45)), day(80)) == (None, None)


def test_after_the_last_level_that_is_not_an_escalation():
    levels = [COURTESY, FRIENDLY, FIRM]
    assert followup.line_next_level(levels, line(level=FIRM, level_date=day(16)), day(20)) == (None, day(26))


def test_no_levels_no_follow_up():
    assert followup.line_next_level([], line(), day(10)) == (None, None)


def test_a_level_of_another_policy_counts_by_its_days():
    # the customer changed policy after a reminder at +10 days: next is the one after +10
    old = Level(99, 10, 1)
    assert followup.line_next_level(LEVELS, line(level=old, level_date=day(10)), day(12)) == (FIRM, day(15))


def test_only_negative_days():
    early = [Level(1, -10, 1), Level(2, -3, 2)]
    assert followup.line_next_level(early, line(), day(-11)) == (early[0], day(-10))
    assert followup.line_next_level(early, line(), day(-3)) == (early[1], day(-3))
    assert followup.line_next_level(early, line(), day(1)) == (None, None)
    assert followup.line_next_level(early, line(level=early[0], level_date=day(-10)), day(1)) == (None, day(-10))


def test_a_formal_notice_first_when_it_is_the_first_level_after_the_due_date():
    levels = [COURTESY, Level(4, 30, 4, gated=True)]
    assert followup.line_next_level(levels, line(), day(40)) == (levels[1], day(30))


# -- configuration errors -------------------------------------------------------------------
def test_check_levels_accepts_the_default_policy():
    assert followup.check_levels(LEVELS) == []


def test_check_levels_errors():
    same = Level(6, 15, 6)
    assert (followup.SAME_DAY, FIRM, same) in followup.check_levels([FIRM, same])
    back = [Level(1, 10, 1), Level(2, 5, 2)]
    assert followup.check_levels(back) == [(followup.BACKWARDS, back[0], back[1])]
    early_escalation = [Level(1, 10, 1, is_escalation=True), Level(2, 20, 2)]
    assert followup.check_levels(early_escalation) == [(followup.ESCALATION_NOT_LAST, early_escalation[0], None)]


# -- tone -----------------------------------------------------------------------------------
TONES = ["courteous", "friendly", "firm", "formal", "collection"]


@pytest.mark.parametrize(("tone", "steps", "softest", "firmest", "expected"), [
    ("friendly", -1, "courteous", "firm", "courteous"),
    ("friendly", -3, "courteous", "firm", "courteous"),  # never softer than allowed
    ("friendly", 1, "courteous", "firm", "firm"),
    ("friendly", 4, "courteous", "firm", "firm"),        # never past the firmest allowed
    ("friendly", 0, "courteous", "firm", "friendly"),
    ("firm", 1, "friendly", None, "firm"),                # no firmest: no shift up
    ("firm", -1, None, "formal", "firm"),                 # no softest: no shift down
    ("formal", -2, None, None, "formal"),                 # a formal notice stays one
    ("unknown", 1, None, None, "unknown"),
])
def test_shifted_tone(tone, steps, softest, firmest, expected):
    assert followup.shifted_tone(TONES, tone, steps, softest, firmest) == expected


def test_relationship_steps():
    shifts = {"reliable": -1, "new": 0, "strict": 1}
    assert [followup.relationship_steps(r, shifts) for r in followup.RELATIONSHIPS] == [-1, 0, 0, 1]
    assert followup.relationship_steps(False, shifts) == 0


def test_choose_policy():
    assert followup.choose_policy("own", "risk", "default") == "own"
    assert followup.choose_policy(None, "risk", "default") == "risk"
    assert followup.choose_policy(None, None, "default") == "default"
    assert followup.choose_policy() is None


# -- the dossier ----------------------------------------------------------------------------
def state(lines, today, **kw):
    return followup.dossier_state(LEVELS, lines, today, **kw)


def test_nothing_due():
    result = state([], day(0))
    assert (result.status, result.amount_due, result.next_action_date) == ("none", 0, None)
    paid_by_credit = state([line(100), line(-100, id=2)], day(20))
    assert paid_by_credit.status == "none"
    assert paid_by_credit.amount_overdue == 0


def test_planned_then_due():
    planned = state([line(1200)], day(-20))
    assert (planned.status, planned.next_level, planned.next_action_date) == ("planned", COURTESY, day(-5))
    assert planned.amount_due == Decimal("1200.00")
    assert planned.amount_overdue == 0
    due = state([line(1200)], day(20))
    assert (due.status, due.next_level, due.next_action_date) == ("due", FIRM, day(15))
    assert due.amount_overdue == Decimal("1200.00")
    assert due.oldest_overdue_days == 20


def test_instalments_follow_each_due_date():
    # an invoice of 2 instalments: 30 % due now, 70 % in 30 days
    lines = [line(300, DUE, id=1), line(700, day(30), id=2)]
    result = state(lines, day(4))
    assert result.amount_overdue == Decimal("300.00")
    assert result.oldest_overdue_days == 4
    assert (result.status, result.next_level) == ("due", FRIENDLY)
    by_id = {s.id: s for s in result.lines}
    assert (by_id[1].next_level, by_id[1].next_date) == (FRIENDLY, day(3))
    # the instalment not yet due is listed in the same reminder (apart), and reaches no level
    assert (by_id[2].next_level, by_id[2].next_date) == (None, day(3))


def test_partial_payment_is_a_smaller_residual():
    result = state([line(Decimal("412.50"))], day(16))
    assert result.amount_overdue == Decimal("412.50")
    assert result.status == "due"


def test_credits_pay_the_oldest_lines_first():
    lines = [line(500, day(-40), id=1), line(400, day(-10), id=2), line(300, day(20), id=3),
             line(-600, day(-5), id=4)]
    result = state(lines, DUE)
    by_id = {s.id: s for s in result.lines}
    assert by_id[1].open_amount == 0 and by_id[1].next_level is None
    assert by_id[2].open_amount == Decimal("300.00")
    assert result.amount_due == Decimal("600.00")
    assert result.amount_overdue == Decimal("300.00")
    assert result.oldest_overdue_days == 10
    # more credit than debts: nothing overdue, nothing to do
    result = state([line(100), line(-250, id=2)], day(40))
    assert (result.amount_due, result.amount_overdue, result.status) == (Decimal("-150.00"), 0, "none")


def test_excluded_and_disputed_lines_are_left_out():
    lines = [line(800, id=1, disputed=True), line(200, id=2, excluded=True)]
    result = state(lines, day(40))
    assert (result.status, result.amount_overdue, result.amount_excluded) == ("disputed", 0, Decimal("1000.00"))
    assert result.amount_due == Decimal("1000.00")
    # another invoice to chase: that is what counts
    result = state([*lines, line(100, id=3)], day(40))
    assert (result.status, result.amount_overdue) == ("due", Decimal("100.00"))
    # credits do not pay the disputed invoice
    result = state([line(800, id=1, disputed=True), line(-300, id=4)], day(40))
    assert (result.status, result.amount_due, result.amount_overdue) == ("disputed", Decimal("500.00"), 0)
    only_excluded = state([line(200, id=2, excluded=True)], day(40))
    assert only_excluded.status == "none"


def test_one_reminder_groups_the_lines_due_by_then():
    lines = [line(100, DUE, id=1), line(100, day(12), id=2)]
    result = state(lines, day(16), sent_levels=[(FRIENDLY, day(3))])
    # the oldest line sets the level: firm from day 15 (gap until day 10); line 2 reaches the friendly one
    assert (result.next_action_date, result.next_level, result.status) == (day(15), FIRM, "due")
    assert (result.level, result.level_date) == (FRIENDLY, day(3))
    by_id = {s.id: s for s in result.lines}
    assert (by_id[1].next_level, by_id[2].next_level) == (FIRM, FRIENDLY)


def test_policy_gap_between_two_reminders_to_a_customer():
    result = state([line(100)], day(16), policy_gap_days=5, last_reminder_date=day(14))
    assert (result.next_action_date, result.status) == (day(19), "planned")
    assert state([line(100)], day(16), policy_gap_days=5, last_reminder_date=day(5)).status == "due"


def test_collection_and_waiting():
    escalated = state([line(100)], day(60), sent_levels=[(ESCALATION, day(45))])
    assert (escalated.status, escalated.next_action_date, escalated.level) == ("collection", None, ESCALATION)
    waiting = state([line(100)], day(20), paused_until=day(25))
    assert (waiting.status, waiting.next_action_date) == ("waiting", day(26))
    over = state([line(100)], day(26), paused_until=day(25))
    assert over.status == "due"


def test_a_promise_or_a_plan_pauses_its_invoices_only():
    # the only overdue invoice is in a plan until day 40: the customer waits
    alone = state([line(100, paused_until=day(40))], day(20))
    assert (alone.status, alone.next_action_date, alone.next_level) == ("waiting", day(41), FIRM)
    assert alone.lines[0].next_date == day(41)
    # another invoice, not in the plan, falls due: it is reminded as usual
    other = line(50, day(10), id=2)
    both = state([line(100, paused_until=day(40)), other], day(20))
    assert (both.status, both.next_action_date, both.next_level) == ("due", day(13), FRIENDLY)
    by_id = {line_state.id: line_state for line_state in both.lines}
    # the invoice of the plan is listed (one overdue balance) but reaches no level
    assert (by_id[1].next_date, by_id[2].next_date) == (day(13), day(13))
    assert (by_id[1].next_level, by_id[2].next_level) == (None, FRIENDLY)
    assert by_id[1].paused and not by_id[2].paused
    # the other invoice not yet due: no courtesy reminder while something is overdue, the customer waits
    later = state([line(100, paused_until=day(40)), line(50, day(30), id=2)], day(20))
    assert (later.status, later.next_action_date, later.next_level) == ("waiting", day(41), FIRM)
    # the pause is over: due again
    assert state([line(100, paused_until=day(40))], day(41)).status == "due"


def test_paid_lines_reached_levels_do_not_count():
    # the line that reached the formal notice is covered by a payment not yet matched
    lines = [line(100, level=FORMAL, level_date=day(30), id=1), line(-100, id=2), line(50, day(20), id=3)]
    result = state(lines, day(30))
    assert result.level is None
    assert (result.status, result.next_level) == ("due", FRIENDLY)


@given(
    st.lists(st.tuples(st.integers(-60, 120), st.integers(-500, 2000), st.booleans()), max_size=8),
    st.integers(-30, 150),
)
def test_amounts_are_consistent(specs, today_offset):
    lines = [line(amount, day(offset), id=i, disputed=flag and amount > 0)
             for i, (offset, amount, flag) in enumerate(specs)]
    result = state(lines, day(today_offset))
    assert result.status in followup.STATUSES
    assert result.amount_due == sum(Decimal(amount) for _o, amount, _f in specs)
    assert 0 <= result.amount_overdue <= max(result.amount_due - result.amount_excluded, 0) or not result.amount_overdue
    assert result.amount_overdue >= 0
    if result.amount_overdue:
        assert result.oldest_overdue_days > 0
    if result.status in ("due", "planned"):
        assert result.next_action_date is not None and result.next_level is not None
        assert (result.status == "due") == (result.next_action_date <= day(today_offset))


@given(st.integers(-60, 200), st.integers(-60, 200))
def test_paying_later_never_lowers_the_level(first, second):
    early, late = sorted((first, second))
    level_early, _ = followup.line_next_level(LEVELS, line(), day(early))
    level_late, _ = followup.line_next_level(LEVELS, line(), day(late))
    assert level_late.days >= level_early.days


def test_collective_proceedings_stop_every_reminder():
    lines = [line(100, id=1), line(200, day(30), id=2), line(50, id=3, disputed=True)]
    result = state(lines, day(20), proceedings=True)
    assert (result.status, result.next_level, result.next_action_date) == ("proceedings", None, None)
    assert all(s.next_level is None and s.next_date is None for s in result.lines)
    # the amounts stay what they are: they are what the claim declares
    assert (result.amount_due, result.amount_overdue, result.amount_excluded) == (
        Decimal("350.00"), Decimal("100.00"), Decimal("50.00"))
    # even a customer handed over to collection, or waiting on a promise
    escalated = state([line(100, level=ESCALATION, level_date=day(45))], day(60), proceedings=True)
    assert escalated.status == "proceedings"
    assert state([line(100)], day(20), paused_until=day(25), proceedings=True).status == "proceedings"
    # nothing owed: nothing to declare
    assert state([], day(20), proceedings=True).status == "none"
    assert state([line(100), line(-100, id=2)], day(20), proceedings=True).status == "none"


# -- the early-payment discount reminder ------------------------------------------------------
# 2 % at 10 days, net 30: invoiced on day -30, the discount deadline is day -20; reminded 3
# days before it, on day -23 (not 5 days before the due date, day -5)
DISCOUNT = Level(9, 0, 0, min_gap_days=2, days_before_discount=3)
WITH_DISCOUNT = [*LEVELS, DISCOUNT]
DEADLINE = day(-20)


def discounted(**kw):
    return line(1000, discount_date=DEADLINE, **kw)


@pytest.mark.parametrize(("offset", "level", "when"), [
    (-30, DISCOUNT, -23),   # invoiced: planned 3 days before the deadline
    (-24, DISCOUNT, -23),   # the day before deadline - 3
    (-23, DISCOUNT, -23),   # deadline - 3: due
    (-21, DISCOUNT, -23),
    (-20, DISCOUNT, -23),   # the deadline itself: the discount can still be taken
    (-19, COURTESY, -5),    # the day after: never the discount again
    (-5, COURTESY, -5),
    (4, FRIENDLY, 3),
])
def test_discount_reminder_counts_days_before_the_deadline(offset, level, when):
    assert followup.line_next_level(WITH_DISCOUNT, discounted(), day(offset)) == (level, day(when))


def test_discount_already_lapsed_when_the_invoice_is_created():
    # invoiced late (back-dated): the deadline passed before the first refresh
    assert followup.line_next_level(WITH_DISCOUNT, discounted(), day(-15)) == (COURTESY, day(-5))


def test_discount_reminder_between_the_window_and_the_deadline_goes_at_once():
    # posted on day -22, after deadline - 3 but before the deadline: due now
    level, when = followup.line_next_level(WITH_DISCOUNT, discounted(), day(-22))
    assert (level, when <= day(-22)) == (DISCOUNT, True)


def test_partially_paid_invoice_has_no_discount():
    assert followup.line_next_level(WITH_DISCOUNT, discounted(paid_in_part=True), day(-23)) == (COURTESY, day(-5))
    assert followup.discount_open(DEADLINE, True, day(-25)) is False
    assert followup.discount_open(DEADLINE, False, day(-20)) is True
    assert followup.discount_open(DEADLINE, False, day(-19)) is False
    assert followup.discount_open(None, False, day(-25)) is False


def test_instalment_lines_have_no_discount():
    # Odoo grants the discount only on single-line terms: an instalment line has no deadline
    lines = [line(300, DUE, id=1), line(700, day(30), id=2)]
    result = followup.dossier_state(WITH_DISCOUNT, lines, day(-20))
    assert {(s.id, s.next_level) for s in result.lines} == {(1, COURTESY), (2, None)}
    # the second instalment, alone, gets its courtesy reminder too
    alone = followup.dossier_state(WITH_DISCOUNT, lines[1:], day(-20))
    assert (alone.next_level, alone.next_action_date) == (COURTESY, day(25))


def test_sent_once_then_the_levels_from_the_due_date():
    reminded = discounted(level=DISCOUNT, level_date=day(-23))
    assert followup.line_next_level(WITH_DISCOUNT, reminded, day(-21)) == (COURTESY, day(-5))
    assert followup.line_next_level(WITH_DISCOUNT, reminded, day(-3)) == (COURTESY, day(-5))
    assert followup.line_next_level(WITH_DISCOUNT, reminded, day(5)) == (FRIENDLY, day(3))
    # sent on the deadline day: the courtesy reminder still waits the discount level's gap
    late = discounted(level=DISCOUNT, level_date=day(-6))
    assert followup.line_next_level(WITH_DISCOUNT, late, day(-5)) == (COURTESY, day(-4))


def test_no_discount_reminder_once_another_level_was_reached():
    reached = discounted(level=COURTESY, level_date=day(-25))
    assert followup.line_next_level(WITH_DISCOUNT, reached, day(-23))[0] is not DISCOUNT


def test_a_level_from_the_due_date_that_comes_first_wins():
    # immediate payment, 2 % within 10 days: the courtesy reminder (5 days before the due date)
    # comes before the discount reminder (day 7), which is skipped
    early = line(1000, discount_date=day(10))
    assert followup.line_next_level(WITH_DISCOUNT, early, day(-6)) == (COURTESY, day(-5))


def test_without_a_discount_level_nothing_changes():
    assert followup.line_next_level(LEVELS, discounted(), day(-23)) == (COURTESY, day(-5))


def test_discount_level_is_the_softest_in_a_grouped_reminder():
    lines = [discounted(id=1), line(400, day(-26), id=2)]
    result = followup.dossier_state(WITH_DISCOUNT, lines, day(-22))
    by_id = {s.id: s for s in result.lines}
    # something is overdue: the line still in its discount window is listed, not reminded apart
    assert by_id[1].next_level is None
    assert by_id[2].next_level == FRIENDLY
    assert (result.status, result.next_level) == ("due", FRIENDLY)
    # alone, it is the reminder's level
    alone = followup.dossier_state(WITH_DISCOUNT, [discounted()], day(-23))
    assert (alone.status, alone.next_level, alone.next_action_date) == ("due", DISCOUNT, day(-23))
    planned = followup.dossier_state(WITH_DISCOUNT, [discounted()], day(-28))
    assert (planned.status, planned.next_level, planned.next_action_date) == ("planned", DISCOUNT, day(-23))
    # a discount level reached is the dossier's level until another one is
    reminded = followup.dossier_state(WITH_DISCOUNT, [discounted(level=DISCOUNT, level_date=day(-23))], day(-21))
    assert (reminded.level, reminded.next_level, reminded.status) == (DISCOUNT, COURTESY, "planned")


def test_check_levels_ignores_the_discount_level_and_allows_one():
    assert followup.check_levels(WITH_DISCOUNT) == []
    assert followup.check_levels([*LEVELS, Level(10, -5, 0, days_before_discount=3)]) == []
    other = Level(10, 0, 1, days_before_discount=1)
    assert followup.check_levels([*WITH_DISCOUNT, other]) == [(followup.TWO_DISCOUNT_LEVELS, DISCOUNT, other)]


@given(st.integers(-40, 60), st.integers(0, 15), st.booleans())
def test_discount_never_after_its_deadline(today_offset, before, paid_in_part):
    discount = Level(9, 0, 0, days_before_discount=before)
    level, when = followup.line_next_level([*LEVELS, discount], discounted(paid_in_part=paid_in_part),
                                           day(today_offset))
    if level == discount:
        assert not paid_in_part
        assert day(today_offset) <= DEADLINE
        assert when == DEADLINE - timedelta(days=before)


# -- the customer's cadence: one stage per customer --------------------------------------------
def test_the_oldest_overdue_line_sets_the_stage():
    # a line 20 days late and one 2 days late: the firm reminder, for both, in one reminder
    lines = [line(100, day(-20), id=1), line(300, day(-2), id=2), line(50, day(10), id=3)]
    result = state(lines, DUE)
    assert (result.status, result.next_level, result.next_action_date) == ("due", FIRM, day(-5))
    by_id = {s.id: s for s in result.lines}
    # every open line is listed; each reaches the level its own age allows, the line not yet due none
    assert {s.id: (s.next_level, s.next_date) for s in result.lines} == {
        1: (FIRM, day(-5)), 2: (None, day(-5)), 3: (None, day(-5))}
    assert by_id[2].days_late == 2
    assert (result.amount_overdue, result.overdue_since) == (Decimal("400.00"), day(-19))


def test_the_stage_never_goes_backwards_while_overdue():
    # the firm reminder went on day 15 for the oldest invoice; that invoice is paid, a newer one
    # (3 days late) is still overdue: the next level is the formal notice, never the friendly one
    newer = line(200, day(27), id=2)
    result = state([newer], day(30), sent_levels=[(FRIENDLY, day(3)), (FIRM, day(15))], overdue_since=day(1))
    assert (result.level, result.next_level) == (FIRM, FORMAL)
    assert result.next_action_date == day(57)  # the newer invoice's formal-notice day
    assert result.status == "planned"


def test_the_stage_restarts_once_nothing_is_overdue():
    sent = [(FRIENDLY, day(3)), (FIRM, day(15))]
    # everything was paid on day 20; a new invoice falls due on day 40: a new overdue period
    result = state([line(100, day(40))], day(45), sent_levels=sent, overdue_since=None)
    assert result.overdue_since == day(41)
    assert (result.level, result.next_level, result.status) == (None, FRIENDLY, "due")
    # while nothing is overdue, the courtesy reminder of a line not yet due, after the gap
    before = state([line(100, day(40))], day(33), sent_levels=sent)
    assert (before.next_level, before.next_action_date, before.status) == (COURTESY, day(35), "planned")


def test_two_reminders_are_at_least_the_gap_apart():
    # friendly reminder on day 3; a second invoice falls due: nothing before day 10 (friendly's 7 days)
    lines = [line(100, DUE, id=1), line(100, day(4), id=2)]
    result = state(lines, day(8), sent_levels=[(FRIENDLY, day(3))], policy_gap_days=5)
    assert (result.next_level, result.next_action_date, result.status) == (FIRM, day(15), "planned")
    # the policy's gap wins when it is longer
    result = state(lines, day(16), sent_levels=[(FRIENDLY, day(14))], policy_gap_days=10)
    assert (result.next_action_date, result.status) == (day(24), "planned")
    # never two reminders on one day, even without any gap
    assert followup.earliest_reminder([(Level(2, 3, 2), day(3))], 0) == day(4)


def test_one_formal_notice_for_a_continuous_claim():
    # the formal notice went on day 30; the next invoices keep the customer overdue: no second
    # formal notice, the next step is the escalation, set by the oldest overdue line
    sent = [(FRIENDLY, day(3)), (FIRM, day(15)), (FORMAL, day(30))]
    lines = [line(100, day(28), id=2), line(100, day(58), id=3)]
    for offset in (40, 60, 70):
        result = state(lines, day(offset), sent_levels=sent, overdue_since=day(1))
        assert (result.level, result.next_level, result.next_action_date) == (FORMAL, ESCALATION, day(73))
    # a line counts as formally noticed only when it was past the formal-notice day
    assert followup.level_reached(LEVELS, FORMAL, 30) == FORMAL
    assert followup.level_reached(LEVELS, FORMAL, 29) == FIRM
    assert followup.level_reached(LEVELS, FORMAL, 2) is None
    assert followup.level_reached(LEVELS, FORMAL, 0) is None


def test_credits_are_applied_once():
    # two credits (500 and 300) and three invoices: each credit counted once, oldest lines first
    lines = [line(400, day(-40), id=1), line(600, day(-10), id=2), line(1000, day(20), id=3),
             line(-500, day(-30), id=4), line(-300, day(-5), id=5)]
    result = state(lines, DUE)
    by_id = {s.id: s for s in result.lines}
    assert (by_id[1].open_amount, by_id[2].open_amount, by_id[3].open_amount) == (
        0, Decimal("200.00"), Decimal("1000.00"))
    assert result.amount_overdue == Decimal("200.00")
    assert result.amount_due == Decimal("1200.00")
    # the fully covered line is not listed; the stage is set by the oldest line still owed
    assert by_id[1].next_date is None and by_id[2].next_date == day(-7)
    assert result.next_level == FRIENDLY


def _replay(days_late, months=12, levels=LEVELS, gap=7):
    """Monthly invoices (due 30 days after the 1st of each month) paid `days_late` days late,
    every level automatic, the state computed every day: the reminders sent [(day, level, overdue)]."""
    start = date(2026, 1, 1)
    invoices = []
    for month in range(months):
        issued = date(start.year + (month // 12), month % 12 + 1, 1)
        invoices.append((month + 1, issued + timedelta(days=30)))
    sent, reminders, per_line, overdue_since = [], [], {}, None
    today = start
    while today <= date(2027, 1, 31):
        lines = [Line(id_, due, 1000, per_line.get(id_, (None, None))[0], per_line.get(id_, (None, None))[1])
                 for id_, due in invoices
                 if due - timedelta(days=30) <= today < due + timedelta(days=days_late)]
        result = followup.dossier_state(levels, lines, today, policy_gap_days=gap, sent_levels=sent,
                                        overdue_since=overdue_since)
        overdue_since = result.overdue_since
        if result.status == "due" and result.next_level:
            reminders.append((today, result.next_level, result.amount_overdue))
            sent = [(level, day_) for level, day_ in sent if level != result.next_level] + [(result.next_level, today)]
            for line_state in result.lines:
                if line_state.next_level and line_state.next_level.days <= 0:
                    per_line[line_state.id] = (line_state.next_level, today)
        today += timedelta(days=1)
    return reminders


def test_a_year_of_a_customer_paying_35_days_late():
    reminders = _replay(35)
    kinds = [level for _day, level, _amount in reminders]
    assert kinds == [COURTESY, FRIENDLY, FIRM, FORMAL]
    assert min((b[0] - a[0]).days for a, b in pairwise(reminders)) >= 7


def test_a_year_of_a_customer_paying_10_days_late():
    reminders = _replay(10)
    kinds = [level for _day, level, _amount in reminders]
    assert kinds == [COURTESY, FRIENDLY] * 12
    assert min((b[0] - a[0]).days for a, b in pairwise(reminders)) >= 7
    assert all(amount == Decimal("1000.00") for _day, level, amount in reminders if level == FRIENDLY)
