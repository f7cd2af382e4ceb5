import logging
import time as time_module
from datetime import date, datetime, time
from itertools import pairwise
from unittest.mock import patch

from psycopg2 import IntegrityError

from odoo.exceptions import AccessError
from odoo.tests import freeze_time, new_test_user, tagged
from odoo.tools import SQL, mute_logger

from .common import DUE, LatePaymentCommon, day

_logger = logging.getLogger(__name__)


def _clock():
    """Seconds of a clock that freezegun leaves running (it freezes perf_counter and monotonic)."""
    return time_module.clock_gettime(time_module.CLOCK_MONOTONIC)
REMINDER_LOGGERS = tuple(f"odoo.addons.account_late_payment.models.late_payment_{name}"
                         for name in ("reminder", "reminder_send", "reminder_channels"))


@tagged("post_install", "-at_install")
class TestReminderRun(LatePaymentCommon):
    """The daily follow-up run: what is sent, to whom, by which channels, and what is logged."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.reminders = cls.env["late.payment.reminder"]
        cls._reachable_customer(phone="+1 555 0100")
        # the DUE of these tests is a Monday: day(3) a Thursday, day(5) a Saturday
        assert DUE.weekday() == 0

    # -- helpers ---------------------------------------------------------------------------
    def _run(self, today):
        """The scheduled action on `today` (its commits are the test's savepoints)."""
        before = self.reminders.search([], order="id desc", limit=1).id or 0
        with patch.object(type(self.env["ir.cron"]), "_commit_progress", return_value=1.0), self._at(today):
            self.env["late.payment.run"].with_user(self.env.ref("base.user_root"))._cron_run()
        return self.reminders.search([("id", ">", before)])

    def _dossier(self, partner=None):
        return self.dossiers.search([("partner_id", "=", (partner or self.customer).id),
                                     ("company_id", "=", self.company.id)])

    def _mails(self, partner=None):
        return self.env["mail.mail"].sudo().search([
            ("model", "=", "res.partner"), ("res_id", "=", (partner or self.customer).id)])

    # -- what the run sends --------------------------------------------------------------------
    def test_one_reminder_per_customer_with_each_line_at_its_level(self):
        old = self._invoice(700.0)                        # due on DUE: firm at day 15
        recent = self._invoice(300.0, invoice_date=day(10))  # due on day 10: friendly at day 13
        other = self.partner_b
        other.email = "accounts@customer-b.example"
        self._invoice(50.0, partner=other, invoice_date=day(12))  # friendly at day 15
        sent = self._run(day(15))
        self.assertEqual(len(sent), 2)
        mine = sent.filtered(lambda reminder: reminder.partner_id == self.customer)
        self.assertEqual(mine.level_id, self.firm)
        self.assertEqual(mine.tone_id, self.tone["firm"])
        self.assertEqual(mine.result, "sent")
        self.assertEqual(mine.origin, "cron")
        self.assertFalse(mine.user_id)
        self.assertEqual(mine.sent_by, "Scheduled action")
        self.assertEqual(mine.amount_total, 1000.0)
        self.assertEqual(mine.dossier_id, self._dossier())
        by_move = {line.move_id: line for line in mine.line_ids}
        self.assertEqual(by_move[old].level_id, self.firm)
        self.assertEqual(by_move[recent].level_id, self.friendly)
        self.assertEqual((by_move[old].days_late, by_move[recent].days_late), (15, 5))
        self.assertEqual(by_move[old].amount_residual, 700.0)
        # each invoice reached its own level today
        self.assertEqual((old.late_payment_level_id, old.late_payment_level_date), (self.firm, day(15)))
        self.assertEqual(recent.late_payment_level_id, self.friendly)
        # the firm level has an email and a letter
        self.assertTrue(mine.channel_email and mine.channel_letter)
        self.assertEqual(mine.letter_state, "queued")
        # the letter text is the tone's prose; the invoices and amounts are the report's tables
        self.assertIn("Dear Sir or Madam", mine.letter_body)
        self.assertNotIn(old.name, mine.letter_body)
        mail = self._mails()
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.state, "outgoing")  # queued, never sent by the run itself
        self.assertEqual(mail.recipient_ids, self.customer)
        self.assertIn(old.name, mail.body_html)
        self.assertIn(recent.name, mail.body_html)
        self.assertIn("second reminder", mail.subject)
        self.assertEqual(mine.mail_message_id, mail.mail_message_id)
        self.assertEqual(mine.email_to, self.customer.email_formatted)
        # the customer's state moved on: nothing due until the next level
        dossier = self._dossier()
        self.assertEqual(dossier.status, "planned")
        self.assertEqual(dossier.last_reminder_date, day(15))
        self.assertEqual(dossier.reminder_ids, mine)
        # a second run the same day, or the next day, sends nothing more
        self.assertFalse(self._run(day(15)))
        self.assertFalse(self._run(day(16)))
        self.assertEqual(len(self._mails()), 1)

    def test_a_note_in_the_customers_chatter(self):
        invoice = self._invoice(400.0)
        self.customer.message_subscribe(partner_ids=self.partner_b.ids)
        reminder = self._run(day(3))
        notes = self.customer.message_ids.filtered(lambda message: message.subtype_id == self.env.ref("mail.mt_note"))
        self.assertEqual(len(notes), 1)
        self.assertIn("Friendly reminder", notes.body)
        self.assertIn(invoice.name, notes.body)
        self.assertIn("Scheduled action", notes.body)
        self.assertIn(f'data-oe-id="{reminder.id}"', notes.body)
        # the email itself is in the chatter too; the followers are not notified
        email = self.customer.message_ids.filtered(lambda message: message.message_type == "email_outgoing")
        self.assertEqual(email, reminder.mail_message_id)
        self.assertFalse(self.env["mail.mail"].sudo().search([("recipient_ids", "in", self.partner_b.ids)]))
        self.assertFalse(notes.notification_ids)

    def test_recipient_is_the_invoice_contact_and_the_salesperson_gets_a_copy(self):
        contact = self.env["res.partner"].create({
            "name": "Accounts payable", "parent_id": self.customer.id, "type": "invoice",
            "email": "ap@customer-a.example"})
        salesperson = new_test_user(self.env, login="lp_salesperson", email="sales@company.example",
                                    groups="base.group_user")
        invoice = self._invoice(400.0, post=False)
        invoice.invoice_user_id = salesperson
        invoice.action_post()
        self.company.late_payment_copy_salesperson = True
        reminder = self._run(day(3))
        mail = self._mails()
        self.assertEqual(mail.recipient_ids, contact)
        self.assertIn("sales@company.example", mail.email_cc)
        self.assertEqual(reminder.recipient_id, contact)
        self.assertEqual(reminder.email_cc, mail.email_cc)
        notification = mail.mail_message_id.notification_ids
        self.assertEqual((notification.res_partner_id, notification.notification_status), (contact, "ready"))

    def test_invoices_attached_when_the_level_says_so(self):
        invoice = self._invoice(400.0)
        self.assertTrue(self.friendly.attach_invoices)
        self._run(day(3))
        attachment = self._mails().attachment_ids
        self.assertEqual(len(attachment), 1)
        self.assertEqual(attachment.name, invoice._get_invoice_report_filename())
        self.friendly.attach_invoices = False
        self._invoice(100.0, invoice_date=day(10))
        self._run(day(24))  # firm for the first, friendly for the second: attached by the firm level
        self.firm.attach_invoices = False
        self.assertEqual(len(self._mails()), 2)

    def test_in_the_customers_language_and_tone(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(["account_late_payment"], ["fr_FR"], overwrite=True)
        self.customer.lang = "fr_FR"
        self.customer.with_company(self.company).late_payment_relationship = "strict"
        self.friendly.channel_sms = True
        invoice = self._invoice(400.0)
        reminder = self._run(day(3))
        self.assertEqual(reminder.tone_id, self.tone["firm"])  # friendly, one step firmer
        mail = self._mails()
        self.assertIn("Malgré notre précédente relance", mail.body_html)
        self.assertIn("deuxième relance", mail.subject)
        sms = self.env["sms.sms"].sudo().search([("partner_id", "=", self.customer.id)])
        self.assertIn("en retard de paiement", sms.body)
        self.assertIn(invoice.name, sms.body)

    # -- channels ----------------------------------------------------------------------------
    def test_no_email_address_gets_a_letter_and_a_task(self):
        self.customer.email = False
        invoice = self._invoice(400.0)
        reminder = self._run(day(3))
        self.assertEqual(reminder.result, "bounced")
        self.assertFalse(reminder.channel_email)
        self.assertTrue(reminder.channel_letter and reminder.channel_task)
        self.assertEqual(reminder.letter_state, "queued")
        self.assertIn("Dear Sir or Madam", reminder.letter_body)
        self.assertFalse(self._mails())
        self.assertIn("no address, or it bounced", reminder.note)
        activity = reminder.activity_ids
        self.assertEqual(activity.activity_type_id, self.env.ref("mail.mail_activity_data_todo"))
        self.assertEqual(activity.res_id, self._dossier().id)
        self.assertIn("check the address", activity.summary)
        self.assertEqual(invoice.late_payment_level_id, self.friendly)  # the level is reached all the same

    def test_a_bounced_address_gets_a_letter_and_a_task(self):
        self.customer.message_bounce = 2
        self._invoice(400.0)
        reminder = self._run(day(3))
        self.assertEqual(reminder.result, "bounced")
        self.assertEqual(reminder.letter_state, "queued")
        self.assertFalse(self._mails())

    def test_an_email_that_bounces_after_sending_becomes_a_letter(self):
        invoice = self._invoice(400.0)
        reminder = self._run(day(3))
        self.assertEqual((reminder.result, reminder.letter_state), ("sent", "none"))
        message = reminder.mail_message_id
        # the bounce notice comes back: Odoo's mail gateway routes it
        with self._at(day(4)):
            self.env["mail.thread"].sudo()._routing_handle_bounce(None, {
                "bounced_email": self.customer.email_normalized, "bounced_partner": self.customer,
                "bounced_msg_ids": [message.message_id], "bounced_message": message,
                "email_from": "MAILER-DAEMON@example.com", "to": "bounce@company.example",
                "message_id": "<bounce-1@example.com>", "body": "550 mailbox unavailable",
            })
        self.assertEqual(message.notification_ids.notification_status, "bounce")
        self.assertEqual(self.customer.message_bounce, 1)
        self.assertEqual(reminder.result, "bounced")
        self.assertEqual(reminder.letter_state, "queued")
        self.assertIn("Dear Sir or Madam", reminder.letter_body)
        self.assertNotIn(invoice.name, reminder.letter_body)  # the report prints the amounts
        self.assertIn("bounced", reminder.activity_ids.summary)
        # the next reminder goes by letter straight away
        self._invoice(100.0, invoice_date=day(10))
        second = self._run(day(24))
        self.assertEqual((second.result, second.letter_state), ("bounced", "queued"))

    def test_an_email_that_cannot_be_delivered_marks_the_reminder_failed(self):
        self._invoice(400.0)
        reminder = self._run(day(3))
        mail = self._mails()
        mail._postprocess_sent_message(success_pids=self.env["res.partner"], success_emails=[],
                                       failure_reason="Connection refused", failure_type="mail_smtp")
        self.assertEqual(reminder.result, "failed")
        self.assertIn("could not be sent", reminder.note)
        # sent again later by the mail queue: the reminder follows
        mail._postprocess_sent_message(success_pids=self.customer, success_emails=[self.customer.email_normalized])
        self.assertEqual(reminder.result, "sent")

    def test_sms_channel(self):
        self.friendly.channel_sms = True
        invoice = self._invoice(400.0)
        reminder = self._run(day(3))
        self.assertTrue(reminder.channel_sms and reminder.channel_email)
        sms = self.env["sms.sms"].sudo().search([("partner_id", "=", self.customer.id)])
        self.assertEqual(len(sms), 1)
        self.assertEqual(sms.state, "outgoing")  # queued: Odoo's SMS queue sends it, never the run
        self.assertIn(invoice.name, sms.body)
        self.assertIn("overdue", sms.body)
        self.assertIn("400.00", sms.body)
        self.assertEqual(reminder.sms_number, sms.number)
        self.assertEqual(reminder.sms_message_id, sms.mail_message_id)
        self.assertEqual(reminder.sms_message_id.model, "res.partner")
        # without a number: a task instead
        self.partner_b.write({"email": "b@example.com", "phone": False})
        self._invoice(80.0, partner=self.partner_b, invoice_date=day(11))
        other = self._run(day(14))
        self.assertEqual(other.partner_id, self.partner_b)
        self.assertFalse(other.channel_sms)
        self.assertTrue(other.channel_task)
        self.assertIn("No phone number", other.note)
        self.assertIn("No phone number", other.activity_ids.summary)

    def test_letter_channel_and_snailmail(self):
        invoice = self._invoice(400.0)
        self._reach(self._receivable_lines(invoice), self.friendly, day(3))
        self.company.late_payment_snailmail = True
        reminder = self._run(day(15))
        self.assertTrue(reminder.channel_letter)
        self.assertEqual(reminder.letter_state, "queued")
        letter = reminder.snailmail_letter_id
        self.assertEqual(letter.state, "pending")  # posted by Odoo's Snailmail scheduled action
        self.assertEqual((letter.model, letter.res_id), ("late.payment.reminder", reminder.id))
        self.assertEqual(letter.report_template, self.env.ref("account_late_payment.action_report_late_payment_letter"))
        self.assertEqual(letter.partner_id, self.customer)
        # the letter of the day's batch: letterhead, address, date and text, one page per reminder
        html, kind = self.env["ir.actions.report"]._render_qweb_pdf(
            "account_late_payment.action_report_late_payment_letter", reminder.ids)
        self.assertEqual(kind, "html")
        html = html.decode()
        self.assertIn(self.company.name, html)
        self.assertIn("1 Main Street", html)
        self.assertIn(invoice.name, html)
        self.assertIn("Despite our previous reminder", html)
        # the amounts once: the report's detail table, not a second table in the tone's text
        self.assertEqual(html.count("Total due"), 1)
        self.assertNotIn("Total overdue", html)
        self.assertIn('class="page o_late_payment_letter"', html)  # page breaks between letters: test_console
        # an incomplete address: the letter waits in the batch, it is not posted
        self.partner_b.write({"email": "b@example.com", "street": False})
        other_invoice = self._invoice(90.0, partner=self.partner_b)
        self._reach(self._receivable_lines(other_invoice), self.friendly, day(3))
        other = self._run(day(16))
        self.assertEqual(other.letter_state, "queued")
        self.assertFalse(other.snailmail_letter_id)
        self.assertIn("address is incomplete", other.note)

    def test_call_and_task_for_the_responsible(self):
        self.friendly.write({"channel_email": False, "channel_call": True, "channel_task": True})
        responsible = new_test_user(self.env, login="lp_responsible", groups="base.group_user")
        salesperson = new_test_user(self.env, login="lp_sales_2", groups="base.group_user")
        default = new_test_user(self.env, login="lp_default", groups="base.group_user")
        self.company.late_payment_user_id = default
        self._invoice(400.0)
        dossier = self._refresh(day(1))
        dossier.user_id = responsible
        reminder = self._run(day(3))
        self.assertEqual(reminder.result, "queued")
        self.assertEqual(set(reminder.activity_ids.activity_type_id.mapped("category")), {"phonecall", "default"})
        self.assertEqual(reminder.activity_ids.user_id, responsible)
        self.assertEqual(set(reminder.activity_ids.mapped("res_id")), {dossier.id})
        self.assertFalse(self._mails())
        # who else is responsible: the salesperson, the company's default user, the administrator
        dossier.user_id = False
        self.customer.user_id = salesperson
        self.assertEqual(dossier._responsible(), salesperson)
        self.customer.user_id = False
        self.assertEqual(dossier._responsible(), default)
        self.company.late_payment_user_id = False
        self.assertEqual(dossier._responsible(), self.env.ref("base.user_admin"))

    def test_a_manual_level_asks_the_responsible_once(self):
        invoice = self._invoice(400.0)
        self._reach(self._receivable_lines(invoice), self.firm, day(15))
        self.assertFalse(self.formal.auto)
        self.assertFalse(self._run(day(30)))
        dossier = self._dossier()
        self.assertEqual((dossier.status, dossier.next_level_id), ("due", self.formal))
        tasks = dossier.activity_ids
        self.assertEqual(len(tasks), 1)
        self.assertIn("Formal notice", tasks.summary)
        self.assertFalse(self._run(day(31)))
        self.assertEqual(dossier.activity_ids, tasks)  # not asked again every day
        # the accountant sends it from the console
        sent = dossier.with_user(self.lp_user)._send_reminders(include_manual=True)
        self.assertEqual((sent.level_id, sent.origin, sent.user_id), (self.formal, "console", self.lp_user))
        self.assertEqual(sent.sent_by, self.lp_user.name)
        self.assertEqual(invoice.late_payment_level_id, self.formal)

    # -- when nothing is sent -------------------------------------------------------------------
    def test_business_days_only(self):
        self._invoice(400.0)
        # Saturday and Sunday: the state is refreshed, nothing is sent
        self.assertFalse(self._run(day(5)))
        self.assertEqual(self._dossier().status, "due")
        self.assertEqual(self._dossier().last_run_date, day(5))
        self.assertFalse(self._run(day(6)))
        self.assertEqual(len(self._run(day(7))), 1)  # Monday
        # a French public holiday (14 July 2025, a Monday) in a French company
        self.company.account_fiscal_country_id = self.env.ref("base.fr")
        self.partner_b.email = "b@example.com"
        self._invoice(100.0, partner=self.partner_b, invoice_date=date(2025, 7, 10))
        self.assertFalse(self._run(date(2025, 7, 14)))
        self.assertIn(self.partner_b, self._run(date(2025, 7, 15)).partner_id)

    def test_nothing_for_customers_with_nothing_to_chase(self):
        excluded = self._invoice(300.0)
        excluded.no_followup = True
        disputed = self._invoice(200.0)
        disputed.action_toggle_block_payment()
        self._invoice(100.0, invoice_date=day(20))  # not yet due, and the courtesy reminder is days away
        self.assertFalse(self._run(day(8)))
        self.assertEqual(self._dossier().status, "planned")  # the courtesy reminder of the third one
        # a promise or a plan pauses the reminders
        self._invoice(50.0)
        dossier_model = type(self.dossiers)
        with patch.object(dossier_model, "_paused_until",
                          lambda self, partners, company: {partners[:1].id: day(30)}):
            self.assertFalse(self._run(day(9)))
            self.assertEqual(self._dossier().status, "waiting")
        # collective proceedings
        with patch.object(dossier_model, "_collective_proceedings",
                          lambda self, partners, company: set(partners.ids)):
            self.assertFalse(self._run(day(10)))
            self.assertEqual(self._dossier().status, "due")
        self.assertEqual(len(self._run(day(11))), 1)

    def test_nothing_in_collection(self):
        invoice = self._invoice(400.0)
        self._reach(self._receivable_lines(invoice), self.escalation, day(45))
        self._invoice(100.0, invoice_date=day(40))
        self.assertFalse(self._run(day(50)))
        self.assertEqual(self._dossier().status, "collection")

    # -- checked at send time ----------------------------------------------------------------------
    def _without_incremental_refresh(self):
        """The state as computed before: payments do not refresh it (as if it was computed
        before they arrived)."""
        return patch.object(type(self.dossiers), "_mark_pairs", lambda self, pairs: None)

    def test_a_payment_since_the_state_was_computed_removes_the_line(self):
        paid = self._invoice(400.0)
        kept = self._invoice(250.0)
        dossier = self._refresh(day(3))
        self.assertEqual(dossier.status, "due")
        with self._without_incremental_refresh():
            self._register_payment(paid, amount=400.0, payment_date=day(3))
            self.env.flush_all()
            self.assertEqual(self._dossier().amount_due, 650.0)  # stale
            with self._at(day(3)):
                sent = dossier._send_reminders()
        self.assertEqual(sent.line_ids.move_id, kept)
        self.assertEqual(sent.amount_total, 250.0)
        self.assertFalse(paid.late_payment_level_id)

    def test_a_credit_note_since_the_state_was_computed_removes_the_line(self):
        self._invoice(400.0)
        dossier = self._refresh(day(3))
        with self._without_incremental_refresh():
            self._invoice(400.0, move_type="out_refund", invoice_date=day(2))
            self.env.flush_all()
            self.assertEqual(self._dossier().status, "due")  # stale
            with self._at(day(3)):
                self.assertFalse(dossier._send_reminders())
        self.assertEqual(self._dossier().status, "none")

    def test_a_line_never_gets_the_same_level_twice(self):
        invoice = self._invoice(400.0)
        first = self._run(day(3))
        line = self._receivable_lines(invoice)
        # at the database level, from any path
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"), self.env.cr.savepoint():
            self.env["late.payment.reminder.line"].sudo().create({
                "reminder_id": first.id, "move_line_id": line.id, "level_id": self.friendly.id,
                "currency_id": line.currency_id.id})
            self.env.flush_all()
        # a sender working on a stale state (another one sent meanwhile): the index refuses it,
        # the customer is skipped, nothing goes out
        self.env.cr.execute(SQL(
            "UPDATE account_move_line SET late_payment_level_id = NULL, late_payment_level_date = NULL "
            "WHERE id = %s", line.id))
        self.env.invalidate_all()
        with self._at(day(4)), mute_logger(*REMINDER_LOGGERS):
            self.assertFalse(self._dossier()._send_reminders())
        self.assertEqual(self.reminders.search([("partner_id", "=", self.customer.id)]), first)
        self.assertEqual(len(self._mails()), 1)

    def test_a_customer_whose_sending_fails_does_not_stop_the_others(self):
        self.partner_b.email = "b@example.com"
        self._invoice(400.0)
        self._invoice(300.0, partner=self.partner_b)
        model = type(self.reminders)
        original = model._send_emails
        broken = self.customer

        def send_emails(self, plans, emails):
            if any(plan["partner"] == broken for plan in plans):
                raise ValueError("mail server misconfigured")
            return original(self, plans, emails)

        with patch.object(model, "_send_emails", send_emails), mute_logger(*REMINDER_LOGGERS):
            sent = self._run(day(3))
        self.assertEqual(len(sent), 2)
        failed = sent.filtered(lambda reminder: reminder.partner_id == self.customer)
        self.assertEqual(failed.result, "failed")
        self.assertIn("mail server misconfigured", failed.note)
        self.assertFalse(failed.line_ids)
        self.assertEqual(sent.filtered(lambda reminder: reminder.partner_id == self.partner_b).result, "sent")
        self.assertFalse(self._mails())
        # the next run tries again
        again = self._run(day(4))
        self.assertEqual((again.partner_id, again.result), (self.customer, "sent"))

    def test_a_tone_without_email_template_fails_visibly(self):
        self._invoice(400.0)
        self.tone["friendly"].mail_template_id = False
        self.tone["courteous"].mail_template_id = False
        with mute_logger(*REMINDER_LOGGERS):
            reminder = self._run(day(3))
        self.assertEqual(reminder.result, "failed")
        self.assertIn("has no email template", reminder.note)
        self.assertEqual(self._dossier().status, "due")  # tried again on the next run

    # -- who may send --------------------------------------------------------------------------------
    def test_console_users_send_and_others_may_not(self):
        self._invoice(400.0)
        dossier = self._refresh(day(3))
        billing = new_test_user(self.env, login="lp_billing_only", groups="account.group_account_invoice")
        with self._at(day(3)), self.assertRaises(AccessError):
            self.reminders.with_user(billing)._send(dossier.with_user(billing))
        with self._at(day(3)):
            sent = dossier.with_user(self.lp_user)._send_reminders()
        self.assertEqual((sent.user_id, sent.origin), (self.lp_user, "console"))
        self.assertEqual(sent.with_user(self.lp_user).read(["result"])[0]["result"], "sent")

    def test_run_now_button(self):
        self._invoice(400.0)
        with self._at(day(3)), self.assertRaises(AccessError):
            self.reminders.with_user(self.lp_user).action_run_now()
        with self._at(day(3)):
            action = self.reminders.with_user(self.lp_admin).action_run_now()
        sent = self.reminders.search(action["domain"])
        self.assertEqual((sent.partner_id, sent.user_id), (self.customer, self.lp_admin))
        with self._at(day(5)):
            action = self.reminders.with_user(self.lp_admin).action_run_now()
        self.assertIn("not a business day", action["params"]["message"])

    def test_levels_that_invoice_penalties_call_the_hook(self):
        invoice = self._invoice(400.0)
        self._reach(self._receivable_lines(invoice), self.friendly, day(3))
        self.firm.invoice_penalties = True
        called = []
        model = type(self.reminders)

        def invoice_penalties(reminders):
            called.append(reminders)

        with patch.object(model, "_level_invoice_penalties", invoice_penalties):
            reminder = self._run(day(15))
        self.assertEqual(called, [reminder])

    def test_levels_that_invoice_penalties_invoice_them(self):
        self.company.write({"late_payment_interest_mode": "statutory", "late_payment_interest_margin": 10.0})
        invoice = self._invoice(4000.0)
        self._reach(self._receivable_lines(invoice), self.friendly, day(3))
        self.firm.invoice_penalties = True
        reminder = self._run(day(15))
        penalty = self.env["account.move"].search([("late_payment_is_penalty", "=", True),
                                                   ("partner_id", "=", self.customer.id)])
        self.assertEqual(len(penalty), 1)
        self.assertEqual(penalty.state, "posted")
        self.assertEqual(penalty.invoice_date, reminder.date)
        self.assertGreater(penalty.amount_total, 0.0)
        self.assertIn(invoice.name, " ".join(penalty.invoice_line_ids.mapped("name")))
        # the same days are never invoiced twice: a second call finds nothing left
        self.assertFalse(reminder._level_invoice_penalties())

    def test_recovery_by_level_on_the_dashboard(self):
        invoice = self._invoice(400.0)
        self._run(day(3))  # the friendly reminder
        self._register_payment(invoice, amount=150.0, payment_date=day(8))   # 5 days after
        self._register_payment(invoice, amount=250.0, payment_date=day(23))  # 20 days after
        dashboard = self.env["late.payment.dashboard"]
        recovery = self.env["late.payment.measure"]._recovery(self.company, day(40))[self.friendly.id]
        self.assertEqual((recovery.reminders, recovery.amount_due), (1, 400.0))
        self.assertEqual(recovery.paid, {7: 150.0, 15: 150.0, 30: 400.0})
        html = str(dashboard.with_company(self.company).new({"company_id": self.company.id})
                   ._recovery_html({self.friendly.id: recovery}))
        self.assertIn(self.friendly.name, html)
        self.assertIn("38 %", html)  # 150 of 400 within 7 days
        self.assertIn("100 %", html)

    def test_reminder_views(self):
        self._invoice(400.0)
        reminder = self._run(day(3))
        action = self.customer.action_late_payment_open_reminders()
        self.assertEqual(self.reminders.search(action["domain"]), reminder)
        self.assertEqual(self.customer.late_payment_reminder_count, 1)
        self.assertEqual(self._dossier().reminder_count, 1)
        self.assertEqual(reminder.line_count, 1)
        self.assertIn("Friendly reminder to", reminder.display_name)
        self.assertEqual(reminder.channels, "Email")
        self.assertEqual(self.reminders.search(reminder.action_open_invoices()["domain"] and [
            ("line_ids.move_id", "in", reminder.line_ids.move_id.ids)]), reminder)
        menu = self.env.ref("account_late_payment.menu_late_payment_reminders")
        self.assertIn(menu.id, self.env["ir.ui.menu"].with_user(self.lp_user)._visible_menu_ids())
        self.assertEqual(self.reminders.with_user(self.lp_user).search([]), reminder)


@tagged("post_install", "-at_install")
class TestReminderRunScale(LatePaymentCommon):
    """The run on 1,000 customers: time and queries per batch."""

    def test_thousand_customers(self):
        size = 1000
        partners = self.env["res.partner"].create([{
            "name": f"Scale customer {i}", "email": f"c{i}@scale.example", "is_company": True,
        } for i in range(size)])
        # one receivable line per customer, due 15 or 3 days ago: firm and friendly reminders
        self._one_entry_for_customers(partners, lambda i: DUE if i % 2 else day(12))
        self.env.flush_all()
        self.env.cr.precommit.clear()
        self.env.invalidate_all()
        commits = []

        sizes = []

        def commit_progress(cron, processed=0, remaining=None, deactivate=False):
            commits.append((self.env.cr.sql_log_count, _clock()))
            sizes.append(processed)
            return 1.0

        count0 = self.env.cr.sql_log_count
        start = _clock()
        with patch.object(type(self.env["ir.cron"]), "_commit_progress", commit_progress), self._at(day(15)):
            self.env["late.payment.run"]._cron_run()
            self.env.flush_all()
        elapsed = _clock() - start
        queries = self.env.cr.sql_log_count - count0
        sent = self.env["late.payment.reminder"].search([("partner_id", "in", partners.ids)])
        self.assertEqual(len(sent), size)
        self.assertEqual(set(sent.mapped("result")), {"sent"})
        self.assertEqual(set(sent.level_id.mapped("name")), {"Firm reminder", "Friendly reminder"})
        mails = self.env["mail.mail"].sudo().search([("res_id", "in", partners.ids), ("model", "=", "res.partner")])
        self.assertEqual(len(mails), size)
        per_batch = [after[0] - before[0] for before, after in pairwise(commits)]
        seconds = [round(after[1] - before[1], 2) for before, after in pairwise(commits)]
        figures = {"customers": size, "seconds": round(elapsed, 1), "queries": queries,
                   "batches": len(per_batch), "customers per batch": sizes[1:], "queries per batch": per_batch,
                   "seconds per batch": seconds}
        _logger.info("daily run of 1,000 customers, measured: %s", figures)
        # batches sized by the time they take (at most 100 customers), every customer once; each
        # batch costs about the same bounded number of queries whatever its size
        self.assertEqual(sum(sizes), size, figures)
        self.assertLessEqual(max(sizes), 100, figures)
        self.assertLessEqual(max(per_batch), 1500, figures)
        self.assertLessEqual(max(per_batch) - min(per_batch), 100, figures)


@tagged("post_install", "-at_install")
class TestReminderRunDate(LatePaymentCommon):
    """The run uses the company's calendar."""

    def test_is_business_day(self):
        company = self.company
        company.account_fiscal_country_id = self.env.ref("base.fr")
        self.assertFalse(company._late_payment_is_business_day(date(2025, 7, 14)))
        self.assertTrue(company._late_payment_is_business_day(date(2025, 7, 15)))
        self.assertFalse(company._late_payment_is_business_day(date(2025, 7, 12)))
        with freeze_time(datetime.combine(date(2025, 7, 14), time(12))):
            self.assertFalse(company._late_payment_is_business_day(date.today()))
