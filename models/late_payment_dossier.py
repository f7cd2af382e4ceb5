import logging
from collections import defaultdict

from odoo import api, fields, models
from odoo.fields import Domain
from odoo.tools import SQL

from odoo.addons.account_late_payment.engine import followup

STATUSES = [
    ("none", "Nothing due"),
    ("planned", "Reminder planned"),
    ("due", "Action due"),
    ("waiting", "Waiting on a promise or plan"),
    ("disputed", "Disputed"),
    ("collection", "In collection"),
]
RELATIONSHIPS = [
    ("reliable", "Long-standing and reliable"),
    ("standard", "Standard"),
    ("new", "New customer"),
    ("strict", "Strict"),
]
# the statuses of a customer being followed up
IN_FOLLOWUP = ("planned", "due", "waiting", "disputed", "collection")
# the state the refresh computes, written only when it changes
STATE_FIELDS = (
    "policy_id", "amount_due", "amount_overdue", "amount_excluded", "oldest_overdue_days", "level_id",
    "level_date", "last_reminder_date", "next_level_id", "next_tone_id", "next_action_date", "status",
)
DIRTY_KEY = "account_late_payment.dirty_dossiers"

_logger = logging.getLogger(__name__)


class LatePaymentDossier(models.Model):
    """The follow-up state of a customer (commercial partner) in one company: what it owes,
    how late, the last level reached, the next action and its date. Recomputed set-based from
    the receivable lines by `_late_payment_refresh` (the rules are in engine/followup.py)."""

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
    level_id = fields.Many2one("late.payment.level", string="Last level", readonly=True,
                               help="The highest level reached by an invoice still open.")
    level_date = fields.Date(string="Reached on", readonly=True)
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
            dossier.reminder_line_ids = mine.filtered(
                lambda line, cutoff=cutoff: line.late_payment_next_date and line.late_payment_next_date <= cutoff
                and line.late_payment_next_level_id)

    def _compute_reminder_count(self):
        counts = dict(self.env["late.payment.reminder"]._read_group(
            [("dossier_id", "in", self.ids)], ["dossier_id"], ["__count"]))
        for dossier in self:
            dossier.reminder_count = counts.get(dossier, 0)

    def _late_payment_responsible(self):
        """Who follows this customer up: the dossier's responsible, else the customer's
        salesperson, else the company's default follow-up responsible, else the administrator."""
        self.ensure_one()
        return (self.user_id or self.partner_id.user_id or self.company_id.late_payment_user_id
                or self.env.ref("base.user_admin", raise_if_not_found=False) or self.env.user)

    # -- actions ---------------------------------------------------------------------------
    def action_open_reminders(self):
        self.ensure_one()
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
        for company, dossiers in self.grouped("company_id").items():
            self._late_payment_refresh(partners=dossiers.partner_id, company=company)
        return True

    def action_open_invoices(self):
        self.ensure_one()
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
    def _late_payment_refresh(self, partners=None, company=None):
        """Recompute the follow-up state of `partners` (their commercial partners; None: every
        customer with open receivables or a dossier) in `company` (None: every company), in a
        bounded number of queries. Returns the dossiers refreshed."""
        if partners is not None and not partners:
            return self.browse()
        dossier = self.sudo().with_context(tracking_disable=True, mail_create_nolog=True, mail_notrack=True)
        companies = (company or self.env["res.company"].sudo().search_fetch([], ["currency_id"])).sudo()
        commercial = partners.sudo().commercial_partner_id if partners is not None else None
        today = fields.Date.context_today(self)
        result = self.browse()
        for one_company in companies:
            result |= dossier._late_payment_refresh_company(one_company, commercial, today)
        return result.with_env(self.env)

    def _late_payment_refresh_company(self, company, partners, today):
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
        by_existing = {dossier.partner_id.id: dossier for dossier in existing}
        partner_ids = set(by_partner) | set(by_existing)
        if not partner_ids:
            return self.browse()
        customers = self.env["res.partner"].browse(sorted(partner_ids)).with_company(company)
        setup = self._late_payment_setup(company, customers, rows)
        to_create, line_updates = [], {}
        for customer in customers:
            partner_rows = by_partner.get(customer.id, [])
            vals, state = self._late_payment_state_vals(customer, partner_rows, setup, today)
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
        levels |= self.env["late.payment.level"].browse({row["level_id"] for row in rows if row["level_id"]}).exists()
        levels.fetch(["policy_id", "days", "sequence", "min_gap_days", "is_formal_notice", "is_escalation",
                      "tone_id", "tone_min_id", "tone_max_id"])
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
            "last_reminders": self._late_payment_last_reminders(company, customers),
            "paused": self._late_payment_paused_until(customers, company),
        }

    def _late_payment_state_vals(self, customer, rows, setup, today):
        """(values of the dossier, engine state) of one customer, from its lines."""
        policy = followup.choose_policy(
            setup["own_policies"].get(customer.id), setup["risk_policies"].get(customer.id),
            setup["default_policy"] or None) or self.env["late.payment.policy"]
        engine_levels = setup["engine_levels"]
        state = followup.dossier_state(
            setup["levels_by_policy"].get(policy.id, []),
            [followup.Line(row["id"], row["maturity"], row["residual"], engine_levels.get(row["level_id"]),
                           row["level_date"], row["excluded"], row["disputed"]) for row in rows],
            today,
            policy_gap_days=policy.min_gap_days,
            last_reminder_date=setup["last_reminders"].get(customer.id),
            paused_until=setup["paused"].get(customer.id),
            digits=setup["company"].currency_id.decimal_places,
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
            "last_reminder_date": setup["last_reminders"].get(customer.id) or False,
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
        `company`, in one query: dicts of id, partner_id (commercial), maturity, residual (company
        currency), level_id, level_date, next_level_id, next_date, excluded, disputed."""
        self.env["account.move.line"].flush_model([
            "account_id", "amount_residual", "company_id", "parent_state", "partner_id", "reconciled",
            "date_maturity", "date", "no_followup", "move_id", "late_payment_level_id", "late_payment_level_date",
            "late_payment_next_level_id", "late_payment_next_date",
        ])
        self.env["account.move"].flush_model(["payment_state"])
        self.env["account.account"].flush_model(["account_type"])
        self.env["res.partner"].flush_model(["commercial_partner_id"])
        partner_filter = SQL("AND p.commercial_partner_id = ANY(%s)", list(partners.ids)) \
            if partners is not None else SQL()
        return self.env.execute_query_dict(SQL("""
            SELECT aml.id, p.commercial_partner_id AS partner_id,
                   COALESCE(aml.date_maturity, aml.date) AS maturity,
                   aml.amount_residual AS residual,
                   aml.late_payment_level_id AS level_id, aml.late_payment_level_date AS level_date,
                   aml.late_payment_next_level_id AS next_level_id, aml.late_payment_next_date AS next_date,
                   COALESCE(aml.no_followup, FALSE) AS excluded,
                   COALESCE(move.payment_state = 'blocked', FALSE) AS disputed
              FROM account_move_line aml
              JOIN account_account account ON account.id = aml.account_id
              JOIN account_move move ON move.id = aml.move_id
              JOIN res_partner p ON p.id = aml.partner_id
             WHERE aml.company_id = %(company)s
               AND account.account_type = 'asset_receivable'
               AND aml.parent_state = 'posted'
               AND aml.reconciled IS NOT TRUE
               AND aml.amount_residual != 0
               %(partner_filter)s
             ORDER BY aml.id
        """, company=company.id, partner_filter=partner_filter))

    @api.model
    def _late_payment_last_reminders(self, company, partners):
        """{commercial partner id: date of the last level reached by any of its lines}."""
        rows = self.env.execute_query(SQL("""
            SELECT p.commercial_partner_id, MAX(aml.late_payment_level_date)
              FROM account_move_line aml
              JOIN res_partner p ON p.id = aml.partner_id
             WHERE aml.company_id = %s AND aml.late_payment_level_date IS NOT NULL
               AND p.commercial_partner_id = ANY(%s)
             GROUP BY p.commercial_partner_id
        """, company.id, list(partners.ids)))
        return dict(rows)

    @api.model
    def _late_payment_risk_policies(self, partners, company):
        """{commercial partner id: policy of its risk class}; the risk feature fills it."""
        return {}

    @api.model
    def _late_payment_paused_until(self, partners, company):
        """{commercial partner id: date until which a promise or a plan pauses the reminders};
        the settlement feature fills it."""
        return {}

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
        partner_filter = SQL(
            "AND aml.partner_id IN (SELECT id FROM res_partner WHERE commercial_partner_id = ANY(%s))",
            list(partners.ids)) if partners is not None else SQL()
        cleared = self.env.execute_query(SQL("""
            UPDATE account_move_line aml
               SET late_payment_next_level_id = NULL, late_payment_next_date = NULL
             WHERE aml.company_id = %s AND aml.late_payment_next_date IS NOT NULL
               AND NOT (aml.id = ANY(%s)) %s
         RETURNING aml.id
        """, company.id, open_ids, partner_filter))
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
        to them); the company status feature fills it."""
        return set()

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
