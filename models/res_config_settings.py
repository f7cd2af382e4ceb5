from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    late_payment_plan_grace_days = fields.Integer(related="company_id.late_payment_plan_grace_days", readonly=False)
    late_payment_plan_notice_days = fields.Integer(
        related="company_id.late_payment_plan_notice_days", readonly=False)
    late_payment_dispute_stops_interest = fields.Boolean(
        related="company_id.late_payment_dispute_stops_interest", readonly=False)
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
    late_payment_consumer_rate = fields.Float(related="company_id.late_payment_consumer_rate", readonly=False)
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

    late_payment_credit_guard = fields.Boolean(related="company_id.late_payment_credit_guard", readonly=False)
    late_payment_go_live_date = fields.Date(related="company_id.late_payment_go_live_date")
    late_payment_go_live_mode = fields.Selection(related="company_id.late_payment_go_live_mode")
    late_payment_status_lookup = fields.Boolean(
        string="Look up French customers' company status", config_parameter="account_late_payment.status_lookup",
        help="Every week, ask the French government's company register (API Recherche d'entreprises) and BODACC "
             "whether the active French customers are still in business and whether collective proceedings were "
             "opened against them (their SIREN, SIRET or VAT number is sent).")
    late_payment_status_recheck_days = fields.Integer(
        string="Days before a new lookup", config_parameter="account_late_payment.status_recheck_days", default=7,
        help="A customer's company status is not looked up again within this many days (the button on the "
             "customer always does).")
    late_payment_risk_days_late_points = fields.Float(
        related="company_id.late_payment_risk_days_late_points", readonly=False)
    late_payment_risk_days_late_full = fields.Float(
        related="company_id.late_payment_risk_days_late_full", readonly=False)
    late_payment_risk_late_share_points = fields.Float(
        related="company_id.late_payment_risk_late_share_points", readonly=False)
    late_payment_risk_late_grace_days = fields.Integer(
        related="company_id.late_payment_risk_late_grace_days", readonly=False)
    late_payment_risk_exposure_points = fields.Float(
        related="company_id.late_payment_risk_exposure_points", readonly=False)
    late_payment_risk_level_points = fields.Float(
        related="company_id.late_payment_risk_level_points", readonly=False)
    late_payment_risk_formal_notice_points = fields.Float(
        related="company_id.late_payment_risk_formal_notice_points", readonly=False)
    late_payment_risk_collection_points = fields.Float(
        related="company_id.late_payment_risk_collection_points", readonly=False)
    late_payment_risk_incident_points = fields.Float(
        related="company_id.late_payment_risk_incident_points", readonly=False)
    late_payment_risk_incidents_max_points = fields.Float(
        related="company_id.late_payment_risk_incidents_max_points", readonly=False)
    late_payment_risk_trend_points = fields.Float(
        related="company_id.late_payment_risk_trend_points", readonly=False)
    late_payment_risk_trend_months = fields.Integer(
        related="company_id.late_payment_risk_trend_months", readonly=False)
    late_payment_risk_min_settled = fields.Integer(
        related="company_id.late_payment_risk_min_settled", readonly=False)
    late_payment_risk_no_history_score = fields.Float(
        related="company_id.late_payment_risk_no_history_score", readonly=False)

    def action_late_payment_go_live(self):
        """Settings: the preview of the first run, and the two ways to start the follow-up."""
        self.company_id._late_payment_check_go_live_caller()
        return self.env["ir.actions.act_window"]._for_xml_id("account_late_payment.action_late_payment_go_live_wizard")

    late_payment_unconfirmed_rates = fields.Text(
        string="Unconfirmed rates", compute="_compute_late_payment_unconfirmed_rates",
        help="The reference rates in force that their official source has not confirmed yet.")

    def _compute_late_payment_unconfirmed_rates(self):
        rates = self.env["late.payment.rate"]._unconfirmed_in_force()
        text = "\n".join(rates.mapped("display_name")) or False
        for settings in self:
            settings.late_payment_unconfirmed_rates = text
