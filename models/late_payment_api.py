"""The external API: what outside callers (a CRM, a BI tool, a collection agency) reach through
Odoo's JSON-2 (`/json/2/<model>/<method>`) and XML-RPC endpoints with an API key.

The public methods live on the models they speak of (`res.partner.late_payment_status`,
`res.partner.late_payment_run`, `account.move.late_payment_penalties`); this abstract model
holds what they share: checking the caller and its arguments (a clear, translated error and no
change for a bad one), and turning records into plain values (ISO dates, numbers, lists of
dicts: JSON and XML-RPC serialisable, no None).
"""

from datetime import date, datetime

from odoo import api, fields, models
from odoo.exceptions import AccessError, MissingError, UserError

from .access import USER_GROUP
from .late_payment_reminder import CHANNEL_FIELDS

# the dates the addon accepts from a user or a caller: beyond them, an error in its words, not an
# overflow in a date computation
DATE_MIN = date(1900, 1, 1)
DATE_MAX = date(2199, 12, 31)
# amounts accepted from a user or a caller (in a currency): less than a thousand billion
AMOUNT_MAX = 1e12
# texts typed by a user or sent by a caller: a short one (a reason, a reference), a note
SHORT_TEXT_MAX = 256
NOTE_MAX = 10000


class LatePaymentApi(models.AbstractModel):
    _name = "late.payment.api"
    _description = "Late payments: external API helpers"

    # -- checks ----------------------------------------------------------------------------------
    @api.model
    def _check_caller(self, group=USER_GROUP):
        """The caller may use the API: a late payment user (`group`), or with `group=None` any
        internal user; never a portal or public user."""
        if self.env.su:
            return
        user = self.env.user
        if not user._is_internal() or (group and not user.has_group(group)):
            raise AccessError(self.env._(
                "The late payment API is for the late payment users of the company: ask your administrator "
                "for access."))

    @api.model
    def _check_records(self, records):
        """`records` (as browsed from the caller's `ids`): each id an integer, each record
        existing and visible to the caller in its companies. Returns them; raises a UserError or
        a MissingError naming the wrong ids. Records of another company the caller cannot see are
        reported as missing: for the caller they do not exist."""
        wrong = [value for value in records._ids
                 if isinstance(value, bool) or not isinstance(value, int) or value <= 0]
        if wrong:
            values = ", ".join(repr(value) for value in wrong)
            if records._name == "res.partner":
                message = self.env._("The customer ids must be positive whole numbers, not %(values)s.", values=values)
            elif records._name == "account.move":
                message = self.env._("The invoice ids must be positive whole numbers, not %(values)s.", values=values)
            else:
                message = self.env._("The ids must be positive whole numbers, not %(values)s.", values=values)
            raise UserError(message)
        if not records:
            return records
        visible = set(records.exists()._filtered_access("read")._ids)
        missing = [record_id for record_id in records._ids if record_id not in visible]
        if missing:
            ids, company = ", ".join(str(record_id) for record_id in missing), self.env.company.name
            if records._name == "res.partner":
                message = self.env._("No customer with the id %(ids)s in %(company)s (it does not exist, or you "
                                     "cannot see it).", ids=ids, company=company)
            elif records._name == "account.move":
                message = self.env._("No invoice with the id %(ids)s in %(company)s (it does not exist, or you "
                                     "cannot see it).", ids=ids, company=company)
            else:
                message = self.env._("No record with the id %(ids)s in %(company)s (it does not exist, or you "
                                     "cannot see it).", ids=ids, company=company)
            raise MissingError(message)
        return records

    @api.model
    def _late_payment_check_date(self, value, label=None):
        """`value` as a date: an ISO string (YYYY-MM-DD), a date or a datetime; None or False
        mean today, unless `label` names a date that must be given. A clear error otherwise."""
        if value is None or value is False:
            if label is None:
                return fields.Date.context_today(self)
            raise UserError(self.env._(
                "%(label)s is missing: give it as YYYY-MM-DD (e.g. 2024-09-30).", label=label))
        if isinstance(value, datetime):
            return self._check_date_range(value.date(), label)
        if isinstance(value, date):
            return self._check_date_range(value, label)
        if isinstance(value, str):
            try:
                return self._check_date_range(date.fromisoformat(value.strip()), label)
            except ValueError as error:
                if label:
                    raise UserError(self.env._(
                        "%(label)s: %(value)s is not a date: give it as YYYY-MM-DD (e.g. 2024-09-30).",
                        label=label, value=repr(value))) from error
                raise UserError(self.env._(
                    "%(value)s is not a date: give the date as YYYY-MM-DD (e.g. 2024-09-30).",
                    value=repr(value))) from error
        raise UserError(self.env._(
            "%(label)s must be a string YYYY-MM-DD (e.g. 2024-09-30), not %(value)s.",
            label=label or self.env._("The date"), value=repr(value)))

    @api.model
    def _check_date_range(self, day, label=None):
        """`day` if it lies between 1900-01-01 and 2199-12-31; a clear error otherwise."""
        if day and not DATE_MIN <= day <= DATE_MAX:
            raise UserError(self.env._(
                "%(label)s: %(value)s is out of range: give a date between %(first)s and %(last)s.",
                label=label or self.env._("The date"), value=day.isoformat(),
                first=DATE_MIN.isoformat(), last=DATE_MAX.isoformat()))
        return day

    @api.model
    def _check_amount_range(self, amount, label):
        """`amount` (a finite number) if its size is below a thousand billion; a clear error
        otherwise."""
        if abs(amount) >= AMOUNT_MAX:
            raise UserError(self.env._(
                "%(label)s is out of range: it must be less than %(max)s.", label=label, max=f"{AMOUNT_MAX:,.0f}"))
        return amount

    @api.model
    def _check_text(self, value, label, limit=NOTE_MAX):
        """`value` (a text or nothing) if it is at most `limit` characters long; a clear error
        otherwise."""
        if value and (not isinstance(value, str) or len(value) > limit):
            if not isinstance(value, str):
                raise UserError(self.env._("%(label)s must be a text.", label=label))
            raise UserError(self.env._(
                "%(label)s is too long: at most %(limit)s characters (it has %(length)s).",
                label=label, limit=limit, length=len(value)))
        return value

    @api.model
    def _check_bool(self, value, name):
        if not isinstance(value, bool):
            raise UserError(self.env._(
                "%(name)s must be true or false, not %(value)s.", name=name, value=repr(value)))
        return value

    # -- values --------------------------------------------------------------------------------
    @api.model
    def _date(self, value):
        """An ISO date string, or False (XML-RPC has no None)."""
        return fields.Date.to_string(value) if value else False

    @api.model
    def _states(self, partners, company, day):
        """{commercial partner id: (dossier values, receivables Balance)} of `partners` in
        `company` evaluated on `day` (the follow-up rules of the daily refresh, on the lines open
        now), written nowhere: the computation the console, the dashboard and the analysis share."""
        return self.env["late.payment.measure"]._states(partners, company, day)

    @api.model
    def _aged(self, balance, currency):
        """The aged balance as a list in age order (not due, 1-30, 31-60, 61-90, over 90 days)."""
        labels = dict(self.env["late.payment.receivable.report"]._fields["bucket"]._description_selection(self.env))
        return [{"bucket": code, "label": labels[code], "amount": currency.round(float(amount)),
                 "count": balance.counts[code]}
                for code, amount in balance.aged()]

    @api.model
    def _settlements(self, partners, company):
        """{commercial partner id: {'promise': {date, amount} or False, 'plan': state or False}}
        (the open promise to pay and the instalment plan)."""
        found = self.env["late.payment.dossier"].sudo()._settlement_status(partners, company) or {}
        result = {}
        for partner in partners:
            entry = found.get(partner.id) or {}
            promise = entry.get("promise")
            result[partner.id] = {
                "promise": {"date": promise["date"], "amount": promise["amount"]} if promise else False,
                "plan": entry.get("plan") or False,
            }
        return result

    @api.model
    def _status(self, partners, day):
        """What `res.partner.late_payment_status` returns for `partners` (checked)."""
        company = self.env.company
        commercial = partners.sudo().commercial_partner_id
        states = self._states(commercial, company, day)
        settlements = self._settlements(commercial, company)
        expected = self.env["late.payment.dossier"].sudo()._expected_invoices(commercial, company)
        dossiers = self.env["late.payment.dossier"].sudo().search_fetch(
            [("company_id", "=", company.id), ("partner_id", "in", commercial.ids)],
            ["partner_id", "risk_score", "risk_date", "risk_class_id", "risk_factor_ids"])
        by_partner = {dossier.partner_id.id: dossier for dossier in dossiers}
        levels = self.env["late.payment.level"].sudo().browse(
            {vals[key] for vals, _balance in states.values() for key in ("level_id", "next_level_id") if vals[key]})
        statuses = dict(self.env["late.payment.dossier"]._fields["status"]._description_selection(self.env))
        result = []
        for partner in partners:
            customer = partner.sudo().commercial_partner_id
            vals, balance = states[customer.id]
            dossier = by_partner.get(customer.id)
            level = levels.browse(vals["level_id"] or ())
            next_level = levels.browse(vals["next_level_id"] or ())
            result.append({
                "id": partner.id,
                "name": customer.name,
                "company": company.name,
                "currency": company.currency_id.name,
                "amount_due": vals["amount_due"],
                "amount_overdue": vals["amount_overdue"],
                "amount_excluded": vals["amount_excluded"],
                "credit_left": company.currency_id.round(float(balance.credit_left)),
                "aged": self._aged(balance, company.currency_id),
                "oldest_overdue_days": vals["oldest_overdue_days"],
                "status": vals["status"],
                "status_label": statuses.get(vals["status"], vals["status"]),
                "level": level.name or False,
                "next_action": next_level.name or False,
                "next_action_date": self._date(vals["next_action_date"]),
                "risk_score": dossier.risk_score if dossier and dossier.risk_date else False,
                "risk_class": (dossier.risk_class_id.name or False) if dossier else False,
                "risk_factors": [
                    {"code": factor.code, "name": factor.name,
                     "value": round(factor.value, 2) if factor.has_value else False,
                     "points": factor.points, "weight": factor.weight}
                    for factor in (dossier.risk_factor_ids if dossier else ())
                ],
                **settlements[customer.id],
                "open_invoices": expected.get(customer.id, []),
            })
        return result

    @api.model
    def _run(self, partners, dry_run):
        """What `res.partner.late_payment_run` returns for `partners` (checked): the reminders
        sent now, or those that would be, through the one send path."""
        company = self.env.company
        commercial = partners.sudo().commercial_partner_id
        dossiers = self.env["late.payment.dossier"].sudo().search(
            [("company_id", "=", company.id), ("partner_id", "in", commercial.ids)])
        sent = self.env["late.payment.reminder"]._send(dossiers.with_env(self.env), origin="api",
                                                                     dry_run=dry_run)
        if dry_run:
            return [self._plan_values(plan) for plan in sent]
        return [self._reminder_values(reminder) for reminder in sent.sudo()]

    @api.model
    def _channels(self, channels):
        return [channel for channel in CHANNEL_FIELDS if channel in channels]

    @api.model
    def _plan_values(self, plan):
        lines = plan["lines"]
        return {
            "reminder_id": False,
            "customer_id": plan["partner"].id,
            "customer": plan["partner"].name,
            "level": plan["level"].name,
            "channels": self._channels(plan["channels"]),
            "result": "dry_run",
            "currency": plan["company"].currency_id.name,
            "amount": plan["company"].currency_id.round(plan["amount"]),
            "invoices": [
                {"id": line.move_id.id, "name": line.move_id.name,
                 "due_date": self._date(line.date_maturity),
                 "days_late": (plan["today"] - line.date_maturity).days if line.date_maturity else 0,
                 "amount_residual": line.amount_residual,
                 "level": line.late_payment_next_level_id.name}
                for line in lines
            ],
        }

    @api.model
    def _reminder_values(self, reminder):
        return {
            "reminder_id": reminder.id,
            "customer_id": reminder.partner_id.id,
            "customer": reminder.partner_id.name,
            "level": reminder.level_id.name,
            "channels": [channel for channel, fname in CHANNEL_FIELDS.items() if reminder[fname]],
            "result": reminder.result,
            "currency": reminder.currency_id.name,
            "amount": reminder.amount_total,
            "invoices": [
                {"id": line.move_id.id, "name": line.move_id.name,
                 "due_date": self._date(line.date_maturity),
                 "days_late": line.days_late,
                 "amount_residual": line.amount_residual,
                 "level": line.level_id.name}
                for line in reminder.line_ids
            ],
        }
