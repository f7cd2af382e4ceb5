from unittest.mock import patch

from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import LatePaymentCommon, day


@tagged("post_install", "-at_install")
class TestSettlement(LatePaymentCommon):
    """Promises to pay, disputes, instalment plans and the hand-off to collection."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer.write({"email": "billing@customer-a.example", "is_company": True, "lang": "en_US"})
        cls.env.user.email = "accountman@company.example"
        cls.promises = cls.env["late.payment.promise"]
        cls.plans = cls.env["late.payment.plan"]
        cls.disputes = cls.env["late.payment.dispute"]
        cls.reminders = cls.env["late.payment.reminder"]

    def _dossier(self, partner=None):
        return self.dossiers.search([("partner_id", "=", (partner or self.customer).id),
                                     ("company_id", "=", self.company.id)])

    def _pay(self, invoice, amount, when):
        with self._at(when):
            self._register_payment(invoice, amount=amount, payment_date=when)

    def _check(self, records, when):
        with self._at(when):
            return records._late_payment_check()

    def _send(self, when, partner=None):
        with self._at(when):
            return self._dossier(partner)._send_reminders(include_manual=True)

    def _activities(self, dossier):
        return self.env["mail.activity"].search([("res_model", "=", "late.payment.dossier"),
                                                 ("res_id", "=", dossier.id)])

    # -- promises -----------------------------------------------------------------------------------
    def test_promise_pauses_until_its_date_then_resumes_at_the_next_level(self):
        invoice = self._invoice(1000.0)
        self._reach(self._receivable_lines(invoice), self.friendly, day(3))
        with self._at(day(10)):
            promise_id = self.customer.late_payment_promise(day(20).isoformat(), 1000.0, note="Promised on the phone")
        promise = self.promises.browse(promise_id)
        self.assertEqual((promise.state, promise.move_ids, promise.amount_base), ("open", invoice, 1000.0))
        dossier = self._refresh(day(16))  # the firm reminder would be due at +15
        self.assertEqual(dossier.status, "waiting")
        self.assertEqual(dossier.next_action_date, day(21))
        self.assertFalse(self._send(day(16)))
        # the date passes without the money: broken, the responsible acts, the follow-up resumes
        self._check(promise, day(20))
        self.assertEqual(promise.state, "open")
        self._check(promise, day(21))
        self.assertEqual(promise.state, "broken")
        self.assertIn("Broken promise", self._activities(dossier).summary)
        dossier = self._refresh(day(21))
        self.assertEqual((dossier.status, dossier.next_level_id), ("due", self.firm))
        sent = self._send(day(21))
        self.assertEqual(sent.level_id, self.firm)
        self.assertIn("Promise to pay broken", promise.message_ids.mapped("body")[0])

    def test_partial_promise_kept_closes_itself(self):
        first = self._invoice(1000.0)
        other = self._invoice(500.0)
        with self._at(day(10)):
            promise_id = self.customer.late_payment_promise(day(25), 300.0, invoice_ids=first.ids)
        promise = self.promises.browse(promise_id)
        self.assertEqual(promise.move_ids, first)
        self._pay(first, 200.0, day(12))
        self._check(promise, day(13))
        self.assertEqual((promise.state, promise.amount_received), ("open", 200.0))
        self._pay(first, 100.0, day(14))
        self._check(promise, day(15))
        self.assertEqual((promise.state, promise.amount_received, promise.closed_date), ("kept", 300.0, day(15)))
        # kept: no more pause, the follow-up of what is left goes on
        self.assertEqual(self._refresh(day(16)).status, "due")
        self.assertEqual(other.amount_residual, 500.0)

    def test_a_new_promise_replaces_the_open_one(self):
        self._invoice(1000.0)
        with self._at(day(10)):
            first = self.promises.browse(self.customer.late_payment_promise(day(20), 100.0))
            second = self.promises.browse(self.customer.late_payment_promise(day(30), 200.0))
        self.assertEqual((first.state, second.state), ("cancelled", "open"))
        self.assertEqual(self.customer.with_company(self.company).late_payment_promise_id, second)

    def test_promise_validation_changes_nothing(self):
        invoice = self._invoice(1000.0)
        draft = self._invoice(50.0, post=False)
        foreign = self._invoice(70.0, partner=self.partner_b)
        cases = [
            ((day(9), 100.0), {}),                         # in the past
            (("not a date", 100.0), {}),
            ((day(20), 0.0), {}),
            ((day(20), -5), {}),
            ((day(20), "abc"), {}),
            ((day(20), 5000.0), {}),                       # more than what is due
            ((day(20), 10.0), {"invoice_ids": [999999999]}),
            ((day(20), 10.0), {"invoice_ids": draft.ids}),
            ((day(20), 10.0), {"invoice_ids": foreign.ids}),
        ]
        with self._at(day(10)):
            for args, kwargs in cases:
                with self.subTest(args=args, kwargs=kwargs), self.assertRaises(UserError):
                    self.customer.late_payment_promise(*args, **kwargs)
            with self.assertRaises(UserError):
                (self.customer | self.partner_b).late_payment_promise(day(20), 10.0)
            # the one date parser of the addon names the date it refuses
            with self.assertRaisesRegex(UserError, r"The promised date: 'not a date' is not a date: .*YYYY-MM-DD"):
                self.customer.late_payment_promise("not a date", 100.0)
            with self.assertRaisesRegex(UserError, "The promised date is missing"):
                self.customer.late_payment_promise(None, 100.0)
        self.assertFalse(self.promises.search([]))
        self.assertEqual(invoice.amount_residual, 1000.0)

    def test_promise_wizard(self):
        invoice = self._invoice(1000.0)
        with self._at(day(10)):
            action = self.customer.action_late_payment_promise()
            wizard = self.env[action["res_model"]].with_context(**action["context"]).create({"date": day(20)})
            self.assertEqual((wizard.move_ids, wizard.amount), (invoice, 1000.0))
            wizard.amount = 400.0
            wizard.action_confirm()
        self.assertEqual(self.promises.search([]).amount, 400.0)

    # -- disputes ---------------------------------------------------------------------------------
    def test_disputed_invoice_leaves_the_follow_up_and_comes_back_where_it_was(self):
        disputed = self._invoice(1000.0)
        self._reach(self._receivable_lines(disputed), self.friendly, day(3))
        with self._at(day(10)):
            ids = disputed.late_payment_dispute("Goods damaged", note="Two cases broken")
        dispute = self.disputes.browse(ids)
        self.assertEqual((dispute.state, dispute.partner_id, dispute.date_opened), ("open", self.customer, day(10)))
        self.assertTrue(disputed.late_payment_disputed)
        dossier = self._refresh(day(20))
        self.assertEqual((dossier.status, dossier.amount_excluded, dossier.amount_overdue), ("disputed", 1000.0, 0.0))
        self.assertEqual(disputed.late_payment_status, "disputed")
        self.assertFalse(self._send(day(20)))
        with self.assertRaises(UserError):
            disputed.late_payment_dispute("Again")
        with self._at(day(20)):
            self.assertTrue(disputed.late_payment_resolve_dispute())
        self.assertEqual((dispute.state, dispute.date_resolved), ("resolved", day(20)))
        self.assertEqual(self._receivable_lines(disputed).late_payment_level_id, self.friendly)
        dossier = self._refresh(day(20))
        self.assertEqual((dossier.status, dossier.next_level_id), ("due", self.firm))
        with self.assertRaises(UserError):
            disputed.late_payment_resolve_dispute()

    def test_dispute_validation(self):
        draft = self._invoice(50.0, post=False)
        refund = self._invoice(20.0, move_type="out_refund")
        invoice = self._invoice(100.0)
        for moves, reason in ((draft, "x"), (refund, "x"), (invoice, ""), (invoice, "  "), (invoice, None)):
            with self.subTest(moves=moves.ids, reason=reason), self.assertRaises(UserError):
                moves.late_payment_dispute(reason)
        self.assertFalse(self.disputes.search([]))

    def test_disputed_days_bear_no_interest_when_the_company_says_so(self):
        self.company.write({"late_payment_interest_mode": "contractual", "late_payment_contractual_rate": 36.5})
        plain = self._invoice(1000.0)
        disputed = self._invoice(1000.0)
        with self._at(day(11)):
            disputed.late_payment_dispute("Price")
        with self._at(day(21)):
            disputed.late_payment_resolve_dispute()

        def interest(move):
            move.invalidate_recordset()
            return move.late_payment_penalties(day(30))[0]["interest"]

        self.assertEqual(interest(disputed), interest(plain))  # the company did not ask
        self.company.late_payment_dispute_stops_interest = True
        full, less = interest(plain), interest(disputed)
        self.assertGreater(full, 0)
        self.assertAlmostEqual(less, round(full * 20 / 30, 2), delta=0.011)  # 10 of 30 days disputed

    def test_dispute_wizard_and_list(self):
        invoice = self._invoice(100.0)
        action = invoice.action_late_payment_dispute()
        wizard = self.env[action["res_model"]].with_context(**action["context"]).new({"reason_code": "delivery"})
        wizard._onchange_reason_code()
        self.assertEqual(wizard.reason, "Not delivered or delivered damaged")
        wizard = self.env[action["res_model"]].with_context(**action["context"]).create(
            {"reason_code": "other", "reason": "Wrong address"})
        wizard.action_confirm()
        self.assertEqual(self.disputes.search([("state", "=", "open")]).move_id, invoice)

    # -- instalment plans ----------------------------------------------------------------------------
    def _plan(self, invoices, when=None, **kwargs):
        values = {"count": 3, "first_date": day(40), "frequency": "monthly"}
        values.update(kwargs)
        with self._at(when or day(30)):
            return self.plans._create_plan(self.customer, invoices.ids, **values)

    def test_a_plan_or_a_promise_pauses_its_invoices_only(self):
        """The invoices in a plan (or a promise) wait; the customer's other invoices that fall due
        meanwhile are reminded as usual, without the plan's."""
        planned = self._invoice(900.0)
        self._reach(self._receivable_lines(planned), self.firm, day(15))
        plan = self._plan(planned)
        self.assertEqual(self._refresh(day(35)).status, "waiting")
        later = self._invoice(200.0, invoice_date=day(30))  # due on day 30: friendly on day 33
        dossier = self._refresh(day(35))
        self.assertEqual((dossier.status, dossier.next_level_id), ("due", self.friendly))
        # the plan's invoice is listed in the customer's reminder (one overdue balance), reminded at no level
        self.assertEqual(self._receivable_lines(planned).late_payment_next_date, day(33))
        self.assertFalse(self._receivable_lines(planned).late_payment_next_level_id)
        reminder = self._send(day(35))
        self.assertEqual(reminder.line_ids.filtered("level_id").move_id, later)
        self.assertEqual(reminder.line_ids.move_id, planned | later)
        # the next reminder is the second invoice's (firm, 15 days after its due date)
        dossier = self._refresh(day(36))
        self.assertEqual((dossier.status, dossier.next_level_id, dossier.next_action_date),
                         ("planned", self.firm, day(45)))
        self.assertEqual(plan.state, "running")
        # a promise for the second invoice: it waits too, until the promised date
        with self._at(day(50)):
            self.customer.late_payment_promise(day(60).isoformat(), 200.0, invoice_ids=later.ids)
        dossier = self._refresh(day(52))
        self.assertEqual(dossier.status, "waiting")
        self.assertEqual(self._receivable_lines(later).late_payment_next_date, day(61))

    def test_plan_followed_waives_the_penalties(self):
        first, second = self._invoice(600.0), self._invoice(300.0)
        self._reach(self._receivable_lines(first | second), self.firm, day(15))
        plan = self._plan(first | second, waive_penalties=True)
        self.assertEqual(plan.amount_total, 900.0)
        self.assertEqual([(line.date, line.amount) for line in plan.line_ids],
                         [(day(40), 300.0), (day(71), 300.0), (day(102), 300.0)])
        self.assertEqual(self._refresh(day(35)).status, "waiting")
        self.assertFalse(self._send(day(35)))
        self._pay(first, 300.0, day(40))
        self._check(plan, day(41))
        self.assertEqual(plan.line_ids.mapped("state"), ["paid", "to_pay", "to_pay"])
        self._pay(first, 300.0, day(70))
        self._pay(second, 300.0, day(100))
        self._check(plan, day(101))
        self.assertEqual((plan.state, plan.amount_paid, plan.closed_date), ("done", 900.0, day(101)))
        self.assertTrue((first | second).mapped("late_payment_penalties_waived") == [True, True])
        self.assertEqual(first.late_payment_penalties(day(101))[0]["interest"], 0.0)

    def test_plan_broken_after_the_grace_days(self):
        invoice = self._invoice(900.0)
        self._reach(self._receivable_lines(invoice), self.friendly, day(3))
        plan = self._plan(invoice)
        self.assertEqual(plan.grace_days, 5)
        self._check(plan, day(45))  # 5 days after: still within the grace days
        self.assertEqual((plan.state, plan.line_ids[0].state), ("running", "late"))
        self._check(plan, day(46))
        self.assertEqual((plan.state, plan.line_ids[0].state), ("broken", "missed"))
        dossier = self._dossier()
        self.assertIn("Broken payment plan", self._activities(dossier).summary)
        dossier = self._refresh(day(46))
        self.assertEqual((dossier.status, dossier.next_level_id), ("due", self.firm))
        self.assertTrue(self._send(day(46)))

    def test_payments_pay_the_instalments_oldest_first(self):
        invoice = self._invoice(1000.0)
        plan = self._plan(invoice, count=2, down_payment=200.0, down_payment_date=day(32))
        self.assertEqual([(line.date, line.amount, line.down_payment) for line in plan.line_ids],
                         [(day(32), 200.0, True), (day(40), 400.0, False), (day(71), 400.0, False)])
        self._pay(invoice, 350.0, day(33))
        self._check(plan, day(34))
        self.assertEqual(plan.line_ids.mapped("amount_paid"), [200.0, 150.0, 0.0])
        self.assertEqual(plan.line_ids[0].paid_date, day(33))
        self.assertIn("200.00", plan.line_ids[0].payment_note)
        self.assertIn("150.00", plan.line_ids[1].payment_note)
        self.assertIn("07/05/2025", plan.line_ids[0].payment_note)  # day(33)
        self.assertFalse(plan.line_ids[2].payment_note)
        # the note is written in the reader's language, not in the language of the daily check
        self.env["res.lang"]._activate_lang("fr_FR")
        french = plan.line_ids[0].with_context(lang="fr_FR").payment_note
        self.assertIn("200,00", french)
        self.assertIn("05/07/2025", french)
        self._pay(invoice, 400.0, day(38))
        self._check(plan, day(39))
        self.assertEqual(plan.line_ids.mapped("amount_paid"), [200.0, 400.0, 150.0])
        self.assertEqual(plan.line_ids.mapped("paid_date"), [day(33), day(38), False])

    def test_plan_reminders_before_and_after_an_instalment(self):
        invoice = self._invoice(900.0)
        plan = self._plan(invoice)

        def reminder_messages():
            return plan.message_ids.filtered(lambda m: m.message_type == "comment")

        self._check(plan, day(36))
        self.assertFalse(reminder_messages())
        self._check(plan, day(37))  # 3 days before
        self.assertEqual(len(reminder_messages()), 1)
        self.assertIn("your instalment of", reminder_messages().subject)
        self._check(plan, day(38))  # once only
        self.assertEqual(len(reminder_messages()), 1)
        self._check(plan, day(41))  # missed
        self.assertEqual(len(reminder_messages()), 2)
        self.assertIn("missed instalment of", reminder_messages()[0].subject)

    def test_plan_validation_and_wizard(self):
        invoice = self._invoice(900.0)
        with self._at(day(30)):
            for kwargs in ({"count": 0}, {"first_date": day(20)}, {"frequency": "daily"},
                           {"down_payment": 900.0}, {"first_date": "nope"}):
                values = {"count": 3, "first_date": day(40), "frequency": "monthly", **kwargs}
                with self.subTest(kwargs=kwargs), self.assertRaises(UserError):
                    self.plans._create_plan(self.customer, invoice.ids, **values)
            self.assertFalse(self.plans.search([]))
            action = self.customer.action_late_payment_plan()
            wizard = self.env[action["res_model"]].with_context(**action["context"]).create(
                {"instalment_count": 2, "first_date": day(40)})
            self.assertEqual(wizard.amount_total, 900.0)
            self.assertIn("450.00", wizard.preview)
            plan = self.plans.browse(wizard.action_confirm()["res_id"])
            with self.assertRaises(UserError):  # the invoice is in a running plan
                self.plans._create_plan(self.customer, invoice.ids, 2, day(40))
        self.assertEqual(plan.line_ids.mapped("amount"), [450.0, 450.0])
        self.assertEqual(self.customer.with_company(self.company).late_payment_plan_id, plan)

    def test_plan_agreement_report(self):
        invoice = self._invoice(1000.0)
        plan = self._plan(invoice)
        html, _kind = self.env["ir.actions.report"]._render_qweb_html(
            "account_late_payment.action_report_late_payment_plan", plan.ids)
        html = html.decode()
        self.assertIn(plan.name, html)
        self.assertIn(invoice.name, html)
        self.assertIn("333.34", html)
        self.assertIn("signature", html)

    # -- collection ---------------------------------------------------------------------------------
    def test_escalation_stops_the_reminders_and_de_escalation_resumes_them(self):
        invoice = self._invoice(1000.0)
        self._reach(self._receivable_lines(invoice), self.friendly, day(3))
        dossier = self._refresh(day(20))
        self.assertEqual(dossier.status, "due")
        with self._at(day(20)):
            dossier.with_user(self.lp_user).action_escalate()
        self.assertEqual((dossier.collection_state, dossier.collection_date, dossier.status),
                         ("collection", day(20), "collection"))
        self.assertIn("collection dossier", self._activities(dossier).summary)
        self.assertFalse(self._send(day(20)))
        with patch.object(type(self.env["ir.cron"]), "_commit_progress", return_value=1.0), self._at(day(21)):
            self.env["late.payment.run"].with_user(self.env.ref("base.user_root"))._cron_run()
        self.assertFalse(self.reminders.search([("date", ">", day(3))]))
        self.assertEqual(self._refresh(day(21)).status, "collection")
        with self._at(day(22)):
            dossier.with_user(self.lp_user).action_deescalate()
        self.assertEqual(dossier.collection_state, "released")
        self.assertEqual(self._refresh(day(22)).status, "due")
        self.assertEqual(self._send(day(22)).level_id, self.firm)

    def test_the_escalation_level_hands_over_to_collection(self):
        invoice = self._invoice(1000.0)
        self._reach(self._receivable_lines(invoice), self.formal, day(30))
        self._refresh(day(46))
        sent = self._send(day(46))
        self.assertEqual(sent.level_id, self.escalation)
        dossier = self._dossier()
        self.assertEqual((dossier.collection_state, dossier.status), ("collection", "collection"))
        self.assertTrue(self._activities(dossier))
        # taken back: the escalation reached no longer stops the follow-up of new invoices
        with self._at(day(47)):
            dossier.action_deescalate()
        # (the customer's follow-up starts again: its oldest invoice, 47 days late, sets the firm
        # reminder, a week after the hand-off; never a formal notice first)
        self._invoice(200.0, invoice_date=day(40))
        dossier = self._refresh(day(47))
        self.assertEqual((dossier.collection_state, dossier.status, dossier.next_level_id, dossier.next_action_date),
                         ("released", "planned", self.firm, day(53)))

    def test_collection_dossier_report(self):
        invoice = self._invoice(1000.0)
        self._reach(self._receivable_lines(invoice), self.friendly, day(3))
        with self._at(day(5)):
            self._send(day(5))
        with self._at(day(10)):
            self.customer.late_payment_promise(day(12), 100.0)
        self._check(self.promises.search([]), day(13))
        dossier = self._refresh(day(20))
        with self._at(day(20)):
            dossier._escalate()
            html, _kind = self.env["ir.actions.report"]._render_qweb_html(
                "account_late_payment.action_report_late_payment_collection", dossier.ids)
        html = html.decode()
        for text in (self.customer.name, invoice.name, "Promises to pay", "Broken", "Statement", "Disputes"):
            self.assertIn(text, html)

    # -- hooks and API -----------------------------------------------------------------------------
    def test_risk_incidents_and_settlement_status(self):
        first, second = self._invoice(1000.0), self._invoice(300.0)
        with self._at(day(10)):
            first.late_payment_dispute("Quality")
            promise = self.promises.browse(self.customer.late_payment_promise(day(12), 100.0, second.ids))
        self._check(promise, day(13))
        with self._at(day(14)):
            incidents = self.dossiers._risk_incidents(self.customer, self.company)
            self.assertEqual(incidents, {self.customer.id: (1, 1)})
            self.customer.late_payment_promise(day(20), 50.0, second.ids)
            status = self.dossiers._settlement_status(self.customer, self.company)
        self.assertEqual(status, {self.customer.id: {"promise": {"date": day(20).isoformat(), "amount": 50.0},
                                                     "plan": None}})
        self._plan(second, when=day(14), first_date=day(20))
        status = self.dossiers._settlement_status(self.customer | self.partner_b, self.company)
        self.assertEqual(status[self.customer.id]["plan"], "running")
        self.assertEqual(status[self.partner_b.id], {"promise": None, "plan": None})

    def test_daily_settlement_check(self):
        invoice = self._invoice(900.0)
        with self._at(day(10)):
            promise = self.promises.browse(self.customer.late_payment_promise(day(12), 100.0))
        plan = self._plan(invoice, first_date=day(31))
        with patch.object(type(self.env["ir.cron"]), "_commit_progress", return_value=1.0), self._at(day(40)):
            self.dossiers.with_user(self.env.ref("base.user_root"))._cron_settlement()
        self.assertEqual((promise.state, plan.state), ("cancelled", "broken"))

    # -- access -------------------------------------------------------------------------------------
    def test_access_rights(self):
        invoice = self._invoice(900.0)
        billing = new_test_user(self.env, login="billing_only", company_id=self.company.id,
                                groups="account.group_account_invoice")
        with self._at(day(10)):
            with self.assertRaises(AccessError):
                self.customer.with_user(billing).late_payment_promise(day(20), 100.0)
            with self.assertRaises(AccessError):
                invoice.with_user(billing).late_payment_dispute("Price")
            promise_id = self.customer.with_user(self.lp_user).late_payment_promise(day(20), 100.0)
            invoice.with_user(self.lp_user).late_payment_dispute("Price")
        promise = self.promises.browse(promise_id)
        with self.assertRaises(AccessError):
            promise.with_user(self.lp_user).unlink()
        # another company's users do not see them
        other = self.setup_other_company()["company"]
        stranger = new_test_user(self.env, login="lp_other_company", company_id=other.id,
                                 groups="account_late_payment.group_late_payment_user")
        self.assertFalse(self.promises.with_user(stranger).search([]))
        self.assertFalse(self.disputes.with_user(stranger).search([]))

