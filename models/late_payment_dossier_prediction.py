import logging
from collections import defaultdict

from odoo import api, fields, models
from odoo.tools import SQL, format_date

from odoo.addons.account_late_payment.engine import kpi, prediction, risk

from .account_move_prediction import PREDICTION_SOURCES

_logger = logging.getLogger(__name__)

# the customer's profile and expected dates, stored on its dossier: (column, SQL type)
DOSSIER_COLUMNS = [
    ("prediction_delay", "float8"), ("prediction_low_delay", "float8"), ("prediction_high_delay", "float8"),
    ("prediction_average", "float8"), ("prediction_count", "int4"), ("prediction_weight", "float8"),
    ("prediction_source", "varchar"), ("expected_date", "date"), ("expected_low", "date"), ("expected_high", "date"),
]


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
    def _risk_dossier_columns(self, company, dossiers, results, today):
        """The predictions of the customers just scored (their new risk classes), the profiles
        and expected dates stored on the dossiers with the scores."""
        columns = super()._risk_dossier_columns(company, dossiers, results, today)
        risk_classes = {partner_id: risk.risk_class(result.score) for partner_id, result in results.items()
                        if not result.no_history}
        _predictions, values = self.sudo()._predict(
            company, dossiers.partner_id.ids, today=today, risk_classes=risk_classes, store_dossiers=False)
        return columns + [(name, cast, {dossier_id: row[index] for dossier_id, row in values.items()})
                          for index, (name, cast) in enumerate(DOSSIER_COLUMNS)]

    @api.model
    def _cron_risk(self, batch_size=500):
        result = super()._cron_risk(batch_size=batch_size)
        self._backtest_nightly()
        return result

    @api.model
    def _backtest_nightly(self):
        """Once a day, for each company whose customers are all scored today: measure the
        predictions on its past year and store the result for the dashboard (res.company). A
        failure is logged and left for tomorrow; the scores stay."""
        today = fields.Date.context_today(self)
        companies = self.env["res.company"].sudo().search(
            ["|", ("late_payment_backtest_date", "=", False), ("late_payment_backtest_date", "<", today)])
        for company in companies:
            if self._risk_candidates(company, today, company._late_payment_risk_weights(), exclude_scored_on=today):
                continue  # the next turn of the scheduled action scores the rest first
            try:
                with self.env.cr.savepoint():
                    self.env["res.company"]._late_payment_store_backtest(company, today)
            except Exception:  # the scores of the night must not be lost for a measure
                _logger.exception("Late payments: the backtest of the predictions failed for %s", company.name)

    @api.model
    def _prediction_pools(self, company, settings=prediction.DEFAULT_SETTINGS):
        """({risk class code: Profile}, company Profile): the stored profiles of the company's
        customers with a history of their own, pooled by class and over the company, in one
        grouped query (once per company in a call of the nightly action)."""
        if settings is not prediction.DEFAULT_SETTINGS:
            return self._prediction_pools_query(company, settings)
        return self._nightly_read("pools", company.id, lambda: self._prediction_pools_query(company, settings))

    @api.model
    def _prediction_pools_query(self, company, settings):
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
    def _predict(self, company, partner_ids, today=None, settings=prediction.DEFAULT_SETTINGS, risk_classes=None,
                 store_dossiers=True):
        """Predict the open invoices of `partner_ids` in `company` and store the predictions on
        the invoices and the customers' profiles on their dossiers, in a bounded number of
        queries whatever the number of customers. `risk_classes` ({partner id: class code}):
        the customers' classes (default: their stored scores'). Returns ({line id: engine
        Prediction}, {dossier id: values of DOSSIER_COLUMNS}); with `store_dossiers` False the
        dossiers' values are returned only, for the caller to store."""
        if not partner_ids:
            return {}, {}
        today = today or fields.Date.context_today(self)
        start = kpi.months_before(today, 12)
        history = [(partner_id, float(amount), due, paid)
                   for partner_id, amount, due, paid in self._risk_settled(company, partner_ids, start,
                                                                                         today)]
        open_lines = self._prediction_open_lines(company, partner_ids)
        dossiers = self.search_fetch([("company_id", "=", company.id), ("partner_id", "in", partner_ids)],
                                     ["partner_id", "risk_score", "risk_date", "risk_no_history"])
        if risk_classes is None:
            risk_classes = {dossier.partner_id.id: risk.risk_class(dossier.risk_score)
                            for dossier in dossiers if dossier.risk_date and not dossier.risk_no_history}
        pools, company_pool = self._prediction_pools(company, settings)
        promise_dates, plan_dates, plan_grace = self._prediction_settlements(
            company, partner_ids, open_lines)
        predictions, profiles = prediction.predict_customers(
            [(row["partner_id"], row["id"], row["residual"], row["due"]) for row in open_lines], history, today,
            risk_classes=risk_classes, class_pools=pools, company_pool=company_pool, promise_dates=promise_dates,
            plan_dates_by_key=plan_dates, plan_grace=plan_grace, settings=settings)
        values = self._prediction_write(company, partner_ids, dossiers, open_lines, predictions, profiles, today,
                                        settings, store_dossiers=store_dossiers)
        return predictions, values

    @api.model
    def _prediction_open_lines(self, company, partner_ids):
        """Dicts (id, move_id, partner_id, residual, due...) of the customers' open invoice lines
        still to pay (disputed and blocked invoices apart: no date can be expected)."""
        return [row for row in self._open_lines(company, partner_ids)
                if row["payment_state"] in ("not_paid", "partial", "in_payment") and not row["disputed"]]

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
    def _prediction_write(self, company, partner_ids, dossiers, open_lines, predictions, profiles, today, settings,
                          store_dossiers=True):
        """The invoices' expected dates (the latest of their lines) and the dossiers' profiles and
        expected dates (of what is overdue, else of what is open), one UPDATE each, and the
        dates of the customers' invoices no longer open cleared. Returns the dossiers' values
        ({dossier id: values of DOSSIER_COLUMNS}); with `store_dossiers` False they are not
        written."""
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
             WHERE move.company_id = %(company)s
               -- by the moves' partners (indexed), not their commercial partner (a scan of every move)
               AND move.partner_id IN (SELECT id FROM res_partner WHERE commercial_partner_id = ANY(%(partners)s))
               AND move.late_payment_expected_date IS NOT NULL AND move.id != ALL(%(kept)s)
        """, company=company.id, partners=list(partner_ids), kept=list(by_move)))
        if by_move:
            self.env.execute_query(SQL("""
                UPDATE account_move move
                   SET late_payment_expected_date = v.expected, late_payment_expected_low = v.low,
                       late_payment_expected_high = v.high, late_payment_expected_source = v.source
                  FROM (VALUES %s) AS v(id, expected, low, high, source)
                 WHERE move.id = v.id
                   AND (move.late_payment_expected_date, move.late_payment_expected_low,
                        move.late_payment_expected_high, move.late_payment_expected_source)
                       IS DISTINCT FROM (v.expected, v.low, v.high, v.source)
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
            # (numeric columns: rounded, so that what did not change compares equal and is not rewritten)
            rows.append((
                dossier.id, round(profile.delay, 6) if profile else 0.0, round(profile.low, 6) if profile else 0.0,
                round(profile.high, 6) if profile else 0.0, round(profile.average, 6) if profile else 0.0,
                profile.count if profile else 0, profile.weight if profile else 0.0, source,
                max((got.expected for got in shown), default=None), min((got.low for got in shown), default=None),
                max((got.high for got in shown), default=None)))
        values = {row[0]: row[1:] for row in rows}
        if not rows or not store_dossiers:
            return values
        fnames = [name for name, _cast in DOSSIER_COLUMNS]
        row_format = "(%s" + "".join(f", %s::{cast}" for _name, cast in DOSSIER_COLUMNS) + ")"
        self.flush_model(fnames)
        self.env.execute_query(SQL("""
            UPDATE late_payment_dossier dossier
               SET %(assign)s
              FROM (VALUES %(values)s) AS v(id, %(names)s)
             WHERE dossier.id = v.id AND (%(old)s) IS DISTINCT FROM (%(new)s)
        """, assign=SQL(", ").join(SQL("%s = v.%s", SQL.identifier(name), SQL.identifier(name)) for name in fnames),
            values=SQL(", ").join(SQL(row_format, *row) for row in rows),
            names=SQL(", ").join(SQL.identifier(name) for name in fnames),
            old=SQL(", ").join(SQL("dossier.%s", SQL.identifier(name)) for name in fnames),
            new=SQL(", ").join(SQL("v.%s", SQL.identifier(name)) for name in fnames)))
        self.invalidate_model([*fnames, "prediction_summary"])
        return values

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
