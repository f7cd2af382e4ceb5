"""Reminders: whether a customer gets one today, by which channels, and how it went.

Plain values in, decisions out. The rules:

- **Who gets a reminder** (`decide`): a customer whose follow-up action is due, unless it is
  in collection or in collective proceedings. An automatic level is sent; a level that waits
  for an accountant (manual) asks the responsible to act instead, unless the accountant sends
  it (the console). Nothing on a day that is not a business day (the daily run).
- **Channels** (`plan_channels`): those of the level. An email that cannot go (no address,
  an address that bounced or is blacklisted) becomes a printed letter and a task for the
  responsible, never a silent skip; an SMS without a number is dropped and a task asks the
  responsible to act. A reminder always goes out by at least one channel.
- **Result** (`result`): `failed` when sending raised, `bounced` when the email could not go,
  `sent` when an email or an SMS went out (handed to Odoo's queues), `queued` when what is
  left waits for a person: a letter in the day's batch, a call or a task.
"""

from dataclasses import dataclass

EMAIL, LETTER, SMS, CALL, TASK = "email", "letter", "sms", "call", "task"
CHANNELS = (EMAIL, LETTER, SMS, CALL, TASK)

SENT, QUEUED, BOUNCED, FAILED = "sent", "queued", "bounced", "failed"
RESULTS = (SENT, QUEUED, BOUNCED, FAILED)

# decide()
SEND, MANUAL = "send", "manual"
# reasons for sending nothing
NOT_DUE, COLLECTION, PROCEEDINGS, NOT_BUSINESS_DAY, NO_LEVEL = (
    "not_due", "collection", "proceedings", "not_business_day", "no_level")


@dataclass(frozen=True)
class Decision:
    action: str | None      # SEND, MANUAL or None
    reason: str | None = None


def decide(status, has_level, level_auto, *, in_proceedings=False, business_day=True, include_manual=False):
    """What to do today for a customer whose follow-up status is `status` (see
    engine.followup.STATUSES) and whose next level is automatic or not."""
    # the first reason to send nothing, in this order
    checks = (
        (status == "collection", COLLECTION),
        (in_proceedings, PROCEEDINGS),
        (status != "due", NOT_DUE),
        (not has_level, NO_LEVEL),
        (not business_day, NOT_BUSINESS_DAY),
    )
    reason = next((reason for applies, reason in checks if applies), None)
    if reason:
        return Decision(None, reason)
    return Decision(SEND if level_auto or include_manual else MANUAL)


@dataclass(frozen=True)
class ChannelPlan:
    channels: frozenset      # the channels used
    bounced: bool = False    # the email could not go: a letter and a task instead
    no_number: bool = False  # an SMS was asked but there is no number


def plan_channels(wanted, email_ok=True, phone_ok=True):
    """The channels of a reminder from those of its level (`wanted`), knowing whether the
    customer can receive an email and an SMS."""
    channels = {channel for channel in wanted if channel in CHANNELS}
    bounced = no_number = False
    if EMAIL in channels and not email_ok:
        channels.discard(EMAIL)
        channels |= {LETTER, TASK}
        bounced = True
    if SMS in channels and not phone_ok:
        channels.discard(SMS)
        channels.add(TASK)
        no_number = True
    if not channels:
        channels.add(TASK)  # a level without any channel: the responsible acts
    return ChannelPlan(frozenset(channels), bounced, no_number)


def result(channels, *, bounced=False, failed=False):
    """The result of a reminder sent by `channels`."""
    if failed:
        return FAILED
    if bounced:
        return BOUNCED
    if set(channels) & {EMAIL, SMS}:
        return SENT
    return QUEUED
