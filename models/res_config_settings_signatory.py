from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    late_payment_signatory_name = fields.Char(related="company_id.late_payment_signatory_name", readonly=False)
    late_payment_signatory_title = fields.Char(related="company_id.late_payment_signatory_title", readonly=False)
