from datetime import date, datetime, time, timedelta

from odoo.fields import Command
from odoo.tests import freeze_time, tagged

from .common import LatePaymentAdminCommon

TODAY = date(2026, 6, 30)
AGED = ["not_due", "days_1_30", "days_31_60", "days_61_90", "days_over_90"]


def at(day):
    return freeze_time(datetime.combine(day, time(12)))


@tagged("post_install", "-at_install")
class TestSameFigures(LatePaymentAdminCommon):
    """One computation of what is owed and overdue: the console (the dossier), the dashboard,
    the receivables analysis, the customer's aged balance and the API show the same figures,
    with credits used once, a foreign-currency invoice, an excluded and a disputed invoice."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_data["company"]
        cls.other_currency = cls.setup_other_currency("EUR")  # 2 EUR for 1 company currency
        cls.customer = cls.env["res.partner"].create({"name": "Figures customer", "is_company": True})
        cls.Report = cls.env["late.payment.receivable.report"]

    @classmethod
    def _invoice(cls, amount, due_in, move_type="out_invoice", currency=None):
        due = TODAY + timedelta(days=due_in)
        return cls._create_invoice(
            move_type=move_type, partner_id=cls.customer.id, invoice_date=min(due, TODAY) - timedelta(days=30),
            invoice_payment_term_id=False, invoice_date_due=due,
            currency_id=(currency or cls.company.currency_id).id,
            invoice_line_ids=[Command.create({"name": "Service", "quantity": 1, "price_unit": amount,
                                              "tax_ids": [Command.clear()]})],
            post=True)

    def _unmatched_payment(self, amount):
        move = self.env["account.move"].create({
            "move_type": "entry", "date": TODAY - timedelta(days=5),
            "journal_id": self.company_data["default_journal_bank"].id,
            "line_ids": [
                Command.create({"partner_id": self.customer.id, "credit": amount,
                                "account_id": self.company_data["default_account_receivable"].id}),
                Command.create({"debit": amount,
                                "account_id": self.company_data["default_journal_bank"].default_account_id.id}),
            ],
        })
        move.action_post()
        return move

    def test_console_dashboard_analysis_api_agree(self):
        self._invoice(1000, -100)                                   # over 90 days
        self._invoice(2000, -40)                                    # 31-60 days
        self._invoice(500, 10)                                      # not yet due
        self._invoice(600, -20, currency=self.other_currency)       # 300 here, 1-30 days
        excluded = self._invoice(700, -50)
        excluded.line_ids.filtered(lambda line: line.account_type == "asset_receivable").no_followup = True
        disputed = self._invoice(400, -15)
        self.env["late.payment.dispute"].create({"move_id": disputed.id, "reason": "Goods damaged"})
        self._invoice(1500, 0, move_type="out_refund")              # a credit note not yet used
        self._unmatched_payment(200)                                # a payment not yet matched

        with at(TODAY):
            dossier = self.env["late.payment.dossier"]._refresh(
                partners=self.customer, company=self.company)
            # the console: 1,700 of credits pay the oldest followed invoices once (1,000 and 700 of
            # the 2,000); the excluded and the disputed invoices are left out
            self.assertEqual((dossier.amount_due, dossier.amount_overdue, dossier.amount_excluded),
                             (3200, 1600, 1100))

            # the one computation, its aged buckets in age order
            balance = self.env["late.payment.dossier"]._balances(self.company, self.customer)[
                self.customer.id]
            self.assertEqual([code for code, _amount in balance.aged()], AGED)
            self.assertEqual([float(amount) for _code, amount in balance.aged()], [500, 300, 1300, 0, 0])
            self.assertEqual((balance.amount_due, balance.amount_overdue, balance.credit_left), (3200, 1600, 0))

            # the dashboard up to today: the company's figures and the customer's are the console's
            dashboard = self.env["late.payment.dashboard"].create({})
            self.assertEqual((dashboard.amount_receivable, dashboard.amount_overdue), (3200, 1600))
            [top] = dashboard.customer_ids
            self.assertEqual((top.partner_id, top.amount_receivable, top.amount_overdue, top.amount_over_90),
                             (self.customer, 3200, 1600, 0))
            aged_html = str(dashboard.aged_html)
            positions = [aged_html.index(label) for label in
                         ("Not due", "1-30 days", "31-60 days", "61-90 days", "Over 90 days", "Left out")]
            self.assertEqual(positions, sorted(positions))
            self.assertIn("3,200.00", aged_html)

            # the receivables analysis: gross by line, and per customer the console's figures
            [(due, overdue)] = self.Report._read_group(
                [("partner_id", "=", self.customer.id)], [], ["amount_residual:sum", "amount_overdue:sum"])
            self.assertEqual((due, overdue), (3200, 1600))
            [(overdue_filtered,)] = self.Report._read_group(
                [("partner_id", "=", self.customer.id), ("is_overdue", "=", True)], [], ["amount_overdue:sum"])
            self.assertEqual(overdue_filtered, 1600)
            [credit_use] = self.Report.search([("partner_id", "=", self.customer.id), ("is_credit_use", "=", True)])
            self.assertEqual(credit_use.amount_overdue, -1700)
            by_bucket = self.Report._read_group([("partner_id", "=", self.customer.id)], ["bucket"],
                                                ["amount_residual:sum"])
            self.assertEqual([bucket for bucket, _amount in by_bucket],
                             ["not_due", "days_1_30", "days_31_60", "days_over_90", "excluded", "credit"])
            self.assertEqual(dict(by_bucket), {"not_due": 500, "days_1_30": 300, "days_31_60": 2000,
                                               "days_over_90": 1000, "excluded": 1100, "credit": -1700})
            # in descending order too
            self.assertEqual([bucket for bucket, _amount in self.Report._read_group(
                [("partner_id", "=", self.customer.id)], ["bucket"], ["__count"], order="bucket desc")],
                ["credit", "excluded", "days_over_90", "days_31_60", "days_1_30", "not_due"])

            # the customer's aged balance (its form)
            customer = self.customer.with_company(self.company)
            self.assertEqual([customer.late_payment_aged_not_due, customer.late_payment_aged_1_30,
                              customer.late_payment_aged_31_60, customer.late_payment_aged_61_90,
                              customer.late_payment_aged_over_90], [500, 300, 1300, 0, 0])

            # the API
            [status] = self.customer.late_payment_status()
            self.assertEqual((status["amount_due"], status["amount_overdue"], status["amount_excluded"],
                              status["credit_left"]), (3200, 1600, 1100, 0))
            self.assertEqual([(row["bucket"], row["amount"]) for row in status["aged"]],
                             [("not_due", 500), ("days_1_30", 300), ("days_31_60", 1300), ("days_61_90", 0),
                              ("days_over_90", 0)])
            self.assertEqual(status["aged"][1]["label"], "1-30 days")

    def test_credit_left_over(self):
        """More credits than debts: nothing overdue anywhere, the credit left over apart."""
        self._invoice(400, -20)
        self._invoice(1000, 0, move_type="out_refund")
        with at(TODAY):
            dossier = self.env["late.payment.dossier"]._refresh(
                partners=self.customer, company=self.company)
            self.assertEqual((dossier.amount_due, dossier.amount_overdue), (-600, 0))
            dashboard = self.env["late.payment.dashboard"].create({})
            self.assertEqual((dashboard.amount_receivable, dashboard.amount_overdue), (-600, 0))
            self.assertFalse(dashboard.customer_ids)
            [(due, overdue)] = self.Report._read_group(
                [("partner_id", "=", self.customer.id)], [], ["amount_residual:sum", "amount_overdue:sum"])
            self.assertEqual((due, overdue), (-600, 0))
            [status] = self.customer.late_payment_status()
            self.assertEqual((status["amount_overdue"], status["credit_left"]), (0, -600))
            self.assertEqual(sum(row["amount"] for row in status["aged"]), 0)
