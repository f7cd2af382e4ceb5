from odoo import fields, models

from ..models.access import check_records


class LatePaymentDashboardCustomer(models.TransientModel):
    _name = "late.payment.dashboard.customer"
    _description = "Follow-up dashboard: customer with overdue"
    _order = "sequence, id"

    dashboard_id = fields.Many2one("late.payment.dashboard", required=True, ondelete="cascade")
    sequence = fields.Integer()
    company_id = fields.Many2one(related="dashboard_id.company_id")
    currency_id = fields.Many2one(related="dashboard_id.currency_id")
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    amount_overdue = fields.Monetary(string="Overdue", readonly=True)
    amount_receivable = fields.Monetary(string="Open", readonly=True)
    amount_over_90 = fields.Monetary(string="Over 90 days", readonly=True)
    overdue_count = fields.Integer(string="Overdue items", readonly=True)

    def action_open_items(self):
        """The customer's receivables behind the figures."""
        self.ensure_one()
        check_records(self, "read")
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account_late_payment.action_late_payment_receivable_report")
        action.update({
            "name": self.env._("Receivables of %(customer)s", customer=self.partner_id.display_name),
            "domain": [("partner_id", "=", self.partner_id.id), ("company_id", "=", self.company_id.id)],
            "context": {"search_default_open": 1},
            "views": [(False, "list"), (False, "pivot"), (False, "graph")],
            "view_mode": "list,pivot,graph",
        })
        return action

    def action_open_dossier(self):
        self.ensure_one()
        check_records(self, "read")
        return self.partner_id.with_company(self.company_id).action_late_payment_open_dossier()
