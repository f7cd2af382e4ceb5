from odoo import models


class MailThread(models.AbstractModel):
    """Replies to reminder emails go to the customer's follow-up in the reminder's company (see
    models/late_payment_dossier_replies.py)."""

    _inherit = "mail.thread"

    def _message_route_process(self, message, message_dict, routes):
        dossiers = self.env["late.payment.dossier"]
        routes, reminders = dossiers._reply_routes(message_dict, routes)
        thread_id = super()._message_route_process(message, message_dict, routes)
        if reminders:
            dossiers._reply_received(reminders, message, message_dict)
        return thread_id
