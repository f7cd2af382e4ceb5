from odoo import api, fields, models
from odoo.tools.misc import formatLang
from odoo.tools.translate import LazyTranslate

_lt = LazyTranslate(__name__)

# the labels of engine/risk.py's FACTOR_LABELS, translated
FACTOR_NAMES = {
    "days_late": _lt("Average days paid beyond terms, weighted by amount"),
    "late_share": _lt("Share of invoices paid late"),
    "exposure_credit_limit": _lt("Overdue now against the credit limit"),
    "exposure_monthly_sales": _lt("Overdue now against the average monthly sales"),
    "level": _lt("Highest follow-up level reached"),
    "incidents": _lt("Disputes and broken promises"),
    "trend": _lt("Recent payment delays against the yearly average"),
    "no_history": _lt("No payment history: too few invoices settled"),
}
UNITS = [("days", "days"), ("%", "%"), ("count", "count"), ("level", "level")]


class LatePaymentRiskFactor(models.Model):
    """One factor of a customer's risk score: what was measured, the points it gives and the
    most it can give (its weight). Written by the risk computation (late.payment.dossier), in
    batch; read-only for everyone."""

    _name = "late.payment.risk.factor"
    _description = "Customer risk factor"
    _order = "dossier_id, sequence, id"

    dossier_id = fields.Many2one("late.payment.dossier", required=True, index=True, ondelete="cascade",
                                 readonly=True)
    company_id = fields.Many2one(related="dossier_id.company_id", store=True, index=True)
    sequence = fields.Integer(readonly=True)
    code = fields.Char(required=True, readonly=True)
    name = fields.Char(string="Factor", compute="_compute_name")
    value = fields.Float(string="Measure", digits=(16, 2), readonly=True,
                         help="What was measured, in its unit (empty when it cannot be measured).")
    has_value = fields.Boolean(readonly=True)
    unit = fields.Selection(UNITS, readonly=True)
    level_id = fields.Many2one("late.payment.level", readonly=True, ondelete="set null")
    value_display = fields.Char(string="Value", compute="_compute_name")
    points = fields.Float(digits=(5, 1), readonly=True, help="The points this factor adds to the score.")
    weight = fields.Float(string="Out of", digits=(5, 1), readonly=True,
                          help="The most points this factor can give: its weight in the score.")

    @api.depends("code", "value", "has_value", "unit", "level_id")
    @api.depends_context("lang")
    def _compute_name(self):
        for factor in self:
            label = FACTOR_NAMES.get(factor.code)
            factor.name = self.env._(label) if label else factor.code
            factor.value_display = factor._value_display()

    def _value_display(self):
        self.ensure_one()
        if self.unit == "level":
            return self.level_id.name or self.env._("No level reached")
        if not self.has_value:
            if self.code.startswith("exposure"):
                return self.env._("overdue, no limit and no sales")
            return "\u2013"
        if self.unit == "days":
            return self.env._("%(days)s days", days=formatLang(self.env, self.value, digits=1))
        if self.unit == "%":
            return f"{formatLang(self.env, self.value, digits=1)} %"
        return formatLang(self.env, self.value, digits=0)
