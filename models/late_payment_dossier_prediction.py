from collections import defaultdict

from odoo import api, fields, models
from odoo.tools import SQL, format_date

from odoo.addons.account_late_payment.engine import kpi, prediction, risk

from .account_move_prediction import PREDICTION_SOURCES


class LatePaymentDossier(models.Model):
    """Predicted payment dates (engine/prediction.py), refreshed with the nightly risk scores:
    for a batch of customers, their year of payments in one query, their open invoices in
    another, their promises and plans in two more, the pools of their company (risk classes and
    the whole company) in one grouped query over the stored profiles; written back in one
    UPDATE per table. The customer's profile (how late it pays, over how many invoices) stays on
    its dossier, each open invoice's expected date on the invoice."""

    _inherit = "late.payment.dossier"

    prediction_delay = fields.Float(
        string="Expected days late", readonly=True, digits=(16, 1),
        help="How many days after the due date the customer is expected to pay, from its own payments "
             "(recent ones weighing more, with its trend), mixed with its risk class's or its company's "
             "when it has fewer than 5.")
    prediction_low_delay = fields.Float(string="Expected days late from", readonly=True, digits=(16, 1))
    prediction_high_delay = fields.Float(string="Expected days late until", readonly=True, digits=(16, 1))
    prediction_average = fields.Float(string="Average days late", readonly=True, digits=(16, 1))
    prediction_count = fields.Integer(string="Invoices settled (12 months)", readonly=True)
    prediction_weight = fields.Float(string="Amount settled (12 months)", readonly=True)
    prediction_source = fields.Selection(PREDICTION_SOURCES, string="Prediction based on", readonly=True)
    expected_date = fields.Date(
        string="Expected payment", readonly=True,
        help="When the customer is expected to have paid what is overdue (what is open when nothing is).")
    expected_low = fields.Date(string="Expected payment from", readonly=True)
    expected_high = fields.Date(string="Expected payment until", readonly=True)
    prediction_summary = fields.Char(string="Expected payment date", compute="_compute_prediction_summary")

    @api.depends("expected_date", "expected_low", "expected_high", "prediction_average", "prediction_count")
    @api.depends_context("lang")
    def _compute_prediction_summary(self):
        for dossier in self:
            if not dossier.expected_date:
                dossier.prediction_summary = False
                continue
            values = {
                "date": format_date(self.env, dossier.expected_date, date_format="d MMM"),
                "low": format_date(self.env, dossier.expected_low, date_format="d MMM"),
                "high": format_date(self.env, dossier.expected_high, date_format="d MMM"),
                "days": round(abs(dossier.prediction_average)),
                "count": dossier.prediction_count,
            }
            if not dossier.prediction_count:
                text = self.env._("expected around %(date)s, between %(low)s and %(high)s: no payment history yet",
                                  **values)
            elif dossier.prediction_average >= 0.5:
                text = self.env._("expected around %(date)s, between %(low)s and %(high)s: pays %(days)s days late "
                                  "on average over %(count)s invoices", **values)
            elif dossier.prediction_average <= -0.5:
                text = self.env._("expected around %(date)s, between %(low)s and %(high)s: pays %(days)s days early "
                                  "on average over %(count)s invoices", **values)
            else:
                text = self.env._("expected around %(date)s, between %(low)s and %(high)s: pays on time on average "
                                  "over %(count)s invoices", **values)
            dossier.prediction_summary = text

    # -- nightly refresh ---------------------------------------------------------------------
    @api.model
    def _compute_risk(self, company, partners=None):
        dossiers = super()._compute_risk(company, partners=partners)
        if dossiers:
            self.sudo()._predict(company, dossiers.partner_id.ids)
        return dossiers

    @api.model
    def _prediction_pools(self, company, settings=prediction.DEFAULT_SETTINGS):
        """({risk class code: Profile}, company Profile): the stored profiles of the company's
        customers with a history of their own, pooled by class and over the company, in one
        grouped query."""
        self.flush_model(["prediction_delay", "prediction_low_delay", "prediction_high_delay", "prediction_average",
                          "prediction_weight", "prediction_count", "risk_class_id", "company_id"])
        rows = self.env.execute_query(SQL("""
            SELECT GROUPING(risk_class_id) = 1, risk_class_id,
                   SUM(prediction_delay * prediction_weight), SUM(prediction_low_delay * prediction_weight),
                   SUM(prediction_high_delay * prediction_weight), SUM(prediction_average * prediction_weight),
                   SUM(prediction_weight), SUM(prediction_count)
              FROM late_payment_dossier
             WHERE company_id = %s AND prediction_count >= %s AND prediction_weight > 0
             GROUP BY ROLLUP (risk_class_id)
        """, company.id, settings.min_history))
        classes = self.env["late.payment.risk.class"].browse({row[1] for row in rows if row[1]}).exists()
        code_of = {risk_class.id: risk.risk_class(risk_class.min_score) for risk_class in classes}
        pools, company_pool = {}, None
        for total, class_id, *sums in rows:
            profile = prediction.pooled_from_sums(*sums)
            if total:
                company_pool = profile
            elif class_id in code_of:
                pools[code_of[class_id]] = profile
        return pools, company_pool

    @api.model
    def _predict(self, company, partner_ids, today=None, settings=prediction.DEFAULT_SETTINGS):
        """Predict the open invoices of `partner_ids` in `company` and store the predictions on
        the invoices and the customers' profiles on their dossiers, in a bounded number of
        queries whatever the number of customers."""
        if not partner_ids:
            return {}
        today = today or fields.Date.context_today(self)
        start = kpi.months_before(today, 12)
        history = [(partner_id, float(amount), due, paid)
                   for partner_id, amount, due, paid in self._risk_settled(company, partner_ids, start,
                                                                                         today)]
        open_lines = self._prediction_open_lines(company, partner_ids)
        dossiers = self.search_fetch([("company_id", "=", company.id), ("partner_id", "in", partner_ids)],
                                     ["partner_id", "risk_score", "risk_date", "risk_no_history"])
        risk_classes = {dossier.partner_id.id: risk.risk_class(dossier.risk_score)
                        for dossier in dossiers if dossier.risk_date and not dossier.risk_no_history}
        pools, company_pool = self._prediction_pools(company, settings)
        promise_dates, plan_dates, plan_grace = self._prediction_settlements(
            company, partner_ids, open_lines)
        predictions, profiles = prediction.predict_customers(
            [(row["partner_id"], row["id"], row["residual"], row["due"]) for row in open_lines], history, today,
            risk_classes=risk_classes, class_pools=pools, company_pool=company_pool, promise_dates=promise_dates,
            plan_dates_by_key=plan_dates, plan_grace=plan_grace, settings=settings)
        self._prediction_write(company, partner_ids, dossiers, open_lines, predictions, profiles,
                                            today, settings)
        return predictions

    @api.model
    def _prediction_open_lines(self, company, partner_ids):
        """Dicts (id, move_id, partner_id, residual, due) of the customers' open invoice lines
        still to pay (disputed and blocked invoices apart: no date can be expected), one query."""
        self._history_flush()
        return self.env.execute_query_dict(SQL("""
            SELECT aml.id, aml.move_id, p.commercial_partner_id AS partner_id, aml.amount_residual::float8 AS residual,
                   COALESCE(aml.date_maturity, aml.date) AS due
              FROM account_move_line aml
              JOIN account_account account ON account.id = aml.account_id
              JOIN account_move move ON move.id = aml.move_id
              JOIN res_partner p ON p.id = aml.partner_id
             WHERE aml.company_id = %(company)s
               AND aml.partner_id IN (SELECT id FROM res_partner WHERE commercial_partner_id = ANY(%(partners)s))
               AND account.account_type = 'asset_receivable'
               AND aml.parent_state = 'posted'
               AND aml.reconciled IS NOT TRUE
               AND aml.amount_residual > 0
               AND move.move_type IN ('out_invoice', 'out_receipt')
               AND move.payment_state IN ('not_paid', 'partial', 'in_payment')
               AND move.late_payment_disputed IS NOT TRUE
             ORDER BY aml.id
        """, company=company.id, partners=list(partner_ids)))

    @api.model
    def _prediction_settlements(self, company, partner_ids, open_lines):
        """({line id: promised date}, {line id: instalment date}, {line id: plan's grace days}) of
        the open promises and running plans of the customers (two searches)."""
        lines_of_move = defaultdict(list)
        for row in open_lines:
            lines_of_move[row["move_id"]].append(row)
        promises = self.env["late.payment.promise"].search_fetch(
            [("company_id", "=", company.id), ("partner_id", "in", partner_ids), ("state", "=", "open")],
            ["date", "move_ids"], order="date, id")
        promise_dates = {}
        for promise in promises:
            for move_id in promise.move_ids.ids:
                for row in lines_of_move.get(move_id, ()):
                    promise_dates.setdefault(row["id"], promise.date)
        plans = self.env["late.payment.plan"].search_fetch(
            [("company_id", "=", company.id), ("partner_id", "in", partner_ids), ("state", "=", "running")],
            ["move_ids", "grace_days", "line_ids"])
        plans.line_ids.fetch(["date", "amount", "amount_paid"])
        plan_dates, plan_grace = {}, {}
        for plan in plans:
            invoices = [(row["id"], row["residual"], row["due"])
                        for move_id in plan.move_ids.ids for row in lines_of_move.get(move_id, ())]
            instalments = [(line.date, line.amount - line.amount_paid) for line in plan.line_ids]
            for key, day in prediction.plan_dates(invoices, instalments).items():
                plan_dates[key] = day
                plan_grace[key] = plan.grace_days
        return promise_dates, plan_dates, plan_grace

    @api.model
    def _prediction_write(self, company, partner_ids, dossiers, open_lines, predictions, profiles,
                                       today, settings):
        """The invoices' expected dates (the latest of their lines) and the dossiers' profiles and
        expected dates (of what is overdue, else of what is open), one UPDATE each, and the
        dates of the customers' invoices no longer open cleared."""
        by_move, by_partner, overdue_by_partner = {}, defaultdict(list), defaultdict(list)
        for row in open_lines:
            got = predictions.get(row["id"])
            if not got:
                continue
            by_partner[row["partner_id"]].append(got)
            if row["due"] < today:
                overdue_by_partner[row["partner_id"]].append(got)
            old = by_move.get(row["move_id"])
            by_move[row["move_id"]] = got if not old else prediction.Prediction(
                max(old.expected, got.expected), min(old.low, got.low), max(old.high, got.high),
                got.source if got.expected >= old.expected else old.source)
        move_model = self.env["account.move"]
        fnames = ["late_payment_expected_date", "late_payment_expected_low", "late_payment_expected_high",
                  "late_payment_expected_source"]
        move_model.flush_model(fnames)
        self.env.execute_query(SQL("""
            UPDATE account_move move
               SET late_payment_expected_date = NULL, late_payment_expected_low = NULL,
                   late_payment_expected_high = NULL, late_payment_expected_source = NULL
             WHERE move.company_id = %s AND move.commercial_partner_id = ANY(%s)
               AND move.late_payment_expected_date IS NOT NULL AND move.id != ALL(%s)
        """, company.id, list(partner_ids), list(by_move)))
        if by_move:
            self.env.execute_query(SQL("""
                UPDATE account_move move
                   SET late_payment_expected_date = v.expected, late_payment_expected_low = v.low,
                       late_payment_expected_high = v.high, late_payment_expected_source = v.source
                  FROM (VALUES %s) AS v(id, expected, low, high, source)
                 WHERE move.id = v.id
            """, SQL(", ").join(SQL("(%s, %s::date, %s::date, %s::date, %s)", move_id, *got)
                                for move_id, got in by_move.items())))
        move_model.invalidate_model([*fnames, "late_payment_expected_text"])
        rows = []
        for dossier in dossiers:
            partner_id = dossier.partner_id.id
            profile = profiles.get(partner_id)
            own = profile if profile and profile.count >= settings.min_history else None
            source = "customer" if own else None
            shown = overdue_by_partner.get(partner_id) or by_partner.get(partner_id) or []
            if shown and not own:
                source = shown[0].source
            rows.append((
                dossier.id, profile.delay if profile else 0.0, profile.low if profile else 0.0,
                profile.high if profile else 0.0, profile.average if profile else 0.0,
                profile.count if profile else 0, profile.weight if profile else 0.0, source,
                max((got.expected for got in shown), default=None), min((got.low for got in shown), default=None),
                max((got.high for got in shown), default=None)))
        if not rows:
            return
        fnames = ["prediction_delay", "prediction_low_delay", "prediction_high_delay", "prediction_average",
                  "prediction_count", "prediction_weight", "prediction_source", "expected_date", "expected_low",
                  "expected_high"]
        self.flush_model(fnames)
        self.env.execute_query(SQL("""
            UPDATE late_payment_dossier dossier
               SET prediction_delay = v.delay, prediction_low_delay = v.low_delay, prediction_high_delay = v.high_delay,
                   prediction_average = v.average, prediction_count = v.count, prediction_weight = v.weight,
                   prediction_source = v.source, expected_date = v.expected, expected_low = v.low,
                   expected_high = v.high
              FROM (VALUES %s) AS v(id, delay, low_delay, high_delay, average, count, weight, source, expected, low,
                                    high)
             WHERE dossier.id = v.id
        """, SQL(", ").join(
            SQL("(%s, %s::float8, %s::float8, %s::float8, %s::float8, %s::int4, %s::float8, %s, %s::date, %s::date, "
                "%s::date)", *row) for row in rows)))
        self.invalidate_model([*fnames, "prediction_summary"])

    @api.model
    def _expected_invoices(self, partners, company):
        """{commercial partner id: [{id, name, date_due, amount_residual, expected_payment_date,
        expected_from, expected_until}]}: the open invoices of `partners` in `company` with their
        predicted payment dates (for the API's status), one search. The caller checks access."""
        moves = self.env["account.move"].sudo().search_fetch([
            ("company_id", "=", company.id), ("commercial_partner_id", "in", partners.commercial_partner_id.ids),
            ("state", "=", "posted"), ("move_type", "in", ("out_invoice", "out_receipt")),
            ("payment_state", "in", ("not_paid", "partial"))],
            ["name", "commercial_partner_id", "invoice_date_due", "amount_residual", "late_payment_expected_date",
             "late_payment_expected_low", "late_payment_expected_high"], order="invoice_date_due, id")
        result = defaultdict(list)
        for move in moves:
            result[move.commercial_partner_id.id].append({
                "id": move.id,
                "name": move.name,
                "date_due": fields.Date.to_string(move.invoice_date_due) if move.invoice_date_due else False,
                "amount_residual": move.amount_residual,
                "expected_payment_date": fields.Date.to_string(move.late_payment_expected_date)
                if move.late_payment_expected_date else False,
                "expected_from": fields.Date.to_string(move.late_payment_expected_low)
                if move.late_payment_expected_low else False,
                "expected_until": fields.Date.to_string(move.late_payment_expected_high)
                if move.late_payment_expected_high else False,
            })
        return result

    @api.model
    def _backtest(self, company, today=None, months=12):
        """engine BacktestResult of `company`: the invoices due in the last `months` months and
        settled, each predicted with what was known at its due date (the history of the
        `months` months before it too), beside the naive predictions; None without any. The
        caller checks access."""
        today = today or fields.Date.context_today(self)
        history = self.sudo()._settled_history(company, kpi.months_before(today, 2 * months), today)
        return prediction.backtest(history, since=kpi.months_before(today, months))
