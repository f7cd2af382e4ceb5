import contextlib
import io
import json
from datetime import timedelta

from odoo import fields
from odoo.fields import Command
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tests.common import Transport
from odoo.tools import mute_logger

from odoo.addons.account_late_payment.client import ApiError, Client
from odoo.addons.account_late_payment.client.__main__ import main as client_main

from .common import LatePaymentCommon

# warns that XML-RPC is deprecated in Odoo 19 (still served; the client supports it)
XMLRPC_LOGGER = "odoo.addons.rpc.controllers.xmlrpc"


class ApiCommon(LatePaymentCommon, HttpCase):
    """A served Odoo (HttpCase) called through the client in the repository (client/), with
    API keys of a late payment user, a user of two companies, an administrator and a portal
    user."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.context_today(cls.env["res.partner"])
        cls.company_2 = cls.setup_other_company()["company"]
        cls.customer.write({"is_company": True, "name": "Api Customer SA"})
        # 40 days overdue, never reminded: the firm reminder is due (the first one after +15)
        cls.late = cls._invoice(1200.0, invoice_date=cls.today - timedelta(days=40))
        cls.recent = cls._invoice(300.0, invoice_date=cls.today)
        # the same (shared) customer owes company 2 too; and a customer of company 2 only
        cls.other_customer = cls.env["res.partner"].create({
            "name": "Company Two Only", "is_company": True, "company_id": cls.company_2.id})
        cls.late_2 = cls._invoice(500.0, invoice_date=cls.today - timedelta(days=20), company=cls.company_2)
        cls.other_invoice = cls._invoice(700.0, invoice_date=cls.today - timedelta(days=20),
                                         partner=cls.other_customer, company=cls.company_2)
        cls.dossiers._refresh(partners=cls.customer | cls.other_customer)
        cls.lp_multi = new_test_user(
            cls.env, login="lp_api_multi", company_id=cls.company.id,
            company_ids=[Command.set((cls.company | cls.company_2).ids)],
            groups="account_late_payment.group_late_payment_user")
        cls.portal = new_test_user(cls.env, login="lp_api_portal", groups="base.group_portal")
        cls.portal.partner_id.parent_id = cls.customer
        cls.keys = {user.login: cls._api_key(user) for user in (cls.lp_user, cls.lp_multi, cls.lp_admin, cls.portal)}

    @classmethod
    def _api_key(cls, user):
        return cls.env["res.users.apikeys"].with_user(user).sudo()._generate(None, "late payment API test", None)

    def client(self, user=None, **options):
        user = user or self.lp_user
        if options.get("protocol") == "xmlrpc":
            options.setdefault("login", user.login)
        return Client(self.base_url(), self.env.cr.dbname, self.keys[user.login], **self._served(), **options)

    def _served(self):
        """The test server takes only the requests of this test (its cookie, its transport)."""
        return {"session": self.opener, "transport": Transport(self)}

    def assertRefused(self, call, status, *fragments):
        with self.assertRaises(ApiError) as caught, mute_logger("odoo.http", XMLRPC_LOGGER):
            call()
        if status:
            self.assertEqual(caught.exception.status, status, caught.exception.message)
        for fragment in fragments:
            self.assertIn(fragment, caught.exception.message)
        self.assertNotIn("Traceback", caught.exception.message)
        return caught.exception

    def cli(self, *argv, user=None):
        user = user or self.lp_user
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = client_main([*argv, "--url", self.base_url(), "--db", self.env.cr.dbname,
                                "--key", self.keys[user.login]], **self._served())
        return code, out.getvalue(), err.getvalue()


@tagged("post_install", "-at_install")
class TestApiStatus(ApiCommon):

    def test_status(self):
        (status,) = self.client().status([self.customer.id])
        self.assertEqual(status["id"], self.customer.id)
        self.assertEqual(status["name"], "Api Customer SA")
        self.assertEqual(status["company"], self.company.name)
        self.assertEqual((status["amount_due"], status["amount_overdue"]), (1500.0, 1200.0))
        self.assertEqual(status["oldest_overdue_days"], 40)
        self.assertEqual(status["status"], "due")
        self.assertEqual(status["level"], False)
        self.assertEqual(status["next_action"], self.firm.name)
        # due since the day the firm reminder came (15 days after the due date)
        self.assertEqual(status["next_action_date"], fields.Date.to_string(self.today - timedelta(days=25)))
        self.assertEqual((status["promise"], status["plan"]), (False, False))
        self.assertIsInstance(status["risk_factors"], list)
        # what JSON-2 returns is what the method returns, plain JSON
        direct = self.customer.with_user(self.lp_user).late_payment_status()
        self.assertEqual(json.loads(json.dumps(direct)), [status])

    def test_status_at_date_and_contact(self):
        contact = self.env["res.partner"].create({"name": "Accounts dept", "parent_id": self.customer.id})
        later = fields.Date.to_string(self.today + timedelta(days=10))
        (status,) = self.client().status([contact.id], at_date=later)
        self.assertEqual((status["id"], status["name"]), (contact.id, "Api Customer SA"))
        self.assertEqual(status["oldest_overdue_days"], 50)

    @mute_logger(XMLRPC_LOGGER)
    def test_status_xmlrpc(self):
        result = self.client(protocol="xmlrpc").status([self.customer.id])
        self.assertEqual(result[0]["amount_overdue"], 1200.0)
        self.assertEqual(result[0]["level"], False)

    def test_status_other_company(self):
        # the shared customer: each company sees its own follow-up
        (mine,) = self.client(self.lp_multi).status([self.customer.id])
        self.assertEqual(mine["amount_due"], 1500.0)
        (theirs,) = self.client(self.lp_multi, company_id=self.company_2.id).status([self.customer.id])
        self.assertEqual((theirs["company"], theirs["amount_due"]), (self.company_2.name, 500.0))
        # a customer of company 2 only does not exist for a user of company 1
        self.assertRefused(lambda: self.client().status([self.other_customer.id]), 404,
                           str(self.other_customer.id), "does not exist")
        # nor may the user pick a company it does not belong to
        self.assertRefused(lambda: self.client(company_id=self.company_2.id).status([self.customer.id]), 403)

    def test_status_access(self):
        self.assertRefused(lambda: self.client(self.portal).status([self.customer.id]), 403,
                           "late payment users")
        self.assertRefused(lambda: self.client(self.portal, protocol="xmlrpc").status([self.customer.id]), None,
                           "late payment users")
        bad_key = Client(self.base_url(), self.env.cr.dbname, "not-a-key", **self._served())
        self.assertRefused(lambda: bad_key.status([self.customer.id]), 401)

    def test_status_bad_arguments(self):
        client = self.client()
        self.assertRefused(lambda: client.status([self.customer.id], at_date="31/12/2025"), 422,
                           "'31/12/2025' is not a date", "YYYY-MM-DD")
        self.assertRefused(lambda: client.status([self.customer.id], at_date=20251231), 422, "YYYY-MM-DD")
        self.assertRefused(lambda: client.status(["Api Customer SA"]), 422, "positive whole numbers")
        self.assertRefused(lambda: client.status([99999999]), 404, "99999999")
        self.assertRefused(lambda: client.call("res.partner", "late_payment_status", [self.customer.id],
                                               when="2025-01-01"), 422, "when")
        self.assertRefused(lambda: client.status([self.customer.id], at_date="2025-02-30"), 422, "2025-02-30")
        self.assertEqual(client.status([]), [])

    def test_status_french_messages(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(["account_late_payment"], ["fr_FR"], overwrite=True)
        error = self.assertRefused(
            lambda: self.client(lang="fr_FR").status([self.customer.id], at_date="hier"), 422)
        self.assertIn("n'est pas une date", error.message)
        self.assertRefused(lambda: self.client(lang="fr_FR").status([99999999]), 404,
                           "Aucun client avec l'identifiant 99999999")

    def test_billing_user_cannot_configure(self):
        client = self.client()
        self.assertRefused(lambda: client.call("late.payment.policy", "write", [self.policy.id], vals={"name": "x"}),
                           403)
        self.assertRefused(lambda: client.call("res.company", "write", [self.company.id],
                                               vals={"late_payment_indemnity_amount": 1.0}), 403)
        # another company's follow-up states and reminders do not exist for it
        found = client.call("late.payment.dossier", "search_read", domain=[], fields=["company_id"])
        self.assertTrue(found)
        self.assertEqual({row["company_id"][0] for row in found}, {self.company.id})


@tagged("post_install", "-at_install")
class TestApiPenalties(ApiCommon):

    @mute_logger(XMLRPC_LOGGER)
    def test_penalties(self):
        day = fields.Date.to_string(self.today)
        expected = self.late.late_payment_penalties(day)
        for protocol in ("json2", "xmlrpc"):
            with self.subTest(protocol=protocol):
                result = self.client(protocol=protocol).penalties([self.late.id], at_date=day)
                self.assertEqual(result, json.loads(json.dumps(expected)))
                self.assertEqual(result[0]["days_late"], 40)

    def test_penalties_refused(self):
        client = self.client()
        self.assertRefused(lambda: client.penalties([self.other_invoice.id]), 404, str(self.other_invoice.id))
        self.assertRefused(lambda: client.penalties([self.late.id], at_date="2025-13-01"), 422, "YYYY-MM-DD")
        self.assertRefused(lambda: client.penalties([self.late.id, "INV/1"]), 422, "'INV/1'")
        self.assertRefused(lambda: client.penalties([0]), 422, "positive whole numbers")
        self.assertRefused(lambda: self.client(self.portal).penalties([self.late.id]), 403)
        vendor_bill = self._create_invoice_one_line(move_type="in_invoice", partner_id=self.customer, price_unit=10.0,
                                                    post=True)
        self.assertRefused(lambda: client.penalties([vendor_bill.id]), 422, "customer invoices only")
        # another company's invoice, seen from that company by a user of both
        (result,) = self.client(self.lp_multi, company_id=self.company_2.id).penalties([self.other_invoice.id])
        self.assertEqual(result["days_late"], 20)


@tagged("post_install", "-at_install")
class TestApiRun(ApiCommon):

    def _reminders(self):
        return self.env["late.payment.reminder"].search([("partner_id", "=", self.customer.id)])

    def test_run_dry_then_send(self):
        client = self.client()
        (plan,) = client.run([self.customer.id], dry_run=True)
        self.assertEqual(plan["reminder_id"], False)
        self.assertEqual((plan["customer_id"], plan["level"], plan["result"]), (self.customer.id, self.firm.name,
                                                                                "dry_run"))
        # every open invoice listed: the late one reaches the firm level, the one due today none
        self.assertEqual([(invoice["name"], invoice["level"], invoice["days_late"]) for invoice in plan["invoices"]],
                         [(self.late.name, self.firm.name, 40), (self.recent.name, False, 0)])
        # one amount: the overdue balance (the invoice due today is not overdue)
        self.assertEqual(plan["amount"], 1200.0)
        self.assertTrue(plan["channels"])
        self.assertFalse(self._reminders(), "a dry run sends nothing")
        self.assertEqual(self.env["late.payment.dossier"].search([
            ("partner_id", "=", self.customer.id), ("company_id", "=", self.company.id)]).status, "due")

        (sent,) = client.run([self.customer.id])
        reminder = self._reminders()
        self.assertEqual(sent["reminder_id"], reminder.id)
        self.assertEqual((reminder.origin, reminder.user_id, reminder.level_id), ("api", self.lp_user, self.firm))
        self.assertEqual(sent["channels"], plan["channels"])
        self.assertEqual(sent["invoices"], plan["invoices"])
        self.assertEqual(sent["amount"], 1200.0)
        self.assertEqual(reminder.line_ids.move_id, self.late | self.recent)
        # once and only once
        self.assertEqual(client.run([self.customer.id]), [])
        self.assertEqual(client.run([self.customer.id], dry_run=True), [])
        self.assertEqual(len(self._reminders()), 1)

    @mute_logger(XMLRPC_LOGGER)
    def test_run_xmlrpc_dry(self):
        (plan,) = self.client(protocol="xmlrpc").run([self.customer.id], dry_run=True)
        self.assertEqual(plan["level"], self.firm.name)
        self.assertFalse(self._reminders())

    def test_run_refused(self):
        client = self.client()
        self.assertRefused(lambda: client.run([self.customer.id], dry_run="yes"), 422, "dry_run", "'yes'")
        self.assertRefused(lambda: client.run([self.other_customer.id]), 404, str(self.other_customer.id))
        self.assertRefused(lambda: self.client(self.portal).run([self.customer.id]), 403)
        self.assertFalse(self._reminders(), "a refused call changes nothing")
        # company 2's follow-up is run by its own users, in company 2
        (sent,) = self.client(self.lp_multi, company_id=self.company_2.id).run([self.other_customer.id])
        reminder = self.env["late.payment.reminder"].browse(sent["reminder_id"])
        self.assertEqual(reminder.company_id, self.company_2)


@tagged("post_install", "-at_install")
class TestApiCommandLine(ApiCommon):

    def test_status_table_and_json(self):
        code, out, err = self.cli("status", "Api Customer SA")
        self.assertEqual((code, err), (0, ""))
        header, _rule, row = out.splitlines()
        self.assertIn("overdue", header)
        self.assertIn("Api Customer SA", row)
        self.assertIn("1,200.00", row)
        self.assertIn(self.firm.name, row)
        code, out, _err = self.cli("status", str(self.customer.id), "--json")
        self.assertEqual(json.loads(out)[0]["amount_overdue"], 1200.0)

    def test_penalties_and_run(self):
        code, out, _err = self.cli("penalties", self.late.name)
        self.assertEqual(code, 0)
        self.assertIn(self.late.name, out)
        code, out, _err = self.cli("run", "Api Customer SA", "--dry-run")
        self.assertEqual(code, 0)
        self.assertIn(self.late.name, out)
        self.assertIn("dry run", out)
        self.assertFalse(self.env["late.payment.reminder"].search([("partner_id", "=", self.customer.id)]))

    @mute_logger("odoo.http")
    def test_errors(self):
        code, out, err = self.cli("status", "Api Customer SA", "--date", "tomorrow")
        self.assertEqual((code, out), (1, ""))
        self.assertIn("Error: 'tomorrow' is not a date", err)
        code, _out, err = self.cli("status", "Nobody At All")
        self.assertEqual(code, 1)
        self.assertIn("No customer named 'Nobody At All'", err)
        code, _out, err = self.cli("status", str(self.customer.id), user=self.portal)
        self.assertEqual(code, 1)
        self.assertIn("late payment users", err)
