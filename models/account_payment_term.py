from odoo import api, fields, models

from ..engine import payment_terms


class AccountPaymentTerm(models.Model):
    _inherit = "account.payment.term"

    late_payment_legal_warning = fields.Char(
        string="Beyond the legal maximum", compute="_compute_late_payment_legal_warning",
        help="Set when, for some invoice dates, this term gives a due date later than French law allows between "
             "professionals (Code de commerce L441-10: 60 days after the invoice date, or 45 days end of month).")

    @api.depends("line_ids.delay_type", "line_ids.nb_days", "line_ids.days_next_month", "company_id")
    @api.depends_context("company")
    def _compute_late_payment_legal_warning(self):
        for term in self:
            company = term.company_id or self.env.company
            check = None
            if company._late_payment_is_french():
                check = payment_terms.check_term([
                    payment_terms.TermLine(line.delay_type or payment_terms.DAYS_AFTER, line.nb_days or 0,
                                           term._late_payment_days_next_month(line))
                    for line in term.line_ids])
            if check and check.excess_days:
                term.late_payment_legal_warning = self.env._(
                    "Up to %(days)s days from the invoice date: longer than French law allows between professionals "
                    "(60 days after the invoice date, or 45 days end of month), by up to %(excess)s days. Use it "
                    "only with consumers or customers abroad.",
                    days=check.longest_days, excess=check.excess_days)
            else:
                term.late_payment_legal_warning = False

    @api.model
    def _late_payment_days_next_month(self, line):
        # as account.payment.term.line._get_due_date reads it
        try:
            return int(line.days_next_month)
        except (TypeError, ValueError):
            return 1
