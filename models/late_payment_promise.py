import math

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from ..engine import settlement
from .access import USER_GROUP, check_group, check_records
from .lang import format_day

PROMISE_STATES = [
    ("open", "Open"),
    ("kept", "Kept"),
    ("broken", "Broken"),
    ("cancelled", "Cancelled"),
]
# customer documents that can be promised, disputed or put in a plan
SETTLED_TYPES = ("out_invoice", "out_receipt")
# the wizards' choice of them: the customer's posted, unpaid ones in the company
SETTLED_INVOICES_DOMAIN = (
    "[('commercial_partner_id', '=', partner_id), ('company_id', '=', company_id), "
    "('state', '=', 'posted'), ('move_type', 'in', ('out_invoice', 'out_receipt')), "
    "('payment_state', 'in', ('not_paid', 'partial'))]")


def parse_amount(env, value, label):
    # a number, not a text that looks like one (the external API passes JSON values as they are)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise UserError(env._("%(label)s must be a number, not %(value)r.", label=label, value=value))
    amount = float(value)
    if not math.isfinite(amount):
        raise UserError(env._("%(label)s must be a number, not %(value)r.", label=label, value=value))
    if amount <= 0:
        raise UserError(env._("%(label)s must be greater than zero.", label=label))
    return env["late.payment.api"]._check_amount_range(amount, label)


def check_company(env, company, partner):
    """The caller, a late payment user who sees `partner`, works in `company` (one of the
    companies of its session): a promise or a plan is recorded there only."""
    if not env.su and company not in env.companies:
        raise AccessError(env._("You cannot record it in %(company)s: it is not among the companies you are "
                                "working in.", company=company.name))
    check_group(env, USER_GROUP,
                env._("Only the late payment users may record promises and payment plans."))
    check_records(partner, "read")


def lock_customer(env, partner):
    """Lock `partner` (a commercial partner) for the rest of the transaction before a promise or
    a plan is recorded for it: a second transaction recording one for the same customer at the
    same time is refused by PostgreSQL (a lock it cannot take, or a row changed since its
    snapshot), and Odoo runs it again, when it sees the first one's promise or plan."""
    env.cr.execute(SQL("SELECT id FROM res_partner WHERE id = %s FOR NO KEY UPDATE NOWAIT", partner.id))
    # a row version of its own: a transaction that began before this one commits cannot lock it
    env.cr.execute(SQL("UPDATE res_partner SET write_date = write_date WHERE id = %s", partner.id))


def check_customer_invoices(env, partner, company, invoice_ids, overdue_default=False):
    """The posted customer invoices `invoice_ids` of `partner` (commercial) in `company`, still
    to pay; with no ids and `overdue_default`, its overdue ones. UserError on anything else."""
    moves = env["account.move"]
    if invoice_ids:
        if isinstance(invoice_ids, int):
            invoice_ids = [invoice_ids]
        try:
            ids = [int(i) for i in invoice_ids]
        except (TypeError, ValueError):
            raise UserError(env._("Invoice ids must be integers, not %(value)r.", value=invoice_ids)) from None
        # unknown ids and another company's invoices (they do not exist for the caller): one
        # error naming them, as for every argument of the external API
        moves = env["late.payment.api"]._check_records(moves.browse(ids))
        wrong = moves.filtered(lambda m: m.move_type not in SETTLED_TYPES or m.state != "posted")
        if wrong:
            raise UserError(env._("Only posted customer invoices can be settled, not: %(moves)s.",
                                  moves=", ".join(wrong.mapped("display_name"))))
        other = moves.filtered(lambda m: m.commercial_partner_id != partner or m.company_id != company)
        if other:
            raise UserError(env._(
                "These invoices are not invoices of %(customer)s in %(company)s: %(moves)s.",
                customer=partner.display_name, company=company.name, moves=", ".join(other.mapped("name"))))
        paid = moves.filtered(lambda m: m.currency_id.is_zero(m.amount_residual))
        if paid:
            raise UserError(env._("These invoices are already paid: %(moves)s.", moves=", ".join(paid.mapped("name"))))
        return moves
    if not overdue_default:
        return moves
    today = fields.Date.context_today(env["account.move"])
    moves = moves.search([
        ("commercial_partner_id", "=", partner.id), ("company_id", "=", company.id),
        ("move_type", "in", SETTLED_TYPES), ("state", "=", "posted"),
        ("payment_state", "in", ("not_paid", "partial")), ("invoice_date_due", "<", today),
    ], order="invoice_date_due, id")
    if not moves:
        raise UserError(env._("%(customer)s has no overdue invoice in %(company)s.",
                              customer=partner.display_name, company=company.name))
    return moves


class LatePaymentPromise(models.Model):
    """A promise to pay: the customer said it would pay `amount` by `date` for some or all of
    its overdue invoices. Their reminders pause until that date; the promise keeps itself when the
    amount arrives, and breaks when the date passes without it (engine/settlement.py)."""

    _name = "late.payment.promise"
    _description = "Promise to pay"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date desc, id desc"
    _check_company_auto = True

    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, index=True, readonly=True, ondelete="cascade")
    company_id = fields.Many2one(
        "res.company", required=True, index=True, readonly=True, default=lambda self: self.env.company)
    currency_id = fields.Many2one(related="company_id.currency_id", store=True)
    date = fields.Date(string="Promised date", required=True, readonly=True, tracking=True)
    amount = fields.Monetary(string="Promised amount", required=True, readonly=True, tracking=True)
    move_ids = fields.Many2many(
        "account.move", "late_payment_promise_move_rel", "promise_id", "move_id", string="Invoices",
        readonly=True, check_company=True)
    amount_base = fields.Monetary(
        string="Due when promised", readonly=True,
        help="What was left to pay on the invoices of the promise when it was made.")
    amount_received = fields.Monetary(
        string="Received", readonly=True,
        help="What the invoices of the promise received since it was made (payments, credit notes).")
    note = fields.Text()
    state = fields.Selection(PROMISE_STATES, required=True, default="open", readonly=True, index=True, tracking=True)
    closed_date = fields.Date(string="Closed on", readonly=True)
    last_check_date = fields.Date(
        string="Checked on", readonly=True, copy=False,
        help="The last day the daily settlement check processed it (or skipped it after a failure).")
    user_id = fields.Many2one("res.users", string="Recorded by", readonly=True, default=lambda self: self.env.user)

    @api.depends("partner_id", "date", "amount")
    def _compute_display_name(self):
        for promise in self:
            promise.display_name = self.env._(
                "%(customer)s: %(amount)s by %(date)s", customer=promise.partner_id.name or "",
                amount=promise.currency_id.format(promise.amount) if promise.currency_id else promise.amount,
                date=format_day(self.env, promise.date))

    # -- creation: the one way in (console, customer form, API) --------------------------------
    @api.model
    def _record(self, partner, date_value, amount, invoice_ids=None, note=None, company=None):
        """Record a promise of `partner` (its commercial partner) in `company` (default: the
        current one); an open promise it replaces is cancelled. Validates everything first."""
        env = self.env
        company = company or env.company
        if len(partner) != 1:
            raise UserError(env._("A promise to pay is made by one customer."))
        partner = partner.commercial_partner_id
        check_company(env, company, partner)
        env["late.payment.api"]._check_text(note, env._("The note"))
        promised = env["late.payment.api"]._late_payment_check_date(date_value, env._("The promised date"))
        if promised < fields.Date.context_today(self):
            raise UserError(env._("The promised date cannot be in the past."))
        amount = parse_amount(env, amount, env._("The promised amount"))
        moves = check_customer_invoices(env, partner, company, invoice_ids, overdue_default=True)
        base = sum(moves.mapped("amount_residual_signed"))
        if company.currency_id.compare_amounts(amount, base) > 0:
            raise UserError(env._(
                "The promised amount (%(amount)s) is more than what is left to pay on its invoices (%(due)s).",
                amount=company.currency_id.format(amount), due=company.currency_id.format(base)))
        lock_customer(env, partner)
        previous = self.search([("partner_id", "=", partner.id), ("company_id", "=", company.id),
                                ("state", "=", "open")])
        previous.write({"state": "cancelled", "closed_date": fields.Date.context_today(self)})
        promise = self.create({
            "partner_id": partner.id, "company_id": company.id, "date": promised, "amount": amount,
            "move_ids": [fields.Command.set(moves.ids)], "amount_base": base, "note": note or False,
        })
        body = env._("Promise to pay %(amount)s by %(date)s recorded (%(invoices)s).",
                     amount=company.currency_id.format(amount), date=format_day(env, promised),
                     invoices=", ".join(moves.mapped("name")))
        promise._log(body)
        env["late.payment.dossier"]._refresh(partners=partner, company=company, ensure=True)
        return promise

    def _log(self, body):
        """The history: on the promise, on the customer and on its dossier."""
        for promise in self:
            promise.message_post(body=body)
            promise.partner_id.sudo()._message_log(body=body)

    def action_cancel(self):
        check_group(self.env, USER_GROUP,
                    self.env._("Only the late payment users may work the follow-up."))
        check_records(self, "write")
        opened = self.filtered(lambda p: p.state == "open")
        opened.write({"state": "cancelled", "closed_date": fields.Date.context_today(self)})
        opened._log(self.env._("Promise to pay cancelled."))
        for company, promises in opened.grouped("company_id").items():
            self.env["late.payment.dossier"]._refresh(partners=promises.partner_id, company=company)
        return True

    # -- the daily check ---------------------------------------------------------------------
    def _late_payment_check(self, today=None):
        """Keep or break the open promises of `self` (set-based): received is what their
        invoices lost of their residual since; a broken one asks the responsible to act."""
        today = today or fields.Date.context_today(self)
        promises = self.filtered(lambda p: p.state == "open")
        if not promises:
            return {}
        promises.move_ids.fetch(["amount_residual_signed"])
        changed = {}
        for promise in promises:
            residual = sum(promise.move_ids.mapped("amount_residual_signed"))
            received = max(promise.amount_base - residual, 0.0)
            state = settlement.promise_state(promise.date, promise.amount, received, today,
                                             promise.currency_id.decimal_places)
            vals = {}
            if promise.currency_id.compare_amounts(received, promise.amount_received):
                vals["amount_received"] = received
            if state != promise.state:
                vals.update(state=state, closed_date=today)
                changed[promise] = state
            if vals:
                promise.write(vals)
        kept = [p for p, s in changed.items() if s == settlement.KEPT]
        broken = [p for p, s in changed.items() if s == settlement.BROKEN]
        for promise in kept:
            promise._log(self.env._(
                "Promise to pay kept: %(amount)s received.",
                amount=promise.currency_id.format(promise.amount_received)))
        dossier_model = self.env["late.payment.dossier"].sudo()
        for promise in broken:
            promise._log(self.env._(
                "Promise to pay broken: %(received)s received of %(amount)s promised by %(date)s; the follow-up "
                "resumes.", received=promise.currency_id.format(promise.amount_received),
                amount=promise.currency_id.format(promise.amount), date=format_day(self.env, promise.date)))
        touched = self.browse([p.id for p in changed])
        for company, group in touched.grouped("company_id").items():
            dossiers = dossier_model._refresh(partners=group.partner_id, company=company, ensure=True)
            by_partner = {d.partner_id.id: d for d in dossiers}
            for promise in group.filtered(lambda p: p.state == "broken"):
                dossier = by_partner.get(promise.partner_id.id)
                if dossier:
                    dossier._settlement_activity(self.env._(
                        "Broken promise to pay of %(customer)s", customer=promise.partner_id.name))
        return changed
