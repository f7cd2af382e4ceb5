from datetime import timedelta

from odoo import api, fields, models
from odoo.fields import Command


class LatePaymentPostponeWizard(models.TransientModel):
    """Postpone the follow-up of customers to a date: no reminder before it."""

    _name = "late.payment.postpone.wizard"
    _description = "Postpone a follow-up"

    dossier_ids = fields.Many2many("late.payment.dossier", string="Customers", required=True)
    date = fields.Date(string="Postpone to", required=True,
                       default=lambda self: fields.Date.context_today(self) + timedelta(days=7))
    reason = fields.Text()

    @api.model
    def default_get(self, fields_list):
        result = super().default_get(fields_list)
        context = self.env.context
        if context.get("active_model") == "late.payment.dossier" and "dossier_ids" in fields_list:
            result["dossier_ids"] = [Command.set(context.get("active_ids") or [])]
        return result

    def action_confirm(self):
        self.ensure_one()
        self.dossier_ids._late_payment_postpone(self.date, self.reason)
        return {"type": "ir.actions.act_window_close"}
