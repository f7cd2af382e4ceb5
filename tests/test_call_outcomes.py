from odoo.tests import Form, tagged

from .common import LatePaymentCommon, day


@tagged("post_install", "-at_install")
class TestCallOutcomes(LatePaymentCommon):
    """A logged call's outcome acts: "promised to pay" opens the promise dialog filled from the
    call, "disputes" opens the dispute dialog; the promise dialog never pre-selects a disputed
    invoice."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._reachable_customer()
        cls.first = cls._invoice(1500.0)
        cls.second = cls._invoice(800.0)

    def _log_call(self, dossier, outcome, note):
        wizard = Form(self.env["late.payment.call.wizard"].with_user(self.lp_user).with_context(
            active_model="late.payment.dossier", active_ids=dossier.ids))
        wizard.outcome = outcome
        wizard.note = note
        return wizard.save().action_confirm()

    def _dialog(self, action):
        """The dialog `action` opens, as the user sees it."""
        return Form(self.env[action["res_model"]].with_user(self.lp_user).with_context(**action["context"]))

    def test_promised_opens_the_promise_filled_from_the_call(self):
        dossier = self._refresh(day(20))
        with self._at(day(20)):
            action = self._log_call(dossier, "promised", "Spoke to Mrs Martin: will pay 1 200 € on 30/06")
            self.assertEqual(action["res_model"], "late.payment.promise.wizard")
            promise = self._dialog(action)
            self.assertEqual(promise.partner_id, self.customer)
            self.assertEqual(promise.date, day(28))  # 30 June 2025
            self.assertEqual(promise.amount, 1200.0)
            self.assertEqual(promise.move_ids[:], self.first | self.second)
            self.assertIn("will pay 1 200 €", promise.note)
            promise.save().action_confirm()
        self.assertIn("Promised to pay", dossier.message_ids.mapped("body")[-1] + "".join(
            dossier.message_ids.mapped("body")))
        recorded = self.env["late.payment.promise"].search([("partner_id", "=", self.customer.id)])
        self.assertEqual((recorded.date, recorded.amount), (day(28), 1200.0))
        self.assertEqual(recorded.move_ids, self.first | self.second)

    def test_promised_with_iso_date_and_amount(self):
        dossier = self._refresh(day(20))
        with self._at(day(20)):
            promise = self._dialog(self._log_call(dossier, "promised", "1,200.00 EUR 2025-07-15"))
            self.assertEqual((promise.date, promise.amount), (day(43), 1200.0))

    def test_promised_without_figures_keeps_the_overdue_amount(self):
        dossier = self._refresh(day(20))
        with self._at(day(20)):
            promise = self._dialog(self._log_call(dossier, "promised", "Will pay on Friday"))
            self.assertFalse(promise.date)
            self.assertEqual(promise.amount, 2300.0)
            # choosing the invoices sets the amount they leave to pay
            promise.move_ids.remove(id=self.second.id)
            self.assertEqual(promise.amount, 1500.0)

    def test_the_amount_said_stays_until_the_invoices_change(self):
        dossier = self._refresh(day(20))
        with self._at(day(20)):
            promise = self._dialog(self._log_call(dossier, "promised", "paiera 500 € le 1er juillet"))
            self.assertEqual((promise.date, promise.amount), (day(29), 500.0))
            promise.move_ids.remove(id=self.second.id)
            self.assertEqual(promise.amount, 1500.0)

    def test_disputes_opens_the_dispute_dialog(self):
        dossier = self._refresh(day(20))
        with self._at(day(20)):
            action = self._log_call(dossier, "dispute", "Says the second delivery was incomplete\nSend the POD")
            self.assertEqual(action["res_model"], "late.payment.dispute.wizard")
            dispute = self._dialog(action)
            self.assertEqual(dispute.partner_id, self.customer)
            self.assertEqual(dispute.reason, "Says the second delivery was incomplete")
            dispute.move_ids.add(self.second)
            dispute.save().action_confirm()
        self.assertTrue(self.second.late_payment_disputed)
        self.assertFalse(self.first.late_payment_disputed)

    def test_the_promise_dialog_never_preselects_a_disputed_invoice(self):
        self.second.with_user(self.lp_user).late_payment_dispute("Wrong quantity")
        dossier = self._refresh(day(20))
        with self._at(day(20)):
            promise = self._dialog(dossier.with_user(self.lp_user).action_promise())
            self.assertEqual(promise.move_ids[:], self.first)
            self.assertEqual(promise.amount, 1500.0)

    def test_other_outcomes_and_several_customers_only_log(self):
        other = self.partner_b
        self._invoice(300.0, partner=other)
        with self._at(day(20)):
            dossiers = self.dossiers._refresh(partners=self.customer | other, company=self.company)
            self.assertEqual(self._log_call(dossiers[0], "no_answer", "")["type"], "ir.actions.act_window_close")
            self.assertEqual(self._log_call(dossiers, "promised", "will pay 100 € on 30/06")["type"],
                             "ir.actions.act_window_close")
        self.assertFalse(self.env["late.payment.promise"].search([("partner_id", "in", (self.customer | other).ids)]))
