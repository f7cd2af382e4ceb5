from odoo import api, fields, models

from ..models.late_payment_promise import SETTLED_INVOICES_DOMAIN


class LatePaymentPromiseWizard(models.TransientModel):
    """Record a promise to pay (from the console or the customer): it calls
    res.partner.late_payment_promise, the method the API calls too."""

    _name = "late.payment.promise.wizard"
    _description = "Record a promise to pay"

    partner_id = fields.Many2one("res.partner", string="Customer", required=True, readonly=True)
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company, readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    move_ids = fields.Many2many(
        "account.move", string="Invoices",
        domain=SETTLED_INVOICES_DOMAIN,
        help="The invoices the promise covers; empty: every overdue invoice.")
    date = fields.Date(string="Promised date", required=True)
    amount = fields.Monetary(string="Promised amount", required=True)
    note = fields.Text()
    amount_from_call = fields.Boolean(
        string="Amount said on the phone",
        help="The amount was said on the phone (the logged call): the invoices chosen by default keep it.")

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        partner = self.env["res.partner"].browse(values.get("partner_id"))
        if partner:
            today = fields.Date.context_today(self)
            overdue = self.env["account.move"].search([
                ("commercial_partner_id", "=", partner.id), ("company_id", "=", self.env.company.id),
                ("state", "=", "posted"), ("move_type", "in", ("out_invoice", "out_receipt")),
                ("payment_state", "in", ("not_paid", "partial")), ("invoice_date_due", "<", today),
                # a disputed invoice is not promised: it waits for the dispute's outcome
                ("late_payment_disputed", "=", False)])
            values.setdefault("move_ids", [fields.Command.set(overdue.ids)])
            values.setdefault("amount", sum(overdue.mapped("amount_residual_signed")))
        return values

    @api.onchange("move_ids")
    def _onchange_move_ids(self):
        if self.amount_from_call:  # the dialog opens: the amount said on the phone stays
            self.amount_from_call = False
            return
        if self.move_ids:
            self.amount = sum(self.move_ids.mapped("amount_residual_signed"))

    def action_confirm(self):
        self.ensure_one()
        self.partner_id.with_company(self.company_id).late_payment_promise(
            self.date, self.amount, self.move_ids.ids or None, self.note)
        return {"type": "ir.actions.act_window_close"}
