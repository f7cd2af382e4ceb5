from odoo import api, fields, models

from .lang import format_day


class LatePaymentPenaltyLine(models.Model):
    """The ledger of invoiced penalties: one row per invoiced period of late interest of a
    receivable line, and one per invoiced recovery indemnity of a late invoice. A row lives as
    long as its penalty invoice does: cancelling the penalty invoice frees its days (and its
    indemnity) to be invoiced again. Crediting it in full is a waiver: its days stay taken (no
    level, no run invoices them again) until an administrator frees them explicitly. The database
    refuses two live rows for the same days of a receivable line, or two live indemnities for the
    same invoice."""

    _name = "late.payment.penalty.line"
    _description = "Late payments: invoiced penalty"
    _order = "source_move_id desc, kind desc, source_line_id, date_from, id"
    _rec_name = "source_move_id"
    _check_company_auto = True

    kind = fields.Selection(
        [("interest", "Late interest"), ("indemnity", "Recovery indemnity")],
        required=True, readonly=True)
    source_move_id = fields.Many2one(
        "account.move", string="Late invoice", required=True, readonly=True, index=True, ondelete="restrict",
        check_company=True)
    source_line_id = fields.Many2one(
        "account.move.line", string="Instalment", readonly=True, index="btree_not_null", ondelete="restrict",
        help="The receivable line (instalment) of the late invoice the interest was counted on.")
    partner_id = fields.Many2one(
        related="source_move_id.commercial_partner_id", string="Customer", store=True, index=True)
    company_id = fields.Many2one(related="source_move_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="source_move_id.currency_id", store=True)
    date_from = fields.Date(string="From", readonly=True)
    date_to = fields.Date(string="To", readonly=True)
    days = fields.Integer(readonly=True)
    base = fields.Monetary(readonly=True, help="The amount still unpaid on each of these days.")
    rate = fields.Float(string="Rate (%)", digits=(16, 4), readonly=True, help="Annual rate, in percent.")
    amount = fields.Monetary(readonly=True)
    penalty_move_id = fields.Many2one(
        "account.move", string="Penalty invoice", required=True, readonly=True, index=True, ondelete="cascade",
        check_company=True)
    penalty_line_id = fields.Many2one(
        "account.move.line", string="Penalty invoice line", readonly=True, index="btree_not_null",
        ondelete="cascade")
    state = fields.Selection(
        [("draft", "Draft"), ("posted", "Invoiced"), ("waived", "Waived"), ("cancel", "Freed")],
        compute="_compute_state", store=True, precompute=True, index=True,
        help="Follows the penalty invoice: draft or invoiced, the days are taken; waived when the penalty invoice "
             "is fully credited: the days stay taken, never invoiced again unless an administrator frees them; "
             "freed when the penalty invoice is cancelled (or the waiver freed), and they can be invoiced again.")
    freed = fields.Boolean(
        readonly=True, copy=False,
        help="An administrator freed these waived days: they can be invoiced again.")

    _days_invoiced_once = models.Constraint(
        "EXCLUDE USING gist (int4range(source_line_id, source_line_id, '[]') WITH &&, "
        "daterange(date_from, date_to, '[]') WITH &&) WHERE (kind = 'interest' AND state <> 'cancel')",
        "These days of late interest are already invoiced on another penalty invoice.")
    _indemnity_invoiced_once = models.UniqueIndex(
        "(source_move_id) WHERE kind = 'indemnity' AND state <> 'cancel'",
        "The recovery indemnity of this invoice is already invoiced on another penalty invoice.")
    _interest_has_days = models.Constraint(
        "CHECK (kind <> 'interest' OR (source_line_id IS NOT NULL AND date_from IS NOT NULL "
        "AND date_to IS NOT NULL AND date_from <= date_to))",
        "An invoiced period of interest needs its instalment and its days.")

    @api.depends("penalty_move_id.state", "penalty_move_id.payment_state", "freed")
    def _compute_state(self):
        for row in self:
            move = row.penalty_move_id
            if move.state == "cancel" or row.freed:
                row.state = "cancel"
            elif move.payment_state == "reversed":
                row.state = "waived"
            elif move.state == "posted":
                row.state = "posted"
            else:
                row.state = "draft"

    @api.depends("kind", "source_move_id", "date_from", "date_to")
    def _compute_display_name(self):
        labels = dict(self._fields["kind"]._description_selection(self.env))
        for row in self:
            name = f"{row.source_move_id.name or ''}: {labels.get(row.kind, '')}"
            if row.kind == "interest" and row.date_from and row.date_to:
                name = self.env._("%(name)s, %(date_from)s to %(date_to)s", name=name,
                                  date_from=format_day(self.env, row.date_from),
                                  date_to=format_day(self.env, row.date_to))
            row.display_name = name
