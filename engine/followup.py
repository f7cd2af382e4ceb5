"""Follow-up: which level each receivable line has reached or is due for, the tone a customer
gets, and the follow-up state of a customer (its "dossier") in one company.

Plain values in, decisions out. The rules:

- **Levels** are ordered (sequence, then days); each fires a number of days relative to the
  due date of a receivable line (negative: before it). Their days strictly increase and an
  escalation level is the last one (`check_levels`).
- **The customer is followed, not each invoice** (`dossier_state`). While something is
  overdue (an "overdue period": it starts the day after the oldest overdue line fell due and
  ends once nothing is overdue), the customer has a **stage**: the highest level counted after
  the due date that a reminder reached during the period. The next reminder's level is set by
  the customer's oldest overdue line: the highest level after the stage whose day that line
  has reached, but a formal notice or an escalation ("gated" levels) never comes unless the
  level just before it is the stage. The stage never goes backwards while the customer stays
  overdue: a level is sent once per overdue period (one formal notice for a continuous claim;
  what falls overdue after it rides in the following reminders, up to the escalation), and
  the stage restarts from the first level once nothing is overdue (the invoices of a promise or
  a plan, agreed, open no overdue period alone; a customer taken back from collection starts
  again from the level its oldest line's age allows). Each reminder lists every
  open line of the customer (what is not yet due apart) and states one overdue balance.
- **Before the due date** (the courtesy reminder, the early-payment discount reminder) a line
  is followed level by level from the last level it reached, as before; these reminders go
  only while nothing of the customer is overdue.
- **The gap.** Two reminders to a customer are at least the policy's minimum gap apart (at
  least one day: never two on one day), and the level last sent also waits its own minimum gap.
- **Which level a line reaches** with a reminder: after the due date, the highest level up to
  the reminder's whose day the line has reached (a line counts as formally noticed only if it
  was past the formal-notice day); before it, the level it was due for; else none (listed).
- **The early-payment discount reminder** (a "discount" level) counts days before the
  discount deadline of a line, not from its due date: 2 % at 10 days, net 30, reminded 3 days
  before the deadline goes out on day 7, while the discount can still be taken. The discount
  is open while the line's payment term grants it, nothing was paid on it yet (Odoo grants it
  only on a payment of the whole invoice) and the deadline has not passed (the deadline day
  itself still counts); after that it is never reminded. It is a line's first reminder: once
  the line reached another level it is skipped; when a level counted from the due date would
  come first, that one goes and the discount reminder is skipped. A policy has at most one
  discount level; it is the softest of all (never the level of a reminder that groups a later
  level), and the levels counted from the due date follow it as if none had been reached.
- **Credits** (credit notes, payments not yet matched: lines with a negative residual) pay the
  oldest followed lines first: a line they cover needs no reminder and is not overdue.
- **Excluded and disputed lines** (Odoo's "no follow-up", a blocked payment, a dispute) are left
  out: no level, not in the amount overdue; they are counted apart.
- **The dossier**: amount due (net balance of every open line), amount overdue (followed lines
  past their due date, net of credits), the oldest overdue days, the stage and when it was
  reached, the start of the overdue period, the next action (its date and level: what the
  daily run will send, the one computation every screen shows), and the status:
  `collection` (a line still open reached an escalation level, or the customer was handed to
  collection by hand, until taken back: no more reminders), `waiting`
  (a promise or a plan pauses reminders), `due` (the next action's date has come), `planned`
  (it is in the future), `disputed` (nothing to chase but disputed lines), `none`; and
  `proceedings`: the customer is in collective proceedings (BODACC), so no reminder at all (the
  debtor may not pay earlier debts; the claims are declared to the court's representative):
  no next action, no line due for a level.
- **Tone**: the customer's relationship shifts the level's tone by the policy's number of
  steps, never past the softest and firmest tones the level allows.
- **Which policy**: the customer's own, else its risk class's, else the company's default.
"""

from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from itertools import pairwise

STATUSES = ("none", "planned", "due", "waiting", "disputed", "collection", "proceedings")
RELATIONSHIPS = ("reliable", "standard", "new", "strict")

# configuration errors found by check_levels
SAME_DAY = "same_day"
BACKWARDS = "backwards"
ESCALATION_NOT_LAST = "escalation_not_last"
TWO_DISCOUNT_LEVELS = "two_discount_levels"


@dataclass(frozen=True)
class Level:
    id: int
    days: int
    sequence: int = 0
    min_gap_days: int = 0
    gated: bool = False          # a formal notice or an escalation: only after the level before it
    is_escalation: bool = False  # hand-off to collection: the last level, stops reminders
    # a discount level: fires this many days before the early-payment discount deadline (its
    # `days` are ignored); None: a level counted from the due date
    days_before_discount: int | None = None

    @property
    def is_discount(self):
        return self.days_before_discount is not None


@dataclass(frozen=True)
class Line:
    """An open receivable line: its due date and what is left to pay, in company currency
    (negative: a credit), the last level it reached and when."""
    id: int
    maturity: date
    residual: Decimal | float | int
    level: Level | None = None
    level_date: date | None = None
    excluded: bool = False  # left out of the follow-up (no follow-up, blocked payment)
    disputed: bool = False  # left out because disputed
    discount_date: date | None = None  # deadline of the early-payment discount its term grants
    paid_in_part: bool = False         # something was paid on it (no discount any more)
    # its invoice is in an open promise to pay or a running payment plan: no reminder for it
    # until the day after this date (the customer's other invoices are followed as usual)
    paused_until: date | None = None


@dataclass(frozen=True)
class LineState:
    id: int
    open_amount: Decimal    # what is still to pay once the customer's credits are used
    days_late: int          # days past the due date (negative: before it)
    followed: bool          # neither excluded nor disputed, and a debt
    next_level: Level | None = None  # the level it reaches with the next reminder (None: listed only)
    next_date: date | None = None    # the date of the customer's next reminder, when it lists the line
    paused: bool = False    # its invoice is in an open promise or a running plan


@dataclass(frozen=True)
class DossierState:
    amount_due: Decimal
    amount_overdue: Decimal
    amount_excluded: Decimal
    oldest_overdue_days: int
    level: Level | None
    level_date: date | None
    next_level: Level | None
    next_action_date: date | None
    status: str
    lines: tuple[LineState, ...] = field(default=())
    overdue_since: date | None = None  # the start of the overdue period (None: nothing overdue)


def sort_levels(levels):
    """The levels counted from the due date, in order (the discount levels left out)."""
    return sorted((lvl for lvl in levels if not lvl.is_discount), key=lambda lvl: (lvl.sequence, lvl.days, lvl.id))


def discount_open(discount_date, paid_in_part, today):
    """Whether the early-payment discount of a line can still be taken on `today`: its term
    grants one (`discount_date`, its deadline, included), nothing was paid on it yet."""
    return bool(discount_date) and not paid_in_part and today <= discount_date


def check_levels(levels):
    """The configuration errors of a policy's levels: [(error, level, other level or None)]."""
    ordered = sort_levels(levels)
    errors = []
    discounts = sorted((lvl for lvl in levels if lvl.is_discount), key=lambda lvl: (lvl.sequence, lvl.id))
    errors.extend((TWO_DISCOUNT_LEVELS, discounts[0], other) for other in discounts[1:])
    by_days = {}
    for level in ordered:
        if level.days in by_days:
            errors.append((SAME_DAY, by_days[level.days], level))
        by_days.setdefault(level.days, level)
    for before, after in pairwise(ordered):
        if after.days < before.days:
            errors.append((BACKWARDS, before, after))
    for level in ordered[:-1]:
        if level.is_escalation:
            errors.append((ESCALATION_NOT_LAST, level, None))
    return errors


def _position(ordered, level):
    """Position of `level` in `ordered`; a level of another policy counts as the last level
    of this one with the same or fewer days (-1 when none)."""
    if level is None or level.is_discount:
        return -1
    for index, candidate in enumerate(ordered):
        if candidate.id == level.id:
            return index
    return sum(1 for candidate in ordered if candidate.days <= level.days) - 1


def line_next_level(levels, line, today):
    """(next level, date it is due) for one followed line; (None, date) when the policy has no
    level left after the one reached (the date the gap after it ends), (None, None) when the
    line reached an escalation or the policy has no level. The discount reminder first, while
    the line reached no level and its early-payment discount is open."""
    level, when = _due_date_next_level(levels, line, today)
    discount = next((lvl for lvl in levels if lvl.is_discount), None)
    if discount is None or line.level is not None or not discount_open(line.discount_date, line.paid_in_part, today):
        return level, when
    discount_when = line.discount_date - timedelta(days=max(discount.days_before_discount, 0))
    if level is not None and when < discount_when:
        return level, when  # the due date comes first: the discount reminder is skipped
    return discount, discount_when


def _due_date_next_level(levels, line, today):
    ordered = sort_levels(levels)
    if not ordered:
        return None, None
    reached = _position(ordered, line.level)
    earliest = None
    if line.level is not None and line.level_date is not None:
        earliest = line.level_date + timedelta(days=line.level.min_gap_days or 0)
    if line.level is not None and line.level.is_escalation:
        return None, None
    days_late = (today - line.maturity).days
    start = reached + 1
    if days_late > 0:
        # the reminders before (or on) the due date are skipped once it has passed
        start = max(start, sum(1 for level in ordered if level.days <= 0))
    candidates = ordered[start:]
    if not candidates:
        return (None, earliest or today) if line.level is not None else (None, None)
    chosen = None
    for index, level in enumerate(candidates, start=start):
        if level.days > days_late or (level.gated and index != start):
            break
        chosen = level
    level = chosen or candidates[0]
    when = line.maturity + timedelta(days=level.days)
    if earliest and earliest > when:
        when = earliest
    return level, when


def shifted_tone(tones, tone, steps, softest=None, firmest=None):
    """The tone `steps` away from `tone` (positive: firmer) in `tones` (softest first), kept
    within [softest, firmest] (each defaults to `tone` itself: no shift that way)."""
    if tone not in tones:
        return tone
    position = tones.index(tone)
    low = tones.index(softest) if softest in tones else position
    high = tones.index(firmest) if firmest in tones else position
    low, high = min(low, position), max(high, position)
    return tones[max(low, min(high, position + (steps or 0)))]


def relationship_steps(relationship, shifts):
    """Tone steps for a relationship; `shifts` maps relationship to steps (standard: 0)."""
    if relationship in (None, False, "standard"):
        return 0
    return int(shifts.get(relationship) or 0)


def choose_policy(own=None, risk=None, default=None):
    """The customer's own policy, else its risk class's, else the company's default."""
    return own or risk or default or None


def _amount(value, quantum):
    return Decimal(str(value or 0)).quantize(quantum, rounding=ROUND_HALF_UP)


def _highest(levels):
    """The highest of `levels`; a discount level is lower than any other."""
    return max(levels, key=lambda lvl: (not lvl.is_discount, lvl.sequence, lvl.days, lvl.id), default=None)


def _line_states(followed, left_out, credit_total, today, quantum):
    """The state of each line (no next level yet); the credits pay the oldest followed lines first."""
    credit_left = credit_total
    states = []
    for line in followed:
        residual = _amount(line.residual, quantum)
        used = min(credit_left, residual)
        credit_left -= used
        states.append(LineState(line.id, residual - used, (today - line.maturity).days, True,
                                paused=bool(line.paused_until and line.paused_until >= today)))
    states.extend(LineState(line.id, _amount(line.residual, quantum), (today - line.maturity).days, False)
                  for line in left_out)
    return states


def stage_of(levels, sent_levels, period_start):
    """(stage, date reached) of a customer: the highest level counted after the due date that a
    reminder reached since `period_start` (the start of its overdue period; None: no stage).
    `sent_levels`: [(level, last date a reminder of the customer reached it)]."""
    if period_start is None:
        return None, None
    reached = [(level, day) for level, day in sent_levels or ()
               if level is not None and not level.is_discount and level.days > 0 and day and day >= period_start]
    stage = _highest([level for level, _day in reached])
    if stage is None:
        return None, None
    return stage, max(day for level, day in reached if level == stage)


def earliest_reminder(sent_levels, policy_gap_days):
    """The first day the next reminder to the customer may go: the policy's gap (at least one
    day) and the last level sent's own gap after the last reminder; None: no reminder yet."""
    dated = [(day, level) for level, day in sent_levels or () if day]
    if not dated:
        return None
    last_day = max(day for day, _level in dated)
    gap = max([policy_gap_days or 0, 1] + [level.min_gap_days or 0 for day, level in dated
                                           if day == last_day and level is not None])
    return last_day + timedelta(days=gap)


def stage_next_level(levels, stage, oldest_maturity, day):
    """The level a reminder sent on `day` reaches for a customer at `stage` whose oldest overdue
    line fell due on `oldest_maturity`: the highest level after the stage whose day has come,
    a gated level only right after the stage; the first level after the stage when none has
    come yet; None when no level is left."""
    ordered = sort_levels(levels)
    start = max(_position(ordered, stage) + 1, sum(1 for level in ordered if level.days <= 0))
    candidates = ordered[start:]
    if not candidates:
        return None
    days_late = (day - oldest_maturity).days
    chosen = None
    for index, level in enumerate(candidates, start=start):
        if level.days > days_late or (level.gated and index != start):
            break
        chosen = level
    return chosen or candidates[0]


def level_reached(levels, reminder_level, days_late):
    """The level a line `days_late` days past its due date reaches with a reminder of
    `reminder_level` counted after the due date: the highest level up to it whose day the line
    has reached (a line is formally noticed only when it was past the formal-notice day); None:
    the line is only listed (not yet due, or too recent)."""
    if reminder_level is None or reminder_level.is_discount or reminder_level.days <= 0 or days_late <= 0:
        return None
    ordered = sort_levels(levels)
    top = _position(ordered, reminder_level)
    return _highest([level for level in ordered[:top + 1] if 0 < level.days <= days_late])


def _overdue_next(levels, followed, states, today, stage, earliest, paused_until):
    """(next level, date, status, {line id: level it reaches}) of a customer with something overdue."""
    by_id = {line.id: line for line in followed}
    overdue = [state for state in states if state.followed and state.open_amount > 0 and state.days_late > 0]
    chased = [state for state in overdue if not state.paused] or overdue
    oldest = min(by_id[state.id].maturity for state in chased)
    first = stage_next_level(levels, stage, oldest, today)
    if first is None:
        return None, None, None, {}
    day = oldest + timedelta(days=first.days)
    if earliest and earliest > day:
        day = earliest
    waiting = all(state.paused for state in overdue)
    if waiting:  # every overdue line waits for its promise or plan: until the first pause ends
        day = max(day, min(by_id[state.id].paused_until + timedelta(days=1) for state in overdue))
    if paused_until and paused_until >= today:
        day = max(day, paused_until + timedelta(days=1))
        waiting = True
    cutoff = max(day, today)
    level = stage_next_level(levels, stage, oldest, cutoff)
    # a line paused by a promise or a plan is listed, but not reminded
    reached = {state.id: level_reached(levels, level, state.days_late + (cutoff - today).days)
               for state in states if state.followed and state.open_amount > 0 and not state.paused}
    status = "waiting" if waiting else ("due" if day <= today else "planned")
    return level, day, status, reached


def _before_due_next(levels, followed, states, today, earliest, paused_until):
    """(next level, date, status, {line id: level it reaches}) of a customer with nothing overdue:
    each line is followed from the level it reached (the courtesy and discount reminders)."""
    by_id = {line.id: line for line in followed}
    planned = {}
    for state in states:
        if not (state.followed and state.open_amount > 0):
            continue
        line = by_id[state.id]
        level, when = line_next_level(levels, line, today)
        if level is None or when is None:
            continue
        if line.paused_until and line.paused_until >= today:
            when = max(when, line.paused_until + timedelta(days=1))
        planned[state.id] = (level, when)
    open_states = [state for state in states if state.followed and state.open_amount > 0]
    if not planned:
        waiting = bool(open_states) and (bool(paused_until and paused_until >= today)
                                         or any(state.paused for state in open_states))
        return None, None, "waiting" if waiting else None, {}
    day = min(when for _level, when in planned.values())
    if earliest and earliest > day:
        day = earliest
    paused = bool(paused_until and paused_until >= today)
    if paused:
        day = max(day, paused_until + timedelta(days=1))
    lines_paused = all(by_id[line_id].paused_until and by_id[line_id].paused_until >= today for line_id in planned)
    cutoff = max(day, today)
    due_by_then = {line_id: level for line_id, (level, when) in planned.items() if when <= cutoff}
    level = _highest(list(due_by_then.values()))
    status = "waiting" if paused or lines_paused else ("due" if day <= today else "planned")
    return level, day, status, due_by_then


def dossier_state(levels, lines, today, *, policy_gap_days=0, last_reminder_date=None,
                  paused_until=None, digits=2, proceedings=False, collection=None, sent_levels=None,
                  overdue_since=None):
    """The follow-up state of one customer in one company from its open receivable lines;
    `sent_levels`: [(level, last date a reminder of the customer reached it)], the history the
    stage and the gap come from; `overdue_since`: the start of the overdue period recorded so far
    (None: the day after the oldest overdue line fell due); `last_reminder_date`: the last
    reminder when `sent_levels` does not tell its level;
    `proceedings`: the customer is in collective proceedings, no reminder at all;
    `collection`: True, handed to collection (no reminder while something is open); False,
    taken back from collection (a stage of escalation no longer puts the customer in
    collection); None, in collection when the stage is an escalation."""
    quantum = Decimal(1).scaleb(-digits)
    zero = Decimal(0).quantize(quantum)
    lines = [line for line in lines if _amount(line.residual, quantum)]
    amount_due = sum((_amount(line.residual, quantum) for line in lines), zero)
    credit_lines = [line for line in lines if line.residual < 0]
    debts = sorted((line for line in lines if line.residual > 0), key=lambda line: (line.maturity, line.id))
    followed = [line for line in debts if not (line.excluded or line.disputed)]
    left_out = [line for line in debts if line.excluded or line.disputed]

    credit_left = -sum((_amount(line.residual, quantum) for line in credit_lines), zero)
    states = _line_states(followed, left_out, credit_left, today, quantum)
    states.extend(LineState(line.id, _amount(line.residual, quantum), (today - line.maturity).days, False)
                  for line in credit_lines)
    open_states = [state for state in states if state.followed and state.open_amount > 0]
    overdue = [state for state in open_states if state.days_late > 0]

    by_id = {line.id: line for line in followed}
    period_start = None
    # the invoices of a promise or a plan are overdue but agreed: alone, they open no overdue period
    active = [state for state in overdue if not state.paused]
    if active:
        oldest = min(by_id[state.id].maturity for state in active)
        period_start = overdue_since if overdue_since and overdue_since <= today else oldest + timedelta(days=1)
    sent = [(level, day) for level, day in sent_levels or () if day and day <= today]
    stage, stage_date = stage_of(levels, sent, period_start)
    if collection is False and stage is not None and stage.is_escalation:
        stage, stage_date = None, None  # taken back from collection: the follow-up starts again
    earliest = earliest_reminder(sent, policy_gap_days)
    if last_reminder_date and not sent:
        earliest = last_reminder_date + timedelta(days=max(policy_gap_days or 0, 1))

    reached = {}
    if proceedings:
        next_level, next_date = None, None
        status = "proceedings" if open_states or left_out else "none"
    elif (collection and (open_states or left_out)) or (
            collection is None and stage is not None and stage.is_escalation):
        next_level, next_date, status = None, None, "collection"
    else:
        if overdue:
            next_level, next_date, status, reached = _overdue_next(
                levels, followed, states, today, stage, earliest, paused_until)
        else:
            next_level, next_date, status, reached = _before_due_next(
                levels, followed, states, today, earliest, paused_until)
        if status is None:
            status = "disputed" if any(line.disputed for line in left_out) else "none"
    level, level_date = stage, stage_date
    if not overdue:
        # nothing overdue: the last level before the due date an open line reached
        open_ids = {state.id for state in open_states}
        before = [line for line in followed if line.id in open_ids and line.level is not None]
        level = _highest([line.level for line in before])
        level_date = max((line.level_date for line in before if line.level == level and line.level_date),
                         default=None)
    if next_date is not None:
        # the next reminder lists every open line of the customer
        states = [replace(state, next_level=reached.get(state.id), next_date=next_date)
                  if state.followed and state.open_amount > 0 else state for state in states]
    return DossierState(
        amount_due=amount_due,
        amount_overdue=sum((state.open_amount for state in overdue), zero),
        amount_excluded=sum((_amount(line.residual, quantum) for line in left_out), zero),
        oldest_overdue_days=max((state.days_late for state in overdue), default=0),
        level=level, level_date=level_date, next_level=next_level, next_action_date=next_date,
        status=status, lines=tuple(states), overdue_since=period_start,
    )
