from datetime import timedelta

from odoo import fields, models


class LatePaymentPostponeWizard(models.TransientModel):
    """Postpone the follow-up of customers to a date: no reminder before it."""

    _name = "late.payment.postpone.wizard"
    _description = "Postpone a follow-up"

    dossier_ids = fields.Many2many(
        "late.payment.dossier", string="Customers", required=True,
        default=lambda self: self.env["late.payment.dossier"]._active_dossiers())
    date = fields.Date(string="Postpone to", required=True,
                       default=lambda self: fields.Date.context_today(self) + timedelta(days=7))
    reason = fields.Text()

    def action_confirm(self):
        self.ensure_one()
        # the dossiers as given (not only those the caller sees): postponing checks the caller's access
        self.sudo().dossier_ids.with_env(self.env)._postpone(self.date, self.reason)
        return {"type": "ir.actions.act_window_close"}
