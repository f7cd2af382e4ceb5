import threading
from concurrent.futures import ThreadPoolExecutor

from psycopg2 import errors

from odoo import SUPERUSER_ID, api
from odoo.exceptions import ConcurrencyError
from odoo.fields import Command
from odoo.orm.environments import Transaction
from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger

# What Odoo retries (odoo/service/model.py: retrying): the second invoicing must end up here.
RETRIED = (ConcurrencyError, errors.SerializationFailure, errors.LockNotAvailable, errors.DeadlockDetected)


@tagged("post_install", "-at_install")
class TestPenaltyConcurrency(TransactionCase):
    """Two users invoicing the penalties of the same late invoice at once, in two real
    transactions: one penalty invoice, never two."""

    def setUp(self):
        super().setUp()
        with self.env.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            partner = env["res.partner"].create({"name": "Concurrent Customer SARL", "is_company": True})
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
            moves = env["account.move"].search([("partner_id", "=", self.partner_id)], order="id desc")
            moves.filtered(lambda m: m.state != "draft").button_draft()
            moves.posted_before = False
            for move in moves:  # the last of the sequence first
                move.unlink()
            env["res.partner"].browse(self.partner_id).unlink()

    def _invoice_penalties(self, env):
        return env["account.move"].browse(self.invoice_id)._late_payment_invoice_penalties("2025-03-02").ids

    def _penalty_invoices(self):
        with self.env.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            penalties = env["account.move"].search([("partner_id", "=", self.partner_id),
                                                    ("late_payment_is_penalty", "=", True)])
            rows = env["late.payment.penalty.line"].search([("source_move_id", "=", self.invoice_id)])
            return penalties.ids, sorted(rows.mapped("kind"))

    def test_second_transaction_started_before_the_first_committed(self):
        with self.env.registry.cursor() as cr1, self.env.registry.cursor() as cr2:
            env1 = api.Environment(cr1, SUPERUSER_ID, {})
            env2 = api.Environment(cr2, SUPERUSER_ID, {})
            cr1.execute("SELECT 1")  # the first user's transaction begins (its snapshot is taken)
            first = self._invoice_penalties(env2)
            cr2.commit()
            self.assertEqual(len(first), 1)
            # the first user still sees no penalty invoice, and invoices: the database refuses it
            with mute_logger("odoo.sql_db"):
                try:
                    self._invoice_penalties(env1)
                except RETRIED:
                    refused = True
                else:
                    refused = False
            self.assertTrue(refused, "the second penalty invoice must be refused")
            cr1.rollback()
            # retried (as Odoo retries a request), the first user finds everything invoiced
            self.assertEqual(self._invoice_penalties(env1), [])
            cr1.rollback()
        self.assertEqual(self._penalty_invoices(), (first, ["indemnity", "interest"]))

    def test_two_users_at_once(self):
        barrier = threading.Barrier(2)
        registry = self.env.registry

        def run():
            with registry.cursor() as cr:
                # (the test runs while the registry is locked: no Registry() lookup in a thread)
                cr.transaction = Transaction(registry)
                env = api.Environment(cr, SUPERUSER_ID, {})
                env["account.move"].browse(self.invoice_id).mapped("name")  # both transactions begin
                barrier.wait(timeout=10)
                # as Odoo runs a request (odoo/service/model.py: retrying): a concurrency error rolls
                # the transaction back and runs it again (that function itself needs the registry lock)
                for _attempt in range(5):
                    try:
                        result = self._invoice_penalties(env)
                        cr.commit()  # pylint: disable=invalid-commit
                        return result
                    except RETRIED:
                        cr.rollback()
                        env.transaction.clear()
                raise AssertionError("still refused after 5 attempts")

        with ThreadPoolExecutor(max_workers=2) as executor, mute_logger("odoo.sql_db", "odoo.service.model"):
            results = [future.result(timeout=60) for future in (executor.submit(run), executor.submit(run))]
        penalties, kinds = self._penalty_invoices()
        self.assertEqual(len(penalties), 1)
        self.assertEqual(sorted(results, key=len), [[], penalties])
        self.assertEqual(kinds, ["indemnity", "interest"])
