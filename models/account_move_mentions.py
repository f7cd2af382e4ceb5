"""The legal mentions printed on customer invoices (late interest rate, recovery indemnity, no
discount for early payment) and the legal maximum of payment terms (docs/legal.md).
"""

from decimal import Decimal

from odoo import api, fields, models
from odoo.tools import format_date, formatLang

from ..engine import identifiers, mentions, payment_terms


class AccountMove(models.Model):
    _inherit = "account.move"

    # -- legal mentions and the legal maximum of payment terms ------------------------------------
    def _late_payment_legal_mentions(self):
        """The legal mentions printed on this customer invoice (Code de commerce L441-9), as
        texts in the language of the environment: see engine/mentions.py for which."""
        self.ensure_one()
        company = self.company_id
        # a French company prints them whatever the setting: they are mandatory (L441-9)
        french = company._late_payment_is_french()
        if self.move_type != "out_invoice" or not (company.late_payment_invoice_mentions or french):
            return []
        partner = self.commercial_partner_id.with_company(company)
        professional = identifiers.is_professional(partner.is_company, partner.vat, partner.company_registry)
        public = professional and french and partner.late_payment_public_buyer
        if not professional:
            schedule = company._late_payment_consumer_schedule()
        elif public:
            schedule = company._late_payment_public_schedule()
        else:
            schedule = company._late_payment_rate_schedule()
        day = self.invoice_date or fields.Date.context_today(self)
        term = self.invoice_payment_term_id
        discount = None
        if term.early_discount:
            discount = mentions.EarlyDiscount(Decimal(str(term.discount_percentage)), term.discount_days,
                                              term._get_last_discount_date(day))
        # Odoo prints its own discount line in this case (account.report_invoice_document)
        discount_printed = bool(
            term.early_discount and term.display_on_invoice and self.show_payment_term_details
            and self.invoice_date and self._is_eligible_for_early_payment_discount(self.currency_id, self.invoice_date))
        found = mentions.invoice_mentions(
            professional=professional, day=day, schedule=schedule,
            indemnity_eur=company.late_payment_indemnity_amount,
            interest_consumers=company.late_payment_interest_consumers,
            discount=discount, discount_printed=discount_printed,
            french=french, public=public, penalty=self.late_payment_is_penalty)
        wordings = company._late_payment_mention_wordings()
        return [company._late_payment_fill_wording(wordings[mention.key], self._late_payment_mention_values(mention))
                for mention in found]

    def _late_payment_mention_values(self, mention):
        """The values of a mention formatted for the language of the environment."""
        env = self.env
        values = {}
        for name, value in mention.values.items():
            if name in ("rate", "reference", "margin", "percentage"):
                # 12.15, 10 (no decimals for a whole number of points)
                values[name] = formatLang(env, float(value), digits=0 if value == int(value) else 2)
            elif name == "amount":
                eur = env.ref("base.EUR")
                values[name] = formatLang(env, float(value), currency_obj=eur)
                if self.currency_id != eur:
                    values[name] = env._("%(amount)s, converted into %(currency)s at the exchange rate of the first "
                                         "day late", amount=values[name], currency=self.currency_id.name)
            elif name == "deadline":
                values["date"] = format_date(env, value) if value else ""
            else:
                values[name] = value
        return values

    @api.depends("move_type", "invoice_date", "line_ids.date_maturity", "commercial_partner_id",
                 "commercial_partner_id.is_company", "commercial_partner_id.vat",
                 "commercial_partner_id.company_registry", "commercial_partner_id.country_id", "company_id",
                 "commercial_partner_id.late_payment_public_buyer",
                 "commercial_partner_id.late_payment_public_payment_days")
    def _compute_late_payment_term_warning(self):
        for move in self:
            move.late_payment_term_warning = move._late_payment_term_excess_message()

    def _late_payment_term_excess_message(self):
        """The warning when a due date of this invoice to a French professional customer passes
        the legal maximum, else False."""
        self.ensure_one()
        company = self.company_id
        partner = self.commercial_partner_id
        if self.move_type != "out_invoice" or not company or not partner or not company._late_payment_is_french():
            return False
        if partner.country_id and partner.country_id.code != "FR":
            return False
        if not identifiers.is_professional(partner.is_company, partner.vat, partner.company_registry):
            return False
        invoice_date = self.invoice_date or fields.Date.context_today(self)
        dues = [d for d in self.line_ids.filtered(lambda line: line.display_type == "payment_term").mapped(
            "date_maturity") if d]
        if partner.late_payment_public_buyer and dues:
            return self._late_payment_public_term_message(invoice_date, max(dues))
        excess = payment_terms.exceeds_legal_maximum(invoice_date, dues)
        if not excess:
            return False
        return self.env._(
            "The due date is %(days)s days after the invoice date, later than French law allows between "
            "professionals (60 days after the invoice date, or 45 days end of month, here %(deadline)s): "
            "the delay may be fined.",
            days=(max(dues) - invoice_date).days,
            deadline=format_date(self.env, payment_terms.legal_deadline(invoice_date)))

    def _late_payment_public_term_message(self, invoice_date, due):
        """The warning when the due date given to a public buyer passes its legal payment delay
        (public procurement code: 30, 50 or 60 days), else False."""
        partner = self.commercial_partner_id
        days = int(partner.late_payment_public_payment_days or 30)
        if (due - invoice_date).days <= days:
            return False
        return self.env._(
            "The due date is %(days)s days after the invoice date: %(customer)s is a public buyer, whose legal "
            "payment delay is %(delay)s days (public procurement code); late interest runs from then.",
            days=(due - invoice_date).days, customer=partner.name, delay=days)
