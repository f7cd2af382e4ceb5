from markupsafe import Markup, escape

from odoo import api, fields, models

from ..engine import go_live
from ..models.late_payment_reminder import CHANNEL_FIELDS


class LatePaymentGoLiveWizard(models.TransientModel):
    """Start the follow-up of the company, after a preview of its first run: send what is due,
    or start quietly (see res.company.late_payment_go_live)."""

    _name = "late.payment.go.live.wizard"
    _description = "Start the follow-up"

    company_id = fields.Many2one("res.company", required=True, readonly=True, default=lambda self: self.env.company)
    currency_id = fields.Many2one(related="company_id.currency_id")
    customer_count = fields.Integer(string="Customers", compute="_compute_preview", store=True)
    reminder_count = fields.Integer(string="Reminders", compute="_compute_preview", store=True)
    letter_count = fields.Integer(string="Letters", compute="_compute_preview", store=True)
    manual_count = fields.Integer(
        string="Waiting for an accountant", compute="_compute_preview", store=True,
        help="Customers whose next level (a formal notice) is never sent by the run: their responsible gets a "
             "task.")
    amount = fields.Monetary(string="Total amount", compute="_compute_preview", store=True)
    detail = fields.Html(string="Reminders by level and channel", compute="_compute_preview", store=True,
                         sanitize=True)
    sample_ids = fields.Many2many("late.payment.dossier", string="Customers to look at", compute="_compute_preview",
                                  store=True)

    @api.depends("company_id")
    def _compute_preview(self):
        level_fields = self.env["late.payment.level"]._fields
        channels = {channel: level_fields[fname]._description_string(self.env)
                    for channel, fname in CHANNEL_FIELDS.items()}
        for wizard in self:
            summary, sample = wizard.company_id._late_payment_go_live_preview()
            wizard.customer_count = summary.customers
            wizard.reminder_count = summary.reminders
            wizard.letter_count = summary.letters
            wizard.manual_count = summary.manual
            wizard.amount = float(summary.amount)
            wizard.sample_ids = sample
            rows = [(self.env._("Level"), level, count) for level, count in summary.by_level]
            rows += [(self.env._("Channel"), channels.get(channel, channel), count)
                     for channel, count in summary.by_channel]
            wizard.detail = Markup("<table class='table table-sm'>%s</table>") % Markup("").join(
                Markup("<tr><td>%s</td><td>%s</td><td class='text-end'>%s</td></tr>") % (escape(kind), escape(name),
                                                                                         count)
                for kind, name, count in rows) if rows else False

    def action_send(self):
        return self._start(go_live.SEND)

    def action_quiet(self):
        return self._start(go_live.QUIET)

    def _start(self, mode):
        self.ensure_one()
        self.company_id.late_payment_go_live(mode)
        message = self.env._(
            "The follow-up has started: the reminders that are due go out with the run starting now.") \
            if mode == go_live.SEND else self.env._(
            "The follow-up has started quietly: nothing was sent; the reminders resume with the next level.")
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {"title": self.env._("Follow-up started"), "message": message, "type": "success",
                       "next": {"type": "ir.actions.client", "tag": "soft_reload"}},
        }
