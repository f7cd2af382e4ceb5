from odoo import api, fields, models
from odoo.fields import Command


class LatePaymentExcludeWizard(models.TransientModel):
    """Leave open items of a customer out of the follow-up, with the reason."""

    _name = "late.payment.exclude.wizard"
    _description = "Leave invoices out of the follow-up"

    dossier_id = fields.Many2one("late.payment.dossier", string="Customer", required=True)
    available_line_ids = fields.Many2many(
        "account.move.line", "late_payment_exclude_wizard_available_rel", string="Open items to choose from",
        compute="_compute_available_line_ids")
    line_ids = fields.Many2many(
        "account.move.line", string="Open items", required=True, domain="[('id', 'in', available_line_ids)]")
    reason = fields.Char(required=True, help="Shown on the invoice.")

    @api.model
    def default_get(self, fields_list):
        result = super().default_get(fields_list)
        context = self.env.context
        if context.get("active_model") == "late.payment.dossier" and context.get("active_ids"):
            result["dossier_id"] = context["active_ids"][0]
        return result

    @api.depends("dossier_id")
    def _compute_available_line_ids(self):
        for wizard in self:
            lines = wizard.dossier_id.line_ids.filtered(lambda line: line.amount_residual > 0 and not line.no_followup)
            wizard.available_line_ids = [Command.set(lines.ids)]

    def action_confirm(self):
        self.ensure_one()
        self.dossier_id._exclude_lines(self.line_ids, self.reason)
        return {"type": "ir.actions.act_window_close"}
