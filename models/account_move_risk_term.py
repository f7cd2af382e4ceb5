"""The invoice form and the follow-up: a banner on a disputed invoice, and on the draft invoice of
a risky customer one click that applies its risk class's payment term or deposit
(docs/design.md, "Risk score")."""

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_date

from odoo.addons.account_late_payment.models.access import check_records


class AccountMove(models.Model):
    _inherit = "account.move"

    late_payment_risk_terms_to_apply = fields.Boolean(
        string="Risk terms to apply", compute="_compute_late_payment_risk_terms_to_apply",
        help="The draft invoice of a customer whose risk class recommends a payment term or a deposit that the "
             "invoice does not have yet.")

    @api.depends("state", "move_type", "partner_id", "company_id", "invoice_payment_term_id")
    def _compute_late_payment_risk_terms_to_apply(self):
        for move in self:
            if not move._late_payment_risk_class():
                move.late_payment_risk_terms_to_apply = False
                continue
            if move._late_payment_has_risk_deposit():
                move.late_payment_risk_terms_to_apply = False
                continue
            term = move._late_payment_risk_term()
            move.late_payment_risk_terms_to_apply = not term or term != move.invoice_payment_term_id

    def _late_payment_has_risk_deposit(self):
        """Whether the invoice's payment term already asks for the deposit of its risk class
        (a first instalment of that percentage at once), when the class has no term of its own."""
        self.ensure_one()
        risk_class = self._late_payment_risk_class()
        if risk_class.payment_term_id or not risk_class.deposit_percent:
            return False
        lines = self.invoice_payment_term_id.sudo().line_ids
        return len(lines) > 1 and any(
            line.value == "percent" and line.nb_days == 0 and line.value_amount == risk_class.deposit_percent
            for line in lines)

    def _late_payment_risk_class(self):
        """The risk class of this draft customer invoice's customer when it warns or blocks and
        recommends a payment term or a deposit; else an empty recordset."""
        self.ensure_one()
        risk_class = self.env["late.payment.risk.class"]
        if self.state != "draft" or self.move_type != "out_invoice" or not self.partner_id:
            return risk_class
        partner = self.commercial_partner_id.sudo().with_company(self.company_id)
        risk_class = partner.late_payment_risk_class_id
        if (risk_class.warn or risk_class.block) and (risk_class.payment_term_id or risk_class.deposit_percent):
            return risk_class
        return risk_class.browse()

    def _late_payment_risk_term(self, create=False):
        """The payment term the risk class asks for: its own term, else a deposit now and the
        balance on the invoice's current term (found, or created when `create`)."""
        self.ensure_one()
        risk_class = self._late_payment_risk_class()
        if risk_class.payment_term_id:
            return risk_class.payment_term_id
        percent = risk_class.deposit_percent
        if not percent or percent >= 100:
            return self.env["account.payment.term"]
        current = self.invoice_payment_term_id.sudo()
        last = current.line_ids.sorted(lambda line: (line.nb_days, line.id))[-1:] if current else False
        delay_type = last.delay_type if last else "days_after"
        days = last.nb_days if last else 0
        name = self.env._("%(percent)s %% deposit, balance %(term)s", percent=f"{percent:g}",
                          term=current.name or self.env._("immediately"))
        terms = self.env["account.payment.term"].sudo()
        term = terms.search([("name", "=", name), ("company_id", "in", (False, self.company_id.id))], limit=1)
        if not term and create:
            term = terms.create({
                "name": name, "company_id": self.company_id.id,
                "line_ids": [
                    fields.Command.create({"value": "percent", "value_amount": percent, "nb_days": 0}),
                    fields.Command.create({"value": "percent", "value_amount": 100.0 - percent,
                                           "delay_type": delay_type, "nb_days": days}),
                ],
            })
        return term.sudo(False) if term else self.env["account.payment.term"]

    def action_late_payment_apply_risk_terms(self):
        """Apply the payment term (or the deposit) that the customer's risk class recommends to
        these draft invoices; the invoice's chatter says so."""
        check_records(self, "write")
        for move in self:
            risk_class = move._late_payment_risk_class()
            if not risk_class:
                raise UserError(self.env._(
                    "%(invoice)s: its customer's risk class recommends no payment term nor deposit, or the invoice "
                    "is no draft customer invoice.", invoice=move.display_name))
            previous = move.invoice_payment_term_id
            term = move._late_payment_risk_term(create=True)
            move.invoice_payment_term_id = term
            move._message_log(body=Markup("<p>%s</p>") % self.env._(
                "Payment term of the risk class %(risk_class)s applied: %(term)s (was %(previous)s).",
                risk_class=risk_class.name, term=term.name, previous=previous.name or self.env._("none")))
        return True

    # -- banners -------------------------------------------------------------------------------
    @api.depends("late_payment_disputed")
    def _compute_alerts(self):
        return super()._compute_alerts()

    def _get_alerts(self):
        alerts = super()._get_alerts()
        if self.late_payment_disputed and self.state == "posted":
            disputes = self.sudo().late_payment_dispute_ids.filtered(lambda dispute: dispute.state == "open")
            alerts["account_late_payment_disputed"] = {"level": "warning", "message": self.env._(
                "Disputed since %(date)s: %(reason)s. This invoice gets no reminder until the dispute is resolved.",
                date=format_date(self.env, min(disputes.mapped("date_opened"), default=False) or fields.Date.today()),
                reason="; ".join(disputes.mapped("reason")) or self.env._("no reason given"))}
        return alerts
