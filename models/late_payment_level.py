from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..engine import followup, risk

# a level's tones are shared ones or its company's (checked by _check_tones)
TONE_DOMAIN = "[('company_id', 'in', (False, company_id))]"
KINDS = [
    ("due", "Days from the due date"),
    ("discount", "Days before the early-payment discount deadline"),
]


class LatePaymentLevel(models.Model):
    """A step of a follow-up policy: when it fires (days from the due date), in which tone, by
    which channels, and what it says or does."""

    _name = "late.payment.level"
    _description = "Follow-up level"
    _order = "policy_id, sequence, days, id"
    _check_company_auto = True

    policy_id = fields.Many2one("late.payment.policy", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="policy_id.company_id", store=True, index=True)
    sequence = fields.Integer(default=10)
    name = fields.Char(required=True, translate=True)
    kind = fields.Selection(
        KINDS, string="Counted", required=True, default="due",
        help="Days from the due date: the usual levels. Days before the early-payment discount deadline: "
             "the reminder of an early-payment discount still open (the payment term grants one and nothing "
             "was paid yet), sent while it can still be taken and never after its deadline; one per policy.")
    days = fields.Integer(
        string="Days from the due date", required=True, default=0,
        help="When this level fires, in days from the due date of each invoice (or instalment): "
             "negative before it (a courtesy reminder), positive after it.")
    days_before_discount = fields.Integer(
        string="Days before the discount deadline", default=3,
        help="The early-payment discount reminder goes out this many days before the discount deadline "
             "(0: on the deadline day).")
    tone_id = fields.Many2one(
        "late.payment.tone", required=True, ondelete="restrict", domain=TONE_DOMAIN)
    tone_min_id = fields.Many2one(
        "late.payment.tone", string="Softest tone", ondelete="restrict", domain=TONE_DOMAIN,
        help="The softest tone a customer's relationship may shift this level to (empty: the level's tone).")
    tone_max_id = fields.Many2one(
        "late.payment.tone", string="Firmest tone", ondelete="restrict", domain=TONE_DOMAIN,
        help="The firmest tone a customer's relationship may shift this level to (empty: the level's tone).")
    channel_email = fields.Boolean(string="Email", default=True)
    channel_letter = fields.Boolean(string="Printed letter")
    channel_sms = fields.Boolean(string="SMS")
    channel_call = fields.Boolean(string="Phone call", help="Schedule a phone-call activity for the responsible.")
    channel_task = fields.Boolean(string="Manual task", help="Schedule a to-do activity for the responsible.")
    auto = fields.Boolean(
        string="Automatic", default=True,
        help="Sent by the daily run; otherwise the level waits for an accountant in the follow-up console.")
    attach_invoices = fields.Boolean(string="Attach the invoices")
    attach_letter = fields.Boolean(
        string="Attach the letter", help="The email carries the reminder letter as a PDF.")
    attach_statement = fields.Boolean(
        string="Attach the statement",
        help="The email carries the customer's statement of account (every open item, by age) as a PDF.")
    state_penalties = fields.Boolean(
        string="State the penalties", help="The reminder states the late interest and the recovery indemnity due.")
    invoice_penalties = fields.Boolean(
        string="Invoice the penalties",
        help="Reaching this level invoices the late interest and the recovery indemnity.")
    min_gap_days = fields.Integer(
        string="Days before the next level",
        help="The next level never fires sooner than this number of days after this one.")
    is_formal_notice = fields.Boolean(
        string="Formal notice",
        help="A formal notice (mise en demeure): it records its proof (registered-mail number, date "
             "received) and only comes after the level before it.")
    is_escalation = fields.Boolean(
        string="Escalation",
        help="Hands the customer over to collection: the last level, it stops the automatic reminders.")
    note = fields.Text(translate=True)
    summary = fields.Char(
        string="In words", compute="_compute_summary",
        help="When this level goes out, by which channels, in which tone and what it does, in one sentence.")

    _days_gap_positive = models.Constraint(
        "CHECK(min_gap_days >= 0)", "The days before the next level cannot be negative.")
    _days_before_discount_positive = models.Constraint(
        "CHECK(days_before_discount IS NULL OR days_before_discount >= 0)",
        "The days before the discount deadline cannot be negative.")

    @api.depends("kind", "days", "days_before_discount", "tone_id", "auto", "channel_email", "channel_letter",
                 "channel_sms", "channel_call", "channel_task", "attach_invoices", "attach_letter",
                 "attach_statement", "state_penalties", "invoice_penalties", "is_formal_notice", "is_escalation",
                 "min_gap_days")
    @api.depends_context("lang")
    def _compute_summary(self):
        for level in self:
            level.summary = level._summary()

    def _when(self):
        """When this level goes out, in words: "5 days before the due date"."""
        self.ensure_one()
        env = self.env
        if self.kind == "discount":
            if not self.days_before_discount:
                return env._("on the early-payment discount deadline")
            return env._("%(days)s days before the early-payment discount deadline", days=self.days_before_discount)
        if self.days < 0:
            return env._("%(days)s days before the due date", days=-self.days)
        if self.days == 0:
            return env._("on the due date")
        return env._("%(days)s days after the due date", days=self.days)

    def _summary(self):
        """The level in one sentence, e.g. "5 days before the due date: an email in the Courteous
        tone, sent by the daily run." followed by what it attaches and does."""
        self.ensure_one()
        env = self.env
        channels = [label for flag, label in (
            (self.channel_email, env._("an email")), (self.channel_letter, env._("a printed letter")),
            (self.channel_sms, env._("an SMS")), (self.channel_call, env._("a phone call to make")),
            (self.channel_task, env._("a task for the responsible"))) if flag]
        what = env._(" and ").join(channels) if len(channels) < 3 else env._(
            "%(first)s and %(last)s", first=", ".join(channels[:-1]), last=channels[-1])
        sentence = env._("%(when)s: %(what)s in the %(tone)s tone, %(how)s.",
                         when=self._when(), what=what or env._("nothing sent"),
                         tone=self.tone_id.name or "?",
                         how=env._("sent by the daily run") if self.auto else env._("after an accountant's approval"))
        extras = [label for flag, label in (
            (self.attach_invoices, env._("the invoices attached")),
            (self.attach_letter, env._("the letter attached")),
            (self.attach_statement, env._("the statement attached")),
            (self.state_penalties, env._("states the penalties")),
            (self.invoice_penalties, env._("invoices the penalties")),
            (self.is_formal_notice, env._("a formal notice")),
            (self.is_escalation, env._("hands the customer over to collection"))) if flag]
        if extras:
            sentence += " " + env._("With: %(extras)s.", extras=", ".join(extras))
        if self.min_gap_days:
            sentence += " " + env._("The next level comes %(days)s days later at the earliest.", days=self.min_gap_days)
        return sentence

    @api.constrains("kind", "is_formal_notice", "is_escalation", "invoice_penalties")
    def _check_discount_kind(self):
        for level in self.filtered(lambda level: level.kind == "discount"):
            if level.is_formal_notice or level.is_escalation or level.invoice_penalties:
                raise ValidationError(self.env._(
                    "The level \u201c%(level)s\u201d reminds of an early-payment discount: it cannot be a formal "
                    "notice, an escalation or invoice penalties.", level=level.name))

    @api.constrains("days", "sequence", "is_escalation", "policy_id", "kind")
    def _check_policy_levels(self):
        # a policy form writes all its levels at once: the policy checks them when it is done
        if not self.env.context.get("late_payment_defer_level_check"):
            self.policy_id._check_levels()

    @api.constrains("tone_id", "tone_min_id", "tone_max_id", "policy_id")
    def _check_tones(self):
        for level in self:
            for tone in level.tone_id | level.tone_min_id | level.tone_max_id:
                if tone.company_id and tone.company_id != level.policy_id.company_id:
                    raise ValidationError(self.env._(
                        "The tone \u201c%(tone)s\u201d belongs to %(tone_company)s: it cannot be used in the "
                        "policy \u201c%(policy)s\u201d of %(company)s.",
                        tone=tone.name, tone_company=tone.company_id.name, policy=level.policy_id.name,
                        company=level.policy_id.company_id.name))
            if level.tone_min_id and level.tone_min_id.severity > level.tone_id.severity:
                raise ValidationError(self.env._(
                    "The softest tone of the level \u201c%(level)s\u201d (%(softest)s) is firmer than its tone "
                    "(%(tone)s).", level=level.name, softest=level.tone_min_id.name, tone=level.tone_id.name))
            if level.tone_max_id and level.tone_max_id.severity < level.tone_id.severity:
                raise ValidationError(self.env._(
                    "The firmest tone of the level \u201c%(level)s\u201d (%(firmest)s) is softer than its tone "
                    "(%(tone)s).", level=level.name, firmest=level.tone_max_id.name, tone=level.tone_id.name))

    @api.ondelete(at_uninstall=False)
    def _unlink_except_reached(self):
        lines = self.env["account.move.line"].sudo()
        if lines.search_count([("late_payment_level_id", "in", self.ids)], limit=1):
            raise UserError(self.env._(
                "Invoices have reached these follow-up levels: they keep them in their history. Archive the "
                "policy and create a new one instead."))

    def _engine_level(self):
        self.ensure_one()
        return followup.Level(
            id=self.id, days=self.days, sequence=self.sequence, min_gap_days=self.min_gap_days or 0,
            gated=self.is_formal_notice or self.is_escalation, is_escalation=self.is_escalation,
            days_before_discount=(self.days_before_discount or 0) if self.kind == "discount" else None)

    def _engine_levels_by_id(self):
        return {level.id: level._engine_level() for level in self}

    def _risk_points(self, weights):
        """{level id: points of the risk score's level factor} (see engine.risk.policy_level_points)."""
        points = {}
        policies = self.policy_id
        policies.level_ids.fetch(["policy_id", "sequence", "days", "is_formal_notice", "is_escalation", "kind"])
        for policy in policies:
            # a discount reminder says nothing about the customer: no points
            points.update(risk.policy_level_points([
                risk.PolicyLevel(level.id, level.sequence, level.days, level.is_formal_notice, level.is_escalation)
                for level in policy.level_ids if level.kind != "discount"], weights))
        return {level.id: points.get(level.id, 0.0) for level in self}
