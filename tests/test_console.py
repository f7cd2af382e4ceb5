from unittest.mock import PropertyMock, patch

from odoo.exceptions import AccessError, UserError
from odoo.fields import Command
from odoo.tests import Form, new_test_user, tagged
from odoo.tools import html2plaintext

from .common import LatePaymentCommon, day


@tagged("post_install", "-at_install")
class TestConsole(LatePaymentCommon):
    """The follow-up console: preview, sending, the wizards, the documents, and who may do what."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.reminders = cls.env["late.payment.reminder"]
        cls._reachable_customer()
        cls.billing = new_test_user(cls.env, login="lp_console_billing", company_id=cls.company.id,
                                    groups="account.group_account_invoice")

    def _mail(self):
        return self.env["mail.mail"].sudo().search([("model", "=", "res.partner"), ("res_id", "=", self.customer.id)])

    def _html(self, content):
        return content.decode() if isinstance(content, bytes) else content

    # -- preview and sending ----------------------------------------------------------------------
    def test_preview_is_what_is_sent(self):
        invoice = self._invoice(700.0)
        dossier = self._refresh(day(15))
        with self._at(day(15)):
            console = dossier.with_user(self.lp_user)
            self.assertTrue(console.preview_available)
            self.assertIn("Firm reminder", console.preview_summary)
            self.assertIn(invoice.name, console.preview_email)
            # the letter's text: the prose of the tone; the report prints the amounts once
            self.assertIn("Despite our previous reminder", console.preview_letter)
            self.assertNotIn(invoice.name, console.preview_letter)
            shown = {"subject": console.preview_subject, "body_html": console.preview_email,
                     "letter_body": console.preview_letter}
            preview = self.reminders._preview(dossier)
            action = console.action_send_reminder()
        self.assertEqual(action["tag"], "display_notification")
        reminder = dossier.reminder_ids
        self.assertEqual((reminder.origin, reminder.user_id, reminder.level_id), ("console", self.lp_user, self.firm))
        mail = self._mail()
        self.assertEqual(mail.subject, shown["subject"])
        self.assertEqual(mail.subject, preview["subject"])
        # the message keeps the body as Odoo's sanitizer writes it (spaces in styles): same text
        self.assertEqual(html2plaintext(mail.body), html2plaintext(preview["body_html"]))
        self.assertEqual(html2plaintext(mail.body), html2plaintext(shown["body_html"]))
        self.assertIn(str(preview["body_html"]), str(mail.body_html))
        self.assertEqual(str(reminder.letter_body), str(preview["letter_body"]))
        self.assertEqual(str(reminder.letter_body), str(shown["letter_body"]))
        # sent: the preview shows the next level, on its date; nothing to send today
        dossier.invalidate_recordset()
        with self._at(day(15)):
            self.assertEqual(dossier.status, "planned")
            self.assertTrue(dossier.preview_available)
            self.assertIn(self.formal.name, dossier.preview_summary)
            self.assertIn("07/02/2025", dossier.preview_summary)  # the formal notice is due on day 30
            with self.assertRaises(UserError):
                dossier.with_user(self.lp_user).action_send_reminder()

    def test_preview_in_a_read_only_transaction_writes_nothing(self):
        """The console reads its preview in a read-only transaction: the email's payment link
        then goes without a portal token (the invoice is not written), and gets one when sent."""
        invoice = self._invoice(700.0)
        dossier = self._refresh(day(15))
        self.assertFalse(invoice.access_token)
        self.env.flush_all()
        with self._at(day(15)), patch.object(type(self.env.cr), "readonly", new_callable=PropertyMock,
                                             return_value=True):
            preview = self.reminders._preview(dossier)
        self.assertIn(f"/my/invoices/{invoice.id}\"", preview["body_html"])
        self.assertFalse(invoice.access_token)
        with self._at(day(15)):
            dossier.with_user(self.lp_user).action_send_reminder()
        self.assertTrue(invoice.access_token)
        self.assertIn(f"/my/invoices/{invoice.id}?access_token={invoice.access_token}", self._mail().body_html)

    def test_preview_in_the_customers_language(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(["account_late_payment"], ["fr_FR"], overwrite=True)
        self.customer.lang = "fr_FR"
        self._invoice(700.0)
        dossier = self._refresh(day(15))
        with self._at(day(15)):
            preview = self.reminders._preview(dossier)
            self.assertIn("Madame, Monsieur", html2plaintext(preview["letter_body"]))
            dossier.with_user(self.lp_user).action_send_reminder()
        self.assertEqual(html2plaintext(self._mail().body), html2plaintext(preview["body_html"]))
        letter, _kind = self.env["ir.actions.report"]._render_qweb_pdf(
            "account_late_payment.action_report_late_payment_letter", dossier.reminder_ids.ids)
        text = self._html(letter)
        self.assertIn("Détail des montants dus", text)
        self.assertIn("Solde échu", text)

    def test_many_customers_at_once(self):
        self._invoice(400.0)
        other = self.partner_b
        other.write({"email": "accounts@customer-b.example"})
        self._invoice(250.0, partner=other)
        with self._at(day(3)):
            dossiers = self.dossiers._refresh(partners=self.customer | other, company=self.company)
            self.assertEqual(set(dossiers.mapped("status")), {"due"})
            dossiers.with_user(self.lp_user).action_send_reminder()
        self.assertEqual(len(dossiers.reminder_ids), 2)
        self.assertEqual(set(dossiers.reminder_ids.mapped("origin")), {"console"})

    # -- the console's actions ----------------------------------------------------------------------
    def test_postpone_moves_the_next_action(self):
        self._invoice(400.0)
        dossier = self._refresh(day(3))
        self.assertEqual(dossier.status, "due")
        with self._at(day(3)):
            wizard = Form(self.env["late.payment.postpone.wizard"].with_user(self.lp_user).with_context(
                active_model="late.payment.dossier", active_ids=dossier.ids))
            wizard.date = day(10)
            wizard.reason = "Customer on holiday"
            wizard.save().action_confirm()
            with self.assertRaises(UserError):
                dossier.with_user(self.lp_user)._postpone(day(2))
        self.assertEqual(dossier.postponed_until, day(10))
        self.assertEqual(dossier.next_action_date, day(10))
        self.assertEqual(dossier.status, "waiting")
        with self._at(day(3)):
            self.assertFalse(self.reminders._send(dossier, include_manual=True))
        # on the day, the reminder is due again
        self.assertEqual(self._refresh(day(10)).status, "due")
        self.assertIn("Customer on holiday", dossier.message_ids[0].body)

    def test_log_a_call(self):
        self._invoice(400.0)
        dossier = self._refresh(day(3))
        wizard = self.env["late.payment.call.wizard"].with_user(self.lp_user).with_context(
            active_model="late.payment.dossier", active_ids=dossier.ids).create({
                "outcome": "promised", "note": "Will pay on Friday"})
        wizard.action_confirm()
        body = dossier.message_ids[0].body
        self.assertIn("Promised to pay", body)
        self.assertIn("Will pay on Friday", body)

    def test_exclude_a_line_with_its_reason(self):
        kept = self._invoice(400.0)
        left_out = self._invoice(300.0)
        dossier = self._refresh(day(3))
        self.assertEqual(dossier.amount_overdue, 700.0)
        line = self._receivable_lines(left_out)
        with self._at(day(3)):
            wizard = self.env["late.payment.exclude.wizard"].with_user(self.lp_user).with_context(
                active_model="late.payment.dossier", active_ids=dossier.ids).create({
                    "line_ids": [Command.set(line.ids)], "reason": "Goods returned"})
            self.assertIn(line, wizard.available_line_ids)
            wizard.action_confirm()
            with self.assertRaises(UserError):
                dossier.with_user(self.lp_user)._exclude_lines(self._receivable_lines(kept), " ")
        self.assertTrue(line.no_followup)
        self.assertEqual(left_out.late_payment_exclusion_reason, "Goods returned")
        self.assertFalse(kept.late_payment_exclusion_reason)
        self.assertEqual((dossier.amount_overdue, dossier.amount_excluded), (400.0, 300.0))
        # back in the follow-up: the reason goes
        line.no_followup = False
        self.assertFalse(left_out.late_payment_exclusion_reason)

    def test_formal_notice_proof(self):
        self._invoice(400.0)
        dossier = self._refresh(day(3))
        wizard = self.env["late.payment.formal.notice.wizard"].with_user(self.lp_user).with_context(
            active_model="late.payment.dossier", active_ids=dossier.ids).create({
                "reference": "1A 234 567 8901 2", "received_date": day(2)})
        wizard.action_confirm()
        self.assertEqual((dossier.formal_notice_reference, dossier.formal_notice_received_date),
                         ("1A 234 567 8901 2", day(2)))
        self.assertTrue(dossier.formal_notice_reached)

    def test_access_rights(self):
        self._invoice(400.0)
        dossier = self._refresh(day(3))
        as_billing = dossier.with_user(self.billing)
        for method, args in (("action_send_reminder", ()), ("action_print_statement", ()), ("action_log_call", ()),
                             ("_postpone", (day(10),)),
                             ("_record_formal_notice", ("X",))):
            with self.subTest(method=method), self.assertRaises(AccessError):
                getattr(as_billing, method)(*args)
        with self.assertRaises(AccessError):
            self.env["late.payment.call.wizard"].with_user(self.billing).create({"outcome": "no_answer"})
        with self.assertRaises(AccessError):
            self.reminders.with_user(self.billing).action_print_day_letters()
        # the users work the console; the configuration is the administrators'
        with self.assertRaises(AccessError):
            self.firm.with_user(self.lp_user).attach_statement = True
        self.firm.with_user(self.lp_admin).attach_statement = True
        menus = self.env["ir.ui.menu"]
        console = self.env.ref("account_late_payment.menu_late_payment_console")
        config = self.env.ref("account_late_payment.menu_late_payment_config")
        self.assertIn(console.id, menus.with_user(self.lp_user)._visible_menu_ids())
        self.assertNotIn(console.id, menus.with_user(self.billing)._visible_menu_ids())
        self.assertNotIn(config.id, menus.with_user(self.lp_user)._visible_menu_ids())
        self.assertIn(config.id, menus.with_user(self.lp_admin)._visible_menu_ids())

    def test_statement_of_account(self):
        with self._at(day(0)):
            self._invoice(100.0, invoice_date=day(-50))   # 50 days late on day(0)
            self._invoice(200.0, invoice_date=day(-100))  # 100 days late
            self._invoice(300.0, invoice_date=day(-10))   # 10 days late
            self._invoice(400.0, invoice_date=day(5))     # not due yet
            self._invoice(50.0, move_type="out_refund")
        dossier = self._refresh(day(0))
        with self._at(day(0)):
            data = dossier._statement_data()
            html = self._html(self.env["ir.actions.report"]._render_qweb_pdf(
                "account_late_payment.action_report_late_payment_statement", dossier.ids)[0])
            action = self.customer.with_user(self.lp_user).action_late_payment_statement()
        self.assertEqual(dict(data["buckets"]), {
            "not_due": 400.0, "days_1_30": 300.0, "days_31_60": 100.0, "days_61_90": 0.0, "days_over_90": 200.0})
        self.assertEqual((data["credits"], data["total"]), (-50.0, 950.0))
        self.assertEqual(action["report_name"], "account_late_payment.report_late_payment_statement")
        for label in ("Not due", "1-30 days", "31-60 days", "Over 90 days", "Statement of account"):
            self.assertIn(label, html)

    def test_email_attaches_the_letter_and_the_statement(self):
        self.firm.write({"attach_letter": True, "attach_statement": True, "attach_invoices": False})
        self._invoice(700.0)
        self._refresh(day(15))
        with self._at(day(15)):
            self._refresh(day(15)).with_user(self.lp_user).action_send_reminder()
        names = sorted(self._mail().mail_message_id.attachment_ids.mapped("name"))
        self.assertEqual(names, [f"Reminder - {self.customer.name}.pdf",
                                 f"Statement of account - {self.customer.name}.pdf"])

    def test_formal_notice_email_carries_the_letter(self):
        """As shipped, the formal notice's email attaches the formal notice letter and the invoices."""
        invoice = self._invoice(700.0)
        self._reach(self._receivable_lines(invoice), self.firm, day(15))
        dossier = self._refresh(day(31))
        self.assertEqual((dossier.status, dossier.next_level_id), ("due", self.formal))
        with self._at(day(31)):
            dossier.with_user(self.lp_user).action_send_reminder()
        reminder = dossier.reminder_ids
        self.assertEqual((reminder.level_id, reminder.letter_state), (self.formal, "queued"))
        attachments = self._mail().mail_message_id.attachment_ids
        self.assertIn(f"Reminder - {self.customer.name}.pdf", attachments.mapped("name"))
        self.assertIn(invoice._get_invoice_report_filename(), attachments.mapped("name"))
        letter = attachments.filtered(lambda attachment: attachment.name.startswith("Reminder")).raw
        self.assertIn(b"Formal notice to pay", letter)  # the letter's text (tests render reports as HTML)


@tagged("post_install", "-at_install")
class TestConsoleLetters(LatePaymentCommon):
    """The letters of a French company in EUR: window envelope, lines, credits, penalties, SEPA QR code."""

    chart_template = "generic_coa"
    country_code = "FR"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.reminders = cls.env["late.payment.reminder"]
        cls._reachable_customer(street="1 rue de la Paix", city="Paris", zip="75002",
                                country_id=cls.env.ref("base.fr").id)

    def _html(self, content):
        return content.decode() if isinstance(content, bytes) else content

    def _letter_setup(self):
        """A EUR company bank account (French IBAN) and a firm-level letter."""
        self.company.partner_id.write({"country_id": self.env.ref("base.fr").id, "city": "Lyon"})
        bank = self.env["res.partner.bank"].create({
            "acc_number": "FR76 3000 6000 0112 3456 7890 189", "partner_id": self.company.partner_id.id,
            "acc_holder_name": "Company One", "allow_out_payment": True,
        })
        return bank

    def test_letter_content(self):
        bank = self._letter_setup()
        self.assertEqual(self.company.currency_id, self.env.ref("base.EUR"))
        invoice = self._invoice(700.0)
        credit = self._invoice(100.0, move_type="out_refund")
        dossier = self._refresh(day(15))
        with self._at(day(15)):
            dossier.with_user(self.lp_user).action_send_reminder()
            reminder = dossier.reminder_ids
            self.assertEqual(reminder.letter_state, "queued")
            data = reminder._letter_data()
            html = self._html(self.env["ir.actions.report"]._render_qweb_pdf(
                "account_late_payment.action_report_late_payment_letter", reminder.ids)[0])
        self.assertEqual(data["lines"].move_id, invoice)
        self.assertEqual(data["credits"].move_id, credit)
        self.assertEqual(data["total"], 600.0)
        self.assertEqual(data["bank"], bank)
        # Odoo's SEPA QR code: the EPC payload of the company's IBAN and the total due
        self.assertEqual(data["qr_values"][:8], ["BCD", "002", "1", "SCT", "", "Company One",
                                                  "FR7630006000011234567890189", "EUR600.0"])
        self.assertIn(invoice.name, data["qr_values"][10] or data["qr_values"][9])
        self.assertTrue(data["qr_code"].startswith("data:image/png;base64,"))
        self.assertIn(invoice.name, html)
        self.assertIn(credit.name, html)
        self.assertIn("Days late", html)
        self.assertIn("o_late_payment_qr", html)
        self.assertIn(f"/my/invoices/{invoice.id}?access_token=", html)
        self.assertIn("o_late_payment_window", html)
        # the firm level states the penalties: interest and indemnity per invoice
        self.assertTrue(self.firm.state_penalties)
        self.assertIn("o_late_payment_penalties", html)

    def test_the_days_letters_in_one_pdf(self):
        self._invoice(700.0)
        other = self.partner_b
        other.write({"email": "accounts@customer-b.example", "lang": "en_US"})
        self._invoice(200.0, partner=other)
        with self._at(day(15)):
            dossiers = self.dossiers._refresh(partners=self.customer | other, company=self.company)
            dossiers.with_user(self.lp_user).action_send_reminder()
            queued = self.reminders.search([("letter_state", "=", "queued"), ("company_id", "=", self.company.id)])
            self.assertEqual(len(queued), 2)
            action = self.reminders.with_user(self.lp_user).action_print_day_letters()
        self.assertEqual(action["type"], "ir.actions.report")
        self.assertEqual(sorted(action["context"]["active_ids"]), sorted(queued.ids))
        self.assertEqual(set(queued.mapped("letter_state")), {"printed"})
        with self.assertRaises(UserError):
            self.reminders.with_user(self.lp_user).action_print_day_letters()
        # one HTML document: both letters, a page break between them
        html = self._html(self.env["ir.actions.report"]._render_qweb_html(
            "account_late_payment.action_report_late_payment_letter", queued.ids)[0])
        self.assertEqual(html.count('class="page o_late_payment_letter"'), 2)
        self.assertEqual(html.count("<html"), 1)
        self.assertIn("page-break-after: always", html)

