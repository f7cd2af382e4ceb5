from odoo import api, fields, models


class LatePaymentFormalNoticeWizard(models.TransientModel):
    """Record the proof of a formal notice: its registered-mail number and the day it was received."""

    _name = "late.payment.formal.notice.wizard"
    _description = "Proof of a formal notice"

    dossier_id = fields.Many2one("late.payment.dossier", string="Customer", required=True)
    reference = fields.Char(string="Registered-mail number", required=True)
    received_date = fields.Date(string="Received on", help="The date on the acknowledgement of receipt.")

    @api.model
    def default_get(self, fields_list):
        result = super().default_get(fields_list)
        context = self.env.context
        if context.get("active_model") == "late.payment.dossier" and context.get("active_ids"):
            dossier = self.env["late.payment.dossier"].browse(context["active_ids"][0])
            result.update({"dossier_id": dossier.id, "reference": dossier.formal_notice_reference,
                           "received_date": dossier.formal_notice_received_date})
        return result

    def action_confirm(self):
        self.ensure_one()
        self.dossier_id._record_formal_notice(self.reference, self.received_date)
        return {"type": "ir.actions.act_window_close"}
