"""Go-live: what the first run of a company's follow-up would do, before anything is sent.

Plain values in, a summary out. The rules:

- **Nothing goes out before go-live.** Until an administrator starts the follow-up of a company,
  the daily run keeps every customer's state up to date and sends nothing.
- **The preview** of the first run counts, over the reminders that would go today: the
  customers, the reminders by level and by channel, the letters, the total amount, and the
  customers whose next level waits for an accountant (a formal notice is never sent by the run).
- **Two ways to start.** `send`: the first run sends what is due. `quiet`: the levels today's
  overdue lines are due for count as reached without sending anything, and the reminders
  resume with the next level; a level that waits for an accountant (formal notice) is never
  counted as reached quietly: it stays due, to be sent with its proof.
"""

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

SEND, QUIET = "send", "quiet"
MODES = (SEND, QUIET)


@dataclass(frozen=True)
class PlannedReminder:
    customer_id: int
    level: str            # the level's name
    channels: frozenset   # engine.reminders channels
    amount: Decimal


@dataclass(frozen=True)
class Preview:
    customers: int = 0
    reminders: int = 0
    by_level: tuple = ()      # ((level, count), ...) in the order first met
    by_channel: tuple = ()    # ((channel, count), ...) by count, then name
    letters: int = 0
    manual: int = 0           # customers whose next level waits for an accountant
    amount: Decimal = Decimal(0)
    sample: tuple = field(default=())  # customer ids to open, the largest amounts first


def check_mode(mode):
    """Whether `mode` is a way to start the follow-up."""
    return mode in MODES


def preview(planned, manual_customers=(), sample_size=10, letter="letter"):
    """The Preview of `planned` (PlannedReminder) and of the customers waiting for a manual level."""
    by_level = Counter()
    order = []
    by_channel = Counter()
    for item in planned:
        if item.level not in by_level:
            order.append(item.level)
        by_level[item.level] += 1
        by_channel.update(item.channels)
    largest = sorted(planned, key=lambda item: (-item.amount, item.customer_id))
    return Preview(
        customers=len({item.customer_id for item in planned} | set(manual_customers)),
        reminders=len(planned),
        by_level=tuple((level, by_level[level]) for level in order),
        by_channel=tuple(sorted(by_channel.items(), key=lambda pair: (-pair[1], pair[0]))),
        letters=by_channel.get(letter, 0),
        manual=len(set(manual_customers)),
        amount=sum((item.amount for item in planned), Decimal(0)),
        sample=tuple(item.customer_id for item in largest[:sample_size]),
    )
