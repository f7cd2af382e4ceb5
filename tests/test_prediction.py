from unittest.mock import patch

from odoo.tests import tagged

from .common import day
from .test_risk import TODAY, RiskCommon


@tagged("post_install", "-at_install")
class TestPrediction(RiskCommon):
    """Predicted payment dates (engine/prediction.py) stored on the invoices and the dossiers by
    the risk refresh, shown in words and given by the API."""

    def _history(self):
        # five invoices of 1,000 paid on day 100, 18, 12, 12, 12 and 6 days late
        for late in (18, 12, 12, 12, 6):
            self._settled(1000.0, day(100 - late), day(100))

    def test_expected_dates_from_the_history(self):
        self._history()
        later = self._invoice_due(2000.0, day(130), invoice_date=day(100))
        overdue = self._invoice_due(500.0, day(100), invoice_date=day(70))
        dossier = self._score()
        # paid on the same day, the five weigh the same: 12 days on average; the three latest due
        # (12, 12, 6: 10 days) pull it down by half the gap: 11 days; band 20th-80th percentile
        # of 6, 12, 12, 12, 18: 10.8 .. 13.2 days
        self.assertAlmostEqual(dossier.prediction_delay, 11.0)
        self.assertAlmostEqual(dossier.prediction_low_delay, 10.8)
        self.assertAlmostEqual(dossier.prediction_high_delay, 13.2)
        self.assertEqual((dossier.prediction_count, dossier.prediction_average), (5, 12.0))
        self.assertEqual((later.late_payment_expected_date, later.late_payment_expected_low,
                          later.late_payment_expected_high, later.late_payment_expected_source),
                         (day(141), day(141), day(143), "customer"))
        # 20 days late already, later than it ever paid: a week from today (its class is medium),
        # band today .. two weeks
        self.assertEqual(dossier.risk_class_id, self.medium)
        self.assertEqual((overdue.late_payment_expected_date, overdue.late_payment_expected_low,
                          overdue.late_payment_expected_high), (TODAY + (day(7) - day(0)), TODAY, day(134)))
        # the customer's page speaks of what is overdue, in the user's language
        self.assertEqual((dossier.expected_date, dossier.expected_low, dossier.expected_high),
                         (day(127), TODAY, day(134)))
        self.assertEqual(dossier.with_context(lang="en_US").prediction_summary,
                         f"expected around {day(127).day} {day(127).strftime('%b')}, between "
                         f"{TODAY.day} {TODAY.strftime('%b')} and {day(134).day} {day(134).strftime('%b')}: "
                         "pays 12 days late on average over 5 invoices")
        self.assertTrue(later.late_payment_expected_text)
        # the API's status gives each open invoice's expected date
        status = self.customer.with_user(self.lp_user).late_payment_status()[0]
        expected = {row["id"]: row["expected_payment_date"] for row in status["open_invoices"]}
        self.assertEqual(expected, {later.id: day(141).isoformat(), overdue.id: day(127).isoformat()})

    def test_paid_invoices_lose_their_date_and_newcomers_follow_the_company(self):
        self._history()
        newcomer = self._customer("Nouveau client")
        first = self._invoice_due(800.0, day(125), invoice_date=day(95), partner=newcomer)
        open_invoice = self._invoice_due(2000.0, day(130), invoice_date=day(100))
        self._score()
        self._score(newcomer)
        # the newcomer has no invoice settled: the company's pool (the first customer alone) says 11 days
        self.assertEqual((first.late_payment_expected_date, first.late_payment_expected_source),
                         (day(136), "company"))
        self._register_payment(open_invoice, amount=2000.0, payment_date=TODAY)
        self._score()
        self.assertFalse(open_invoice.late_payment_expected_date)
        self.assertFalse(open_invoice.late_payment_expected_text)


@tagged("post_install", "-at_install")
class TestPriority(RiskCommon):
    """The worklist's priority (engine/priority.py): stored by the risk refresh, the console's
    default order, the reason in words, the day's top customers in a task for the responsible."""

    def test_priority_order_reason_and_tasks(self):
        steady, promised = self._customer("Gros compte"), self._customer("Promesse rompue")
        big = self._invoice_due(20000.0, TODAY - (day(10) - day(0)), invoice_date=day(80), partner=steady)
        small = [self._invoice_due(amount, day(75), invoice_date=day(45), partner=promised)
                 for amount in (4000.0, 4400.0, 4000.0)]
        self.env["late.payment.promise"].sudo().create({
            "partner_id": promised.id, "company_id": self.company.id, "date": day(100), "amount": 5000.0,
            "move_ids": [(6, 0, [small[0].id])], "state": "broken", "closed_date": day(101)})
        self._refresh(TODAY, partner=steady)
        self._refresh(TODAY, partner=promised)
        dossiers = self._score(steady | promised)
        by_partner = {dossier.partner_id: dossier for dossier in dossiers}
        first, second = by_partner[promised], by_partner[steady]
        self.assertEqual((first.amount_overdue, first.oldest_overdue_days, first.priority_overdue_count),
                         (12400.0, 45, 3))
        self.assertEqual(first.priority_broken_date, day(101))
        # no reminder sent yet: half of what is overdue is expected back. 12,400 x 0.5 x (1 + 45 / 90)
        # x its risk class's weight x 1.25 for the broken promise; 20,000 x 0.5 x (1 + 10 / 90) x
        # its class's weight (neither has a history: no class weight, 1)
        self.assertTrue(first.risk_no_history and second.risk_no_history)
        self.assertAlmostEqual(first.priority, 12400 * 0.5 * 1.5 * 1.25, places=0)
        self.assertAlmostEqual(second.priority, 20000 * 0.5 * (1 + 10 / 90), places=0)
        self.assertGreater(first.priority, second.priority)
        reason = first.with_context(lang="en_US").priority_reason
        self.assertTrue(reason.startswith("3 invoices 45 days late, "), reason)
        self.assertIn("12,400.00", reason)
        self.assertTrue(reason.endswith(f"promise broken on {day(101).day} {day(101).strftime('%b')}"), reason)
        self.assertTrue(second.with_context(lang="en_US").priority_reason.startswith("1 invoice 10 days late"))
        # the console lists by priority first
        arch = self.env["late.payment.dossier"].get_views(
            [(self.env.ref("account_late_payment.view_late_payment_dossier_console_list").id, "list")])
        self.assertIn('default_order="priority desc', arch["views"]["list"]["arch"])
        # the day's top customers in one task for their responsible, once a day
        dossiers.user_id = self.lp_user
        with self._at(TODAY):
            tasks = self.dossiers._worklist_tasks()
            self.assertFalse(self.dossiers._worklist_tasks())
        self.assertEqual(len(tasks), 1)
        self.assertEqual((tasks.user_id, tasks.res_id, tasks.date_deadline), (self.lp_user, first.id, TODAY))
        self.assertLess(str(tasks.note).index("Promesse rompue"), str(tasks.note).index("Gros compte"))
        self.assertIn("2", tasks.summary)
        self.assertTrue(big.late_payment_expected_date)

    def test_queries_do_not_grow_with_the_customers(self):
        """Predictions and priorities of a batch: the same number of queries for 3 customers as
        for 12 (set-based: one read of the history for the batch, not one per customer)."""
        counts = []
        for size, prefix in ((3, "Petit"), (12, "Grand")):
            partners = self.env["res.partner"].create([
                {"name": f"{prefix} {index}", "is_company": True} for index in range(size)])
            for partner in partners:
                self._settled(1000.0, day(0), day(10), partner=partner)
                self._invoice_due(500.0, day(90), invoice_date=day(60), partner=partner)
            with self._at(TODAY):
                self.dossiers._refresh(partners=partners, company=self.company)
                self.dossiers._compute_risk(self.company, partners=partners)
                self.env.flush_all()
                self.env.invalidate_all()
                dossiers = self.dossiers.sudo().search([("partner_id", "in", partners.ids)])
                # as the nightly run does (superuser), the caches warm (a first call reads the
                # models' metadata)
                self.dossiers.sudo()._predict(self.company, partners.ids)
                self.dossiers.sudo()._prioritize(self.company, dossiers)
                self.env.flush_all()
                self.env.invalidate_all()
                before = self.env.cr.sql_log_count
                self.dossiers.sudo()._predict(self.company, partners.ids)
                self.dossiers.sudo()._prioritize(self.company, dossiers)
                self.env.flush_all()
                counts.append(self.env.cr.sql_log_count - before)
            self.assertEqual(len(dossiers.filtered("priority")), size)
        self.assertEqual(counts[0], counts[1], counts)
        self.assertLessEqual(counts[0], 20, counts)


@tagged("post_install", "-at_install")
class TestForecast(RiskCommon):
    """The dashboard's 13-week cash-in forecast and backtest, the analysis by expected week."""

    def test_forecast_backtest_and_analysis(self):
        for late in (18, 12, 12, 12, 6):
            self._settled(1000.0, day(100 - late), day(100))
        later = self._invoice_due(2000.0, day(130), invoice_date=day(100))
        self._score()
        self.assertEqual(later.late_payment_expected_date, day(141))
        with self._at(TODAY):
            dashboard = self.env["late.payment.dashboard"].create({"company_id": self.company.id})
            weeks, later_amount, unknown = dashboard._forecast(self.company, TODAY)
            html = dashboard.with_context(lang="en_US").forecast_html
            backtest = dashboard.with_context(lang="en_US").backtest_html
        # 2,000 expected in the week of day 141, nothing later, everything predicted
        self.assertEqual(len(weeks), 13)
        week = next(week for week in weeks if week.start <= day(141) < week.start + (day(7) - day(0)))
        self.assertEqual(week.expected, 2000.0)
        self.assertEqual((weeks[-1].cumulative, later_amount, unknown), (2000.0, 0.0, 0.0))
        self.assertEqual(dashboard.forecast_total, 2000.0)
        self.assertIn("o_late_payment_forecast", html)
        # the backtest replays the five invoices settled this year (measured now: the nightly run
        # has not measured it yet)
        self.assertFalse(self.company.late_payment_backtest_date)
        self.assertIn("The 5 invoices settled in the 12 months before", backtest)
        # the receivables analysis groups the open invoice by its expected week
        with self._at(TODAY):
            groups = self.env["late.payment.receivable.report"].formatted_read_group(
                [("company_id", "=", self.company.id), ("is_open", "=", True), ("amount_residual", ">", 0)],
                ["expected_date:week"], ["amount_residual:sum"])
        self.assertEqual([group["amount_residual:sum"] for group in groups if group["expected_date:week"]], [2000.0])

    def test_the_nightly_run_stores_the_backtest_once_every_customer_is_scored(self):
        for late in (18, 12, 12, 12, 6):
            self._settled(1000.0, day(100 - late), day(100))
        other = self._customer("Client ponctuel")
        self._settled(400.0, day(90), day(90), partner=other)
        cron = type(self.env["ir.cron"])
        dossier_model = self.env["late.payment.dossier"]
        # a turn that ends with customers left to score measures nothing yet
        with self._at(TODAY), patch.object(cron, "_commit_progress", side_effect=[1.0, 0.0]), \
                patch.object(type(self.env["late.payment.batch"]), "_turn_deadline", return_value=0.0):
            dossier_model._cron_risk(batch_size=1)
        self.assertFalse(self.company.late_payment_backtest_date)
        with self._at(TODAY), patch.object(cron, "_commit_progress", return_value=1.0):
            dossier_model._cron_risk(batch_size=1)
        expected = dossier_model.sudo()._backtest(self.company, TODAY)
        self.assertEqual(self.company.late_payment_backtest_date, TODAY)
        self.assertEqual(self.company.late_payment_backtest_count, expected.count)
        self.assertEqual(expected.count, 6)
        self.assertAlmostEqual(self.company.late_payment_backtest_error, expected.mae, places=2)
        self.assertAlmostEqual(self.company.late_payment_backtest_error_due_date, expected.mae_due_date, places=2)
        self.assertAlmostEqual(self.company.late_payment_backtest_error_last_delay, expected.mae_last_delay,
                               places=2)
        # the dashboard shows what the night measured, dated, without measuring again
        measure = type(dossier_model)
        with self._at(TODAY + (day(1) - day(0))), patch.object(measure, "_backtest") as backtest:
            dashboard = self.env["late.payment.dashboard"].create({"company_id": self.company.id})
            html = dashboard.with_context(lang="en_US").backtest_html
        backtest.assert_not_called()
        self.assertIn(f"The 6 invoices settled in the 12 months before {TODAY.strftime('%m/%d/%Y')}", html)
        # measured once a day: a second run the same day does not measure again
        with self._at(TODAY), patch.object(cron, "_commit_progress", return_value=1.0), \
                patch.object(measure, "_backtest") as backtest:
            dossier_model._cron_risk(batch_size=1)
        backtest.assert_not_called()
