from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import format_amount

from ..engine import reminders as rules
from ..models.late_payment_reminder import CHANNEL_FIELDS


class LatePaymentSendWizard(models.TransientModel):
    """Send the reminders of several customers from the console: what would go out (emails,
    letters, formal notices, amount, customers), computed by the send path itself without
    sending anything, to confirm first. Confirming sends through the one send path."""

    _name = "late.payment.send.wizard"
    _description = "Confirm the reminders to send"

    dossier_ids = fields.Many2many(
        "late.payment.dossier", string="Customers selected", required=True,
        default=lambda self: self.env["late.payment.dossier"]._active_dossiers())
    currency_id = fields.Many2one("res.currency", default=lambda self: self.env.company.currency_id)
    customer_count = fields.Integer(string="Customers", compute="_compute_summary", store=True,
                                    help="The customers who get a reminder.")
    idle_count = fields.Integer(string="Nothing due", compute="_compute_summary", store=True,
                                help="The customers selected to whom no reminder is due today.")
    email_count = fields.Integer(string="Emails", compute="_compute_summary", store=True)
    letter_count = fields.Integer(string="Letters", compute="_compute_summary", store=True)
    formal_notice_count = fields.Integer(string="Formal notices", compute="_compute_summary", store=True)
    amount_total = fields.Monetary(string="Total amount", compute="_compute_summary", store=True,
                                   help="What the reminders claim, in the currency of the current company.")
    # computed by the addon, its table markup built with escaped values (the sanitizer would strip
    # its classes): no one writes it (write refuses it), so nothing unsanitized comes from a user
    detail = fields.Html(compute="_compute_summary", store=True, sanitize=False, readonly=True,
                         help="Each reminder: customer, level, channels and amount.")

    @api.depends("dossier_ids")
    def _compute_summary(self):
        reminder_model = self.env["late.payment.reminder"]
        labels = {channel: reminder_model._fields[fname].get_description(self.env)["string"]
                  for channel, fname in CHANNEL_FIELDS.items()}
        today = fields.Date.context_today(self)
        for wizard in self:
            dossiers = wizard.dossier_ids._origin
            plans = reminder_model._send(
                dossiers, origin="console", include_manual=True, dry_run=True) if dossiers else []
            currency = wizard.currency_id or self.env.company.currency_id
            rows, total = [], 0.0
            for plan in plans:
                amount = plan["company"].currency_id._convert(plan["amount"], currency, plan["company"], today)
                total += amount
                rows.append(Markup("<tr><td>%s</td><td>%s</td><td>%s</td><td class='text-end'>%s</td></tr>") % (
                    plan["partner"].display_name, plan["level"].name,
                    ", ".join(label for channel, label in labels.items() if channel in plan["channels"]),
                    format_amount(self.env, plan["amount"], plan["company"].currency_id)))
            wizard.update({
                "customer_count": len({plan["partner"].id for plan in plans}),
                "idle_count": len(dossiers) - len(plans),
                "email_count": sum(1 for plan in plans if rules.EMAIL in plan["channels"]),
                "letter_count": sum(1 for plan in plans if rules.LETTER in plan["channels"]),
                "formal_notice_count": sum(1 for plan in plans if plan["level"].is_formal_notice),
                "amount_total": total,
                "detail": Markup("<table class='table table-sm'><thead><tr><th>%s</th><th>%s</th><th>%s</th>"
                                 "<th class='text-end'>%s</th></tr></thead><tbody>%s</tbody></table>") % (
                    self.env._("Customer"), self.env._("Level"), self.env._("Channels"), self.env._("Amount"),
                    Markup("").join(rows)) if rows else False,
            })

    def write(self, vals):
        if "detail" in vals:
            raise AccessError(self.env._("The summary of the reminders is computed: it cannot be written."))
        return super().write(vals)

    def action_confirm(self):
        """Send now, through the one send path (what is due is checked again as it goes)."""
        self.ensure_one()
        return self.dossier_ids.action_send_reminder()
