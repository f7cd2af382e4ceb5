from odoo import api, fields, models

from ..models.late_payment_dispute import DISPUTE_REASONS


class LatePaymentDisputeWizard(models.TransientModel):
    """Dispute invoices (from the invoice, the console or a reply): it calls
    account.move.late_payment_dispute, the method the API calls too."""

    _name = "late.payment.dispute.wizard"
    _description = "Dispute invoices"

    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    move_ids = fields.Many2many(
        "account.move", string="Invoices", required=True,
        domain="[('state', '=', 'posted'), ('move_type', 'in', ('out_invoice', 'out_receipt')), "
               "('late_payment_disputed', '=', False), ('payment_state', 'in', ('not_paid', 'partial')), "
               "('commercial_partner_id', '=?', partner_id), ('company_id', 'in', allowed_company_ids)]")
    reason_code = fields.Selection(DISPUTE_REASONS, string="Common reason")
    reason = fields.Char(required=True)
    note = fields.Text()

    @api.model
    def _action(self, context):
        """The dialog that records a dispute, opened on the invoices or the customer `context`
        gives (default_move_ids, default_partner_id)."""
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Dispute"),
            "res_model": self._name,
            "view_mode": "form",
            "target": "new",
            "context": context,
        }

    @api.onchange("reason_code")
    def _onchange_reason_code(self):
        if self.reason_code and self.reason_code != "other":
            self.reason = dict(self._fields["reason_code"]._description_selection(self.env))[self.reason_code]

    def action_confirm(self):
        self.ensure_one()
        # the invoices as given (not only those the caller sees): disputing checks the caller's access
        self.sudo().move_ids.with_env(self.env).late_payment_dispute(self.reason, self.note)
        return {"type": "ir.actions.act_window_close"}
