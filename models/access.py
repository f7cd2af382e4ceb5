"""Access first, superuser second: what every public method of the addon calls before it
works, and before any `sudo()`.

A button, an RPC call and the API all reach the same public methods; the records they act on
come from the client. `check_records` refuses (AccessError, in the caller's language) a caller
who may not read or write them through the access rights and the record rules, or who works on
a record of a company that is not among the companies allowed in its session
(`env.companies`). Server code running as superuser (scheduled actions) is not checked.
"""

from odoo.exceptions import AccessError

# the addon's security groups (security/account_late_payment_security.xml), one constant each
USER_GROUP = "account_late_payment.group_late_payment_user"
ADMIN_GROUP = "account_late_payment.group_late_payment_admin"


def check_records(records, operation="write"):
    """Raise an AccessError unless the caller may `operation` ('read' or 'write') every record of
    `records` (its model's access rights and record rules) in the companies of its session.
    An empty recordset checks the access rights to the model only."""
    env = records.env
    if env.su:
        return records
    records.check_access(operation)
    if "company_id" in records._fields:
        foreign = records.filtered(lambda record: record.company_id and record.company_id not in env.companies)
        if foreign:
            raise AccessError(env._(
                "You cannot act on %(records)s: it belongs to %(company)s, which is not among the companies "
                "you are working in.",
                records=", ".join(foreign[:3].mapped("display_name")),
                company=", ".join(foreign.company_id.mapped("name"))))
    return records


def check_group(env, group, message):
    """Raise an AccessError with `message` unless the caller (not the superuser) is in `group`."""
    if not env.su and not env.user.has_group(group):
        raise AccessError(message)
