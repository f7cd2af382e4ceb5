import logging
import time as time_module
from datetime import datetime, time, timedelta
from itertools import pairwise
from unittest.mock import patch

from odoo import fields
from odoo.tests import TransactionCase, freeze_time, tagged

from odoo.addons.account_late_payment.engine import business_days

_logger = logging.getLogger(__name__)


def _clock():
    """Seconds of a clock that freezegun leaves running (it freezes perf_counter and monotonic)."""
    return time_module.clock_gettime(time_module.CLOCK_MONOTONIC)


@tagged("post_install", "-at_install", "late_payment_demo")
class TestReminderDemo(TransactionCase):
    """The reminders of the demo database of `make demo` (run by `make test` on the database it builds)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.ref("account_late_payment.demo_partner_transports_petit").invoice_ids.company_id[:1]
        cls.reminders = cls.env["late.payment.reminder"].search([("company_id", "=", cls.company.id)])
        cls.today = fields.Date.context_today(cls.env["late.payment.reminder"])

    def test_a_year_of_reminders_in_the_log(self):
        self.assertGreaterEqual(len(self.reminders), 30)
        self.assertGreaterEqual(len(self.reminders.partner_id), 8)
        self.assertGreaterEqual(len(self.reminders.level_id), 4)
        self.assertIn("Scheduled action", self.reminders.mapped("sent_by"))
        # the manual levels were sent by the administrator
        manual = self.reminders.filtered(lambda reminder: not reminder.level_id.auto)
        self.assertTrue(manual)
        self.assertEqual(manual.user_id, self.env.ref("base.user_admin"))
        petit = self.env.ref("account_late_payment.demo_partner_transports_petit")
        self.assertTrue(self.reminders.filtered(
            lambda reminder: reminder.partner_id == petit and reminder.level_id.is_formal_notice))
        # an invoice is never in two reminders on one day; a customer gets a week between reminders
        lines = self.reminders.line_ids
        self.assertEqual(len(lines), len({(line.move_line_id, line.date) for line in lines}))
        self.assertTrue(all(reminder.line_ids for reminder in self.reminders))
        for partner, reminders in self.reminders.grouped("partner_id").items():
            days = sorted(reminders.mapped("date"))
            self.assertGreaterEqual(min(((b - a).days for a, b in pairwise(days)), default=7), 7, partner.name)
        # the chronic late payer: one formal notice for its continuous claim, not one a month
        lambert = self.env.ref("account_late_payment.demo_partner_agence_lambert")
        notices = self.reminders.filtered(lambda r: r.partner_id == lambert and r.level_id.is_formal_notice)
        self.assertLessEqual(len(notices), 2)

    def test_todays_run(self):
        todays = self.reminders.filtered(lambda reminder: reminder.date == self.today)
        # every customer the run had to process today (something open or a follow-up under way;
        # the risk scores add dossiers of customers with only a history, which the run skips)
        dossiers = self.env["late.payment.dossier"].search([("company_id", "=", self.company.id)])
        processed = self.env["late.payment.run"]._candidates(
            self.company, self.today, include_done=True)
        dossiers = dossiers.filtered(lambda dossier: dossier.partner_id.id in processed)
        self.assertTrue(dossiers)
        self.assertEqual(set(dossiers.mapped("last_run_date")), {self.today})
        if not self.company._late_payment_is_business_day(self.today):
            self.assertFalse(todays)
            return
        self.assertTrue(todays)
        for reminder in todays:
            with self.subTest(customer=reminder.partner_id.name):
                self.assertEqual(reminder.origin, "cron")
                self.assertIn(reminder.result, ("sent", "bounced", "queued"))
                if reminder.channel_email:
                    self.assertEqual(reminder.mail_message_id.model, "res.partner")
                    self.assertEqual(reminder.mail_message_id.res_id, reminder.partner_id.id)
                notes = reminder.partner_id.message_ids.filtered(
                    lambda message, r=reminder: f'data-oe-id="{r.id}"' in (message.body or ""))
                self.assertEqual(len(notes), 1)
        # what is still due today waits for an accountant
        due = dossiers.filtered(lambda dossier: dossier.status == "due")
        self.assertFalse(due.filtered(lambda dossier: dossier.next_level_id.auto), due.mapped("partner_id.name"))
        # the French customers got their reminder in French
        french = todays.filtered(lambda reminder: reminder.partner_id.lang == "fr_FR" and reminder.mail_message_id)
        for reminder in french:
            self.assertIn("Madame, Monsieur", reminder.mail_message_id.body)
            self.assertIn("Facture", reminder.mail_message_id.body)

    def test_the_next_business_day_run_measured(self):
        """The daily run of the next business day on the demo database: its time and queries."""
        day = business_days.next_business_day(self.today + timedelta(days=1), "FR")
        before = self.reminders[:1].id or 0
        reminder_model = self.env["late.payment.reminder"]
        with patch.object(type(self.env["ir.cron"]), "_commit_progress", return_value=1.0) as progress, \
                freeze_time(datetime.combine(day, time(6))):
            self.env.invalidate_all()
            queries, start = self.env.cr.sql_log_count, _clock()
            self.env["late.payment.run"]._cron_run()
            self.env.flush_all()
            elapsed = _clock() - start
            queries = self.env.cr.sql_log_count - queries
        # batches are sized by the time they take: each one more costs its fixed queries
        batches = max(progress.call_count - 1, 1)
        sent = reminder_model.search([("id", ">", before), ("company_id", "=", self.company.id)])
        customers = self.env["late.payment.dossier"].search_count([("company_id", "=", self.company.id)])
        _logger.info("demo database, the daily run of %s (%s customers): %s reminders, %.2f s, %s queries",
                     day, customers, len(sent), elapsed, queries)
        # a reminder lists every open invoice of its customer (their PDFs attached when the level says so)
        self.assertLessEqual(queries, 400 + 40 * len(sent) + 30 * len(sent.line_ids)
                             + 80 * (batches - 1), batches)
        lines = sent.line_ids
        self.assertEqual(len(lines), len({(line.move_line_id, line.date) for line in lines}))


@tagged("post_install", "-at_install", "late_payment_demo")
class TestCustomerPageDemo(TransactionCase):
    """The demo's reminder emails carry the customer's page link, and the demo company pays
    there with Odoo's demo provider."""

    def test_demo_reminders_carry_the_page(self):
        company = self.env.ref("account_late_payment.demo_partner_transports_petit").invoice_ids.company_id[:1]
        emailed = self.env["late.payment.reminder"].search([
            ("company_id", "=", company.id), ("channel_email", "=", True), ("mail_message_id", "!=", False)])
        self.assertTrue(emailed)
        links = self.env["late.payment.access.link"].search([("company_id", "=", company.id)])
        for reminder in emailed:
            self.assertIn("/late-payment/page/", reminder.mail_message_id.body, reminder.display_name)
        # each customer's latest email carries its link in force
        for _partner, reminders in emailed.grouped("partner_id").items():
            latest = reminders.sorted(lambda reminder: (reminder.date, reminder.id))[-1]
            with self.subTest(customer=latest.partner_id.name):
                link = links.filtered(lambda link, r=latest: link.partner_id == r.partner_id)
                self.assertEqual(len(link), 1)
                self.assertIn(f"/late-payment/page/{link.id}/", latest.mail_message_id.body)
        provider = self.env["payment.provider"].search([("code", "=", "demo"), ("company_id", "=", company.id)])
        self.assertEqual(provider.state, "test")
