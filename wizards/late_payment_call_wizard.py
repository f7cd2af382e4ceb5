from odoo import fields, models

OUTCOMES = [
    ("promised", "Promised to pay"),
    ("will_pay", "Payment already sent"),
    ("dispute", "Disputes the invoice"),
    ("no_answer", "No answer"),
    ("call_back", "Call back later"),
    ("wrong_number", "Wrong number"),
]


class LatePaymentCallWizard(models.TransientModel):
    """Log a phone call with a customer and its outcome, on its follow-up."""

    _name = "late.payment.call.wizard"
    _description = "Log a follow-up call"

    dossier_ids = fields.Many2many(
        "late.payment.dossier", string="Customers", required=True,
        default=lambda self: self.env["late.payment.dossier"]._late_payment_active_dossiers())
    outcome = fields.Selection(OUTCOMES, required=True, default="no_answer")
    note = fields.Text(help="What was said.")

    def action_confirm(self):
        self.ensure_one()
        # the dossiers as given (not only those the caller sees): the call checks the caller's access
        self.sudo().dossier_ids.with_env(self.env)._late_payment_log_call(self.outcome, self.note)
        return {"type": "ir.actions.act_window_close"}
