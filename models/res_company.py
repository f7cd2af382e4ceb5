import re

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools.translate import LazyTranslate

from ..engine import business_days, interest, mentions, risk
from .lang import format_number

# The placeholders each legal mention of the invoice may use (see _late_payment_mention_wordings).
MENTION_PLACEHOLDERS = {
    mentions.INTEREST_STATUTORY: ("rate", "reference", "margin"),
    mentions.INTEREST_REFERENCE: ("margin",),
    mentions.INTEREST_CONTRACTUAL: ("rate",),
    mentions.INDEMNITY: ("amount",),
    mentions.DISCOUNT: ("percentage", "days", "date"),
    mentions.NO_DISCOUNT: (),
    mentions.INTEREST_PUBLIC: ("margin",),
    mentions.INDEMNITY_PUBLIC: ("amount",),
    mentions.INTEREST_CONSUMER: (),
    mentions.INTEREST_CONSUMER_CONTRACTUAL: ("rate",),
}
# The company field holding each mention's own wording (empty: the standard wording).
MENTION_FIELDS = {
    mentions.INTEREST_STATUTORY: "late_payment_mention_interest_statutory",
    mentions.INTEREST_CONTRACTUAL: "late_payment_mention_interest_contractual",
    mentions.INDEMNITY: "late_payment_mention_indemnity",
    mentions.DISCOUNT: "late_payment_mention_discount",
    mentions.NO_DISCOUNT: "late_payment_mention_no_discount",
}
PLACEHOLDER = re.compile(r"%\((\w+)\)s")
# French chart of accounts (PCG): the income accounts of the penalties, by code prefix, first found.
# 7631 "Revenus des créances commerciales" for late interest (docs/legal.md). For the indemnity,
# 7588 is often used, but in the 2025 PCG that Odoo 19 ships 7588 is "Opérations de constitution
# ou liquidation des fiducies": the indemnity goes to 7581 "Dédits et pénalités perçus sur achats
# et ventes" (758 "Indemnités et autres produits" when the chart has no 7581).
FRENCH_PENALTY_ACCOUNTS = {"interest": ("7631", "763"), "indemnity": ("7581", "758")}
FRENCH_CHARTS = ("fr", "mc")  # l10n_fr_account: France, and Monaco (its parent is the French chart)

_lt = LazyTranslate(__name__)

# engine.risk.RiskWeights.problems(), translated (by the start of each)
RISK_WEIGHT_PROBLEMS = {
    " is negative": _lt("No weight of the risk score can be negative."),
    "the values giving all the points": _lt("The days late that give all the points must be more than 0."),
    "the trend months": _lt("The months of the trend must be between 1 and 11."),
    "level points must grow": _lt(
        "The points of the levels must grow: formal notice, then collection, then the level factor's weight."),
    "the factors add up to": _lt("The weights of the factors add up to more than 100 points."),
    "the score without history": _lt("The score without history must be between 0 and 100."),
    "the trend would make": _lt(
        "The trend weighs too much: paying later could lower the score. Give it at most as many points per day "
        "as the days-late factor."),
}
# res.company field -> engine.risk.RiskWeights attribute
RISK_WEIGHT_FIELDS = {
    "late_payment_risk_days_late_points": "days_late_points",
    "late_payment_risk_days_late_full": "days_late_full",
    "late_payment_risk_late_share_points": "late_share_points",
    "late_payment_risk_late_grace_days": "late_grace_days",
    "late_payment_risk_exposure_points": "exposure_points",
    "late_payment_risk_level_points": "level_points",
    "late_payment_risk_formal_notice_points": "formal_notice_points",
    "late_payment_risk_collection_points": "collection_points",
    "late_payment_risk_incident_points": "incident_points",
    "late_payment_risk_incidents_max_points": "incidents_max_points",
    "late_payment_risk_trend_points": "trend_points",
    "late_payment_risk_trend_months": "trend_months",
    "late_payment_risk_min_settled": "min_settled",
    "late_payment_risk_no_history_score": "no_history_score",
}


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
             "nor a company registry number): at the legal interest rate of each half-year, or at the consumer "
             "penalty rate below, and only from the formal notice sent to them (French Civil Code, articles "
             "1231-5 and 1231-6). The recovery indemnity never applies to them.")
    late_payment_consumer_rate = fields.Float(
        string="Consumer penalty rate (%)", digits=(16, 2),
        help="The annual late-payment rate your terms of sale to consumers set (a penalty clause); empty: the "
             "legal interest rate of each half-year. Owed from the formal notice only.")

    # -- settlement: promises, disputes, instalment plans -----------------------------------------
    late_payment_plan_grace_days = fields.Integer(
        string="Instalment grace days", default=5,
        help="An instalment of a payment plan still unpaid this many days after its date breaks the plan: "
             "the follow-up resumes on its invoices.")
    late_payment_plan_notice_days = fields.Integer(
        string="Instalment notice days", default=3,
        help="The customer of a payment plan gets a courteous reminder this many days before each instalment.")
    late_payment_dispute_stops_interest = fields.Boolean(
        string="No late interest while disputed",
        help="The days an invoice is disputed bear no late interest.")

    # -- legal mentions on invoices and penalty invoices ---------------------------------------
    late_payment_invoice_mentions = fields.Boolean(
        string="Legal mentions on invoices", default=True,
        help="Print on customer invoices to professionals the mentions French law requires (Code de commerce "
             "L441-9): the late-payment interest rate, the fixed recovery indemnity, and the early-payment "
             "discount or that there is none. Odoo already prints the due date and its discount line. "
             "A French company prints them on its invoices to professionals whatever this setting (they are "
             "mandatory): its rate is the statutory one when it charges no interest, its indemnity at least "
             "EUR 40.")
    late_payment_mention_interest_statutory = fields.Text(
        string="Statutory interest mention", translate=True,
        help="Your wording of the late-interest mention with the statutory rate; empty: the standard wording. "
             "Placeholders: %(rate)s (the rate of the invoice's half-year), %(reference)s (the reference rate), "
             "%(margin)s (the margin in points).")
    late_payment_mention_interest_contractual = fields.Text(
        string="Contractual interest mention", translate=True,
        help="Your wording of the late-interest mention with a contractual rate; empty: the standard wording. "
             "Placeholder: %(rate)s.")
    late_payment_mention_indemnity = fields.Text(
        string="Recovery indemnity mention", translate=True,
        help="Your wording of the recovery indemnity mention; empty: the standard wording. "
             "Placeholder: %(amount)s.")
    late_payment_mention_discount = fields.Text(
        string="Early-payment discount mention", translate=True,
        help="Your wording of the early-payment discount conditions, printed when Odoo does not print its own "
             "discount line (a paid invoice, a payment term that does not show its instalments); empty: the "
             "standard wording. Placeholders: %(percentage)s, %(days)s, %(date)s (the last day of the discount).")
    late_payment_mention_no_discount = fields.Text(
        string="No-discount mention", translate=True,
        help="Your wording of the mention that no discount applies for early payment; empty: the standard "
             "wording.")
    late_payment_interest_product_id = fields.Many2one(
        "product.product", string="Late interest product", check_company=True,
        help="The product of the late-interest lines of penalty invoices; empty: the product the addon ships.")
    late_payment_indemnity_product_id = fields.Many2one(
        "product.product", string="Recovery indemnity product", check_company=True,
        help="The product of the recovery indemnity lines of penalty invoices; empty: the product the addon "
             "ships.")
    late_payment_interest_account_id = fields.Many2one(
        "account.account", string="Late interest income account", check_company=True,
        domain="[('account_type', 'in', ('income', 'income_other'))]",
        help="Empty: 7631 (Revenus des créances commerciales) in a French chart of accounts, else the income "
             "account of the product.")
    late_payment_indemnity_account_id = fields.Many2one(
        "account.account", string="Recovery indemnity income account", check_company=True,
        domain="[('account_type', 'in', ('income', 'income_other'))]",
        help="Empty: 7581 (Dédits et pénalités perçus) in a French chart of accounts, else the income account "
             "of the product.")

    @api.constrains("late_payment_interest_mode", "late_payment_contractual_rate", "late_payment_interest_margin",
                    "late_payment_indemnity_amount", "late_payment_consumer_rate")
    def _check_late_payment_settings(self):
        today = fields.Date.context_today(self)
        legal_b = None
        for company in self:
            if company.late_payment_indemnity_amount < 0:
                raise ValidationError(self.env._("The recovery indemnity cannot be negative."))
            if company.late_payment_consumer_rate < 0:
                raise ValidationError(self.env._("The consumer penalty rate cannot be negative."))
            if company.late_payment_interest_mode != "contractual":
                continue
            if company.late_payment_contractual_rate <= 0:
                raise ValidationError(self.env._("Enter the contractual late-payment rate of your terms of sale."))
            if not company._late_payment_is_french():
                continue
            if legal_b is None:
                legal_b = interest.legal_rate_of_half_year(
                    self.env["late.payment.rate"]._rates("fr_legal_b"), today)
            if not interest.contractual_rate_allowed(company.late_payment_contractual_rate, legal_b):
                raise ValidationError(self.env._(
                    "A contractual late-payment rate of %(rate)s %% is below the legal floor for %(company)s: "
                    "French law (Code de commerce, L441-10) sets it at three times the legal interest rate, "
                    "%(floor)s %% this half-year (3 x %(legal)s %%).",
                    rate=format_number(self.env, company.late_payment_contractual_rate), company=company.name,
                    floor=format_number(self.env, interest.contractual_floor(legal_b)),
                    legal=format_number(self.env, legal_b)))

    @api.constrains(*MENTION_FIELDS.values())
    def _check_late_payment_mentions(self):
        for company in self:
            for key, fname in MENTION_FIELDS.items():
                wording = company[fname]
                if not wording:
                    continue
                allowed = MENTION_PLACEHOLDERS[key]
                unknown = sorted(set(PLACEHOLDER.findall(wording)) - set(allowed))
                if unknown:
                    raise ValidationError(self.env._(
                        "The wording \"%(field)s\" uses %(unknown)s; it may use: %(allowed)s.",
                        field=self._fields[fname].get_description(self.env)["string"],
                        unknown=", ".join(f"%({name})s" for name in unknown),
                        allowed=", ".join(f"%({name})s" for name in allowed) or self.env._("no placeholder")))

    def _late_payment_standard_wordings(self):
        """The standard wording of each legal mention, in the language of the environment."""
        env = self.env
        return {
            mentions.INTEREST_STATUTORY: env._(
                "Late payment penalties, due from the day after the due date: the European Central Bank's main "
                "refinancing rate plus %(margin)s points, i.e. %(rate)s % a year for the current half-year."),
            mentions.INTEREST_REFERENCE: env._(
                "Late payment penalties, due from the day after the due date: the European Central Bank's main "
                "refinancing rate plus %(margin)s points."),
            mentions.INTEREST_CONTRACTUAL: env._(
                "Late payment penalties, due from the day after the due date: %(rate)s % a year."),
            mentions.INDEMNITY: env._(
                "Fixed indemnity for recovery costs in case of late payment: %(amount)s (French Commercial Code, "
                "articles L441-10 and D441-5)."),
            mentions.DISCOUNT: env._(
                "Early payment discount: %(percentage)s % if paid within %(days)s days, by %(date)s."),
            mentions.NO_DISCOUNT: env._("No discount for early payment."),
            mentions.INTEREST_PUBLIC: env._(
                "Late payment interest (public procurement code, articles L2192-13 and R2192-31): the European "
                "Central Bank's main refinancing rate in force on the first day of the half-year in which the "
                "interest starts to run, plus %(margin)s points, for the whole delay."),
            mentions.INDEMNITY_PUBLIC: env._(
                "Fixed indemnity for recovery costs in case of late payment: %(amount)s (public procurement code, "
                "articles L2192-13 and D2192-35)."),
            mentions.INTEREST_CONSUMER: env._(
                "In case of late payment, interest at the legal interest rate is due from the formal notice "
                "(French Civil Code, article 1231-6)."),
            mentions.INTEREST_CONSUMER_CONTRACTUAL: env._(
                "In case of late payment, interest at %(rate)s % a year is due from the formal notice."),
        }

    def _late_payment_mention_wordings(self):
        """``{mention key: wording}``: the company's own wording where it has one, else the
        standard one, in the language of the environment."""
        self.ensure_one()
        wordings = self._late_payment_standard_wordings()
        for key, fname in MENTION_FIELDS.items():
            if (self[fname] or "").strip():
                wordings[key] = self[fname].strip()
        return wordings

    @api.model
    def _late_payment_fill_wording(self, wording, values):
        """`wording` with each %(name)s replaced by its value (any other % left as it is)."""
        return PLACEHOLDER.sub(lambda match: str(values.get(match.group(1), match.group(0))), wording)

    # -- penalty invoices: products and accounts ---------------------------------------------
    def _late_payment_penalty_product(self, kind):
        """The product of the penalty invoice lines of `kind` ('interest' or 'indemnity')."""
        self.ensure_one()
        product = self[f"late_payment_{kind}_product_id"]
        return product or self.env.ref(f"account_late_payment.product_late_payment_{kind}")

    def _late_payment_penalty_account(self, kind):
        """The income account of the penalty invoice lines of `kind`, or an empty recordset to
        let Odoo take the product's (or the company's) income account."""
        self.ensure_one()
        account = self[f"late_payment_{kind}_account_id"]
        if account or self.chart_template not in FRENCH_CHARTS:
            return account
        Account = self.env["account.account"].with_company(self)
        for prefix in FRENCH_PENALTY_ACCOUNTS[kind]:
            account = Account.search(
                [*Account._check_company_domain(self), ("code", "=like", f"{prefix}%"),
                 ("account_type", "in", ("income", "income_other")), ("active", "=", True)],
                order="code", limit=1)
            if account:
                return account
        return Account

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
                rates[key] = Rate._rates(kind, country)
            return rates[key]

        mode = self.late_payment_interest_mode
        french = self._late_payment_is_french()
        floor = table("fr_legal_b") if french else []
        if mode == "statutory":
            country = self.account_fiscal_country_id or self.country_id
            reference = table("other", country) if country else []
            # French law: a margin other than 10 points makes it a contractual rate, floored
            return interest.RateSchedule(mode, reference or table("ecb_mro"),
                                         margin=self.late_payment_interest_margin, floor_rates=floor)
        if mode == "contractual":
            return interest.RateSchedule(mode, rate=self.late_payment_contractual_rate, floor_rates=floor)
        # no interest; the reference rates still say which rate the mandatory mention states
        return interest.RateSchedule(interest.NONE, table("ecb_mro") if french else [])

    def _late_payment_consumer_schedule(self, rates=None):
        """The RateSchedule of the company's consumers: the consumer penalty rate when set, else
        the legal rate of each half-year for a company creditor ("all other cases")."""
        self.ensure_one()
        rates = {} if rates is None else rates
        key = ("fr_legal_b", False)
        if key not in rates:
            rates[key] = self.env["late.payment.rate"]._rates("fr_legal_b")
        return interest.RateSchedule(interest.LEGAL, rate=self.late_payment_consumer_rate, floor_rates=rates[key])

    def _late_payment_public_schedule(self, rates=None):
        """The RateSchedule of the company's public buyers (French public procurement code): the
        ECB rate in force on the first day of the half-year in which interest starts, + 8 points."""
        self.ensure_one()
        rates = {} if rates is None else rates
        key = ("ecb_mro", False)
        if key not in rates:
            rates[key] = self.env["late.payment.rate"]._rates("ecb_mro")
        return interest.RateSchedule(interest.PUBLIC, rates[key], margin=interest.PUBLIC_MARGIN)

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        self.env["late.payment.policy"].sudo()._create_default_policies(companies)
        self.env["late.payment.risk.class"].sudo()._create_default_classes(companies)
        return companies

    # -- customer risk -------------------------------------------------------------------------
    late_payment_risk_days_late_points = fields.Float(
        string="Days paid late (points)", default=risk.DEFAULT_WEIGHTS.days_late_points,
        help="Points for the average days paid beyond terms (weighted by amount) of the invoices settled in the "
             "last 12 months, in proportion up to the days below.")
    late_payment_risk_days_late_full = fields.Float(
        string="Days late for all the points", default=risk.DEFAULT_WEIGHTS.days_late_full,
        help="Average days beyond terms that give all the points of that factor.")
    late_payment_risk_late_share_points = fields.Float(
        string="Share paid late (points)", default=risk.DEFAULT_WEIGHTS.late_share_points,
        help="Points for the share of the invoices settled in 12 months that were paid late (all of them: all "
             "the points).")
    late_payment_risk_late_grace_days = fields.Integer(
        string="Days of grace", default=risk.DEFAULT_WEIGHTS.late_grace_days,
        help="An invoice paid up to this many days after its due date does not count as paid late in the share.")
    late_payment_risk_exposure_points = fields.Float(
        string="Overdue now (points)", default=risk.DEFAULT_WEIGHTS.exposure_points,
        help="Points for what is overdue now against the credit limit (or, without a limit, against the average "
             "monthly sales of the last 12 months): all of them at 100 % or more.")
    late_payment_risk_level_points = fields.Float(
        string="Follow-up level (points)", default=risk.DEFAULT_WEIGHTS.level_points,
        help="The most points the highest follow-up level reached in 12 months can give.")
    late_payment_risk_formal_notice_points = fields.Float(
        string="Formal notice (points)", default=risk.DEFAULT_WEIGHTS.formal_notice_points,
        help="Points of a formal notice; the levels before it get points in proportion to their rank.")
    late_payment_risk_collection_points = fields.Float(
        string="Collection (points)", default=risk.DEFAULT_WEIGHTS.collection_points,
        help="Points of a hand-off to collection.")
    late_payment_risk_incident_points = fields.Float(
        string="Per dispute or broken promise (points)", default=risk.DEFAULT_WEIGHTS.incident_points)
    late_payment_risk_incidents_max_points = fields.Float(
        string="Disputes and broken promises (points)", default=risk.DEFAULT_WEIGHTS.incidents_max_points,
        help="The most points disputes and broken promises of the last 12 months can give.")
    late_payment_risk_trend_points = fields.Float(
        string="Trend (points)", default=risk.DEFAULT_WEIGHTS.trend_points,
        help="Points for invoices paid later in the last months than over the year (all of them at 30 days "
             "worse). 0 by default: give it points taken from another factor, the weights may not add up to "
             "more than 100.")
    late_payment_risk_trend_months = fields.Integer(
        string="Trend months", default=risk.DEFAULT_WEIGHTS.trend_months,
        help="The recent months the trend compares with the year.")
    late_payment_risk_min_settled = fields.Integer(
        string="Invoices needed for a history", default=risk.DEFAULT_WEIGHTS.min_settled,
        help="A customer with fewer invoices settled in 12 months has no history: it gets the neutral score.")
    late_payment_risk_no_history_score = fields.Float(
        string="Score without history", default=risk.DEFAULT_WEIGHTS.no_history_score,
        help="The neutral score of a customer without history (0 best, 100 worst).")
    late_payment_credit_guard = fields.Boolean(
        string="Refuse invoices over the credit limit",
        help="Refuse to post a customer invoice that takes the customer over its credit limit (Odoo's own credit "
             "limit, see Sales Credit Limit). Credit notes, invoices posted automatically and invoices already "
             "paid are never refused; a Late payments Administrator can post anyway (logged on the invoice).")

    def _late_payment_risk_weights(self):
        """The engine's RiskWeights of the company."""
        self.ensure_one()
        return risk.RiskWeights(**{attribute: self[fname] for fname, attribute in RISK_WEIGHT_FIELDS.items()})

    @api.constrains(*RISK_WEIGHT_FIELDS)
    def _check_late_payment_risk_weights(self):
        for company in self:
            try:
                company._late_payment_risk_weights()
            except ValueError as error:
                found = [str(error)[len("invalid risk weights: "):]]
                problems = [self.env._(message) for start, message in RISK_WEIGHT_PROBLEMS.items()
                            if any(start in text for text in found)] or found
                raise ValidationError(self.env._(
                    "The risk score settings of %(company)s are not valid:\n%(problems)s",
                    company=company.name, problems="\n".join(problems))) from error
