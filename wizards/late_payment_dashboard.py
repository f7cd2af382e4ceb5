from collections import defaultdict
from datetime import timedelta

from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools.misc import format_amount, format_date, formatLang

from ..engine import kpi
from ..models.access import check_records
from ..models.late_payment_measure import (
    COUNT_BACK_MONTHS,
    RECOVERY_WINDOWS,
    aged_balance,
)

PERIODS = [("1", "Month"), ("3", "Quarter"), ("6", "Half-year"), ("12", "Year")]
TREND_MONTHS = 12
TOP_CUSTOMERS = 10


class LatePaymentDashboard(models.TransientModel):
    """The accountant's one screen of receivables measures, for a company and a period ending on
    a day: the KPIs (engine/kpi.py) and their change against the previous period, the aged
    balance, the 12-month trend and the customers with the most overdue. Every figure is
    computed from the invoices and the dates of their matchings, so a past day shows what was
    open on that day, not today's residuals."""

    _name = "late.payment.dashboard"
    _description = "Follow-up dashboard"

    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    currency_id = fields.Many2one(related="company_id.currency_id")
    date_to = fields.Date(string="Up to", required=True, default=fields.Date.context_today,
                          help="The last day of the period measured.")
    period = fields.Selection(PERIODS, required=True, default="3",
                              help="The length of the period ending on the day chosen; the change is "
                                   "measured against the period just before it.")
    date_from = fields.Date(string="From", compute="_compute_measures")
    dso_count_back = fields.Float(string="DSO (count-back)", compute="_compute_measures", digits=(16, 1))
    dso_simple = fields.Float(string="DSO (simple)", compute="_compute_measures", digits=(16, 1))
    best_possible_dso = fields.Float(string="Best possible DSO", compute="_compute_measures", digits=(16, 1))
    cei = fields.Float(string="Collection effectiveness index", compute="_compute_measures", digits=(16, 1))
    average_days_beyond_terms = fields.Float(string="Average days beyond terms", compute="_compute_measures",
                                             digits=(16, 1))
    share_paid_late = fields.Float(string="Paid late, 12 months (%)", compute="_compute_measures", digits=(16, 1))
    share_overdue_count = fields.Float(string="Overdue, by count (%)", compute="_compute_measures", digits=(16, 1))
    share_overdue_amount = fields.Float(string="Overdue, by amount (%)", compute="_compute_measures", digits=(16, 1))
    amount_receivable = fields.Monetary(string="Receivables", compute="_compute_measures")
    amount_overdue = fields.Monetary(string="Overdue", compute="_compute_measures")
    kpi_html = fields.Html(string="Key figures", compute="_compute_measures", sanitize=False)
    aged_html = fields.Html(string="Aged balance", compute="_compute_measures", sanitize=False)
    trend_html = fields.Html(string="Trend", compute="_compute_measures", sanitize=False)
    recovery_html = fields.Html(string="Recovery by level", compute="_compute_measures", sanitize=False)
    customer_ids = fields.One2many("late.payment.dashboard.customer", "dashboard_id", string="Most overdue customers",
                                   readonly=True)

    @api.constrains("company_id")
    def _check_company_allowed(self):
        for dashboard in self:
            if dashboard.company_id not in self.env.user.company_ids:
                raise ValidationError(self.env._("You cannot measure the receivables of %(company)s.",
                                                 company=dashboard.company_id.name))

    @api.model_create_multi
    def create(self, vals_list):
        dashboards = super().create(vals_list)
        dashboards._fill_customers()
        return dashboards

    def write(self, vals):
        result = super().write(vals)
        if {"company_id", "date_to", "period"} & set(vals):
            self._fill_customers()
        return result

    # -- actions -----------------------------------------------------------------------------
    @api.model
    def action_open(self):
        """The dashboard of the current company, up to today (the menu's entry)."""
        dashboard = self.create({})
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Follow-up dashboard"),
            "res_model": self._name,
            "res_id": dashboard.id,
            "view_mode": "form",
            "views": [(self.env.ref("account_late_payment.view_late_payment_dashboard_form").id, "form")],
            "target": "current",
        }

    def action_refresh(self):
        check_records(self, "write")
        self._fill_customers()
        return True

    def action_open_receivables(self):
        self.ensure_one()
        check_records(self, "read")
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account_late_payment.action_late_payment_receivable_report")
        action["domain"] = [("company_id", "=", self.company_id.id)]
        return action

    # -- measures ----------------------------------------------------------------------------

    @api.depends("company_id")
    def _compute_display_name(self):
        for dashboard in self:
            dashboard.display_name = self.env._("Follow-up dashboard")

    @api.depends("company_id", "date_to", "period")
    def _compute_measures(self):
        for dashboard in self:
            if not (dashboard.company_id and dashboard.date_to and dashboard.period):
                dashboard._clear()
                continue
            figures = dashboard._figures()
            current, previous = figures["current"], figures["previous"]
            dashboard.date_from = figures["date_from"]
            for fname in ("dso_count_back", "dso_simple", "best_possible_dso", "cei", "average_days_beyond_terms"):
                dashboard[fname] = current[fname] or 0.0
            for fname in ("share_paid_late", "share_overdue_count", "share_overdue_amount"):
                dashboard[fname] = current[fname] * 100.0
            dashboard.amount_receivable = current["receivables"]
            dashboard.amount_overdue = current["overdue"]
            dashboard.kpi_html = dashboard._kpi_html(current, previous)
            dashboard.aged_html = dashboard._aged_html(figures["aged"], figures["live"])
            dashboard.trend_html = dashboard._trend_html(figures["trend"])
            dashboard.recovery_html = dashboard._recovery_html(
                self.env["late.payment.measure"]._recovery(dashboard.company_id, dashboard.date_to))

    def _clear(self):
        for fname in ("dso_count_back", "dso_simple", "best_possible_dso", "cei", "average_days_beyond_terms",
                      "share_paid_late", "share_overdue_count", "share_overdue_amount", "amount_receivable",
                      "amount_overdue"):
            self[fname] = 0.0
        self.date_from = False
        self.kpi_html = self.aged_html = self.trend_html = self.recovery_html = False

    def _dates(self):
        """(start of the period (excluded), end, start of the previous period (excluded)), the
        trend's month ends and the first day any measure looks at."""
        months = int(self.period)
        end = self.date_to
        start, previous_start = _months_before(end, months), _months_before(end, 2 * months)
        trend = kpi.month_ends(end, TREND_MONTHS, include_current=end == kpi.month_end(end))
        since = min(previous_start, kpi.months_before(start, 12), trend[0])
        return start, end, previous_start, trend, since

    def _figures(self):
        self.ensure_one()
        company = self.company_id
        measure = self.env["late.payment.measure"]
        start, end, previous_start, trend, since = self._dates()
        data = measure._data(company, end, since)
        days = sorted({start, end, previous_start, *trend})
        history = kpi.aged_balance_history(data["items"], data["payments"], days)
        current = self._kpis(data, history, start, end)
        previous = self._kpis(data, history, previous_start, start)
        trend_points = []
        for month_end in trend:
            balance = history[month_end]
            trend_points.append((month_end, kpi.dso_count_back(
                balance.total, kpi.count_back_months(_sales_by_month(data["sales"], month_end), month_end,
                                                     COUNT_BACK_MONTHS)),
                balance.overdue / balance.total * 100.0 if balance.total > 0 else 0.0))
        aged, live = history[end], None
        if end == fields.Date.context_today(self):
            live = measure._live_balance(company)
            aged = aged_balance(live)
            open_count = sum(live.counts.values())
            share = kpi.OverdueShare(open_count, open_count - live.counts["not_due"],
                                     float(sum(live.buckets.values())), float(live.amount_overdue))
            current.update({
                "receivables": float(live.amount_due),
                "overdue": float(live.amount_overdue),
                "share_overdue_count": share.by_count,
                "share_overdue_amount": share.by_amount,
            })
        return {"date_from": start + timedelta(days=1), "current": current, "previous": previous,
                "aged": aged, "live": live, "trend": trend_points}

    @api.model
    def _kpis(self, data, history, start, end):
        """The KPIs of the period (start, end]: DSO both ways, best possible DSO, CEI, shares
        overdue at the end, average days beyond terms of what was paid in the period, share paid
        late of what was paid in the 12 months ending on `end`."""
        days = (end - start).days
        sales = sum(amount for day, amount in data["sales"] if start < day <= end)
        balance_end, balance_start = history[end], history[start]
        receivables = balance_end.total
        settled = kpi.settlement_dates(data["items"], data["payments"], until=end)
        paid_rows = [(item[1], item[3], settled[item[0]]) for item in data["items"] if item[0] in settled]
        open_count = sum(balance_end.counts.values())
        overdue_count = open_count - balance_end.counts["not_due"]
        share = kpi.OverdueShare(open_count, overdue_count, receivables, balance_end.overdue)
        dso_simple = kpi.dso_simple(receivables, sales, days)
        return {
            "sales": sales,
            "receivables": receivables,
            "overdue": balance_end.overdue,
            "dso_count_back": kpi.dso_count_back(receivables, kpi.count_back_months(
                _sales_by_month(data["sales"], end), end, COUNT_BACK_MONTHS)),
            "dso_simple": dso_simple,
            "best_possible_dso": kpi.best_possible_dso(balance_end.not_due, sales, days),
            "cei": kpi.collection_effectiveness_index(balance_start.total, sales, receivables, balance_end.not_due),
            "average_days_beyond_terms": kpi.average_days_beyond_terms(
                [row for row in paid_rows if start < row[2] <= end]),
            "share_paid_late": kpi.share_paid_late(kpi.settled_in_window(paid_rows, end, 12)),
            "share_overdue_count": share.by_count,
            "share_overdue_amount": share.by_amount,
        }

    def _fill_customers(self):
        """The customers with the most overdue on the last day of the period; today, with the
        figures of the follow-up console (credits used once, what is left out apart)."""
        lines = self.env["late.payment.dashboard.customer"]
        measure = self.env["late.payment.measure"]
        for dashboard in self:
            dashboard.customer_ids.unlink()
            if not (dashboard.company_id and dashboard.date_to):
                continue
            end = dashboard.date_to
            if end == fields.Date.context_today(self):
                rows = [(float(balance.amount_overdue), partner_id, aged_balance(balance), float(balance.amount_due))
                        for partner_id, balance in measure._live_balance(
                            dashboard.company_id, partners=False).items()]
            else:
                data = measure._data(dashboard.company_id, end, end)
                balances = kpi.aged_balances_history(data["items"], data["payments"], [end],
                                                     data["partner_of"])[end]
                rows = [(balance.overdue, partner_id, balance, balance.total)
                        for partner_id, balance in balances.items()]
            ranked = sorted((row for row in rows if row[0] > kpi.TOLERANCE), key=lambda row: (-row[0], row[1]))
            lines.create([{
                "dashboard_id": dashboard.id,
                "sequence": position,
                "partner_id": partner_id,
                "amount_overdue": overdue,
                "amount_receivable": receivable,
                "amount_over_90": balance.days_over_90,
                "overdue_count": sum(balance.counts.values()) - balance.counts["not_due"],
            } for position, (overdue, partner_id, balance, receivable) in enumerate(ranked[:TOP_CUSTOMERS], start=1)])

    # -- rendering ---------------------------------------------------------------------------
    def _format(self, key, value):
        if value is None:
            return "\u2013"
        if key in ("receivables", "overdue", "sales"):
            return format_amount(self.env, value, self.currency_id)
        if key.startswith("share"):
            return formatLang(self.env, value * 100.0, digits=1) + "\u00a0%"
        if key == "cei":
            return formatLang(self.env, value, digits=1) + "\u00a0%"
        return formatLang(self.env, value, digits=1)

    def _kpi_labels(self):
        # (key, label, unit, True when a higher value is better)
        return [
            ("dso_count_back", self.env._("DSO, count-back"), self.env._("days"), False),
            ("dso_simple", self.env._("DSO, simple"), self.env._("days"), False),
            ("best_possible_dso", self.env._("Best possible DSO"), self.env._("days"), False),
            ("cei", self.env._("Collection effectiveness index"), "", True),
            ("average_days_beyond_terms", self.env._("Average days beyond terms"), self.env._("days"), False),
            ("share_paid_late", self.env._("Invoices paid late, last 12 months"), "", False),
            ("share_overdue_count", self.env._("Share overdue, by count"), "", False),
            ("share_overdue_amount", self.env._("Share overdue, by amount"), "", False),
            ("receivables", self.env._("Receivables"), "", None),
            ("overdue", self.env._("Overdue"), "", False),
            ("sales", self.env._("Credit sales of the period"), "", None),
        ]

    def _kpi_html(self, current, previous):
        rows = []
        for key, label, unit, higher_is_better in self._kpi_labels():
            change = kpi.change(current[key], previous[key])
            css, arrow = "text-muted", ""
            if change.delta:
                arrow = "\u25b2" if change.delta > 0 else "\u25bc"
                if higher_is_better is not None:
                    css = "text-success" if (change.delta > 0) == higher_is_better else "text-danger"
            if change.delta is None:
                delta = "\u2013"
            elif key.startswith("share"):
                delta = self.env._("%(points)s pts", points=formatLang(self.env, change.delta * 100.0, digits=1))
            else:
                delta = self._format(key, change.delta)
            rows.append(Markup(
                "<tr><td>%s</td><td class='text-end fw-bold'>%s %s</td><td class='text-end text-muted'>%s</td>"
                "<td class='text-end %s'>%s %s</td></tr>"
            ) % (label, self._format(key, current[key]), unit,
                 self._format(key, previous[key]), css, arrow, delta))
        return Markup(
            "<table class='table table-sm o_late_payment_kpis'><thead><tr><th>%s</th><th class='text-end'>%s</th>"
            "<th class='text-end'>%s</th><th class='text-end'>%s</th></tr></thead><tbody>%s</tbody></table>"
        ) % (self.env._("Measure"), self.env._("This period"), self.env._("Previous period"), self.env._("Change"),
             Markup().join(rows))

    def _aged_html(self, balance, live=None):
        """The aged balance in age order; today (`live`: the console's figures), what is left out
        of the follow-up and the credit left over below it, then the amount due."""
        labels = dict(self.env["late.payment.receivable.report"]._fields["bucket"]._description_selection(self.env))
        colours = {"not_due": "#28a745", "days_1_30": "#17a2b8", "days_31_60": "#ffc107",
                   "days_61_90": "#fd7e14", "days_over_90": "#dc3545"}
        top = max([getattr(balance, code) for code in kpi.BUCKETS] + [0.0]) or 1.0
        rows = []
        for code in kpi.BUCKETS:
            amount = getattr(balance, code)
            rows.append(Markup(
                "<tr><td class='text-nowrap pe-2'>%s</td><td style='width:70%%'>"
                "<div style='background:%s;height:1.2em;width:%.1f%%;min-width:2px'></div></td>"
                "<td class='text-end text-nowrap ps-2'>%s</td><td class='text-end text-muted ps-2'>%s</td></tr>"
            ) % (labels[code], colours[code], amount / top * 100.0, format_amount(self.env, amount, self.currency_id),
                 balance.counts[code]))
        if live is not None:
            for label, amount, css in ((labels["excluded"], live.amount_excluded, "text-muted"),
                                       (self.env._("Credit left over"), live.credit_left, "text-muted"),
                                       (self.env._("Amount due"), live.amount_due, "fw-bold")):
                rows.append(Markup(
                    "<tr class='%s'><td class='text-nowrap pe-2'>%s</td><td></td>"
                    "<td class='text-end text-nowrap ps-2'>%s</td><td></td></tr>"
                ) % (css, label, format_amount(self.env, float(amount), self.currency_id)))
        return Markup("<table class='w-100 o_late_payment_aged'>%s</table>") % Markup().join(rows)

    # -- what each reminder level recovers ---------------------------------------------------------
    def _recovery_html(self, recoveries):
        if not recoveries:
            return Markup("<p class='text-muted'>%s</p>") % self.env._("No reminder sent in the last 12 months.")
        levels = self.env["late.payment.level"].browse(list(recoveries)).exists().sorted(
            lambda level: (level.policy_id.id, level.sequence, level.days))
        header = Markup("").join(
            Markup("<th class='text-end'>%s</th>") % label for label in (
                self.env._("Reminders"), self.env._("Amount reminded"),
                *(self.env._("Paid within %(days)s days", days=days) for days in RECOVERY_WINDOWS)))
        rows = []
        for level in levels:
            recovery = recoveries[level.id]
            cells = [Markup("<td>%s</td>") % level.display_name,
                     Markup("<td class='text-end'>%s</td>") % recovery.reminders,
                     Markup("<td class='text-end text-nowrap'>%s</td>") % format_amount(
                         self.env, recovery.amount_due, self.currency_id)]
            for days in RECOVERY_WINDOWS:
                cell = Markup("<td class='text-end text-nowrap'>%s <span class='text-muted'>(%s %%)</span></td>")
                cells.append(cell % (
                    format_amount(self.env, recovery.paid.get(days, 0.0), self.currency_id),
                    formatLang(self.env, recovery.rate(days) * 100.0, digits=0)))
            rows.append(Markup("<tr>%s</tr>") % Markup("").join(cells))
        return Markup("<table class='table table-sm o_late_payment_recovery'><thead><tr><th>%s</th>%s</tr></thead>"
                      "<tbody>%s</tbody></table>") % (self.env._("Level"), header, Markup("").join(rows))

    def _trend_html(self, points):
        charts = [
            (self.env._("DSO, count-back (days)"), [dso for _day, dso, _share in points], "#714b67"),
            (self.env._("Share overdue, by amount (%)"), [share for _day, _dso, share in points], "#dc3545"),
        ]
        months = [format_month(self.env, day) for day, _dso, _share in points]
        return Markup("<div class='d-flex flex-wrap gap-4'>%s</div>") % Markup().join(
            _svg_line_chart(self.env, title, values, months, colour) for title, values, colour in charts)


def _months_before(day, months):
    """As kpi.months_before, a month end staying a month end (30 November - 1 month is 31 October)."""
    if day == kpi.month_end(day):
        return kpi.month_end(kpi.months_before(day, months))
    return kpi.months_before(day, months)


def _sales_by_month(sales, end):
    """{(year, month): net credit sales} of the (day, amount) rows up to `end`."""
    by_month = defaultdict(float)
    for day, amount in sales:
        if day <= end:
            by_month[day.year, day.month] += amount
    return by_month


def format_month(env, day):
    return format_date(env, day, date_format="MMM yy")


def _svg_line_chart(env, title, values, labels, colour, width=420, height=160):
    """A small line chart, rendered server-side (no JavaScript)."""
    left, right, top, bottom = 36, 8, 20, 24
    top_value = max([*values, 0.0]) or 1.0
    step = (width - left - right) / max(len(values) - 1, 1)

    def x(index):
        return left + index * step

    def y(value):
        return top + (height - top - bottom) * (1 - value / top_value)

    points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(values))
    dots = Markup().join(
        Markup("<circle cx='%.1f' cy='%.1f' r='3' fill='%s'><title>%s: %s</title></circle>")
        % (x(i), y(v), colour, labels[i], formatLang(env, v, digits=1)) for i, v in enumerate(values))
    ticks = Markup().join(
        Markup("<text x='%.1f' y='%d' font-size='9' text-anchor='middle' fill='#666'>%s</text>")
        % (x(i), height - 8, labels[i]) for i in range(0, len(labels), 2))
    scale = Markup(
        "<text x='%d' y='%.1f' font-size='9' text-anchor='end' fill='#666'>%s</text>"
        "<text x='%d' y='%.1f' font-size='9' text-anchor='end' fill='#666'>0</text>"
        "<line x1='%d' y1='%.1f' x2='%d' y2='%.1f' stroke='#ccc'/>"
    ) % (left - 4, y(top_value) + 3, formatLang(env, top_value, digits=0), left - 4, y(0) + 3,
         left, y(0), width - right, y(0))
    return Markup(
        "<svg xmlns='http://www.w3.org/2000/svg' width='%d' height='%d' role='img' aria-label='%s'>"
        "<text x='%d' y='12' font-size='11' font-weight='bold'>%s</text>%s"
        "<polyline fill='none' stroke='%s' stroke-width='2' points='%s'/>%s%s</svg>"
    ) % (width, height, escape(title), left, title, scale, colour, points, dots, ticks)
