from odoo import fields, models


class LatePaymentReminderCancel(models.TransientModel):
    """Cancel reminders in the log, with the reason: they stay as they were sent."""

    _name = "late.payment.reminder.cancel.wizard"
    _description = "Cancel a reminder in the log"

    reminder_ids = fields.Many2many("late.payment.reminder", string="Reminders", required=True)
    reason = fields.Text(required=True)

    def action_confirm(self):
        self.ensure_one()
        # the reminders as given (not only those the caller sees): cancelling checks the caller's access
        self.sudo().reminder_ids.with_env(self.env)._cancel(self.reason)
        return {"type": "ir.actions.act_window_close"}
