"""The customer's risk: the score, its class and factors, computed in batches from the receivables
and the history (engine/risk.py holds the rules).
"""

from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

from markupsafe import Markup

from odoo import api, fields, models
from odoo.tools import SQL, formatLang

from ..engine import kpi, risk
from .late_payment_measure import customer_types, late_types


class LatePaymentDossier(models.Model):
    _inherit = "late.payment.dossier"

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
        self._check_user()
        for company, dossiers in self.grouped("company_id").items():
            self._refresh(partners=dossiers.partner_id, company=company)
            self._compute_risk(company, partners=dossiers.partner_id)
        return True

    @api.model
    def _compute_risk(self, company, partners=None):
        """Score `partners` (their commercial partners; None: every customer with an invoice in
        the window, something open or a dossier) in `company`, in a bounded number of queries,
        and store the scores, classes and factors on their dossiers (made when missing) and on
        the customers. Returns the dossiers scored."""
        dossier_model = self.sudo().with_context(tracking_disable=True, mail_create_nolog=True, mail_notrack=True)
        company = company.sudo()
        today = fields.Date.context_today(self)
        weights = company._late_payment_risk_weights()
        if partners is None:
            partner_ids = dossier_model._risk_candidates(company, today, weights)
        else:
            partner_ids = sorted(set(partners.sudo().commercial_partner_id.ids))
        if not partner_ids:
            return self.browse()
        dossiers = dossier_model._risk_dossiers(company, partner_ids)
        inputs, levels = dossier_model._risk_inputs(company, dossiers, today, weights)
        results = risk.score_customers(inputs, weights)
        dossier_model._risk_write(company, dossiers, results, levels, today)
        return dossiers.with_env(self.env)

    @api.model
    def _risk_candidates(self, company, today, weights, exclude_scored_on=None):
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
               AND move.move_type IN %(documents)s
               AND move.commercial_partner_id IS NOT NULL
               AND (move.invoice_date > %(start)s OR move.payment_state IN ('not_paid', 'partial'))
             UNION
            SELECT partner_id FROM late_payment_dossier WHERE company_id = %(company)s
            %(exclude)s
        """, company=company.id, start=start, documents=customer_types(self.env), exclude=exclude))
        return sorted(row[0] for row in rows)

    @api.model
    def _risk_dossiers(self, company, partner_ids):
        """The dossiers of `partner_ids` in `company`, made (with their follow-up state) for the
        customers that have none."""
        fnames = ["partner_id", "amount_overdue", "risk_class_id", "risk_score", "risk_no_history"]
        domain = [("company_id", "=", company.id), ("partner_id", "in", partner_ids)]
        dossiers = self.search_fetch(domain, fnames)
        missing = set(partner_ids) - set(dossiers.partner_id.ids)
        if missing:
            self._refresh(partners=self.env["res.partner"].browse(sorted(missing)), company=company,
                                       ensure=True)
            dossiers = self.search_fetch(domain, fnames)
        return dossiers

    @api.model
    def _risk_inputs(self, company, dossiers, today, weights):
        """({partner id: engine RiskInput}, {partner id: highest level reached}) of the
        customers of `dossiers`, in a few grouped queries."""
        partner_ids = dossiers.partner_id.ids
        start = kpi.months_before(today, weights.window_months)
        settled = self._risk_settled(company, partner_ids, start, today)
        overdue = {dossier.partner_id.id: dossier.amount_overdue for dossier in dossiers}
        credit_limits = {}
        if company.account_use_credit_limit:
            partners = self.env["res.partner"].browse(partner_ids).with_company(company)
            partners.fetch(["credit_limit"])
            credit_limits = {partner.id: partner.credit_limit for partner in partners if partner.credit_limit > 0}
        self.env["account.move"].flush_model(["amount_total_signed", "partner_id", "commercial_partner_id"])
        sales = self.env.execute_query(SQL("""
            SELECT move.commercial_partner_id, SUM(move.amount_total_signed)
              FROM account_move move
             WHERE move.company_id = %(company)s AND move.state = 'posted' AND move.move_type IN %(documents)s
               -- the batch's moves by partner (its index: the ids first), not a scan of every move
               AND move.partner_id = ANY(ARRAY(SELECT id FROM res_partner
                                               WHERE commercial_partner_id = ANY(%(partners)s)))
               AND move.commercial_partner_id = ANY(%(partners)s)
               AND move.invoice_date > %(start)s AND move.invoice_date <= %(today)s
             GROUP BY 1
        """, company=company.id, documents=customer_types(self.env), partners=list(partner_ids), start=start,
            today=today))
        monthly_sales = {partner_id: float(total) / weights.window_months for partner_id, total in sales}
        levels = self._risk_levels(company, partner_ids, start, today, weights)
        incidents = self._risk_incidents(self.env["res.partner"].browse(partner_ids), company)
        inputs = risk.build_inputs(
            settled, today, overdue=overdue, credit_limits=credit_limits, monthly_sales=monthly_sales,
            levels={partner_id: points for partner_id, (_level, points) in levels.items()},
            disputes={key: value[0] for key, value in incidents.items()},
            broken_promises={key: value[1] for key, value in incidents.items()},
            open_late_rows=self._risk_open_late(company, partner_ids, today),
            weights=weights)
        return inputs, {partner_id: level for partner_id, (level, _points) in levels.items()}

    @api.model
    def _risk_settled(self, company, partner_ids, start, today):
        """(partner id, amount, due date, paid date) of the receivable lines of the customers'
        invoices settled (fully matched) after `start`, in company currency; the paid date is
        the date of the last payment, credit note or entry matched with the line (read once
        per batch: _batch_reads)."""
        return self._batch_read("settled", (company.id, tuple(sorted(set(partner_ids))), start, today),
                                lambda: self._risk_settled_query(company, partner_ids, start, today))

    @api.model
    def _risk_settled_query(self, company, partner_ids, start, today):
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
               AND move.move_type IN %(late_types)s
               AND move.payment_state != 'reversed'
               AND p.commercial_partner_id = ANY(%(partners)s)
             GROUP BY aml.id, p.commercial_partner_id
            HAVING MAX(part.max_date) > %(start)s AND MAX(part.max_date) <= %(today)s
        """, company=company.id, partners=partner_ids, late_types=late_types(self.env), start=start, today=today))

    @api.model
    def _risk_levels(self, company, partner_ids, start, today, weights):
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
        points = levels._risk_points(weights)
        best = {}
        for partner_id, level_id in rows:
            if level_id in points and (partner_id not in best or points[level_id] > best[partner_id][1]):
                best[partner_id] = (levels.browse(level_id), points[level_id])
        return best

    @api.model
    def _risk_write(self, company, dossiers, results, levels, today):
        """Store the results on the dossiers (score, class, factors) and on the customers (score
        and class in the company, for lists, filters and group-by), in a few queries; log the
        class changes on the dossiers and refresh the follow-up of the customers whose class
        changes their policy."""
        by_partner = {dossier.partner_id.id: dossier for dossier in dossiers}
        classes = self.env["late.payment.risk.class"]._classify(
            company, {partner_id: result.score for partner_id, result in results.items()})
        old_classes = {dossier.id: dossier.risk_class_id for dossier in dossiers}
        rows = []
        for partner_id, result in results.items():
            dossier = by_partner.get(partner_id)
            if dossier:
                rows.append((dossier.id, partner_id, result.score, classes[partner_id].id or None, result.no_history))
        if not rows:
            return
        # what other concerns store on the dossier with the score, in the same UPDATE: a row
        # updated twice in a transaction pays the checks of its ten foreign keys the second time
        extra = self._risk_dossier_columns(company, dossiers, results, today)
        row_format = "(%s, %s::float8, %s::int4, %s::bool" + "".join(
            f", %s::{cast}" for _name, cast, _values in extra) + ")"
        self.flush_model([name for name, _cast, _values in extra])
        self.env.execute_query(SQL("""
            UPDATE late_payment_dossier dossier
               SET risk_score = v.score, risk_class_id = v.class_id, risk_no_history = v.no_history,
                   risk_date = %s%s
              FROM (VALUES %s) AS v(id, score, class_id, no_history%s)
             WHERE dossier.id = v.id
        """, today, SQL("").join(SQL(", %s = v.%s", SQL.identifier(name), SQL.identifier(name))
                                 for name, _cast, _values in extra),
            SQL(", ").join(
                SQL(row_format, dossier_id, score, class_id, no_history,
                    *(values.get(dossier_id) for _name, _cast, values in extra))
                for dossier_id, _partner_id, score, class_id, no_history in rows),
            SQL("").join(SQL(", %s", SQL.identifier(name)) for name, _cast, _values in extra)))
        if extra:
            self.invalidate_model()  # (the extra columns and what is computed from them)
        self._risk_write_factors(company, by_partner, results, levels)
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
               AND (partner.late_payment_risk_score -> %(key)s IS DISTINCT FROM to_jsonb(v.score)
                    OR partner.late_payment_risk_class_id -> %(key)s IS DISTINCT FROM to_jsonb(v.class_id)
                    OR partner.late_payment_risk_no_history -> %(key)s IS DISTINCT FROM to_jsonb(v.no_history))
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
            self._refresh(partners=self.browse(repolicy).partner_id, company=company)

    @api.model
    def _risk_dossier_columns(self, company, dossiers, results, today):
        """[(column, SQL type, {dossier id: value})] stored on `dossiers` with their new scores
        `results` ({partner id: engine RiskResult}), in the same UPDATE (a hook: none here)."""
        return []

    @api.model
    def _risk_write_factors(self, company, by_partner, results, levels):
        """Store the factors of the dossiers (three queries at most): the factors that changed
        value are updated in place; the dossiers whose list of factors changed get theirs
        replaced. (An update in place spares the foreign-key checks a new row costs: the factors
        of most customers move a little every night, their list seldom.)"""
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
        current, current_ids = defaultdict(list), defaultdict(list)
        for factor_id, *row in self.env.execute_query(SQL("""
            SELECT id, dossier_id, sequence, code, value, has_value, unit, level_id, points, weight
              FROM late_payment_risk_factor WHERE dossier_id = ANY(%s) ORDER BY dossier_id, sequence, id
        """, dossier_ids)):
            current[row[0]].append(tuple(float(item) if isinstance(item, Decimal) else item for item in row))
            current_ids[row[0]].append(factor_id)
        wanted = defaultdict(list)
        for row in rows:
            wanted[row[0]].append(row)

        def same(old, new):
            return all(
                (a == b) if not isinstance(a, float | int) or isinstance(a, bool) or a is None or b is None
                else abs(a - b) < 1e-3
                for a, b in zip(old, new, strict=True))

        replaced, updates = [], []
        for dossier_id in dossier_ids:
            old_rows, new_rows = current[dossier_id], wanted[dossier_id]
            if old_rows == new_rows:  # (the stored values are the rounded ones written)
                continue
            if [row[1:3] for row in old_rows] != [row[1:3] for row in new_rows]:
                replaced.append(dossier_id)
                continue
            updates += [(factor_id, *new[3:]) for factor_id, old, new
                        in zip(current_ids[dossier_id], old_rows, new_rows, strict=True) if not same(old, new)]
        uid = self.env.uid
        if updates:
            self.env.execute_query(SQL("""
                UPDATE late_payment_risk_factor factor
                   SET value = v.value, has_value = v.has_value, unit = v.unit, level_id = v.level_id,
                       points = v.points, weight = v.weight, write_uid = %s, write_date = NOW() AT TIME ZONE 'UTC'
                  FROM (VALUES %s) AS v(id, value, has_value, unit, level_id, points, weight)
                 WHERE factor.id = v.id
            """, uid, SQL(", ").join(
                SQL("(%s, %s::float8, %s, %s, %s::int4, %s::float8, %s::float8)", *row) for row in updates)))
        if replaced:
            replaced_set = set(replaced)
            self.env.execute_query(SQL("""
                WITH gone AS (DELETE FROM late_payment_risk_factor WHERE dossier_id = ANY(%s))
                INSERT INTO late_payment_risk_factor
                       (dossier_id, company_id, sequence, code, value, has_value, unit, level_id, points, weight,
                        create_uid, write_uid, create_date, write_date)
                SELECT v.dossier_id, %s, v.sequence, v.code, v.value, v.has_value, v.unit, v.level_id, v.points,
                       v.weight, %s, %s, NOW() AT TIME ZONE 'UTC', NOW() AT TIME ZONE 'UTC'
                  FROM (VALUES %s) AS v(dossier_id, sequence, code, value, has_value, unit, level_id, points, weight)
            """, replaced, company.id, uid, uid, SQL(", ").join(
                SQL("(%s, %s, %s, %s::float8, %s, %s, %s::int4, %s::float8, %s::float8)", *row)
                for row in rows if row[0] in replaced_set)))
        if updates or replaced:
            factor_model.invalidate_model()

    # -- scheduled action ------------------------------------------------------------------------
    @api.model
    def _cron_risk(self, batch_size=500):
        """Every night: the risk score of every customer in every company, by batches of a few
        queries each, bounded by time (late.payment.batch); a rerun the same day skips the
        customers already scored; a customer whose scoring fails is skipped until tomorrow and
        reported to the administrators. What stays true all night (the company's pools of
        profiles, the recovery per level) is read once for all the batches of a call."""
        today = fields.Date.context_today(self)
        todo = [
            (company, self._risk_candidates(company, today, company._late_payment_risk_weights(),
                                                         exclude_scored_on=today))
            for company in self.env["res.company"].search_fetch([], ["currency_id"])]

        with self._nightly_reads() as dossiers:

            def process(company, ids):
                dossiers._compute_risk(company, partners=dossiers.env["res.partner"].browse(ids))

            def skip(company, ids, _error):
                dossiers._risk_mark_scored(company, ids, today)

            self.env["late.payment.batch"]._batches(
                self.env._("Risk scores"), todo, process, skip=skip, describe=self._describe_partner,
                first_size=100, max_size=batch_size)

    @api.model
    def _risk_mark_scored(self, company, partner_ids, today):
        """These customers count as scored today (a failed one waits for tomorrow's run)."""
        self.flush_model(["risk_date"])
        self.env.cr.execute(SQL(
            "UPDATE late_payment_dossier SET risk_date = %s WHERE company_id = %s AND partner_id = ANY(%s)",
            today, company.id, list(partner_ids)))
        self.invalidate_model(["risk_date"])

    @api.model
    def _describe_partner(self, _key, partner_id):
        return self.env["res.partner"].sudo().browse(partner_id).display_name

    @api.model
    def _risk_incidents(self, partners, company):
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
