from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    late_payment_copy_salesperson = fields.Boolean(
        string="Copy reminders to the salesperson",
        help="Send the salesperson of each invoice a copy of the payment reminders of their customers.",
    )
