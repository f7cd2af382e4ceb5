from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.fields import Domain

from .access import USER_GROUP, check_records
from .late_payment_measure import open_receivable_domain

STATUSES = [
    ("none", "Nothing due"),
    ("planned", "Planned"),
    ("due", "To do"),
    ("waiting", "Promise or plan"),
    ("disputed", "Disputed"),
    ("collection", "In collection"),
    ("proceedings", "Proceedings"),
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
STATEMENT_REPORT = "account_late_payment.action_report_late_payment_statement"
LETTER_REPORT = "account_late_payment.action_report_late_payment_letter"
COLLECTION_STATES = [
    ("collection", "In collection"),
    ("released", "Taken back from collection"),
]
SETTLEMENT_BATCH_SIZE = 200



class LatePaymentDossier(models.Model):
    """The follow-up state of a customer (commercial partner) in one company: what it owes,
    how late, the last level reached, the next action and its date. Recomputed set-based from
    the receivable lines by `_refresh` (the rules are in engine/followup.py).

    The same record is the accountant's page in the follow-up console (sections "preview",
    "postponing" and the console actions below: everything is sent through
    `late.payment.reminder._send`, the one send path) and carries the customer's
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
    # (_cron_risk) and on demand (action_compute_risk)
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
        ) & open_receivable_domain()

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

    def _responsible(self):
        """Who follows this customer up: the dossier's responsible, else the customer's
        salesperson, else the company's default follow-up responsible, else the administrator."""
        self.ensure_one()
        # the administrator by its cached id (env.ref would check it exists: a query per customer)
        admin = self.env["ir.model.data"]._xmlid_to_res_id("base.user_admin", raise_if_not_found=False)
        return (self.user_id or self.partner_id.user_id or self.company_id.late_payment_user_id
                or self.env["res.users"].browse(admin) or self.env.user)

    def _check_user(self, operation="write"):
        """The caller is a late payment user who may `operation` these dossiers, in its companies:
        what every button and RPC call on dossiers checks before anything runs as superuser."""
        if not self.env.su and not self.env.user.has_group(USER_GROUP):
            raise AccessError(self.env._("Only the late payment users may work the follow-up."))
        check_records(self, operation)
