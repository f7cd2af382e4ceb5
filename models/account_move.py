from odoo import api, fields, models
from odoo.tools import SQL
from odoo.tools.sql import column_exists, create_column

# a change of these fields on an entry changes its customer's follow-up state
FOLLOWUP_TRIGGERS = {"state", "payment_state", "no_followup", "partner_id"}

INVOICE_STATUSES = [
    ("none", "Nothing to follow up"),
    ("planned", "Reminder planned"),
    ("due", "Action due"),
    ("excluded", "Excluded"),
    ("disputed", "Disputed"),
    ("collection", "In collection"),
]


class AccountMove(models.Model):
    _inherit = "account.move"

    late_payment_level_id = fields.Many2one(
        "late.payment.level", string="Follow-up level", compute="_compute_late_payment_level", store=True,
        help="The highest follow-up level reached by the invoice's instalments.")
    late_payment_level_date = fields.Date(
        string="Follow-up level reached on", compute="_compute_late_payment_level", store=True)
    late_payment_excluded = fields.Boolean(
        string="Left out of the follow-up", compute="_compute_late_payment_excluded", store=True,
        help="No reminder for this invoice: excluded from the follow-up, or its payment is blocked.")
    late_payment_next_level_id = fields.Many2one(
        "late.payment.level", string="Next follow-up level", compute="_compute_late_payment_next")
    late_payment_next_action_date = fields.Date(
        string="Next follow-up action", compute="_compute_late_payment_next")
    late_payment_status = fields.Selection(
        INVOICE_STATUSES, string="Follow-up status", compute="_compute_late_payment_next")

    def _auto_init(self):
        # on install, no line has reached a level yet: set the stored state in SQL rather than
        # computing it for every entry of the database
        if not column_exists(self.env.cr, "account_move", "late_payment_excluded"):
            create_column(self.env.cr, "account_move", "late_payment_level_id", "int4")
            create_column(self.env.cr, "account_move", "late_payment_level_date", "date")
            create_column(self.env.cr, "account_move", "late_payment_excluded", "bool")
            self.env.cr.execute(SQL("""
                UPDATE account_move move SET late_payment_excluded = TRUE
                 WHERE move.move_type IN ('out_invoice', 'out_refund', 'out_receipt')
                   AND (move.payment_state = 'blocked' OR EXISTS (
                        SELECT 1 FROM account_move_line line
                          JOIN account_account account ON account.id = line.account_id
                         WHERE line.move_id = move.id AND line.no_followup
                           AND account.account_type IN ('asset_receivable', 'liability_payable')))
            """))
        return super()._auto_init()

    @api.depends("line_ids.late_payment_level_id", "line_ids.late_payment_level_date")
    def _compute_late_payment_level(self):
        for move in self:
            reached = move.line_ids.filtered("late_payment_level_id")
            best = max(reached, default=None, key=lambda line: (
                line.late_payment_level_id.sequence, line.late_payment_level_id.days,
                line.late_payment_level_date or fields.Date.to_date("1900-01-01")))
            move.late_payment_level_id = best.late_payment_level_id if best else False
            move.late_payment_level_date = best.late_payment_level_date if best else False

    @api.depends("payment_state", "line_ids.no_followup", "move_type")
    def _compute_late_payment_excluded(self):
        for move in self:
            move.late_payment_excluded = move.is_sale_document(include_receipts=True) and (
                move.payment_state == "blocked" or move.no_followup)

    @api.depends_context("company")
    @api.depends("line_ids.late_payment_next_date", "line_ids.late_payment_next_level_id", "late_payment_excluded",
                 "state", "amount_residual", "late_payment_level_id")
    def _compute_late_payment_next(self):
        today = fields.Date.context_today(self)
        for move in self:
            planned = move.line_ids.filtered(lambda line: line.late_payment_next_date and not line.reconciled)
            first = min(planned, default=None, key=lambda line: (line.late_payment_next_date, line.id))
            move.late_payment_next_action_date = first.late_payment_next_date if first else False
            move.late_payment_next_level_id = first.late_payment_next_level_id if first else False
            if move.late_payment_excluded:
                status = "disputed" if move.payment_state == "blocked" else "excluded"
            elif move.state != "posted" or move.currency_id.is_zero(move.amount_residual):
                status = "none"
            elif move.late_payment_level_id.is_escalation:
                status = "collection"
            elif first:
                status = "due" if first.late_payment_next_date <= today else "planned"
            else:
                status = "none"
            move.late_payment_status = status

    def write(self, vals):
        result = super().write(vals)
        if FOLLOWUP_TRIGGERS & set(vals):
            self.env["late.payment.dossier"]._late_payment_mark_dirty(self.line_ids)
        return result
