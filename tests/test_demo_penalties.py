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

    def test_agence_lambert_got_a_penalty_invoice(self):
        lambert = self._partner("agence_lambert")
        penalty = self.env["account.move"].search([("partner_id", "=", lambert.id),
                                                   ("late_payment_is_penalty", "=", True)])
        self.assertEqual(len(penalty), 1)
        self.assertEqual((penalty.state, penalty.amount_tax, penalty.invoice_date),
                         ("posted", 0.0, fields.Date.subtract(self.today, days=30)))
        accounts = penalty.invoice_line_ids.mapped(lambda line: (line.product_id.default_code, line.account_id.code))
        self.assertEqual(set(accounts), {("LATE-INTEREST", "763100"), ("LATE-INDEMNITY", "758100")})
        rows = penalty.late_payment_penalty_line_ids
        self.assertEqual(set(rows.mapped("state")), {"posted"})
        self.assertAlmostEqual(sum(rows.mapped("amount")), penalty.amount_total, places=2)
        indemnities = rows.filtered(lambda row: row.kind == "indemnity")
        self.assertEqual(len(indemnities), len(rows.source_move_id))
        # in French, the customer's language
        self.assertIn("Intérêts de retard, facture", penalty.invoice_line_ids[0].name)
        # the interest of the month since is still to invoice
        late = rows.source_move_id.filtered(lambda move: move.amount_residual)
        self.assertTrue(late)
        self.assertGreater(sum(late.mapped("late_payment_penalty_to_invoice")), 0)
        self.assertFalse(penalty.late_payment_penalty_to_invoice)

    def test_invoices_carry_the_legal_mentions_in_french(self):
        martin = self._partner("boulangerie_martin")
        invoice = self.env["account.move"].search([("partner_id", "=", martin.id), ("move_type", "=", "out_invoice")],
                                                  order="invoice_date desc", limit=1)
        content, _kind = self.env["ir.actions.report"]._render_qweb_html("account.account_invoices", invoice.ids)
        text = " ".join(content.decode().split())
        self.assertIn("Pas d'escompte pour paiement anticipé.", text.replace("&#39;", "'"))
        self.assertIn("Indemnité forfaitaire pour frais de recouvrement en cas de retard de paiement : 40,00", text)
        self.assertIn("taux de refinancement de la Banque centrale européenne majoré de 10 points", text)
        consumer = self._partner("julien_faure")
        invoice = self.env["account.move"].search([("partner_id", "=", consumer.id), ("move_type", "=", "out_invoice")],
                                                  limit=1)
        self.assertEqual(invoice._late_payment_legal_mentions(), [])

    def test_the_public_buyer(self):
        """The public buyer of the demo: one rate for each whole delay (ECB + 8), its own wording."""
        town = self._partner("cc_monts_dor")
        self.assertTrue(town.late_payment_public_buyer)
        invoices = self.env["account.move"].search([("partner_id", "=", town.id), ("move_type", "=", "out_invoice"),
                                                    ("state", "=", "posted")])
        self.assertTrue(invoices)
        results = [r for r in invoices.late_payment_penalties() if r["periods"]]
        self.assertTrue(results)
        for result in results:
            self.assertEqual(len({period["rate"] for period in result["periods"]}), 1, result["name"])
            self.assertEqual(result["indemnity"], 40.0)
        mentions = invoices[0].with_context(lang="en_US")._late_payment_legal_mentions()
        self.assertIn("R2192-31", mentions[0])
        self.assertNotIn("L441-10", " ".join(mentions))
