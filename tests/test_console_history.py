from odoo.tests import tagged

from .common import LatePaymentCommon, day


@tagged("post_install", "-at_install")
class TestConsoleHistory(LatePaymentCommon):
    """One history: what the follow-up logs on the contact (reminders, promises, plans,
    disputes, calls) is in the customer's dossier's chatter too."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer.write({"email": "billing@customer-a.example", "is_company": True, "lang": "en_US"})
        cls.env.user.email = "accountman@company.example"

    def _notes(self, record):
        self.env.flush_all()
        record.invalidate_recordset(["message_ids"])
        return [str(body) for body in record.message_ids.mapped("body")]

    def test_the_dossier_tells_the_whole_story(self):
        first = self._invoice(1000.0)
        second = self._invoice(400.0)
        dossier = self._refresh(day(3))
        with self._at(day(3)):
            sent = dossier._send_reminders(include_manual=True)
        self.assertEqual(sent.dossier_id, dossier)
        with self._at(day(4)):
            dossier._log_call("promised")
            self.customer.late_payment_promise(day(20).isoformat(), 1000.0, invoice_ids=first.ids)
            second.late_payment_dispute("Wrong quantity")
            self.env["late.payment.plan"]._create_plan(
                self.customer, first.ids, count=2, first_date=day(40), frequency="monthly")
        notes = " | ".join(self._notes(dossier))
        for words in ("Reminder <a", "Phone call: Promised to pay.", "Promise to pay $&nbsp;1,000.00 by",
                      "disputed: Wrong quantity", "Payment plan PLAN/"):
            with self.subTest(words=words):
                self.assertIn(words, notes)
        # the contact keeps its notes: the same reminder, promise and plan, and nothing else's company
        contact = " | ".join(self._notes(self.customer))
        self.assertIn("Promise to pay $&nbsp;1,000.00 by", contact)
        other = self.setup_other_company()["company"]
        other_dossier = self.env["late.payment.dossier"].sudo().create({
            "partner_id": self.customer.id, "company_id": other.id})
        self.customer.sudo().with_context(late_payment_history=(self.company.id,))._message_log(body="Only here")
        self.assertIn("Only here", " ".join(self._notes(dossier)))
        self.assertNotIn("Only here", " ".join(self._notes(other_dossier)))
