from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

from .access import USER_GROUP, check_group, check_records
from .late_payment_api import SHORT_TEXT_MAX
from .late_payment_promise import SETTLED_TYPES

DISPUTE_STATES = [
    ("open", "Open"),
    ("resolved", "Resolved"),
]
# the reasons offered in the screens (the API passes its own text)
DISPUTE_REASONS = [
    ("quality", "Goods or service not as ordered"),
    ("delivery", "Not delivered or delivered damaged"),
    ("price", "Wrong price or quantity"),
    ("paid", "Customer says it is paid"),
    ("other", "Other"),
]


class LatePaymentDispute(models.Model):
    """An invoice the customer disputes: it leaves the follow-up while the dispute is open (and
    bears no late interest then, when the company says so); resolving it puts the invoice back
    where it was (its levels are kept)."""

    _name = "late.payment.dispute"
    _description = "Disputed invoice"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "state, date_opened desc, id desc"
    _check_company_auto = True

    move_id = fields.Many2one(
        "account.move", string="Invoice", required=True, index=True, readonly=True, ondelete="cascade",
        check_company=True)
    partner_id = fields.Many2one(
        "res.partner", string="Customer", related="move_id.commercial_partner_id", store=True, index=True)
    company_id = fields.Many2one(related="move_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="move_id.currency_id")
    amount_residual = fields.Monetary(related="move_id.amount_residual", string="Left to pay")
    invoice_date_due = fields.Date(related="move_id.invoice_date_due", string="Due date")
    reason = fields.Char(required=True, tracking=True)
    note = fields.Text(tracking=True)
    state = fields.Selection(DISPUTE_STATES, required=True, default="open", readonly=True, index=True, tracking=True)
    date_opened = fields.Date(string="Opened on", required=True, readonly=True, default=fields.Date.context_today)
    date_resolved = fields.Date(string="Resolved on", readonly=True)
    user_id = fields.Many2one("res.users", string="Recorded by", readonly=True, default=lambda self: self.env.user)

    _one_open_per_invoice = models.UniqueIndex(
        "(move_id) WHERE state = 'open'", "An invoice has one open dispute at a time.")

    @api.depends("move_id", "reason")
    def _compute_display_name(self):
        for dispute in self:
            dispute.display_name = f"{dispute.move_id.name or ''}: {dispute.reason or ''}"

    @api.model
    def _open(self, moves, reason, note=None):
        """Dispute `moves` (posted customer invoices of the companies of the user); returns the
        disputes. Validates everything before changing anything."""
        env = self.env
        reason = (reason or "").strip() if isinstance(reason, str) else reason
        if not reason or not isinstance(reason, str):
            raise UserError(env._("A dispute needs a reason."))
        env["late.payment.api"]._check_text(reason, env._("The reason"), SHORT_TEXT_MAX)
        env["late.payment.api"]._check_text(note, env._("The note"))
        if not moves:
            raise UserError(env._("Choose the invoices to dispute."))
        wrong = moves.filtered(lambda m: m.move_type not in SETTLED_TYPES or m.state != "posted")
        if wrong:
            raise UserError(env._("Only posted customer invoices can be disputed, not: %(moves)s.",
                                  moves=", ".join(wrong.mapped("display_name"))))
        other = moves.filtered(lambda m: m.company_id not in env.companies)
        if other:
            raise UserError(env._("These invoices belong to another company: %(moves)s.",
                                  moves=", ".join(other.mapped("name"))))
        already = moves.filtered("late_payment_disputed")
        if already:
            raise UserError(env._("These invoices are already disputed: %(moves)s.",
                                  moves=", ".join(already.mapped("name"))))
        disputes = self.create([{"move_id": move.id, "reason": reason, "note": note or False} for move in moves])
        for dispute in disputes:
            body = env._("Invoice disputed: %(reason)s", reason=dispute.reason)
            dispute.move_id._message_log(body=body)
            dispute.partner_id.sudo()._message_log(body=env._(
                "%(invoice)s disputed: %(reason)s", invoice=dispute.move_id.name, reason=dispute.reason))
        disputes._refresh()
        return disputes

    def action_resolve(self):
        check_group(self.env, USER_GROUP,
                    self.env._("Only the late payment users may work the follow-up."))
        check_records(self, "write")
        opened = self.filtered(lambda d: d.state == "open")
        if not opened:
            raise UserError(self.env._("There is no open dispute to resolve."))
        opened.write({"state": "resolved", "date_resolved": fields.Date.context_today(self)})
        for dispute in opened:
            dispute.move_id._message_log(body=self.env._("Dispute resolved: the invoice is followed up again."))
        opened._refresh()
        return True

    def _refresh(self):
        self.move_id.invalidate_recordset(["late_payment_disputed"])
        self.env["account.move"].flush_model()
        for company, disputes in self.grouped("company_id").items():
            self.env["late.payment.dossier"]._refresh(partners=disputes.partner_id, company=company)

    def action_open_invoice(self):
        self.ensure_one()
        check_records(self, "read")
        return {"type": "ir.actions.act_window", "res_model": "account.move", "res_id": self.move_id.id,
                "view_mode": "form"}

    @api.model
    def _excluded_periods(self, moves):
        """{move id: ((first day disputed, last day disputed or None while open), ...)} of
        `moves`: from the day it was opened to the day before it was resolved."""
        periods = {}
        for dispute in self.search_fetch([("move_id", "in", moves.ids)], ["move_id", "date_opened", "date_resolved"],
                                         order="date_opened, id"):
            last = dispute.date_resolved - timedelta(days=1) if dispute.date_resolved else None
            periods.setdefault(dispute.move_id.id, []).append((dispute.date_opened, last))
        return {key: tuple(value) for key, value in periods.items()}
