from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.fields import Domain

from .late_payment_dossier import RELATIONSHIPS, STATUSES

DOSSIER_GROUP = "account_late_payment.group_late_payment_user"


class ResPartner(models.Model):
    _inherit = "res.partner"

    late_payment_policy_id = fields.Many2one(
        "late.payment.policy", string="Follow-up policy", company_dependent=True,
        domain="[('company_id', '=', current_company_id)]",
        help="The follow-up policy of this customer in the current company; empty: the policy of its "
             "risk class, else the company's default policy.")
    late_payment_relationship = fields.Selection(
        RELATIONSHIPS, string="Relationship", company_dependent=True,
        help="Shifts the tone of the reminders: softer for a long-standing, reliable customer, firmer "
             "for a customer followed strictly (steps set on the policy). Empty: standard.")
    late_payment_dossier_ids = fields.One2many("late.payment.dossier", "partner_id", string="Follow-up dossiers")
    # the current company's dossier of the commercial partner
    late_payment_dossier_id = fields.Many2one(
        "late.payment.dossier", string="Follow-up dossier", compute="_compute_late_payment_dossier",
        groups=DOSSIER_GROUP)
    late_payment_currency_id = fields.Many2one(
        "res.currency", string="Follow-up currency", compute="_compute_late_payment_dossier", groups=DOSSIER_GROUP)
    late_payment_status = fields.Selection(
        STATUSES, string="Follow-up status", compute="_compute_late_payment_dossier",
        search="_search_late_payment_status", groups=DOSSIER_GROUP)
    late_payment_amount_due = fields.Monetary(
        string="Amount due", currency_field="late_payment_currency_id", compute="_compute_late_payment_dossier",
        search="_search_late_payment_amount_due", groups=DOSSIER_GROUP)
    late_payment_amount_overdue = fields.Monetary(
        string="Amount overdue", currency_field="late_payment_currency_id", compute="_compute_late_payment_dossier",
        search="_search_late_payment_amount_overdue", groups=DOSSIER_GROUP)
    late_payment_amount_excluded = fields.Monetary(
        string="Left out of the follow-up", currency_field="late_payment_currency_id",
        compute="_compute_late_payment_dossier", search="_search_late_payment_amount_excluded",
        groups=DOSSIER_GROUP)
    late_payment_oldest_overdue_days = fields.Integer(
        string="Days overdue", compute="_compute_late_payment_dossier",
        search="_search_late_payment_oldest_overdue_days", groups=DOSSIER_GROUP)
    late_payment_level_id = fields.Many2one(
        "late.payment.level", string="Last follow-up level", compute="_compute_late_payment_dossier",
        search="_search_late_payment_level_id", groups=DOSSIER_GROUP)
    late_payment_level_date = fields.Date(
        string="Last level reached on", compute="_compute_late_payment_dossier", groups=DOSSIER_GROUP)
    late_payment_next_level_id = fields.Many2one(
        "late.payment.level", string="Next follow-up level", compute="_compute_late_payment_dossier",
        groups=DOSSIER_GROUP)
    late_payment_next_action_date = fields.Date(
        string="Next follow-up action", compute="_compute_late_payment_dossier",
        search="_search_late_payment_next_action_date", groups=DOSSIER_GROUP)
    late_payment_user_id = fields.Many2one(
        "res.users", string="Follow-up responsible", compute="_compute_late_payment_dossier",
        search="_search_late_payment_user_id", groups=DOSSIER_GROUP)

    late_payment_waive_penalties = fields.Boolean(
        string="Waive late-payment penalties", company_dependent=True,
        help="No late interest and no recovery indemnity for this customer, in this company.")
    late_payment_interest = fields.Monetary(
        string="Late interest to date", compute="_compute_late_payment_penalties", currency_field="currency_id",
        help="Late interest accrued to today on the customer's overdue invoices, in the company currency.")
    late_payment_indemnity = fields.Monetary(
        string="Recovery indemnities", compute="_compute_late_payment_penalties", currency_field="currency_id",
        help="The fixed recovery indemnities of the customer's overdue invoices, in the company currency.")

    # the customer's own measures in the current company (late.payment.dashboard)
    late_payment_dso = fields.Float(
        string="DSO (12 months)", compute="_compute_late_payment_measures", digits=(16, 1), groups=DOSSIER_GROUP,
        help="Days sales outstanding: what the customer owes / its invoices of the last 12 months x 365.")
    late_payment_days_beyond_terms = fields.Float(
        string="Average days beyond terms", compute="_compute_late_payment_measures", digits=(16, 1),
        groups=DOSSIER_GROUP, help="Of the invoices paid in the last 12 months, weighted by amount.")
    late_payment_share_paid_late = fields.Float(
        string="Paid late, 12 months (%)", compute="_compute_late_payment_measures", digits=(16, 1),
        groups=DOSSIER_GROUP, help="Share of the invoices paid in the last 12 months that were paid late.")
    late_payment_aged_not_due = fields.Monetary(
        string="Not due", compute="_compute_late_payment_measures", currency_field="late_payment_currency_id",
        groups=DOSSIER_GROUP)
    late_payment_aged_1_30 = fields.Monetary(
        string="1-30 days", compute="_compute_late_payment_measures", currency_field="late_payment_currency_id",
        groups=DOSSIER_GROUP)
    late_payment_aged_31_60 = fields.Monetary(
        string="31-60 days", compute="_compute_late_payment_measures", currency_field="late_payment_currency_id",
        groups=DOSSIER_GROUP)
    late_payment_aged_61_90 = fields.Monetary(
        string="61-90 days", compute="_compute_late_payment_measures", currency_field="late_payment_currency_id",
        groups=DOSSIER_GROUP)
    late_payment_aged_over_90 = fields.Monetary(
        string="Over 90 days", compute="_compute_late_payment_measures", currency_field="late_payment_currency_id",
        groups=DOSSIER_GROUP)

    @api.depends_context("company")
    def _compute_late_payment_measures(self):
        partners = self.filtered("id").commercial_partner_id
        figures = {}
        if partners:
            figures = self.env["late.payment.dashboard"]._late_payment_partner_figures(
                partners, self.env.company, fields.Date.context_today(self))
        for partner in self:
            mine = figures.get(partner.commercial_partner_id.id) if partner.id else None
            mine = mine or {}
            partner.late_payment_dso = mine.get("dso") or 0.0
            partner.late_payment_days_beyond_terms = mine.get("average_days_beyond_terms") or 0.0
            partner.late_payment_share_paid_late = (mine.get("share_paid_late") or 0.0) * 100.0
            partner.late_payment_aged_not_due = mine.get("not_due") or 0.0
            partner.late_payment_aged_1_30 = mine.get("days_1_30") or 0.0
            partner.late_payment_aged_31_60 = mine.get("days_31_60") or 0.0
            partner.late_payment_aged_61_90 = mine.get("days_61_90") or 0.0
            partner.late_payment_aged_over_90 = mine.get("days_over_90") or 0.0

    late_payment_reminder_count = fields.Integer(
        string="Reminders", compute="_compute_late_payment_reminder_count", groups=DOSSIER_GROUP,
        help="The payment reminders sent to this customer by the current company.")

    @api.depends_context("company")
    def _compute_late_payment_reminder_count(self):
        commercial = self.filtered("id").commercial_partner_id
        counts = dict(self.env["late.payment.reminder"]._read_group(
            [("partner_id", "in", commercial.ids), ("company_id", "=", self.env.company.id)],
            ["partner_id"], ["__count"])) if commercial else {}
        for partner in self:
            partner.late_payment_reminder_count = counts.get(partner.commercial_partner_id, 0) if partner.id else 0

    def action_late_payment_open_reminders(self):
        """The payment reminders sent to this customer by the current company."""
        self.ensure_one()
        partner = self.commercial_partner_id
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Reminders to %(customer)s", customer=partner.display_name),
            "res_model": "late.payment.reminder",
            "view_mode": "list,form",
            "domain": [("partner_id", "=", partner.id), ("company_id", "=", self.env.company.id)],
            "context": {"create": False},
        }

    @api.depends_context("company")
    @api.depends("commercial_partner_id")
    def _compute_late_payment_dossier(self):
        company = self.env.company
        dossiers = self.env["late.payment.dossier"].sudo().search([
            ("partner_id", "in", self.commercial_partner_id.ids), ("company_id", "=", company.id),
        ])
        by_partner = {dossier.partner_id.id: dossier for dossier in dossiers}
        for partner in self:
            dossier = by_partner.get(partner.commercial_partner_id.id, dossiers.browse())
            partner.late_payment_dossier_id = dossier
            partner.late_payment_currency_id = company.currency_id
            partner.late_payment_status = dossier.status or "none"
            partner.late_payment_amount_due = dossier.amount_due
            partner.late_payment_amount_overdue = dossier.amount_overdue
            partner.late_payment_amount_excluded = dossier.amount_excluded
            partner.late_payment_oldest_overdue_days = dossier.oldest_overdue_days
            partner.late_payment_level_id = dossier.level_id
            partner.late_payment_level_date = dossier.level_date
            partner.late_payment_next_level_id = dossier.next_level_id
            partner.late_payment_next_action_date = dossier.next_action_date
            partner.late_payment_user_id = dossier.user_id

    def _late_payment_search_dossier(self, fname, operator, value):
        """Customers whose dossier in the current company matches (fname operator value)."""
        return [("late_payment_dossier_ids", "any", [
            ("company_id", "=", self.env.company.id), (fname, operator, value),
        ])]

    def _search_late_payment_status(self, operator, value):
        return self._late_payment_search_dossier("status", operator, value)

    def _search_late_payment_amount_due(self, operator, value):
        return self._late_payment_search_dossier("amount_due", operator, value)

    def _search_late_payment_amount_overdue(self, operator, value):
        return self._late_payment_search_dossier("amount_overdue", operator, value)

    def _search_late_payment_amount_excluded(self, operator, value):
        return self._late_payment_search_dossier("amount_excluded", operator, value)

    def _search_late_payment_oldest_overdue_days(self, operator, value):
        return self._late_payment_search_dossier("oldest_overdue_days", operator, value)

    def _search_late_payment_level_id(self, operator, value):
        return self._late_payment_search_dossier("level_id", operator, value)

    def _search_late_payment_next_action_date(self, operator, value):
        return self._late_payment_search_dossier("next_action_date", operator, value)

    def _search_late_payment_user_id(self, operator, value):
        return self._late_payment_search_dossier("user_id", operator, value)

    @api.constrains("late_payment_policy_id")
    def _check_late_payment_policy_company(self):
        company = self.env.company
        for partner in self:
            policy = partner.late_payment_policy_id
            if policy and policy.company_id != company:
                raise ValidationError(self.env._(
                    "The follow-up policy \u201c%(policy)s\u201d belongs to %(policy_company)s: it cannot be the "
                    "policy of %(partner)s in %(company)s.",
                    policy=policy.name, policy_company=policy.company_id.name, partner=partner.display_name,
                    company=company.name))

    def write(self, vals):
        result = super().write(vals)
        if {"late_payment_policy_id", "late_payment_relationship"} & set(vals):
            dossiers = self.env["late.payment.dossier"]
            dossiers.invalidate_model(["relationship", "partner_policy_id"])
            dossiers._late_payment_mark_partners_dirty(self, self.env.company)
        return result

    def action_late_payment_open_dossier(self):
        """The customer's follow-up dossier in the current company (made when it has none)."""
        self.ensure_one()
        partner = self.commercial_partner_id
        dossier_model = self.env["late.payment.dossier"]
        dossier = dossier_model.search([("partner_id", "=", partner.id), ("company_id", "=", self.env.company.id)])
        if not dossier:
            dossier_model._late_payment_refresh(partners=partner, company=self.env.company)
            dossier = dossier_model.search([("partner_id", "=", partner.id), ("company_id", "=", self.env.company.id)])
        if not dossier:
            dossier = dossier_model.sudo().create({"partner_id": partner.id, "company_id": self.env.company.id})
        return {
            "type": "ir.actions.act_window",
            "res_model": "late.payment.dossier",
            "res_id": dossier.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "name": self.env._("Follow-up"),
        }

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
