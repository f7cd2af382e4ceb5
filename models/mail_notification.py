from odoo import models

# the delivery statuses of an email that the reminders follow
FOLLOWED_STATUSES = ("bounce", "exception", "sent")


class MailNotification(models.Model):
    _inherit = "mail.notification"

    def write(self, vals):
        result = super().write(vals)
        status = vals.get("notification_status")
        if status in FOLLOWED_STATUSES:
            emails = self.filtered(lambda notification: notification.notification_type == "email")
            if emails:
                self.env["late.payment.reminder"]._email_status(emails.mail_message_id, status)
        return result
