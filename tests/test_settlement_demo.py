from odoo import fields
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install", "late_payment_demo")
class TestSettlementDemo(TransactionCase):
    """Settlement in the demo database of `make demo`: a customer on a plan, one with a promise,
    a disputed invoice, one in collection."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.ref("account_late_payment.demo_partner_transports_petit").invoice_ids.company_id[:1]
        cls.today = fields.Date.context_today(cls.env["late.payment.plan"])

    def _customer(self, key):
        return self.env.ref(f"account_late_payment.demo_partner_{key}")

    def _dossier(self, key):
        return self.env["late.payment.dossier"].search([("partner_id", "=", self._customer(key).id),
                                                        ("company_id", "=", self.company.id)])

    def test_a_customer_on_a_plan(self):
        plan = self.env["late.payment.plan"].search([("partner_id", "=", self._customer("menuiserie_bernard").id)])
        self.assertEqual(len(plan), 1)
        self.assertEqual(plan.state, "running")
        self.assertEqual(len(plan.line_ids), 5)  # a down payment and four instalments
        self.assertEqual(plan.line_ids.sorted("date").mapped("state")[:3], ["paid", "paid", "paid"])
        self.assertTrue(all(line.payment_note for line in plan.line_ids.filtered(lambda line: line.state == "paid")))
        # what paid each instalment, in the reader's language
        paid = plan.line_ids.filtered(lambda line: line.state == "paid")[:1]
        self.assertRegex(paid.with_context(lang="en_US").payment_note, r"\d\.\d\d\s€ on ")
        self.assertRegex(paid.with_context(lang="fr_FR").payment_note, r"\d,\d\d\s€ le ")
        self.assertEqual(plan.user_id, self.env.ref("base.user_admin"))  # not the superuser that loaded the demo
        self.assertAlmostEqual(sum(plan.line_ids.mapped("amount")), plan.amount_total, places=2)
        self._assert_waits(self._dossier("menuiserie_bernard"), plan.move_ids, plan.line_ids[-1:].date)

    def test_a_customer_with_a_promise(self):
        promise = self.env["late.payment.promise"].search(
            [("partner_id", "=", self._customer("librairie_rousseau").id), ("state", "=", "open")])
        self.assertEqual(len(promise), 1)
        self.assertGreater(promise.date, self.today)
        self._assert_waits(self._dossier("librairie_rousseau"), promise.move_ids, promise.date)

    def _assert_waits(self, dossier, moves, until):
        """The invoices of a promise or a plan wait until its end; the customer's other invoices
        are followed as usual (the dossier waits only when nothing else is to remind)."""
        self.assertTrue(moves)
        lines = moves.line_ids.filtered(lambda line: line.account_type == "asset_receivable")
        self.assertFalse(lines.filtered(
            lambda line: line.late_payment_next_date and line.late_payment_next_date <= until))
        self.assertIn(dossier.status, ("waiting", "planned", "due"))
        # the customer's next reminder may list them (one overdue balance), never reminding them before the end
        listed = dossier.reminder_line_ids.filtered(lambda line: line.move_id in moves)
        self.assertFalse(listed.filtered(
            lambda line: line.late_payment_next_level_id and line.late_payment_next_date <= until))
        if dossier.status == "waiting":
            self.assertGreater(dossier.next_action_date, until)

    def test_a_disputed_invoice(self):
        dispute = self.env["late.payment.dispute"].search(
            [("partner_id", "=", self._customer("domaine_fontaine").id), ("state", "=", "open")])
        self.assertEqual(len(dispute), 1)
        self.assertTrue(dispute.move_id.late_payment_disputed)
        self.assertGreater(self._dossier("domaine_fontaine").amount_excluded, 0)

    def test_a_customer_in_collection(self):
        dossier = self._dossier("transports_petit")
        self.assertEqual((dossier.status, dossier.collection_state), ("collection", "collection"))
        self.assertTrue(dossier.collection_date)
        self.assertTrue(dossier.activity_ids)
        html, _kind = self.env["ir.actions.report"]._render_qweb_html(
            "account_late_payment.action_report_late_payment_collection", dossier.ids)
        self.assertIn("Transports Petit", html.decode())
