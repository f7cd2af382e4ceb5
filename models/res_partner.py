import logging
import time
from collections import defaultdict
from datetime import timedelta

import requests

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.fields import Domain
from odoo.tools import SQL

from ..engine import identifiers, siren_lookup
from .access import check_group, check_records
from .lang import format_day, format_number
from .late_payment_dossier import COLLECTION_STATES, RELATIONSHIPS, STATUSES

_logger = logging.getLogger(__name__)

# the company status lookup (API Recherche d'entreprises, BODACC): see _late_payment_check_company_status
STATUS_TIMEOUT = 10  # seconds
STATUS_USER_AGENT = "Odoo account_late_payment/19.0 (company status lookup)"
# seconds between two calls to a service: the company search allows 7 a second per address
STATUS_INTERVALS = {"company_search": 1 / 6, "bodacc": 1 / 5}
STATUS_RETRY_AFTER_MAX = 30  # seconds: a longer Retry-After is not waited for
# the time of the last call to each service, shared by every worker of the database
STATUS_LAST_CALL_KEY = "account_late_payment.status_last_call.%s"
LEGAL_STATES = [
    ("active", "Active"),
    ("ceased", "Ceased"),
    ("not_found", "Not found"),
]
PROCEEDINGS_STATES = [
    ("none", "None"),
    ("open", "Open"),
    ("closed", "Closed"),
]
PROCEDURES = [
    ("sauvegarde", "Safeguard (sauvegarde)"),
    ("redressement", "Receivership (redressement judiciaire)"),
    ("liquidation", "Liquidation (liquidation judiciaire)"),
]

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
    late_payment_followup_status = fields.Selection(
        STATUSES, string="Follow-up status", compute="_compute_late_payment_dossier",
        search="_search_late_payment_followup_status", groups=DOSSIER_GROUP)
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

    late_payment_promise_id = fields.Many2one(
        "late.payment.promise", string="Promise to pay", compute="_compute_late_payment_settlement",
        groups=DOSSIER_GROUP, help="The customer's open promise to pay in the current company.")
    late_payment_plan_id = fields.Many2one(
        "late.payment.plan", string="Payment plan", compute="_compute_late_payment_settlement",
        groups=DOSSIER_GROUP, help="The customer's running payment plan in the current company.")
    late_payment_dispute_count = fields.Integer(
        string="Disputed invoices", compute="_compute_late_payment_settlement", groups=DOSSIER_GROUP)
    late_payment_collection_state = fields.Selection(
        COLLECTION_STATES, string="Collection",
        compute="_compute_late_payment_settlement", groups=DOSSIER_GROUP)

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

    def _late_payment_check_user(self, operation="read"):
        """The caller is a late payment user who may `operation` these contacts in its companies:
        what every button and RPC call of the follow-up on contacts checks before any sudo."""
        check_group(self.env, "account_late_payment.group_late_payment_user",
                    self.env._("Only the late payment users may work the follow-up."))
        check_records(self, operation)

    def action_late_payment_open_reminders(self):
        """The payment reminders sent to this customer by the current company."""
        self.ensure_one()
        self._late_payment_check_user()
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
            partner.late_payment_followup_status = dossier.status or "none"
            partner.late_payment_amount_due = dossier.amount_due
            partner.late_payment_amount_overdue = dossier.amount_overdue
            partner.late_payment_amount_excluded = dossier.amount_excluded
            partner.late_payment_oldest_overdue_days = dossier.oldest_overdue_days
            partner.late_payment_level_id = dossier.level_id
            partner.late_payment_level_date = dossier.level_date
            partner.late_payment_next_level_id = dossier.next_level_id
            partner.late_payment_next_action_date = dossier.next_action_date
            partner.late_payment_user_id = dossier.user_id

    @api.depends_context("company")
    @api.depends("commercial_partner_id")
    def _compute_late_payment_settlement(self):
        for partner in self:
            dossier = partner.late_payment_dossier_id
            partner.late_payment_promise_id = dossier.open_promise_id
            partner.late_payment_plan_id = dossier.running_plan_id
            partner.late_payment_dispute_count = dossier.open_dispute_count
            partner.late_payment_collection_state = dossier.collection_state

    # -- settlement (the one way in: screens and API) ----------------------------------------
    def late_payment_promise(self, date, amount, invoice_ids=None, note=None):
        """Record the promise of this customer (its commercial partner) to pay `amount` by
        `date` (ISO string or date) for `invoice_ids` (default: its overdue invoices) in the
        current company; returns the id of the promise. The reminders of its invoices pause until
        that date."""
        api_model = self.env["late.payment.api"]
        api_model._late_payment_check_caller()
        api_model._late_payment_check_records(self)
        if len(self) != 1:
            raise UserError(self.env._("A promise to pay is made by one customer."))
        return self.env["late.payment.promise"]._late_payment_record(self, date, amount, invoice_ids, note).id

    def action_late_payment_promise(self):
        self.ensure_one()
        self._late_payment_check_user()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Promise to pay"),
            "res_model": "late.payment.promise.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_partner_id": self.commercial_partner_id.id},
        }

    def action_late_payment_plan(self):
        self.ensure_one()
        self._late_payment_check_user()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Payment plan"),
            "res_model": "late.payment.plan.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_partner_id": self.commercial_partner_id.id},
        }

    def _late_payment_search_dossier(self, fname, operator, value):
        """Customers whose dossier in the current company matches (fname operator value)."""
        return [("late_payment_dossier_ids", "any", [
            ("company_id", "=", self.env.company.id), (fname, operator, value),
        ])]

    def _search_late_payment_followup_status(self, operator, value):
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

    @api.model_create_multi
    def create(self, vals_list):
        if any(vals.get("late_payment_waive_penalties") for vals in vals_list):
            self._late_payment_check_waive()
        return super().create(vals_list)

    def _late_payment_check_waive(self):
        check_group(self.env, "account_late_payment.group_late_payment_admin", self.env._(
            "Only a Late payments Administrator may waive or restore a customer's late-payment penalties."))

    def write(self, vals):
        if "late_payment_waive_penalties" in vals:
            self._late_payment_check_waive()
        result = super().write(vals)
        if {"late_payment_policy_id", "late_payment_relationship"} & set(vals):
            dossiers = self.env["late.payment.dossier"]
            dossiers.invalidate_model(["relationship", "partner_policy_id"])
            dossiers._late_payment_mark_partners_dirty(self, self.env.company)
        return result

    def action_late_payment_open_dossier(self):
        """The customer's follow-up dossier in the current company (made when it has none)."""
        self.ensure_one()
        self._late_payment_check_user()
        partner = self.commercial_partner_id
        dossier_model = self.env["late.payment.dossier"]
        dossier = dossier_model.search([("partner_id", "=", partner.id), ("company_id", "=", self.env.company.id)])
        if not dossier:
            dossier_model._late_payment_refresh(partners=partner, company=self.env.company)
            dossier = dossier_model.search([("partner_id", "=", partner.id), ("company_id", "=", self.env.company.id)])
        if not dossier:
            # sudo (access checked above): the dossier of a customer the caller sees, in its company
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

    # -- customer risk (per company) -------------------------------------------------------------
    # written by late.payment.dossier._late_payment_compute_risk for lists, filters and group-by
    late_payment_risk_score = fields.Float(
        string="Risk score", company_dependent=True, digits=(5, 1), readonly=True, groups=DOSSIER_GROUP,
        help="0 (best) to 100 (worst): the payment behaviour of the last 12 months in the current company.")
    late_payment_risk_class_id = fields.Many2one(
        "late.payment.risk.class", string="Risk class", company_dependent=True, readonly=True, groups=DOSSIER_GROUP)
    late_payment_risk_no_history = fields.Boolean(
        string="No payment history", company_dependent=True, readonly=True, groups=DOSSIER_GROUP,
        help="Too few invoices settled in 12 months to judge: the neutral score.")
    late_payment_risk_date = fields.Date(
        string="Risk computed on", compute="_compute_late_payment_risk", groups=DOSSIER_GROUP)
    late_payment_risk_factor_ids = fields.Many2many(
        "late.payment.risk.factor", string="Risk factors", compute="_compute_late_payment_risk", groups=DOSSIER_GROUP)
    late_payment_risk_deposit_percent = fields.Float(
        string="Recommended deposit (%)", compute="_compute_late_payment_risk", groups=DOSSIER_GROUP)
    late_payment_risk_payment_term_id = fields.Many2one(
        "account.payment.term", string="Recommended payment term", compute="_compute_late_payment_risk",
        groups=DOSSIER_GROUP)
    late_payment_risk_warn = fields.Boolean(
        string="Risk warning", compute="_compute_late_payment_risk", groups=DOSSIER_GROUP)
    late_payment_risk_warning = fields.Char(
        string="Risk warning text", compute="_compute_late_payment_risk", groups=DOSSIER_GROUP)

    @api.depends_context("company")
    @api.depends("commercial_partner_id")
    def _compute_late_payment_risk(self):
        for partner in self:
            dossier = partner.sudo().late_payment_dossier_id
            risk_class = partner.commercial_partner_id.sudo().late_payment_risk_class_id
            partner.late_payment_risk_date = dossier.risk_date
            partner.late_payment_risk_factor_ids = dossier.risk_factor_ids
            partner.late_payment_risk_deposit_percent = risk_class.deposit_percent
            partner.late_payment_risk_payment_term_id = risk_class.payment_term_id
            partner.late_payment_risk_warn = risk_class.warn or risk_class.block
            partner.late_payment_risk_warning = partner._late_payment_risk_warning() \
                if partner.late_payment_risk_warn else False

    def _late_payment_risk_warning(self):
        """What to tell about the risk of this customer in the current company: its class and
        score, the deposit and payment term recommended, whether its invoices are refused."""
        self.ensure_one()
        partner = self.commercial_partner_id.sudo()
        risk_class = partner.late_payment_risk_class_id
        message = self.env._(
            "Customer risk: %(customer)s is in the risk class %(risk_class)s (score %(score)s out of 100).",
            customer=partner.name, risk_class=risk_class.name,
            score=format_number(self.env, partner.late_payment_risk_score, 1))
        advice = []
        if risk_class.deposit_percent:
            advice.append(self.env._("a deposit of %(percent)s %%",
                                     percent=format_number(self.env, risk_class.deposit_percent)))
        if risk_class.payment_term_id:
            advice.append(self.env._("the payment term %(term)s", term=risk_class.payment_term_id.name))
        if advice:
            message += " " + self.env._("Recommended: %(advice)s.", advice=self.env._(" and ").join(advice))
        if risk_class.block:
            message += " " + self.env._(
                "Its invoices are refused: only a Late payments Administrator can post them.")
        return message

    def action_late_payment_compute_risk(self):
        """Recompute the follow-up state and the risk score of these customers now, in the
        current company (no commit: the nightly action does the others)."""
        self._late_payment_check_user()
        check_records(self.env["late.payment.dossier"], "write")
        partners = self.commercial_partner_id
        company = self.env.company
        dossiers = self.env["late.payment.dossier"]
        dossiers._late_payment_refresh(partners=partners, company=company, ensure=True)
        dossiers._late_payment_compute_risk(company, partners=partners)
        return True

    def action_late_payment_statement(self):
        """Print the statement of account of these customers in the current company."""
        self._late_payment_check_user()
        dossiers = self.env["late.payment.dossier"]._late_payment_refresh(
            partners=self.commercial_partner_id, company=self.env.company, ensure=True)
        return dossiers.action_print_statement()

    # -- company status (France): legal status and collective proceedings ------------------------
    # facts about the company, the same in every company of the database; kept on the commercial
    # partner
    late_payment_legal_state = fields.Selection(
        LEGAL_STATES, string="Legal status", readonly=True, copy=False,
        help="From the French company register (API Recherche d'entreprises): active or ceased.")
    late_payment_legal_name = fields.Char(string="Registered name", readonly=True, copy=False)
    late_payment_legal_ceased_on = fields.Date(string="Ceased on", readonly=True, copy=False)
    late_payment_legal_checked_on = fields.Datetime(string="Legal status checked on", readonly=True, copy=False)
    late_payment_proceedings_state = fields.Selection(
        PROCEEDINGS_STATES, string="Collective proceedings", readonly=True, copy=False, index="btree_not_null",
        help="From the BODACC notices: safeguard, receivership or liquidation opened and not closed. A customer in "
             "open proceedings gets no reminders: declare your claims to the court-appointed representative.")
    late_payment_proceedings_procedure = fields.Selection(
        PROCEDURES, string="Procedure", readonly=True, copy=False)
    late_payment_proceedings_opened_on = fields.Date(string="Opened on", readonly=True, copy=False)
    late_payment_proceedings_since = fields.Date(
        string="Procedure since", readonly=True, copy=False, help="The judgment that opened or converted to it.")
    late_payment_proceedings_plan_on = fields.Date(string="Plan adopted on", readonly=True, copy=False)
    late_payment_proceedings_closed_on = fields.Date(string="Closed on", readonly=True, copy=False)
    late_payment_proceedings_tribunal = fields.Char(string="Court", readonly=True, copy=False)
    late_payment_proceedings_review = fields.Boolean(
        string="Notices to review", readonly=True, copy=False,
        help="Some BODACC notices could not be read with certainty: read them (see the summary).")
    late_payment_proceedings_checked_on = fields.Datetime(
        string="Proceedings checked on", readonly=True, copy=False)
    late_payment_status_checked_on = fields.Datetime(
        string="Company status checked on", readonly=True, copy=False,
        help="The last time the company status was looked up (it is not looked up again for some days).")
    late_payment_legal_summary = fields.Text(string="What the company register said", readonly=True, copy=False)
    late_payment_proceedings_summary = fields.Text(string="What BODACC said", readonly=True, copy=False)
    late_payment_status_error = fields.Char(
        string="Last lookup problem", readonly=True, copy=False,
        help="A service that did not answer: the status it gave before is kept.")

    # -- the legal regime of the customer's penalties (see engine/interest.py) --------------------
    late_payment_proceedings_date = fields.Date(
        string="Opening judgment", compute="_compute_late_payment_proceedings_date", store=True, readonly=False,
        copy=False,
        help="The day of the judgment that opened collective proceedings (safeguard, receivership, liquidation) "
             "against this customer: set from BODACC, or by hand. The late interest of the invoices dated before "
             "it stops the day before it, no recovery indemnity is owed for those due on or after it, and their "
             "penalties are declared to the court-appointed representative, not invoiced.")
    late_payment_legal_category = fields.Char(
        string="Legal category", readonly=True, copy=False,
        help="The legal category (catégorie juridique) of the company in the French company register; 7xxx: a "
             "public-law body.")
    late_payment_public_buyer = fields.Boolean(
        string="Public buyer", compute="_compute_late_payment_public_buyer", store=True, readonly=False, copy=False,
        help="A public-sector customer (State, local authority, public hospital or establishment): its late "
             "payments follow the public procurement code (ECB rate of the half-year the interest starts + 8 "
             "points, fixed for the whole delay, and the EUR 40 indemnity). Set from the legal category (7xxx) "
             "when the company register is looked up; can be set by hand.")
    late_payment_public_payment_days = fields.Selection(
        [("30", "30 days (State, local authorities)"), ("50", "50 days (public hospitals)"),
         ("60", "60 days (some public companies)")],
        string="Legal payment delay", default="30",
        help="The payment delay the public procurement code gives this public buyer; a longer payment term on "
             "its invoices is warned about.")

    @api.depends("late_payment_proceedings_opened_on", "late_payment_proceedings_state")
    def _compute_late_payment_proceedings_date(self):
        for partner in self:
            if partner.late_payment_proceedings_state in ("open", "closed"):
                partner.late_payment_proceedings_date = partner.late_payment_proceedings_opened_on
            elif partner.late_payment_proceedings_state == "none":
                partner.late_payment_proceedings_date = False
            else:  # never looked up: what was entered by hand stays
                partner.late_payment_proceedings_date = partner.late_payment_proceedings_date

    @api.depends("late_payment_legal_category")
    def _compute_late_payment_public_buyer(self):
        for partner in self:
            if partner.late_payment_legal_category:
                partner.late_payment_public_buyer = siren_lookup.is_public_body(partner.late_payment_legal_category)
            else:  # not looked up: what was entered by hand stays
                partner.late_payment_public_buyer = partner.late_payment_public_buyer

    def _late_payment_siren(self):
        """The SIREN of this customer (from its company registry number, SIREN or SIRET, else its
        French VAT number), or None; only for French customers (or without a country)."""
        self.ensure_one()
        country = self.country_id.code
        vat = identifiers.normalize(self.vat)
        if country and country != "FR" and not vat.startswith("FR"):
            return None
        return identifiers.siren_of(self.company_registry) or identifiers.siren_of(vat)

    def action_late_payment_check_company_status(self):
        """Look up the legal status and collective proceedings of these customers now (when the
        lookup is turned on in the settings)."""
        self._late_payment_check_user()
        if not self.env["ir.config_parameter"].sudo().get_param("account_late_payment.status_lookup"):
            raise UserError(self.env._(
                "The company status lookup is turned off: an administrator turns it on in the Invoicing "
                "settings."))
        partners = self.commercial_partner_id
        without = partners.filtered(lambda partner: not partner._late_payment_siren())
        if without and len(partners) == 1:
            raise UserError(self.env._(
                "%(customer)s has no SIREN: enter its SIREN or SIRET in Company ID, or its French VAT number.",
                customer=partners.display_name))
        outcomes = partners._late_payment_check_company_status(force=True)
        failed = [message for outcome, message in outcomes.values() if outcome == "failed"]
        if failed:
            message, kind = "\n".join(failed), "warning"
        else:
            checked = partners.filtered(lambda partner: outcomes.get(partner.id, ("",))[0] == "checked")
            message = "\n".join(partner._late_payment_status_line() for partner in checked) \
                or self.env._("No customer with a SIREN to check.")
            kind = "success" if checked else "warning"
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Company status"),
                "message": message,
                "type": kind,
                "sticky": bool(failed),
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def _late_payment_status_line(self):
        self.ensure_one()
        legal = dict(self._fields["late_payment_legal_state"]._description_selection(self.env)).get(
            self.late_payment_legal_state) or self.env._("unknown")
        proceedings = dict(self._fields["late_payment_proceedings_state"]._description_selection(self.env)).get(
            self.late_payment_proceedings_state) or self.env._("unknown")
        return self.env._("%(customer)s: %(legal)s; collective proceedings: %(proceedings)s.",
                          customer=self.display_name, legal=legal, proceedings=proceedings)

    def _late_payment_check_company_status(self, force=False):
        """Look up each customer of `self` (commercial partners) in the French company register and
        in BODACC, store what they say, and stop or resume the reminders of the customers whose
        proceedings opened or closed. Not again within the recheck delay unless `force`. A
        service that fails is logged and leaves the status it gave before: nothing is blocked.
        Returns {partner id: (outcome, message)}, outcome one of checked, cached, no_siren, failed."""
        params = self.env["ir.config_parameter"].sudo()
        recheck_days = int(params.get_param("account_late_payment.status_recheck_days", 7) or 0)
        now = fields.Datetime.now()
        answers = {}
        outcomes = {}
        proceedings_changed = self.browse()
        for partner in self.sudo():
            siren = partner._late_payment_siren()
            if not siren:
                outcomes[partner.id] = ("no_siren", "")
                continue
            checked_on = partner.late_payment_status_checked_on
            if not force and checked_on and checked_on > now - timedelta(days=recheck_days):
                outcomes[partner.id] = ("cached", "")
                continue
            if siren not in answers:
                answers[siren] = self._late_payment_fetch_company_status(siren)
            legal, proceedings, errors = answers[siren]
            was_open = partner.late_payment_proceedings_state == "open"
            partner.write(partner._late_payment_status_values(legal, proceedings, errors, now))
            if was_open != (partner.late_payment_proceedings_state == "open"):
                proceedings_changed |= partner
            if errors:
                outcomes[partner.id] = ("failed", self.env._(
                    "%(customer)s: %(problems)s The status found before is kept.",
                    customer=partner.display_name, problems=" ".join(errors)))
            else:
                outcomes[partner.id] = ("checked", "")
        if proceedings_changed:
            self.env["late.payment.dossier"]._late_payment_refresh_partners_everywhere(proceedings_changed)
        return outcomes

    @api.model
    def _late_payment_fetch_company_status(self, siren):
        """(LegalStatus or None, ProceedingsStatus or None, [problems]) of a SIREN from the two
        services; a service that fails gives None and a problem, logged."""
        errors = []
        legal = proceedings = None
        for service, url, parse in (
            ("company_search", siren_lookup.company_search_url(siren), siren_lookup.parse_company_search),
            ("bodacc", siren_lookup.bodacc_url(siren), siren_lookup.parse_bodacc),
        ):
            try:
                result = parse(self._late_payment_status_get(service, url), siren)
            except (requests.RequestException, ValueError, TypeError, AttributeError) as error:
                _logger.warning("Company status lookup of %s: %s failed, the previous status is kept: %s",
                                siren, service, error)
                errors.append(self._late_payment_status_problem(service, error))
                continue
            if service == "company_search":
                legal = result
            else:
                proceedings = result
        return legal, proceedings, errors

    @api.model
    def _late_payment_status_get(self, service, url):
        """The JSON answer of `service` at `url`: one request at most every STATUS_INTERVALS
        seconds, a timeout, and one retry after the delay a 429 answer asks for."""
        for attempt in (1, 2):
            self._late_payment_status_turn(service)
            response = requests.get(url, timeout=STATUS_TIMEOUT, headers={
                "User-Agent": STATUS_USER_AGENT, "Accept": "application/json"})
            if response.status_code == 429 and attempt == 1:
                time.sleep(self._late_payment_retry_after(response.headers.get("Retry-After")))
                continue
            response.raise_for_status()
            return response.json()
        return None  # not reached: the second attempt returns or raises

    @api.model
    def _late_payment_status_turn(self, service):
        """Wait for the turn of this process to call `service`: at most one call every
        STATUS_INTERVALS seconds from all the workers together. The time of the last call is kept
        in the database (a system parameter), its row locked while a worker waits for its turn,
        in a transaction of its own committed at once (the lookup's own transaction may last)."""
        interval = STATUS_INTERVALS[service]
        key = STATUS_LAST_CALL_KEY % service
        with self.env.registry.cursor() as cr:
            cr.execute(SQL("INSERT INTO ir_config_parameter (key, value) VALUES (%s, '0') "
                           "ON CONFLICT (key) DO NOTHING", key))
            cr.execute(SQL("SELECT value FROM ir_config_parameter WHERE key = %s FOR UPDATE", key))
            try:
                last = float(cr.fetchone()[0])
            except (TypeError, ValueError):
                last = 0.0
            wait = min(last + interval - time.time(), interval)
            if wait > 0:
                time.sleep(wait)
            cr.execute(SQL("UPDATE ir_config_parameter SET value = %s WHERE key = %s", repr(time.time()), key))
        return wait

    @api.model
    def _late_payment_retry_after(self, value):
        """Seconds to wait from a Retry-After header (seconds; a date or nothing: 1)."""
        try:
            seconds = float(value)
        except (TypeError, ValueError):
            seconds = 1.0
        return min(max(seconds, 0.0), STATUS_RETRY_AFTER_MAX)

    @api.model
    def _late_payment_status_problem(self, service, error):
        name = {"company_search": self.env._("The French company register (API Recherche d'entreprises)"),
                "bodacc": self.env._("BODACC")}[service]
        if isinstance(error, requests.Timeout):
            return self.env._("%(service)s did not answer within %(seconds)s seconds.",
                              service=name, seconds=STATUS_TIMEOUT)
        if isinstance(error, requests.HTTPError):
            status = error.response.status_code if error.response is not None else "?"
            return self.env._("%(service)s answered with an error (HTTP %(status)s).", service=name, status=status)
        if isinstance(error, requests.RequestException):
            return self.env._("%(service)s could not be reached.", service=name)
        return self.env._("%(service)s gave an answer that could not be read.", service=name)

    def _late_payment_status_values(self, legal, proceedings, errors, now):
        """The values to write from the services' answers (None: that service failed, its
        fields are kept)."""
        self.ensure_one()
        vals = {"late_payment_status_error": " ".join(errors) or False}
        if legal is not None or proceedings is not None:
            vals["late_payment_status_checked_on"] = now
        if legal is not None:
            vals.update({
                "late_payment_legal_state": legal.state if legal.found and legal.state != "unknown"
                else "not_found" if not legal.found else False,
                "late_payment_legal_name": legal.name or False,
                "late_payment_legal_ceased_on": legal.ceased_on or False,
                "late_payment_legal_checked_on": now,
                "late_payment_legal_category": legal.legal_category or False,
                "late_payment_legal_summary": self._late_payment_legal_summary(legal),
            })
        if proceedings is not None:
            vals.update({
                "late_payment_proceedings_state": proceedings.state,
                "late_payment_proceedings_procedure": proceedings.procedure or False,
                "late_payment_proceedings_opened_on": proceedings.opened_on or False,
                "late_payment_proceedings_since": proceedings.procedure_since or False,
                "late_payment_proceedings_plan_on": proceedings.plan_on or False,
                "late_payment_proceedings_closed_on": proceedings.closed_on or False,
                "late_payment_proceedings_tribunal": proceedings.tribunal or False,
                "late_payment_proceedings_review": proceedings.needs_review,
                "late_payment_proceedings_checked_on": now,
                "late_payment_proceedings_summary": self._late_payment_bodacc_summary(proceedings),
            })
        return vals

    def _late_payment_legal_summary(self, legal):
        if not legal.found:
            return self.env._("Company register: SIREN %(siren)s not found.", siren=legal.siren)
        text = self.env._("Company register: %(name)s (SIREN %(siren)s), %(state)s.", name=legal.name or "",
                          siren=legal.siren, state={"active": self.env._("active"), "ceased": self.env._("ceased")}.get(
                              legal.state, self.env._("status unknown")))
        if legal.ceased_on:
            text += " " + self.env._("Ceased on %(date)s.", date=format_day(self.env, legal.ceased_on))
        if legal.head_office_siret:
            text += " " + (self.env._("Head office %(siret)s open.", siret=legal.head_office_siret)
                           if legal.head_office_open is not False
                           else self.env._("Head office %(siret)s closed.", siret=legal.head_office_siret))
        return text

    def _late_payment_bodacc_summary(self, proceedings):
        if not proceedings.judgments:
            return self.env._("BODACC: no notice of collective proceedings.")
        lines = [self.env._("BODACC: %(count)s notices of collective proceedings:", count=len(proceedings.judgments))]
        lines.extend(
            f"- {format_day(self.env, judgment.judged_on or judgment.published_on)} {judgment.nature}"
            + (f" ({judgment.tribunal})" if judgment.tribunal else "")
            for judgment in reversed(proceedings.judgments))
        lines.extend(f"! {note}" for note in self._late_payment_bodacc_reviews(proceedings))
        return "\n".join(lines)

    @api.model
    def _cron_late_payment_company_status(self, batch_size=50):
        """Every week, when enabled: the company status of the active French customers (those
        with a follow-up dossier) not checked for the recheck delay, by batches."""
        params = self.env["ir.config_parameter"].sudo()
        if not params.get_param("account_late_payment.status_lookup"):
            return
        recheck_days = int(params.get_param("account_late_payment.status_recheck_days", 7) or 0)
        cutoff = fields.Datetime.now() - timedelta(days=recheck_days)
        self.env["late.payment.dossier"].flush_model(["partner_id"])
        self.flush_model(["late_payment_status_checked_on", "company_registry", "vat", "active"])
        rows = self.env.execute_query(SQL("""
            SELECT DISTINCT partner.id
              FROM res_partner partner
              JOIN late_payment_dossier dossier ON dossier.partner_id = partner.id
             WHERE partner.active
               AND (partner.company_registry IS NOT NULL OR partner.vat ILIKE 'FR%%')
               AND (partner.late_payment_status_checked_on IS NULL OR partner.late_payment_status_checked_on < %s)
             ORDER BY partner.id
        """, cutoff))
        partners = self.browse([row[0] for row in rows])
        partners = partners.filtered(lambda partner: partner._late_payment_siren())

        def process(_key, ids):
            self.browse(ids)._late_payment_check_company_status()

        def skip(_key, ids, _error):
            # looked up again after the recheck delay
            self.browse(ids).sudo().write({"late_payment_status_checked_on": fields.Datetime.now()})

        self.env["late.payment.batch"]._late_payment_batches(
            self.env._("Company status lookup"), [(self._name, partners.ids)], process, skip=skip,
            describe=lambda _key, partner_id: self.browse(partner_id).display_name, max_size=batch_size)

    # -- external API (JSON-2 /json/2/res.partner/<method>, XML-RPC): see models/late_payment_api.py --
    def late_payment_status(self, at_date=None):
        """The follow-up of each customer of `self` in the caller's current company, evaluated on
        `at_date` (an ISO date string, default today: the ages and the next action at that day,
        on the invoices open now), as a list of dicts in the order of `self`: ``id``, ``name``,
        ``company``, ``currency``, ``amount_due``, ``amount_overdue`` (the follow-up console's
        figures: credits used once, what is left out of the follow-up apart), ``amount_excluded``
        (left out: excluded, blocked, disputed), ``credit_left`` (the credit left over once
        everything followed is paid, 0 or negative), ``aged`` (the aged balance in age order: a
        list of ``{bucket, label, amount, count}`` for not due, 1-30, 31-60, 61-90 and over 90
        days, adding up to the amount overdue from the second on), ``oldest_overdue_days``,
        ``status`` (and ``status_label``), ``level`` (the last level reached), ``next_action``
        (the next level), ``next_action_date``, ``risk_score``, ``risk_class``, ``risk_factors``
        (``{code, name, value, points, weight}``), ``promise`` (``{date, amount}`` of the open
        promise to pay) and ``plan`` (the state of the instalment plan). Empty values are false."""
        api_model = self.env["late.payment.api"]
        api_model._late_payment_check_caller()
        day = api_model._late_payment_check_date(at_date)
        api_model._late_payment_check_records(self)
        return api_model._late_payment_status(self, day)

    def late_payment_run(self, dry_run=False):
        """Run the follow-up now for the customers of `self` in the caller's current company:
        send the reminders that are due (the daily run's rules and its one send path, whatever
        the day), or with `dry_run` only say what would be sent. A list of dicts, one per
        reminder: ``reminder_id`` (false in a dry run), ``customer_id``, ``customer``, ``level``,
        ``channels``, ``result`` (``dry_run`` in a dry run), ``currency``, ``amount`` and
        ``invoices`` (``{id, name, due_date, days_late, amount_residual, level}``)."""
        api_model = self.env["late.payment.api"]
        api_model._late_payment_check_caller()
        api_model._late_payment_check_bool(dry_run, "dry_run")
        api_model._late_payment_check_records(self)
        return api_model._late_payment_run(self, dry_run)
