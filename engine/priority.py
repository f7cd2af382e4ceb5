"""The worklist's priority: which customer to work first, by what acting on it should recover.

The priority of a customer is an amount (in the company's currency), what a reminder of its
next level can be expected to bring in, made heavier by what makes waiting costly:

    priority = overdue x recovery rate x age weight x risk weight x promise weight

- overdue: what it owes past the due date (followed, net of credits), the console's figure;
- recovery rate: the share of the amount due that the reminders of its next level brought in
  within 15 days over the last 12 months, for the company's customers (the dashboard's
  "recovered per level"), steadied by `default_rate` (50 %) counted as `prior_reminders` (5)
  reminders: (n x measured + 5 x 50 %) / (n + 5) for n reminders of that level (a level that
  sent little says little); 0 when it is in collection or proceedings (reminders are over);
- age weight: 1 + days overdue / 90, at most 2 (a debt gets harder to recover as it ages:
  act before it does);
- risk weight: low 1, medium 1.1, high 1.25, critical 1.5 (the risk of not being paid at all);
- promise weight: 1 + 0.25 per promise broken in the last 12 months, at most 1.5.

Nothing overdue: priority 0. The reason in words lists what drives it: how many invoices how
late, the amount, the last broken promise (reason_parts gives the values, models word them).
"""

from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple


@dataclass(frozen=True)
class PrioritySettings:
    default_rate: float = 0.5
    prior_reminders: int = 5
    age_full_days: float = 90.0  # days overdue that double the weight
    risk_weights: dict = field(default_factory=lambda: {"low": 1.0, "medium": 1.1, "high": 1.25, "critical": 1.5})
    broken_promise_weight: float = 0.25
    broken_promises_max: int = 2


DEFAULT_SETTINGS = PrioritySettings()


class PriorityInput(NamedTuple):
    overdue: float
    days_overdue: int = 0
    overdue_count: int = 0
    risk_class: str | None = None
    broken_promises: int = 0
    last_broken_promise: date | None = None
    recovery_rate: float | None = None  # of its next level; None: unknown
    recovery_reminders: int = 0  # how many reminders of that level the rate is measured on
    stopped: bool = False  # in collection or proceedings: reminders are over


class Priority(NamedTuple):
    value: float
    rate: float
    age_weight: float
    risk_weight: float
    promise_weight: float


def priority(inp, settings=DEFAULT_SETTINGS):
    """The Priority of one customer (PriorityInput)."""
    if inp.overdue <= 0:
        return Priority(0.0, 0.0, 1.0, 1.0, 1.0)
    if inp.stopped:
        rate = 0.0
    elif inp.recovery_rate is None:
        rate = settings.default_rate
    else:
        measured = min(max(inp.recovery_rate, 0.0), 1.0)
        count = max(inp.recovery_reminders, 0)
        rate = (count * measured + settings.prior_reminders * settings.default_rate) / (
            count + settings.prior_reminders) if count + settings.prior_reminders else measured
    age = 1.0 + min(max(inp.days_overdue, 0) / settings.age_full_days, 1.0)
    risk = settings.risk_weights.get(inp.risk_class, 1.0)
    promises = 1.0 + settings.broken_promise_weight * min(max(inp.broken_promises, 0), settings.broken_promises_max)
    return Priority(inp.overdue * rate * age * risk * promises, rate, age, risk, promises)


def priorities(inputs, settings=DEFAULT_SETTINGS):
    """{key: Priority} for {key: PriorityInput}."""
    return {key: priority(inp, settings) for key, inp in inputs.items()}


def ranked(values, top=None):
    """The keys of {key: priority value} from the highest, ties by key; the first `top`."""
    keys = [key for key, value in sorted(values.items(), key=lambda item: (-item[1], item[0])) if values[key] > 0]
    return keys[:top] if top else keys
