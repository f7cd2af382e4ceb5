from odoo.exceptions import AccessError
from odoo.tests import Form, tagged

from .common import LatePaymentCommon, day


@tagged("post_install", "-at_install")
class TestSendConfirmation(LatePaymentCommon):
    """Sending to several customers from the console: a summary first (emails, letters, formal
    notices, total amount, customers), nothing sent before it is confirmed."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._reachable_customer()
        cls.other = cls.partner_b
        cls.other.write({"email": "accounts@customer-b.example", "lang": "en_US"})
        cls.quiet = cls.env["res.partner"].create({"name": "Nothing due", "email": "quiet@customer.example"})
        cls._invoice(700.0)                       # firm reminder on day 15: email and letter
        cls._invoice(250.0, partner=cls.other)
        # 55 days late on day 15, its firm reminder went on day -25: the formal notice is due
        lines = cls._receivable_lines(cls._invoice(1000.0, partner=cls.other, invoice_date=day(-40)))
        lines.write({"late_payment_level_id": cls.firm.id, "late_payment_level_date": day(-25)})

    def _sent(self):
        return self.env["late.payment.reminder"].search([("company_id", "=", self.company.id)])

    def test_summary_then_send(self):
        with self._at(day(15)):
            dossiers = self.dossiers._refresh(
                partners=self.customer | self.other | self.quiet, company=self.company, ensure=True)
            action = dossiers.with_user(self.lp_user).action_send_reminders_confirm()
            self.assertEqual(action["res_model"], "late.payment.send.wizard")
            form = Form(self.env["late.payment.send.wizard"].with_user(self.lp_user).with_context(**action["context"]))
            self.assertEqual(form.customer_count, 2)
            self.assertEqual(form.idle_count, 1)
            self.assertEqual(form.email_count, 2)
            self.assertEqual(form.letter_count, 2)
            self.assertEqual(form.formal_notice_count, 1)
            self.assertEqual(form.amount_total, 700.0 + 250.0 + 1000.0)
            self.assertIn(self.other.name, form.detail)
            summary = {fname: form[fname] for fname in (
                "customer_count", "email_count", "letter_count", "formal_notice_count", "amount_total")}
            wizard = form.save()
            # nothing went out while the summary was shown
            self.assertFalse(self._sent())
            self.assertFalse(self.env["mail.mail"].sudo().search([("res_id", "in", (self.customer | self.other).ids),
                                                                  ("model", "=", "res.partner")]))
            result = wizard.action_confirm()
        self.assertEqual(result["tag"], "display_notification")
        sent = self._sent()
        self.assertEqual(sent.partner_id, self.customer | self.other)
        self.assertEqual(sum(sent.mapped("amount_total")), 1950.0)
        self.assertEqual(sent.filtered(lambda r: r.partner_id == self.other).level_id, self.formal)
        # the summary was what went out
        self.assertEqual(summary, {
            "customer_count": len(sent.partner_id),
            "email_count": len(sent.filtered("channel_email")),
            "letter_count": len(sent.filtered("channel_letter")),
            "formal_notice_count": len(sent.filtered("level_id.is_formal_notice")),
            "amount_total": sum(sent.mapped("amount_total")),
        })

    def test_nothing_due(self):
        with self._at(day(15)):
            dossiers = self.dossiers._refresh(partners=self.quiet, company=self.company, ensure=True)
            form = Form(self.env["late.payment.send.wizard"].with_user(self.lp_user).with_context(
                active_model="late.payment.dossier", active_ids=dossiers.ids))
            self.assertEqual((form.customer_count, form.idle_count, form.amount_total), (0, 1, 0.0))
        self.assertFalse(self._sent())

    def test_unsanitized_html_cannot_be_written(self):
        """The Html fields shown unsanitized (built by the addon) keep what the addon computed
        whatever a user writes in them over RPC."""
        script = "<script>alert(1)</script>"
        with self._at(day(15)):
            dossiers = self.dossiers._refresh(partners=self.customer | self.other, company=self.company, ensure=True)
            action = dossiers.with_user(self.lp_user).action_send_reminders_confirm()
            wizard = self.env["late.payment.send.wizard"].with_user(self.lp_user).with_context(
                **action["context"]).create({})
            with self.assertRaises(AccessError):
                wizard.write({"detail": script})
            self.env.flush_all()
            self.env.invalidate_all()
            self.assertNotIn("<script", wizard.detail or "")
            self.assertIn(self.other.name, wizard.detail)
            dossier = dossiers[:1].with_user(self.lp_user)
            dossier.write({"preview_email": script, "preview_letter": script})
            self.env.flush_all()
            self.env.invalidate_all()
            self.assertNotIn("<script", dossier.preview_email or "")
            self.assertNotIn("<script", dossier.preview_letter or "")
