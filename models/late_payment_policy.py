from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..engine import followup

# the tone by relationship in words; the stored value stays the number of steps
TONE_SHIFTS = [
    ("-2", "Two tones softer"),
    ("-1", "One tone softer"),
    ("0", "The level's tone"),
    ("1", "One tone firmer"),
    ("2", "Two tones firmer"),
]


class LatePaymentPolicy(models.Model):
    """A follow-up policy of a company: an ordered list of levels. The customer's own policy
    applies, else its risk class's, else the company's default policy."""

    _name = "late.payment.policy"
    _description = "Follow-up policy"
    _order = "company_id, sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", required=True, index=True, default=lambda self: self.env.company)
    is_default = fields.Boolean(
        string="Default policy",
        help="The policy of the company's customers that have no policy of their own (nor one of their risk class).")
    level_ids = fields.One2many("late.payment.level", "policy_id", string="Levels", copy=True)
    min_gap_days = fields.Integer(
        string="Days between two reminders", default=5,
        help="A customer never receives two reminders less than this number of days apart: the "
             "invoices that need one meanwhile wait and go out together.")
    tone_shift_reliable = fields.Integer(
        string="Long-standing and reliable", default=-1,
        help="Steps by which the tone of a long-standing, reliable customer is shifted (negative: softer).")
    tone_shift_new = fields.Integer(
        string="New customer", default=0,
        help="Steps by which the tone of a new customer is shifted (positive: firmer).")
    tone_shift_strict = fields.Integer(
        string="Strict", default=1,
        help="Steps by which the tone of a customer followed strictly is shifted (positive: firmer).")
    tone_shift_reliable_words = fields.Selection(
        TONE_SHIFTS, string="Long-standing and reliable customers", compute="_compute_tone_shift_words",
        inverse="_inverse_tone_shift_words")
    tone_shift_new_words = fields.Selection(
        TONE_SHIFTS, string="New customers", compute="_compute_tone_shift_words", inverse="_inverse_tone_shift_words")
    tone_shift_strict_words = fields.Selection(
        TONE_SHIFTS, string="Customers followed strictly", compute="_compute_tone_shift_words",
        inverse="_inverse_tone_shift_words")
    timeline = fields.Text(
        string="In words", compute="_compute_timeline",
        help="The levels of this policy, one sentence each, in the order they go out.")
    note = fields.Text(translate=True)
    level_count = fields.Integer(compute="_compute_level_count", string="Number of levels")

    _one_default_per_company = models.UniqueIndex(
        "(company_id) WHERE is_default AND active",
        "A company has one default follow-up policy.")

    @api.depends("tone_shift_reliable", "tone_shift_new", "tone_shift_strict")
    def _compute_tone_shift_words(self):
        known = {value for value, _label in TONE_SHIFTS}
        for policy in self:
            for name in ("reliable", "new", "strict"):
                steps = str(policy[f"tone_shift_{name}"] or 0)
                policy[f"tone_shift_{name}_words"] = steps if steps in known else False

    def _inverse_tone_shift_words(self):
        for policy in self:
            for name in ("reliable", "new", "strict"):
                words = policy[f"tone_shift_{name}_words"]
                if words and int(words) != policy[f"tone_shift_{name}"]:
                    policy[f"tone_shift_{name}"] = int(words)

    @api.depends("level_ids.summary", "level_ids.sequence", "min_gap_days")
    @api.depends_context("lang")
    def _compute_timeline(self):
        for policy in self:
            levels = policy.level_ids.sorted(lambda lvl: (lvl.sequence, lvl.days, lvl.id))
            lines = [f"{index}. {level.name}: {level.summary}" for index, level in enumerate(levels, 1)]
            if policy.min_gap_days:
                lines.append(self.env._("Two reminders to a customer are at least %(days)s days apart, whatever "
                                        "new invoices fall due meanwhile.", days=policy.min_gap_days))
            policy.timeline = "\n".join(lines)

    @api.depends("level_ids")
    def _compute_level_count(self):
        for policy in self:
            policy.level_count = len(policy.level_ids)

    @api.model_create_multi
    def create(self, vals_list):
        default_companies = [
            vals.get("company_id") or self.env.company.id for vals in vals_list if vals.get("is_default")]
        self._unset_defaults(default_companies)
        policies = super(LatePaymentPolicy, self.with_context(late_payment_defer_level_check=True)).create(vals_list)
        policies = policies.with_env(self.env)
        policies._check_levels()
        return policies

    def write(self, vals):
        if vals.get("is_default"):
            self._unset_defaults([vals.get("company_id") or company.id for company in self.company_id], self)
        result = super(LatePaymentPolicy, self.with_context(late_payment_defer_level_check=True)).write(vals)
        self._check_levels()
        return result

    def _unset_defaults(self, company_ids, keep=None):
        """A company has one default policy: the one made default replaces the previous one."""
        if company_ids:
            others = self.search([("company_id", "in", company_ids), ("is_default", "=", True)])
            others -= keep or self.browse()
            others.write({"is_default": False})

    def copy_data(self, default=None):
        vals_list = super().copy_data(default=default)
        for policy, vals in zip(self, vals_list, strict=True):
            if "name" not in (default or {}) and not self.env.context.get("late_payment_default_copy"):
                vals["name"] = self.env._("%s (copy)", policy.name)
            if "is_default" not in (default or {}):
                vals["is_default"] = False
        return vals_list

    def _check_levels(self):
        """Refuse the configurations that make no sense, with a message that says why."""
        for policy in self:
            levels = policy.level_ids
            by_id = levels._engine_levels_by_id()
            for error, first_level, second_level in followup.check_levels(list(by_id.values())):
                first = levels.browse(first_level.id)
                second = levels.browse(second_level.id) if second_level else levels.browse()
                if error == followup.SAME_DAY:
                    raise ValidationError(self.env._(
                        "The levels \u201c%(first)s\u201d and \u201c%(second)s\u201d of the policy "
                        "\u201c%(policy)s\u201d fire on the same day (%(days)s days from the due date): "
                        "give each level its own day.",
                        first=first.name, second=second.name, policy=policy.name, days=first.days))
                if error == followup.BACKWARDS:
                    raise ValidationError(self.env._(
                        "In the policy \u201c%(policy)s\u201d, \u201c%(second)s\u201d comes after "
                        "\u201c%(first)s\u201d but fires earlier (%(second_days)s days against "
                        "%(first_days)s from the due date): the levels must fire later and later.",
                        policy=policy.name, first=first.name, second=second.name,
                        first_days=first.days, second_days=second.days))
                if error == followup.TWO_DISCOUNT_LEVELS:
                    raise ValidationError(self.env._(
                        "The policy \u201c%(policy)s\u201d has two early-payment discount reminders "
                        "(\u201c%(first)s\u201d and \u201c%(second)s\u201d): keep one.",
                        policy=policy.name, first=first.name, second=second.name))
                if error == followup.ESCALATION_NOT_LAST:
                    raise ValidationError(self.env._(
                        "The escalation \u201c%(level)s\u201d must be the last level of the policy "
                        "\u201c%(policy)s\u201d: it hands the customer over to collection and stops the reminders.",
                        level=first.name, policy=policy.name))

    @api.model
    def _default_policy(self, company):
        return self.search([("company_id", "=", company.id), ("is_default", "=", True)], limit=1)

    @api.model
    def _create_default_policies(self, companies=None):
        """Give each company without a default policy a copy of the shipped one."""
        template = self.env.ref("account_late_payment.late_payment_policy_default", raise_if_not_found=False)
        if not template:
            return self.browse()
        template = template.sudo()
        if companies is None:
            companies = self.env["res.company"].sudo().search_fetch([], ["currency_id"])
        having = self.sudo().search([("company_id", "in", companies.ids), ("is_default", "=", True)]).company_id
        created = self.browse()
        for company in companies - having:
            created |= template.with_context(late_payment_default_copy=True).copy(
                {"company_id": company.id, "is_default": True})
        return created

    @api.model
    def _translate_default_copies(self):
        """The copies made while the addon installs, before its translations are loaded, get the
        shipped policy's translations (names of the policy and its levels)."""
        template = self.env.ref("account_late_payment.late_payment_policy_default", raise_if_not_found=False)
        if not template:
            return
        name = template.with_context(lang="en_US").name
        copies = self.with_context(lang="en_US", active_test=False).search([
            ("id", "!=", template.id), ("name", "=", name)])
        for policy in copies.filtered(lambda p: len(p.level_ids) == len(template.level_ids)):
            template.with_context(lang="en_US").copy_translations(policy)
