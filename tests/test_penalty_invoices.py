from psycopg2 import IntegrityError

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.fields import Command
from odoo.tests import Form, new_test_user, tagged
from odoo.tools import mute_logger

from .common import PenaltyCommon


@tagged("post_install", "-at_install")
class TestPenaltyInvoices(PenaltyCommon):
    """Penalty invoices: invoiced once and only once, freed by a cancellation or a credit note."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Ledger = cls.env["late.payment.penalty.line"]
        cls.interest_product = cls.env.ref("account_late_payment.product_late_payment_interest")
        cls.indemnity_product = cls.env.ref("account_late_payment.product_late_payment_indemnity")
        # the worked example of docs/legal.md: EUR 5,000.00 due 31 May 2024
        cls.late = cls._invoice(5000.0, "2024-05-31", invoice_date="2024-05-01")
        cls._pay(cls.late, 2000.0, "2024-07-15")
        cls._pay(cls.late, 3000.0, "2024-09-30")

    def _rows(self, invoice=None, penalty=None):
        domain = [("source_move_id", "=", (invoice or self.late).id)]
        if penalty:
            domain.append(("penalty_move_id", "=", penalty.id))
        return self.Ledger.search(domain, order="kind, date_from, id")

    def test_invoice_once_and_only_once(self):
        penalty = self.late._late_payment_invoice_penalties("2024-07-15")
        self.assertEqual(len(penalty), 1)
        self.assertRecordValues(penalty, [{
            "move_type": "out_invoice", "state": "draft", "partner_id": self.partner_a.id,
            "late_payment_is_penalty": True, "amount_untaxed": 128.87, "amount_tax": 0.0,
            "amount_total": 128.87, "currency_id": self.eur.id,
            "invoice_date": fields.Date.to_date("2024-07-15"), "invoice_origin": self.late.name,
        }])
        interest_line, indemnity_line = penalty.invoice_line_ids.sorted("id")
        self.assertEqual((interest_line.product_id, interest_line.price_subtotal, interest_line.tax_ids),
                         (self.interest_product, 88.87, self.env["account.tax"]))
        self.assertEqual((indemnity_line.product_id, indemnity_line.price_subtotal, indemnity_line.tax_ids),
                         (self.indemnity_product, 40.0, self.env["account.tax"]))
        self.assertEqual(interest_line.name.replace("\xa0", " ").splitlines(), [
            f"Late-payment interest, invoice {self.late.name} due 05/31/2024:",
            "06/01/2024 to 06/30/2024: 30 days on 5,000.00 € at 14.50 %",
            "07/01/2024 to 07/15/2024: 15 days on 5,000.00 € at 14.25 %",
        ])
        self.assertEqual(indemnity_line.name,
                         f"Fixed indemnity for recovery costs, invoice {self.late.name} due 05/31/2024")
        receivable = self.late.line_ids.filtered(lambda line: line.display_type == "payment_term")
        self.assertRecordValues(self._rows(), [
            {"kind": "indemnity", "source_line_id": False, "date_from": False, "date_to": False, "days": 0,
             "base": 0.0, "rate": 0.0, "amount": 40.0, "penalty_line_id": indemnity_line.id, "state": "draft"},
            {"kind": "interest", "source_line_id": receivable.id, "date_from": fields.Date.to_date("2024-06-01"),
             "date_to": fields.Date.to_date("2024-06-30"), "days": 30, "base": 5000.0, "rate": 14.5,
             "amount": 59.59, "penalty_line_id": interest_line.id, "state": "draft"},
            {"kind": "interest", "source_line_id": receivable.id, "date_from": fields.Date.to_date("2024-07-01"),
             "date_to": fields.Date.to_date("2024-07-15"), "days": 15, "base": 5000.0, "rate": 14.25,
             "amount": 29.28, "penalty_line_id": interest_line.id, "state": "draft"},
        ])
        # a draft penalty invoice already holds its days: nothing more to invoice up to the same day
        self.assertFalse(self.late._late_payment_invoice_penalties("2024-07-15"))
        (result,) = self.late.late_payment_penalties("2024-07-15")
        self.assertEqual((result["already_invoiced"], result["interest_to_invoice"], result["indemnity_to_invoice"],
                          result["periods_to_invoice"]), (128.87, 0.0, 0.0, []))
        # later: the days since, and no second indemnity
        penalty.action_post()
        second = self.late._late_payment_invoice_penalties("2024-12-31", post=True)
        self.assertEqual((second.state, second.amount_total), ("posted", 90.18))
        self.assertEqual(second.invoice_line_ids.product_id, self.interest_product)
        self.assertEqual([(r.date_from, r.date_to) for r in self._rows(penalty=second)],
                         [(fields.Date.to_date("2024-07-16"), fields.Date.to_date("2024-09-30"))])
        self.assertEqual(self._rows().mapped("state"), ["posted"] * 4)
        (result,) = self.late.late_payment_penalties("2024-12-31")
        self.assertEqual((result["interest"], result["already_invoiced"], result["interest_to_invoice"]),
                         (179.05, 219.05, 0.0))
        self.assertFalse(self.late._late_payment_invoice_penalties("2024-12-31"))
        # the penalty invoice bears no penalty of its own, and is no source of penalties
        (own,) = second.late_payment_penalties("2025-12-31")
        self.assertEqual((own["interest"], own["indemnity"]), (0.0, 0.0))
        self.assertFalse(second._late_payment_invoice_penalties("2025-12-31"))

    def test_cancel_and_invoice_again(self):
        penalty = self.late._late_payment_invoice_penalties("2024-12-31", post=True)
        self.assertEqual(penalty.amount_total, 219.05)
        self.assertFalse(self.late._late_payment_invoice_penalties("2024-12-31"))
        penalty.button_draft()
        penalty.button_cancel()
        self.assertEqual(set(self._rows(penalty=penalty).mapped("state")), {"cancel"})
        (result,) = self.late.late_payment_penalties("2024-12-31")
        self.assertEqual((result["already_invoiced"], result["interest_to_invoice"], result["indemnity_to_invoice"]),
                         (0.0, 179.05, 40.0))
        again = self.late._late_payment_invoice_penalties("2024-12-31", post=True)
        self.assertEqual(again.amount_total, 219.05)
        self.assertEqual(len(self._rows().filtered(lambda r: r.state != "cancel")), 4)
        # the cancelled one cannot come back while the days are invoiced again
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"), self.env.cr.savepoint():
            penalty.button_draft()
            penalty.flush_recordset()
            self.Ledger.flush_model()

    def test_credit_note_waives_the_periods(self):
        penalty = self.late._late_payment_invoice_penalties("2024-12-31", post=True)
        # a partial credit note does not free anything
        partial = self._create_invoice_one_line(move_type="out_refund", price_unit=40.0, tax_ids=[],
                                                partner_id=self.partner_a, post=True)
        (penalty + partial).line_ids.filtered(lambda line: line.account_type == "asset_receivable").reconcile()
        self.assertEqual(penalty.payment_state, "partial")
        self.assertFalse(self.late._late_payment_invoice_penalties("2024-12-31"))
        # a full credit note of the rest is a waiver: the days stay taken, nothing is invoiced again
        self._reverse_invoice(penalty, date="2025-01-15", post=True)
        self.assertEqual(penalty.payment_state, "reversed")
        self.assertEqual(set(self._rows(penalty=penalty).mapped("state")), {"waived"})
        self.assertFalse(self.late._late_payment_invoice_penalties("2024-12-31"))
        (result,) = self.late.late_payment_penalties("2024-12-31")
        self.assertEqual((result["interest"], result["interest_to_invoice"], result["indemnity_to_invoice"],
                          result["already_invoiced"]), (179.05, 0.0, 0.0, 0.0))
        self.assertTrue(penalty.late_payment_has_waived_penalties)
        # only an administrator frees them, explicitly
        user = new_test_user(self.env, "lp_waiver_user", groups="account.group_account_invoice,"
                                                              "account_late_payment.group_late_payment_user")
        with self.assertRaisesRegex(UserError, "Administrator"):
            penalty.with_user(user).action_late_payment_free_waived_penalties()
        penalty.action_late_payment_free_waived_penalties()
        self.assertEqual(set(self._rows(penalty=penalty).mapped("state")), {"cancel"})
        again = self.late._late_payment_invoice_penalties("2024-12-31")
        self.assertEqual(again.amount_total, 219.05)

    def test_deleting_a_draft_frees_the_periods(self):
        penalty = self.late._late_payment_invoice_penalties("2024-12-31")
        self.assertEqual(len(self._rows()), 4)
        penalty.unlink()
        self.assertFalse(self._rows())
        self.assertEqual(self.late._late_payment_invoice_penalties("2024-12-31").amount_total, 219.05)

    def test_database_refuses_the_same_days_twice(self):
        penalty = self.late._late_payment_invoice_penalties("2024-07-15")
        receivable = self.late.line_ids.filtered(lambda line: line.display_type == "payment_term")
        other = self._invoice(10.0, "2024-12-31")
        common = {"source_move_id": self.late.id, "penalty_move_id": other.id}
        ledger = self.Ledger.sudo()  # the rows are written by the penalty invoicing only
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"), self.env.cr.savepoint():
            ledger.create({**common, "kind": "interest", "source_line_id": receivable.id,
                                "date_from": "2024-07-15", "date_to": "2024-07-20", "amount": 1.0})
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"), self.env.cr.savepoint():
            ledger.create({**common, "kind": "indemnity", "amount": 40.0})
        # the next days are fine
        ledger.create({**common, "kind": "interest", "source_line_id": receivable.id,
                            "date_from": "2024-07-16", "date_to": "2024-07-20", "amount": 1.0})
        self.Ledger.flush_model()
        self.assertEqual(len(self._rows()), 4)
        self.assertTrue(self._rows(penalty=penalty))

    def test_one_penalty_invoice_per_customer_and_currency(self):
        gbp = self.setup_other_currency("GBP", rates=[("2024-01-01", 0.85)])
        late_a = self._invoice(1000.0, "2025-01-31")
        late_a2 = self._invoice(2000.0, "2025-02-28")
        late_b = self._invoice(1000.0, "2025-01-31", partner=self.partner_b)
        self.partner_b.is_company = True
        late_gbp = self._invoice(1000.0, "2025-01-31", currency=gbp)
        on_time = self._invoice(1000.0, "2025-01-31")
        self._pay(on_time, 1000.0, "2025-01-31")
        penalties = (late_a + late_a2 + late_b + late_gbp + on_time)._late_payment_invoice_penalties("2025-03-31")
        self.assertEqual(len(penalties), 3)
        by_key = {(p.partner_id, p.currency_id): p for p in penalties}
        eur_a = by_key[self.partner_a, self.eur]
        self.assertEqual(eur_a.invoice_origin, f"{late_a.name}, {late_a2.name}")
        self.assertEqual(len(eur_a.invoice_line_ids), 4)  # interest and indemnity of each
        self.assertAlmostEqual(eur_a.amount_total,
                               round(1000 * 0.1315 * 59 / 365, 2) + round(2000 * 0.1315 * 31 / 365, 2) + 80.0)
        self.assertAlmostEqual(by_key[self.partner_a, gbp].amount_total, round(1000 * 0.1315 * 59 / 365, 2) + 34.0)
        self.assertIn((self.partner_b, self.eur), by_key)
        self.assertFalse(self._rows(on_time))

    def test_instalments_are_invoiced_per_line(self):
        term = self.env["account.payment.term"].create({
            "name": "30 % at 30 days, 70 % at 60 days",
            "line_ids": [Command.create({"value": "percent", "value_amount": 30.0, "nb_days": 30}),
                         Command.create({"value": "percent", "value_amount": 70.0, "nb_days": 60})],
        })
        invoice = self._create_invoice_one_line(price_unit=10000.0, tax_ids=[], invoice_date="2025-01-01",
                                                partner_id=self.partner_a, invoice_payment_term_id=term, post=True)
        first = invoice._late_payment_invoice_penalties("2025-02-28")
        self.assertEqual(first.amount_total, round(3000 * 0.1315 * 28 / 365, 2) + 40.0)
        second = invoice._late_payment_invoice_penalties("2025-03-31")
        # the first instalment from 1 March, the second from its own due date (3 March)
        self.assertEqual([(r.source_line_id.date_maturity, r.date_from, r.days) for r in self._rows(invoice, second)],
                         [(fields.Date.to_date("2025-01-31"), fields.Date.to_date("2025-03-01"), 31),
                          (fields.Date.to_date("2025-03-02"), fields.Date.to_date("2025-03-03"), 29)])
        self.assertEqual(second.amount_total, round((3000 * 31 + 7000 * 29) * 0.1315 / 365, 2))

    def test_no_vat_and_the_accounts_of_the_settings(self):
        # a company whose products get its sale tax by default: the penalty products have none
        self.assertTrue(self.company.account_sale_tax_id)
        self.assertFalse(self.interest_product.taxes_id)
        account = self.company_data["default_account_revenue"].copy({"code": "763100", "name": "Interest"})
        self.company.late_payment_interest_account_id = account
        penalty = self.late._late_payment_invoice_penalties("2024-12-31")
        interest_line = penalty.invoice_line_ids.filtered(lambda line: line.product_id == self.interest_product)
        self.assertEqual(interest_line.account_id, account)
        self.assertEqual(penalty.amount_tax, 0.0)
        # not a French chart here: the indemnity goes to the product's income account
        indemnity_line = penalty.invoice_line_ids - interest_line
        self.assertEqual(indemnity_line.account_id, self.company_data["default_account_revenue"])

    def test_nothing_for_consumers_waivers_and_future_dates(self):
        consumer = self.env["res.partner"].create({"name": "Julie Martin"})
        invoice = self._invoice(1000.0, "2025-01-31", partner=consumer)
        self.assertFalse(invoice._late_payment_invoice_penalties("2025-06-30"))
        self.partner_a.with_company(self.company).late_payment_waive_penalties = True
        self.assertFalse(self.late._late_payment_invoice_penalties("2024-12-31"))
        with self.assertRaises(UserError):
            self.late._late_payment_invoice_penalties(fields.Date.add(fields.Date.today(), days=1))

    def test_wizard_from_the_invoice_and_the_customer(self):
        user = new_test_user(self.env, login="lp_penalty_user", groups="account_late_payment.group_late_payment_user",
                             company_id=self.company.id)
        other = self._invoice(1000.0, "2025-01-31")
        wizard_form = Form(self.env["late.payment.penalty.invoice.wizard"].with_user(user).with_context(
            active_model="account.move", active_ids=self.late.ids))
        wizard_form.date = "2024-12-31"
        wizard = wizard_form.save()
        self.assertEqual(wizard.move_ids, self.late)
        self.assertIn("06/01/2024 to 06/30/2024: 30 days on 5,000.00\xa0€ at 14.50 %", wizard.preview)
        self.assertIn("179.05", wizard.preview)
        action = wizard.action_create_invoices()
        penalty = self.env["account.move"].browse(action["res_id"])
        self.assertEqual((penalty.amount_total, penalty.state), (219.05, "draft"))
        # from the customer: its late invoices, the first one invoiced already
        wizard = self.env["late.payment.penalty.invoice.wizard"].with_user(user).with_context(
            active_model="res.partner", active_ids=self.partner_a.ids).create({"date": "2025-03-02", "post": True})
        self.assertIn(other, wizard.move_ids)
        self.assertIn(self.late, wizard.move_ids)
        self.assertNotIn(self.late.name, wizard.preview)
        action = wizard.action_create_invoices()
        penalty = self.env["account.move"].browse(action["res_id"])
        self.assertEqual((penalty.state, penalty.invoice_origin), ("posted", other.name))
        # nothing left
        wizard = self.env["late.payment.penalty.invoice.wizard"].with_user(user).with_context(
            active_model="res.partner", active_ids=self.partner_a.ids).create({"date": "2025-03-02"})
        self.assertFalse(wizard.has_penalties)
        self.assertIn("Nothing to invoice", wizard.preview)
        with self.assertRaisesRegex(UserError, "Nothing to invoice"):
            wizard.action_create_invoices()

    def test_access(self):
        billing = new_test_user(self.env, login="lp_billing_only", groups="account.group_account_invoice",
                                company_id=self.company.id)
        with self.assertRaises(AccessError):
            self.env["late.payment.penalty.invoice.wizard"].with_user(billing).create({"move_ids": self.late.ids})
        with self.assertRaises(AccessError):
            self.Ledger.with_user(billing).search([])
        user = new_test_user(self.env, login="lp_penalty_user2", groups="account_late_payment.group_late_payment_user",
                             company_id=self.company.id)
        self.late.with_user(user)._late_payment_invoice_penalties("2024-12-31")
        self.assertEqual(len(self.Ledger.with_user(user).search([("source_move_id", "=", self.late.id)])), 4)
        with self.assertRaises(AccessError):
            self.Ledger.with_user(user).search([], limit=1).unlink()
