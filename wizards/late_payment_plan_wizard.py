from datetime import timedelta
from decimal import Decimal

from markupsafe import Markup

from odoo import api, fields, models

from ..engine import settlement
from ..models.lang import format_day
from ..models.late_payment_plan import FREQUENCIES
from ..models.late_payment_promise import SETTLED_INVOICES_DOMAIN


class LatePaymentPlanWizard(models.TransientModel):
    """Build an instalment plan from a customer's overdue invoices; the schedule is previewed,
    and the plan is made by late.payment.plan._create_plan."""

    _name = "late.payment.plan.wizard"
    _description = "Build a payment plan"

    partner_id = fields.Many2one("res.partner", string="Customer", required=True, readonly=True)
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company, readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    move_ids = fields.Many2many(
        "account.move", string="Invoices", required=True,
        domain=SETTLED_INVOICES_DOMAIN)
    amount_total = fields.Monetary(string="Total", compute="_compute_preview")
    instalment_count = fields.Integer(string="Number of instalments", required=True, default=3)
    first_date = fields.Date(string="First instalment", required=True,
                             default=lambda self: fields.Date.context_today(self) + timedelta(days=30))
    frequency = fields.Selection(FREQUENCIES, required=True, default=settlement.MONTHLY)
    down_payment = fields.Monetary()
    down_payment_date = fields.Date(default=fields.Date.context_today)
    waive_penalties = fields.Boolean(
        string="Waive the penalties if the plan is kept",
        help="When every instalment is paid, the late interest and recovery indemnity of the invoices are waived.")
    note = fields.Text()
    preview = fields.Html(compute="_compute_preview", sanitize=False)

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        partner = self.env["res.partner"].browse(values.get("partner_id"))
        if partner and "move_ids" not in values:
            overdue = self.env["account.move"].search([
                ("commercial_partner_id", "=", partner.id), ("company_id", "=", self.env.company.id),
                ("state", "=", "posted"), ("move_type", "in", ("out_invoice", "out_receipt")),
                ("payment_state", "in", ("not_paid", "partial")),
                ("invoice_date_due", "<", fields.Date.context_today(self))])
            values["move_ids"] = [fields.Command.set(overdue.ids)]
        return values

    @api.depends("move_ids", "instalment_count", "first_date", "frequency", "down_payment", "down_payment_date")
    def _compute_preview(self):
        for wizard in self:
            total = sum(wizard.move_ids.mapped("amount_residual_signed"))
            wizard.amount_total = total
            try:
                schedule = settlement.build_schedule(
                    Decimal(str(total)), wizard.instalment_count, wizard.first_date, wizard.frequency,
                    Decimal(str(wizard.down_payment or 0)), wizard.down_payment_date,
                    wizard.currency_id.decimal_places)
            except (ValueError, TypeError):
                wizard.preview = False
                continue
            rows = Markup("").join(
                Markup("<tr><td>%s</td><td>%s</td><td class='text-end'>%s</td></tr>") % (
                    inst.sequence, format_day(self.env, inst.date), wizard.currency_id.format(float(inst.amount)))
                for inst in schedule)
            wizard.preview = Markup("<table class='table table-sm'><thead><tr><th>%s</th><th>%s</th>"
                                    "<th class='text-end'>%s</th></tr></thead><tbody>%s</tbody></table>") % (
                self.env._("No."), self.env._("Due on"), self.env._("Amount"), rows)

    def action_confirm(self):
        self.ensure_one()
        plan = self.env["late.payment.plan"]._create_plan(
            self.partner_id, self.move_ids.ids, self.instalment_count, self.first_date, self.frequency,
            self.down_payment, self.down_payment_date if self.down_payment else None, self.waive_penalties,
            self.note, company=self.company_id)
        return {"type": "ir.actions.act_window", "res_model": "late.payment.plan", "res_id": plan.id,
                "view_mode": "form"}
