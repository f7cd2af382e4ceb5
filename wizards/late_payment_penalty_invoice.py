from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Command
from odoo.tools import format_date, formatLang

from ..models.access import check_records
from ..models.late_payment_measure import late_types


class LatePaymentPenaltyInvoice(models.TransientModel):
    """Invoice the late-payment penalties of some late invoices, or of customers: shows what
    will be invoiced, then calls account.move._late_payment_invoice_penalties."""

    _name = "late.payment.penalty.invoice.wizard"
    _description = "Late payments: invoice penalties"
    _check_company_auto = True

    company_id = fields.Many2one("res.company", required=True, readonly=True, default=lambda self: self.env.company)
    move_ids = fields.Many2many(
        "account.move", string="Late invoices", check_company=True,
        domain="[('move_type', 'in', ('out_invoice', 'out_receipt')), ('state', '=', 'posted'), "
               "('late_payment_is_penalty', '=', False), ('company_id', '=', company_id)]",
        help="The invoices whose penalties are invoiced: the late interest of the days no penalty invoice bears "
             "yet, and the recovery indemnity if not invoiced yet.")
    date = fields.Date(
        string="Penalties up to", required=True, default=fields.Date.context_today,
        help="Late interest is counted up to this day (at the latest today); it is also the date of the "
             "penalty invoices.")
    post = fields.Boolean(string="Post the penalty invoices",
                          help="Post the penalty invoices at once; otherwise they are created as drafts to review.")
    preview = fields.Html(string="To invoice", compute="_compute_preview", sanitize=False)
    has_penalties = fields.Boolean(compute="_compute_preview")

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        context = self.env.context
        ids = context.get("active_ids") or ([context["active_id"]] if context.get("active_id") else [])
        if "move_ids" not in fields_list or not ids:
            return values
        if context.get("active_model") == "account.move":
            moves = self.env["account.move"].browse(ids)
        elif context.get("active_model") == "res.partner":
            moves = self.env["account.move"]._late_payment_penalty_candidates(self.env["res.partner"].browse(ids))
        else:
            return values
        values["move_ids"] = [Command.set(moves.filtered(lambda m: m.company_id == self.env.company).ids)]
        return values

    @api.depends("move_ids", "date")
    def _compute_preview(self):
        for wizard in self:
            wizard.has_penalties = False
            try:
                rows = wizard._penalties_to_invoice()
            except UserError as error:
                wizard.preview = Markup('<div class="alert alert-warning mb-0" role="alert">%s</div>') % error.args[0]
                continue
            wizard.has_penalties = bool(rows)
            wizard.preview = wizard._preview_table(rows)

    def _penalties_to_invoice(self):
        """[(move, late_payment_penalties result)] of the invoices with something to invoice."""
        self.ensure_one()
        moves = self.move_ids._origin.filtered(
            lambda m: m.state == "posted" and m.move_type in late_types(self.env)
            and not m.late_payment_is_penalty)
        if not moves or not self.date:
            return []
        if self.date > fields.Date.context_today(self):
            raise UserError(self.env._("Penalties can be invoiced up to today at the latest."))
        results = moves.late_payment_penalties(self.date)
        return [(move, result) for move, result in zip(moves, results, strict=True)
                if result["interest_to_invoice"] or result["indemnity_to_invoice"]]

    def _preview_table(self, rows):
        env = self.env
        if not rows:
            return Markup('<p class="text-muted mb-0">%s</p>') % env._(
                "Nothing to invoice: these invoices were paid on time, their penalties are already invoiced, or "
                "the customer owes none (a consumer, or penalties waived).")
        header = Markup("").join(Markup("<th%s>%s</th>") % (Markup(' class="text-end"') if end else "", title)
                                 for title, end in ((env._("Customer"), False), (env._("Invoice"), False),
                                                    (env._("Due date"), False), (env._("Late interest periods"), False),
                                                    (env._("Interest"), True), (env._("Indemnity"), True)))
        body = Markup("")
        for move, result in rows:
            currency = move.currency_id
            periods = Markup("<br/>").join(escape(env._(
                "%(date_from)s to %(date_to)s: %(days)s days on %(base)s at %(rate)s %%",
                date_from=format_date(env, period["date_from"]), date_to=format_date(env, period["date_to"]),
                days=period["days"], base=formatLang(env, period["base"], currency_obj=currency),
                rate=formatLang(env, period["rate"], digits=2))) for period in result["periods_to_invoice"])
            body += Markup(
                "<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td>"
                '<td class="text-end text-nowrap">%s</td><td class="text-end text-nowrap">%s</td></tr>') % (
                move.commercial_partner_id.display_name, move.name,
                format_date(env, move.invoice_date_due) if move.invoice_date_due else "", periods,
                formatLang(env, result["interest_to_invoice"], currency_obj=currency),
                formatLang(env, result["indemnity_to_invoice"], currency_obj=currency))
        return Markup('<table class="table table-sm o_late_payment_penalty_preview"><thead><tr>%s</tr></thead>'
                      "<tbody>%s</tbody></table>") % (header, body)

    def action_create_invoices(self):
        self.ensure_one()
        check_records(self.move_ids, "write")
        invoices = self.move_ids._late_payment_invoice_penalties(self.date, post=self.post)
        if not invoices:
            raise UserError(self.env._(
                "Nothing to invoice: these invoices were paid on time, their penalties are already invoiced, or the "
                "customer owes none (a consumer, or penalties waived)."))
        action = self.env["ir.actions.act_window"]._for_xml_id("account.action_move_out_invoice_type")
        if len(invoices) == 1:
            action.update({"views": [(False, "form")], "view_mode": "form", "res_id": invoices.id})
        else:
            action.update({"domain": [("id", "in", invoices.ids)], "views": [(False, "list"), (False, "form")],
                           "view_mode": "list,form"})
        action["context"] = {"create": False}
        return action
