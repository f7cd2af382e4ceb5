from markupsafe import Markup

from odoo import api, fields, models
from odoo.tools import SQL, format_amount, format_date, formatLang

from odoo.addons.account_late_payment.engine import prediction


class LatePaymentDashboard(models.TransientModel):
    """The dashboard's look ahead: the next 13 weeks of expected receipts (the open invoices'
    predicted payment dates, engine/prediction.py, summed by week with their band), and how well
    the predictions did on the company's own past year (the backtest)."""

    _inherit = "late.payment.dashboard"

    forecast_html = fields.Html(string="Cash-in forecast", compute="_compute_forecast", sanitize=False)
    forecast_total = fields.Monetary(string="Expected in 13 weeks", compute="_compute_forecast")
    backtest_html = fields.Html(string="How good are the predictions", compute="_compute_forecast",
                                sanitize=False)

    @api.depends("company_id")
    @api.depends_context("lang")
    def _compute_forecast(self):
        today = fields.Date.context_today(self)
        for dashboard in self:
            company = dashboard.company_id
            if not company:
                dashboard.update({"forecast_html": False, "forecast_total": 0.0, "backtest_html": False})
                continue
            weeks, later, unknown = dashboard._forecast(company, today)
            dashboard.forecast_total = weeks[-1].cumulative if weeks else 0.0
            dashboard.forecast_html = dashboard._forecast_html(weeks, later, unknown)
            dashboard.backtest_html = dashboard._backtest_html(*dashboard._backtest(company, today))

    @api.model
    def _backtest(self, company, today):
        """(engine BacktestResult or None, the day it was measured): the one the nightly run
        stored; measured now (not stored) when the nightly run has not measured it yet."""
        company = company.sudo()
        if company.late_payment_backtest_date:
            return company._late_payment_backtest(), company.late_payment_backtest_date
        return self.env["late.payment.dossier"].sudo()._backtest(company, today), today

    @api.model
    def _forecast(self, company, today, weeks=13):
        """(engine ForecastWeek list, amount expected later, amount open without a prediction)
        of `company`'s open customer invoices, from one grouped query."""
        self.env["account.move"].flush_model([
            "company_id", "state", "move_type", "payment_state", "amount_residual_signed",
            "late_payment_expected_date", "late_payment_expected_low", "late_payment_expected_high"])
        rows = self.env.execute_query(SQL("""
            SELECT late_payment_expected_date, late_payment_expected_low, late_payment_expected_high,
                   SUM(amount_residual_signed)::float8
              FROM account_move
             WHERE company_id = %s AND state = 'posted' AND move_type IN ('out_invoice', 'out_receipt')
               AND payment_state IN ('not_paid', 'partial')
             GROUP BY 1, 2, 3
        """, company.id))
        unknown = sum(amount for day, _low, _high, amount in rows if not day)
        result, later = prediction.weekly_forecast(
            [(amount, day, low, high) for day, low, high, amount in rows if day], today, weeks)
        return result, later, unknown

    def _forecast_html(self, weeks, later, unknown):
        """A bar per week (the expected amount, the band as a thin line behind it) and the table."""
        currency = self.currency_id
        top = max([max(week.expected, week.early, week.late) for week in weeks] + [0.0]) or 1.0
        bars = Markup().join(
            Markup("<div class='d-flex flex-column justify-content-end align-items-center' style='flex:1;height:9em' "
                   "title='%s'><div style='background:#adb5bd;width:30%%;height:%.1f%%;min-height:1px'></div>"
                   "<div style='background:#0d6efd;width:70%%;height:%.1f%%;min-height:1px'></div>"
                   "<small class='text-muted text-nowrap'>%s</small></div>")
            % (format_amount(self.env, week.expected, currency), max(week.late - week.expected, 0.0) / top * 100.0,
               week.expected / top * 100.0, format_date(self.env, week.start, date_format="d MMM"))
            for week in weeks)
        rows = Markup().join(
            Markup("<tr><td class='text-nowrap'>%s</td><td class='text-end fw-bold'>%s</td><td class='text-end'>%s</td>"
                   "<td class='text-end'>%s</td><td class='text-end text-muted'>%s</td></tr>")
            % (format_date(self.env, week.start), format_amount(self.env, week.expected, currency),
               format_amount(self.env, week.early, currency), format_amount(self.env, week.late, currency),
               format_amount(self.env, week.cumulative, currency))
            for week in weeks)
        footer = Markup("<tr class='text-muted'><td>%s</td><td class='text-end'>%s</td><td></td><td></td><td></td></tr>"
                        "<tr class='text-muted'><td>%s</td><td class='text-end'>%s</td><td></td><td></td><td></td></tr>"
                        ) % (self.env._("Later"), format_amount(self.env, later, currency),
                             self.env._("Not predicted (disputed, or posted today)"),
                             format_amount(self.env, unknown, currency))
        return Markup(
            "<div class='d-flex align-items-end gap-1 mb-3 o_late_payment_forecast_chart'>%s</div>"
            "<table class='table table-sm o_late_payment_forecast'><thead><tr><th>%s</th><th class='text-end'>%s</th>"
            "<th class='text-end'>%s</th><th class='text-end'>%s</th><th class='text-end'>%s</th></tr></thead>"
            "<tbody>%s%s</tbody></table>"
        ) % (bars, self.env._("Week of"), self.env._("Expected"), self.env._("If paid early"),
             self.env._("If paid late"), self.env._("Cumulated"), rows, footer)

    def _backtest_html(self, result, measured_on):
        if not result:
            return Markup("<p class='text-muted'>%s</p>") % self.env._(
                "No invoice settled in the last 12 months to measure the predictions on.")

        def days(value):
            return self.env._("%(days)s days", days=formatLang(self.env, value, digits=1))

        return Markup(
            "<table class='table table-sm o_late_payment_backtest'><thead><tr><th>%s</th><th class='text-end'>%s</th>"
            "</tr></thead><tbody><tr class='fw-bold'><td>%s</td><td class='text-end'>%s</td></tr>"
            "<tr><td>%s</td><td class='text-end'>%s</td></tr><tr><td>%s</td><td class='text-end'>%s</td></tr>"
            "</tbody></table><p class='text-muted'>%s</p>"
        ) % (self.env._("Predicted payment date"), self.env._("Average error"),
             self.env._("Our prediction"), days(result.mae),
             self.env._("Paid on the due date"), days(result.mae_due_date),
             self.env._("As late as the customer's last invoice"), days(result.mae_last_delay),
             self.env._("The %(count)s invoices settled in the 12 months before %(date)s, each predicted with what "
                        "was known on its due date.", count=result.count, date=format_date(self.env, measured_on)))
