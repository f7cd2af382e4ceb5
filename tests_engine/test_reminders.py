import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine import reminders
from engine.reminders import (
    BOUNCED,
    CALL,
    CHANNELS,
    COLLECTION,
    EMAIL,
    FAILED,
    LETTER,
    MANUAL,
    NO_LEVEL,
    NOT_BUSINESS_DAY,
    NOT_DUE,
    PROCEEDINGS,
    QUEUED,
    SEND,
    SENT,
    SMS,
    TASK,
)


# -- who gets a reminder ------------------------------------------------------------------------
@pytest.mark.parametrize(("status", "kwargs", "action", "reason"), [
    ("due", {}, SEND, None),
    ("due", {"level_auto": False}, MANUAL, None),
    ("due", {"level_auto": False, "include_manual": True}, SEND, None),
    ("due", {"business_day": False}, None, NOT_BUSINESS_DAY),
    ("due", {"in_proceedings": True}, None, PROCEEDINGS),
    ("due", {"has_level": False}, None, NO_LEVEL),
    ("planned", {}, None, NOT_DUE),
    ("waiting", {}, None, NOT_DUE),      # a promise or a plan pauses the reminders
    ("disputed", {}, None, NOT_DUE),     # nothing to chase but disputed invoices
    ("none", {}, None, NOT_DUE),
    ("collection", {}, None, COLLECTION),
    ("collection", {"in_proceedings": True}, None, COLLECTION),
])
def test_decide(status, kwargs, action, reason):
    values = {"has_level": True, "level_auto": True, **kwargs}
    decision = reminders.decide(status, values.pop("has_level"), values.pop("level_auto"), **values)
    assert (decision.action, decision.reason) == (action, reason)


def test_proceedings_stop_even_manual_levels():
    assert reminders.decide("due", True, False, in_proceedings=True, include_manual=True).action is None


# -- channels ------------------------------------------------------------------------------------
def test_the_level_channels_when_everything_is_possible():
    plan = reminders.plan_channels({EMAIL, LETTER, SMS})
    assert plan.channels == {EMAIL, LETTER, SMS}
    assert not plan.bounced and not plan.no_number


def test_no_email_becomes_a_letter_and_a_task():
    plan = reminders.plan_channels({EMAIL}, email_ok=False)
    assert plan.channels == {LETTER, TASK}
    assert plan.bounced


def test_an_sms_without_number_becomes_a_task():
    plan = reminders.plan_channels({EMAIL, SMS}, phone_ok=False)
    assert plan.channels == {EMAIL, TASK}
    assert plan.no_number and not plan.bounced


def test_a_level_without_channel_asks_the_responsible():
    assert reminders.plan_channels(set()).channels == {TASK}


@given(st.sets(st.sampled_from(CHANNELS)), st.booleans(), st.booleans())
def test_never_a_silent_skip(wanted, email_ok, phone_ok):
    plan = reminders.plan_channels(wanted, email_ok, phone_ok)
    assert plan.channels
    assert plan.channels <= set(CHANNELS)
    if not email_ok:
        assert EMAIL not in plan.channels
    if not phone_ok:
        assert SMS not in plan.channels
    if EMAIL in wanted and not email_ok:
        assert {LETTER, TASK} <= plan.channels
    # what could go, goes
    assert (wanted - {EMAIL, SMS}) <= plan.channels
    if email_ok:
        assert (EMAIL in wanted) == (EMAIL in plan.channels)


# -- result ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(("channels", "kwargs", "expected"), [
    ({EMAIL}, {}, SENT), ({SMS}, {}, SENT), ({EMAIL, LETTER}, {}, SENT),
    ({LETTER}, {}, QUEUED), ({CALL}, {}, QUEUED), ({TASK, LETTER}, {}, QUEUED),
    ({LETTER, TASK}, {"bounced": True}, BOUNCED),
    ({EMAIL}, {"failed": True}, FAILED), ({LETTER}, {"bounced": True, "failed": True}, FAILED),
])
def test_result(channels, kwargs, expected):
    assert reminders.result(channels, **kwargs) == expected
