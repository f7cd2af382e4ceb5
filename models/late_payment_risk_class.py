from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..engine import risk
from .access import check_records
from .lang import format_number


class LatePaymentRiskClass(models.Model):
    """A risk class of a company: the customers whose risk score reaches its lowest score (and
    not the next class's) belong to it. It can choose their follow-up policy, recommend a
    deposit and a payment term, warn on the customer and its draft invoices, and block new
    invoices."""

    _name = "late.payment.risk.class"
    _description = "Customer risk class"
    _order = "company_id, min_score, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", required=True, index=True, default=lambda self: self.env.company)
    min_score = fields.Float(
        string="From score", digits=(5, 1), required=True,
        help="The lowest risk score (0 best, 100 worst) of this class; a customer belongs to the class with the "
             "highest lowest score its score reaches.")
    max_score = fields.Float(string="Up to score", digits=(5, 1), compute="_compute_max_score",
                             help="The lowest score of the next class (excluded).")
    policy_id = fields.Many2one(
        "late.payment.policy", string="Follow-up policy", check_company=True, ondelete="set null",
        help="The follow-up policy of the customers of this class that have no policy of their own; empty: the "
             "company's default policy.")
    deposit_percent = fields.Float(
        string="Recommended deposit (%)", digits=(5, 2),
        help="The deposit to ask for before delivering a new order, in percent of the order; shown on the customer "
             "and on its draft invoices.")
    payment_term_id = fields.Many2one(
        "account.payment.term", string="Recommended payment term", check_company=True, ondelete="set null",
        help="The payment term to offer the customers of this class; shown on the customer and its draft invoices.")
    warn = fields.Boolean(
        help="Show a warning on the customer and on its draft invoices.")
    block = fields.Boolean(
        string="Block new invoices",
        help="Refuse to post a new invoice for a customer of this class; only a Late payments Administrator can "
             "post it anyway (the override is logged on the invoice).")
    color = fields.Integer()
    note = fields.Text(translate=True)
    dossier_count = fields.Integer(string="Customers", compute="_compute_dossier_count")

    _min_score_range = models.Constraint(
        "CHECK(min_score >= 0 AND min_score <= 100)", "The lowest score of a risk class is between 0 and 100.")
    _deposit_range = models.Constraint(
        "CHECK(deposit_percent >= 0 AND deposit_percent <= 100)", "A deposit is between 0 and 100 %.")

    @api.depends("min_score", "company_id")
    def _compute_max_score(self):
        classes = self.search_fetch([("company_id", "in", self.company_id.ids)], ["min_score", "company_id"])
        for record in self:
            higher = [other.min_score for other in classes
                      if other.company_id == record.company_id and other.min_score > record.min_score]
            record.max_score = min(higher, default=100.0)

    def _compute_dossier_count(self):
        counts = dict(self.env["late.payment.dossier"]._read_group(
            [("risk_class_id", "in", self.ids)], ["risk_class_id"], ["__count"]))
        for record in self:
            record.dossier_count = counts.get(record, 0)

    @api.constrains("min_score", "company_id", "active")
    def _check_lowest_class(self):
        """Every score must fall in a class: each company keeps a class from 0."""
        for company in self.company_id:
            classes = self.search([("company_id", "=", company.id)])
            if classes and min(classes.mapped("min_score")) > 0:
                raise ValidationError(self.env._(
                    "The risk classes of %(company)s must start at score 0: the lowest class now starts at "
                    "%(score)s, so a customer scoring less would have no class.",
                    company=company.name, score=format_number(self.env, min(classes.mapped('min_score')))))

    def action_open_dossiers(self):
        self.ensure_one()
        check_records(self, "read")
        action = self.env["ir.actions.act_window"]._for_xml_id("account_late_payment.action_late_payment_risk")
        action["domain"] = [("risk_class_id", "=", self.id)]
        action["context"] = {"search_default_group_risk_class": 0}
        return action

    def copy_data(self, default=None):
        vals_list = super().copy_data(default=default)
        if "name" not in (default or {}) and not self.env.context.get("late_payment_default_copy"):
            for record, vals in zip(self, vals_list, strict=True):
                vals["name"] = self.env._("%s (copy)", record.name)
        return vals_list

    # -- which class ---------------------------------------------------------------------------
    @api.model
    def _classify(self, company, scores):
        """{key: class} for {key: score} in `company` (its active classes)."""
        classes = self.search([("company_id", "=", company.id)])
        pairs = [(record.min_score, record.id) for record in classes]
        return {key: classes.browse(risk.classify(score, pairs) or ()) for key, score in scores.items()}

    # -- shipped classes -----------------------------------------------------------------------
    @api.model
    def _templates(self):
        refs = ("low", "medium", "high", "critical")
        templates = self.browse()
        for ref in refs:
            templates |= self.env.ref(f"account_late_payment.late_payment_risk_class_{ref}", raise_if_not_found=False) \
                or self.browse()
        return templates.sudo()

    @api.model
    def _create_default_classes(self, companies=None):
        """Give each company without a risk class a copy of the shipped ones."""
        templates = self._templates()
        if not templates:
            return self.browse()
        if companies is None:
            companies = self.env["res.company"].sudo().search_fetch([], ["currency_id"])
        having = self.sudo().with_context(active_test=False).search([("company_id", "in", companies.ids)]).company_id
        created = self.browse()
        for company in companies - having:
            for template in templates:
                values = {"company_id": company.id}
                if template.policy_id:
                    values["policy_id"] = False
                if template.payment_term_id.company_id and template.payment_term_id.company_id != company:
                    values["payment_term_id"] = False
                created |= template.with_context(late_payment_default_copy=True).copy(values)
        return created

    @api.model
    def _translate_default_copies(self):
        """The copies made while the addon installs, before its translations are loaded, get the
        shipped classes' translations."""
        for template in self._templates():
            name = template.with_context(lang="en_US").name
            copies = self.sudo().with_context(lang="en_US", active_test=False).search([
                ("id", "!=", template.id), ("name", "=", name)])
            for copy in copies:
                template.with_context(lang="en_US").copy_translations(copy)
