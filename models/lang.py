"""The language of what the follow-up writes, and numbers and dates in it.

A person acting (a button, the API) reads and writes in their own language. The scheduled
actions run as the superuser (OdooBot), whose language is nobody's: what they write (the notes in
the customers' chatter, the activities of the responsibles, the company status summaries) is in
the language of the company whose customers they follow (its partner's language), the language
its people read. Numbers and dates in these texts follow the language (12,5 and 10/12/2026 in
French), never Python's 12.5 and 2026-12-10.
"""

from odoo import SUPERUSER_ID
from odoo.tools import format_date
from odoo.tools.misc import formatLang


def company_lang(company):
    """The language of `company`'s people: its partner's language when it is active, else the
    current one."""
    env = company.env
    lang = company.sudo().partner_id.lang
    if lang and lang != env.lang and env["res.lang"]._get_data(code=lang).active:
        return lang
    return env.lang or "en_US"


def in_company_lang(records, company):
    """`records` in `company`'s language when no person acts (the superuser: the scheduled
    actions, the installation); as they are when a person acts."""
    if records.env.uid != SUPERUSER_ID or not company:
        return records
    lang = company_lang(company)
    return records if lang == records.env.lang else records.with_context(lang=lang)


def format_number(env, value, digits=None):
    """`value` written in the language of `env`: with `digits` decimals, or as many as it has
    (at most 4, none for a whole number) when None."""
    value = float(value or 0.0)
    if digits is None:
        decimals = f"{value:.4f}".rstrip("0").partition(".")[2]
        digits = len(decimals)
    return formatLang(env, value, digits=digits)


def format_day(env, value):
    """The date `value` (a date or an ISO string) written in the language of `env`; '' when empty."""
    return format_date(env, value) if value else ""
