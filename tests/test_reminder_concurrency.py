"""The daily run against real transactions: data committed by separate cursors, a run really
interrupted then run again, two runs in two threads, a console sending at the same moment.

Odoo's TransactionCase keeps its own cursor in a transaction it rolls back, but outside an
HttpCase the registry hands out real, independent cursors (as Odoo's own
account/tests/test_sequence_mixin.py does): these tests commit their data through them and
remove it afterwards. Nothing is created in the test's own transaction, so that the separate
cursors never wait for it.
"""

import threading
import time as timer
from datetime import date, datetime, time
from unittest.mock import patch

from odoo import SUPERUSER_ID, api
from odoo.fields import Command
from odoo.orm.environments import Transaction
from odoo.tests import TransactionCase, freeze_time, tagged
from odoo.tools import mute_logger

# a Thursday; the customers' lines fell due on the Monday: their friendly reminder is due
TODAY = date(2025, 6, 5)
DUE = date(2025, 6, 2)
CUSTOMERS = 6
REMINDER_LOGGERS = tuple(f"odoo.addons.account_late_payment.models.late_payment_{name}"
                         for name in ("reminder", "reminder_send", "reminder_channels"))


class WorkerKilled(BaseException):
    """The worker process dies: nothing in the addon catches it (it is no Exception)."""


@tagged("post_install", "-at_install")
class TestReminderConcurrency(TransactionCase):

    def setUp(self):
        super().setUp()
        self.frozen = freeze_time(datetime.combine(TODAY, time(12)))
        self.frozen.start()
        self.addCleanup(self.frozen.stop)
        self._remove_data()
        with self.registry.cursor() as cr:
            env = self._cursor_env(cr)
            company = env.ref("base.main_company")
            accounts = env["account.account"].with_company(company)
            domain = accounts._check_company_domain(company)
            receivable = accounts.search([*domain, ("account_type", "=", "asset_receivable"), ("reconcile", "=", True)],
                                         limit=1)
            revenue = accounts.search([*domain, ("account_type", "=", "income")], limit=1)
            journal = env["account.journal"].create({
                "name": "Late payments concurrency", "code": "LPCC", "type": "sale", "company_id": company.id})
            partners = env["res.partner"].create([{
                "name": f"Concurrency customer {i}", "email": f"customer{i}@concurrency.example", "is_company": True,
            } for i in range(CUSTOMERS)])
            move = env["account.move"].create({
                "move_type": "entry", "date": DUE, "journal_id": journal.id, "company_id": company.id,
                "line_ids": [Command.create({
                    "partner_id": partner.id, "account_id": receivable.id, "debit": 100.0 * (i + 1),
                    "date_maturity": DUE,
                }) for i, partner in enumerate(partners)] + [Command.create({
                    "account_id": revenue.id, "credit": sum(100.0 * (i + 1) for i in range(CUSTOMERS)),
                })],
            })
            move.action_post()
            env["late.payment.dossier"]._refresh(partners=partners, company=company)
            self.assertEqual(set(env["late.payment.dossier"].search([("partner_id", "in", partners.ids)])
                                 .mapped("status")), {"due"})
            self.assertTrue(company._late_payment_is_business_day(TODAY))
            # the follow-up of the company is started (restored afterwards)
            started = company.late_payment_go_live_date, company.late_payment_go_live_mode
            company.write({"late_payment_go_live_date": DUE, "late_payment_go_live_mode": "send"})
        # committed when the `with` block ends
        self.data = {"company": company.id, "partners": partners.ids, "move": move.id, "journal": journal.id}
        self.addCleanup(self._remove_data)
        self.addCleanup(self._restore_go_live, *started)

    def _remove_data(self):
        """Remove what the test committed (also what an interrupted earlier run left)."""
        with self.registry.cursor() as cr:
            env = self._cursor_env(cr)
            partners = env["res.partner"].with_context(active_test=False).search([
                ("name", "=like", "Concurrency customer %"), ("email", "=like", "%@concurrency.example")])
            journals = env["account.journal"].with_context(active_test=False).search([("code", "=", "LPCC")])
            env["late.payment.reminder"].search([("partner_id", "in", partners.ids)]).unlink()
            env["late.payment.dossier"].search([("partner_id", "in", partners.ids)]).unlink()
            moves = env["account.move"].search([("journal_id", "in", journals.ids)])
            moves.filtered(lambda move: move.state == "posted").button_draft()
            moves.posted_before = False
            moves.unlink()
            journals.unlink()
            partners.unlink()

    def _restore_go_live(self, go_live_date, mode):
        with self.registry.cursor() as cr:
            self._cursor_env(cr).ref("base.main_company").write({
                "late_payment_go_live_date": go_live_date, "late_payment_go_live_mode": mode})

    # -- helpers ---------------------------------------------------------------------------
    def _cursor_env(self, cr):
        # the registry is given: while the tests run, the main thread holds the registries' lock
        # that looking it up by name would wait for in another thread
        if cr.transaction is None:
            cr.transaction = Transaction(self.registry)
        return api.Environment(cr, SUPERUSER_ID, {})

    def _state(self):
        """Reminders and reminder lines of the test customers, read in a fresh transaction."""
        with self.registry.cursor() as cr:
            env = self._cursor_env(cr)
            reminders = env["late.payment.reminder"].search([("partner_id", "in", self.data["partners"])])
            lines = reminders.line_ids
            mails = env["mail.mail"].search([("model", "=", "res.partner"), ("res_id", "in", self.data["partners"])])
            return {
                "per_customer": {partner_id: len(reminders.filtered(lambda r, p=partner_id: r.partner_id.id == p))
                                 for partner_id in self.data["partners"]},
                "lines": len(lines),
                "distinct (line, level)": len({(line.move_line_id.id, line.level_id.id) for line in lines}),
                "mails": len(mails),
                "results": set(reminders.mapped("result")),
            }

    def assertEachCustomerRemindedOnce(self, state):
        self.assertEqual(set(state["per_customer"].values()), {1}, state)
        self.assertEqual(state["lines"], CUSTOMERS, state)
        self.assertEqual(state["distinct (line, level)"], CUSTOMERS, state)
        self.assertEqual(state["mails"], CUSTOMERS, state)
        self.assertEqual(state["results"], {"sent"}, state)

    def _run(self, cr, batch_size=2):
        """The scheduled action's code on a real cursor: `_commit_progress` really commits."""
        self._cursor_env(cr)["late.payment.run"]._cron_run(batch_size=batch_size)
        # a separate cursor of the test, not the test's own
        cr.commit()  # pylint: disable=invalid-commit

    # -- a crash in the middle, then a rerun ------------------------------------------------------
    def test_a_run_killed_in_the_middle_then_run_again(self):
        model = type(self.env["late.payment.reminder"])
        original = model._send_emails
        victim = self.data["partners"][3]  # in the second batch of two

        def dying(self, plans, emails):
            if any(plan["partner"].id == victim for plan in plans):
                raise WorkerKilled
            return original(self, plans, emails)

        with self.registry.cursor() as cr:
            with patch.object(model, "_send_emails", dying), self.assertRaises(WorkerKilled):
                self._run(cr)
            cr.rollback()  # the worker died: its open transaction goes with it
        # the first batch was committed with its reminders; the second died with nothing sent
        state = self._state()
        sent = [partner_id for partner_id, count in state["per_customer"].items() if count]
        self.assertEqual(sent, self.data["partners"][:2], state)
        self.assertEqual(state["mails"], 2, state)
        # run again (the scheduler does, as the job reported work left): it carries on
        with self.registry.cursor() as cr:
            self._run(cr)
        self.assertEachCustomerRemindedOnce(self._state())
        # and a third run sends nothing more
        with self.registry.cursor() as cr:
            self._run(cr)
        self.assertEachCustomerRemindedOnce(self._state())

    # -- two runs at once ----------------------------------------------------------------------
    def test_two_runs_at_the_same_time(self):
        model = type(self.env["late.payment.reminder"])
        original = model._send_emails

        senders = set()

        def slow(self, plans, emails):
            senders.add(threading.get_ident())
            timer.sleep(0.3)  # long enough for the other run to come for the same customers
            return original(self, plans, emails)

        barrier = threading.Barrier(2)
        errors = []

        def worker():
            try:
                with self.registry.cursor() as cr:
                    barrier.wait(timeout=30)
                    self._run(cr)
            except Exception as error:  # reported by the test below
                errors.append(error)

        # (two runs writing the same journal entry: PostgreSQL refuses the second writer, whose
        # batch is left for its next pass; the refused query is logged by odoo.sql_db)
        with patch.object(model, "_send_emails", slow), mute_logger(*REMINDER_LOGGERS, "odoo.sql_db"):
            threads = [threading.Thread(target=worker) for _ in range(2)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=120)
        self.assertFalse(any(thread.is_alive() for thread in threads), "a run is stuck")
        self.assertEqual(errors, [])
        self.assertEqual(len(senders), 2, "the two runs did not send at the same time")
        # the customers one run found held by the other are left for its next pass; the
        # scheduler runs it again while it reports work left
        with self.registry.cursor() as cr:
            self._run(cr)
        self.assertEachCustomerRemindedOnce(self._state())

    # -- the console and the run at the same moment ------------------------------------------------
    def test_the_console_while_the_run_holds_the_customer(self):
        model = type(self.env["late.payment.reminder"])
        original = model._send_emails
        inside, release = threading.Event(), threading.Event()
        customer = self.data["partners"][0]

        def paused(self, plans, emails):
            if any(plan["partner"].id == customer for plan in plans):
                inside.set()
                release.wait(timeout=60)
            return original(self, plans, emails)

        errors = []

        def run():
            try:
                with self.registry.cursor() as cr:
                    self._run(cr, batch_size=CUSTOMERS)
            except Exception as error:  # reported by the test below
                errors.append(error)

        with patch.object(model, "_send_emails", paused):
            thread = threading.Thread(target=run)
            thread.start()
            try:
                self.assertTrue(inside.wait(timeout=60), "the run never reached the customer")
                # the run is sending to the customer: the console neither waits nor sends
                start = timer.monotonic()
                with self.registry.cursor() as cr:
                    env = self._cursor_env(cr)
                    dossier = env["late.payment.dossier"].search([("partner_id", "=", customer)])
                    self.assertEqual(dossier.status, "due")
                    self.assertFalse(dossier._send_reminders(origin="console"))
                self.assertLess(timer.monotonic() - start, 10)
            finally:
                release.set()
                thread.join(timeout=120)
        self.assertEqual(errors, [])
        self.assertEachCustomerRemindedOnce(self._state())

    def test_the_console_on_a_state_read_before_the_run_committed(self):
        customer = self.data["partners"][0]
        with self.registry.cursor() as console_cr:
            console = self._cursor_env(console_cr)
            # the console's transaction reads the customer's state before the run sends
            dossier = console["late.payment.dossier"].search([("partner_id", "=", customer)])
            self.assertEqual(dossier.status, "due")
            with self.registry.cursor() as cr:
                self._run(cr)
            self.assertEachCustomerRemindedOnce(self._state())
            # the console still sees the customer due (its snapshot): the unique index on
            # (receivable line, level) refuses its reminder, and the customer is skipped
            with mute_logger(*REMINDER_LOGGERS):
                self.assertFalse(dossier._send_reminders(origin="console"))
            console_cr.commit()  # pylint: disable=invalid-commit
        self.assertEachCustomerRemindedOnce(self._state())
