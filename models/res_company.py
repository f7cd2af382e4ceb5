from odoo import api, fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    late_payment_copy_salesperson = fields.Boolean(
        string="Copy reminders to the salesperson",
        help="Send the salesperson of each invoice a copy of the payment reminders of their customers.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        self.env["late.payment.policy"].sudo()._late_payment_create_default_policies(companies)
        return companies
