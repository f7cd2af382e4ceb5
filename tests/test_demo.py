from datetime import timedelta

from odoo import fields
from odoo.tests import TransactionCase, tagged

DEMO_CUSTOMERS = 18


@tagged("post_install", "-at_install", "late_payment_demo")
class TestDemoData(TransactionCase):
    """The demo database of `make demo`: run by `make test` on the database it builds."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customers = cls.env["res.partner"].browse([
            cls.env["ir.model.data"]._xmlid_to_res_id(f"account_late_payment.{name}")
            for name in cls.env["ir.model.data"].search([
                ("module", "=", "account_late_payment"), ("model", "=", "res.partner"),
                ("name", "=like", "demo_partner_%"),
            ]).mapped("name")
        ])
        cls.invoices = cls.env["account.move"].search([
            ("partner_id", "in", cls.customers.ids), ("move_type", "=", "out_invoice"), ("state", "=", "posted"),
        ])
        cls.company = cls.invoices.company_id
        cls.today = fields.Date.context_today(cls.env["res.partner"])

    def _invoices(self, key):
        partner = self.env.ref(f"account_late_payment.demo_partner_{key}")
        return self.invoices.filtered(lambda m: m.partner_id == partner)

    def test_french_company(self):
        self.assertEqual(len(self.company), 1)
        self.assertEqual(self.company.name, "Atelier Lumière SAS")
        self.assertEqual(self.env.ref("base.user_admin").company_id, self.company)
        self.assertEqual(self.company.country_id.code, "FR")
        self.assertEqual(self.company.currency_id.name, "EUR")
        self.assertEqual(self.company.chart_template, "fr")

    def test_customers_with_a_year_of_invoices(self):
        self.assertGreaterEqual(len(self.customers), 15)
        self.assertEqual(len(self.customers), DEMO_CUSTOMERS)
        self.assertTrue(all(self._invoices(key) for key in ("boulangerie_martin", "agence_lambert", "studio_mercier")))
        oldest = min(self.invoices.mapped("invoice_date"))
        self.assertGreaterEqual((self.today - oldest).days, 330)
        self.assertGreaterEqual(len(self.invoices), 150)

    def test_payment_habits_differ(self):
        def days_late(move):
            paid = move._get_reconciled_payments()
            return (max(paid.mapped("date")) - move.invoice_date_due).days if paid else None

        def paid(key):
            return self._invoices(key).filtered(lambda m: m.payment_state in ("paid", "in_payment"))

        early = [days_late(m) for m in paid("boulangerie_martin")]
        self.assertTrue(early and all(d < 0 for d in early), early)
        chronic = [days_late(m) for m in paid("menuiserie_bernard")]
        self.assertTrue(chronic and all(d >= 30 for d in chronic), chronic)
        # the one that stopped paying: nothing paid for four months, its recent invoices overdue
        stopped = self._invoices("transports_petit")
        recent = stopped.filtered(lambda m: m.invoice_date > self.today - timedelta(days=120))
        self.assertTrue(recent and all(m.payment_state == "not_paid" for m in recent))
        self.assertTrue(any(m.invoice_date_due < self.today - timedelta(days=60) for m in recent))
        # partial payments
        self.assertTrue(any(m.payment_state == "partial" for m in self._invoices("restaurant_lyonnais"))
                        or any(len(m._get_reconciled_payments()) > 1 for m in self._invoices("restaurant_lyonnais")))
        # the disputed invoice
        self.assertEqual(self._invoices("domaine_fontaine").filtered("late_payment_disputed").mapped(
            "partner_id.name"), ["Domaine Fontaine"])
        # early-payment discount taken, instalments, a consumer, a foreign customer
        self.assertTrue(self._invoices("garage_moreau").invoice_payment_term_id.early_discount)
        instalments = self._invoices("clinique_roux")[:1]
        self.assertEqual(len(instalments.line_ids.filtered(lambda line: line.display_type == "payment_term")), 2)
        self.assertFalse(self.env.ref("account_late_payment.demo_partner_julien_faure").is_company)
        self.assertEqual(self.env.ref("account_late_payment.demo_partner_brightwell_trading").country_id.code, "GB")

    def test_overdue_today(self):
        overdue = self.invoices.filtered(
            lambda m: m.payment_state in ("not_paid", "partial") and m.invoice_date_due < self.today)
        self.assertGreaterEqual(len(overdue.partner_id), 5)
        self.assertGreater(sum(overdue.mapped("amount_residual")), 20000)
