from markupsafe import Markup

from odoo import api, models
from odoo.tools import SQL
from odoo.tools.misc import format_amount

from odoo.addons.account_late_payment.engine import kpi, tracking


class LatePaymentDashboard(models.TransientModel):
    """The recovery by level also counts the customers who paid from their page (the link of
    their reminders: controllers/customer_page.py) after a reminder of each level."""

    _inherit = "late.payment.dashboard"

    @api.model
    def _paid_from_page(self, company, end, months=12):
        """{level id: (customers, amount)}: the customers who paid from their page after a
        reminder of each level that `company` sent in the `months` up to `end`, and what they
        paid there (in the company currency): one query."""
        since = kpi.months_before(end, months)
        self.env["late.payment.reminder"].flush_model(["tracking_state", "paid_transaction_id", "level_id", "date"])
        self.env["payment.transaction"].flush_model(["amount"])
        rows = self.env.execute_query(SQL(
            """SELECT r.level_id, COUNT(DISTINCT r.partner_id), COALESCE(SUM(tx.amount), 0)
                 FROM late_payment_reminder r
                 LEFT JOIN payment_transaction tx ON tx.id = r.paid_transaction_id
                WHERE r.company_id = %s AND r.date > %s AND r.date <= %s AND r.tracking_state = %s
                  AND r.log_state = 'valid'
                GROUP BY r.level_id""",
            company.id, since, end, tracking.PAID))
        return {level_id: (customers, float(amount)) for level_id, customers, amount in rows}

    def _recovery_html(self, recoveries):
        html = super()._recovery_html(recoveries)
        if not self.company_id or not self.date_to:
            return html
        paid = self._paid_from_page(self.company_id, self.date_to)
        levels = self.env["late.payment.level"].browse(list(set(recoveries) | set(paid))).exists().sorted(
            lambda level: (level.policy_id.id, level.sequence, level.days))
        if not levels:
            return html
        rows = Markup("").join(
            Markup("<tr><td>%s</td><td class='text-end'>%s</td><td class='text-end text-nowrap'>%s</td></tr>") % (
                level.display_name, paid.get(level.id, (0, 0.0))[0],
                format_amount(self.env, paid.get(level.id, (0, 0.0))[1], self.currency_id))
            for level in levels)
        return html + Markup(
            "<table class='table table-sm o_late_payment_paid_from_page'><thead><tr><th>%s</th>"
            "<th class='text-end'>%s</th><th class='text-end'>%s</th></tr></thead><tbody>%s</tbody></table>") % (
            self.env._("Paid from the customer page after"), self.env._("Customers"),
            self.env._("Paid on the page"), rows)
