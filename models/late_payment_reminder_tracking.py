"""What happened to each reminder once it went (the rules are in engine/tracking.py): delivered
or bounced (the email's delivery status from Odoo's mail queue, see models/mail_notification.py),
the customer's page opened from its link, paid from the page, replied to. The tracking is not
evidence (models/late_payment_reminder.py EVIDENCE_FIELDS): it is written by the addon's own
code only, here, as events arrive; the customer's latest reminder in a company gets what the
customer does on its page."""

from odoo import api, fields, models

from odoo.addons.account_late_payment.engine import reminders as rules
from odoo.addons.account_late_payment.engine import tracking

TRACKING_STATES = [
    (tracking.NONE, "Not followed"),
    (tracking.SENT, "Sent"),
    (tracking.DELIVERED, "Delivered"),
    (tracking.BOUNCED, "Bounced: a letter instead"),
    (tracking.OPENED, "Page opened"),
    (tracking.REPLIED, "Replied"),
    (tracking.PAID, "Paid from the page"),
]


class LatePaymentReminder(models.Model):
    _inherit = "late.payment.reminder"

    tracking_state = fields.Selection(
        TRACKING_STATES, string="What happened", required=True, readonly=True, default=tracking.SENT, index=True,
        help="Sent: handed to the mail queue or printed. Delivered: the mail server took the email. Bounced: the "
             "email came back, a letter went instead. Page opened: the customer opened its page from the link. "
             "Replied: the customer answered the email. Paid from the page: the customer paid on its page.")
    delivered_on = fields.Datetime(string="Delivered on", readonly=True)
    page_opened_on = fields.Datetime(string="Page first opened on", readonly=True)
    replied_on = fields.Datetime(string="Replied on", readonly=True)
    reply_message_id = fields.Many2one("mail.message", string="Reply", readonly=True, ondelete="set null")
    paid_on_page_on = fields.Datetime(string="Paid from the page on", readonly=True)
    paid_transaction_id = fields.Many2one(
        "payment.transaction", string="Payment from the page", readonly=True, ondelete="set null")

    def _track(self, event, **vals):
        """`event` (engine/tracking.py) happened to these reminders; `vals`: its details,
        written where the event moves the reminder (or on the first event of its kind)."""
        for reminder in self.sudo():
            state = tracking.advance(reminder.tracking_state, event)
            values = {fname: value for fname, value in vals.items() if not reminder[fname]}
            if state != reminder.tracking_state:
                values["tracking_state"] = state
            if values:
                reminder.write(values)

    @api.model
    def _last_reminders(self, pairs):
        """{(partner id, company id): the latest reminder in force} of the (commercial partner
        id, company id) `pairs`, in one query."""
        pairs = set(pairs)
        if not pairs:
            return {}
        found = self.sudo().search([
            ("partner_id", "in", list({partner for partner, _company in pairs})),
            ("company_id", "in", list({company for _partner, company in pairs})),
            ("log_state", "=", "valid"), ("result", "!=", rules.FAILED),
        ], order="date desc, id desc")
        latest = {}
        for reminder in found:
            key = (reminder.partner_id.id, reminder.company_id.id)
            if key in pairs and key not in latest:
                latest[key] = reminder
        return latest

    @api.model
    def _track_opened(self, links):
        latest = self._last_reminders((link.partner_id.id, link.company_id.id) for link in links)
        now = fields.Datetime.now()
        for reminder in latest.values():
            reminder._track(tracking.OPENED, page_opened_on=now)

    @api.model
    def _track_paid(self, transactions):
        """Payments made on customers' pages are done: their customers' latest reminders were
        paid from the page."""
        latest = self._last_reminders(
            (tx.late_payment_link_id.partner_id.id, tx.late_payment_link_id.company_id.id) for tx in transactions)
        for tx in transactions:
            link = tx.late_payment_link_id
            reminder = latest.get((link.partner_id.id, link.company_id.id))
            if reminder:
                reminder._track(
                    tracking.PAID, paid_on_page_on=tx.last_state_change or fields.Datetime.now(),
                    paid_transaction_id=tx.id)

    @api.model
    def _email_status(self, messages, status):
        result = super()._email_status(messages, status)
        event = {"sent": tracking.DELIVERED, "bounce": tracking.BOUNCED}.get(status)
        if event:
            reminders = self.sudo().search([("mail_message_id", "in", messages.ids)])
            details = {"delivered_on": fields.Datetime.now()} if event == tracking.DELIVERED else {}
            reminders._track(event, **details)
        return result
