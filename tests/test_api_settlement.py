# The external API of the settlement feature (promises to pay, disputes), through the client
# against the served Odoo. Not imported by tests/__init__.py until the settlement feature
# (res.partner.late_payment_promise, account.move.late_payment_dispute and
# late_payment_resolve_dispute, late.payment.dossier._settlement_status) is merged.
from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from .test_api import ApiCommon


@tagged("post_install", "-at_install")
class TestApiSettlement(ApiCommon):

    def _promise(self):
        return self.client().status([self.customer.id])[0]["promise"]

    def test_promise(self):
        when = fields.Date.to_string(self.today + timedelta(days=7))
        promise_id = self.client().promise(self.customer.id, when, 1200.0, invoice_ids=[self.late.id],
                                           note="Paying next week")
        self.assertIsInstance(promise_id, int)
        self.assertEqual(self._promise(), {"date": when, "amount": 1200.0})
        # the same over XML-RPC, without the optional arguments
        other_id = self.client(protocol="xmlrpc").promise(self.customer.id, when, 300.0)
        self.assertIsInstance(other_id, int)
        self.assertNotEqual(other_id, promise_id)

    def test_promise_refused(self):
        client = self.client()
        when = fields.Date.to_string(self.today + timedelta(days=7))
        self.assertRefused(lambda: client.promise(self.customer.id, "31/12/2025", 100.0), 422, "YYYY-MM-DD")
        self.assertRefused(lambda: client.promise(self.customer.id, when, -5.0), 422)
        self.assertRefused(lambda: client.promise(self.customer.id, when, "100"), 422)
        self.assertRefused(lambda: client.promise(99999999, when, 100.0), 404, "99999999")
        self.assertRefused(lambda: client.promise(self.customer.id, when, 100.0, invoice_ids=[99999999]), None,
                           "99999999")
        # another company's customer and invoice do not exist for a user of company 1
        self.assertRefused(lambda: client.promise(self.other_customer.id, when, 100.0), 404)
        self.assertRefused(lambda: client.promise(self.customer.id, when, 100.0, invoice_ids=[self.other_invoice.id]),
                           None, str(self.other_invoice.id))
        self.assertRefused(lambda: self.client(self.portal).promise(self.customer.id, when, 100.0), 403)
        self.assertFalse(self._promise(), "a refused promise records nothing")

    def test_dispute_and_resolve(self):
        client = self.client()
        client.dispute([self.late.id], "Goods damaged", note="Photos sent by email")
        self.late.invalidate_recordset()
        self.assertEqual(self.late.late_payment_status, "disputed")
        self.assertNotIn(self.late.name, [invoice["name"] for plan in client.run([self.customer.id], dry_run=True)
                                          for invoice in plan["invoices"]])
        client.resolve_dispute([self.late.id])
        self.late.invalidate_recordset()
        self.assertNotEqual(self.late.late_payment_status, "disputed")

    def test_dispute_refused(self):
        client = self.client()
        self.assertRefused(lambda: client.dispute([self.late.id], ""), 422)
        self.assertRefused(lambda: client.dispute([self.late.id], 42), 422)
        self.assertRefused(lambda: client.dispute([99999999], "Wrong price"), 404, "99999999")
        self.assertRefused(lambda: client.dispute([self.other_invoice.id], "Wrong price"), 404)
        self.assertRefused(lambda: self.client(self.portal).dispute([self.late.id], "Wrong price"), 403)
        self.assertRefused(lambda: self.client(self.portal).resolve_dispute([self.late.id]), 403)
        self.late.invalidate_recordset()
        self.assertNotEqual(self.late.late_payment_status, "disputed", "a refused dispute changes nothing")

    def test_command_line(self):
        when = fields.Date.to_string(self.today + timedelta(days=7))
        code, out, err = self.cli("promise", "Api Customer SA", "--date", when, "--amount", "1200",
                                  "--invoice", self.late.name, "--note", "Next week")
        self.assertEqual((code, err), (0, ""))
        self.assertIn("Promise to pay recorded", out)
        code, out, err = self.cli("dispute", self.late.name, "--reason", "Goods damaged")
        self.assertEqual((code, err), (0, ""))
        code, out, err = self.cli("dispute", self.late.name, "--resolve")
        self.assertEqual((code, err), (0, ""))
        code, out, err = self.cli("promise", "Api Customer SA", "--date", when, "--amount", "-3")
        self.assertEqual((code, out), (1, ""))
        self.assertTrue(err.startswith("Error: "))
