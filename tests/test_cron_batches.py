"""The scheduled actions' batches: one record that raises, in the middle of a batch, is logged,
skipped until the next run and reported to the administrators; the others go on."""

from unittest.mock import patch

from odoo.tests import tagged
from odoo.tools import mute_logger

from ..models import late_payment_batch as batch_module
from .common import LatePaymentCommon, day

BATCH_LOGGER = "odoo.addons.account_late_payment.models.late_payment_batch"
SUMMARY = "Late payments: records skipped by the scheduled actions"


@tagged("post_install", "-at_install")
class TestCronBatches(LatePaymentCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.reminders = cls.env["late.payment.reminder"]
        cls.customers = cls.env["res.partner"].create([{
            "name": f"Batch customer {i}", "email": f"billing{i}@batch.example", "is_company": True,
        } for i in range(3)])
        cls.victim = cls.customers[1]  # in the middle
        cls.env.user.email = "accountman@company.example"
        for i, customer in enumerate(cls.customers):
            cls._invoice(100.0 * (i + 1), partner=customer)

    def _cron(self, method, today, *args, **kwargs):
        with patch.object(type(self.env["ir.cron"]), "_commit_progress", return_value=1.0), self._at(today), \
                mute_logger(BATCH_LOGGER):
            return method(*args, **kwargs)

    def _reports(self):
        return self.env["mail.activity"].sudo().search([
            ("res_model", "=", "res.partner"), ("res_id", "=", self.company.partner_id.id), ("summary", "=", SUMMARY)])

    def _fail_for_victim(self, model_name, method_name, get_partners):
        """Patch `method_name` of `model_name` to raise when the victim is among the records."""
        model = type(self.env[model_name])
        original = getattr(model, method_name)
        victim = self.victim

        def failing(self_, *args, **kwargs):
            if victim in get_partners(self_, *args, **kwargs):
                raise ValueError("the victim's data is broken")
            return original(self_, *args, **kwargs)

        return patch.object(model, method_name, failing)

    def test_the_follow_up_run_goes_on_past_a_failing_customer(self):
        dossier_model = self.env["late.payment.dossier"]
        breaking = self._fail_for_victim(
            "late.payment.run", "_run_batch",
            lambda _self, company, partner_ids, *a, **k: self.env["res.partner"].browse(partner_ids))
        run = self.env["late.payment.run"].with_user(self.env.ref("base.user_root"))._cron_run
        with breaking:
            self._cron(run, day(3))
        sent = self.reminders.search([("partner_id", "in", self.customers.ids)])
        self.assertEqual(sent.partner_id, self.customers - self.victim)
        self.assertEqual(sorted(sent.mapped("amount_total")), [100.0, 300.0])
        victim_dossier = dossier_model.search([("partner_id", "=", self.victim.id),
                                               ("company_id", "=", self.company.id)])
        self.assertEqual(victim_dossier.last_run_date, day(3))  # left for the next run
        report = self._reports()
        self.assertTrue(report)
        self.assertIn("Batch customer 1", str(report[0].note))
        self.assertIn("Daily follow-up run: Batch customer 1 (the victim's data is broken)", str(report[0].note))
        # the next run sends it its reminder; the others get nothing twice
        self._cron(run, day(4))
        sent = self.reminders.search([("partner_id", "in", self.customers.ids)])
        self.assertEqual(len(sent), 3)
        self.assertEqual(sent.filtered(lambda reminder: reminder.partner_id == self.victim).amount_total, 200.0)

    def test_the_failures_of_a_day_are_reported_once(self):
        batch = self.env["late.payment.batch"]
        with self._at(day(3)):
            batch._report_failures("Job", self.company, [(1, "first")])
            batch._report_failures("Job", self.company, [(2, "second")])
        report = self._reports().filtered(lambda activity: activity.user_id == self.env.user)
        self.assertEqual(len(report), 1)
        self.assertIn("first", str(report.note))
        self.assertIn("second", str(report.note))

    def test_the_risk_cron_goes_on_past_a_failing_customer(self):
        dossier_model = self.env["late.payment.dossier"]
        breaking = self._fail_for_victim(
            "late.payment.dossier", "_compute_risk",
            lambda _self, company, partners=None: partners or self.env["res.partner"])
        with breaking:
            self._cron(dossier_model._cron_risk, day(3))
        dossiers = dossier_model.search([("partner_id", "in", self.customers.ids),
                                         ("company_id", "=", self.company.id)])
        self.assertEqual(set(dossiers.mapped("risk_date")), {day(3)})  # the victim is marked for tomorrow
        victim = dossiers.filtered(lambda dossier: dossier.partner_id == self.victim)
        others = dossiers - victim
        self.assertTrue(all(dossier.risk_class_id for dossier in others))
        self.assertFalse(victim.risk_class_id)
        self.assertTrue(self._reports())
        # the next night scores it
        self._cron(dossier_model._cron_risk, day(4))
        self.assertTrue(victim.risk_class_id)

    def test_the_settlement_cron_goes_on_past_a_failing_promise(self):
        promises = self.env["late.payment.promise"]
        with self._at(day(5)):
            for customer in self.customers:
                customer.late_payment_promise(day(10).isoformat(), 50.0)
        created = promises.search([("partner_id", "in", self.customers.ids)])
        self.assertEqual(len(created), 3)
        breaking = self._fail_for_victim("late.payment.promise", "_late_payment_check",
                                         lambda self_, *a, **k: self_.partner_id)
        with breaking:
            self._cron(self.env["late.payment.dossier"]._cron_settlement, day(20))
        victim = created.filtered(lambda promise: promise.partner_id == self.victim)
        others = created - victim
        self.assertEqual(set(others.mapped("state")), {"broken"})
        self.assertEqual(victim.state, "open")
        self.assertEqual(set(created.mapped("last_check_date")), {day(20)})
        self.assertTrue(self._reports())
        # the next day checks it
        self._cron(self.env["late.payment.dossier"]._cron_settlement, day(21))
        self.assertEqual(victim.state, "broken")


    def test_a_turn_that_ends_with_work_left_wakes_the_cron_workers(self):
        """Odoo's cron workers sleep up to a minute before running a partly done action again:
        a turn that stops with work left adds a trigger due now (a NOTIFY at commit wakes them)."""
        batch = self.env["late.payment.batch"]
        cron = self.env.ref("account_late_payment.ir_cron_late_payment_run")
        triggers = self.env["ir.cron.trigger"].sudo()
        before = triggers.search_count([("cron_id", "=", cron.id)])
        processed = []
        # the first batch uses the turn up: the second is left for the next call
        with patch.object(type(self.env["ir.cron"]), "_commit_progress", side_effect=[5.0, 0.0]), \
                patch.dict(batch_module._PACE, clear=True), \
                patch.object(type(batch), "_turn_deadline", return_value=0.0), \
                mute_logger(BATCH_LOGGER):
            count = batch.with_context(cron_id=cron.id)._batches(
                "Job", [("key", [1, 2, 3, 4])], lambda key, ids: processed.extend(ids), first_size=2)
        self.assertEqual((count, processed), (2, [1, 2]))
        self.assertEqual(triggers.search_count([("cron_id", "=", cron.id)]), before + 1)
        # a turn that finishes its work adds none
        with patch.object(type(self.env["ir.cron"]), "_commit_progress", return_value=5.0), \
                mute_logger(BATCH_LOGGER):
            batch.with_context(cron_id=cron.id)._batches(
                "Job", [("key", [3, 4])], lambda key, ids: processed.extend(ids))
        self.assertEqual(processed, [1, 2, 3, 4])
        self.assertEqual(triggers.search_count([("cron_id", "=", cron.id)]), before + 1)

    def test_a_turn_stops_before_the_workers_cpu_limit(self):
        """Odoo kills a worker past `limit_time_cpu` of CPU per unit of work: a turn takes no new
        batch when less than the margin is left, and leaves the rest for the next call."""
        batch = self.env["late.payment.batch"]
        self.assertGreater(batch._cpu_seconds_left(), 0)
        processed = []
        with patch.object(type(self.env["ir.cron"]), "_commit_progress", return_value=5.0), \
                patch.dict(batch_module._PACE, clear=True), \
                patch.object(type(batch), "_cpu_seconds_left", return_value=10.0), \
                mute_logger(BATCH_LOGGER):
            count = batch._batches(
                "Job", [("key", [1, 2, 3, 4])], lambda key, ids: processed.extend(ids), first_size=2)
        self.assertEqual((count, processed), (2, [1, 2]))
