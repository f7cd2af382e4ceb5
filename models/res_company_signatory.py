from odoo import fields, models


class ResCompany(models.Model):
    """Who signs the company's letters (reminder letters, formal notices, payment plan
    agreements): a name and a title printed under the letter, nothing when empty."""

    _inherit = "res.company"

    late_payment_signatory_name = fields.Char(
        string="Signatory", help="The name printed at the foot of the letters (reminders, formal notices, "
                                 "payment plan agreements). Empty: no signatory block.")
    late_payment_signatory_title = fields.Char(
        string="Signatory's title", translate=True,
        help="The signatory's position, printed under the name (e.g. Credit manager).")
