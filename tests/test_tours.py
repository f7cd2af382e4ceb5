from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon


@tagged("post_install", "-at_install")
class TestTours(AccountTestInvoicingCommon, HttpCase):
    """What an accountant does in the browser (headless Chromium)."""

    @classmethod
    def get_default_groups(cls):
        return super().get_default_groups() | cls.env.ref("account_late_payment.group_late_payment_user")

    def test_followups_menu(self):
        self._create_invoice_one_line(price_unit=800.0, partner_id=self.partner_a, invoice_date="2026-01-10",
                                      invoice_payment_term_id=self.pay_terms_a, post=True)
        self.start_tour("/odoo", "late_payment_followups_tour", login=self.env.user.login)

    def test_console_tour(self):
        customer = self.env["res.partner"].create({
            "name": "Console Customer", "email": "billing@console-customer.example", "is_company": True,
            "street": "1 Main Street", "city": "Springfield", "zip": "12345"})
        today = fields.Date.context_today(self.env.user)
        self.env.company.sudo().late_payment_go_live_date = today  # the follow-up has started
        invoice = self._create_invoice_one_line(
            price_unit=800.0, partner_id=customer, invoice_date=today - timedelta(days=20),
            invoice_payment_term_id=self.pay_terms_a, post=True)
        dossier = self.env["late.payment.dossier"]._refresh(partners=customer, company=self.env.company)
        self.assertEqual(dossier.status, "due")
        self.start_tour("/odoo", "late_payment_console_tour", login=self.env.user.login)
        reminder = dossier.reminder_ids
        self.assertEqual((reminder.origin, reminder.user_id), ("console", self.env.user))
        self.assertEqual(reminder.line_ids.move_id, invoice)
