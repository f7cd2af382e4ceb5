"""What happened to each reminder (models/late_payment_reminder_tracking.py) and replies that
reach the accountant (models/late_payment_dossier_replies.py): the email's delivery status, a
bounce turned into a letter, a real incoming reply processed by Odoo's mail gateway and filed in
the customer's follow-up with a task for its responsible, an out-of-office reply without one."""

from unittest.mock import patch

from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import LatePaymentCommon, day

REPLY = """Return-Path: <billing@customer-a.example>
To: {to}
From: Customer A <billing@customer-a.example>
Subject: Re: {subject}
Date: Tue, 17 Jun 2025 10:00:00 +0200
Message-ID: <{message_id}@customer-a.example>
In-Reply-To: {in_reply_to}
References: {in_reply_to}
MIME-Version: 1.0
Content-Type: text/plain; charset="utf-8"
{headers}
We paid half of it last week; the rest follows at the end of the month.
"""


@tagged("post_install", "-at_install")
class TestReminderTracking(LatePaymentCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.reminders = cls.env["late.payment.reminder"]
        cls._reachable_customer()
        cls.invoice = cls._invoice(700.0)

    def _send(self):
        before = self.reminders.search([], order="id desc", limit=1).id or 0
        with patch.object(type(self.env["ir.cron"]), "_commit_progress", return_value=1.0), self._at(day(15)):
            self.reminders.with_user(self.env.ref("base.user_root"))._cron_run()
        reminder = self.reminders.search([("id", ">", before), ("partner_id", "=", self.customer.id)])
        self.assertEqual(len(reminder), 1)
        self.assertTrue(reminder.mail_message_id)
        return reminder

    def _notification(self, reminder):
        return self.env["mail.notification"].sudo().search([("mail_message_id", "=", reminder.mail_message_id.id)])

    def _reply(self, reminder, message_id, headers=""):
        raw = REPLY.format(to=reminder.email_to, subject=reminder.mail_message_id.subject or "reminder",
                           message_id=message_id, in_reply_to=reminder.mail_message_id.message_id,
                           headers=headers)
        with self._at(day(16)):
            return self.env["mail.thread"].sudo().message_process(None, raw)

    def test_sent_then_delivered(self):
        reminder = self._send()
        self.assertEqual(reminder.tracking_state, "sent")
        self._notification(reminder).write({"notification_status": "sent"})
        self.assertEqual(reminder.tracking_state, "delivered")
        self.assertTrue(reminder.delivered_on)

    def test_bounced_becomes_a_letter_and_shows(self):
        reminder = self._send()
        self._notification(reminder).write({"notification_status": "bounce", "failure_type": "mail_bounce"})
        self.assertEqual(reminder.result, "bounced")
        self.assertEqual(reminder.letter_state, "queued")
        self.assertEqual(reminder.tracking_state, "bounced")
        # the customer then opened its page from the letter's link: it counts
        link = self.env["late.payment.access.link"]._link(self.customer, self.company)
        link._opened()
        self.assertEqual(reminder.tracking_state, "opened")
        self.assertTrue(reminder.page_opened_on)

    def test_the_email_carries_the_customer_page(self):
        reminder = self._send()
        link = self.env["late.payment.access.link"].search([("partner_id", "=", self.customer.id),
                                                            ("company_id", "=", self.company.id)])
        self.assertEqual(len(link), 1)
        mail = self.env["mail.mail"].sudo().search([("mail_message_id", "=", reminder.mail_message_id.id)])
        self.assertIn(link._url(), mail.body_html)

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_a_reply_lands_in_the_follow_up_with_a_task(self):
        reminder = self._send()
        dossier = reminder.dossier_id
        responsible = dossier._responsible()
        thread_id = self._reply(reminder, "reply-1")
        self.assertEqual(thread_id, dossier.id)
        reply = self.env["mail.message"].search([("message_id", "=", "<reply-1@customer-a.example>")])
        self.assertEqual((reply.model, reply.res_id), ("late.payment.dossier", dossier.id))
        self.assertIn("We paid half of it", reply.body)
        # not in the customer's chatter of another company's follow-up, nor left on the contact
        self.assertFalse(self.env["mail.message"].search([
            ("message_id", "=", "<reply-1@customer-a.example>"), ("model", "=", "res.partner")]))
        task = dossier.activity_ids.filtered(lambda activity: "replied to the reminder" in (activity.summary or ""))
        self.assertEqual(len(task), 1)
        self.assertEqual(task.user_id, responsible)
        self.assertIn("We paid half of it", task.note)
        self.assertEqual(reminder.tracking_state, "replied")
        self.assertEqual(reminder.reply_message_id, reply)

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_an_out_of_office_reply_asks_nobody(self):
        reminder = self._send()
        dossier = reminder.dossier_id
        before = len(dossier.activity_ids)
        for number, headers in enumerate(("Auto-Submitted: auto-replied", "X-Autoreply: yes",
                                          "Precedence: auto_reply")):
            self._reply(reminder, f"ooo-{number}", headers=headers + "\n")
            reply = self.env["mail.message"].search([("message_id", "=", f"<ooo-{number}@customer-a.example>")])
            self.assertEqual((reply.model, reply.res_id), ("late.payment.dossier", dossier.id), headers)
        self.assertEqual(len(dossier.activity_ids), before)
        self.assertEqual(reminder.tracking_state, "sent")
