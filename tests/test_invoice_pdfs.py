from unittest.mock import patch

from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import LatePaymentCommon, day

REMINDER_LOGGERS = tuple(f"odoo.addons.account_late_payment.models.late_payment_{name}"
                         for name in ("reminder", "reminder_send", "reminder_channels"))


@tagged("post_install", "-at_install")
class TestInvoicePdfs(LatePaymentCommon):
    """The invoices attached to reminders: rendered in bulk, many per call, stored as each
    invoice's own PDF (rendered once); one that cannot be rendered never blocks the others."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.reminders = cls.env["late.payment.reminder"]
        cls._reachable_customer()

    def _calls(self):
        """Patch the report rendering to count its calls and the invoices of each."""
        report_model = type(self.env["ir.actions.report"])
        original = report_model._pre_render_qweb_pdf
        calls = []

        def counting(self_, report_ref, res_ids=None, data=None):
            if "invoice" in str(report_ref):
                calls.append(list(res_ids or []))
            return original(self_, report_ref, res_ids=res_ids, data=data)

        return calls, patch.object(report_model, "_pre_render_qweb_pdf", counting)

    def test_rendered_in_bulk_and_stored_once(self):
        invoices = self._invoice(100.0) | self._invoice(200.0) | self._invoice(300.0)
        self.assertFalse(invoices.invoice_pdf_report_id)
        calls, counting = self._calls()
        with counting:
            failures = self.reminders._store_invoice_pdfs(invoices, chunk=2)
        self.assertEqual(failures, {})
        self.assertEqual(calls, [invoices[:2].ids, invoices[2:].ids])  # two calls for three invoices
        self.assertEqual(len(invoices.invoice_pdf_report_id), 3)
        for invoice in invoices:
            self.assertEqual(invoice.invoice_pdf_report_id.res_id, invoice.id)
            self.assertEqual(invoice.invoice_pdf_report_id.name, invoice._get_invoice_report_filename())
        # stored: never rendered again
        with counting:
            self.reminders._store_invoice_pdfs(invoices)
        self.assertEqual(len(calls), 2)

    def test_an_invoice_that_cannot_be_rendered_is_left_out_with_the_reason(self):
        good, bad, other = self._invoice(100.0), self._invoice(200.0), self._invoice(300.0)
        report_model = type(self.env["ir.actions.report"])
        original = report_model._pre_render_qweb_pdf

        def failing(self_, report_ref, res_ids=None, data=None):
            if bad.id in (res_ids or []):
                raise ValueError("broken template")
            return original(self_, report_ref, res_ids=res_ids, data=data)

        with patch.object(report_model, "_pre_render_qweb_pdf", failing), mute_logger(*REMINDER_LOGGERS):
            failures = self.reminders._store_invoice_pdfs(good | bad | other)
        self.assertEqual(failures, {bad.id: "broken template"})
        self.assertTrue(good.invoice_pdf_report_id)
        self.assertTrue(other.invoice_pdf_report_id)
        self.assertFalse(bad.invoice_pdf_report_id)

    def test_the_reminder_attaches_the_stored_pdfs_and_says_which_is_missing(self):
        self.assertTrue(self.friendly.attach_invoices)
        good, bad = self._invoice(100.0), self._invoice(200.0)
        report_model = type(self.env["ir.actions.report"])
        original = report_model._pre_render_qweb_pdf

        def failing(self_, report_ref, res_ids=None, data=None):
            if bad.id in (res_ids or []):
                raise ValueError("broken template")
            return original(self_, report_ref, res_ids=res_ids, data=data)

        with patch.object(type(self.env["ir.cron"]), "_commit_progress", return_value=1.0), self._at(day(3)), \
                patch.object(report_model, "_pre_render_qweb_pdf", failing), mute_logger(*REMINDER_LOGGERS):
            self.env["late.payment.run"].with_user(self.env.ref("base.user_root"))._cron_run()
        reminder = self.reminders.search([("partner_id", "=", self.customer.id)])
        self.assertEqual((reminder.result, reminder.amount_total), ("sent", 300.0))
        mail = self.env["mail.mail"].sudo().search([("model", "=", "res.partner"), ("res_id", "=", self.customer.id)])
        self.assertEqual(mail.attachment_ids, good.invoice_pdf_report_id)
        self.assertIn(f"Sent without the PDF of {bad.name}: broken template", reminder.note)

    def test_the_run_renders_the_pdfs_due_first_by_batches(self):
        self.assertTrue(self.friendly.attach_invoices)
        invoices = self._invoice(100.0) | self._invoice(200.0)
        not_due = self._invoice(50.0, invoice_date=day(2))  # friendly on day 5: not yet
        self._refresh(day(3))
        calls, counting = self._calls()
        with patch.object(type(self.env["ir.cron"]), "_commit_progress", return_value=1.0), self._at(day(3)), \
                counting:
            done = self.env["late.payment.run"]._cron_invoice_pdfs(
                self.company, day(3), self.env["late.payment.batch"]._turn_deadline())
        self.assertTrue(done)
        self.assertEqual(sorted(id_ for call in calls for id_ in call), invoices.ids)
        self.assertEqual(len(invoices.invoice_pdf_report_id), 2)
        self.assertFalse(not_due.invoice_pdf_report_id)
