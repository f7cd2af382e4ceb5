"""A year of monthly invoices replayed day by day, the daily run called each day, every level of
the shipped policy automatic: what a customer who always pays 35 days late and one who pays 10
days late receive. The customer is followed, not each invoice: one stage per overdue period,
one formal notice for a continuous claim, at least a week between two reminders, and every
reminder states the overdue balance the follow-up console shows that day."""

from datetime import date, timedelta
from itertools import pairwise
from unittest.mock import patch

from odoo.tests import tagged

from .common import LatePaymentCommon, day

FIRST_INVOICE = date(2025, 1, 1)
LAST_DAY = date(2026, 2, 10)


@tagged("post_install", "-at_install")
class TestCadenceReplay(LatePaymentCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.policy.level_ids.write({"auto": True})
        cls.env.user.email = "accountman@company.example"
        cls.late35 = cls.env["res.partner"].create({"name": "Always 35 days late", "is_company": True,
                                                     "email": "ap@late35.example", "lang": "en_US"})
        cls.late10 = cls.env["res.partner"].create({"name": "Always 10 days late", "is_company": True,
                                                     "email": "ap@late10.example", "lang": "en_US"})
        cls.terms = cls.env.ref("account.account_payment_term_30days")

    def _replay(self):
        """{partner: [(reminder, overdue balance of its dossier that day)]}, and the payments' days."""
        reminder_model = self.env["late.payment.reminder"]
        customers = {self.late35: 35, self.late10: 10}
        invoices = []  # (invoice, customer, day paid)
        sent = {partner: [] for partner in customers}
        self.next_levels = {partner: [] for partner in customers}  # (day, overdue, next level) seen each day
        today = FIRST_INVOICE
        while today <= LAST_DAY:
            with self._at(today), patch.object(type(self.env["ir.cron"]), "_commit_progress", return_value=1.0):
                if today.day == 1 and today.year == 2025:
                    for partner, days_late in customers.items():
                        invoice = self._invoice(1000.0, invoice_date=today, partner=partner, terms=self.terms)
                        invoices.append((invoice, invoice.invoice_date_due + timedelta(days=days_late)))
                for invoice, paid_on in invoices:
                    if paid_on == today:
                        self._register_payment(invoice, amount=1000.0, payment_date=today)
                self.env.flush_all()
                before = reminder_model.search([], order="id desc", limit=1).id or 0
                self.env["late.payment.run"].with_user(self.env.ref("base.user_root"))._cron_run()
                for reminder in reminder_model.search([("id", ">", before)], order="id"):
                    dossier = self.dossiers.search([("partner_id", "=", reminder.partner_id.id),
                                                    ("company_id", "=", self.company.id)])
                    sent[reminder.partner_id].append((reminder, dossier.amount_overdue, dossier.amount_due))
                for dossier in self.dossiers.search([("partner_id", "in", [p.id for p in customers]),
                                                     ("company_id", "=", self.company.id)]):
                    self.next_levels[dossier.partner_id].append(
                        (today, dossier.amount_overdue > 0, dossier.next_level_id, dossier.level_id))
            today += timedelta(days=1)
        return sent

    def assertCadence(self, sent):
        reminders = [reminder for reminder, _overdue, _due in sent]
        # at least the policy's gap (7 days) between two reminders to the customer
        gaps = [(b.date - a.date).days for a, b in pairwise(reminders)]
        self.assertGreaterEqual(min(gaps), 7, gaps)
        for reminder, overdue, due in sent:
            self.assertEqual(reminder.result, "sent")
            if reminder.level_id.days > 0:
                # one amount: the reminder's is the console's overdue balance of that day
                self.assertAlmostEqual(reminder.amount_total, overdue, places=2, msg=reminder.display_name)
                self.assertGreater(overdue, 0)
            else:
                # before the due date: only while nothing is overdue, for what is soon due
                self.assertEqual(overdue, 0, reminder.display_name)
                self.assertAlmostEqual(reminder.amount_total, due, places=2)

    def assertNeverBackwards(self, seen):
        """While the customer stays overdue, the console's stage and next level never go back."""
        def rank(level):
            return (level.sequence, level.days) if level else (-1, -1)
        for (_day, overdue, next_a, stage_a), (day_b, still, next_b, stage_b) in pairwise(seen):
            if overdue and still:
                self.assertGreaterEqual(rank(stage_b), rank(stage_a), day_b)
                if next_a and next_b:
                    self.assertGreaterEqual(rank(next_b), rank(next_a), day_b)

    def test_a_year_of_a_late_payer_and_of_a_punctual_one(self):
        sent = self._replay()
        self.assertNeverBackwards(self.next_levels[self.late35])
        self.assertNeverBackwards(self.next_levels[self.late10])
        # the chronic late payer is overdue without a break from the first due date on
        overdue_days = [day_ for day_, overdue, _next, _stage in self.next_levels[self.late35] if overdue]
        self.assertEqual((overdue_days[-1] - overdue_days[0]).days + 1, len(overdue_days))
        late35 = [reminder.level_id for reminder, _overdue, _due in sent[self.late35]]
        late10 = [reminder.level_id for reminder, _overdue, _due in sent[self.late10]]
        self.assertCadence(sent[self.late35])
        self.assertCadence(sent[self.late10])
        # always 35 days late: overdue without a break from February to the next February, so one
        # overdue period, one stage ladder and one formal notice (it used to get 41 reminders, 9 of
        # them formal notices); the escalation (45 days) never comes
        self.assertEqual(late35, [self.courtesy, self.friendly, self.firm, self.formal],
                         [(r.date, r.level_id.name) for r, _o, _d in sent[self.late35]])
        # 10 days late: each month a courtesy reminder (nothing overdue then) and a friendly one
        self.assertEqual(late10, [self.courtesy, self.friendly] * 12,
                         [(r.date, r.level_id.name) for r, _o, _d in sent[self.late10]])
        # the formal notice lists every overdue invoice, and covers only the one past its day
        notice = next(reminder for reminder, _overdue, _due in sent[self.late35] if reminder.level_id == self.formal)
        noticed = notice.line_ids.filtered(lambda line: line.level_id == self.formal)
        self.assertEqual(len(noticed), 1)
        self.assertGreaterEqual(noticed.days_late, self.formal.days)
        # the January invoice 30 days late, February's due that day, March's issued: all listed
        self.assertEqual(notice.line_ids.mapped("amount_residual"), [1000.0, 1000.0, 1000.0])


@tagged("post_install", "-at_install")
class TestOneComputation(LatePaymentCommon):
    """What the console, the invoice's follow-up table, the preview and the reminder say is the
    same: the dossier's next level and date, and its overdue balance."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._reachable_customer()

    def test_console_invoice_table_preview_and_reminder_agree(self):
        old = self._invoice(700.0)                          # due on DUE
        recent = self._invoice(300.0, invoice_date=day(10))  # due on day 10
        upcoming = self._invoice(500.0, invoice_date=day(25), terms=self.env.ref(
            "account.account_payment_term_30days"))         # due on day 55
        credit = self._invoice(200.0, invoice_date=day(12), move_type="out_refund")
        reminder_model = self.env["late.payment.reminder"]
        for offset in (-3, 4, 12, 16, 26, 31):
            dossier = self._refresh(day(offset))
            with self._at(day(offset)):
                moves = (old | recent | upcoming).filtered(lambda move, o=offset: move.invoice_date <= day(o))
                moves.invalidate_recordset()
                preview = reminder_model._preview(dossier)
                self.assertTrue(preview, offset)
                self.assertEqual(preview["level"], dossier.next_level_id, offset)
                self.assertEqual(preview["date"], max(day(offset), dossier.next_action_date), offset)
                for move in moves:
                    self.assertEqual((move.late_payment_next_level_id, move.late_payment_next_action_date),
                                     (dossier.next_level_id, dossier.next_action_date), (offset, move.name))
                if dossier.amount_overdue:
                    self.assertAlmostEqual(preview["amount"], dossier.amount_overdue, places=2)
        # day 31: 700 + 300 overdue, the credit note of 200 applied once: 800 overdue, one amount
        self.assertEqual(dossier.amount_overdue, 800.0)
        self.assertEqual(dossier.amount_due, 1300.0)
        self.assertEqual(preview["lines"], self._receivable_lines(old | recent | upcoming))
        self.assertIn("800.00", preview["body_html"])
        self.assertEqual(preview["body_html"].count(credit.name), 1)
        with self._at(day(31)):
            self.dossiers.browse(dossier.id)._send_reminders(include_manual=True)
        reminder = reminder_model.search([("partner_id", "=", self.customer.id)], order="id desc", limit=1)
        self.assertEqual((reminder.level_id, reminder.amount_total), (preview["level"], 800.0))
        # every open invoice is listed; the one not yet due reaches no level
        self.assertEqual(reminder.line_ids.move_line_id, self._receivable_lines(old | recent | upcoming))
        self.assertFalse(reminder.line_ids.filtered(lambda line: line.move_id == upcoming).level_id)
