from datetime import date, timedelta

from lxml import html

from odoo.exceptions import ValidationError
from odoo.fields import Command
from odoo.tests import tagged

from ..engine import payment_terms
from .common import PenaltyCommon

STATUTORY_EN = ("Late payment penalties, due from the day after the due date: the European Central Bank's main "
                "refinancing rate plus 10 points, i.e. 12.15 % a year for the current half-year.")
INDEMNITY_EN = ("Fixed indemnity for recovery costs in case of late payment: 40.00 € (French Commercial Code, "
                "articles L441-10 and D441-5).")
NO_DISCOUNT_EN = "No discount for early payment."


def plain(texts):
    return [" ".join(text.split()) for text in texts]


@tagged("post_install", "-at_install")
class TestInvoiceMentions(PenaltyCommon):
    """The legal mentions of the invoice report (Code de commerce L441-9), rendered."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.term_30 = cls.env["account.payment.term"].create({
            "name": "30 days", "line_ids": [Command.create({"value": "percent", "value_amount": 100.0, "nb_days": 30})],
        })
        cls.term_discount = cls.env["account.payment.term"].create({
            "name": "2 % 10 days, net 30", "early_discount": True, "discount_percentage": 2.0, "discount_days": 10,
            "line_ids": [Command.create({"value": "percent", "value_amount": 100.0, "nb_days": 30})],
        })
        cls.consumer = cls.env["res.partner"].create({"name": "Julie Martin", "country_id": cls.env.ref("base.fr").id})

    def _invoice_with_term(self, term, partner=None, amount=1000.0, invoice_date="2025-09-15", post=True):
        return self._create_invoice_one_line(
            price_unit=amount, tax_ids=[], invoice_date=invoice_date, partner_id=partner or self.partner_a,
            invoice_payment_term_id=term, post=post)

    def _render(self, invoice):
        content, _kind = self.env["ir.actions.report"]._render_qweb_html("account.account_invoices", invoice.ids)
        return html.fromstring(content)

    def _mentions(self, invoice):
        document = self._render(invoice)
        return [" ".join(p.text_content().split())
                for p in document.xpath("//div[@name='late_payment_legal_mentions']/p")], document

    def test_professional_without_discount_in_english(self):
        invoice = self._invoice_with_term(self.term_30)
        mentions, document = self._mentions(invoice)
        self.assertEqual(mentions, [STATUTORY_EN, INDEMNITY_EN, NO_DISCOUNT_EN])
        # the due date: Odoo prints it, once
        self.assertEqual(len(document.xpath("//div[@name='due_date']")), 1)
        self.assertIn("10/15/2025", document.xpath("//div[@name='due_date']")[0].text_content())

    def test_professional_with_discount_reuses_odoo_line(self):
        invoice = self._invoice_with_term(self.term_discount)
        mentions, document = self._mentions(invoice)
        self.assertEqual(mentions, [STATUTORY_EN, INDEMNITY_EN])
        discount_line = " ".join(document.xpath("//div[@id='early_payment_discount']")[0].text_content().split())
        self.assertEqual(discount_line, "980.00 € due if paid before 09/25/2025")
        # once paid, Odoo no longer prints its line: the conditions are stated by the addon
        self._pay(invoice, 1000.0, "2025-10-10")
        mentions, document = self._mentions(invoice)
        self.assertFalse(document.xpath("//div[@id='early_payment_discount']"))
        self.assertEqual(mentions[-1], "Early payment discount: 2 % if paid within 10 days, by 09/25/2025.")

    def test_french(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.partner_a.lang = "fr_FR"
        mentions, _document = self._mentions(self._invoice_with_term(self.term_30))
        self.assertEqual(mentions, [
            "Pénalités de retard, exigibles dès le lendemain de la date d'échéance : taux de refinancement de la "
            "Banque centrale européenne majoré de 10 points, soit 12,15 % l'an pour le semestre en cours.",
            "Indemnité forfaitaire pour frais de recouvrement en cas de retard de paiement : 40,00 € (articles "
            "L441-10 et D441-5 du Code de commerce).",
            "Pas d'escompte pour paiement anticipé.",
        ])
        mentions, document = self._mentions(self._invoice_with_term(self.term_discount))
        self.assertEqual(len(mentions), 2)
        self.assertTrue(document.xpath("//div[@id='early_payment_discount']"))
        self.assertNotIn("Pas d'escompte pour paiement anticipé.", mentions)

    def test_consumer_gets_no_mention(self):
        mentions, _document = self._mentions(self._invoice_with_term(self.term_30, partner=self.consumer))
        self.assertEqual(mentions, [])
        self.env["res.lang"]._activate_lang("fr_FR")
        self.consumer.lang = "fr_FR"
        mentions, _document = self._mentions(self._invoice_with_term(self.term_discount, partner=self.consumer))
        self.assertEqual(mentions, [])
        # unless the company charges consumers late interest: then the consumer rule is stated, never L441-10
        self.company.late_payment_interest_consumers = True
        mentions, _document = self._mentions(self._invoice_with_term(self.term_30, partner=self.consumer))
        self.assertEqual(len(mentions), 1)
        self.assertIn("1231-6", mentions[0])
        self.assertNotIn("L441", mentions[0])
        self.assertNotIn("12,15", mentions[0])

    def test_rates_follow_the_settings(self):
        invoice = self._invoice_with_term(self.term_30, invoice_date="2025-03-10")
        self.assertEqual(plain(invoice._late_payment_legal_mentions())[0], STATUTORY_EN.replace("12.15", "13.15"))
        self.company.write({"late_payment_interest_mode": "contractual", "late_payment_contractual_rate": 15.0})
        self.assertEqual(plain(invoice._late_payment_legal_mentions())[0],
                         "Late payment penalties, due from the day after the due date: 15 % a year.")
        # a French company's B2B invoice always states the rate and the EUR 40 (L441-9): with no interest
        # charged, or an indemnity of 0, or the setting off, the statutory mentions are printed
        statutory = [STATUTORY_EN.replace("12.15", "13.15"), INDEMNITY_EN, NO_DISCOUNT_EN]
        self.company.late_payment_interest_mode = "none"
        self.assertEqual(plain(invoice._late_payment_legal_mentions()), statutory)
        self.company.write({"late_payment_indemnity_amount": 0.0, "late_payment_invoice_mentions": False})
        self.assertEqual(plain(invoice._late_payment_legal_mentions()), statutory)
        # outside France the settings decide
        self.company.account_fiscal_country_id = self.env.ref("base.be")
        self.company.country_id = self.env.ref("base.be")
        self.assertEqual(invoice._late_payment_legal_mentions(), [])

    def test_foreign_currency_indemnity(self):
        gbp = self.setup_other_currency("GBP", rates=[("2025-01-01", 0.85)])
        invoice = self._create_invoice_one_line(
            price_unit=1000.0, tax_ids=[], invoice_date="2025-09-15", partner_id=self.partner_a,
            invoice_payment_term_id=self.term_30, currency_id=gbp.id, post=True)
        self.assertIn("40.00 €, converted into GBP at the exchange rate of the first day late",
                      plain(invoice._late_payment_legal_mentions())[1])

    def test_company_wording_per_language(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.company.late_payment_mention_no_discount = "No early-payment discount granted."
        self.company.with_context(lang="fr_FR").late_payment_mention_no_discount = "Aucun escompte accordé."
        self.company.late_payment_mention_indemnity = "Recovery costs: %(amount)s, 100 % due."
        invoice = self._invoice_with_term(self.term_30)
        mentions, _document = self._mentions(invoice)
        self.assertEqual(mentions[1:], ["Recovery costs: 40.00 €, 100 % due.", "No early-payment discount granted."])
        self.partner_a.lang = "fr_FR"
        mentions, _document = self._mentions(invoice)
        self.assertEqual(mentions[-1], "Aucun escompte accordé.")
        with self.assertRaisesRegex(ValidationError, r"%\(rate\)s"):
            self.company.late_payment_mention_indemnity = "Recovery costs at %(rate)s."

    def test_penalty_invoice_is_no_credit_note(self):
        refund = self._create_invoice_one_line(move_type="out_refund", price_unit=100.0, tax_ids=[],
                                               partner_id=self.partner_a, post=True)
        self.assertEqual(refund._late_payment_legal_mentions(), [])


@tagged("post_install", "-at_install")
class TestPaymentTermLegalMaximum(PenaltyCommon):
    """A payment term longer than French law allows between professionals is flagged."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.term_90 = cls.env.ref("account.account_payment_term_90days_on_the_10th")
        cls.term_45_eom = cls.env["account.payment.term"].create({
            "name": "45 days end of month",
            "line_ids": [Command.create({"value": "percent", "value_amount": 100.0, "nb_days": 45,
                                         "delay_type": "days_after_end_of_month"})],
        })

    def test_payment_term_form_warns(self):
        self.assertIn("longer than French law allows", self.term_90.late_payment_legal_warning)
        self.assertFalse(self.term_45_eom.late_payment_legal_warning)
        self.assertFalse(self.env.ref("account.account_payment_term_30days").late_payment_legal_warning)
        self.assertFalse(self.env.ref("account.account_payment_term_30_days_end_month_the_10")
                         .late_payment_legal_warning)
        # outside France, no French rule
        self.company.account_fiscal_country_id = self.env.ref("base.be")
        self.term_90.invalidate_recordset(["late_payment_legal_warning"])
        self.assertFalse(self.term_90.late_payment_legal_warning)

    def test_invoice_warns_for_french_professionals_only(self):
        invoice = self._create_invoice_one_line(
            price_unit=1000.0, tax_ids=[], invoice_date="2025-01-31", partner_id=self.partner_a,
            invoice_payment_term_id=self.term_90, post=False)
        self.assertIn("account_late_payment_term_warning", invoice.alerts)
        self.assertIn("130 days after the invoice date", invoice.alerts["account_late_payment_term_warning"]["message"])
        invoice.invoice_payment_term_id = self.term_45_eom
        self.assertFalse(invoice.late_payment_term_warning)
        self.assertNotIn("account_late_payment_term_warning", invoice.alerts or {})
        consumer = self.env["res.partner"].create({"name": "Julie Martin"})
        invoice.write({"partner_id": consumer.id, "invoice_payment_term_id": self.term_90.id})
        self.assertFalse(invoice.late_payment_term_warning)
        foreign = self.env["res.partner"].create({"name": "Brightwell Ltd", "is_company": True,
                                                  "country_id": self.env.ref("base.uk").id})
        invoice.write({"partner_id": foreign.id, "invoice_payment_term_id": self.term_90.id})
        self.assertFalse(invoice.late_payment_term_warning)

    def test_engine_due_dates_are_odoo_due_dates(self):
        """engine/payment_terms.py computes due dates as account.payment.term.line does."""
        cases = [("days_after", 30, "10"), ("days_after_end_of_month", 45, "10"),
                 ("days_after_end_of_next_month", 10, "10"), ("days_end_of_month_on_the", 90, "10"),
                 ("days_end_of_month_on_the", 30, "0"), ("days_end_of_month_on_the", 15, "31")]
        term = self.env["account.payment.term"].create({
            "name": "cases", "line_ids": [
                Command.create({"value": "percent", "value_amount": 0.0 if i else 100.0, "nb_days": days,
                                "delay_type": delay, "days_next_month": next_month})
                for i, (delay, days, next_month) in enumerate(cases)]})
        for offset in range(0, 731, 7):
            day = date(2023, 1, 1) + timedelta(days=offset)
            for line in term.line_ids:
                engine_line = payment_terms.TermLine(line.delay_type, line.nb_days, int(line.days_next_month))
                self.assertEqual(payment_terms.due_date(day, engine_line), line._get_due_date(day),
                                 (line.delay_type, line.nb_days, line.days_next_month, day))
