import html

from odoo import fields
from odoo.tests import TransactionCase, tagged
from odoo.tools import format_amount, format_date


@tagged("post_install", "-at_install", "late_payment_demo")
class TestDiscountDemo(TransactionCase):
    """The early-payment discount reminders of the demo database of `make demo` (run by
    `make test` on the database it builds): Garage Moreau takes the discount."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.garage = cls.env.ref("account_late_payment.demo_partner_garage_moreau")
        cls.company = cls.env.ref("account_late_payment.demo_partner_transports_petit").invoice_ids.company_id[:1]
        cls.today = fields.Date.context_today(cls.garage)
        cls.reminders = cls.env["late.payment.reminder"].search([
            ("company_id", "=", cls.company.id), ("level_id.kind", "=", "discount")])

    def test_discount_reminders_in_the_log(self):
        past = self.reminders.filtered(lambda reminder: reminder.date < self.today)
        self.assertGreaterEqual(len(past), 3)
        # only the customer whose payment term grants a discount, always before its deadline
        self.assertEqual(past.partner_id, self.garage)
        for line in past.line_ids:
            with self.subTest(invoice=line.move_id.name):
                self.assertTrue(line.move_id.invoice_payment_term_id.early_discount)
                self.assertLessEqual(line.date, line.move_line_id.discount_date)
                self.assertEqual(line.level_id.kind, "discount")
        self.assertEqual(past.tone_id, self.env.ref("account_late_payment.late_payment_tone_courteous"))

    def test_todays_discount_reminder(self):
        invoice = self.env["account.move"].search([
            ("partner_id", "=", self.garage.id), ("move_type", "=", "out_invoice"),
            ("payment_state", "=", "not_paid"), ("state", "=", "posted")], order="invoice_date desc", limit=1)
        line = invoice.line_ids.filtered(lambda line: line.display_type == "payment_term")
        self.assertTrue(line.late_payment_discount_open)
        self.assertGreaterEqual(line.discount_date, self.today)
        dossier = self.env["late.payment.dossier"].search([
            ("partner_id", "=", self.garage.id), ("company_id", "=", self.company.id)])
        todays = self.reminders.filtered(lambda reminder: reminder.date == self.today)
        if not self.company._late_payment_is_business_day(self.today):
            # not sent on a day off: it waits for the next business day's run
            self.assertFalse(todays)
            self.assertEqual(dossier.next_level_id.kind, "discount")
            return
        self.assertEqual(todays.partner_id, self.garage)
        self.assertEqual(todays.line_ids.move_id, invoice)
        self.assertEqual(invoice.late_payment_level_id.kind, "discount")
        # in French, stating the discounted amount and the deadline
        body = html.unescape(str(todays.mail_message_id.body))
        self.assertEqual(self.garage.lang, "fr_FR")
        self.assertIn("Escompte pour paiement anticipé", body)
        self.assertIn(format_date(self.env, line.discount_date, lang_code="fr_FR"), body)
        self.assertIn(format_amount(self.env, line.discount_amount_currency, invoice.currency_id, lang_code="fr_FR"),
                      body)
        self.assertLess(line.discount_amount_currency, line.amount_residual_currency)
        # sent once: the next reminder is the courtesy one, before the due date
        self.assertNotEqual(dossier.next_level_id.kind, "discount")
