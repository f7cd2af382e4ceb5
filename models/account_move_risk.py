"""Customer risk on invoices: the warnings shown on a customer's invoice and the credit guard that
refuses to post an invoice beyond the customer's credit limit.
"""

from collections import defaultdict
from contextvars import ContextVar

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_date, formatLang

from .access import ADMIN_GROUP
from .late_payment_measure import late_types

_AUTOPOSTING = ContextVar("late_payment_autoposting", default=False)


class AccountMove(models.Model):
    _inherit = "account.move"

    @api.depends("late_payment_term_warning", "late_payment_over_invoiced")
    def _compute_alerts(self):
        return super()._compute_alerts()

    def _get_alerts(self):
        alerts = super()._get_alerts()
        if self.late_payment_term_warning:
            alerts["account_late_payment_term_warning"] = {
                "level": "warning",
                "message": self.late_payment_term_warning,
            }
        if self.is_sale_document(include_receipts=True) and self.partner_id:
            alerts.update(self._late_payment_risk_alerts())
        if self.late_payment_is_penalty and self.state == "posted" and self.late_payment_over_invoiced:
            alerts["account_late_payment_over_invoiced"] = {"level": "warning", "message": self.env._(
                "This penalty invoice claims %(amount)s more late interest than its days bear now: a payment dated "
                "before its periods was entered after it. Issue the credit note from its Follow-up tab.",
                amount=formatLang(self.env, self.late_payment_over_invoiced, currency_obj=self.currency_id))}
        return alerts

    def _late_payment_risk_alerts(self):
        """The risk warnings of a customer invoice: its risk class (drafts of invoices, when the
        class warns or blocks) and its company status (every customer document)."""
        self.ensure_one()
        alerts = {}
        partner = self.commercial_partner_id.sudo().with_company(self.company_id)
        risk_class = partner.late_payment_risk_class_id
        if self.state == "draft" and self.move_type in late_types(self.env) and (risk_class.warn or risk_class.block):
            alerts["account_late_payment_risk"] = {
                "level": "danger" if risk_class.block else "warning", "message": partner._late_payment_risk_warning()}
        if partner.late_payment_proceedings_state == "open":
            procedure = dict(partner._fields["late_payment_proceedings_procedure"]._description_selection(
                self.env)).get(partner.late_payment_proceedings_procedure) or self.env._("collective proceedings")
            alerts["account_late_payment_proceedings"] = {"level": "danger", "message": self.env._(
                "%(customer)s is in collective proceedings: %(procedure)s since %(date)s%(court)s (BODACC, checked "
                "on %(checked)s). It gets no reminders; declare your claims to the court-appointed representative "
                "within two months of the publication.",
                customer=partner.name, procedure=procedure,
                date=format_date(self.env, partner.late_payment_proceedings_since
                                 or partner.late_payment_proceedings_opened_on),
                court=f", {partner.late_payment_proceedings_tribunal}" if partner.late_payment_proceedings_tribunal
                else "",
                checked=format_date(self.env, partner.late_payment_proceedings_checked_on))}
        if partner.late_payment_legal_state == "ceased":
            alerts["account_late_payment_ceased"] = {"level": "danger", "message": self.env._(
                "%(customer)s has ceased trading%(since)s according to the French company register (checked on "
                "%(checked)s).",
                customer=partner.name,
                since=self.env._(" on %(date)s", date=format_date(self.env, partner.late_payment_legal_ceased_on))
                if partner.late_payment_legal_ceased_on else "",
                checked=format_date(self.env, partner.late_payment_legal_checked_on))}
        return alerts

    def _post(self, soft=True):
        self._late_payment_credit_guard()
        return super()._post(soft=soft)

    @api.model
    def _autopost_draft_entries(self, batch_size=100):
        token = _AUTOPOSTING.set(True)
        try:
            return super()._autopost_draft_entries(batch_size=batch_size)
        finally:
            _AUTOPOSTING.reset(token)

    def _late_payment_credit_guard(self):
        """Refuse to post customer invoices that take their customer over its credit limit
        (when the company refuses them) or whose customer is in a blocking risk class; a Late
        payments Administrator posts them anyway, and the override is logged on the invoice.
        Never for credit notes, invoices posted by Odoo itself (as superuser, as scheduled
        actions run, or by the auto-post scheduled action) or invoices already paid. What the
        client sends (a context key, the invoice's auto-post setting) never skips it."""
        if self.env.su or _AUTOPOSTING.get():
            return
        invoices = self.filtered(lambda move: move.state == "draft" and move.move_type == "out_invoice"
                                 and move.partner_id
                                 and not move._late_payment_already_paid())
        if not invoices:
            return
        refusals = invoices._late_payment_guard_refusals()
        if not refusals:
            return
        if self.env.user.has_group(ADMIN_GROUP):
            for move, reasons in refusals.items():
                move._message_log(body=Markup("<p>%s</p><ul>%s</ul>") % (
                    self.env._("Posted by %(user)s despite the customer risk guard:", user=self.env.user.name),
                    Markup().join(Markup("<li>%s</li>") % reason for reason in reasons)))
            return
        lines = []
        for move, reasons in refusals.items():
            lines.append(self.env._("%(invoice)s for %(customer)s:", invoice=move.display_name,
                                    customer=move.commercial_partner_id.name))
            lines.extend(f"- {reason}" for reason in reasons)
        raise UserError("\n".join([
            self.env._("This invoice cannot be posted:") if len(refusals) == 1
            else self.env._("These invoices cannot be posted:"),
            *lines,
            self.env._("Ask for a deposit or a payment first, or ask a Late payments Administrator to post it."),
        ]))

    def _late_payment_already_paid(self):
        self.ensure_one()
        if self.payment_state in ("paid", "in_payment"):
            return True
        payments = self.matched_payment_ids.filtered(lambda payment: payment.state in ("in_process", "paid"))
        if not payments:
            return False
        paid = sum(payment.currency_id._convert(payment.amount, self.currency_id, self.company_id,
                                                payment.date or fields.Date.context_today(self))
                   for payment in payments)
        return self.currency_id.compare_amounts(paid, self.amount_total) >= 0

    def _late_payment_guard_refusals(self):
        """{invoice: [reasons]} of the invoices of `self` the guard refuses, in batch: each
        customer's credit (what it owes now plus the invoices of `self` before this one) against
        its credit limit, and its risk class."""
        refusals = defaultdict(list)
        for company, moves in self.grouped("company_id").items():
            partners = moves.commercial_partner_id.sudo().with_company(company)
            partners.invalidate_recordset(["credit", "credit_to_invoice"])
            partners.fetch(["credit_limit", "late_payment_risk_class_id"])
            pending = defaultdict(float)
            check_limit = company.late_payment_credit_guard and company.account_use_credit_limit
            for move in moves.sorted(lambda m: (m.invoice_date or fields.Date.context_today(m), m.id)):
                partner = move.commercial_partner_id.sudo().with_company(company)
                risk_class = partner.late_payment_risk_class_id
                if risk_class.block:
                    refusals[move].append(self.env._(
                        "%(customer)s is in the risk class %(risk_class)s (score %(score)s), whose invoices are "
                        "refused.", customer=partner.name, risk_class=risk_class.name,
                        score=formatLang(self.env, partner.late_payment_risk_score, digits=1)))
                if check_limit and partner.credit_limit:
                    amount = move.amount_total_signed + pending[partner.id]
                    warning = self.with_company(company)._build_credit_warning_message(
                        move.with_company(company), current_amount=amount)
                    if warning:
                        refusals[move].append(self.env._(
                            "It takes the customer over its credit limit. %(warning)s",
                            warning=warning.replace("\n", " ")))
                    pending[partner.id] += move.amount_total_signed
        return dict(refusals)
