from unittest.mock import patch

from odoo.exceptions import ValidationError
from odoo.fields import Command
from odoo.tests import tagged

from .common import LatePaymentCommon, day

# invoiced on DUE (a Monday) with 2 % at 10 days, net 30: the discount deadline is day(10) (a
# Thursday), the due date day(30); the discount reminder goes 3 days before the deadline, day(7)
DEADLINE = day(10)


@tagged("post_install", "-at_install")
class TestDiscountReminder(LatePaymentCommon):
    """The reminder of an early-payment discount still open: counted from the discount deadline,
    sent once while the discount can be taken, never mentioned after its deadline."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.reminders = cls.env["late.payment.reminder"]
        cls.customer.write({"email": "billing@customer-a.example", "is_company": True, "lang": "en_US"})
        cls.env.user.email = "accountman@company.example"
        cls.term = cls.env["account.payment.term"].create({
            "name": "2 % 10 days, net 30", "early_discount": True, "discount_percentage": 2.0,
            "discount_days": 10, "early_pay_discount_computation": "included",
            "line_ids": [Command.create({"value": "percent", "value_amount": 100.0, "nb_days": 30})],
        })

    # -- helpers ---------------------------------------------------------------------------
    def _run(self, today):
        before = self.reminders.search([], order="id desc", limit=1).id or 0
        with patch.object(type(self.env["ir.cron"]), "_commit_progress", return_value=1.0), self._at(today):
            self.env["late.payment.run"].with_user(self.env.ref("base.user_root"))._cron_run()
        return self.reminders.search([("id", ">", before)])

    def _mail(self, reminder):
        return self.env["mail.mail"].sudo().search([("mail_message_id", "=", reminder.mail_message_id.id)])

    def _discounted_invoice(self, amount=1000.0, **kw):
        invoice = self._invoice(amount, terms=self.term, **kw)
        line = self._receivable_lines(invoice)
        self.assertEqual((line.discount_date, line.discount_amount_currency, line.date_maturity),
                         (DEADLINE, amount * 0.98, day(30)))
        return invoice

    # -- when ------------------------------------------------------------------------------
    def test_counted_from_the_discount_deadline(self):
        self._discounted_invoice()
        for today, status, level, when in [
            (day(0), "planned", self.discount, day(7)),
            (day(6), "planned", self.discount, day(7)),    # the day before deadline - 3
            (day(7), "due", self.discount, day(7)),        # deadline - 3
            (DEADLINE, "due", self.discount, day(7)),      # the deadline itself: still open
            (day(11), "planned", self.courtesy, day(25)),  # after it: the usual levels only
        ]:
            with self.subTest(today=today):
                dossier = self._refresh(today)
                self.assertEqual((dossier.status, dossier.next_level_id, dossier.next_action_date),
                                 (status, level, when))

    def test_sent_once_stating_the_discounted_amount_and_the_deadline(self):
        invoice = self._discounted_invoice()
        self.assertFalse(self._run(day(6)))
        reminder = self._run(day(7))
        self.assertEqual((reminder.level_id, reminder.tone_id, reminder.result), (
            self.discount, self.tone["courteous"], "sent"))
        self.assertEqual(reminder.line_ids.level_id, self.discount)
        self.assertEqual((invoice.late_payment_level_id, invoice.late_payment_level_date), (self.discount, day(7)))
        mail = self._mail(reminder)
        self.assertEqual(mail.subject, f"{self.company.name}: early-payment discount still open")
        self.assertIn("the early-payment discount on the invoices detailed below can still be taken", mail.body_html)
        self.assertIn("Early-payment discount: paid by the deadline below", mail.body_html)
        self.assertIn(invoice.name, mail.body_html)
        self.assertIn("980.00", mail.body_html)
        self.assertIn("06/12/2025", mail.body_html)  # the deadline, not the due date only
        # never twice: neither the next days' runs nor the console
        self.assertFalse(self._run(day(8)))
        with self._at(DEADLINE):
            self.assertFalse(self._dossier()._send_reminders(include_manual=True))
        self.assertEqual(len(reminder.line_ids), 1)
        dossier = self._refresh(DEADLINE)
        self.assertEqual((dossier.status, dossier.next_level_id, dossier.next_action_date),
                         ("planned", self.courtesy, day(25)))
        # the reminder log shows it
        self.assertEqual(self.reminders.search([("partner_id", "=", self.customer.id)]), reminder)

    def test_never_mentioned_after_the_deadline(self):
        invoice = self._discounted_invoice()
        # the daily run did not pass before the deadline (or the discount was already lapsed
        # when the invoice was entered): no discount reminder afterwards
        self.assertFalse(self._run(day(11)))
        # the letter of the courtesy tone: the discount while it is open, not the day after
        for today, stated in ((DEADLINE, True), (day(11), False)):
            dossier = self._refresh(today)
            with self._at(today):
                self.assertEqual(self._receivable_lines(invoice).late_payment_discount_open, stated)
                letter = self.tone["courteous"]._render_letter(dossier)[dossier.id]
            self.assertIn("courteous reminder", letter)
            self.assertEqual("Early-payment discount" in letter, stated, today)
            self.assertEqual(invoice.name in letter, stated, today)  # only in the discount table
            self.assertEqual("980.00" in letter, stated, today)
        # the ordinary reminders of the later levels do not mention it either
        courtesy = self._run(day(25))
        self.assertEqual(courtesy.level_id, self.courtesy)
        mail = self._mail(courtesy)
        self.assertEqual(mail.subject, f"{self.company.name}: invoices soon due")
        self.assertIn("will soon be due", mail.body_html)
        self.assertNotIn("discount", mail.body_html)
        self.assertNotIn("980.00", mail.body_html)
        friendly = self._run(day(35))
        self.assertEqual(friendly.level_id, self.friendly)
        self.assertNotIn("discount", self._mail(friendly).body_html)

    def test_discount_reminder_after_the_courtesy_reminder_of_another_invoice(self):
        # another invoice is overdue: the customer gets its friendly reminder, which lists the
        # discounted invoice (not yet due: apart, reaching no level) and states its discount still open
        overdue = self._invoice(400.0, invoice_date=day(4))  # immediate payment: friendly on day(7)
        invoice = self._discounted_invoice()
        reminder = self._run(day(7))
        self.assertEqual(reminder.level_id, self.friendly)
        by_move = {line.move_id: line.level_id for line in reminder.line_ids}
        self.assertEqual(by_move, {overdue: self.friendly, invoice: self.env["late.payment.level"]})
        body = self._mail(reminder).body_html
        self.assertIn("Early-payment discount: paid by the deadline below", body)
        self.assertIn("980.00", body)
        self.assertIn("06/12/2025", body)

    def test_partially_paid_invoice_has_no_discount_reminder(self):
        invoice = self._discounted_invoice()
        self._register_payment(invoice, amount=100.0, payment_date=day(2))
        dossier = self._refresh(day(7))
        with self._at(day(7)):
            self.assertFalse(self._receivable_lines(invoice).late_payment_discount_open)
        self.assertEqual((dossier.status, dossier.next_level_id, dossier.next_action_date),
                         ("planned", self.courtesy, day(25)))
        self.assertFalse(self._run(day(7)))

    def test_paid_with_the_discount_nothing_more(self):
        invoice = self._discounted_invoice()
        self._register_payment(invoice, amount=980.0, payment_date=day(5))
        self.assertEqual(invoice.payment_state, "paid")
        self.assertFalse(self._run(day(7)))
        self.assertFalse(self._refresh(day(7)).filtered(lambda dossier: dossier.status != "none"))

    def test_instalment_term_has_no_discount_reminder(self):
        instalments = self.env["account.payment.term"].create({
            "name": "30 % now, 70 % at 30 days", "line_ids": [
                Command.create({"value": "percent", "value_amount": 30.0, "nb_days": 0}),
                Command.create({"value": "percent", "value_amount": 70.0, "nb_days": 30}),
            ]})
        invoice = self._invoice(1000.0, terms=instalments)
        self.assertFalse(any(self._receivable_lines(invoice).mapped("discount_date")))
        dossier = self._refresh(day(-10))
        self.assertEqual((dossier.next_level_id, dossier.next_action_date), (self.courtesy, day(-5)))

    def test_in_french(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(["account_late_payment"], ["fr_FR"], overwrite=True)
        self.customer.lang = "fr_FR"
        invoice = self._discounted_invoice()
        reminder = self._run(day(7))
        self.assertEqual(reminder.level_id, self.discount)
        shipped = self.env.ref("account_late_payment.late_payment_level_default_discount").sudo()
        self.assertEqual(shipped.with_context(lang="fr_FR").name, "Rappel d'escompte")
        mail = self._mail(reminder)
        self.assertEqual(mail.subject, f"{self.company.name} : escompte pour paiement anticipé encore possible")
        self.assertIn("l'escompte pour paiement anticipé des factures détaillées ci-dessous", mail.body_html)
        self.assertIn("Escompte pour paiement anticipé", mail.body_html)
        self.assertIn(invoice.name, mail.body_html)
        self.assertIn("980,00", mail.body_html)
        self.assertIn("12/06/2025", mail.body_html)
        # the letter states it while it is open, in French too
        dossier = self._refresh(DEADLINE)
        with self._at(DEADLINE):
            letter = self.tone["courteous"]._render_letter(dossier)[dossier.id]
        self.assertIn("Escompte pour paiement anticipé", letter)
        self.assertIn("12/06/2025", letter)

    # -- configuration ---------------------------------------------------------------------
    def test_one_discount_level_per_policy_and_never_a_formal_notice(self):
        with self.assertRaisesRegex(ValidationError, "two early-payment discount reminders"), \
                self.env.cr.savepoint():
            self.policy.write({"level_ids": [Command.create({
                "name": "Second", "kind": "discount", "days_before_discount": 1,
                "tone_id": self.tone["courteous"].id})]})
        with self.assertRaisesRegex(ValidationError, "cannot be a formal notice"), self.env.cr.savepoint():
            self.discount.is_formal_notice = True
        # its days from the due date do not count: no clash with a level on the same day
        self.discount.days = self.courtesy.days
        self.assertEqual(self.discount.days_before_discount, 3)

    def test_a_discount_reminder_gives_no_risk_points(self):
        points = self.policy.level_ids._risk_points(self.company._late_payment_risk_weights())
        self.assertEqual(points[self.discount.id], 0.0)
        self.assertEqual(points[self.courtesy.id], 0.0)
        self.assertGreater(points[self.friendly.id], 0.0)

    def _dossier(self):
        return self.dossiers.search([("partner_id", "=", self.customer.id), ("company_id", "=", self.company.id)])

