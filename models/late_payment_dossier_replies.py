"""Replies to the reminder emails reach the accountant.

A reminder email is a message in the customer's chatter (res.partner, see
models/late_payment_reminder.py `_send_emails`): Odoo's mail gateway routes a reply
to it by its Message-Id (In-Reply-To, References) to that same record. The reply belongs to the
follow-up of the reminder's company, so its route is turned to the reminder's dossier (a
mail.thread, one per customer and company) before it is posted: the reply lands in that
follow-up, the reminder says it was replied to, and the dossier's responsible gets a task. An
automatic reply (out of office: engine/replies.py) is kept there too, but asks nobody to act.
"""

from odoo import api, fields, models
from odoo.tools import html2plaintext

from odoo.addons.account_late_payment.engine import replies, tracking


class LatePaymentDossier(models.Model):
    _inherit = "late.payment.dossier"

    @api.model
    def _reply_routes(self, message_dict, routes):
        """(routes, reminders): the gateway's `routes` of an incoming email with a reply to a
        reminder email turned to the reminder's dossier, and those reminders."""
        parent_id = message_dict.get("parent_id")
        reminders = self.env["late.payment.reminder"].sudo()
        if not parent_id or not routes:
            return routes, reminders.browse()
        reminder = reminders.search([("mail_message_id", "=", parent_id), ("dossier_id", "!=", False)], limit=1)
        if not reminder or not reminder.dossier_id.exists():
            return routes, reminders.browse()
        turned = []
        for model, thread_id, custom_values, user_id, alias in routes:
            if model == "res.partner" and thread_id == reminder.partner_id.id:
                turned.append((self._name, reminder.dossier_id.id, custom_values, user_id, alias))
            else:
                turned.append((model, thread_id, custom_values, user_id, alias))
        if turned == list(routes):
            return routes, reminders.browse()
        return turned, reminder

    @api.model
    def _reply_received(self, reminders, message, message_dict):
        """A reply to `reminders` was posted on their dossiers: the reminders were replied to
        and, unless a robot sent it, the responsible has a task."""
        automatic = replies.is_automatic(dict(message.items()))
        now = fields.Datetime.now()
        posted = self.env["mail.message"].sudo().search([
            ("message_id", "=", message_dict.get("message_id")), ("model", "=", self._name),
            ("res_id", "in", reminders.dossier_id.ids)], order="id desc")
        for reminder in reminders:
            dossier = reminder.dossier_id.sudo()
            reply = posted.filtered(lambda msg, dossier=dossier: msg.res_id == dossier.id)[:1]
            if not automatic:
                reminder._track(tracking.REPLIED, replied_on=now, reply_message_id=reply.id or False)
                dossier._reply_task(reminder, reply, message_dict)

    def _reply_task(self, reminder, reply, message_dict):
        """A task for the responsible of this dossier: the customer replied to `reminder`."""
        self.ensure_one()
        lang = self._responsible().lang or self.env.lang
        env = self.with_context(lang=lang).env
        summary = env._("%(customer)s replied to the reminder of %(date)s",
                        customer=self.partner_id.display_name, date=fields.Date.to_string(reminder.date))
        excerpt = html2plaintext(reply.body or message_dict.get("body") or "")[:500]
        self.activity_schedule(
            "mail.mail_activity_data_todo", date_deadline=fields.Date.context_today(self),
            user_id=self._responsible().id, summary=summary[:250],
            note=env._("From %(sender)s: %(excerpt)s", sender=message_dict.get("email_from") or "", excerpt=excerpt))
