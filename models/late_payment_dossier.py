import logging
from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.fields import Domain
from odoo.tools import SQL, format_amount, format_date, formatLang

from odoo.addons.account_late_payment.engine import followup, kpi, risk, settlement

from .access import check_records
from .late_payment_api import SHORT_TEXT_MAX
from .late_payment_reminder import CHANNEL_FIELDS

STATUSES = [
    ("none", "Nothing due"),
    ("planned", "Reminder planned"),
    ("due", "Action due"),
    ("waiting", "Waiting on a promise or plan"),
    ("disputed", "Disputed"),
    ("collection", "In collection"),
    ("proceedings", "Collective proceedings"),
]
RELATIONSHIPS = [
    ("reliable", "Long-standing and reliable"),
    ("standard", "Standard"),
    ("new", "New customer"),
    ("strict", "Strict"),
]
# the statuses of a customer being followed up
IN_FOLLOWUP = ("planned", "due", "waiting", "disputed", "collection", "proceedings")
# the state the refresh computes, written only when it changes
STATE_FIELDS = (
    "policy_id", "amount_due", "amount_overdue", "amount_excluded", "oldest_overdue_days", "level_id",
    "level_date", "last_reminder_date", "next_level_id", "next_tone_id", "next_action_date", "status",
    "overdue_since",
)
DIRTY_KEY = "account_late_payment.dirty_dossiers"
USER_GROUP = "account_late_payment.group_late_payment_user"
STATEMENT_REPORT = "account_late_payment.action_report_late_payment_statement"
LETTER_REPORT = "account_late_payment.action_report_late_payment_letter"
COLLECTION_STATES = [
    ("collection", "In collection"),
    ("released", "Taken back from collection"),
]
SETTLEMENT_BATCH_SIZE = 200

_logger = logging.getLogger(__name__)


class LatePaymentDossier(models.Model):
    """The follow-up state of a customer (commercial partner) in one company: what it owes,
    how late, the last level reached, the next action and its date. Recomputed set-based from
    the receivable lines by `_late_payment_refresh` (the rules are in engine/followup.py).

    The same record is the accountant's page in the follow-up console (sections "preview",
    "postponing" and the console actions below: everything is sent through
    `late.payment.reminder._late_payment_send`, the one send path) and carries the customer's
    settlement (promises, plans and disputes pause or leave out reminders; the hand-off to
    collection and back; the daily settlement check)."""

    _name = "late.payment.dossier"
    _description = "Follow-up dossier"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "next_action_date, amount_overdue desc, id"
    _rec_name = "partner_id"
    _check_company_auto = True

    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, index=True, ondelete="cascade", readonly=True)
    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id", store=True)
    user_id = fields.Many2one(
        "res.users", string="Responsible", index=True, tracking=True,
        domain="[('share', '=', False), ('company_ids', 'in', company_id)]",
        help="Who follows this customer up: receives the calls and tasks of the follow-up.")
    policy_id = fields.Many2one(
        "late.payment.policy", readonly=True,
        help="The policy in force: the customer's own, else its risk class's, else the company's default.")
    relationship = fields.Selection(
        RELATIONSHIPS, compute="_compute_relationship", inverse="_inverse_relationship",
        help="Shifts the tone of the reminders (see the policy).")
    partner_policy_id = fields.Many2one(
        "late.payment.policy", string="Customer's policy", compute="_compute_relationship",
        inverse="_inverse_partner_policy", domain="[('company_id', '=', company_id)]",
        help="The customer's own policy in this company; empty: its risk class's, else the company's default.")
    amount_due = fields.Monetary(
        string="Amount due", readonly=True,
        help="What the customer owes (credit notes and unmatched payments deducted).")
    amount_overdue = fields.Monetary(
        string="Amount overdue", readonly=True,
        help="What is past its due date and followed up, net of the customer's credits.")
    amount_excluded = fields.Monetary(
        string="Left out", readonly=True, help="Invoices left out of the follow-up (excluded, blocked or disputed).")
    oldest_overdue_days = fields.Integer(string="Days overdue", readonly=True,
                                         help="Days past the due date of the oldest overdue invoice.")
    level_id = fields.Many2one("late.payment.level", string="Stage", readonly=True,
                               help="The highest level the reminders reached since the customer is overdue "
                                    "(it never goes backwards while something stays overdue, and starts again "
                                    "once nothing is); nothing overdue: the last reminder before the due date.")
    level_date = fields.Date(string="Reached on", readonly=True)
    overdue_since = fields.Date(
        string="Overdue since", readonly=True,
        help="The first day of the current overdue period: something of the customer has been overdue every "
             "day since. Empty: nothing is overdue.")
    last_reminder_date = fields.Date(string="Last reminder", readonly=True)
    next_level_id = fields.Many2one("late.payment.level", string="Next level", readonly=True)
    next_tone_id = fields.Many2one("late.payment.tone", string="Next tone", readonly=True,
                                   help="The tone of the next reminder, shifted by the customer's relationship.")
    next_action_date = fields.Date(string="Next action", readonly=True, index=True)
    status = fields.Selection(STATUSES, required=True, default="none", readonly=True, index=True, tracking=True)
    formal_notice_reference = fields.Char(
        string="Registered-mail number", tracking=True,
        help="The proof of the formal notice: its registered-mail number.")
    formal_notice_received_date = fields.Date(
        string="Formal notice received on", tracking=True,
        help="The day the customer received the formal notice (acknowledgement of receipt).")
    formal_notice_reached = fields.Boolean(string="Formal notice sent", compute="_compute_formal_notice_reached")
    refreshed_on = fields.Date(string="Refreshed on", readonly=True, copy=False)
    line_ids = fields.Many2many("account.move.line", compute="_compute_line_ids", string="Open items")
    reminder_line_ids = fields.Many2many(
        "account.move.line", compute="_compute_line_ids", string="Items of the next reminder")
    reminder_ids = fields.One2many("late.payment.reminder", "dossier_id", string="Reminders", readonly=True)
    reminder_count = fields.Integer(compute="_compute_reminder_count", string="Number of reminders")
    last_run_date = fields.Date(
        string="Last daily run", readonly=True, copy=False,
        help="The day the daily follow-up run last processed this customer.")
    manual_level_notified_id = fields.Many2one(
        "late.payment.level", string="Manual level asked for", readonly=True, copy=False, ondelete="set null",
        help="The level waiting for an accountant that the responsible was last asked to send.")

    # risk: the score of engine/risk.py, recomputed every night in batches
    # (_cron_late_payment_risk) and on demand (action_compute_risk)
    risk_score = fields.Float(
        string="Risk score", digits=(5, 1), readonly=True, aggregator="avg",
        help="0 (best) to 100 (worst), from the payment behaviour of the last 12 months: see its factors.")
    risk_class_id = fields.Many2one(
        "late.payment.risk.class", string="Risk class", readonly=True, index="btree_not_null", ondelete="set null")
    risk_no_history = fields.Boolean(
        string="No payment history", readonly=True,
        help="Too few invoices settled in 12 months to judge: the customer gets the neutral score.")
    risk_date = fields.Date(string="Risk computed on", readonly=True, copy=False)
    risk_factor_ids = fields.One2many("late.payment.risk.factor", "dossier_id", string="Risk factors", readonly=True)
    risk_warn = fields.Boolean(related="risk_class_id.warn", string="Risk warning")
    risk_block = fields.Boolean(related="risk_class_id.block", string="Blocking risk class")
    risk_color = fields.Integer(related="risk_class_id.color", string="Risk color")
    risk_deposit_percent = fields.Float(related="risk_class_id.deposit_percent", string="Recommended deposit (%)")
    risk_payment_term_id = fields.Many2one(related="risk_class_id.payment_term_id",
                                           string="Recommended payment term")
    risk_credit_limit = fields.Monetary(
        string="Credit limit", compute="_compute_risk_credit_limit",
        help="The customer's credit limit in this company (Odoo's own credit limit; 0: none).")
    risk_proceedings_state = fields.Selection(
        related="partner_id.late_payment_proceedings_state", string="Collective proceedings")
    # the console
    postponed_until = fields.Date(
        string="Postponed to", tracking=True, copy=False,
        help="No reminder before this day: the next action is not planned sooner.")
    preview_available = fields.Boolean(compute="_compute_preview", string="Reminder to preview")
    preview_summary = fields.Char(compute="_compute_preview", string="Next reminder")
    preview_subject = fields.Char(compute="_compute_preview", string="Email subject")
    # computed, never stored and read-only (no inverse: no one writes them); rendered by the addon
    # from the tone texts (sanitized when saved) and the email layout, whose styles the sanitizer
    # would strip
    preview_email = fields.Html(compute="_compute_preview", string="Email", sanitize=False, readonly=True)
    preview_letter = fields.Html(compute="_compute_preview", string="Letter", sanitize=False, readonly=True)
    # settlement
    collection_state = fields.Selection(
        COLLECTION_STATES, string="Collection", readonly=True, copy=False, tracking=True,
        help="In collection: the customer was handed to collection (by the escalation level or by hand), no "
             "automatic reminder goes out. Taken back: the escalation reached no longer stops the follow-up.")
    collection_date = fields.Date(string="In collection since", readonly=True, copy=False)
    promise_ids = fields.One2many(
        "late.payment.promise", compute="_compute_settlement", string="Promises to pay")
    plan_ids = fields.One2many("late.payment.plan", compute="_compute_settlement", string="Payment plans")
    dispute_ids = fields.One2many("late.payment.dispute", compute="_compute_settlement", string="Disputes")
    open_promise_id = fields.Many2one("late.payment.promise", compute="_compute_settlement", string="Open promise")
    running_plan_id = fields.Many2one("late.payment.plan", compute="_compute_settlement", string="Running plan")
    open_dispute_count = fields.Integer(compute="_compute_settlement", string="Open disputes")

    _partner_company_uniq = models.UniqueIndex(
        "(partner_id, company_id)", "A customer has one follow-up dossier per company.")

    # -- display ---------------------------------------------------------------------------
    @api.depends("partner_id", "company_id")
    def _compute_relationship(self):
        for dossier in self:
            partner = dossier.partner_id.with_company(dossier.company_id)
            dossier.relationship = partner.late_payment_relationship or "standard"
            dossier.partner_policy_id = partner.late_payment_policy_id

    # the follow-up users set them here, on the customer in the dossier's company, without
    # needing the right to edit contacts
    def _inverse_relationship(self):
        for dossier in self:
            dossier.partner_id.sudo().with_company(dossier.company_id).late_payment_relationship = dossier.relationship

    def _inverse_partner_policy(self):
        for dossier in self:
            partner = dossier.partner_id.sudo().with_company(dossier.company_id)
            partner.late_payment_policy_id = dossier.partner_policy_id

    @api.depends("level_id", "formal_notice_reference")
    def _compute_formal_notice_reached(self):
        for dossier in self:
            dossier.formal_notice_reached = bool(
                dossier.level_id.is_formal_notice or dossier.level_id.is_escalation or dossier.formal_notice_reference)

    def _open_lines_domain(self):
        return Domain.OR(
            Domain("company_id", "=", company.id) & Domain("partner_id", "child_of", dossiers.partner_id.ids)
            for company, dossiers in self.grouped("company_id").items()
        ) & Domain([
            ("account_type", "=", "asset_receivable"), ("parent_state", "=", "posted"),
            ("reconciled", "=", False), ("amount_residual", "!=", 0),
        ])

    @api.depends("partner_id", "company_id", "next_action_date")
    def _compute_line_ids(self):
        lines = self.env["account.move.line"]
        if self.ids:
            lines = lines.search(self._open_lines_domain(), order="date_maturity, id")
        by_key = lines.grouped(lambda line: (line.partner_id.commercial_partner_id, line.company_id))
        today = fields.Date.context_today(self)
        for dossier in self:
            mine = by_key.get((dossier.partner_id, dossier.company_id), lines.browse())
            dossier.line_ids = mine
            cutoff = max(dossier.next_action_date or today, today)
            # the next reminder lists every open line of the customer (some reach no level)
            dossier.reminder_line_ids = mine.filtered(
                lambda line, cutoff=cutoff: line.late_payment_next_date and line.late_payment_next_date <= cutoff)

    def _compute_reminder_count(self):
        counts = dict(self.env["late.payment.reminder"]._read_group(
            [("dossier_id", "in", self.ids)], ["dossier_id"], ["__count"]))
        for dossier in self:
            dossier.reminder_count = counts.get(dossier, 0)

    def _late_payment_responsible(self):
        """Who follows this customer up: the dossier's responsible, else the customer's
        salesperson, else the company's default follow-up responsible, else the administrator."""
        self.ensure_one()
        # the administrator by its cached id (env.ref would check it exists: a query per customer)
        admin = self.env["ir.model.data"]._xmlid_to_res_id("base.user_admin", raise_if_not_found=False)
        return (self.user_id or self.partner_id.user_id or self.company_id.late_payment_user_id
                or self.env["res.users"].browse(admin) or self.env.user)

    # -- actions ---------------------------------------------------------------------------
    def action_open_reminders(self):
        self.ensure_one()
        self._late_payment_check_user("read")
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Reminders to %(customer)s", customer=self.partner_id.display_name),
            "res_model": "late.payment.reminder",
            "view_mode": "list,form",
            "domain": [("dossier_id", "=", self.id)],
            "context": {"create": False},
        }

    def _late_payment_send_reminders(self, origin="console", include_manual=False):
        """Send now the reminders due to these customers (rechecked): see
        late.payment.reminder._late_payment_send."""
        return self.env["late.payment.reminder"]._late_payment_send(
            self, origin=origin, include_manual=include_manual)

    def action_refresh(self):
        """Recompute these dossiers now."""
        self._late_payment_check_user()
        for company, dossiers in self.grouped("company_id").items():
            self._late_payment_refresh(partners=dossiers.partner_id, company=company)
        return True

    def action_open_invoices(self):
        self.ensure_one()
        self._late_payment_check_user("read")
        moves = self.line_ids.move_id
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Open items of %(customer)s", customer=self.partner_id.display_name),
            "res_model": "account.move",
            "view_mode": "list,form",
            "views": [(self.env.ref("account.view_out_invoice_tree").id, "list"), (False, "form")],
            "domain": [("id", "in", moves.ids)],
            "context": {"default_move_type": "out_invoice", "create": False},
        }

    # -- refresh -----------------------------------------------------------------------------
    @api.model
    def _late_payment_refresh(self, partners=None, company=None, ensure=False):
        """Recompute the follow-up state of `partners` (their commercial partners; None: every
        customer with open receivables or a dossier) in `company` (None: every company), in a
        bounded number of queries. Returns the dossiers refreshed. With `ensure`, every one of
        `partners` gets a dossier, even with nothing open (the risk score is kept there)."""
        if partners is not None and not partners:
            return self.browse()
        dossier = self.sudo().with_context(tracking_disable=True, mail_create_nolog=True, mail_notrack=True)
        companies = (company or self.env["res.company"].sudo().search_fetch([], ["currency_id"])).sudo()
        commercial = partners.sudo().commercial_partner_id if partners is not None else None
        today = fields.Date.context_today(self)
        # whether an early-payment discount is still open depends on the day
        self.env["account.move.line"].invalidate_model(["late_payment_discount_open"])
        result = self.browse()
        for one_company in companies:
            result |= dossier._late_payment_refresh_company(one_company, commercial, today, ensure=ensure)
        return result.with_env(self.env)

    def _late_payment_refresh_company(self, company, partners, today, ensure=False):
        rows = self._late_payment_fetch_lines(company, partners)
        by_partner = defaultdict(list)
        for row in rows:
            by_partner[row["partner_id"]].append(row)
        domain = Domain("company_id", "=", company.id)
        if partners is not None:
            domain &= Domain("partner_id", "in", partners.ids)
        else:
            domain &= Domain("partner_id", "in", list(by_partner)) | Domain("status", "!=", "none") \
                | Domain("amount_due", "!=", 0)
        existing = self.search_fetch(domain, [*STATE_FIELDS, "partner_id", "refreshed_on"])
        overdue_since = {dossier.partner_id.id: dossier.overdue_since for dossier in existing}
        by_existing = {dossier.partner_id.id: dossier for dossier in existing}
        partner_ids = set(by_partner) | set(by_existing)
        if ensure and partners is not None:
            partner_ids |= set(partners.ids)
        if not partner_ids:
            return self.browse()
        customers = self.env["res.partner"].browse(sorted(partner_ids)).with_company(company)
        setup = self._late_payment_setup(company, customers, rows)
        to_create, line_updates = [], {}
        for customer in customers:
            partner_rows = by_partner.get(customer.id, [])
            vals, state = self._late_payment_state_vals(customer, partner_rows, setup, today,
                                                        overdue_since.get(customer.id))
            current = by_existing.get(customer.id)
            if current is None:
                to_create.append({**vals, "partner_id": customer.id, "company_id": company.id,
                                  "user_id": customer.user_id.id, "refreshed_on": today})
            elif current._late_payment_changed(vals) or current.refreshed_on != today:
                current.write({**vals, "refreshed_on": today})
            rows_by_id = {row["id"]: row for row in partner_rows}
            for line_state in state.lines:
                row = rows_by_id[line_state.id]
                wanted = (line_state.next_level.id if line_state.next_level else None, line_state.next_date)
                if (row["next_level_id"], row["next_date"]) != wanted:
                    line_updates[line_state.id] = wanted
        created = self.create(to_create) if to_create else self.browse()
        self._late_payment_write_lines(company, partners, line_updates, [row["id"] for row in rows])
        return existing | created

    def _late_payment_setup(self, company, customers, rows):
        """What the refresh of `customers` needs besides their lines, read in a few queries:
        their policies and levels, the tones, the last reminders, the pauses."""
        customers.fetch(["late_payment_policy_id", "late_payment_relationship", "user_id"])
        risk_policies = self._late_payment_risk_policies(customers, company)
        default_policy = self.env["late.payment.policy"]._late_payment_default_policy(company)
        own_policies = {
            customer.id: customer.late_payment_policy_id
            for customer in customers if customer.late_payment_policy_id.active
        }
        policies = default_policy.union(*own_policies.values(), *risk_policies.values())
        policies.fetch(["min_gap_days", "tone_shift_reliable", "tone_shift_new", "tone_shift_strict"])
        levels = policies.level_ids
        sent_levels = self._late_payment_sent_levels(company, customers)
        levels |= self.env["late.payment.level"].browse(
            {row["level_id"] for row in rows if row["level_id"]}
            | {level_id for sent in sent_levels.values() for level_id, _day in sent}).exists()
        levels.fetch(["policy_id", "days", "sequence", "min_gap_days", "is_formal_notice", "is_escalation",
                      "tone_id", "tone_min_id", "tone_max_id", "kind", "days_before_discount"])
        engine_levels = levels._late_payment_engine_levels_by_id()
        levels_by_policy = defaultdict(list)
        for level in levels:
            levels_by_policy[level.policy_id.id].append(engine_levels[level.id])
        tones = self.env["late.payment.tone"].search_fetch([("company_id", "in", (False, company.id))], ["severity"])
        return {
            "company": company,
            "default_policy": default_policy,
            "own_policies": own_policies,
            "risk_policies": risk_policies,
            "levels": levels,
            "engine_levels": engine_levels,
            "levels_by_policy": levels_by_policy,
            "tones": tones.sorted(lambda tone: (tone.severity, tone.id)).ids,
            "sent_levels": sent_levels,
            "paused": self._late_payment_paused_until(customers, company),
            "paused_moves": self._late_payment_paused_moves(customers, company),
            "proceedings": self._late_payment_in_proceedings(customers),
            "collection": self._late_payment_collection_states(customers, company),
        }

    def _late_payment_state_vals(self, customer, rows, setup, today, overdue_since=None):
        """(values of the dossier, engine state) of one customer, from its lines, its reminders
        and the start of its overdue period recorded so far."""
        policy = followup.choose_policy(
            setup["own_policies"].get(customer.id), setup["risk_policies"].get(customer.id),
            setup["default_policy"] or None) or self.env["late.payment.policy"]
        engine_levels = setup["engine_levels"]
        sent = setup["sent_levels"].get(customer.id, [])
        state = followup.dossier_state(
            setup["levels_by_policy"].get(policy.id, []),
            [followup.Line(row["id"], row["maturity"], row["residual"], engine_levels.get(row["level_id"]),
                           row["level_date"], row["excluded"], row["disputed"], row["discount_date"],
                           row["paid_in_part"], setup["paused_moves"].get(row["move_id"])) for row in rows],
            today,
            policy_gap_days=policy.min_gap_days,
            sent_levels=[(engine_levels.get(level_id), day) for level_id, day in sent],
            overdue_since=overdue_since or None,
            paused_until=setup["paused"].get(customer.id),
            digits=setup["company"].currency_id.decimal_places,
            proceedings=customer.id in setup["proceedings"],
            collection=setup["collection"].get(customer.id),
        )
        next_level = setup["levels"].browse(state.next_level.id if state.next_level else ())
        next_tone = False
        if next_level:
            steps = followup.relationship_steps(customer.late_payment_relationship, {
                "reliable": policy.tone_shift_reliable, "new": policy.tone_shift_new,
                "strict": policy.tone_shift_strict,
            })
            next_tone = followup.shifted_tone(setup["tones"], next_level.tone_id.id, steps,
                                              next_level.tone_min_id.id, next_level.tone_max_id.id)
        vals = {
            "policy_id": policy.id,
            "amount_due": float(state.amount_due),
            "amount_overdue": float(state.amount_overdue),
            "amount_excluded": float(state.amount_excluded),
            "oldest_overdue_days": state.oldest_overdue_days,
            "level_id": state.level.id if state.level else False,
            "level_date": state.level_date or False,
            "last_reminder_date": max((day for _level_id, day in sent), default=False),
            "overdue_since": state.overdue_since or False,
            "next_level_id": next_level.id,
            "next_tone_id": next_tone or False,
            "next_action_date": state.next_action_date or False,
            "status": state.status,
        }
        return vals, state

    def _late_payment_changed(self, vals):
        self.ensure_one()
        for fname, value in vals.items():
            current = self[fname]
            if isinstance(current, models.BaseModel):
                current = current.id
            if self._fields[fname].type == "monetary":
                if self.currency_id.compare_amounts(current or 0.0, value or 0.0):
                    return True
            elif (current or False) != (value or False):
                return True
        return False

    @api.model
    def _late_payment_fetch_lines(self, company, partners=None):
        """The open receivable lines of the customers (every one when `partners` is None) in
        `company`, in one query: dicts of id, move_id, partner_id (commercial), maturity, residual (company
        currency), level_id, level_date, next_level_id, next_date, excluded, disputed, discount_date
        (the deadline of the early-payment discount its term grants), paid_in_part."""
        self.env["account.move.line"].flush_model([
            "account_id", "amount_residual", "company_id", "parent_state", "partner_id", "reconciled",
            "date_maturity", "date", "no_followup", "move_id", "late_payment_level_id", "late_payment_level_date",
            "late_payment_next_level_id", "late_payment_next_date", "discount_date",
        ])
        self.env["account.move"].flush_model(
            ["payment_state", "move_type", "invoice_payment_term_id", "late_payment_disputed"])
        self.env["account.payment.term"].flush_model(["early_discount"])
        self.env["account.partial.reconcile"].flush_model(["debit_move_id", "credit_move_id"])
        self.env["account.account"].flush_model(["account_type"])
        self.env["res.partner"].flush_model(["commercial_partner_id"])
        partner_filter = SQL("AND p.commercial_partner_id = ANY(%s)", list(partners.ids)) \
            if partners is not None else SQL()
        return self.env.execute_query_dict(SQL("""
            SELECT aml.id, aml.move_id, p.commercial_partner_id AS partner_id,
                   COALESCE(aml.date_maturity, aml.date) AS maturity,
                   aml.amount_residual AS residual,
                   aml.late_payment_level_id AS level_id, aml.late_payment_level_date AS level_date,
                   aml.late_payment_next_level_id AS next_level_id, aml.late_payment_next_date AS next_date,
                   COALESCE(aml.no_followup, FALSE) AS excluded,
                   COALESCE(move.payment_state = 'blocked' OR move.late_payment_disputed, FALSE) AS disputed,
                   CASE WHEN term.early_discount AND move.move_type IN ('out_invoice', 'out_receipt')
                        THEN aml.discount_date END AS discount_date,
                   (aml.discount_date IS NOT NULL AND term.early_discount AND (
                        EXISTS(SELECT 1 FROM account_partial_reconcile part WHERE part.debit_move_id = aml.id)
                        OR EXISTS(SELECT 1 FROM account_partial_reconcile part WHERE part.credit_move_id = aml.id)
                   )) IS TRUE AS paid_in_part
              FROM account_move_line aml
              JOIN account_account account ON account.id = aml.account_id
              JOIN account_move move ON move.id = aml.move_id
              JOIN res_partner p ON p.id = aml.partner_id
              LEFT JOIN account_payment_term term ON term.id = move.invoice_payment_term_id
             WHERE aml.company_id = %(company)s
               AND account.account_type = 'asset_receivable'
               AND aml.parent_state = 'posted'
               AND aml.reconciled IS NOT TRUE
               AND aml.amount_residual != 0
               %(partner_filter)s
             ORDER BY aml.id
        """, company=company.id, partner_filter=partner_filter))

    @api.model
    def _late_payment_sent_levels(self, company, partners):
        """{commercial partner id: [(level id, last day a reminder to it reached that level)]}: the
        reminders that went (not the failed ones), and the levels its open lines reached without a
        reminder in the log (a quiet go-live counts them as reached; data kept from before the
        customer's cadence), in one query."""
        self.env["late.payment.reminder"].flush_model(["partner_id", "company_id", "level_id", "date", "result"])
        self.env["account.move.line"].flush_model(
            ["partner_id", "company_id", "late_payment_level_id", "late_payment_level_date", "reconciled"])
        rows = self.env.execute_query(SQL("""
            SELECT partner_id, level_id, MAX(date)
              FROM (SELECT partner_id, level_id, date
                      FROM late_payment_reminder
                     WHERE company_id = %(company)s AND partner_id = ANY(%(partners)s) AND result != 'failed'
                     UNION ALL
                    SELECT partner.commercial_partner_id, aml.late_payment_level_id, aml.late_payment_level_date
                      FROM account_move_line aml
                      JOIN res_partner partner ON partner.id = aml.partner_id
                     WHERE aml.company_id = %(company)s AND partner.commercial_partner_id = ANY(%(partners)s)
                       AND aml.late_payment_level_id IS NOT NULL AND aml.reconciled IS NOT TRUE) AS reached
             GROUP BY partner_id, level_id
        """, company=company.id, partners=list(partners.ids)))
        result = defaultdict(list)
        for partner_id, level_id, day in rows:
            result[partner_id].append((level_id, day))
        return result

    @api.model
    def _late_payment_risk_policies(self, partners, company):
        """{commercial partner id: policy of its risk class} (classes without a policy: none)."""
        dossiers = self.sudo().search_fetch([
            ("company_id", "=", company.id), ("partner_id", "in", partners.ids),
            ("risk_class_id.policy_id", "!=", False),
        ], ["partner_id", "risk_class_id"])
        return {dossier.partner_id.id: dossier.risk_class_id.policy_id for dossier in dossiers
                if dossier.risk_class_id.policy_id.active}

    @api.model
    def _late_payment_refresh_partners_everywhere(self, partners):
        """Refresh the follow-up of `partners` in every company where they have a dossier or
        something open (their proceedings opened or closed: reminders stop or resume)."""
        partners = partners.sudo().commercial_partner_id
        self.env["account.move.line"].flush_model(
            ["partner_id", "company_id", "reconciled", "parent_state", "account_id"])
        self.flush_model(["partner_id", "company_id"])
        rows = self.env.execute_query(SQL("""
            SELECT company_id FROM late_payment_dossier WHERE partner_id = ANY(%(partners)s)
             UNION
            SELECT aml.company_id FROM account_move_line aml
              JOIN res_partner p ON p.id = aml.partner_id
              JOIN account_account account ON account.id = aml.account_id
             WHERE p.commercial_partner_id = ANY(%(partners)s) AND aml.parent_state = 'posted'
               AND aml.reconciled IS NOT TRUE AND account.account_type = 'asset_receivable'
        """, partners=partners.ids))
        for company in self.env["res.company"].sudo().browse(sorted(row[0] for row in rows)):
            self._late_payment_refresh(partners=partners, company=company)

    @api.model
    def _late_payment_in_proceedings(self, partners):
        """Ids of the `partners` in open collective proceedings (BODACC): they get no reminder."""
        if not partners:
            return set()
        return set(partners.sudo().filtered_domain([("late_payment_proceedings_state", "=", "open")]).ids)

    @api.model
    def _late_payment_write_lines(self, company, partners, updates, open_ids):
        """Write the next level and date of each receivable line in one query, and clear them on
        the lines no longer open (paid, reset to draft)."""
        line_model = self.env["account.move.line"]
        fnames = ["late_payment_next_level_id", "late_payment_next_date"]
        if updates:
            values = SQL(", ").join(
                SQL("(%s, %s::int, %s::date)", line_id, level_id, when)
                for line_id, (level_id, when) in updates.items()
            )
            self.env.execute_query(SQL("""
                UPDATE account_move_line aml
                   SET late_payment_next_level_id = v.level_id, late_payment_next_date = v.next_date
                  FROM (VALUES %s) AS v(id, level_id, next_date)
                 WHERE aml.id = v.id
            """, values))
        if partners is not None:
            # the customers' lines found by partner first (materialized): otherwise PostgreSQL
            # scans the index of every dated line of the company, for each batch of the run
            cleared = self.env.execute_query(SQL("""
                WITH lines AS MATERIALIZED (
                    SELECT line.id, line.company_id, line.late_payment_next_date AS next_date
                      FROM account_move_line line
                     WHERE line.partner_id IN (SELECT id FROM res_partner WHERE commercial_partner_id = ANY(%s))
                )
                UPDATE account_move_line aml
                   SET late_payment_next_level_id = NULL, late_payment_next_date = NULL
                  FROM lines
                 WHERE aml.id = lines.id AND lines.company_id = %s AND lines.next_date IS NOT NULL
                   AND NOT (lines.id = ANY(%s))
             RETURNING aml.id
            """, list(partners.ids), company.id, open_ids))
        else:
            cleared = self.env.execute_query(SQL("""
                UPDATE account_move_line aml
                   SET late_payment_next_level_id = NULL, late_payment_next_date = NULL
                 WHERE aml.company_id = %s AND aml.late_payment_next_date IS NOT NULL AND NOT (aml.id = ANY(%s))
             RETURNING aml.id
            """, company.id, open_ids))
        if updates or cleared:
            line_model.invalidate_model(fnames)
            self.env["account.move"].invalidate_model(
                ["late_payment_next_level_id", "late_payment_next_action_date", "late_payment_status"])

    # -- incremental refresh -----------------------------------------------------------------
    @api.model
    def _late_payment_mark_dirty(self, lines):
        """The receivable `lines` changed (posted, paid, reset, excluded...): refresh their
        customers' dossiers once, just before the transaction commits."""
        lines = lines.filtered(lambda line: line.display_type == "payment_term" and line.partner_id)
        if not lines:
            return
        pairs = {(line.partner_id.commercial_partner_id.id, line.company_id.id) for line in lines
                 if line.account_type == "asset_receivable"}
        self._late_payment_mark_pairs(pairs)

    @api.model
    def _late_payment_mark_partners_dirty(self, partners, company):
        self._late_payment_mark_pairs({(partner.commercial_partner_id.id, company.id) for partner in partners})

    @api.model
    def _late_payment_mark_pairs(self, pairs):
        if not pairs:
            return
        data = self.env.cr.precommit.data
        if DIRTY_KEY not in data:
            data[DIRTY_KEY] = set()
            self.env.cr.precommit.add(self._late_payment_refresh_dirty)
        data[DIRTY_KEY] |= pairs

    @api.model
    def _late_payment_refresh_dirty(self):
        pairs = self.env.cr.precommit.data.pop(DIRTY_KEY, set())
        by_company = defaultdict(set)
        for partner_id, company_id in pairs:
            by_company[company_id].add(partner_id)
        partner_model = self.env["res.partner"].sudo()
        for company_id, partner_ids in by_company.items():
            # the follow-up state must never stop an invoice or a payment from being saved: if
            # its refresh fails, the nightly refresh will catch up
            # (flushed before and inside: a failure drops nothing but this refresh)
            self.env.flush_all()
            try:
                with self.env.cr.savepoint(flush=False):
                    self.sudo()._late_payment_refresh(
                        partners=partner_model.browse(partner_ids).exists(),
                        company=self.env["res.company"].sudo().browse(company_id))
                    self.env.flush_all()
            except Exception:
                self.env.clear()
                _logger.exception("Late payments: the follow-up state of partners %s could not be refreshed",
                                  sorted(partner_ids))

    # -- the daily run ---------------------------------------------------------------------------
    @api.model
    def _late_payment_run_candidates(self, company, today, include_done=False):
        """The customers the daily run processes in `company`: those with open receivables or a
        follow-up under way, but those it already processed today (unless `include_done`)."""
        done = SQL("""
            EXCEPT
            SELECT partner_id FROM late_payment_dossier WHERE company_id = %s AND last_run_date = %s
        """, company.id, today) if not include_done else SQL()
        self.env["account.move.line"].flush_model(["company_id", "account_id", "parent_state", "reconciled",
                                                   "amount_residual", "partner_id"])
        self.flush_model(["company_id", "status", "amount_due", "last_run_date", "partner_id"])
        rows = self.env.execute_query(SQL("""
            SELECT DISTINCT p.commercial_partner_id
              FROM account_move_line aml
              JOIN account_account account ON account.id = aml.account_id
              JOIN res_partner p ON p.id = aml.partner_id
             WHERE aml.company_id = %(company)s AND account.account_type = 'asset_receivable'
               AND aml.parent_state = 'posted' AND aml.reconciled IS NOT TRUE AND aml.amount_residual != 0
             UNION
            SELECT partner_id FROM late_payment_dossier
             WHERE company_id = %(company)s AND (status != 'none' OR amount_due != 0)
            %(done)s
        """, company=company.id, done=done))
        return sorted(row[0] for row in rows)

    @api.model
    def _late_payment_run_batch(self, company, partner_ids, send=True, origin="cron"):
        """One batch of the daily run: lock the customers (those another transaction holds are
        left for later), refresh them, send what is due when `send` (a business day), and mark
        them processed today. Returns the ids of the customers processed."""
        today = fields.Date.context_today(self)
        locked = self._late_payment_lock(company, partner_ids)
        if not locked:
            return []
        dossiers = self._late_payment_refresh(partners=self.env["res.partner"].browse(locked), company=company)
        self.env["late.payment.reminder"]._late_payment_send(
            dossiers, origin=origin, refresh=False, business_day=send)
        dossiers.sudo().with_context(tracking_disable=True).write({"last_run_date": today})
        return locked

    @api.model
    def _late_payment_mark_run(self, company, partner_ids, today):
        """These customers count as processed today by the daily run: a customer whose batch
        failed is left for the next run."""
        self.flush_model(["last_run_date"])
        self.env.cr.execute(SQL(
            "UPDATE late_payment_dossier SET last_run_date = %s WHERE company_id = %s AND partner_id = ANY(%s)",
            today, company.id, list(partner_ids)))
        self.invalidate_model(["last_run_date"])

    @api.model
    def _late_payment_lock(self, company, partner_ids):
        """Lock the follow-up of these customers in `company` for this transaction, without
        waiting: the ids of those locked (another transaction sending to one of the others right
        now holds it). PostgreSQL advisory locks, released at the end of the transaction."""
        if not partner_ids:
            return []
        rows = self.env.execute_query(SQL("""
            SELECT p FROM unnest(%s::int[]) AS p
             WHERE pg_try_advisory_xact_lock(hashtext(%s), p)
             ORDER BY p
        """, sorted(set(partner_ids)), f"account_late_payment.followup.{company.id}"))
        return [row[0] for row in rows]

    @api.model
    def _late_payment_collective_proceedings(self, partners, company):
        """{commercial partner id} of the customers in collective proceedings (no reminder may go
        to them), from their company status (BODACC)."""
        return self._late_payment_in_proceedings(partners.commercial_partner_id)

    @api.model
    def _late_payment_forget_dirty(self, partners, company):
        """These customers were just refreshed: no need to refresh them again at commit."""
        pairs = self.env.cr.precommit.data.get(DIRTY_KEY)
        if pairs:
            pairs.difference_update((partner.id, company.id) for partner in partners)

    def _late_payment_ask_for_manual_level(self):
        """The next level of these customers waits for an accountant: a task for the responsible,
        once per level."""
        dossiers = self.filtered(lambda dossier: dossier.manual_level_notified_id != dossier.next_level_id)
        if not dossiers:
            return
        todo = self.env.ref("mail.mail_activity_data_todo")
        model_id = self.env["ir.model"]._get_id(self._name)
        today = fields.Date.context_today(self)
        self.env["mail.activity"].sudo().with_context(mail_activity_quick_update=True).create([{
            "res_model_id": model_id,
            "res_id": dossier.id,
            "activity_type_id": todo.id,
            "user_id": dossier._late_payment_responsible().id,
            "date_deadline": today,
            "automated": True,
            "summary": self.env._("Send the %(level)s to %(customer)s", level=dossier.next_level_id.name,
                                  customer=dossier.partner_id.display_name),
            "note": self.env._("This level waits for an accountant: send it from the follow-up of the customer."),
        } for dossier in dossiers])
        for level, group in dossiers.grouped("next_level_id").items():
            group.sudo().with_context(tracking_disable=True).write({"manual_level_notified_id": level.id})

    # -- risk ----------------------------------------------------------------------------------
    # The score of engine/risk.py, per customer and company: a few grouped queries per batch of
    # customers, whatever its size.
    @api.depends("partner_id", "company_id")
    def _compute_risk_credit_limit(self):
        for company, dossiers in self.grouped("company_id").items():
            partners = dossiers.partner_id.with_company(company).sudo()
            partners.fetch(["credit_limit"])
            use_limits = company.account_use_credit_limit
            for dossier in dossiers:
                dossier.risk_credit_limit = dossier.partner_id.with_company(company).sudo().credit_limit \
                    if use_limits else 0.0

    def action_compute_risk(self):
        """Recompute these customers' follow-up state and risk score now (no commit)."""
        self._late_payment_check_user()
        for company, dossiers in self.grouped("company_id").items():
            self._late_payment_refresh(partners=dossiers.partner_id, company=company)
            self._late_payment_compute_risk(company, partners=dossiers.partner_id)
        return True

    @api.model
    def _late_payment_compute_risk(self, company, partners=None):
        """Score `partners` (their commercial partners; None: every customer with an invoice in
        the window, something open or a dossier) in `company`, in a bounded number of queries,
        and store the scores, classes and factors on their dossiers (made when missing) and on
        the customers. Returns the dossiers scored."""
        dossier_model = self.sudo().with_context(tracking_disable=True, mail_create_nolog=True, mail_notrack=True)
        company = company.sudo()
        today = fields.Date.context_today(self)
        weights = company._late_payment_risk_weights()
        if partners is None:
            partner_ids = dossier_model._late_payment_risk_candidates(company, today, weights)
        else:
            partner_ids = sorted(set(partners.sudo().commercial_partner_id.ids))
        if not partner_ids:
            return self.browse()
        dossiers = dossier_model._late_payment_risk_dossiers(company, partner_ids)
        inputs, levels = dossier_model._late_payment_risk_inputs(company, dossiers, today, weights)
        results = risk.score_customers(inputs, weights)
        dossier_model._late_payment_risk_write(company, dossiers, results, levels, today)
        return dossiers.with_env(self.env)

    @api.model
    def _late_payment_risk_candidates(self, company, today, weights, exclude_scored_on=None):
        """Ids of the customers to score in `company`: an invoice in the window, something
        unpaid, or a dossier (but not those already scored on `exclude_scored_on`)."""
        self.env["account.move"].flush_model(["commercial_partner_id", "company_id", "state", "move_type",
                                              "invoice_date", "payment_state"])
        self.flush_model(["partner_id", "company_id", "risk_date"])
        start = kpi.months_before(today, weights.window_months)
        exclude = SQL("""
            EXCEPT SELECT partner_id FROM late_payment_dossier WHERE company_id = %s AND risk_date = %s
        """, company.id, exclude_scored_on) if exclude_scored_on else SQL()
        rows = self.env.execute_query(SQL("""
            SELECT move.commercial_partner_id
              FROM account_move move
             WHERE move.company_id = %(company)s AND move.state = 'posted'
               AND move.move_type IN ('out_invoice', 'out_refund', 'out_receipt')
               AND move.commercial_partner_id IS NOT NULL
               AND (move.invoice_date > %(start)s OR move.payment_state IN ('not_paid', 'partial'))
             UNION
            SELECT partner_id FROM late_payment_dossier WHERE company_id = %(company)s
            %(exclude)s
        """, company=company.id, start=start, exclude=exclude))
        return sorted(row[0] for row in rows)

    @api.model
    def _late_payment_risk_dossiers(self, company, partner_ids):
        """The dossiers of `partner_ids` in `company`, made (with their follow-up state) for the
        customers that have none."""
        fnames = ["partner_id", "amount_overdue", "risk_class_id", "risk_score", "risk_no_history"]
        domain = [("company_id", "=", company.id), ("partner_id", "in", partner_ids)]
        dossiers = self.search_fetch(domain, fnames)
        missing = set(partner_ids) - set(dossiers.partner_id.ids)
        if missing:
            self._late_payment_refresh(partners=self.env["res.partner"].browse(sorted(missing)), company=company,
                                       ensure=True)
            dossiers = self.search_fetch(domain, fnames)
        return dossiers

    @api.model
    def _late_payment_risk_inputs(self, company, dossiers, today, weights):
        """({partner id: engine RiskInput}, {partner id: highest level reached}) of the
        customers of `dossiers`, in a few grouped queries."""
        partner_ids = dossiers.partner_id.ids
        start = kpi.months_before(today, weights.window_months)
        settled = self._late_payment_risk_settled(company, partner_ids, start, today)
        overdue = {dossier.partner_id.id: dossier.amount_overdue for dossier in dossiers}
        credit_limits = {}
        if company.account_use_credit_limit:
            partners = self.env["res.partner"].browse(partner_ids).with_company(company)
            partners.fetch(["credit_limit"])
            credit_limits = {partner.id: partner.credit_limit for partner in partners if partner.credit_limit > 0}
        sales = self.env["account.move"]._read_group(
            [("company_id", "=", company.id), ("state", "=", "posted"),
             ("move_type", "in", ("out_invoice", "out_refund", "out_receipt")),
             ("commercial_partner_id", "in", partner_ids), ("invoice_date", ">", start),
             ("invoice_date", "<=", today)],
            ["commercial_partner_id"], ["amount_total_signed:sum"])
        monthly_sales = {partner.id: total / weights.window_months for partner, total in sales}
        levels = self._late_payment_risk_levels(company, partner_ids, start, today, weights)
        incidents = self._late_payment_risk_incidents(self.env["res.partner"].browse(partner_ids), company)
        inputs = risk.build_inputs(
            settled, today, overdue=overdue, credit_limits=credit_limits, monthly_sales=monthly_sales,
            levels={partner_id: points for partner_id, (_level, points) in levels.items()},
            disputes={key: value[0] for key, value in incidents.items()},
            broken_promises={key: value[1] for key, value in incidents.items()},
            weights=weights)
        return inputs, {partner_id: level for partner_id, (level, _points) in levels.items()}

    @api.model
    def _late_payment_risk_settled(self, company, partner_ids, start, today):
        """(partner id, amount, due date, paid date) of the receivable lines of the customers'
        invoices settled (fully matched) after `start`, in company currency; the paid date is
        the date of the last payment, credit note or entry matched with the line."""
        self.env["account.move.line"].flush_model([
            "account_id", "balance", "company_id", "parent_state", "partner_id", "reconciled", "date_maturity",
            "date", "move_id"])
        self.env["account.move"].flush_model(["move_type", "payment_state"])
        self.env["account.partial.reconcile"].flush_model(["debit_move_id", "max_date"])
        return self.env.execute_query(SQL("""
            SELECT p.commercial_partner_id, aml.balance, COALESCE(aml.date_maturity, aml.date), MAX(part.max_date)
              FROM account_move_line aml
              JOIN account_account account ON account.id = aml.account_id
              JOIN account_move move ON move.id = aml.move_id
              JOIN res_partner p ON p.id = aml.partner_id
              JOIN account_partial_reconcile part ON part.debit_move_id = aml.id
             WHERE aml.company_id = %(company)s
               -- the batch's lines by partner (its index), not a scan of every line of the company
               AND aml.partner_id IN (SELECT id FROM res_partner WHERE commercial_partner_id = ANY(%(partners)s))
               AND account.account_type = 'asset_receivable'
               AND aml.parent_state = 'posted'
               AND aml.reconciled
               AND aml.balance > 0
               AND move.move_type IN ('out_invoice', 'out_receipt')
               AND move.payment_state != 'reversed'
               AND p.commercial_partner_id = ANY(%(partners)s)
             GROUP BY aml.id, p.commercial_partner_id
            HAVING MAX(part.max_date) > %(start)s AND MAX(part.max_date) <= %(today)s
        """, company=company.id, partners=partner_ids, start=start, today=today))

    @api.model
    def _late_payment_risk_levels(self, company, partner_ids, start, today, weights):
        """{partner id: (highest level reached in the window, its points)}: an escalation gives
        the collection points, a formal notice the formal-notice points, the levels after the
        due date before them points in proportion to their rank, those before it none."""
        self.env["account.move.line"].flush_model(["late_payment_level_id", "late_payment_level_date", "partner_id"])
        rows = self.env.execute_query(SQL("""
            SELECT p.commercial_partner_id, aml.late_payment_level_id
              FROM account_move_line aml
              JOIN res_partner p ON p.id = aml.partner_id
             WHERE aml.company_id = %s AND aml.late_payment_level_id IS NOT NULL
               AND aml.late_payment_level_date > %s AND aml.late_payment_level_date <= %s
               AND p.commercial_partner_id = ANY(%s)
             GROUP BY 1, 2
        """, company.id, start, today, partner_ids))
        levels = self.env["late.payment.level"].browse({level_id for _partner, level_id in rows}).exists()
        points = levels._late_payment_risk_points(weights)
        best = {}
        for partner_id, level_id in rows:
            if level_id in points and (partner_id not in best or points[level_id] > best[partner_id][1]):
                best[partner_id] = (levels.browse(level_id), points[level_id])
        return best

    @api.model
    def _late_payment_risk_write(self, company, dossiers, results, levels, today):
        """Store the results on the dossiers (score, class, factors) and on the customers (score
        and class in the company, for lists, filters and group-by), in a few queries; log the
        class changes on the dossiers and refresh the follow-up of the customers whose class
        changes their policy."""
        by_partner = {dossier.partner_id.id: dossier for dossier in dossiers}
        classes = self.env["late.payment.risk.class"]._late_payment_classify(
            company, {partner_id: result.score for partner_id, result in results.items()})
        old_classes = {dossier.id: dossier.risk_class_id for dossier in dossiers}
        rows = []
        for partner_id, result in results.items():
            dossier = by_partner.get(partner_id)
            if dossier:
                rows.append((dossier.id, partner_id, result.score, classes[partner_id].id or None, result.no_history))
        if not rows:
            return
        self.env.execute_query(SQL("""
            UPDATE late_payment_dossier dossier
               SET risk_score = v.score, risk_class_id = v.class_id, risk_no_history = v.no_history,
                   risk_date = %s
              FROM (VALUES %s) AS v(id, score, class_id, no_history)
             WHERE dossier.id = v.id
        """, today, SQL(", ").join(
            SQL("(%s, %s::float8, %s::int4, %s::bool)", dossier_id, score, class_id, no_history)
            for dossier_id, _partner_id, score, class_id, no_history in rows)))
        self._late_payment_risk_write_factors(company, by_partner, results, levels)
        company_key = str(company.id)
        self.env["res.partner"].flush_model(
            ["late_payment_risk_score", "late_payment_risk_class_id", "late_payment_risk_no_history"])
        self.env.execute_query(SQL("""
            UPDATE res_partner partner
               SET late_payment_risk_score = COALESCE(partner.late_payment_risk_score, '{}'::jsonb)
                       || jsonb_build_object(%(key)s::text, v.score),
                   late_payment_risk_class_id = COALESCE(partner.late_payment_risk_class_id, '{}'::jsonb)
                       || jsonb_build_object(%(key)s::text, v.class_id),
                   late_payment_risk_no_history = COALESCE(partner.late_payment_risk_no_history, '{}'::jsonb)
                       || jsonb_build_object(%(key)s::text, v.no_history)
              FROM (VALUES %(values)s) AS v(id, score, class_id, no_history)
             WHERE partner.id = v.id
        """, key=company_key, values=SQL(", ").join(
            SQL("(%s, %s::float8, %s::int4, %s::bool)", partner_id, score, class_id, no_history)
            for _dossier_id, partner_id, score, class_id, no_history in rows)))
        self.invalidate_model(["risk_score", "risk_class_id", "risk_no_history", "risk_date", "risk_factor_ids"])
        self.env["res.partner"].invalidate_model(
            ["late_payment_risk_score", "late_payment_risk_class_id", "late_payment_risk_no_history"])
        # what changed class: a note on the dossier, and the policy of the new class
        changed = {dossier_id: (old_classes[dossier_id], classes[partner_id], score)
                   for dossier_id, partner_id, score, _class_id, _no_history in rows
                   if old_classes[dossier_id] != classes[partner_id]}
        bodies = {
            dossier_id: Markup("%s") % self.env._(
                "Risk class: %(old)s \u2192 %(new)s (score %(score)s).",
                old=old.name, new=new.name or self.env._("none"), score=formatLang(self.env, score, digits=1))
            for dossier_id, (old, new, score) in changed.items() if old
        }
        if bodies:
            self.browse(list(bodies))._message_log_batch(bodies)
        repolicy = [dossier_id for dossier_id, (old, new, _score) in changed.items() if old.policy_id != new.policy_id]
        if repolicy:
            self._late_payment_refresh(partners=self.browse(repolicy).partner_id, company=company)

    @api.model
    def _late_payment_risk_write_factors(self, company, by_partner, results, levels):
        """Replace the factors of the dossiers whose factors changed (two queries)."""
        rows = []
        for partner_id, result in results.items():
            dossier = by_partner.get(partner_id)
            if not dossier:
                continue
            for sequence, factor in enumerate(result.factors, start=1):
                level = levels.get(partner_id) if factor.unit == "level" else None
                has_value = isinstance(factor.value, int | float) and not isinstance(factor.value, bool)
                value = round(float(factor.value), 4) if has_value else None
                rows.append((dossier.id, sequence, factor.code, value, has_value, factor.unit,
                             level.id if level else None, round(factor.points, 4), round(factor.weight, 4)))
        factor_model = self.env["late.payment.risk.factor"]
        factor_model.flush_model()
        dossier_ids = [dossier.id for dossier in by_partner.values()]
        current = defaultdict(list)
        for row in self.env.execute_query(SQL("""
            SELECT dossier_id, sequence, code, value, has_value, unit, level_id, points, weight
              FROM late_payment_risk_factor WHERE dossier_id = ANY(%s) ORDER BY dossier_id, sequence, id
        """, dossier_ids)):
            current[row[0]].append(tuple(float(item) if isinstance(item, Decimal) else item for item in row))
        wanted = defaultdict(list)
        for row in rows:
            wanted[row[0]].append(row)

        def same(old, new):
            return all(
                (a == b) if not isinstance(a, float | int) or isinstance(a, bool) or a is None or b is None
                else abs(a - b) < 1e-3
                for a, b in zip(old, new, strict=True))

        stale = [dossier_id for dossier_id in dossier_ids
                 if len(current[dossier_id]) != len(wanted[dossier_id])
                 or not all(same(old, new) for old, new in zip(current[dossier_id], wanted[dossier_id], strict=True))]
        if not stale:
            return
        stale_set = set(stale)
        uid = self.env.uid
        self.env.execute_query(SQL("""
            WITH gone AS (DELETE FROM late_payment_risk_factor WHERE dossier_id = ANY(%s))
            INSERT INTO late_payment_risk_factor
                   (dossier_id, company_id, sequence, code, value, has_value, unit, level_id, points, weight,
                    create_uid, write_uid, create_date, write_date)
            SELECT v.dossier_id, %s, v.sequence, v.code, v.value, v.has_value, v.unit, v.level_id, v.points,
                   v.weight, %s, %s, NOW() AT TIME ZONE 'UTC', NOW() AT TIME ZONE 'UTC'
              FROM (VALUES %s) AS v(dossier_id, sequence, code, value, has_value, unit, level_id, points, weight)
        """, stale, company.id, uid, uid, SQL(", ").join(
            SQL("(%s, %s, %s, %s::float8, %s, %s, %s::int4, %s::float8, %s::float8)", *row)
            for row in rows if row[0] in stale_set)))
        factor_model.invalidate_model()

    # -- scheduled action ------------------------------------------------------------------------
    @api.model
    def _cron_late_payment_risk(self, batch_size=500):
        """Every night: the risk score of every customer in every company, by batches of a few
        queries each, bounded by time (late.payment.batch); a rerun the same day skips the
        customers already scored; a customer whose scoring fails is skipped until tomorrow and
        reported to the administrators."""
        today = fields.Date.context_today(self)
        todo = [
            (company, self._late_payment_risk_candidates(company, today, company._late_payment_risk_weights(),
                                                         exclude_scored_on=today))
            for company in self.env["res.company"].search_fetch([], ["currency_id"])]

        def process(company, ids):
            self._late_payment_compute_risk(company, partners=self.env["res.partner"].browse(ids))

        def skip(company, ids, _error):
            self._late_payment_risk_mark_scored(company, ids, today)

        self.env["late.payment.batch"]._late_payment_batches(
            self.env._("Risk scores"), todo, process, skip=skip, describe=self._late_payment_describe_partner,
            first_size=100, max_size=batch_size)

    @api.model
    def _late_payment_risk_mark_scored(self, company, partner_ids, today):
        """These customers count as scored today (a failed one waits for tomorrow's run)."""
        self.flush_model(["risk_date"])
        self.env.cr.execute(SQL(
            "UPDATE late_payment_dossier SET risk_date = %s WHERE company_id = %s AND partner_id = ANY(%s)",
            today, company.id, list(partner_ids)))
        self.invalidate_model(["risk_date"])

    @api.model
    def _late_payment_describe_partner(self, _key, partner_id):
        return self.env["res.partner"].sudo().browse(partner_id).display_name

    # -- preview -----------------------------------------------------------------------------
    @api.depends("next_level_id", "next_tone_id", "next_action_date", "status")
    @api.depends_context("lang")
    def _compute_preview(self):
        reminder_model = self.env["late.payment.reminder"]
        channel_labels = {
            channel: reminder_model._fields[fname].get_description(self.env)["string"]
            for channel, fname in CHANNEL_FIELDS.items()}
        for dossier in self:
            preview = reminder_model._late_payment_preview(dossier) if dossier.id else None
            if not preview:
                dossier.update({"preview_available": False, "preview_summary": False, "preview_subject": False,
                                "preview_email": False, "preview_letter": False})
                continue
            dossier.update({
                "preview_available": True,
                "preview_summary": self.env._(
                    "%(date)s: %(level)s, tone %(tone)s, by %(channels)s, to %(recipient)s",
                    date=format_date(self.env, preview["date"]), level=preview["level"].name,
                    tone=preview["tone"].name or "", recipient=preview["recipient"].display_name,
                    channels=", ".join(label for channel, label in channel_labels.items()
                                       if channel in preview["channels"])),
                "preview_subject": preview["subject"],
                "preview_email": preview["body_html"],
                "preview_letter": preview["letter_body"],
            })

    # -- postponing ----------------------------------------------------------------------------
    @api.model
    def _late_payment_postponed_until(self, partners, company, paused):
        """Add to `paused` the postponed dossiers: paused until the day before their date (their
        next action is planned on that date at the soonest)."""
        today = fields.Date.context_today(self)
        for dossier in self.sudo().search_fetch([
            ("company_id", "=", company.id), ("partner_id", "in", partners.ids),
            ("postponed_until", ">", today),
        ], ["partner_id", "postponed_until"]):
            until = dossier.postponed_until - timedelta(days=1)
            current = paused.get(dossier.partner_id.id)
            paused[dossier.partner_id.id] = max(current, until) if current else until
        return paused

    def _late_payment_postpone(self, day, reason=False):
        """No reminder to these customers before `day` (their next action moves to it)."""
        self._late_payment_check_user()
        api_model = self.env["late.payment.api"]
        api_model._late_payment_check_text(reason, self.env._("The reason"))
        day = api_model._late_payment_check_date(day, self.env._("The date")) if day else day
        today = fields.Date.context_today(self)
        if not day or day <= today:
            raise UserError(self.env._("Postpone the follow-up to a day after today."))
        self.write({"postponed_until": day})
        body = self.env._("Follow-up postponed to %(date)s.", date=format_date(self.env, day))
        for dossier in self:
            dossier.message_post(body=Markup("<p>%s</p>%s") % (
                body, Markup("<p>%s</p>") % reason if reason else ""), subtype_xmlid="mail.mt_note")
        self.action_refresh()

    # -- calls -----------------------------------------------------------------------------------
    def _late_payment_log_call(self, outcome, note=False):
        """Log a phone call with its outcome on each dossier (and mark its pending call done)."""
        self._late_payment_check_user()
        self.env["late.payment.api"]._late_payment_check_text(note, self.env._("The note"))
        call_type = self.env.ref("mail.mail_activity_data_call")
        outcome_label = dict(self.env["late.payment.call.wizard"]._fields["outcome"]._description_selection(
            self.env))[outcome]
        for dossier in self:
            body = Markup("<p>%s</p>") % self.env._("Phone call: %(outcome)s.", outcome=outcome_label)
            if note:
                body += Markup("<p>%s</p>") % note
            calls = dossier.activity_ids.filtered(lambda activity: activity.activity_type_id == call_type)
            if calls:
                calls.action_feedback(feedback=body)
            else:
                dossier.message_post(body=body, subtype_xmlid="mail.mt_note")

    # -- formal notice -------------------------------------------------------------------------
    def _late_payment_record_formal_notice(self, reference, received_date=False):
        self._late_payment_check_user()
        api_model = self.env["late.payment.api"]
        api_model._late_payment_check_text(reference, self.env._("The registered-mail number"), SHORT_TEXT_MAX)
        if received_date:
            api_model._late_payment_check_date(received_date, self.env._("The day it was received"))
        if not reference:
            raise UserError(self.env._("Enter the registered-mail number of the formal notice."))
        if received_date and received_date > fields.Date.context_today(self):
            raise UserError(self.env._("The formal notice cannot have been received in the future."))
        self.write({"formal_notice_reference": reference, "formal_notice_received_date": received_date})

    # -- excluding lines -----------------------------------------------------------------------
    @api.model
    def _late_payment_exclude_lines(self, lines, reason):
        """Leave these receivable lines out of the follow-up (Odoo's no_followup), with a reason."""
        self._late_payment_check_user()
        if not (reason or "").strip():
            raise UserError(self.env._("Give the reason for leaving the invoice out of the follow-up."))
        self.env["late.payment.api"]._late_payment_check_text(reason, self.env._("The reason"))
        check_records(lines, "read")
        lines = lines.filtered(lambda line: line.account_type == "asset_receivable")
        if not lines:
            raise UserError(self.env._("Select the open items to leave out of the follow-up."))
        # sudo: the exclusion is written on journal items the follow-up user can read, not edit
        lines.sudo().write({"no_followup": True, "late_payment_exclusion_reason": reason})
        for move in lines.move_id:
            move.sudo().message_post(body=self.env._(
                "Left out of the follow-up: %(reason)s", reason=reason), subtype_xmlid="mail.mt_note")
        dossiers = self.search([("partner_id", "in", lines.partner_id.commercial_partner_id.ids),
                                ("company_id", "in", lines.company_id.ids)])
        dossiers.action_refresh()
        return dossiers

    # -- sending and printing --------------------------------------------------------------------
    def _late_payment_check_user(self, operation="write"):
        """The caller is a late payment user who may `operation` these dossiers, in its companies:
        what every button and RPC call on dossiers checks before anything runs as superuser."""
        if not self.env.su and not self.env.user.has_group(USER_GROUP):
            raise AccessError(self.env._("Only the late payment users may work the follow-up."))
        check_records(self, operation)

    def action_send_reminder(self):
        """Send now the reminder due to these customers (the levels waiting for an accountant
        included), through the one send path."""
        self._late_payment_check_user()
        reminders = self.env["late.payment.reminder"]._late_payment_send(
            self, origin="console", include_manual=True)
        if not reminders:
            raise UserError(self.env._("Nothing to send: no reminder is due to these customers today."))
        message = self.env._("%(count)s reminders sent.", count=len(reminders))
        queued = reminders.filtered(lambda reminder: reminder.letter_state == "queued")
        if queued:
            message = self.env._("%(count)s reminders sent; %(letters)s letters wait to be printed.",
                                 count=len(reminders), letters=len(queued))
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {"title": self.env._("Follow-up"), "message": message, "type": "success",
                       "next": {"type": "ir.actions.client", "tag": "soft_reload"}},
        }

    def action_send_reminders_confirm(self):
        """The console's "Send reminders" for the customers selected: first a summary of what
        would go out (nothing is sent before it is confirmed)."""
        return self._late_payment_open_wizard("late.payment.send.wizard", self.env._("Send the reminders"))

    def action_print_statement(self):
        self._late_payment_check_user("read")
        return self.env.ref(STATEMENT_REPORT).report_action(self, config=False)

    def action_print_letters(self):
        """Print the letters of these customers' last reminders that wait to be printed."""
        self._late_payment_check_user()
        letters = self.env["late.payment.reminder"].search([
            ("dossier_id", "in", self.ids), ("letter_state", "=", "queued")])
        if not letters:
            raise UserError(self.env._("No letter of these customers waits to be printed."))
        return letters.action_print_letters()

    @api.model
    def _late_payment_active_dossiers(self):
        """The dossiers the console's dialogs act on: those selected (active_ids) in the console."""
        context = self.env.context
        if context.get("active_model") != self._name:
            return self.browse()
        return self.browse(context.get("active_ids") or [])

    def _late_payment_open_wizard(self, model, name):
        self._late_payment_check_user()
        return {
            "type": "ir.actions.act_window",
            "name": name,
            "res_model": model,
            "view_mode": "form",
            "target": "new",
            "context": {"active_model": self._name, "active_ids": self.ids},
        }

    def action_log_call(self):
        return self._late_payment_open_wizard("late.payment.call.wizard", self.env._("Log a call"))

    def action_postpone(self):
        return self._late_payment_open_wizard("late.payment.postpone.wizard", self.env._("Postpone the follow-up"))

    def action_exclude_lines(self):
        self.ensure_one()
        return self._late_payment_open_wizard("late.payment.exclude.wizard", self.env._("Leave out of the follow-up"))

    def action_record_formal_notice(self):
        self.ensure_one()
        return self._late_payment_open_wizard("late.payment.formal.notice.wizard",
                                              self.env._("Proof of the formal notice"))

    # -- the reminder's documents ------------------------------------------------------------------
    def _late_payment_amounts_detail(self, lines, overdue=None):
        """What the email and the letter print below their text, for the receivable `lines` they
        list (account.move.line or late.payment.reminder.line: every open line of the customer):
        the customer's unapplied credits (each once), the overdue balance (`overdue`, the
        reminder's; else the dossier's: the one figure every screen shows), the total due (lines
        and credits, in the company's currency), how to pay by bank transfer (the company's bank
        account and the reference) and the invoices' payment links."""
        self.ensure_one()
        company = self.company_id
        currency = company.currency_id
        credit_lines = self.line_ids.filtered(lambda line: line.amount_residual < 0).sorted(
            lambda line: (line.date, line.id))
        total = currency.round(sum(lines.mapped("amount_residual")) + sum(credit_lines.mapped("amount_residual")))
        bank = (lines.move_id.partner_bank_id[:1] or company.partner_id.bank_ids.filtered(
            lambda account: not account.company_id or account.company_id == company)[:1])
        invoices = lines.move_id.filtered(lambda move: move.is_invoice(include_receipts=True))
        if not self.env.cr.readonly:  # a preview read in a read-only transaction links without a token
            invoices._late_payment_ensure_access_tokens()
        return {
            "credits": credit_lines,
            "overdue": self.amount_overdue if overdue is None else overdue,
            "total": total,
            "currency": currency,
            "bank": bank,
            "communication": ", ".join(lines.move_id.mapped(lambda move: move.payment_reference or move.name)),
            "links": [(move, move.get_base_url() + (move.get_portal_url() if move.access_token else move.access_url))
                      for move in invoices],
        }

    def _late_payment_email_body(self):
        """The body of the reminder email (the tones' email templates print it), in the language
        being rendered: the text of the reminder's tone (the same as the printed letter's), then
        the reminded invoices, the credits, the total due and how to pay. The tone is the one
        being sent (context key late_payment_tone_id), else the customer's next tone (a template
        used by hand)."""
        self.ensure_one()
        check_records(self, "read")
        # sudo: the lines, credits and bank details of a dossier the caller may read
        dossier = self.sudo()
        today = fields.Date.context_today(self)
        at_date = max(dossier.next_action_date or today, today)  # the day the reminder goes out
        tone_id = self.env.context.get("late_payment_tone_id")
        tone = (dossier.next_tone_id.browse(tone_id) if tone_id
                else dossier.next_tone_id or dossier.next_level_id.tone_id)
        text = tone._late_payment_render_text(dossier, "email", lang=self.env.lang)[dossier.id] if tone else ""
        lines = dossier.reminder_line_ids or dossier.line_ids.filtered(lambda line: line.amount_residual > 0)
        details = self.env["ir.qweb"]._render("account_late_payment.late_payment_email_details", {
            "object": dossier,
            "lines": lines,
            "at_date": at_date,
            "detail": dossier._late_payment_amounts_detail(lines),
            "format_date": lambda day: format_date(self.env, day) if day else "",
            "format_amount": lambda amount, currency: format_amount(self.env, amount, currency),
        }, minimal_qcontext=True)
        return Markup(text) + details

    # -- statement of account --------------------------------------------------------------------
    def _late_payment_statement_data(self):
        """The statement of account: every open item of the customer, its age bucket (see
        engine/kpi.py), and the totals per bucket."""
        self.ensure_one()
        today = fields.Date.context_today(self)
        lines = self.env["account.move.line"].sudo().search(self._open_lines_domain(), order="date_maturity, id")
        rows = []
        for line in lines:
            due = line.date_maturity or line.date
            bucket = kpi.bucket_of(due, today) if line.amount_residual > 0 else "credit"
            rows.append({"line": line, "due": due, "days": max(kpi.days_past_due(due, today), 0), "bucket": bucket})
        balance = kpi.aged_balance([(line.amount_residual, line.date_maturity or line.date) for line in lines], today)
        credit_total = sum(line.amount_residual for line in lines if line.amount_residual < 0)
        buckets = balance.as_dict()
        return {
            "today": today,
            "rows": rows,
            "buckets": [(code, buckets[code]) for code in kpi.BUCKETS],
            "bucket_labels": dict(self.env["late.payment.receivable.report"]._fields["bucket"]._description_selection(
                self.env)),
            "credits": credit_total,
            "total": self.company_id.currency_id.round(sum(lines.mapped("amount_residual"))),
            "currency": self.company_id.currency_id,
        }

    @api.depends("partner_id", "company_id")
    def _compute_settlement(self):
        domain = [("partner_id", "in", self.partner_id.ids), ("company_id", "in", self.company_id.ids)]
        promises = self.env["late.payment.promise"].search(domain).grouped(lambda r: (r.partner_id, r.company_id))
        plans = self.env["late.payment.plan"].search(domain).grouped(lambda r: (r.partner_id, r.company_id))
        disputes = self.env["late.payment.dispute"].search(domain).grouped(lambda r: (r.partner_id, r.company_id))
        for dossier in self:
            key = (dossier.partner_id, dossier.company_id)
            dossier.promise_ids = promises.get(key, self.env["late.payment.promise"])
            dossier.plan_ids = plans.get(key, self.env["late.payment.plan"])
            dossier.dispute_ids = disputes.get(key, self.env["late.payment.dispute"])
            dossier.open_promise_id = dossier.promise_ids.filtered(lambda p: p.state == "open")[:1]
            dossier.running_plan_id = dossier.plan_ids.filtered(lambda p: p.state == "running")[:1]
            dossier.open_dispute_count = len(dossier.dispute_ids.filtered(lambda d: d.state == "open"))

    # -- settlement: promises, plans, disputes, collection ------------------------------------------
    @api.model
    def _late_payment_paused_until(self, partners, company):
        """{commercial partner id: date until which its reminders pause}: the console's
        postponements (the whole customer). Promises and plans pause their own invoices only
        (_late_payment_paused_moves)."""
        return self._late_payment_postponed_until(partners, company, {})

    @api.model
    def _late_payment_paused_moves(self, partners, company):
        """{invoice id: date until which its reminders pause} for the invoices of the open
        promises (their promised date) and of the running plans (engine/settlement.py: their last
        instalment plus the grace days) of the customers, in one query. Their other invoices are
        followed as usual."""
        if not partners:
            return {}
        self.env["late.payment.promise"].flush_model(["partner_id", "company_id", "state", "date", "move_ids"])
        self.env["late.payment.plan"].flush_model(["partner_id", "company_id", "state", "grace_days", "move_ids"])
        self.env["late.payment.plan.line"].flush_model(["plan_id", "date"])
        paused = {}

        def pause(move_id, until):
            if until:
                paused[move_id] = max(until, paused[move_id]) if move_id in paused else until

        for move_id, promised, grace_days, dates in self.env.execute_query(SQL("""
            SELECT rel.move_id, promise.date, NULL, NULL
              FROM late_payment_promise promise
              JOIN late_payment_promise_move_rel rel ON rel.promise_id = promise.id
             WHERE promise.company_id = %(company)s AND promise.state = 'open'
               AND promise.partner_id = ANY(%(partners)s)
             UNION ALL
            SELECT rel.move_id, NULL, plan.grace_days,
                   ARRAY(SELECT line.date FROM late_payment_plan_line line WHERE line.plan_id = plan.id)
              FROM late_payment_plan plan
              JOIN late_payment_plan_move_rel rel ON rel.plan_id = plan.id
             WHERE plan.company_id = %(company)s AND plan.state = 'running'
               AND plan.partner_id = ANY(%(partners)s)
        """, company=company.id, partners=partners.ids)):
            pause(move_id, promised or settlement.paused_until(dates, grace_days or 0))
        return paused

    @api.model
    def _late_payment_risk_incidents(self, partners, company):
        """{commercial partner id: (disputes opened, promises broken) in the last 12 months}
        (one query)."""
        if not partners:
            return {}
        start = fields.Date.today() - timedelta(days=365)
        self.env["late.payment.dispute"].flush_model(["partner_id", "company_id", "date_opened"])
        self.env["late.payment.promise"].flush_model(["partner_id", "company_id", "state", "date"])
        rows = self.env.execute_query(SQL("""
            SELECT partner_id, SUM(disputes), SUM(broken) FROM (
                SELECT partner_id, 1 AS disputes, 0 AS broken FROM late_payment_dispute
                 WHERE company_id = %(company)s AND partner_id = ANY(%(partners)s) AND date_opened > %(start)s
                 UNION ALL
                SELECT partner_id, 0, 1 FROM late_payment_promise
                 WHERE company_id = %(company)s AND partner_id = ANY(%(partners)s) AND state = 'broken'
                   AND date > %(start)s
            ) incidents GROUP BY partner_id
        """, company=company.id, partners=partners.ids, start=start))
        return {partner_id: (int(disputes), int(broken)) for partner_id, disputes, broken in rows}

    @api.model
    def _late_payment_collection_states(self, partners, company):
        """{commercial partner id: True (in collection) or False (taken back)} for the engine
        (one query)."""
        if not partners:
            return {}
        self.flush_model(["partner_id", "company_id", "collection_state"])
        rows = self.env.execute_query(SQL("""
            SELECT partner_id, collection_state FROM late_payment_dossier
             WHERE company_id = %s AND collection_state IS NOT NULL AND partner_id = ANY(%s)
        """, company.id, partners.ids))
        return {partner_id: state == "collection" for partner_id, state in rows}

    @api.model
    def _late_payment_settlement_status(self, partners, company):
        """{partner id: {"promise": {"date": iso, "amount": float} or None, "plan": state or None}}
        of the commercial partners of `partners` in `company` (for the API's status)."""
        commercial = partners.commercial_partner_id
        promises = self.env["late.payment.promise"].search_fetch(
            [("partner_id", "in", commercial.ids), ("company_id", "=", company.id), ("state", "=", "open")],
            ["partner_id", "date", "amount"], order="date desc, id desc")
        plans = self.env["late.payment.plan"].search_fetch(
            [("partner_id", "in", commercial.ids), ("company_id", "=", company.id)],
            ["partner_id", "state"], order="date desc, id desc")
        promise_of, plan_of = {}, {}
        for promise in promises:
            promise_of.setdefault(promise.partner_id.id, {
                "date": fields.Date.to_string(promise.date), "amount": promise.amount})
        for plan in plans:
            plan_of.setdefault(plan.partner_id.id, plan.state)
        return {partner.id: {"promise": promise_of.get(partner.commercial_partner_id.id),
                             "plan": plan_of.get(partner.commercial_partner_id.id)} for partner in partners}

    def _late_payment_settlement_activity(self, summary, note=None):
        """A to-do for the customer's responsible on the dossier."""
        for dossier in self:
            dossier.sudo().activity_schedule(
                "mail.mail_activity_data_todo", date_deadline=fields.Date.context_today(self),
                summary=summary, note=note or False, user_id=dossier._late_payment_responsible().id)

    # -- collection ---------------------------------------------------------------------------
    def _late_payment_escalate(self, automatic=False):
        """Hand these customers to collection: no more automatic reminders, a to-do for the
        responsible to send the collection dossier (to the agency or the court)."""
        today = fields.Date.context_today(self)
        todo = self.filtered(lambda d: d.collection_state != "collection")
        if not todo:
            return self.browse()
        todo.sudo().write({"collection_state": "collection", "collection_date": today})
        for dossier in todo:
            body = self.env._("Handed to collection by the escalation level.") if automatic else self.env._(
                "Handed to collection by %(user)s.", user=self.env.user.name)
            dossier.sudo().message_post(body=body)
            dossier.partner_id.sudo()._message_log(body=body)
            dossier._late_payment_settlement_activity(
                self.env._("Send the collection dossier of %(customer)s", customer=dossier.partner_id.name),
                self.env._("Print the collection dossier and send it to the collection agency or the court."))
        for company, dossiers in todo.grouped("company_id").items():
            self._late_payment_refresh(partners=dossiers.partner_id, company=company)
        return todo

    def action_late_payment_escalate(self):
        self._late_payment_check_user()
        if any(d.status == "none" and not d.amount_due for d in self):
            raise UserError(self.env._("There is nothing to collect from this customer."))
        self._late_payment_escalate()
        return True

    def action_late_payment_deescalate(self):
        self._late_payment_check_user()
        todo = self.filtered(lambda d: d.collection_state == "collection" or d.status == "collection")
        if not todo:
            raise UserError(self.env._("This customer is not in collection."))
        # sudo (access checked above): the collection state and the customer's history are the addon's
        todo.sudo().write({"collection_state": "released", "collection_date": False})
        for dossier in todo:
            body = self.env._("Taken back from collection by %(user)s: the follow-up resumes.", user=self.env.user.name)
            dossier.sudo().message_post(body=body)
            dossier.partner_id.sudo()._message_log(body=body)
        for company, dossiers in todo.grouped("company_id").items():
            self._late_payment_refresh(partners=dossiers.partner_id, company=company)
        return True

    def action_late_payment_collection_dossier(self):
        self._late_payment_check_user("read")
        return self.env.ref("account_late_payment.action_report_late_payment_collection").report_action(self)

    def _late_payment_collection_data(self):
        """What the collection dossier prints: each invoice still open with its reminders,
        penalties, promises and disputes."""
        self.ensure_one()
        moves = self.line_ids.move_id.filtered(lambda m: m.move_type in ("out_invoice", "out_receipt"))
        moves = moves.sorted(lambda m: (m.invoice_date_due or m.date, m.id))
        penalties = {r["id"]: r for r in moves.late_payment_penalties()} if moves else {}
        reminder_lines = self.env["late.payment.reminder.line"].sudo().search(
            [("move_id", "in", moves.ids)], order="date, id").grouped("move_id")
        return {
            "today": fields.Date.context_today(self),
            "invoices": [{
                "move": move,
                "reminders": reminder_lines.get(move, self.env["late.payment.reminder.line"]),
                "penalties": penalties.get(move.id, {}),
                "disputes": self.dispute_ids.filtered(lambda d, move=move: d.move_id == move),
            } for move in moves],
            "interest": sum(r.get("interest", 0.0) for r in penalties.values()),
            "indemnity": sum(r.get("indemnity", 0.0) for r in penalties.values()),
            **self._late_payment_declarable(moves, penalties),
        }

    def _late_payment_declarable(self, moves, penalties):
        """The claim to declare when collective proceedings opened against the customer: the
        invoices dated before the judgment, each with what is left to pay, its interest up to the
        day before the judgment and its indemnity (`penalties`: late_payment_penalties by id)."""
        opened = self.partner_id.late_payment_proceedings_date
        if not opened:
            return {"proceedings_date": False, "declarable": [], "declarable_total": 0.0}
        rows = [{
            "move": move, "residual": move.amount_residual,
            "interest": penalties.get(move.id, {}).get("interest", 0.0),
            "indemnity": penalties.get(move.id, {}).get("indemnity", 0.0),
        } for move in moves if move.currency_id == self.currency_id and (move.invoice_date or move.date) < opened]
        for row in rows:
            row["total"] = row["residual"] + row["interest"] + row["indemnity"]
        return {"proceedings_date": opened, "declarable": rows,
                "declarable_total": sum(row["total"] for row in rows)}

    # -- settlement screens ---------------------------------------------------------------------
    def action_late_payment_promise(self):
        self.ensure_one()
        self._late_payment_check_user()
        return self.partner_id.with_company(self.company_id).action_late_payment_promise()

    def action_late_payment_dispute(self):
        self.ensure_one()
        self._late_payment_check_user()
        return self.env["late.payment.dispute.wizard"]._late_payment_action({"default_partner_id": self.partner_id.id})

    def action_late_payment_plan(self):
        self.ensure_one()
        self._late_payment_check_user()
        return self.partner_id.with_company(self.company_id).action_late_payment_plan()

    # -- the daily settlement check ------------------------------------------------------------
    @api.model
    def _cron_late_payment_settlement(self, batch_size=SETTLEMENT_BATCH_SIZE):
        """Every day: keep or break the open promises and check the running plans (payments
        allocated, plans completed or broken, instalment reminders), by batches bounded by time
        (late.payment.batch), each committed; those checked today are not checked again (a
        rerun carries on), and one whose check fails is skipped until tomorrow and reported to
        the administrators."""
        today = fields.Date.context_today(self)
        promise_model = self.env["late.payment.promise"].sudo()
        plan_model = self.env["late.payment.plan"].sudo()
        not_today = ["|", ("last_check_date", "=", False), ("last_check_date", "!=", today)]
        todo = [
            (promise_model, promise_model.search([("state", "=", "open"), *not_today], order="id").ids),
            (plan_model, plan_model.search([("state", "=", "running"), *not_today], order="id").ids),
        ]

        def mark(model, ids, _error=None):
            model.flush_model(["last_check_date"])
            self.env.cr.execute(SQL("UPDATE %s SET last_check_date = %s WHERE id = ANY(%s)",
                                    SQL.identifier(model._table), today, list(ids)))
            model.invalidate_model(["last_check_date"])

        def process(model, ids):
            model.browse(ids)._late_payment_check()
            mark(model, ids)

        def describe(model, record_id):
            return model.browse(record_id).display_name

        self.env["late.payment.batch"]._late_payment_batches(
            self.env._("Promises and payment plans"), todo, process, skip=mark, describe=describe,
            first_size=50, max_size=batch_size)
