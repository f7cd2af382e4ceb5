from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    late_payment_copy_salesperson = fields.Boolean(
        related="company_id.late_payment_copy_salesperson", readonly=False)
    late_payment_snailmail = fields.Boolean(related="company_id.late_payment_snailmail", readonly=False)
    late_payment_user_id = fields.Many2one(related="company_id.late_payment_user_id", readonly=False)
    late_payment_interest_mode = fields.Selection(related="company_id.late_payment_interest_mode", readonly=False)
    late_payment_interest_margin = fields.Float(related="company_id.late_payment_interest_margin", readonly=False)
    late_payment_contractual_rate = fields.Float(
        related="company_id.late_payment_contractual_rate", readonly=False)
    late_payment_day_count = fields.Selection(related="company_id.late_payment_day_count", readonly=False)
    late_payment_indemnity_amount = fields.Float(
        related="company_id.late_payment_indemnity_amount", readonly=False)
    late_payment_interest_consumers = fields.Boolean(
        related="company_id.late_payment_interest_consumers", readonly=False)
    late_payment_invoice_mentions = fields.Boolean(
        related="company_id.late_payment_invoice_mentions", readonly=False)
    late_payment_mention_interest_statutory = fields.Text(
        related="company_id.late_payment_mention_interest_statutory", readonly=False)
    late_payment_mention_interest_contractual = fields.Text(
        related="company_id.late_payment_mention_interest_contractual", readonly=False)
    late_payment_mention_indemnity = fields.Text(related="company_id.late_payment_mention_indemnity", readonly=False)
    late_payment_mention_discount = fields.Text(related="company_id.late_payment_mention_discount", readonly=False)
    late_payment_mention_no_discount = fields.Text(
        related="company_id.late_payment_mention_no_discount", readonly=False)
    late_payment_interest_product_id = fields.Many2one(
        related="company_id.late_payment_interest_product_id", readonly=False)
    late_payment_indemnity_product_id = fields.Many2one(
        related="company_id.late_payment_indemnity_product_id", readonly=False)
    late_payment_interest_account_id = fields.Many2one(
        related="company_id.late_payment_interest_account_id", readonly=False)
    late_payment_indemnity_account_id = fields.Many2one(
        related="company_id.late_payment_indemnity_account_id", readonly=False)
