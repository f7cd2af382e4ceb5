"""The customer's page opened by the signed link of its reminders: what it shows (the console's
figures), paying with Odoo's demo provider, a promise and a dispute from the customer, and its
security (wrong, expired and revoked tokens, another customer, another company, a portal user
of another customer). See controllers/customer_page.py."""

import re
from datetime import timedelta

from odoo import fields, http
from odoo.fields import Command
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tests.common import JsonRpcException
from odoo.tools import mute_logger

from .common import LatePaymentCommon

ROUTE = "/late-payment/page"


class CustomerPageCommon(LatePaymentCommon, HttpCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._reachable_customer(lang="en_US")
        cls.today = fields.Date.context_today(cls.env["res.partner"])
        old = cls.today - timedelta(days=40)
        cls.inv_old = cls._invoice(1000.0, invoice_date=old)
        cls.inv_recent = cls._invoice(250.0, invoice_date=cls.today - timedelta(days=10))
        cls.inv_future = cls._invoice(400.0, invoice_date=cls.today, terms=cls.env.ref(
            "account.account_payment_term_30days"))
        cls.credit = cls._invoice(100.0, invoice_date=old, move_type="out_refund")
        cls.other_inv = cls._invoice(777.0, invoice_date=old, partner=cls.partner_b)
        cls.dossiers._refresh(partners=cls.customer | cls.partner_b, company=cls.company)
        cls.dossier = cls.dossiers.search([("partner_id", "=", cls.customer.id), ("company_id", "=", cls.company.id)])
        cls.links = cls.env["late.payment.access.link"]
        cls.link = cls.links._link(cls.customer, cls.company)
        cls.token = cls.link.sudo().token
        cls.url = f"{ROUTE}/{cls.link.id}/{cls.token}"

    def _page(self, url=None, **kw):
        return self.url_open(url or self.url, **kw)

    def _post(self, path, data):
        if not getattr(self, "session", None):
            self.authenticate(None, None)  # a visitor's session: the form's CSRF token
        return self.url_open(f"{self.url}/{path}", data={**data, "csrf_token": http.Request.csrf_token(self)})


@tagged("post_install", "-at_install")
class TestCustomerPage(CustomerPageCommon):

    def test_the_page_shows_the_console_figures(self):
        response = self._page()
        self.assertEqual(response.status_code, 200)
        text = response.text
        # the console's overdue balance: 1,000 + 250 overdue less the credit of 100
        self.assertEqual(self.dossier.amount_overdue, 1150.0)
        self.assertEqual(self.dossier.amount_due, 1550.0)
        overdue = re.search(r'o_late_payment_overdue"[^>]*>(.*?)</div>', text, re.S).group(1)
        self.assertIn("1,150.00", overdue)
        total = re.search(r'o_late_payment_total"[^>]*>(.*?)</div>', text, re.S).group(1)
        self.assertIn("1,550.00", total)
        for move in (self.inv_old, self.inv_recent, self.inv_future, self.credit):
            self.assertIn(move.name, text)
        self.assertNotIn(self.other_inv.name, text)
        # days late of the oldest invoice (immediate terms: due on its date)
        self.assertRegex(text, r">\s*40\s*<")
        # the customer's latest reminder: the page was opened
        self.assertEqual(self.link.open_count, 1)

    def test_in_the_customer_language(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.customer.lang = "fr_FR"
        response = self._page()
        self.assertEqual(response.status_code, 200)
        # amounts and dates as the customer reads them
        overdue = re.search(r'o_late_payment_overdue"[^>]*>(.*?)</div>', response.text, re.S).group(1)
        self.assertRegex(overdue, r"1\W150,00")
        self.assertIn(self.inv_old.invoice_date_due.strftime("%d/%m/%Y"), response.text)

    def test_pay_everything_overdue_with_the_demo_provider(self):
        provider = self._demo_provider()
        reminder = self._reminder()
        response = self._page(f"{self.url}?pay=overdue")
        self.assertEqual(response.status_code, 200)
        self.assertIn("o_payment_form", response.text)
        # one transaction: the overdue invoices and the credit note, the net amount
        result = self.make_jsonrpc_request(f"{ROUTE}/{self.link.id}/transaction/overdue/0", {
            "access_token": self.token, "provider_id": provider.id,
            "payment_method_id": provider.payment_method_ids[:1].id, "token_id": None, "amount": 1150.0,
            "flow": "direct", "tokenization_requested": False, "landing_route": "/elsewhere",
            "is_validation": False,
        })
        tx = self.env["payment.transaction"].sudo().search([("reference", "=", result["reference"])])
        self.assertEqual(tx.amount, 1150.0)
        self.assertEqual(tx.invoice_ids, self.inv_old | self.inv_recent | self.credit)
        self.assertEqual(tx.landing_route, f"{ROUTE}/{self.link.id}/{self.token}?done=paid")
        self.assertEqual(tx.late_payment_link_id, self.link)
        self.make_jsonrpc_request("/payment/demo/simulate_payment", {
            "reference": tx.reference, "payment_details": "4242", "simulated_state": "done"})
        tx._post_process()
        self.assertEqual(tx.state, "done")
        self.assertEqual(self.inv_old.payment_state, "paid")
        self.assertEqual(self.inv_recent.payment_state, "paid")
        self.assertEqual(self.credit.payment_state, "paid")
        self.assertEqual(self.inv_future.payment_state, "not_paid")
        self.assertEqual(reminder.tracking_state, "paid")
        self.assertEqual(reminder.paid_transaction_id, tx)
        # counted in the recovery by level: one customer paid 1,150 from its page after the firm reminder
        dashboard = self.env["late.payment.dashboard"].with_company(self.company).create({})
        self.assertEqual(dashboard._paid_from_page(self.company, self.today), {self.firm.id: (1, 1150.0)})
        self.assertIn("o_late_payment_paid_from_page", dashboard.recovery_html)

    def test_pay_a_selection_and_the_amount_is_the_server_s(self):
        provider = self._demo_provider()
        response = self._page(f"{self.url}?pay=selection&invoice_ids={self.inv_recent.id}")
        self.assertIn("250.00", response.text)
        params = {"access_token": self.token, "provider_id": provider.id,
                  "payment_method_id": provider.payment_method_ids[:1].id, "token_id": None,
                  "flow": "direct", "tokenization_requested": False, "landing_route": "/", "is_validation": False}
        # another customer's invoice in the selection: refused
        with mute_logger("odoo.http"), self.assertRaises(JsonRpcException):
            self.make_jsonrpc_request(
                f"{ROUTE}/{self.link.id}/transaction/selection/{self.other_inv.id}", {**params, "amount": 777.0})
        # a smaller amount than the invoice's: refused
        with mute_logger("odoo.http"), self.assertRaises(JsonRpcException):
            self.make_jsonrpc_request(
                f"{ROUTE}/{self.link.id}/transaction/selection/{self.inv_recent.id}", {**params, "amount": 1.0})
        self.assertFalse(self.env["payment.transaction"].sudo().search([("late_payment_link_id", "=", self.link.id)]))
        result = self.make_jsonrpc_request(
            f"{ROUTE}/{self.link.id}/transaction/selection/{self.inv_recent.id}", {**params, "amount": 250.0})
        tx = self.env["payment.transaction"].sudo().search([("reference", "=", result["reference"])])
        self.assertEqual((tx.amount, tx.invoice_ids), (250.0, self.inv_recent))

    def test_a_visitor_cannot_use_the_customer_s_saved_card(self):
        provider = self._demo_provider()
        token = self.env["payment.token"].sudo().create({
            "provider_id": provider.id, "payment_method_id": provider.payment_method_ids[:1].id,
            "partner_id": self.customer.id, "provider_ref": "saved", "payment_details": "4242"})
        response = self._page(f"{self.url}?pay=overdue")
        self.assertNotIn("4242", response.text)
        with mute_logger("odoo.http"), self.assertRaises(JsonRpcException):
            self.make_jsonrpc_request(f"{ROUTE}/{self.link.id}/transaction/overdue/0", {
                "access_token": self.token, "provider_id": provider.id, "payment_method_id": None,
                "token_id": token.id, "amount": 1150.0, "flow": "token", "tokenization_requested": False,
                "landing_route": "/", "is_validation": False})
        self.assertFalse(self.env["payment.transaction"].sudo().search([("token_id", "=", token.id)]))

    def test_promise_from_the_page(self):
        date = self.today + timedelta(days=12)
        response = self._post("promise", {"date": date.isoformat(), "amount": "600"})
        self.assertEqual(response.status_code, 200)
        promise = self.env["late.payment.promise"].search([("partner_id", "=", self.customer.id)])
        self.assertEqual((promise.amount, promise.date, promise.from_customer, promise.state),
                         (600.0, date, True, "open"))
        # the reminders pause as for the accountant's promise
        self.dossier.invalidate_recordset()
        self.assertEqual(self.dossier.open_promise_id, promise)
        self.assertEqual(self.dossier.status, "waiting")
        self.assertTrue(self.dossier.activity_ids.filtered(lambda a: "promised on its page" in (a.summary or "")))
        # a promise in the past: the error on the page, nothing recorded
        response = self._post("promise", {"date": (self.today - timedelta(days=1)).isoformat(), "amount": "10"})
        self.assertIn("cannot be in the past", response.text)
        self.assertEqual(self.env["late.payment.promise"].search_count([("partner_id", "=", self.customer.id)]), 1)

    def test_dispute_from_the_page(self):
        response = self._post("dispute", {"invoice_id": self.inv_old.id, "reason": "Goods never delivered"})
        self.assertEqual(response.status_code, 200)
        dispute = self.env["late.payment.dispute"].search([("move_id", "=", self.inv_old.id)])
        self.assertEqual((dispute.reason, dispute.from_customer, dispute.state),
                         ("Goods never delivered", True, "open"))
        self.assertTrue(self.inv_old.late_payment_disputed)
        # left out of the follow-up, as the accountant's dispute: 250 overdue less the credit
        self.dossier.invalidate_recordset()
        self.assertEqual(self.dossier.amount_overdue, 150.0)
        # another customer's invoice: refused on the page, nothing recorded
        response = self._post("dispute", {"invoice_id": self.other_inv.id, "reason": "Not mine"})
        self.assertIn("Choose one of your open invoices", response.text)
        self.assertFalse(self.other_inv.late_payment_disputed)

    def _demo_provider(self):
        demo = self.env.ref("payment.payment_provider_demo")
        self.assertEqual(demo.module_state, "installed", "payment_demo must be installed for the page's tests")
        provider = self.env["payment.provider"].sudo().search(
            [("code", "=", "demo"), ("company_id", "=", self.company.id)], limit=1) or demo.sudo().copy(
            {"company_id": self.company.id})
        provider.write({"state": "test", "is_published": True,
                        "journal_id": self.company_data["default_journal_bank"].id})
        return provider

    def _reminder(self):
        return self.env["late.payment.reminder"].sudo().create({
            "partner_id": self.customer.id, "company_id": self.company.id, "dossier_id": self.dossier.id,
            "level_id": self.firm.id, "amount_total": 1150.0, "channel_email": True, "recipient_id": self.customer.id,
        })


@tagged("post_install", "-at_install")
class TestCustomerPageSecurity(CustomerPageCommon):

    def test_one_link_per_customer_and_company(self):
        self.assertEqual(self.links._link(self.customer, self.company), self.link)
        self.assertGreaterEqual(len(self.token), 43)  # 32 random bytes
        other = self.links._link(self.partner_b, self.company)
        self.assertNotEqual(other, self.link)
        self.assertNotEqual(other.sudo().token, self.token)

    def test_wrong_token(self):
        with mute_logger("odoo.http"):
            response = self._page(f"{ROUTE}/{self.link.id}/{'x' * len(self.token)}")
        self.assertEqual(response.status_code, 404)
        self.assertNotIn(self.inv_old.name, response.text)
        # no link at all
        with mute_logger("odoo.http"):
            self.assertEqual(self._page(f"{ROUTE}/{self.link.id + 1000}/{self.token}").status_code, 404)

    def test_another_customer_s_id(self):
        other = self.links._link(self.partner_b, self.company)
        # the other customer's link id with this customer's token: nothing
        with mute_logger("odoo.http"):
            response = self._page(f"{ROUTE}/{other.id}/{self.token}")
        self.assertEqual(response.status_code, 404)
        self.assertNotIn(self.other_inv.name, response.text)
        # its own link shows its own invoices only
        response = self._page(f"{ROUTE}/{other.id}/{other.sudo().token}")
        self.assertIn(self.other_inv.name, response.text)
        self.assertNotIn(self.inv_old.name, response.text)

    def test_another_company(self):
        company_b = self.setup_other_company()["company"]
        self._invoice(555.0, invoice_date=self.today - timedelta(days=40), company=company_b)
        self.dossiers._refresh(partners=self.customer, company=company_b)
        link_b = self.links._link(self.customer, company_b)
        self.assertNotEqual(link_b, self.link)
        # (the invoice numbers of the two companies may be the same: the amounts tell them apart)
        response = self._page()
        self.assertIn("1,000.00", response.text)
        self.assertNotIn("555.00", response.text)
        response = self._page(f"{ROUTE}/{link_b.id}/{link_b.sudo().token}")
        self.assertIn("555.00", response.text)
        self.assertNotIn("1,000.00", response.text)
        # company A's token on company B's link: nothing
        with mute_logger("odoo.http"):
            self.assertEqual(self._page(f"{ROUTE}/{link_b.id}/{self.token}").status_code, 404)

    def test_expired_token(self):
        self.link.sudo().date_expiry = self.today - timedelta(days=1)
        response = self._page()
        self.assertEqual(response.status_code, 403)
        self.assertIn("expired", response.text)
        self.assertNotIn(self.inv_old.name, response.text)
        response = self._post("promise", {"date": (self.today + timedelta(days=5)).isoformat(), "amount": "10"})
        self.assertEqual(response.status_code, 403)
        self.assertFalse(self.env["late.payment.promise"].search([("partner_id", "=", self.customer.id)]))
        # the next document carries a new link, with a new token
        renewed = self.links._link(self.customer, self.company)
        self.assertNotEqual(renewed, self.link)
        self.assertNotEqual(renewed.sudo().token, self.token)
        self.assertEqual(self._page(f"{ROUTE}/{renewed.id}/{renewed.sudo().token}").status_code, 200)

    def test_revoked_token(self):
        self.dossier.with_user(self.lp_user).action_revoke_link()
        self.assertTrue(self.link.sudo().revoked)
        response = self._page()
        self.assertEqual(response.status_code, 403)
        self.assertIn("withdrawn", response.text)
        self.assertNotIn(self.inv_old.name, response.text)
        response = self._post("dispute", {"invoice_id": self.inv_old.id, "reason": "Too late"})
        self.assertEqual(response.status_code, 403)
        self.assertFalse(self.inv_old.late_payment_disputed)
        with mute_logger("odoo.http"), self.assertRaises(JsonRpcException):
            self.make_jsonrpc_request(f"{ROUTE}/{self.link.id}/transaction/overdue/0", {
                "access_token": self.token, "provider_id": 1, "payment_method_id": 1, "token_id": None,
                "amount": 1150.0, "flow": "direct", "tokenization_requested": False, "landing_route": "/",
                "is_validation": False})

    def test_portal_user_of_another_customer(self):
        new_test_user(self.env, login="lp_page_portal_b", password="lp_page_portal_b", groups="base.group_portal",
                      partner_id=self.partner_b.id)
        self.authenticate("lp_page_portal_b", "lp_page_portal_b")
        # its session gives nothing: without this customer's token, nothing
        with mute_logger("odoo.http"):
            response = self._page(f"{ROUTE}/{self.link.id}/{'y' * 43}")
        self.assertEqual(response.status_code, 404)
        self.assertNotIn(self.inv_old.name, response.text)
        # and its own records through the ORM: not this customer's links
        portal_b = self.env["res.users"].search([("login", "=", "lp_page_portal_b")])
        self.assertFalse(self.links.with_user(portal_b).has_access("read"))

    def test_revoking_needs_access(self):
        from odoo.exceptions import AccessError
        billing = new_test_user(self.env, login="lp_page_billing", company_id=self.company.id,
                                groups="account.group_account_invoice")
        with self.assertRaises(AccessError):
            self.link.with_user(billing).action_revoke()
        self.assertFalse(self.link.sudo().revoked)


@tagged("post_install", "-at_install")
class TestCustomerPageInDocuments(CustomerPageCommon):

    def test_the_reminder_email_and_letter_carry_the_link(self):
        detail = self.dossier._amounts_detail(self.dossier.line_ids)
        self.assertEqual(detail["page_url"], self.link._url())
        body = self.dossier._late_payment_email_body()
        self.assertIn(self.link._url(), str(body))
        statement = self.dossier._statement_data()
        self.assertEqual(statement["page_url"], self.link._url())
        self.assertTrue(statement["page_qr"].startswith("data:image/png;base64,"))
        reminder = self.env["late.payment.reminder"].sudo().create({
            "partner_id": self.customer.id, "company_id": self.company.id, "dossier_id": self.dossier.id,
            "level_id": self.firm.id, "amount_total": 1150.0, "channel_letter": True, "letter_state": "queued",
            "letter_body": "<p>Please pay.</p>", "recipient_id": self.customer.id,
            "line_ids": [Command.create({
                "move_line_id": line.id, "move_id": line.move_id.id, "partner_id": self.customer.id,
                "company_id": self.company.id, "date": self.today, "currency_id": line.currency_id.id,
                "date_maturity": line.date_maturity, "amount_residual": line.amount_residual,
                "amount_residual_currency": line.amount_residual_currency,
            }) for line in self._receivable_lines(self.inv_old)],
        })
        data = reminder._letter_data()
        self.assertEqual(data["page_url"], self.link._url())
        self.assertTrue(data["page_qr"].startswith("data:image/png;base64,"))
        html = self.env["ir.actions.report"]._render_qweb_html(
            "account_late_payment.action_report_late_payment_letter", reminder.ids)[0].decode()
        self.assertIn("o_late_payment_page_qr", html)
        self.assertIn(self.link._url(), html)
