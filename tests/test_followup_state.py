import logging
from datetime import datetime, time
from unittest.mock import patch

from odoo.fields import Command
from odoo.tests import freeze_time, tagged
from odoo.tools import mute_logger

from .common import DUE, LatePaymentCommon, day

_logger = logging.getLogger(__name__)


@tagged("post_install", "-at_install")
class TestFollowupState(LatePaymentCommon):
    """The follow-up state of customers, computed from their receivable lines."""

    def assertState(self, dossier, status, next_level=None, next_date=None, **values):
        self.assertEqual(dossier.status, status)
        self.assertEqual(dossier.next_level_id, next_level or self.env["late.payment.level"])
        if next_date is not None:
            self.assertEqual(dossier.next_action_date, next_date)
        for fname, value in values.items():
            self.assertEqual(dossier[fname], value, fname)

    # -- levels around every boundary --------------------------------------------------------
    def test_first_level_around_each_boundary(self):
        self._invoice(1000.0)
        cases = [
            (-10, "planned", self.courtesy, day(-5)), (-6, "planned", self.courtesy, day(-5)),
            (-5, "due", self.courtesy, day(-5)), (-4, "due", self.courtesy, day(-5)),
            (0, "due", self.courtesy, day(-5)),
            # overdue: the courtesy reminder is skipped, the friendly one waits for its day
            (1, "planned", self.friendly, day(3)), (2, "planned", self.friendly, day(3)),
            (3, "due", self.friendly, day(3)), (4, "due", self.friendly, day(3)),
            (14, "due", self.friendly, day(3)), (15, "due", self.firm, day(15)), (16, "due", self.firm, day(15)),
            # never a formal notice (nor an escalation) as the first reminder
            (30, "due", self.firm, day(15)), (60, "due", self.firm, day(15)),
        ]
        for offset, status, level, when in cases:
            with self.subTest(offset=offset):
                dossier = self._refresh(day(offset))
                self.assertState(dossier, status, level, when)
                self.assertEqual(dossier.amount_due, 1000.0)
                self.assertEqual(dossier.amount_overdue, 1000.0 if offset > 0 else 0.0)
                self.assertEqual(dossier.oldest_overdue_days, max(offset, 0))

    def test_next_levels_after_reminders(self):
        invoice = self._invoice(1000.0)
        line = self._receivable_lines(invoice)
        steps = [
            # (level reached, on day, [(today, status, next level, its date)])
            (self.courtesy, -5, [(-1, "planned", self.friendly, 3), (3, "due", self.friendly, 3)]),
            (self.friendly, 3, [(9, "planned", self.firm, 15), (14, "planned", self.firm, 15),
                                (15, "due", self.firm, 15), (16, "due", self.firm, 15)]),
            (self.firm, 15, [(29, "planned", self.formal, 30), (30, "due", self.formal, 30),
                             (31, "due", self.formal, 30)]),
            (self.formal, 30, [(44, "planned", self.escalation, 45), (45, "due", self.escalation, 45),
                               (46, "due", self.escalation, 45)]),
        ]
        for level, reached_on, checks in steps:
            self._reach(line, level, day(reached_on))
            for offset, status, next_level, when in checks:
                with self.subTest(level=level.name, offset=offset):
                    dossier = self._refresh(day(offset))
                    # the stage counts the levels after the due date; before it, the last level reached
                    stage = level if level.days > 0 or offset <= 0 else self.env["late.payment.level"]
                    self.assertState(dossier, status, next_level, day(when),
                                     level_id=stage, level_date=day(reached_on) if stage else False)
        self.assertEqual(invoice.late_payment_level_id, self.formal)
        self._reach(line, self.escalation, day(45))
        dossier = self._refresh(day(50))
        self.assertState(dossier, "collection", level_id=self.escalation)
        self.assertFalse(dossier.next_action_date)
        with freeze_time(datetime.combine(day(50), time(12))):
            invoice.invalidate_recordset()
            self.assertEqual(invoice.late_payment_status, "collection")

    def test_gaps_delay_the_next_level(self):
        line = self._receivable_lines(self._invoice(1000.0))
        # the friendly reminder went out late, on day 12: the firm one waits its 7 days
        self._reach(line, self.friendly, day(12))
        self.assertState(self._refresh(day(15)), "planned", self.firm, day(19))
        self.assertState(self._refresh(day(19)), "due", self.firm, day(19))
        # a second invoice due meanwhile: the customer's stage is the friendly reminder, the
        # oldest invoice sets the next level: the firm reminder on day 19 lists both
        second = self._invoice(200.0, invoice_date=day(5))
        dossier = self._refresh(day(15))
        self.assertState(dossier, "planned", self.firm, day(19))
        with self._at(day(15)):
            self.assertEqual(dossier.reminder_line_ids, line | self._receivable_lines(second))
        # on day 19 both go out in one reminder, at the firm level
        dossier = self._refresh(day(19))
        self.assertState(dossier, "due", self.firm, day(19))
        with self._at(day(19)):
            dossier.invalidate_recordset(["reminder_line_ids"])
            self.assertEqual(dossier.reminder_line_ids, line | self._receivable_lines(second))

    # -- what is due ------------------------------------------------------------------------
    def test_instalments_follow_each_due_date(self):
        terms = self.env["account.payment.term"].create({
            "name": "30% now, 70% in 30 days",
            "line_ids": [
                Command.create({"value": "percent", "value_amount": 30.0, "nb_days": 0}),
                Command.create({"value": "percent", "value_amount": 70.0, "nb_days": 30}),
            ],
        })
        invoice = self._invoice(1000.0, terms=terms)
        first, second = self._receivable_lines(invoice)
        self.assertEqual((first.date_maturity, second.date_maturity), (DUE, day(30)))
        self.assertEqual(invoice.invoice_date_due, day(30))
        dossier = self._refresh(day(4))
        self.assertState(dossier, "due", self.friendly, day(3), amount_due=1000.0, amount_overdue=300.0,
                         oldest_overdue_days=4)
        self.assertEqual((first.late_payment_next_level_id, first.late_payment_next_date), (self.friendly, day(3)))
        # the instalment not yet due is listed in the same reminder (apart), reaching no level
        self.assertEqual((second.late_payment_next_level_id, second.late_payment_next_date),
                         (self.env["late.payment.level"], day(3)))
        # the first instalment paid: the second one is what is left
        self._register_payment(invoice, amount=300.0, payment_date=day(5))
        dossier = self._refresh(day(6))
        self.assertState(dossier, "planned", self.courtesy, day(25), amount_due=700.0, amount_overdue=0.0)
        self.assertFalse(first.late_payment_next_date)

    def test_partial_payment(self):
        invoice = self._invoice(1000.0)
        self._register_payment(invoice, amount=400.0, payment_date=day(2))
        self.assertEqual(invoice.payment_state, "partial")
        dossier = self._refresh(day(10))
        self.assertState(dossier, "due", self.friendly, day(3), amount_due=600.0, amount_overdue=600.0)
        self._register_payment(invoice, amount=600.0, payment_date=day(11))
        dossier = self._refresh(day(12))
        self.assertState(dossier, "none", amount_due=0.0, amount_overdue=0.0, oldest_overdue_days=0)

    def test_credit_notes_and_unmatched_payments_reduce_what_is_due(self):
        self._invoice(1000.0)                      # due on DUE
        later = self._invoice(500.0, invoice_date=day(40))
        credit_note = self._invoice(300.0, invoice_date=day(5), move_type="out_refund")
        dossier = self._refresh(day(20))
        self.assertState(dossier, "due", self.firm, day(15), amount_due=1200.0, amount_overdue=700.0)
        # a payment received but not matched with any invoice
        payment = self.env["account.payment"].create({
            "payment_type": "inbound", "partner_type": "customer", "partner_id": self.customer.id,
            "amount": 700.0, "date": day(18), "journal_id": self.company_data["default_journal_bank"].id,
        })
        if not payment.outstanding_account_id:
            payment.outstanding_account_id = self.company_data["default_journal_bank"].default_account_id
        payment.action_post()
        self.assertTrue(payment.move_id)
        dossier = self._refresh(day(20))
        # the old invoice is covered: nothing overdue, the later one has its courtesy reminder planned
        self.assertState(dossier, "planned", self.courtesy, day(35), amount_due=500.0, amount_overdue=0.0,
                         oldest_overdue_days=0)
        with self._at(day(20)):
            self.assertEqual(dossier.reminder_line_ids, self._receivable_lines(later))
        self.assertEqual(credit_note.payment_state, "not_paid")

    def test_multi_currency_in_company_currency(self):
        other = self.setup_other_currency("EUR")  # 2 EUR for 1 company currency since 2017
        invoice = self._invoice(1000.0, currency=other)
        self.assertEqual(invoice.amount_residual_signed, 500.0)
        dossier = self._refresh(day(20))
        self.assertEqual(dossier.currency_id, self.company.currency_id)
        self.assertState(dossier, "due", self.firm, amount_due=500.0, amount_overdue=500.0)
        body = self.tone["firm"]._render_email(dossier)[dossier.id]
        self.assertIn(invoice.name, body)
        self.assertIn("1,000.00", body)  # the invoice in its own currency

    def test_excluded_and_blocked_invoices_are_left_out(self):
        excluded = self._invoice(300.0)
        excluded.no_followup = True
        blocked = self._invoice(700.0)
        blocked.action_toggle_block_payment()
        self.assertTrue(excluded.late_payment_excluded)
        self.assertTrue(blocked.late_payment_excluded)
        dossier = self._refresh(day(20))
        self.assertState(dossier, "disputed", amount_due=1000.0, amount_overdue=0.0, amount_excluded=1000.0)
        self.assertEqual(blocked.late_payment_status, "disputed")
        self.assertEqual(excluded.late_payment_status, "excluded")
        # an invoice to chase beside them
        chased = self._invoice(100.0)
        dossier = self._refresh(day(20))
        self.assertState(dossier, "due", self.firm, amount_overdue=100.0, amount_excluded=1000.0)
        with freeze_time(datetime.combine(day(20), time(12))):
            found = self.env["account.move"].search([
                ("partner_id", "=", self.customer.id), ("late_payment_excluded", "=", True)])
            self.assertEqual(found, excluded | blocked)
            due = self.env["account.move"].search([
                ("state", "=", "posted"), ("partner_id", "=", self.customer.id),
                ("line_ids", "any", [("late_payment_next_level_id", "!=", False),
                                     ("late_payment_next_date", "<=", "today")])])
            self.assertEqual(due, chased)
            chased.invalidate_recordset()
            self.assertEqual((chased.late_payment_status, chased.late_payment_next_level_id), ("due", self.firm))

    def test_contacts_count_for_their_company(self):
        contact = self.env["res.partner"].create({"name": "Accounts dept", "parent_id": self.customer.id})
        self._invoice(250.0, partner=contact)
        dossier = self._refresh(day(4), partner=contact)
        self.assertEqual(dossier.partner_id, self.customer)
        self.assertState(dossier, "due", self.friendly, amount_overdue=250.0)

    def test_two_companies_sharing_a_customer(self):
        company_2 = self.setup_other_company()["company"]
        self.assertTrue(self.env["late.payment.policy"]._default_policy(company_2))
        self._invoice(1000.0)
        self._invoice(80.0, company=company_2)
        with freeze_time(datetime.combine(day(20), time(12))):
            self.dossiers._refresh(partners=self.customer)
        mine = self.dossiers.search([("partner_id", "=", self.customer.id)])
        self.assertEqual(len(mine), 2)
        by_company = {dossier.company_id: dossier for dossier in mine}
        self.assertEqual(by_company[self.company].amount_overdue, 1000.0)
        self.assertEqual(by_company[company_2].amount_overdue, 80.0)
        self.assertEqual(by_company[company_2].policy_id.company_id, company_2)
        # each company sees its own state on the customer
        self.assertEqual(self.customer.with_company(self.company).late_payment_amount_overdue, 1000.0)
        self.assertEqual(self.customer.with_company(company_2).late_payment_amount_overdue, 80.0)
        # and a user of the first company only sees the first company's dossier
        seen = self.dossiers.with_user(self.lp_user).search([("partner_id", "=", self.customer.id)])
        self.assertEqual(seen, by_company[self.company])

    # -- tone and policy --------------------------------------------------------------------
    def test_relationship_shifts_the_tone_within_the_level_bounds(self):
        line = self._receivable_lines(self._invoice(1000.0))
        expectations = [
            # (reached, today, {relationship: tone of the next level})
            (None, -5, {"reliable": "courteous", "standard": "courteous", "new": "courteous", "strict": "friendly"}),
            (self.courtesy, 3, {"reliable": "courteous", "standard": "friendly", "new": "friendly",
                                "strict": "firm"}),
            (self.friendly, 15, {"reliable": "friendly", "standard": "firm", "strict": "firm"}),
            (self.firm, 30, {"reliable": "formal", "standard": "formal", "strict": "formal"}),
            (self.formal, 45, {"reliable": "collection", "strict": "collection"}),
        ]
        for reached, today, tones in expectations:
            if reached:
                self._reach(line, reached, day(today - 15))
            for relationship, tone in tones.items():
                with self.subTest(reached=reached and reached.name, relationship=relationship):
                    self.customer.with_company(self.company).late_payment_relationship = relationship
                    dossier = self._refresh(day(today))
                    self.assertEqual(dossier.relationship, relationship)
                    self.assertEqual(dossier.next_tone_id, self.tone[tone])
        # the policy says by how many steps
        self.policy.tone_shift_new = 2
        self._reach(line, self.courtesy, day(-5))
        self.customer.with_company(self.company).late_payment_relationship = "new"
        self.assertEqual(self._refresh(day(3)).next_tone_id, self.tone["firm"])  # friendly + 2, kept at firm

    def test_policy_precedence(self):
        self._invoice(1000.0)
        quick = self.env["late.payment.policy"].create({
            "name": "Quick", "company_id": self.company.id,
            "level_ids": [Command.create({"name": "At once", "days": 1, "tone_id": self.tone["firm"].id})],
        })
        by_risk = self.env["late.payment.policy"].create({
            "name": "Risky customers", "company_id": self.company.id,
            "level_ids": [Command.create({"name": "Call", "days": 2, "tone_id": self.tone["firm"].id,
                                          "channel_call": True})],
        })
        self.assertEqual(self._refresh(day(10)).policy_id, self.policy)
        dossier_model = type(self.dossiers)
        with patch.object(dossier_model, "_risk_policies",
                          lambda self, partners, company: {partners[:1].id: by_risk}):
            self.assertEqual(self._refresh(day(10)).policy_id, by_risk)
            self.customer.with_company(self.company).late_payment_policy_id = quick
            dossier = self._refresh(day(10))
            self.assertEqual(dossier.policy_id, quick)
            self.assertEqual(dossier.next_level_id, quick.level_ids)
        self.customer.with_company(self.company).late_payment_policy_id = False
        self.assertEqual(self._refresh(day(10)).policy_id, self.policy)
        # an archived policy of the customer gives way to the default
        self.customer.with_company(self.company).late_payment_policy_id = quick
        quick.action_archive()
        self.assertEqual(self._refresh(day(10)).policy_id, self.policy)

    # -- when it is recomputed --------------------------------------------------------------------
    def test_refreshed_when_invoices_and_payments_change(self):
        dossier_of = lambda: self.dossiers.search([  # noqa: E731
            ("partner_id", "=", self.customer.id), ("company_id", "=", self.company.id)])
        self.assertFalse(dossier_of())
        invoice = self._invoice(1000.0, post=False)
        self.env.cr.flush()
        self.assertFalse(dossier_of())
        invoice.action_post()
        self.env.cr.flush()
        self.assertEqual(dossier_of().amount_due, 1000.0)
        self._register_payment(invoice, amount=250.0)
        self.env.cr.flush()
        self.assertEqual(dossier_of().amount_due, 750.0)
        # unreconciled: the payment is still there, as a credit of the customer
        payment_line = invoice.line_ids.matched_credit_ids.credit_move_id
        invoice.line_ids.remove_move_reconcile()
        self.env.cr.flush()
        self.assertEqual(dossier_of().amount_due, 750.0)
        self.assertIn(payment_line, dossier_of().line_ids)
        invoice.action_toggle_block_payment()
        self.env.cr.flush()
        self.assertEqual(dossier_of().amount_excluded, 1000.0)
        invoice.action_toggle_block_payment()
        invoice.button_draft()
        self.env.cr.flush()
        self.assertEqual(dossier_of().status, "none")
        self.assertEqual(dossier_of().amount_due, -250.0)

    def test_a_failing_refresh_never_blocks_an_invoice(self):
        def broken(self, partners=None, company=None):
            raise ValueError("broken follow-up")

        with patch.object(type(self.dossiers), "_refresh", broken), \
                mute_logger("odoo.addons.account_late_payment.models.late_payment_dossier_refresh"):
            invoice = self._invoice(300.0)
            self.env.cr.flush()
        self.assertEqual(invoice.state, "posted")
        self.assertFalse(self.dossiers.search([("partner_id", "=", self.customer.id)]))
        self.assertEqual(self._refresh(day(4)).amount_overdue, 300.0)

    def test_daily_refresh(self):
        self._invoice(1000.0)
        run = self.env["late.payment.run"]._cron_run
        with patch.object(type(self.env["ir.cron"]), "_commit_progress", return_value=1.0), \
                freeze_time(datetime.combine(day(2), time(12))):
            run()
        dossier = self.dossiers.search([("partner_id", "=", self.customer.id), ("company_id", "=", self.company.id)])
        self.assertState(dossier, "planned", self.friendly, day(3), refreshed_on=day(2), last_run_date=day(2))
        # the next day the friendly reminder is due: the run sends it, the firm one is planned
        with patch.object(type(self.env["ir.cron"]), "_commit_progress", return_value=1.0), \
                freeze_time(datetime.combine(day(3), time(12))):
            run()
        self.assertState(dossier, "planned", self.firm, day(15), refreshed_on=day(3), level_id=self.friendly)
        self.assertEqual(dossier.reminder_ids.level_id, self.friendly)

    def test_full_refresh_of_a_thousand_customers_in_bounded_queries(self):
        counts = {}
        for size in (100, 1000):
            partners = self.env["res.partner"].create([{"name": f"Customer {size}-{i}"} for i in range(size)])
            self._one_entry_for_customers(partners, lambda i: day(i % 90 - 20))
            self.env.flush_all()
            self.env.cr.precommit.clear()
            for run, today in (("create", day(30)), ("unchanged", day(30)), ("next day", day(31))):
                self.env.invalidate_all()
                count0 = self.env.cr.sql_log_count
                with self._at(today):
                    self.dossiers._refresh(company=self.company)
                    self.env.flush_all()
                counts[size, run] = self.env.cr.sql_log_count - count0
            dossiers = self.dossiers.search([("partner_id", "in", partners.ids)])
            self.assertEqual(len(dossiers), size)
            self.assertEqual(set(dossiers.mapped("status")), {"due", "planned"})
        _logger.info("full follow-up refresh, queries: %s", counts)
        # a fixed number of queries, plus one per 100 dossiers created or changed (the ORM writes
        # them by batches of 100 rows): 40 for 1,000 customers at first, 14 when nothing changed;
        # settlement adds two (the promises and plans that pause, the hand-offs to collection)
        self.assertLessEqual(counts[1000, "create"], 47, counts)
        self.assertLessEqual(counts[1000, "unchanged"], 22, counts)
        self.assertLessEqual(counts[1000, "next day"], 37, counts)
        self.assertLessEqual(counts[1000, "unchanged"] - counts[100, "unchanged"], 3, counts)
        self.assertLessEqual(counts[1000, "create"] - counts[100, "create"], 25, counts)
