from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import format_date

from .common import LatePaymentCommon, day

LETTER_REPORT = "account_late_payment.action_report_late_payment_letter"


@tagged("post_install", "-at_install")
class TestPrintQueue(LatePaymentCommon):
    """Printing is sending: each waiting letter is checked again when it is printed, those that
    may no longer go are left out and the person printing is told why; a letter bears the day
    it is printed; a printed letter prints again as it was."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.reminders = cls.env["late.payment.reminder"]
        cls._reachable_customer()
        cls.customers = {"kept": cls.customer}
        for key in ("paid", "paid_in_part", "disputed", "promised", "plan", "collection", "proceedings"):
            cls.customers[key] = cls.env["res.partner"].create({
                "name": f"Customer {key}", "is_company": True, "email": f"{key}@customer.example", "lang": "en_US",
                "street": "2 Main Street", "city": "Springfield", "zip": "12345",
                "country_id": cls.env.ref("base.us").id})
        cls.invoices = {key: cls._invoice(700.0, partner=partner) for key, partner in cls.customers.items()}

    def _send_letters(self):
        """Every customer's firm reminder (email and letter), planned on day 15."""
        partners = self.env["res.partner"].union(*self.customers.values())
        with self._at(day(15)):
            dossiers = self.dossiers._refresh(partners=partners, company=self.company)
            dossiers.with_user(self.lp_user).action_send_reminder()
        letters = self.reminders.search([("company_id", "=", self.company.id), ("letter_state", "=", "queued")])
        self.assertEqual(len(letters), len(self.customers))
        self.assertEqual(set(letters.level_id.mapped("name")), {self.firm.name})
        return dossiers, {key: letters.filtered(lambda r, p=partner: r.partner_id == p)
                          for key, partner in self.customers.items()}

    def _letter_html(self, letters):
        html = self.env["ir.actions.report"]._render_qweb_html(LETTER_REPORT, letters.ids)[0]
        return html.decode() if isinstance(html, bytes) else html

    def test_each_reason_left_out_and_said(self):
        dossiers, letters = self._send_letters()
        invoices = self.invoices
        # the console tells how many letters wait and since when
        with self._at(day(18)):
            queue = self.reminders.with_user(self.lp_user).late_payment_letter_queue_summary()
        self.assertEqual(queue["count"], 8)
        self.assertIn("8 letters wait to be printed; the oldest since 06/17/2025 (3 days)", queue["text"])
        # what happens between the day the letters were planned and the day they are printed
        with self._at(day(17)):
            self._register_payment(invoices["paid"], amount=700.0, payment_date=day(16))
            self._register_payment(invoices["paid_in_part"], amount=200.0, payment_date=day(16))
            invoices["disputed"].with_user(self.lp_user).late_payment_dispute("Goods not received")
            self.customers["promised"].with_user(self.lp_user).late_payment_promise(
                day(30), 700.0, invoices["promised"].ids)
            self.env["late.payment.plan"]._create_plan(
                self.customers["plan"], invoices["plan"].ids, 2, day(30))
            dossiers.filtered(lambda d: d.partner_id == self.customers["collection"]).with_user(
                self.lp_user).action_escalate()
            self.customers["proceedings"].write({"late_payment_proceedings_state": "open"})
            action = self.reminders.with_user(self.lp_user).action_print_day_letters()
        # one letter printed, seven left out; the person printing is told which and why
        self.assertEqual(action["tag"], "display_notification")
        self.assertEqual(action["params"]["type"], "warning")
        self.assertEqual(action["params"]["next"]["type"], "ir.actions.report")
        self.assertEqual(action["params"]["next"]["context"]["active_ids"], letters["kept"].ids)
        message = action["params"]["message"]
        self.assertIn("7 letters left out", message)
        expected = {
            "paid": "its invoices are paid",
            "paid_in_part": "part of its invoices was paid since",
            "disputed": "an invoice of it is disputed",
            "promised": "the customer promised to pay an invoice of it",
            "plan": "an invoice of it is in a payment plan",
            "collection": "the customer was handed to collection",
            "proceedings": "the customer is in collective proceedings",
        }
        for key, reason in expected.items():
            letter = letters[key]
            self.assertEqual(letter.letter_state, "cancelled", key)
            self.assertFalse(letter.letter_printed_date, key)
            self.assertIn(reason, letter.letter_hold_reason, key)
            self.assertIn(f"Customer {key}", message)
            self.assertIn(reason, self.customers[key].message_ids[0].body, key)
        self.assertEqual(letters["kept"].letter_state, "printed")
        self.assertEqual(letters["kept"].letter_printed_date, day(17))
        # nothing waits any more: the console's counter is empty, printing again says so
        with self._at(day(17)):
            self.assertEqual(self.reminders.with_user(self.lp_user).late_payment_letter_queue_summary()["count"], 0)
            with self.assertRaises(UserError):
                self.reminders.with_user(self.lp_user).action_print_day_letters()

    def test_a_letter_is_dated_the_day_it_is_printed_and_prints_again_as_it_was(self):
        _dossiers, letters = self._send_letters()
        letter = letters["kept"]
        planned, printed = format_date(self.env, day(15)), format_date(self.env, day(17))
        with self._at(day(17)):
            self.assertIn(printed, self._letter_html(letter))  # previewed today: today's date
            action = self.reminders.with_user(self.lp_user).action_print_day_letters()
            html = self._letter_html(letter)
        self.assertEqual(action["type"], "ir.actions.report")  # nothing left out: the PDF only
        self.assertEqual(len(action["context"]["active_ids"]), len(self.customers))
        self.assertEqual(letter.date, day(15))
        self.assertEqual(letter.letter_printed_date, day(17))
        self.assertIn(printed, html)
        self.assertNotIn(planned, html)
        # printed again a week later: the same letter, the same date, nothing marked
        self.customers["kept"].write({"late_payment_proceedings_state": "open"})
        with self._at(day(24)):
            action = letter.with_user(self.lp_user).action_reprint_letters()
            html = self._letter_html(letter)
        self.assertEqual(action["type"], "ir.actions.report")
        self.assertEqual(action["context"]["active_ids"], letter.ids)
        self.assertEqual((letter.letter_state, letter.letter_printed_date), ("printed", day(17)))
        self.assertIn(printed, html)
        self.assertNotIn(format_date(self.env, day(24)), html)
        letters["paid"].sudo().write({"letter_state": "cancelled"})
        with self.assertRaises(UserError):
            letters["paid"].with_user(self.lp_user).action_reprint_letters()  # never printed

    def test_a_customer_in_collection_or_proceedings_is_checked_again_at_send_time(self):
        """The customers' state was computed, then the hand-off to collection and the
        proceedings were recorded (in the same minute, before the run sends): no reminder."""
        partners = self.customers["collection"] | self.customers["proceedings"] | self.customers["kept"]
        with self._at(day(15)):
            dossiers = self.dossiers._refresh(partners=partners, company=self.company)
            self.assertEqual(set(dossiers.mapped("status")), {"due"})
            dossiers.filtered(lambda d: d.partner_id == self.customers["collection"]).sudo().write(
                {"collection_state": "collection"})
            self.customers["proceedings"].sudo().write({"late_payment_proceedings_state": "open"})
            sent = self.reminders._send(dossiers, origin="cron", refresh=False)
        self.assertEqual(sent.partner_id, self.customers["kept"])
