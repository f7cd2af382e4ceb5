from odoo import fields
from odoo.exceptions import UserError, ValidationError
from odoo.fields import Command
from odoo.tests import Form, freeze_time, new_test_user, tagged
from odoo.tools import mute_logger

from .common import PenaltyCommon


@tagged("post_install", "-at_install")
class TestLatePaymentPenalties(PenaltyCommon):
    """account.move.late_payment_penalties on real invoices and payments."""

    def _penalties(self, invoice, at_date):
        (result,) = invoice.late_payment_penalties(at_date)
        return result

    def test_worked_example_with_partial_payments(self):
        """docs/legal.md: EUR 5,000.00 due 31 May 2024, 2,000.00 paid 15 Jul, the rest 30 Sep 2024."""
        invoice = self._invoice(5000.0, "2024-05-31", invoice_date="2024-05-01")
        self._pay(invoice, 2000.0, "2024-07-15")
        self.assertEqual(invoice.payment_state, "partial")
        # while partly paid
        midway = self._penalties(invoice, "2024-07-31")
        self.assertEqual(midway["amount_residual"], 3000.0)
        self.assertEqual(midway["days_late"], 61)
        self.assertEqual(midway["interest"], round(59.5890 + 29.2808 + 3000 * 0.1425 * 16 / 365, 2))
        self._pay(invoice, 3000.0, "2024-09-30")
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        result = self._penalties(invoice, "2024-12-31")
        self.assertEqual({k: v for k, v in result.items() if k not in ("periods", "periods_to_invoice")}, {
            "id": invoice.id,
            "name": invoice.name,
            "currency": "EUR",
            "due_date": "2024-05-31",
            "amount_residual": 0.0,
            "days_late": 122,
            "interest": 179.05,
            "indemnity": 40.0,
            "already_invoiced": 0.0,
            "interest_to_invoice": 179.05,
            "indemnity_to_invoice": 40.0,
        })
        self.assertEqual(result["periods_to_invoice"], result["periods"])
        line = invoice.line_ids.filtered(lambda x: x.display_type == "payment_term")
        self.assertEqual(result["periods"], [
            {"date_from": "2024-06-01", "date_to": "2024-06-30", "days": 30, "base": 5000.0, "rate": 14.5,
             "amount": 59.59, "line_id": line.id},
            {"date_from": "2024-07-01", "date_to": "2024-07-15", "days": 15, "base": 5000.0, "rate": 14.25,
             "amount": 29.28, "line_id": line.id},
            {"date_from": "2024-07-16", "date_to": "2024-09-30", "days": 77, "base": 3000.0, "rate": 14.25,
             "amount": 90.18, "line_id": line.id},
        ])
        self.assertEqual(result["interest"] + result["indemnity"], 219.05)
        # before the due date: nothing
        early = self._penalties(invoice, "2024-05-31")
        self.assertEqual((early["days_late"], early["interest"], early["indemnity"], early["periods"]),
                         (0, 0.0, 0.0, []))

    def test_paid_on_time_costs_nothing(self):
        invoice = self._invoice(1000.0, "2025-01-31")
        self._pay(invoice, 1000.0, "2025-01-31")
        result = self._penalties(invoice, "2025-06-30")
        self.assertEqual((result["days_late"], result["interest"], result["indemnity"]), (0, 0.0, 0.0))

    def test_instalments_follow_each_due_date(self):
        term = self.env["account.payment.term"].create({
            "name": "30 % at 30 days, 70 % at 60 days",
            "line_ids": [
                Command.create({"value": "percent", "value_amount": 30.0, "nb_days": 30}),
                Command.create({"value": "percent", "value_amount": 70.0, "nb_days": 60}),
            ],
        })
        invoice = self._create_invoice_one_line(
            price_unit=10000.0, tax_ids=[], invoice_date="2025-01-01", partner_id=self.partner_a,
            invoice_payment_term_id=term, post=True)
        lines = invoice.line_ids.filtered(lambda x: x.display_type == "payment_term").sorted("date_maturity")
        self.assertEqual(lines.mapped("date_maturity"), [fields.Date.to_date("2025-01-31"),
                                                          fields.Date.to_date("2025-03-02")])
        self.assertEqual(invoice.invoice_date_due, fields.Date.to_date("2025-03-02"))
        # on 2025-02-28 the first instalment is 28 days late, the second one not due
        result = self._penalties(invoice, "2025-02-28")
        self.assertEqual(result["days_late"], 28)
        self.assertEqual([(p["line_id"], p["base"], p["days"]) for p in result["periods"]], [(lines[0].id, 3000.0, 28)])
        self.assertEqual(result["interest"], round(3000 * 0.1315 * 28 / 365, 2))
        self.assertEqual(result["indemnity"], 40.0)
        # on 2025-03-31 both are late: one indemnity for the invoice
        result = self._penalties(invoice, "2025-03-31")
        self.assertEqual([(p["line_id"], p["days"]) for p in result["periods"]], [(lines[0].id, 59), (lines[1].id, 29)])
        self.assertEqual(result["interest"], round((3000 * 59 + 7000 * 29) * 0.1315 / 365, 2))
        self.assertEqual(result["indemnity"], 40.0)

    def test_credit_note_counts_as_a_payment_on_its_date(self):
        invoice = self._invoice(1200.0, "2025-01-31")
        refund = self._create_invoice_one_line(
            move_type="out_refund", price_unit=200.0, tax_ids=[], invoice_date="2025-02-10",
            partner_id=self.partner_a, post=True)
        (invoice + refund).line_ids.filtered(lambda x: x.account_type == "asset_receivable").reconcile()
        self.assertEqual(invoice.amount_residual, 1000.0)
        self._pay(invoice, 1000.0, "2025-02-28")
        result = self._penalties(invoice, "2025-12-31")
        self.assertEqual([(p["days"], p["base"]) for p in result["periods"]], [(10, 1200.0), (18, 1000.0)])
        self.assertEqual(result["interest"], round((1200 * 10 + 1000 * 18) * 0.1315 / 365, 2))
        # the credit note itself bears no penalty
        refund_result = self._penalties(refund, "2025-12-31")
        self.assertEqual((refund_result["interest"], refund_result["indemnity"], refund_result["periods"]),
                         (0.0, 0.0, []))

    def test_fully_reversed_invoice_has_no_penalty(self):
        invoice = self._invoice(800.0, "2025-01-31")
        self._reverse_invoice(invoice, date="2025-03-15", post=True)
        self.assertEqual(invoice.payment_state, "reversed")
        result = self._penalties(invoice, "2025-06-30")
        self.assertEqual((result["interest"], result["indemnity"], result["days_late"]), (0.0, 0.0, 0))

    def test_multi_currency_in_the_invoice_currency(self):
        gbp = self.setup_other_currency("GBP", rates=[("2024-01-01", 0.85), ("2024-06-01", 0.8456)])
        invoice = self._invoice(5000.0, "2024-05-31", currency=gbp)
        self._pay(invoice, 2000.0, "2024-07-15", currency_id=gbp.id)
        self._pay(invoice, 3000.0, "2024-09-30", currency_id=gbp.id)
        result = self._penalties(invoice, "2024-12-31")
        self.assertEqual(result["currency"], "GBP")
        self.assertEqual(result["interest"], 179.05)  # the same figures, in pounds
        self.assertEqual(result["indemnity"], 33.82)  # EUR 40 at 0.8456 on 1 June 2024, the first day late
        self.assertEqual([p["base"] for p in result["periods"]], [5000.0, 5000.0, 3000.0])

    def test_consumers(self):
        consumer = self.env["res.partner"].create({"name": "Julie Martin", "is_company": False})
        invoice = self._invoice(1000.0, "2025-01-31", partner=consumer)
        result = self._penalties(invoice, "2025-03-02")
        self.assertEqual((result["days_late"], result["interest"], result["indemnity"]), (30, 0.0, 0.0))
        self.company.late_payment_interest_consumers = True
        result = self._penalties(invoice, "2025-03-02")
        self.assertEqual(result["interest"], 0.0)  # a consumer owes interest from the formal notice only
        self.assertEqual(result["indemnity"], 0.0)  # never for a consumer
        # a person with a VAT number or a SIREN is a professional
        consumer.company_registry = "732829320"
        self.company.late_payment_interest_consumers = False
        self.assertEqual(self._penalties(invoice, "2025-03-02")["indemnity"], 40.0)

    def test_waiver_is_per_company(self):
        invoice = self._invoice(1000.0, "2025-01-31")
        other = self.setup_other_company(name="Other company")["company"]
        self.partner_a.with_company(other).late_payment_waive_penalties = True
        self.assertGreater(self._penalties(invoice, "2025-03-02")["interest"], 0)
        self.partner_a.with_company(self.company).late_payment_waive_penalties = True
        self.assertTrue(self.partner_a.with_company(self.company).late_payment_waive_penalties)
        result = self._penalties(invoice, "2025-03-02")
        self.assertEqual((result["days_late"], result["interest"], result["indemnity"]), (30, 0.0, 0.0))
        # on a contact of the customer too: the commercial partner decides
        contact = self.env["res.partner"].create({"name": "Accounts", "parent_id": self.partner_a.id})
        invoice_contact = self._invoice(1000.0, "2025-01-31", partner=contact)
        self.assertEqual(self._penalties(invoice_contact, "2025-03-02")["interest"], 0.0)

    def test_modes_and_settings(self):
        invoice = self._invoice(1000.0, "2024-12-31")
        self._pay(invoice, 1000.0, "2025-01-30")
        self.company.late_payment_interest_margin = 8.0
        self.assertEqual(self._penalties(invoice, "2025-06-30")["interest"], round(1000 * 0.1115 * 30 / 365, 2))
        self.company.late_payment_day_count = "actual_360"
        self.assertEqual(self._penalties(invoice, "2025-06-30")["interest"], round(1000 * 0.1115 * 30 / 360, 2))
        self.company.write({"late_payment_interest_mode": "contractual", "late_payment_contractual_rate": 15.0,
                            "late_payment_day_count": "actual_365"})
        self.assertEqual(self._penalties(invoice, "2025-06-30")["interest"], round(1000 * 0.15 * 30 / 365, 2))
        self.company.write({"late_payment_interest_mode": "none", "late_payment_indemnity_amount": 50.0})
        result = self._penalties(invoice, "2025-06-30")
        self.assertEqual((result["interest"], result["indemnity"], result["periods"]), (0.0, 50.0, []))
        with self.assertRaises(ValidationError):
            self.company.late_payment_indemnity_amount = -1

    @freeze_time("2026-03-01")
    def test_contractual_floor_for_french_companies(self):
        # 2026 H1: legal rate (b) 2.62 %, floor 7.86 %
        with self.assertRaisesRegex(ValidationError, "7.86"):
            self.company.write({"late_payment_interest_mode": "contractual", "late_payment_contractual_rate": 7.85})
        self.company.write({"late_payment_interest_mode": "contractual", "late_payment_contractual_rate": 7.86})
        with self.assertRaises(ValidationError):
            self.company.late_payment_contractual_rate = 0.0
        # the same rate is fine for a company outside France
        other = self.setup_other_company(name="US company", country_id=self.env.ref("base.us").id)["company"]
        other.account_fiscal_country_id = self.env.ref("base.us")
        other.write({"late_payment_interest_mode": "contractual", "late_payment_contractual_rate": 5.0})
        # the settings screen refuses it, in the user's language
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(["account_late_payment"], ["fr_FR"], overwrite=True)
        with mute_logger("odoo.tests.form.onchange"):
            settings = Form(self.env["res.config.settings"].with_context(lang="fr_FR"))
            settings.late_payment_interest_mode = "contractual"
            settings.late_payment_contractual_rate = 6.0
            with self.assertRaises(ValidationError) as error:
                settings.save().execute()
        self.assertIn("trois fois le taux de l'intérêt légal", str(error.exception))
        self.assertIn("soit 7,86 % ce semestre (3 x 2,62 %)", str(error.exception))  # French numbers
        # a contractual rate below the floor of a later half-year is raised to it
        self.company.write({"late_payment_contractual_rate": 9.0})
        invoice = self._invoice(1000.0, "2023-12-31")
        result = self._penalties(invoice, "2024-01-30")
        self.assertEqual([p["rate"] for p in result["periods"]], [15.21])  # 3 x 5.07 (2024 H1)

    @freeze_time("2026-09-01")
    def test_contractual_floor_unknown_half_year(self):
        # 2026 H2's legal rate is not in the table yet: no floor to check against
        self.company.write({"late_payment_interest_mode": "contractual", "late_payment_contractual_rate": 5.0})
        self.assertEqual(self.company.late_payment_contractual_rate, 5.0)

    def test_statutory_default_applies_even_below_the_floor(self):
        invoice = self._invoice(1000.0, "2024-01-31")
        result = self._penalties(invoice, "2024-03-01")
        self.assertEqual([p["rate"] for p in result["periods"]], [14.5])  # ECB 4.50 + 10 < 3 x 5.07

    def test_bad_arguments(self):
        invoice = self._invoice(1000.0, "2025-01-31")
        for value in ("31/01/2025", "2025-13-01", "tomorrow", ""):
            with self.assertRaisesRegex(UserError, "YYYY-MM-DD"):
                invoice.late_payment_penalties(value)
        for value in (20250131, 2025.0, ["2025-01-31"]):
            with self.assertRaisesRegex(UserError, "YYYY-MM-DD"):
                invoice.late_payment_penalties(value)
        bill = self._invoice(100.0, "2025-01-31", move_type="in_invoice", partner=self.partner_b)
        with self.assertRaisesRegex(UserError, "customer invoices only"):
            (invoice + bill).late_payment_penalties("2025-03-01")
        old = self._invoice(100.0, "2008-05-31")
        with self.assertRaisesRegex(UserError, "01/01/2008"):
            old.late_payment_penalties("2008-09-30")
        self.assertEqual(self.env["account.move"].late_payment_penalties(), [])

    @freeze_time("2025-03-02")
    def test_today_by_default_and_batch_order(self):
        first = self._invoice(1000.0, "2025-01-31")
        second = self._invoice(2000.0, "2025-02-15")
        results = (second + first).late_payment_penalties()
        self.assertEqual([r["id"] for r in results], [second.id, first.id])
        self.assertEqual([r["days_late"] for r in results], [15, 30])
        self.assertEqual(results[1]["interest"], round(1000 * 0.1315 * 30 / 365, 2))

    @freeze_time("2025-03-02")
    def test_shown_on_the_invoice_and_the_customer(self):
        first = self._invoice(1000.0, "2025-01-31")
        second = self._invoice(2000.0, "2025-02-15")
        self._pay(second, 500.0, "2025-02-20")
        paid_late = self._invoice(700.0, "2025-01-15")
        self._pay(paid_late, 700.0, "2025-01-20")
        not_due = self._invoice(300.0, "2025-03-31")
        expected_first = round(1000 * 0.1315 * 30 / 365, 2)
        expected_second = round((2000 * 5 + 1500 * 10) * 0.1315 / 365, 2)
        self.assertEqual((first.late_payment_days_late, first.late_payment_interest, first.late_payment_indemnity),
                         (30, expected_first, 40.0))
        self.assertEqual(second.late_payment_interest, expected_second)
        self.assertEqual(not_due.late_payment_interest, 0.0)
        # the customer: its overdue invoices (not those paid already)
        self.assertAlmostEqual(self.partner_a.late_payment_interest, expected_first + expected_second)
        self.assertEqual(self.partner_a.late_payment_indemnity, 80.0)
        self.assertEqual(self.partner_b.late_payment_interest, 0.0)
        # the Follow-up tabs show them to the users of late payments
        user = new_test_user(self.env, login="lp_penalty_user", company_id=self.company.id,
                             groups="account_late_payment.group_late_payment_user")
        form = Form(first.with_user(user))
        self.assertEqual(form.late_payment_interest, expected_first)
        self.assertEqual(form.late_payment_indemnity, 40.0)
        partner_form = Form(self.partner_a.with_user(user))
        self.assertAlmostEqual(partner_form.late_payment_interest, expected_first + expected_second)
