from collections import defaultdict

from odoo import api, fields, models
from odoo.fields import Domain


class ResPartner(models.Model):
    _inherit = "res.partner"

    late_payment_waive_penalties = fields.Boolean(
        string="Waive late-payment penalties", company_dependent=True,
        help="No late interest and no recovery indemnity for this customer, in this company.")
    late_payment_interest = fields.Monetary(
        string="Late interest to date", compute="_compute_late_payment_penalties", currency_field="currency_id",
        help="Late interest accrued to today on the customer's overdue invoices, in the company currency.")
    late_payment_indemnity = fields.Monetary(
        string="Recovery indemnities", compute="_compute_late_payment_penalties", currency_field="currency_id",
        help="The fixed recovery indemnities of the customer's overdue invoices, in the company currency.")

    @api.depends_context("company")
    def _compute_late_payment_penalties(self):
        company = self.env.company
        today = fields.Date.context_today(self)
        commercial = self.filtered("id").commercial_partner_id
        totals = defaultdict(lambda: [0.0, 0.0])
        if commercial:
            # the invoices with an instalment due and still unpaid: the overdue ones
            overdue = self.env["account.move.line"].search_fetch(
                Domain("company_id", "=", company.id) & Domain("parent_state", "=", "posted")
                & Domain("move_id.move_type", "in", ("out_invoice", "out_receipt"))
                & Domain("move_id.commercial_partner_id", "in", commercial.ids)
                & Domain("display_type", "=", "payment_term") & Domain("reconciled", "=", False)
                & Domain("amount_residual_currency", ">", 0) & Domain("date_maturity", "<", today),
                ["move_id"])
            moves = overdue.move_id
            results = moves._late_payment_compute(today)
            for move in moves:
                result = results[move.id]
                rate_currency = move.currency_id
                for index, key in enumerate(("interest", "indemnity")):
                    amount = result[key]
                    if rate_currency != company.currency_id:
                        amount = rate_currency._convert(amount, company.currency_id, company, today)
                    totals[move.commercial_partner_id.id][index] += amount
        for partner in self:
            interest, indemnity = totals[partner.commercial_partner_id.id] if partner.id else (0.0, 0.0)
            partner.late_payment_interest = interest
            partner.late_payment_indemnity = indemnity
