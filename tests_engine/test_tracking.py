import pytest

from engine import tracking as t


def test_events_move_forward_only():
    assert t.advance(t.SENT, t.DELIVERED) == t.DELIVERED
    assert t.advance(t.DELIVERED, t.OPENED) == t.OPENED
    assert t.advance(t.OPENED, t.PAID) == t.PAID
    # paid, then the page opened again: still paid
    assert t.advance(t.PAID, t.OPENED) == t.PAID
    assert t.advance(t.REPLIED, t.OPENED) == t.REPLIED
    assert t.advance(None, t.SENT) == t.SENT


def test_a_bounce_replaces_sent_and_delivered_only():
    assert t.advance(t.SENT, t.BOUNCED) == t.BOUNCED
    assert t.advance(t.DELIVERED, t.BOUNCED) == t.BOUNCED
    # the letter's link was opened: the page counts, a late delivery report does not undo the bounce
    assert t.advance(t.BOUNCED, t.OPENED) == t.OPENED
    assert t.advance(t.BOUNCED, t.DELIVERED) == t.BOUNCED
    assert t.advance(t.PAID, t.BOUNCED) == t.PAID


def test_unknown_event():
    with pytest.raises(ValueError):
        t.advance(t.SENT, "read")
