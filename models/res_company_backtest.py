"""How well the predicted payment dates did on the company's own past year (the backtest of
engine/prediction.py), measured by the nightly risk run once every customer is scored, and
shown on the dashboard without recomputing it each time it opens."""

from odoo import api, fields, models

from ..engine import prediction


class ResCompany(models.Model):
    _inherit = "res.company"

    late_payment_backtest_date = fields.Date(
        string="Predictions measured on", readonly=True, copy=False,
        help="The day the nightly run last measured the predicted payment dates on the company's past year.")
    late_payment_backtest_count = fields.Integer(
        string="Invoices replayed", readonly=True, copy=False,
        help="The invoices settled in the 12 months before that day, each predicted with what was known "
             "on its due date.")
    late_payment_backtest_error = fields.Float(
        string="Average error of the predictions (days)", readonly=True, copy=False, digits=(16, 2))
    late_payment_backtest_error_due_date = fields.Float(
        string="Average error of \"paid on the due date\" (days)", readonly=True, copy=False, digits=(16, 2))
    late_payment_backtest_error_last_delay = fields.Float(
        string="Average error of \"as late as the last invoice\" (days)", readonly=True, copy=False,
        digits=(16, 2))

    def _late_payment_backtest(self):
        """The stored engine BacktestResult of the company (None when nothing was measured, or
        nothing could be: no invoice settled in the year)."""
        self.ensure_one()
        if not self.late_payment_backtest_date or not self.late_payment_backtest_count:
            return None
        return prediction.BacktestResult(
            self.late_payment_backtest_count, self.late_payment_backtest_error,
            self.late_payment_backtest_error_due_date, self.late_payment_backtest_error_last_delay)

    @api.model
    def _late_payment_store_backtest(self, company, today):
        """Measure the predictions of `company` on its past year and store the result (one
        query for the history; the replay is in memory)."""
        result = self.env["late.payment.dossier"].sudo()._backtest(company, today)
        company.sudo().write({
            "late_payment_backtest_date": today,
            "late_payment_backtest_count": result.count if result else 0,
            "late_payment_backtest_error": result.mae if result else 0.0,
            "late_payment_backtest_error_due_date": result.mae_due_date if result else 0.0,
            "late_payment_backtest_error_last_delay": result.mae_last_delay if result else 0.0,
        })
        return result
