from odoo import fields
from odoo.tests import TransactionCase, tagged
from odoo.tools.safe_eval import safe_eval


@tagged("post_install", "-at_install", "late_payment_demo")
class TestRiskDemo(TransactionCase):
    """The risk of the demo customers (run by `make test` on the database it builds like `make demo`)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.ref("account_late_payment.demo_partner_transports_petit").invoice_ids.company_id[:1]
        cls.dossiers = cls.env["late.payment.dossier"].search([("company_id", "=", cls.company.id)])

    def _dossier(self, key):
        partner = self.env.ref(f"account_late_payment.demo_partner_{key}")
        return self.dossiers.filtered(lambda d: d.partner_id == partner)

    def test_scores_follow_the_payment_habits(self):
        for key in ("menuiserie_bernard", "agence_lambert", "librairie_rousseau"):
            with self.subTest(customer=key):
                dossier = self._dossier(key)
                self.assertGreaterEqual(dossier.risk_score, 50.0)
                self.assertGreaterEqual(dossier.risk_class_id.min_score, 50.0)
                self.assertTrue(dossier.risk_class_id.warn)
        critical = self._dossier("agence_lambert").risk_class_id
        self.assertGreaterEqual(self._dossier("agence_lambert").risk_score, 75.0)
        self.assertEqual((critical.with_context(lang="en_US").name, critical.with_context(lang="fr_FR").name),
                         ("Critical", "Critique"))
        for key in ("boulangerie_martin", "pharmacie_dubois", "garage_moreau"):
            with self.subTest(customer=key):
                dossier = self._dossier(key)
                self.assertLess(dossier.risk_score, 10.0)
                self.assertEqual(dossier.risk_class_id.min_score, 0.0)
                self.assertFalse(dossier.risk_no_history)
        self.assertLess(self._dossier("boulangerie_martin").risk_score, self._dossier("hotel_parc").risk_score)
        self.assertLess(self._dossier("hotel_parc").risk_score, self._dossier("menuiserie_bernard").risk_score)
        # the new customer has no history yet: the neutral score
        newcomer = self._dossier("studio_mercier")
        self.assertEqual((newcomer.risk_score, newcomer.risk_no_history), (30.0, True))

    def test_customer_who_stopped_paying_scores_high(self):
        """Transports Petit stopped paying four months ago (handed to collection): its open
        invoices count with the days late they reached, not only the ones it paid before."""
        dossier = self._dossier("transports_petit")
        self.assertGreater(dossier.amount_overdue, 15000.0)
        self.assertGreaterEqual(dossier.risk_score, 50.0)
        self.assertGreaterEqual(dossier.risk_class_id.min_score, 50.0)
        factors = {factor.code: factor for factor in dossier.risk_factor_ids}
        # its settled invoices were paid within 6 days of their due date (3 days on average): the
        # 18,432 still open, 15 to 75 days late, bring the average to about 15 days
        self.assertGreater(factors["days_late"].value, 10.0)
        self.assertEqual(factors["late_share"].value, 100.0)

    def test_open_invoices_have_an_expected_payment_date(self):
        today = fields.Date.context_today(self.env.user)
        moves = self.env["account.move"].search([
            ("company_id", "=", self.company.id), ("move_type", "=", "out_invoice"), ("state", "=", "posted"),
            ("payment_state", "in", ("not_paid", "partial")), ("late_payment_disputed", "=", False)])
        self.assertTrue(moves)
        for move in moves:
            with self.subTest(invoice=move.name):
                self.assertTrue(move.late_payment_expected_date)
                self.assertLessEqual(move.late_payment_expected_low, move.late_payment_expected_date)
                self.assertLessEqual(move.late_payment_expected_date, move.late_payment_expected_high)
                self.assertGreaterEqual(move.late_payment_expected_low, today)
        # a punctual customer is expected around its due date, a chronic late payer weeks after it
        punctual = self._dossier("boulangerie_martin")
        chronic = self._dossier("agence_lambert")
        self.assertLess(punctual.prediction_delay, 0.0)
        self.assertGreater(chronic.prediction_delay, 30.0)
        self.assertIn("days late on average", chronic.with_context(lang="en_US").prediction_summary)

    def test_every_customer_is_scored_and_explained(self):
        scored = self.dossiers.filtered("risk_date")
        demo = self.env["res.partner"].browse([
            self.env.ref(f"account_late_payment.{data.name}").id
            for data in self.env["ir.model.data"].search([
                ("module", "=", "account_late_payment"), ("model", "=", "res.partner"),
                ("name", "=like", "demo_partner_%")])])
        self.assertLessEqual(demo, scored.partner_id)
        for dossier in scored:
            self.assertAlmostEqual(sum(dossier.risk_factor_ids.mapped("points")), dossier.risk_score, delta=0.06)
            self.assertTrue(all(factor.points <= factor.weight + 1e-6 for factor in dossier.risk_factor_ids))
            partner = dossier.partner_id.with_company(self.company)
            self.assertEqual(partner.late_payment_risk_class_id, dossier.risk_class_id)
        # an explanation in French for the French accountant
        factor = self._dossier("agence_lambert").risk_factor_ids.with_context(lang="fr_FR")[:1]
        self.assertEqual(factor.code, "days_late")
        self.assertNotEqual(factor.name, "Average days paid beyond terms, weighted by amount")
        # the credit limit is the yardstick where there is one
        codes = self._dossier("agence_lambert").risk_factor_ids.mapped("code")
        self.assertIn("exposure_credit_limit", codes)

    def test_customer_in_collective_proceedings_gets_no_reminders(self):
        dossier = self._dossier("restaurant_lyonnais")
        partner = dossier.partner_id
        self.assertEqual((partner.late_payment_proceedings_state, partner.late_payment_proceedings_procedure),
                         ("open", "redressement"))
        self.assertEqual(partner.late_payment_legal_state, "active")
        self.assertEqual(dossier.status, "proceedings")
        self.assertFalse(dossier.next_action_date)
        self.assertGreater(dossier.amount_due, 0)
        lines = self.env["account.move.line"].search([
            ("partner_id", "=", partner.id), ("late_payment_next_date", "!=", False)])
        self.assertFalse(lines)
        invoice = partner.invoice_ids.filtered(
            lambda move: move.move_type == "out_invoice" and move.payment_state in ("not_paid", "partial"))[:1]
        self.assertIn("account_late_payment_proceedings", invoice._get_alerts())
        # recorded before the demo's own run of today, which sent it nothing
        today = fields.Date.context_today(self.env.user)
        self.assertFalse(self.env["late.payment.reminder"].search([("partner_id", "=", partner.id),
                                                                   ("date", "=", today)]))
        # still so after the nightly refresh and risk recompute
        self.env["late.payment.dossier"]._refresh(company=self.company)
        self.env["late.payment.dossier"]._compute_risk(self.company)
        self.assertEqual(dossier.status, "proceedings")

    def test_customers_by_risk(self):
        action = self.env["ir.actions.act_window"]._for_xml_id("account_late_payment.action_late_payment_risk")
        groups = self.env["late.payment.dossier"].formatted_read_group(
            [*safe_eval(action["domain"]), ("company_id", "=", self.company.id)], ["risk_class_id"],
            ["amount_overdue:sum", "__count"])
        by_class = {group["risk_class_id"][1]: group for group in groups if group["risk_class_id"]}
        self.assertGreaterEqual(len(by_class), 3)
        self.assertGreater(sum(group["amount_overdue:sum"] for group in groups), 0)
