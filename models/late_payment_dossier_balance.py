from collections import defaultdict

from odoo import api, fields, models

from ..engine import receivables


class LatePaymentDossier(models.Model):
    """What a customer owes and how old it is, computed once for every screen: the follow-up
    console (the dossier's stored figures, written by the refresh from the same state), the
    dashboard, the receivables analysis and the API. The rules are in engine/receivables.py."""

    _inherit = "late.payment.dossier"

    @api.model
    def _evaluate(self, company, partners=None, day=None):
        """{commercial partner id: (dossier values, engine state)} of `partners` (every customer
        with open receivables in `company` when None) evaluated on `day` (today when None), with
        the rules of the refresh on the lines open now; written nowhere. Set-based: the lines of
        every customer in one query, the policies, pauses and reminders in a few more. The
        callers check the access to what they show."""
        dossier_model = self.sudo()
        company = company.sudo()
        day = day or fields.Date.context_today(self)
        if partners is not None:
            partners = partners.sudo().commercial_partner_id
            if not partners:
                return {}
        rows = dossier_model._fetch_lines(company, partners)
        by_partner = defaultdict(list)
        for row in rows:
            by_partner[row["partner_id"]].append(row)
        if partners is None:
            partners = self.env["res.partner"].sudo().browse(sorted(by_partner))
        customers = partners.with_company(company)
        setup = dossier_model._setup(company, customers, rows)
        return {
            customer.id: dossier_model._state_vals(customer, by_partner.get(customer.id, []), setup, day)
            for customer in customers
        }

    @api.model
    def _balances(self, company, partners=None, day=None):
        """{commercial partner id: engine receivables.Balance} of `partners` (every customer with
        open receivables when None) in `company` on `day`: amount due, amount overdue, left out,
        the credit left over and the aged buckets, in the company currency, the console's
        figures."""
        return {
            partner_id: receivables.balance(state)
            for partner_id, (_vals, state) in self._evaluate(company, partners, day).items()
        }
