from odoo.tests import TransactionCase, tagged

AGED = ["not_due", "days_1_30", "days_31_60", "days_61_90", "days_over_90"]


@tagged("post_install", "-at_install", "late_payment_demo")
class TestSameFiguresDemo(TransactionCase):
    """On the demo database: for every customer and in total, the console (the dossiers), the
    dashboard, the receivables analysis and the API show the same amount due and amount overdue,
    to the cent; the aged columns come in age order."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.ref("base.user_admin").company_id
        cls.env = cls.env(context=dict(cls.env.context, allowed_company_ids=[cls.company.id]))
        cls.dossiers = cls.env["late.payment.dossier"].search([("company_id", "=", cls.company.id)])
        cls.currency = cls.company.currency_id

    def assertAmount(self, first, second, msg=None):
        self.assertFalse(self.currency.compare_amounts(first, second), msg or f"{first} != {second}")

    def test_every_screen_shows_the_console_figures(self):
        console = {d.partner_id.id: (d.amount_due, d.amount_overdue) for d in self.dossiers}
        self.assertGreaterEqual(len([1 for _due, overdue in console.values() if overdue]), 5)
        total_due = sum(due for due, _overdue in console.values())
        total_overdue = sum(overdue for _due, overdue in console.values())

        # the one computation, evaluated now, is what the daily run stored
        balances = self.env["late.payment.dossier"]._balances(self.company)
        for partner_id, balance in balances.items():
            due, overdue = console.get(partner_id, (0.0, 0.0))
            self.assertAmount(float(balance.amount_due), due, f"amount due of partner {partner_id}")
            self.assertAmount(float(balance.amount_overdue), overdue, f"amount overdue of partner {partner_id}")
            self.assertAmount(float(sum(balance.buckets[code] for code in AGED[1:])), overdue)

        # the dashboard, up to today
        dashboard = self.env["late.payment.dashboard"].create({})
        self.assertAmount(dashboard.amount_receivable, total_due)
        self.assertAmount(dashboard.amount_overdue, total_overdue)
        self.assertTrue(dashboard.customer_ids)
        for row in dashboard.customer_ids:
            due, overdue = console[row.partner_id.id]
            self.assertAmount(row.amount_overdue, overdue, row.partner_id.name)
            self.assertAmount(row.amount_receivable, due, row.partner_id.name)

        # the receivables analysis, per customer and in total
        report = self.env["late.payment.receivable.report"]
        by_partner = {partner.id: (due, overdue) for partner, due, overdue in report._read_group(
            [("company_id", "=", self.company.id)], ["partner_id"], ["amount_residual:sum", "amount_overdue:sum"])}
        for partner_id in set(console) | set(by_partner):
            due, overdue = console.get(partner_id, (0.0, 0.0))
            seen_due, seen_overdue = by_partner.get(partner_id, (0.0, 0.0))
            self.assertAmount(seen_due, due, f"analysis: amount due of partner {partner_id}")
            self.assertAmount(seen_overdue, overdue, f"analysis: amount overdue of partner {partner_id}")
        [(due, overdue)] = report._read_group([("company_id", "=", self.company.id)], [],
                                              ["amount_residual:sum", "amount_overdue:sum"])
        self.assertAmount(due, total_due)
        self.assertAmount(overdue, total_overdue)

        # the API
        statuses = self.dossiers.partner_id.with_company(self.company).late_payment_status()
        for status in statuses:
            due, overdue = console[status["id"]]
            self.assertAmount(status["amount_due"], due, status["name"])
            self.assertAmount(status["amount_overdue"], overdue, status["name"])
            self.assertEqual([row["bucket"] for row in status["aged"]], AGED)
            self.assertAmount(sum(row["amount"] for row in status["aged"][1:]), overdue, status["name"])

    def test_aged_columns_in_age_order(self):
        report = self.env["late.payment.receivable.report"]
        buckets = [bucket for bucket, _count in report._read_group(
            [("company_id", "=", self.company.id), ("is_open", "=", True)], ["bucket"], ["__count"])]
        self.assertGreaterEqual(len(set(buckets) & set(AGED)), 4, buckets)
        order = ["not_due", "days_1_30", "days_31_60", "days_61_90", "days_over_90", "excluded", "credit", "paid"]
        self.assertEqual(buckets, [code for code in order if code in buckets])
        # the pivot's columns: the same order in a grouped read with the partner as rows
        groups = report.formatted_read_group([("company_id", "=", self.company.id)], ["bucket", "partner_id"],
                                             ["amount_residual:sum"])
        seen = list(dict.fromkeys(group["bucket"] for group in groups))
        self.assertEqual(seen, [code for code in order if code in seen])
