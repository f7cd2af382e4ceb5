from odoo.tests import HttpCase, new_test_user, tagged

from .common import LatePaymentCommon, day


@tagged("post_install", "-at_install")
class TestSettlementPortal(LatePaymentCommon, HttpCase):
    """A customer sees its own payment plans in its portal, never another customer's."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        plans = cls.env["late.payment.plan"]
        with cls._at(day(30)):
            own = cls._invoice(900.0)
            other = cls._invoice(600.0, partner=cls.partner_b)
            cls.own_plan = plans._create_plan(cls.customer, own.ids, 3, day(40))
            cls.other_plan = plans._create_plan(cls.partner_b, other.ids, 2, day(40))
        cls.portal_user = new_test_user(cls.env, login="lp_portal_customer", password="lp_portal_customer",
                                        groups="base.group_portal", partner_id=cls.customer.id)

    def test_own_plans_only(self):
        plans = self.env["late.payment.plan"].with_user(self.portal_user).search([])
        self.assertEqual(plans, self.own_plan)
        self.authenticate("lp_portal_customer", "lp_portal_customer")
        response = self.url_open("/my/late-payment-plans")
        self.assertEqual(response.status_code, 200)
        self.assertIn(self.own_plan.name, response.text)
        self.assertNotIn(self.other_plan.name, response.text)
        response = self.url_open(f"/my/late-payment-plans/{self.own_plan.id}")
        self.assertEqual(response.status_code, 200)
        self.assertIn("300.00", response.text)
        response = self.url_open(f"/my/late-payment-plans/{self.other_plan.id}")
        self.assertTrue(response.url.endswith("/my"), response.url)
        self.assertNotIn(self.other_plan.name, response.text)
        response = self.url_open(f"/my/late-payment-plans/{self.own_plan.id}?report_type=html")
        self.assertEqual(response.status_code, 200)
        self.assertIn("signature", response.text)
