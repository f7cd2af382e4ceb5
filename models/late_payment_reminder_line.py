from odoo import api, fields, models


class LatePaymentReminderLine(models.Model):
    """A receivable line (an invoice, or one instalment of it) listed in a reminder, at the level it
    reached with that reminder (none: only listed, not yet due or too recent). A reminder lists
    every open line of its customer: the unique index on (receivable line, day) refuses a second
    reminder to the customer on the same day from any path (daily run, console, API), and the
    customer's gap (at least one day, counted from the reminders sent) refuses it later."""

    _name = "late.payment.reminder.line"
    _description = "Reminder line"
    _order = "reminder_id, date_maturity, id"

    reminder_id = fields.Many2one("late.payment.reminder", required=True, index=True, ondelete="cascade")
    move_line_id = fields.Many2one(
        "account.move.line", string="Receivable line", required=True, index=True, ondelete="cascade")
    move_id = fields.Many2one(related="move_line_id.move_id", store=True, string="Invoice")
    level_id = fields.Many2one(
        "late.payment.level", index=True, ondelete="restrict",
        help="The level this invoice (or instalment) reached with this reminder; empty: only listed (not yet "
             "due, or not yet late enough for a level). A formal notice covers only the invoices past its day.")
    partner_id = fields.Many2one(related="reminder_id.partner_id", store=True)
    company_id = fields.Many2one(related="reminder_id.company_id", store=True, index=True)
    date = fields.Date(related="reminder_id.date", store=True)
    company_currency_id = fields.Many2one(related="company_id.currency_id", string="Company currency")
    currency_id = fields.Many2one("res.currency", required=True)
    date_maturity = fields.Date(string="Due date")
    days_late = fields.Integer(help="Days past the due date when the reminder was sent (negative: before it).")
    amount_residual = fields.Monetary(
        string="Left to pay", currency_field="company_currency_id",
        help="What was left to pay on this invoice (or instalment) when the reminder was sent, in the "
             "company currency.")
    amount_residual_currency = fields.Monetary(
        string="Left to pay (invoice currency)", currency_field="currency_id")

    _move_line_date_uniq = models.UniqueIndex(
        "(move_line_id, date)", "An invoice is never in two reminders on the same day.")

    @api.depends("move_id", "level_id")
    def _compute_display_name(self):
        for line in self:
            line.display_name = f"{line.move_id.name or ''} - {line.level_id.name or ''}"
