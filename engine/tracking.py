"""What happened to a reminder once it went: its tracking state.

Plain values in, decisions out. The rules:

- A reminder starts `sent` (handed to the mail queue, or printed for the post).
- What the customer did next moves it forward, never back: `delivered` (the mail server took
  the email), then `opened` (the customer opened its page from the link), then `replied` (it
  answered the email), then `paid` (it paid on its page). A later event of a lower rank
  changes nothing: a customer that paid and then opens its page again stays `paid`.
- `bounced` (the email came back: a letter goes instead) replaces `sent` and `delivered`
  only: what the customer did afterwards through the letter's link still counts.
"""

NONE, SENT, DELIVERED, BOUNCED, OPENED, REPLIED, PAID = (
    "none", "sent", "delivered", "bounced", "opened", "replied", "paid")
STATES = (NONE, SENT, DELIVERED, BOUNCED, OPENED, REPLIED, PAID)
RANK = {NONE: 0, SENT: 1, DELIVERED: 2, BOUNCED: 2, OPENED: 3, REPLIED: 4, PAID: 5}


def advance(current, event):
    """The tracking state of a reminder in state `current` once `event` (a state) happened."""
    if event not in RANK:
        raise ValueError(f"unknown tracking event {event!r}")
    current = current or NONE
    if event == BOUNCED:
        return BOUNCED if current in (NONE, SENT, DELIVERED) else current
    if current == BOUNCED and event == DELIVERED:
        return current
    return event if RANK[event] > RANK[current] else current
