from odoo import fields
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install", "late_payment_demo")
class TestDemoPenalties(TransactionCase):
    """The demo database of `make demo`: late customers show their accrued penalties."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.ref("base.demo_company_fr")
        cls.env = cls.env(context=dict(cls.env.context, allowed_company_ids=[cls.company.id]))
        cls.today = fields.Date.context_today(cls.env["res.partner"])

    def _partner(self, key):
        return self.env.ref(f"account_late_payment.demo_partner_{key}").with_company(self.company)

    def test_french_statutory_defaults(self):
        self.assertEqual(self.company.late_payment_interest_mode, "statutory")
        self.assertEqual(self.company.late_payment_interest_margin, 10.0)
        self.assertEqual(self.company.late_payment_indemnity_amount, 40.0)
        self.assertEqual(self.company.late_payment_day_count, "actual_365")

    def test_late_customers_show_their_interest(self):
        for key in ("transports_petit", "agence_lambert"):
            partner = self._partner(key)
            self.assertGreater(partner.late_payment_interest, 0, key)
            self.assertGreaterEqual(partner.late_payment_indemnity, 40.0, key)
        petit = self._partner("transports_petit")
        overdue = self.env["account.move"].search([
            ("partner_id", "=", petit.id), ("move_type", "=", "out_invoice"), ("state", "=", "posted"),
            ("payment_state", "=", "not_paid"), ("invoice_date_due", "<", self.today)])
        self.assertTrue(overdue)
        results = overdue.late_payment_penalties()
        self.assertAlmostEqual(sum(r["interest"] for r in results), petit.late_payment_interest, places=2)
        self.assertEqual(petit.late_payment_indemnity, 40.0 * len(overdue))
        oldest = overdue.sorted("invoice_date_due")[0]
        self.assertEqual(oldest.late_payment_days_late, (self.today - oldest.invoice_date_due).days)
        self.assertGreater(oldest.late_payment_interest, 0)

    def test_the_consumer_owes_no_indemnity(self):
        faure = self._partner("julien_faure")
        self.assertEqual(faure.late_payment_indemnity, 0.0)
        self.assertEqual(faure.late_payment_interest, 0.0)

    def test_paid_early_owes_nothing(self):
        martin = self._partner("boulangerie_martin")
        invoices = self.env["account.move"].search([("partner_id", "=", martin.id), ("move_type", "=", "out_invoice")])
        self.assertTrue(all(r["interest"] == 0 and r["indemnity"] == 0 for r in invoices.late_payment_penalties()))
