"""Replies to reminders: which ones a person wrote.

Plain values in, decisions out. The rule (RFC 3834 and the headers mail servers actually
send): a message is an automatic reply (out of office, vacation notice, mailing-list or bulk
robot) when its `Auto-Submitted` header is anything but `no`, when it carries `X-Autoreply` or
`X-Autorespond`, or when its `Precedence` is `auto_reply`, `bulk`, `junk` or `list`
(`X-Auto-Response-Suppress` is not a sign: it asks the others not to answer). An automatic reply
is kept in the customer's follow-up like any reply, but asks nobody to act.
"""

AUTOMATIC_PRECEDENCES = frozenset({"auto_reply", "bulk", "junk", "list"})
AUTOREPLY_HEADERS = ("x-autoreply", "x-autorespond")


def is_automatic(headers):
    """Whether a message with `headers` ({name: value}, names in any case) was sent by a robot."""
    found = {str(name).lower(): str(value or "").strip().lower() for name, value in (headers or {}).items()}
    auto_submitted = found.get("auto-submitted")
    if auto_submitted and auto_submitted != "no":
        return True
    if any(name in found for name in AUTOREPLY_HEADERS):
        return True
    return found.get("precedence") in AUTOMATIC_PRECEDENCES
