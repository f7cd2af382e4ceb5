from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.fields import Domain

from ..engine import siren_lookup
from .access import ADMIN_GROUP, USER_GROUP, check_group, check_records
from .lang import format_number
from .late_payment_dossier import COLLECTION_STATES, RELATIONSHIPS, STATUSES
from .late_payment_measure import late_types


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
        groups=USER_GROUP)
    late_payment_currency_id = fields.Many2one(
        "res.currency", string="Follow-up currency", compute="_compute_late_payment_dossier", groups=USER_GROUP)
    late_payment_followup_status = fields.Selection(
        STATUSES, string="Follow-up status", compute="_compute_late_payment_dossier",
        search="_search_late_payment_followup_status", groups=USER_GROUP)
    late_payment_amount_due = fields.Monetary(
        string="Amount due", currency_field="late_payment_currency_id", compute="_compute_late_payment_dossier",
        search="_search_late_payment_amount_due", groups=USER_GROUP)
    late_payment_amount_overdue = fields.Monetary(
        string="Amount overdue", currency_field="late_payment_currency_id", compute="_compute_late_payment_dossier",
        search="_search_late_payment_amount_overdue", groups=USER_GROUP)
    late_payment_amount_excluded = fields.Monetary(
        string="Left out of the follow-up", currency_field="late_payment_currency_id",
        compute="_compute_late_payment_dossier", search="_search_late_payment_amount_excluded",
        groups=USER_GROUP)
    late_payment_oldest_overdue_days = fields.Integer(
        string="Days overdue", compute="_compute_late_payment_dossier",
        search="_search_late_payment_oldest_overdue_days", groups=USER_GROUP)
    late_payment_level_id = fields.Many2one(
        "late.payment.level", string="Last follow-up level", compute="_compute_late_payment_dossier",
        search="_search_late_payment_level_id", groups=USER_GROUP)
    late_payment_level_date = fields.Date(
        string="Last level reached on", compute="_compute_late_payment_dossier", groups=USER_GROUP)
    late_payment_next_level_id = fields.Many2one(
        "late.payment.level", string="Next follow-up level", compute="_compute_late_payment_dossier",
        groups=USER_GROUP)
    late_payment_next_action_date = fields.Date(
        string="Next follow-up action", compute="_compute_late_payment_dossier",
        search="_search_late_payment_next_action_date", groups=USER_GROUP)
    late_payment_user_id = fields.Many2one(
        "res.users", string="Follow-up responsible", compute="_compute_late_payment_dossier",
        search="_search_late_payment_user_id", groups=USER_GROUP)

    late_payment_promise_id = fields.Many2one(
        "late.payment.promise", string="Promise to pay", compute="_compute_late_payment_settlement",
        groups=USER_GROUP, help="The customer's open promise to pay in the current company.")
    late_payment_plan_id = fields.Many2one(
        "late.payment.plan", string="Payment plan", compute="_compute_late_payment_settlement",
        groups=USER_GROUP, help="The customer's running payment plan in the current company.")
    late_payment_dispute_count = fields.Integer(
        string="Disputed invoices", compute="_compute_late_payment_settlement", groups=USER_GROUP)
    late_payment_collection_state = fields.Selection(
        COLLECTION_STATES, string="Collection",
        compute="_compute_late_payment_settlement", groups=USER_GROUP)

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
        string="DSO (12 months)", compute="_compute_late_payment_measures", digits=(16, 1), groups=USER_GROUP,
        help="Days sales outstanding: what the customer owes / its invoices of the last 12 months x 365.")
    late_payment_days_beyond_terms = fields.Float(
        string="Average days beyond terms", compute="_compute_late_payment_measures", digits=(16, 1),
        groups=USER_GROUP, help="Of the invoices paid in the last 12 months, weighted by amount.")
    late_payment_share_paid_late = fields.Float(
        string="Paid late, 12 months (%)", compute="_compute_late_payment_measures", digits=(16, 1),
        groups=USER_GROUP, help="Share of the invoices paid in the last 12 months that were paid late.")
    late_payment_aged_not_due = fields.Monetary(
        string="Not due", compute="_compute_late_payment_measures", currency_field="late_payment_currency_id",
        groups=USER_GROUP)
    late_payment_aged_1_30 = fields.Monetary(
        string="1-30 days", compute="_compute_late_payment_measures", currency_field="late_payment_currency_id",
        groups=USER_GROUP)
    late_payment_aged_31_60 = fields.Monetary(
        string="31-60 days", compute="_compute_late_payment_measures", currency_field="late_payment_currency_id",
        groups=USER_GROUP)
    late_payment_aged_61_90 = fields.Monetary(
        string="61-90 days", compute="_compute_late_payment_measures", currency_field="late_payment_currency_id",
        groups=USER_GROUP)
    late_payment_aged_over_90 = fields.Monetary(
        string="Over 90 days", compute="_compute_late_payment_measures", currency_field="late_payment_currency_id",
        groups=USER_GROUP)

    @api.depends_context("company")
    def _compute_late_payment_measures(self):
        partners = self.filtered("id").commercial_partner_id
        figures = {}
        if partners:
            figures = self.env["late.payment.measure"]._partner_figures(
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
        string="Reminders", compute="_compute_late_payment_reminder_count", groups=USER_GROUP,
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
        check_group(self.env, USER_GROUP,
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
        api_model._check_caller()
        api_model._check_records(self)
        if len(self) != 1:
            raise UserError(self.env._("A promise to pay is made by one customer."))
        return self.env["late.payment.promise"]._record(self, date, amount, invoice_ids, note).id

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
        check_group(self.env, ADMIN_GROUP, self.env._(
            "Only a Late payments Administrator may waive or restore a customer's late-payment penalties."))

    def write(self, vals):
        if "late_payment_waive_penalties" in vals:
            self._late_payment_check_waive()
        result = super().write(vals)
        if {"late_payment_policy_id", "late_payment_relationship"} & set(vals):
            dossiers = self.env["late.payment.dossier"]
            dossiers.invalidate_model(["relationship", "partner_policy_id"])
            dossiers._mark_partners_dirty(self, self.env.company)
        return result

    def action_late_payment_open_dossier(self):
        """The customer's follow-up dossier in the current company (made when it has none)."""
        self.ensure_one()
        self._late_payment_check_user()
        partner = self.commercial_partner_id
        dossier_model = self.env["late.payment.dossier"]
        dossier = dossier_model.search([("partner_id", "=", partner.id), ("company_id", "=", self.env.company.id)])
        if not dossier:
            dossier_model._refresh(partners=partner, company=self.env.company)
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
                & Domain("move_id.move_type", "in", late_types(self.env))
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
    # written by late.payment.dossier._compute_risk for lists, filters and group-by
    late_payment_risk_score = fields.Float(
        string="Risk score", company_dependent=True, digits=(5, 1), readonly=True, groups=USER_GROUP,
        help="0 (best) to 100 (worst): the payment behaviour of the last 12 months in the current company.")
    late_payment_risk_class_id = fields.Many2one(
        "late.payment.risk.class", string="Risk class", company_dependent=True, readonly=True, groups=USER_GROUP)
    late_payment_risk_no_history = fields.Boolean(
        string="No payment history", company_dependent=True, readonly=True, groups=USER_GROUP,
        help="Too few invoices settled in 12 months to judge: the neutral score.")
    late_payment_risk_date = fields.Date(
        string="Risk computed on", compute="_compute_late_payment_risk", groups=USER_GROUP)
    late_payment_risk_factor_ids = fields.Many2many(
        "late.payment.risk.factor", string="Risk factors", compute="_compute_late_payment_risk", groups=USER_GROUP)
    late_payment_risk_deposit_percent = fields.Float(
        string="Recommended deposit (%)", compute="_compute_late_payment_risk", groups=USER_GROUP)
    late_payment_risk_payment_term_id = fields.Many2one(
        "account.payment.term", string="Recommended payment term", compute="_compute_late_payment_risk",
        groups=USER_GROUP)
    late_payment_risk_warn = fields.Boolean(
        string="Risk warning", compute="_compute_late_payment_risk", groups=USER_GROUP)
    late_payment_risk_warning = fields.Char(
        string="Risk warning text", compute="_compute_late_payment_risk", groups=USER_GROUP)

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
        dossiers._refresh(partners=partners, company=company, ensure=True)
        dossiers._compute_risk(company, partners=partners)
        return True

    def action_late_payment_statement(self):
        """Print the statement of account of these customers in the current company."""
        self._late_payment_check_user()
        dossiers = self.env["late.payment.dossier"]._refresh(
            partners=self.commercial_partner_id, company=self.env.company, ensure=True)
        return dossiers.action_print_statement()

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
        promise to pay), ``plan`` (the state of the instalment plan) and ``open_invoices`` (``{id,
        name, date_due, amount_residual, expected_payment_date, expected_from, expected_until}``
        of each open invoice: its predicted payment date and band). Empty values are false."""
        api_model = self.env["late.payment.api"]
        api_model._check_caller()
        day = api_model._late_payment_check_date(at_date)
        api_model._check_records(self)
        return api_model._status(self, day)

    def late_payment_run(self, dry_run=False):
        """Run the follow-up now for the customers of `self` in the caller's current company:
        send the reminders that are due (the daily run's rules and its one send path, whatever
        the day), or with `dry_run` only say what would be sent. A list of dicts, one per
        reminder: ``reminder_id`` (false in a dry run), ``customer_id``, ``customer``, ``level``,
        ``channels``, ``result`` (``dry_run`` in a dry run), ``currency``, ``amount`` and
        ``invoices`` (``{id, name, due_date, days_late, amount_residual, level}``)."""
        api_model = self.env["late.payment.api"]
        api_model._check_caller()
        api_model._check_bool(dry_run, "dry_run")
        api_model._check_records(self)
        return api_model._run(self, dry_run)
