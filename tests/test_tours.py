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
