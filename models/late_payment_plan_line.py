from odoo import api, fields, models
from odoo.tools import format_date

LINE_STATES = [
    ("to_pay", "To pay"),
    ("late", "Late"),
    ("missed", "Missed"),
    ("paid", "Paid"),
]


class LatePaymentPlanLine(models.Model):
    """One instalment of a payment plan: its date and amount, and what paid it (the payments
    of the plan's invoices, allocated to the instalments oldest first)."""

    _name = "late.payment.plan.line"
    _description = "Instalment"
    _order = "plan_id, date, sequence, id"

    plan_id = fields.Many2one("late.payment.plan", required=True, index=True, ondelete="cascade")
    partner_id = fields.Many2one(related="plan_id.partner_id", store=True)
    company_id = fields.Many2one(related="plan_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="plan_id.currency_id")
    sequence = fields.Integer(string="No.", required=True)
    date = fields.Date(string="Due on", required=True)
    amount = fields.Monetary(required=True)
    down_payment = fields.Boolean(string="Down payment")
    amount_paid = fields.Monetary(string="Paid", readonly=True)
    amount_left = fields.Monetary(string="Left to pay", compute="_compute_amount_left")
    paid_date = fields.Date(string="Paid on", readonly=True)
    payment_allocation = fields.Json(
        readonly=True, help="The payments allocated to this instalment: [ISO date, amount, reference].")
    payment_note = fields.Text(string="Paid by", compute="_compute_payment_note",
                               help="The payments allocated to this instalment.")
    state = fields.Selection(LINE_STATES, required=True, default="to_pay", readonly=True)
    reminded_before = fields.Boolean(string="Reminded before", readonly=True)
    reminded_after = fields.Boolean(string="Reminded after", readonly=True)

    @api.depends("payment_allocation", "currency_id")
    @api.depends_context("lang")
    def _compute_payment_note(self):
        """The allocated payments, in the reader's language (amounts and dates formatted for it)."""
        for line in self:
            line.payment_note = "\n".join(
                self.env._("%(amount)s on %(date)s %(ref)s", amount=line.currency_id.format(amount),
                           date=format_date(self.env, fields.Date.to_date(day)), ref=ref or "").strip()
                for day, amount, ref in line.payment_allocation or []) or False

    def _compute_amount_left(self):
        for line in self:
            line.amount_left = line.amount - line.amount_paid
