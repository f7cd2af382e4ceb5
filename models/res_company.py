from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..engine import business_days, interest


class ResCompany(models.Model):
    _inherit = "res.company"

    late_payment_copy_salesperson = fields.Boolean(
        string="Copy reminders to the salesperson",
        help="Send the salesperson of each invoice a copy of the payment reminders of their customers.",
    )
    late_payment_snailmail = fields.Boolean(
        string="Post the letters with Snailmail",
        help="The printed reminder letters are also handed to Odoo's Snailmail service, which prints and posts "
             "them (a paid IAP service); otherwise they wait in the day's batch of letters to print.")
    late_payment_user_id = fields.Many2one(
        "res.users", string="Default follow-up responsible",
        domain="[('share', '=', False), ('company_ids', 'in', id)]",
        help="Receives the calls and tasks of the follow-up for customers with neither a responsible nor a "
             "salesperson (empty: the administrator).")
    late_payment_interest_mode = fields.Selection(
        [
            ("statutory", "Statutory rate"),
            ("contractual", "Contractual rate"),
            ("none", "No late interest"),
        ],
        string="Late interest", required=True, default="statutory",
        help="Statutory: the reference rate in force on 1 January or 1 July (the ECB main refinancing rate, or "
             "your country's own reference rate when the rate table has one) plus the margin, for the whole "
             "half-year (France: ECB + 10 points).\n"
             "Contractual: the fixed annual rate written in your terms of sale (France: never below three times "
             "the legal interest rate).\n"
             "None: no late interest; the recovery indemnity still applies.")
    late_payment_interest_margin = fields.Float(
        string="Margin (points)", digits=(16, 2), default=10.0,
        help="Points added to the reference rate (France: 10; EU directive 2011/7/EU: at least 8).")
    late_payment_contractual_rate = fields.Float(
        string="Contractual rate (%)", digits=(16, 2),
        help="The annual late-payment rate of your terms of sale. In France it may not be below three times the "
             "legal interest rate of the half-year; for a half-year where it would be, that floor applies.")
    late_payment_day_count = fields.Selection(
        [
            (interest.ACTUAL_365, "Actual/365"),
            (interest.ACTUAL_360, "Actual/360"),
            (interest.ACTUAL_ACTUAL, "Actual/actual"),
        ],
        string="Day count", required=True, default=interest.ACTUAL_365,
        help="Days late counted as they are, over a year of 365 days (French market practice), 360 days, or "
             "the actual days of the year (366 in a leap year).")
    late_payment_indemnity_amount = fields.Float(
        string="Recovery indemnity (EUR)", digits=(16, 2), default=40.0,
        help="The fixed indemnity for recovery costs owed once per invoice paid late by a professional customer "
             "(EUR 40 in the EU), in euros; converted into the invoice currency at the rate of the first day late.")
    late_payment_interest_consumers = fields.Boolean(
        string="Late interest for consumers",
        help="Also charge late interest to consumers (customers that are no company and have neither a VAT number "
             "nor a company registry number). The recovery indemnity never applies to them.")

    @api.constrains("late_payment_interest_mode", "late_payment_contractual_rate", "late_payment_interest_margin",
                    "late_payment_indemnity_amount")
    def _check_late_payment_settings(self):
        today = fields.Date.context_today(self)
        legal_b = None
        for company in self:
            if company.late_payment_indemnity_amount < 0:
                raise ValidationError(self.env._("The recovery indemnity cannot be negative."))
            if company.late_payment_interest_mode != "contractual":
                continue
            if company.late_payment_contractual_rate <= 0:
                raise ValidationError(self.env._("Enter the contractual late-payment rate of your terms of sale."))
            if not company._late_payment_is_french():
                continue
            if legal_b is None:
                legal_b = interest.legal_rate_of_half_year(
                    self.env["late.payment.rate"]._late_payment_rates("fr_legal_b"), today)
            if not interest.contractual_rate_allowed(company.late_payment_contractual_rate, legal_b):
                raise ValidationError(self.env._(
                    "A contractual late-payment rate of %(rate)s %% is below the legal floor for %(company)s: "
                    "French law (Code de commerce, L441-10) sets it at three times the legal interest rate, "
                    "%(floor)s %% this half-year (3 x %(legal)s %%).",
                    rate=f"{company.late_payment_contractual_rate:g}", company=company.name,
                    floor=f"{interest.contractual_floor(legal_b):f}".rstrip("0").rstrip("."),
                    legal=f"{legal_b:f}".rstrip("0").rstrip(".")))

    def _late_payment_is_french(self):
        self.ensure_one()
        return (self.account_fiscal_country_id or self.country_id).code == "FR"

    def _late_payment_is_business_day(self, day):
        """Whether reminders go out on `day` in this company (its country's business days)."""
        self.ensure_one()
        return business_days.is_business_day(day, (self.account_fiscal_country_id or self.country_id).code)

    def _late_payment_rate_schedule(self, rates=None):
        """The engine's RateSchedule of the company. `rates` caches the rate table per kind."""
        self.ensure_one()
        Rate = self.env["late.payment.rate"]
        rates = {} if rates is None else rates

        def table(kind, country=None):
            key = (kind, country.id if country else False)
            if key not in rates:
                rates[key] = Rate._late_payment_rates(kind, country)
            return rates[key]

        mode = self.late_payment_interest_mode
        if mode == "statutory":
            country = self.account_fiscal_country_id or self.country_id
            reference = table("other", country) if country else []
            return interest.RateSchedule(mode, reference or table("ecb_mro"),
                                         margin=self.late_payment_interest_margin)
        if mode == "contractual":
            floor = table("fr_legal_b") if self._late_payment_is_french() else []
            return interest.RateSchedule(mode, rate=self.late_payment_contractual_rate, floor_rates=floor)
        return interest.RateSchedule(interest.NONE)

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        self.env["late.payment.policy"].sudo()._late_payment_create_default_policies(companies)
        return companies
