from unittest.mock import patch

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import LatePaymentCommon, day


@tagged("post_install", "-at_install")
class TestGoLive(LatePaymentCommon):
    """Nothing goes out before an administrator starts the follow-up of the company; then it
    sends what is due, or starts quietly."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.reminders = cls.env["late.payment.reminder"]
        cls._reachable_customer()
        cls.other = cls.env["res.partner"].create({
            "name": "Go-live customer B", "email": "accounts@customer-b.example", "is_company": True})
        # a company just installed: its follow-up waits for an administrator
        cls.company.write({"late_payment_go_live_date": False, "late_payment_go_live_mode": False})

    def _run(self, today):
        before = self.reminders.search([], order="id desc", limit=1).id or 0
        with patch.object(type(self.env["ir.cron"]), "_commit_progress", return_value=1.0), self._at(today):
            self.env["late.payment.run"].with_user(self.env.ref("base.user_root"))._cron_run()
        return self.reminders.search([("id", ">", before)])

    def _dossier(self, partner=None):
        return self.dossiers.search([("partner_id", "=", (partner or self.customer).id),
                                     ("company_id", "=", self.company.id)])

    def _ledger(self):
        """The customer: 700 due on DUE (firm reminder at day 15); customer B: 50 due on day 12
        (friendly reminder at day 15)."""
        self._invoice(700.0)
        self._invoice(50.0, partner=self.other, invoice_date=day(12))

    def test_nothing_is_sent_before_go_live_but_the_state_is_kept(self):
        self._ledger()
        self.assertFalse(self._run(day(15)))
        dossier = self._dossier()
        self.assertEqual((dossier.status, dossier.next_level_id, dossier.amount_overdue), ("due", self.firm, 700.0))
        self.assertFalse(self.env["mail.mail"].sudo().search([("res_id", "in", self.customer.ids),
                                                              ("model", "=", "res.partner")]))
        # the console cannot send either, with a clear message
        with self._at(day(15)), self.assertRaisesRegex(UserError, "has not started yet"):
            dossier.action_send_reminder()
        # the console's banner says so
        banner = self.env["res.company"].with_company(self.company).late_payment_go_live_banner()
        self.assertEqual((banner["pending"], banner["can_start"]), (True, True))

    def test_preview_of_the_first_run(self):
        self._ledger()
        self._run(day(15))
        with self._at(day(15)):
            wizard = self.env["late.payment.go.live.wizard"].create({"company_id": self.company.id})
            wizard.flush_recordset()  # the preview is computed today
        self.assertEqual((wizard.customer_count, wizard.reminder_count, wizard.amount), (2, 2, 750.0))
        self.assertEqual(wizard.letter_count, 1)  # the firm reminder also goes as a letter
        self.assertEqual(wizard.manual_count, 0)
        self.assertEqual(wizard.sample_ids.partner_id, self.customer | self.other)
        self.assertEqual(wizard.sample_ids[0].partner_id, self.customer)  # the largest amount first
        self.assertIn(self.firm.display_name, wizard.detail)
        self.assertIn(self.friendly.display_name, wizard.detail)
        # the preview sent nothing and started nothing
        self.assertFalse(self.reminders.search([("partner_id", "in", (self.customer | self.other).ids)]))
        self.assertFalse(self.company.late_payment_go_live_date)

    def test_go_live_send_sends_what_is_due_with_the_next_run(self):
        self._ledger()
        self._run(day(15))
        with self._at(day(15)):
            wizard = self.env["late.payment.go.live.wizard"].create({"company_id": self.company.id})
            wizard.action_send()
        self.assertEqual((self.company.late_payment_go_live_date, self.company.late_payment_go_live_mode),
                         (day(15), "send"))
        # the run of the same day processes every customer again, and sends
        sent = self._run(day(15))
        self.assertEqual(len(sent), 2)
        self.assertEqual(sent.filtered(lambda reminder: reminder.partner_id == self.customer).level_id, self.firm)
        self.assertEqual(sum(sent.mapped("amount_total")), 750.0)
        self.assertFalse(self._run(day(15)))  # and only once

    def test_go_live_quiet_counts_the_levels_as_reached_and_resumes_with_the_next(self):
        invoice = self._invoice(700.0)
        with self._at(day(15)):
            self.company.late_payment_go_live("quiet")
        self.assertEqual(self.company.late_payment_go_live_mode, "quiet")
        line = self._receivable_lines(invoice)
        self.assertEqual((line.late_payment_level_id, line.late_payment_level_date), (self.firm, day(15)))
        self.assertFalse(self.reminders.search([("partner_id", "=", self.customer.id)]))
        self.assertFalse(self._run(day(15)))
        # the next level (the formal notice) waits for an accountant: a task, never sent quietly
        dossier = self._dossier()
        self.assertEqual(dossier.next_level_id, self.formal)

    def test_only_administrators_start_and_with_a_known_mode(self):
        with self.assertRaises(AccessError):
            self.company.with_user(self.lp_user).late_payment_go_live("send")
        with self.assertRaisesRegex(UserError, "not “loud”"):
            self.company.late_payment_go_live("loud")
        self.assertFalse(self.company.late_payment_go_live_date)
        self.company.with_user(self.lp_admin).late_payment_go_live("send")
        self.assertTrue(self.company.late_payment_go_live_date)
