from odoo import fields, models

from ..engine import call_notes

OUTCOMES = [
    ("promised", "Promised to pay"),
    ("will_pay", "Payment already sent"),
    ("dispute", "Disputes the invoice"),
    ("no_answer", "No answer"),
    ("call_back", "Call back later"),
    ("wrong_number", "Wrong number"),
]


class LatePaymentCallWizard(models.TransientModel):
    """Log a phone call with a customer and its outcome, on its follow-up. The outcome acts:
    "promised to pay" goes on to the promise dialog, filled from the call (the date and the
    amount typed in the note), "disputes" to the dispute dialog."""

    _name = "late.payment.call.wizard"
    _description = "Log a follow-up call"

    dossier_ids = fields.Many2many(
        "late.payment.dossier", string="Customers", required=True,
        default=lambda self: self.env["late.payment.dossier"]._active_dossiers())
    outcome = fields.Selection(OUTCOMES, required=True, default="no_answer")
    note = fields.Text(help="What was said. For a promise, the date and the amount written here (e.g. \"will pay "
                            "1 200 € on 15/12\") fill the promise.")

    def action_confirm(self):
        self.ensure_one()
        # the dossiers as given (not only those the caller sees): the call checks the caller's access
        self.sudo().dossier_ids.with_env(self.env)._log_call(self.outcome, self.note)
        if len(self.dossier_ids) == 1 and self.outcome == "promised":
            return self._promise_action()
        if len(self.dossier_ids) == 1 and self.outcome == "dispute":
            said = (self.note or "").strip()
            return self.env["late.payment.dispute.wizard"]._action({
                "default_partner_id": self.dossier_ids.partner_id.id,
                # the first line of the note is the reason the customer gave
                "default_reason": said.splitlines()[0][:200] if said else False,
                "default_note": said or False,
            })
        return {"type": "ir.actions.act_window_close"}

    def _promise_action(self):
        """The promise dialog of the call's customer, its date and amount read from the note."""
        dossier = self.dossier_ids
        said = call_notes.read_promise(self.note or "", fields.Date.context_today(self))
        action = dossier.action_promise()
        context = {**action.get("context", {}), "default_company_id": dossier.company_id.id,
                   "default_note": self.note or False}
        if said.date:
            context["default_date"] = fields.Date.to_string(said.date)
        if said.amount:
            context["default_amount"] = float(said.amount)
            context["default_amount_from_call"] = True
        return {**action, "context": context}
