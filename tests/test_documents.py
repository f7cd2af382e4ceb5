import re

from odoo.tests import tagged

from .common import LatePaymentCommon, day

IBAN = "FR76 3000 6000 0112 3456 7890 189"


def _text(html):
    """What a reader of the document sees: the HTML without its tags (an address behind a link
    is not printed)."""
    html = html.decode() if isinstance(html, bytes) else html
    return re.sub(r"<[^>]+>", " ", html)


@tagged("post_install", "-at_install")
class TestDocuments(LatePaymentCommon):
    """The letters, the payment plan agreement and the statement of account of a French company
    in EUR (docs/design.md, "Documents"): who signs, how to pay (IBAN, reference, SEPA QR
    code), the payment links printed short, the amounts that add up, the disputed invoices marked."""

    chart_template = "generic_coa"
    country_code = "FR"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._reachable_customer(street="1 rue de la Paix", city="Paris", zip="75002",
                                country_id=cls.env.ref("base.fr").id)
        cls.company.partner_id.write({"country_id": cls.env.ref("base.fr").id, "city": "Lyon"})
        cls.bank = cls.env["res.partner.bank"].create({
            "acc_number": IBAN, "partner_id": cls.company.partner_id.id, "acc_holder_name": "Company One",
            "allow_out_payment": True,
        })
        cls.company.write({"late_payment_signatory_name": "Claire Bernard",
                           "late_payment_signatory_title": "Credit manager"})
        cls.reports = cls.env["ir.actions.report"]

    def _html(self, report, records):
        html, _kind = self.reports._render_qweb_html(f"account_late_payment.{report}", records.ids)
        return html.decode()

    def _letter(self, level_day, reached=None):
        """The letter the customer's reminder sends on `level_day` (its invoice of 700 due on DUE;
        `reached`: (level, day) the level its line reached before and when)."""
        invoice = self._invoice(700.0)
        if reached:
            self._reach(self._receivable_lines(invoice), reached[0], day(reached[1]))
        dossier = self._refresh(day(level_day))
        with self._at(day(level_day)):
            dossier.with_user(self.lp_user).action_send_reminder()
        return invoice, dossier.reminder_ids.filtered(lambda reminder: reminder.date == day(level_day))

    # -- letters ----------------------------------------------------------------------------------
    def test_the_letter_is_signed_and_its_payment_links_are_short(self):
        invoice, reminder = self._letter(15)
        self.assertEqual((reminder.level_id, reminder.letter_state), (self.firm, "queued"))
        html = self._html("action_report_late_payment_letter", reminder)
        text = _text(html)
        self.assertIn("o_late_payment_signatory", html)
        self.assertIn("Claire Bernard", text)
        self.assertIn("Credit manager", text)
        # the link works (its whole address with the token is behind it) but is printed short
        self.assertTrue(invoice.access_token)
        self.assertIn(f'href="{invoice.get_base_url()}/my/invoices/{invoice.id}?access_token={invoice.access_token}"',
                      html)
        self.assertNotIn("access_token", text)
        self.assertNotIn("http", text)
        short = f"{invoice.get_base_url().split('://', 1)[1]}/my/invoices/{invoice.id}"
        self.assertIn(short, text)

    def test_the_formal_notice_is_signed_with_a_short_link(self):
        invoice, reminder = self._letter(30, reached=(self.firm, 15))
        self.assertEqual(reminder.level_id, self.formal)
        text = _text(self._html("action_report_late_payment_letter", reminder))
        self.assertIn("Formal notice to pay", text)
        self.assertIn("Claire Bernard", text)
        self.assertIn(f"/my/invoices/{invoice.id}", text)
        self.assertNotIn("access_token", text)

    def test_no_signatory_block_when_the_company_names_none(self):
        self.company.late_payment_signatory_name = False
        _invoice, reminder = self._letter(15)
        html = self._html("action_report_late_payment_letter", reminder)
        self.assertNotIn("o_late_payment_signatory", html)
        self.assertNotIn("Credit manager", html)

    # -- the payment plan agreement ---------------------------------------------------------------
    def test_the_plan_agreement_adds_up_and_says_how_to_pay(self):
        first, second = self._invoice(600.0), self._invoice(400.0)
        with self._at(day(30)):
            plan = self.env["late.payment.plan"]._create_plan(
                self.customer, (first | second).ids, 4, day(40), "monthly")
        self.assertEqual(plan.amount_total, 1000.0)
        # signed, then 300 paid on the first invoice: 700 left, 1,000 owed when it was agreed
        with self._at(day(45)):
            self._register_payment(first, amount=300.0, payment_date=day(45))
            plan._late_payment_check()
        self.assertEqual(plan.line_ids.mapped("amount"), [250.0, 250.0, 250.0, 250.0])
        data = plan._agreement_data()
        self.assertEqual((data["left"], data["received"]), (700.0, 300.0))
        self.assertEqual(data["left"] + data["received"], plan.amount_total)
        self.assertEqual(data["pay"]["bank"], self.bank)
        self.assertEqual(data["pay"]["communication"], plan.name)
        # the QR code pays the next instalment: 250, of which 50 is left after the 300 paid
        self.assertEqual(data["next_line"], plan.line_ids[1])
        self.assertEqual(data["pay"]["amount"], 200.0)
        self.assertTrue(data["pay"]["qr_code"].startswith("data:image/png;base64,"))
        html = self._html("action_report_late_payment_plan", plan)
        text = _text(html)
        # the letter's layout: the address at the envelope's window, the letter's paper format
        self.assertIn("o_late_payment_window", html)
        self.assertEqual(self.env.ref("account_late_payment.action_report_late_payment_plan").paperformat_id,
                         self.env.ref("account_late_payment.paperformat_late_payment_letter"))
        self.assertIn("acknowledges owing", text)
        self.assertEqual(text.count("1,000.00"), 3)  # acknowledged, owed when agreed, schedule total
        self.assertIn("300.00", text)  # paid since the agreement
        self.assertIn("Owed when the plan was agreed", text)
        self.assertIn(IBAN, text)
        self.assertIn(f"Reference: {plan.name}", re.sub(r"\s+", " ", text))
        self.assertIn("o_late_payment_qr", html)
        self.assertIn("Claire Bernard", text)
        self.assertIn("Credit manager", text)

    def test_a_new_plan_agreement_states_one_amount(self):
        invoice = self._invoice(1000.0)
        with self._at(day(30)):
            plan = self.env["late.payment.plan"]._create_plan(
                self.customer, invoice.ids, 3, day(40), "monthly")
        text = _text(self._html("action_report_late_payment_plan", plan))
        self.assertNotIn("since the agreement", text)
        self.assertEqual(text.count("1,000.00"), 4)  # acknowledged, left to pay, owed when agreed, total
        self.assertIn("333.34", text)

    # -- the statement of account -----------------------------------------------------------------
    def test_the_statement_marks_the_disputed_invoice_and_says_how_to_pay(self):
        kept, disputed = self._invoice(700.0), self._invoice(300.0)
        disputed.late_payment_dispute("Not delivered or delivered damaged")
        dossier = self._refresh(day(15))
        with self._at(day(15)):
            data = dossier._statement_data()
            pay = dossier._statement_payment(data)
            html = self._html("action_report_late_payment_statement", dossier)
        self.assertEqual(data["total"], 1000.0)
        # the QR code pays what is claimed: the disputed invoice left out
        self.assertEqual(pay["amount"], 700.0)
        self.assertEqual(pay["communication"], kept.payment_reference or kept.name)
        self.assertEqual(pay["bank"], self.bank)
        text = re.sub(r"\s+", " ", _text(html))
        self.assertEqual(html.count("o_late_payment_disputed"), 1)
        row = re.search(rf"{re.escape(disputed.name)}(.*?)</tr>", html, re.S).group(1)
        self.assertIn("Disputed", row)
        self.assertNotIn("Disputed", re.search(rf"{re.escape(kept.name)}(.*?)</tr>", html, re.S).group(1))
        self.assertIn(IBAN, text)
        self.assertIn(f"Reference: {kept.payment_reference or kept.name}", text)
        self.assertIn("o_late_payment_qr", html)
        self.assertIn("700.00", text)
