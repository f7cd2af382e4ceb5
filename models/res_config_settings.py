from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    late_payment_copy_salesperson = fields.Boolean(
        related="company_id.late_payment_copy_salesperson", readonly=False)
