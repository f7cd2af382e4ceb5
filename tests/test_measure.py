from datetime import date, datetime, time

from odoo.exceptions import AccessError
from odoo.fields import Command
from odoo.tests import freeze_time, new_test_user, tagged

from odoo.addons.account_late_payment.engine import kpi

from .common import LatePaymentAdminCommon


def at(day):
    return freeze_time(datetime.combine(day, time(12)))


@tagged("post_install", "-at_install")
class TestMeasure(LatePaymentAdminCommon):
    """The receivables analysis (SQL view), the dashboard's KPIs and month-end history, the
    customer's own figures."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_data["company"]
        cls.other_currency = cls.setup_other_currency("EUR")  # 2 EUR for 1 company currency since 2017
        cls.customer = cls.env["res.partner"].create({"name": "Measured customer", "is_company": True})
        cls.Report = cls.env["late.payment.receivable.report"]

    @classmethod
    def _invoice(cls, amount, invoice_date, due, move_type="out_invoice", currency=None, partner=None, company=None):
        values = {}
        if company:
            values["company_id"] = company.id
            values["journal_id"] = cls.env["account.journal"].search([
                *cls.env["account.journal"]._check_company_domain(company), ("type", "=", "sale")], limit=1).id
        return cls._create_invoice(
            move_type=move_type, partner_id=(partner or cls.customer).id, invoice_date=invoice_date,
            invoice_payment_term_id=False, invoice_date_due=due,
            currency_id=(currency or cls.company.currency_id).id,
            invoice_line_ids=[Command.create({"name": "Service", "quantity": 1, "price_unit": amount,
                                              "tax_ids": [Command.clear()]})],
            post=True, **values)

    @classmethod
    def _pay(cls, invoice, amount, day, currency=None):
        return cls._register_payment(invoice, amount=amount, payment_date=day,
                                     currency_id=(currency or invoice.currency_id).id)

    def _rows(self, **domain):
        return self.Report.search([("partner_id", "=", self.customer.id), *domain.items()])

    # -- the analysis view ---------------------------------------------------------------------
    def test_rows_buckets_multi_currency_and_partial_payments(self):
        today = date(2026, 6, 30)
        not_due = self._invoice(1000, "2026-06-20", "2026-07-15")
        days_20 = self._invoice(500, "2026-05-11", "2026-06-10")
        days_71 = self._invoice(300, "2026-03-21", "2026-04-20")
        self._pay(days_71, 100, "2026-05-02")
        days_180 = self._invoice(400, "2025-12-02", "2026-01-01")
        paid_late = self._invoice(250, "2026-04-01", "2026-05-01")
        self._pay(paid_late, 250, "2026-05-11")
        in_euros = self._invoice(600, "2026-04-15", "2026-05-15", currency=self.other_currency)  # 300 here
        self._pay(in_euros, 200, "2026-06-01")  # 100 here
        credit = self._invoice(50, "2026-06-25", "2026-06-25", move_type="out_refund")
        with at(today):
            rows = {row.move_id: row for row in self._rows()}
            self.assertEqual(len(rows), 7)
            expected = {
                not_due: ("not_due", 1000, 1000, 0),
                days_20: ("days_1_30", 500, 500, 20),
                days_71: ("days_61_90", 300, 200, 71),
                days_180: ("days_over_90", 400, 400, 180),
                paid_late: ("paid", 250, 0, 0),
                in_euros: ("days_31_60", 300, 200, 46),
                credit: ("credit", -50, -50, 0),
            }
            for move, (bucket, original, residual, days) in expected.items():
                row = rows[move]
                self.assertEqual((row.bucket, row.amount_original, row.amount_residual, row.days_overdue),
                                 (bucket, original, residual, days), move.name)
            self.assertEqual(rows[paid_late].paid_date, date(2026, 5, 11))
            self.assertEqual(rows[paid_late].days_beyond_terms, 10)
            self.assertEqual(rows[days_71].amount_paid, 100)
            self.assertEqual(rows[in_euros].amount_overdue, 200)
            self.assertFalse(rows[paid_late].is_open)
            self.assertEqual(rows[not_due].amount_not_due, 1000)

            # by risk class: the customer's class in the company (its dossier)
            dossier = self.env["late.payment.dossier"]._compute_risk(self.company, partners=self.customer)
            self.assertTrue(dossier.risk_class_id)
            by_class = dict(self.Report._read_group(
                [("partner_id", "=", self.customer.id), ("is_open", "=", True)], ["risk_class_id"],
                ["amount_residual:sum"]))
            self.assertEqual(by_class, {dossier.risk_class_id: 2250})

            by_bucket = dict(self.Report._read_group(
                [("partner_id", "=", self.customer.id)], ["bucket"], ["amount_residual:sum"]))
            self.assertEqual(by_bucket, {"not_due": 1000, "days_1_30": 500, "days_31_60": 200, "days_61_90": 200,
                                         "days_over_90": 400, "paid": 0, "credit": -50})
            # open invoices: 5, 4 of them overdue; 1100 overdue of 2300 open (the credit is not a share)
            [(count_share, amount_share, overdue, open_count)] = self.Report._read_group(
                [("partner_id", "=", self.customer.id)], [],
                ["overdue_share_count:avg", "overdue_share_amount:avg", "amount_overdue:sum", "open_count:sum"])
            self.assertAlmostEqual(count_share, 80.0)
            self.assertAlmostEqual(amount_share, 1300 / 2300 * 100)
            # the overdue amount is the console's: the credit note of 50 pays the oldest overdue invoice
            self.assertEqual((overdue, open_count), (1250, 5))
            self.assertEqual(overdue, self.env["late.payment.dossier"].search([
                ("partner_id", "=", self.customer.id), ("company_id", "=", self.company.id)]).amount_overdue)

    def test_multi_company_and_access(self):
        self._invoice(100, "2026-01-01", "2026-01-31")
        other = self.setup_other_company()["company"]
        self._invoice(70, "2026-01-01", "2026-01-31", company=other)
        user = new_test_user(self.env, login="lp_measure_user", company_id=self.company.id,
                             groups="account_late_payment.group_late_payment_user")
        self.assertEqual(self.Report.with_user(user).search([("partner_id", "=", self.customer.id)]).mapped(
            "amount_original"), [100])
        both = self.Report.with_context(allowed_company_ids=[self.company.id, other.id])
        self.assertEqual(sorted(both.search([("partner_id", "=", self.customer.id)]).mapped("amount_original")),
                         [70, 100])
        billing = new_test_user(self.env, login="lp_measure_billing", company_id=self.company.id,
                                groups="account.group_account_invoice")
        with self.assertRaises(AccessError):
            self.Report.with_user(billing).search([])
        with self.assertRaises(AccessError):
            self.env["late.payment.dashboard"].with_user(billing).create({})
        action = self.env["late.payment.dashboard"].with_user(user).action_open()
        dashboard = self.env["late.payment.dashboard"].with_user(user).browse(action["res_id"])
        self.assertEqual(dashboard.company_id, self.company)
        self.assertTrue(dashboard.kpi_html)

    # -- the aged balance at past month ends ---------------------------------------------------
    def test_history_is_the_residual_at_each_date(self):
        first = self._invoice(1000, "2026-01-10", "2026-02-09")
        self._pay(first, 400, "2026-03-05")
        second = self._invoice(200, "2026-02-15", "2026-03-17")
        self._pay(first, 600, "2026-04-20")
        self._pay(second, 50, "2026-04-01")
        data = self.env["late.payment.measure"]._data(
            self.company, date(2026, 5, 31), date(2026, 1, 1), partners=self.customer)
        ends = kpi.month_ends(date(2026, 5, 31), 5, include_current=True)
        history = kpi.aged_balance_history(data["items"], data["payments"], ends)
        self.assertEqual(history[date(2026, 1, 31)].as_dict()["not_due"], 1000)
        self.assertEqual(history[date(2026, 2, 28)].as_dict(), {
            "not_due": 200, "days_1_30": 1000, "days_31_60": 0, "days_61_90": 0, "days_over_90": 0})
        self.assertEqual(history[date(2026, 3, 31)].as_dict(), {
            "not_due": 0, "days_1_30": 200, "days_31_60": 600, "days_61_90": 0, "days_over_90": 0})
        self.assertEqual(history[date(2026, 4, 30)].as_dict(), {
            "not_due": 0, "days_1_30": 0, "days_31_60": 150, "days_61_90": 0, "days_over_90": 0})
        # today's residuals are the history's last point
        self.assertEqual(history[date(2026, 5, 31)].total, 150)
        self.assertEqual(sum((first | second).mapped("amount_residual")), 150)

    # -- the dashboard ------------------------------------------------------------------------
    def test_dashboard_figures(self):
        """docs/design.md's count-back example: receivables 150,000 at the end of November; November
        sales 100,000 (30 days), October 80,000 (31 days): 30 + 50,000 / 80,000 x 31 days."""
        late = self._invoice(1000, "2025-09-01", "2025-10-01")
        self._pay(late, 1000, "2025-11-05")  # 35 days beyond terms
        october = self._invoice(80000, "2025-10-15", "2025-11-14")
        self._pay(october, 30000, "2025-11-20")
        self._invoice(100000, "2025-11-10", "2025-12-10")
        dashboard = self.env["late.payment.dashboard"].create({"date_to": "2025-11-30", "period": "1"})
        self.assertEqual(dashboard.date_from, date(2025, 11, 1))
        self.assertAlmostEqual(dashboard.dso_count_back, 30 + 50000 / 80000 * 31, delta=0.05)
        self.assertAlmostEqual(dashboard.dso_simple, 150000 / 100000 * 30, delta=0.05)
        self.assertAlmostEqual(dashboard.best_possible_dso, 30, delta=0.05)
        # receivables at the start (31 October): 81,000
        self.assertAlmostEqual(dashboard.cei, (81000 + 100000 - 150000) / (81000 + 100000 - 100000) * 100, delta=0.05)
        self.assertAlmostEqual(dashboard.average_days_beyond_terms, 35, delta=0.05)
        self.assertAlmostEqual(dashboard.share_paid_late, 100, delta=0.05)
        self.assertAlmostEqual(dashboard.share_overdue_count, 50, delta=0.05)
        self.assertAlmostEqual(dashboard.share_overdue_amount, 50000 / 150000 * 100, delta=0.05)
        self.assertEqual((dashboard.amount_receivable, dashboard.amount_overdue), (150000, 50000))
        self.assertIn("49.4", dashboard.kpi_html)
        self.assertIn("<svg", dashboard.trend_html)
        [top] = dashboard.customer_ids
        self.assertEqual((top.partner_id, top.amount_overdue, top.amount_receivable), (self.customer, 50000, 150000))
        action = top.action_open_items()
        self.assertEqual(len(self.env[action["res_model"]].search(action["domain"]).filtered("is_open")), 2)
        # the previous period (October): 81,000 due against 80,000 of sales in 31 days
        figures = dashboard._figures()
        self.assertAlmostEqual(figures["current"]["dso_count_back"], 49.375)
        self.assertAlmostEqual(figures["previous"]["dso_simple"], 81000 / 80000 * 31)
        # the trend: DSO at each of the 12 month ends up to November
        trend = figures["trend"]
        self.assertEqual([point[0] for point in trend][-2:], [date(2025, 10, 31), date(2025, 11, 30)])
        self.assertAlmostEqual(trend[-1][1], 30 + 50000 / 80000 * 31)
        self.assertAlmostEqual(trend[-1][2], 50000 / 150000 * 100)
        # another period: the customers list follows
        dashboard.write({"date_to": "2025-10-31"})
        self.assertEqual(dashboard.customer_ids.amount_overdue, 1000)  # the September invoice, paid in November

    def test_customer_figures(self):
        late = self._invoice(1000, "2025-09-01", "2025-10-01")
        self._pay(late, 1000, "2025-11-05")
        october = self._invoice(80000, "2025-10-15", "2025-11-14")
        self._pay(october, 30000, "2025-11-20")
        self._invoice(100000, "2025-11-10", "2025-12-10")
        with at(date(2025, 11, 30)):
            customer = self.customer.with_company(self.company)
            customer.invalidate_recordset()
            self.assertEqual(customer.late_payment_aged_not_due, 100000)
            self.assertEqual(customer.late_payment_aged_1_30, 50000)
            self.assertEqual(customer.late_payment_aged_over_90, 0)
            self.assertAlmostEqual(customer.late_payment_dso, 150000 / 181000 * 365, delta=0.05)
            self.assertAlmostEqual(customer.late_payment_days_beyond_terms, 35, delta=0.05)
            self.assertAlmostEqual(customer.late_payment_share_paid_late, 100, delta=0.05)
