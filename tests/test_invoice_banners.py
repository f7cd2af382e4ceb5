from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, new_test_user, tagged

from .test_risk import TODAY, RiskCommon


@tagged("post_install", "-at_install")
class TestInvoiceBanners(RiskCommon):
    """The invoice form: the banner of a disputed invoice, and on a risky customer's draft invoice
    the button that applies its risk class's payment term or deposit."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer.with_company(cls.company).credit_limit = 0.0
        cls._settled(1000.0, TODAY.replace(day=1), TODAY.replace(day=2))
        cls.term_45 = cls.env["account.payment.term"].create({
            "name": "45 days", "line_ids": [(0, 0, {"value": "percent", "value_amount": 100.0, "nb_days": 45})]})
        cls.reader = new_test_user(cls.env, login="lp_banner_reader", company_id=cls.company.id,
                                   groups="account.group_account_readonly")

    def _new_invoice(self):
        with Form(self.env["account.move"].with_context(default_move_type="out_invoice")) as form:
            form.partner_id = self.customer
            form.invoice_date = TODAY
            form.invoice_payment_term_id = self.term_45
            with form.invoice_line_ids.new() as line:
                line.name = "Oak shelves"
                line.price_unit = 1000.0
                line.tax_ids.clear()
        return form.save()

    def test_risk_class_payment_term_applied_in_one_click(self):
        self._score()
        self.medium.write({"warn": True, "payment_term_id": self.env.ref("account.account_payment_term_immediate").id})
        invoice = self._new_invoice()
        self.assertEqual(invoice.invoice_payment_term_id, self.term_45)
        self.assertTrue(invoice.late_payment_risk_terms_to_apply)
        invoice.action_late_payment_apply_risk_terms()
        self.assertEqual(invoice.invoice_payment_term_id, self.env.ref("account.account_payment_term_immediate"))
        self.assertEqual(invoice.invoice_date_due, TODAY)
        self.assertFalse(invoice.late_payment_risk_terms_to_apply)
        self.assertIn("Payment term of the risk class Medium applied: Immediate Payment (was 45 days).",
                      str(invoice.message_ids[:1].body))

    def test_risk_class_deposit_applied_in_one_click(self):
        self._score()
        self.medium.write({"warn": True, "deposit_percent": 30.0, "payment_term_id": False})
        invoice = self._new_invoice()
        self.assertTrue(invoice.late_payment_risk_terms_to_apply)
        invoice.action_late_payment_apply_risk_terms()
        term = invoice.invoice_payment_term_id
        self.assertEqual(term.name, "30 % deposit, balance 45 days")
        # 300.00 now, 700.00 at 45 days
        receivables = invoice.line_ids.filtered(
            lambda line: line.display_type == "payment_term").sorted("date_maturity")
        self.assertEqual(receivables.mapped("amount_residual"), [300.0, 700.0])
        self.assertEqual([(line.date_maturity - TODAY).days for line in receivables], [0, 45])
        self.assertFalse(invoice.late_payment_risk_terms_to_apply)
        # the same term serves the next invoice
        second = self._new_invoice()
        second.action_late_payment_apply_risk_terms()
        self.assertEqual(second.invoice_payment_term_id, term)

    def test_nothing_to_apply_is_said_in_words(self):
        self._score()
        invoice = self._new_invoice()
        self.assertFalse(invoice.late_payment_risk_terms_to_apply)
        with self.assertRaises(UserError):
            invoice.action_late_payment_apply_risk_terms()
        self.medium.write({"warn": True, "payment_term_id": self.env.ref("account.account_payment_term_immediate").id})
        with self.assertRaises(AccessError):
            invoice.with_user(self.reader).action_late_payment_apply_risk_terms()
        self.assertEqual(invoice.invoice_payment_term_id, self.term_45)

    def test_disputed_invoice_banner(self):
        invoice = self._invoice_due(500.0, TODAY)
        self.assertNotIn("account_late_payment_disputed", invoice._get_alerts())
        invoice.late_payment_dispute("Damaged delivery")
        alert = invoice._get_alerts()["account_late_payment_disputed"]
        self.assertEqual(alert["level"], "warning")
        self.assertIn("Damaged delivery. This invoice gets no reminder until the dispute is resolved.",
                      alert["message"])
        self.assertIn("account_late_payment_disputed", invoice.alerts)
        invoice.late_payment_resolve_dispute()
        self.assertNotIn("account_late_payment_disputed", invoice._get_alerts())
