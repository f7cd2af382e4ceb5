"""The customer's follow-up state kept up to date: the set-based refresh of the dossiers (one
company, many customers, a few queries), the dirty marks taken by the write hooks and the
refresh at pre-commit (docs/design.md).
"""

import logging
from collections import defaultdict

from odoo import api, fields, models
from odoo.fields import Domain
from odoo.tools import SQL

from ..engine import followup
from .late_payment_dossier import DIRTY_KEY, STATE_FIELDS
from .late_payment_measure import late_types, open_receivable_sql

_logger = logging.getLogger(__name__)


class LatePaymentDossier(models.Model):
    _inherit = "late.payment.dossier"

    # -- refresh -----------------------------------------------------------------------------
    @api.model
    def _refresh(self, partners=None, company=None, ensure=False):
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
            result |= dossier._refresh_company(one_company, commercial, today, ensure=ensure)
        return result.with_env(self.env)

    def _refresh_company(self, company, partners, today, ensure=False):
        rows = self._fetch_lines(company, partners)
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
        setup = self._setup(company, customers, rows)
        to_create, line_updates = [], {}
        for customer in customers:
            partner_rows = by_partner.get(customer.id, [])
            vals, state = self._state_vals(customer, partner_rows, setup, today,
                                                        overdue_since.get(customer.id))
            current = by_existing.get(customer.id)
            if current is None:
                to_create.append({**vals, "partner_id": customer.id, "company_id": company.id,
                                  "user_id": customer.user_id.id, "refreshed_on": today})
            elif current._changed(vals) or current.refreshed_on != today:
                current.write({**vals, "refreshed_on": today})
            rows_by_id = {row["id"]: row for row in partner_rows}
            for line_state in state.lines:
                row = rows_by_id[line_state.id]
                wanted = (line_state.next_level.id if line_state.next_level else None, line_state.next_date)
                if (row["next_level_id"], row["next_date"]) != wanted:
                    line_updates[line_state.id] = wanted
        created = self.create(to_create) if to_create else self.browse()
        self._write_lines(company, partners, line_updates, [row["id"] for row in rows])
        return existing | created

    def _setup(self, company, customers, rows):
        """What the refresh of `customers` needs besides their lines, read in a few queries:
        their policies and levels, the tones, the last reminders, the pauses."""
        customers.fetch(["late_payment_policy_id", "late_payment_relationship", "user_id"])
        risk_policies = self._risk_policies(customers, company)
        default_policy = self.env["late.payment.policy"]._default_policy(company)
        own_policies = {
            customer.id: customer.late_payment_policy_id
            for customer in customers if customer.late_payment_policy_id.active
        }
        policies = default_policy.union(*own_policies.values(), *risk_policies.values())
        policies.fetch(["min_gap_days", "tone_shift_reliable", "tone_shift_new", "tone_shift_strict"])
        levels = policies.level_ids
        sent_levels = self._sent_levels(company, customers)
        levels |= self.env["late.payment.level"].browse(
            {row["level_id"] for row in rows if row["level_id"]}
            | {level_id for sent in sent_levels.values() for level_id, _day in sent}).exists()
        levels.fetch(["policy_id", "days", "sequence", "min_gap_days", "is_formal_notice", "is_escalation",
                      "tone_id", "tone_min_id", "tone_max_id", "kind", "days_before_discount"])
        engine_levels = levels._engine_levels_by_id()
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
            "paused": self._paused_until(customers, company),
            "paused_moves": self._paused_moves(customers, company),
            "proceedings": self._in_proceedings(customers),
            "collection": self._collection_states(customers, company),
        }

    def _state_vals(self, customer, rows, setup, today, overdue_since=None):
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

    def _changed(self, vals):
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
    def _fetch_lines(self, company, partners=None):
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
                   CASE WHEN term.early_discount AND move.move_type IN %(late_types)s
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
             WHERE aml.company_id = %(company)s AND %(open)s
               %(partner_filter)s
             ORDER BY aml.id
        """, company=company.id, late_types=late_types(self.env), open=open_receivable_sql("aml", "account"),
            partner_filter=partner_filter))

    @api.model
    def _sent_levels(self, company, partners):
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
    def _risk_policies(self, partners, company):
        """{commercial partner id: policy of its risk class} (classes without a policy: none)."""
        dossiers = self.sudo().search_fetch([
            ("company_id", "=", company.id), ("partner_id", "in", partners.ids),
            ("risk_class_id.policy_id", "!=", False),
        ], ["partner_id", "risk_class_id"])
        return {dossier.partner_id.id: dossier.risk_class_id.policy_id for dossier in dossiers
                if dossier.risk_class_id.policy_id.active}

    @api.model
    def _refresh_partners_everywhere(self, partners):
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
             WHERE p.commercial_partner_id = ANY(%(partners)s)
               AND %(open)s
        """, partners=partners.ids, open=open_receivable_sql("aml", "account", nonzero=False)))
        for company in self.env["res.company"].sudo().browse(sorted(row[0] for row in rows)):
            self._refresh(partners=partners, company=company)

    @api.model
    def _in_proceedings(self, partners):
        """Ids of the `partners` in open collective proceedings (BODACC): they get no reminder."""
        if not partners:
            return set()
        return set(partners.sudo().filtered_domain([("late_payment_proceedings_state", "=", "open")]).ids)

    @api.model
    def _write_lines(self, company, partners, updates, open_ids):
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
    def _mark_dirty(self, lines):
        """The receivable `lines` changed (posted, paid, reset, excluded...): refresh their
        customers' dossiers once, just before the transaction commits."""
        lines = lines.filtered(lambda line: line.display_type == "payment_term" and line.partner_id)
        if not lines:
            return
        pairs = {(line.partner_id.commercial_partner_id.id, line.company_id.id) for line in lines
                 if line.account_type == "asset_receivable"}
        self._mark_pairs(pairs)

    @api.model
    def _mark_partners_dirty(self, partners, company):
        self._mark_pairs({(partner.commercial_partner_id.id, company.id) for partner in partners})

    @api.model
    def _mark_pairs(self, pairs):
        if not pairs:
            return
        data = self.env.cr.precommit.data
        if DIRTY_KEY not in data:
            data[DIRTY_KEY] = set()
            self.env.cr.precommit.add(self._refresh_dirty)
        data[DIRTY_KEY] |= pairs

    @api.model
    def _refresh_dirty(self):
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
                    self.sudo()._refresh(
                        partners=partner_model.browse(partner_ids).exists(),
                        company=self.env["res.company"].sudo().browse(company_id))
                    self.env.flush_all()
            except Exception:
                self.env.clear()
                _logger.exception("Late payments: the follow-up state of partners %s could not be refreshed",
                                  sorted(partner_ids))

    # -- the lock taken by every sending (the daily run and the console) -------------------------
    @api.model
    def _lock(self, company, partner_ids):
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
    def _collective_proceedings(self, partners, company):
        """{commercial partner id} of the customers in collective proceedings (no reminder may go
        to them), from their company status (BODACC)."""
        return self._in_proceedings(partners.commercial_partner_id)

    @api.model
    def _forget_dirty(self, partners, company):
        """These customers were just refreshed: no need to refresh them again at commit."""
        pairs = self.env.cr.precommit.data.get(DIRTY_KEY)
        if pairs:
            pairs.difference_update((partner.id, company.id) for partner in partners)

    def _ask_for_manual_level(self):
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
            "user_id": dossier._responsible().id,
            "date_deadline": today,
            "automated": True,
            "summary": self.env._("Send the %(level)s to %(customer)s", level=dossier.next_level_id.name,
                                  customer=dossier.partner_id.display_name),
            "note": self.env._("This level waits for an accountant: send it from the follow-up of the customer."),
        } for dossier in dossiers])
        for level, group in dossiers.grouped("next_level_id").items():
            group.sudo().with_context(tracking_disable=True).write({"manual_level_notified_id": level.id})
