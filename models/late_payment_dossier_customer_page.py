"""The customer's page (controllers/customer_page.py): what it shows and what the customer does
there, on the customer's follow-up dossier.

The page shows the figures of the console (engine/receivables.py through
`_balances`): every open invoice with its due date and days late, the credits, the
overdue balance, the total due and the penalties accrued. The customer pays everything overdue,
a selection of invoices or the next instalment of its plan in one payment (Odoo's payment
providers, as the invoice portal does), promises to pay or disputes an invoice: the promise and
the dispute are recorded by the accountant's own paths (late.payment.promise `_record`,
late.payment.dispute `_open`), flagged as coming from the customer, and pause the
reminders as those do. Everything here runs as superuser for a link checked by the controller:
the records are the link's customer's in the link's company, never ids taken from the client
without checking them against those.
"""

from markupsafe import Markup

from odoo import fields, models
from odoo.exceptions import UserError

from .access import check_group, check_records
from .late_payment_reminder_customer_page import page_qr_code

PAY_MODES = ("overdue", "selection", "instalment")


class LatePaymentDossier(models.Model):
    _inherit = "late.payment.dossier"

    # -- the link in the documents -------------------------------------------------------------------
    def _amounts_detail(self, lines, overdue=None):
        detail = super()._amounts_detail(lines, overdue=overdue)
        # the customer's page: a link in force (a read-only preview shows none)
        detail["page_url"] = self._page_url() if not self.env.cr.readonly else False
        return detail

    def _statement_data(self):
        data = super()._statement_data()
        if not self.env.cr.readonly:
            data["page_url"] = self._page_url()
            data["page_qr"] = page_qr_code(self.env, data["page_url"])
        return data

    def _page_url(self):
        """The URL of the customer's page, with a link in force (created or extended)."""
        self.ensure_one()
        return self.env["late.payment.access.link"]._link_url(self.partner_id, self.company_id)

    def action_revoke_link(self):
        """Revoke the customer's page link of these dossiers: the documents already sent open
        nothing any more; the next one carries a new link."""
        check_group(self.env, "account_late_payment.group_late_payment_user",
                    self.env._("Only the late payment users may revoke a customer's link."))
        check_records(self, "write")
        links = self.env["late.payment.access.link"].sudo().search([
            ("partner_id", "in", self.partner_id.ids), ("company_id", "in", self.company_id.ids)])
        links = links.filtered(lambda link: any(
            dossier.partner_id == link.partner_id and dossier.company_id == link.company_id for dossier in self))
        links.action_revoke()
        for dossier in self:
            dossier.sudo().message_post(body=self.env._(
                "The customer's page link was revoked by %(user)s.", user=self.env.user.name))
        return True

    # -- the page ------------------------------------------------------------------------------------
    def _page_data(self):
        """What the customer's page shows (sudo, in the customer's language)."""
        self.ensure_one()
        dossier = self.sudo()
        company = dossier.company_id
        today = fields.Date.context_today(self)
        balance = dossier._balances(company, dossier.partner_id)
        balance = balance.get(dossier.partner_id.id)
        open_lines = dossier.line_ids.sorted(lambda line: (line.date_maturity or line.date, line.id))
        invoices = open_lines.filtered(lambda line: line.amount_residual > 0)
        credit_lines = open_lines.filtered(lambda line: line.amount_residual < 0)
        overdue_moves = invoices.filtered(
            lambda line: line.date_maturity and line.date_maturity < today).move_id.filtered(
            lambda move: move.move_type == "out_invoice")
        interest = indemnity = 0.0
        if overdue_moves:
            try:
                penalties = overdue_moves.with_company(company).late_payment_penalties()
            except UserError:  # a reference rate is missing: the page states no penalty
                penalties = []
            # what no penalty invoice bears yet (a penalty invoice is one of the open invoices)
            interest = sum(row.get("interest_to_invoice", 0.0) for row in penalties)
            indemnity = sum(row.get("indemnity_to_invoice", 0.0) for row in penalties)
        plan = dossier.running_plan_id
        return {
            "dossier": dossier,
            "partner": dossier.partner_id,
            "company": company,
            "currency": company.currency_id,
            "today": today,
            "invoices": [{
                "line": line,
                "move": line.move_id,
                "due": line.date_maturity,
                "days_late": max((today - line.date_maturity).days, 0) if line.date_maturity else 0,
                "disputed": line.move_id.late_payment_disputed,
            } for line in invoices],
            "credits": credit_lines,
            "amount_overdue": float(balance.amount_overdue) if balance else 0.0,
            "amount_due": float(balance.amount_due) if balance else 0.0,
            "interest": company.currency_id.round(interest),
            "indemnity": company.currency_id.round(indemnity),
            "plan": plan,
            "next_instalment": plan.next_line_id if plan else plan,
            "promise": dossier.open_promise_id,
        }

    def _page_payment(self, mode, invoice_ids=()):
        """(invoices, amount, currency) the customer pays in one payment: `overdue`, every
        overdue invoice line not disputed, less the open credit notes; `selection`, the open
        invoices `invoice_ids` of this customer in this company; `instalment`, the next
        instalment of the running plan. UserError when there is nothing to pay that way."""
        self.ensure_one()
        dossier = self.sudo()
        env = self.env
        today = fields.Date.context_today(self)
        lines = dossier.line_ids.filtered(lambda line: line.move_id.move_type in ("out_invoice", "out_refund",
                                                                                 "out_receipt"))
        open_invoice_lines = lines.filtered(
            lambda line: line.amount_residual > 0 and not line.move_id.late_payment_disputed)
        if mode == "overdue":
            due = open_invoice_lines.filtered(lambda line: line.date_maturity and line.date_maturity < today)
            credit_lines = lines.filtered(lambda line: line.amount_residual < 0)
            chosen = due | credit_lines if due else due
        elif mode == "selection":
            try:
                wanted = {int(i) for i in invoice_ids}
            except (TypeError, ValueError):
                wanted = set()
            chosen = open_invoice_lines.filtered(lambda line: line.move_id.id in wanted)
            if not chosen or set(chosen.move_id.ids) != wanted:
                raise UserError(env._("Choose among your open invoices the ones to pay."))
        elif mode == "instalment":
            line = dossier.running_plan_id.next_line_id
            if not line:
                raise UserError(env._("You have no instalment to pay."))
            moves = dossier.running_plan_id.move_ids.filtered(lambda move: move.amount_residual > 0)
            currency = dossier.company_id.currency_id
            if not moves or currency.is_zero(line.amount_left):
                raise UserError(env._("You have no instalment to pay."))
            return moves, currency.round(min(line.amount_left, sum(moves.mapped("amount_residual")))), currency
        else:
            raise UserError(env._("Choose what to pay."))
        if not chosen:
            raise UserError(env._("Nothing is overdue: there is nothing to pay now."))
        currency = chosen.currency_id
        if len(currency) != 1:
            raise UserError(env._("These invoices are in several currencies: pay them one currency at a time."))
        amount = currency.round(sum(chosen.mapped("amount_residual_currency")))
        if currency.compare_amounts(amount, 0) <= 0:
            raise UserError(env._("Your credits cover what is overdue: there is nothing to pay."))
        return chosen.move_id, amount, currency

    def _page_promise(self, date_value, amount):
        """The customer promises, on its page, to pay `amount` by `date_value`: the promise the
        accountant records, flagged as the customer's."""
        self.ensure_one()
        dossier = self.sudo().with_company(self.company_id)
        try:
            amount = float(amount)
        except (TypeError, ValueError):
            raise UserError(self.env._("The promised amount must be a number.")) from None
        promise = dossier.env["late.payment.promise"]._record(
            dossier.partner_id, date_value, amount, company=dossier.company_id)
        promise.from_customer = True
        dossier._page_task(self.env._(
            "%(customer)s promised on its page to pay %(amount)s by %(date)s.",
            customer=dossier.partner_id.display_name, amount=dossier.currency_id.format(promise.amount),
            date=fields.Date.to_string(promise.date)))
        return promise

    def _page_dispute(self, invoice_id, reason):
        """The customer disputes one of its open invoices on its page, with `reason`."""
        self.ensure_one()
        dossier = self.sudo().with_company(self.company_id)
        try:
            invoice_id = int(invoice_id)
        except (TypeError, ValueError):
            invoice_id = 0
        move = dossier.line_ids.move_id.filtered(
            lambda m: m.id == invoice_id and m.move_type in ("out_invoice", "out_receipt"))
        if not move:
            raise UserError(self.env._("Choose one of your open invoices."))
        disputes = dossier.env["late.payment.dispute"]._open(move, reason)
        disputes.from_customer = True
        dossier._page_task(self.env._(
            "%(customer)s disputes %(invoice)s on its page: %(reason)s",
            customer=dossier.partner_id.display_name, invoice=move.name, reason=disputes[:1].reason))
        return disputes

    def _page_task(self, text):
        """What the customer did on its page: in the follow-up's history, and a task for the
        responsible."""
        self.ensure_one()
        self.message_post(body=Markup("<p>%s</p>") % text)
        self.activity_schedule(
            "mail.mail_activity_data_todo", date_deadline=fields.Date.context_today(self),
            user_id=self._responsible().id, summary=text[:250], note=text)
