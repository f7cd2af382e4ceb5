from datetime import timedelta

from psycopg2 import errors

from odoo import SUPERUSER_ID, api, fields
from odoo.exceptions import ConcurrencyError, UserError
from odoo.fields import Command
from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger

# What Odoo retries (odoo/service/model.py: retrying): the second creation must end up here.
RETRIED = (ConcurrencyError, errors.SerializationFailure, errors.LockNotAvailable, errors.DeadlockDetected)


@tagged("post_install", "-at_install")
class TestSettlementConcurrency(TransactionCase):
    """Finding 5: two users recording a promise or a payment plan for the same customer at once,
    in two real transactions: the second is refused by the database, and run again it sees the
    first."""

    def setUp(self):
        super().setUp()
        with self.env.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            partner = env["res.partner"].create({"name": "Concurrent Settlement SARL", "is_company": True})
            invoice = env["account.move"].create({
                "move_type": "out_invoice", "partner_id": partner.id, "invoice_date": "2025-01-01",
                "invoice_payment_term_id": False, "invoice_date_due": "2025-01-31",
                "invoice_line_ids": [Command.create({"name": "Work", "quantity": 1, "price_unit": 1000.0,
                                                     "tax_ids": []})],
            })
            invoice.action_post()
            self.partner_id, self.invoice_id = partner.id, invoice.id
        self.addCleanup(self._clean)

    def _clean(self):
        with self.env.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["late.payment.plan"].search([("partner_id", "=", self.partner_id)]).unlink()
            env["late.payment.promise"].search([("partner_id", "=", self.partner_id)]).unlink()
            env["late.payment.dossier"].search([("partner_id", "=", self.partner_id)]).unlink()
            env["late.payment.reminder"].search([("partner_id", "=", self.partner_id)]).unlink()
            move = env["account.move"].browse(self.invoice_id)
            move.button_draft()
            move.posted_before = False
            move.unlink()
            env["res.partner"].browse(self.partner_id).unlink()

    def _plan(self, env):
        partner = env["res.partner"].browse(self.partner_id)
        first = fields.Date.context_today(partner) + timedelta(days=30)
        return env["late.payment.plan"]._create_plan(partner, [self.invoice_id], 2, first).id

    def _promise(self, env):
        partner = env["res.partner"].browse(self.partner_id)
        return partner.late_payment_promise(fields.Date.context_today(partner) + timedelta(days=10), 500.0,
                                            [self.invoice_id])

    def _race(self, create):
        """The second user's transaction began before the first user's committed; returns the
        first user's result, and the second user's once run again."""
        with self.env.registry.cursor() as cr1, self.env.registry.cursor() as cr2:
            env1 = api.Environment(cr1, SUPERUSER_ID, {})
            env2 = api.Environment(cr2, SUPERUSER_ID, {})
            cr1.execute("SELECT 1")  # the second user's transaction begins (its snapshot is taken)
            first = create(env2)
            cr2.commit()
            with mute_logger("odoo.sql_db"):
                try:
                    create(env1)
                except RETRIED:
                    refused = True
                else:
                    refused = False
            self.assertTrue(refused, "the second creation must be refused")
            cr1.rollback()
            env1.transaction.clear()
            try:
                again = create(env1)
            except UserError as error:
                again = error
            cr1.commit()
        return first, again

    def test_two_plans_on_the_same_invoices(self):
        first, again = self._race(self._plan)
        self.assertIsInstance(again, UserError)
        self.assertIn("already in the running plan", str(again))
        with self.env.registry.cursor() as cr:
            plans = api.Environment(cr, SUPERUSER_ID, {})["late.payment.plan"].search(
                [("partner_id", "=", self.partner_id)])
            self.assertEqual(plans.ids, [first])

    def test_two_promises_for_the_same_customer(self):
        first, again = self._race(self._promise)
        with self.env.registry.cursor() as cr:
            promises = api.Environment(cr, SUPERUSER_ID, {})["late.payment.promise"].search(
                [("partner_id", "=", self.partner_id)], order="id")
            # run again, the second promise replaces the first: one open promise, never two
            self.assertEqual(promises.mapped(lambda p: (p.id, p.state)), [(first, "cancelled"), (again, "open")])
