from unittest.mock import patch

from odoo.exceptions import UserError
from odoo.fields import Command
from odoo.tests import new_test_user, tagged

from .test_risk import TODAY, RiskCommon


@tagged("post_install", "-at_install")
class TestCreditGuard(RiskCommon):
    """Posting customer invoices over the credit limit or for a customer in a blocking class."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write({"account_use_credit_limit": True, "late_payment_credit_guard": True})
        cls.customer.with_company(cls.company).credit_limit = 1000.0
        cls.billing = new_test_user(cls.env, login="lp_guard_billing", company_id=cls.company.id,
                                    groups="account.group_account_invoice,account_late_payment.group_late_payment_user")

    def _draft(self, amount, move_type="out_invoice", **values):
        return self._create_invoice_one_line(price_unit=amount, tax_ids=[], partner_id=self.customer,
                                             move_type=move_type, invoice_date=TODAY, post=False, **values)

    def _post_as(self, user, move):
        move.with_user(user).action_post()

    def test_over_the_limit_is_refused(self):
        self._invoice_due(700.0, TODAY)
        within = self._draft(300.0)
        self._post_as(self.billing, within)
        self.assertEqual(within.state, "posted")
        over = self._draft(50.0)
        with self.assertRaises(UserError) as caught:
            self._post_as(self.billing, over)
        message = str(caught.exception)
        self.assertIn("This invoice cannot be posted", message)
        self.assertIn("It takes the customer over its credit limit", message)
        self.assertIn("Menuiserie Exemple has reached its credit limit of", message)
        self.assertIn("1,050.00", message)
        self.assertEqual(over.state, "draft")

    def test_several_invoices_at_once_add_up(self):
        first, second = self._draft(600.0), self._draft(600.0)
        with self.assertRaises(UserError) as caught:
            (first | second).with_user(self.billing).action_post()
        # the second takes the customer over: 600 + 600 > 1,000
        self.assertEqual(str(caught.exception).count(" for Menuiserie Exemple:"), 1)
        self.assertIn("1,200.00", str(caught.exception))

    def test_an_administrator_overrides_and_it_is_logged(self):
        self._invoice_due(900.0, TODAY)
        over = self._draft(500.0)
        self._post_as(self.lp_admin, over)
        self.assertEqual(over.state, "posted")
        self.env.flush_all()
        over.invalidate_recordset(["message_ids"])
        notes = " ".join(str(body) for body in over.message_ids.mapped("body"))
        self.assertIn("despite the customer risk guard", notes)
        self.assertIn(self.lp_admin.name, notes)
        self.assertIn("over its credit limit", notes)

    def test_blocking_class(self):
        self.company.late_payment_credit_guard = False
        self.customer.with_company(self.company).credit_limit = 0.0
        self._settled(1000.0, TODAY.replace(day=1), TODAY.replace(day=2))
        self._score()
        self.assertEqual(self.customer.with_company(self.company).late_payment_risk_class_id, self.medium)
        self.medium.block = True
        invoice = self._draft(100.0)
        # the warning on the draft invoice says it before posting
        alert = invoice._get_alerts()["account_late_payment_risk"]
        self.assertEqual(alert["level"], "danger")
        self.assertIn("is in the risk class Medium (score 30.0 out of 100)", alert["message"])
        with self.assertRaises(UserError) as caught:
            self._post_as(self.billing, invoice)
        self.assertIn("is in the risk class Medium (score 30.0), whose invoices are refused", str(caught.exception))
        self._post_as(self.lp_admin, invoice)
        self.assertEqual(invoice.state, "posted")

    def test_never_blocked(self):
        self._invoice_due(2000.0, TODAY)
        # a credit note
        refund = self._draft(100.0, move_type="out_refund")
        self._post_as(self.billing, refund)
        self.assertEqual(refund.state, "posted")
        # posted by a scheduled action (auto-post at its date)
        auto = self._draft(100.0, auto_post="at_date", date=TODAY)
        with self._at(TODAY), patch.object(type(self.env["ir.cron"]), "_commit_progress", return_value=1.0):
            self.env["account.move"].with_user(self.billing)._autopost_draft_entries()
        self.assertEqual(auto.state, "posted")
        # posted by Odoo itself (superuser: a scheduled action runs as such)
        by_odoo = self._draft(100.0)
        by_odoo.sudo().action_post()
        self.assertEqual(by_odoo.state, "posted")
        # an invoice already paid (a payment matched to it before posting)
        paid = self._draft(100.0)
        payment = self.env["account.payment"].create({
            "payment_type": "inbound", "partner_type": "customer", "partner_id": self.customer.id,
            "amount": 100.0, "date": TODAY, "journal_id": self.company_data["default_journal_bank"].id,
        })
        payment.action_post()
        paid.matched_payment_ids = [Command.link(payment.id)]
        self._post_as(self.billing, paid)
        self.assertEqual(paid.state, "posted")

    def test_guard_off(self):
        self.company.late_payment_credit_guard = False
        self._invoice_due(2000.0, TODAY)
        invoice = self._draft(100.0)
        self._post_as(self.billing, invoice)
        self.assertEqual(invoice.state, "posted")

    def test_risk_warning_on_draft_invoices(self):
        self.customer.with_company(self.company).credit_limit = 0.0
        self._settled(1000.0, TODAY.replace(day=1), TODAY.replace(day=2))
        self._score()
        self.medium.write({"warn": True, "deposit_percent": 20.0,
                           "payment_term_id": self.env.ref("account.account_payment_term_immediate").id})
        invoice = self._draft(100.0)
        alert = invoice._get_alerts()["account_late_payment_risk"]
        self.assertEqual(alert["level"], "warning")
        self.assertIn("Recommended: a deposit of 20 % and the payment term Immediate Payment.", alert["message"])
        self.assertIn("account_late_payment_risk", invoice.alerts)
        invoice.action_post()
        self.assertNotIn("account_late_payment_risk", invoice._get_alerts())
        self.medium.warn = False
        self.assertNotIn("account_late_payment_risk", self._draft(100.0)._get_alerts())
