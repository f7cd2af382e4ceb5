
from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL
from odoo.tools.sql import column_exists, create_column

from .access import check_records

# Set while Odoo's auto-post scheduled action posts the entries due (`_autopost_draft_entries`,
# not callable over RPC): the credit guard lets them pass. Nothing a client sends (a context key
# such as cron_id, the invoice's own auto_post setting) can set it.

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

# Customer documents whose receivable lines may be late. Credit notes are customer documents
# too (they come out with no penalty); anything else is refused.


class AccountMove(models.Model):
    _inherit = "account.move"

    late_payment_level_id = fields.Many2one(
        "late.payment.level", string="Follow-up level", compute="_compute_late_payment_level", store=True,
        help="The highest follow-up level reached by the invoice's instalments.")
    late_payment_level_date = fields.Date(
        string="Follow-up level reached on", compute="_compute_late_payment_level", store=True)
    late_payment_exclusion_reason = fields.Char(
        string="Left out because", compute="_compute_late_payment_exclusion_reason",
        help="Why this invoice is left out of the follow-up (set from the follow-up console).")
    late_payment_excluded = fields.Boolean(
        string="Left out of the follow-up", compute="_compute_late_payment_excluded", store=True,
        help="No reminder for this invoice: excluded from the follow-up, or its payment is blocked.")
    late_payment_next_level_id = fields.Many2one(
        "late.payment.level", string="Next follow-up level", compute="_compute_late_payment_next")
    late_payment_next_action_date = fields.Date(
        string="Next follow-up action", compute="_compute_late_payment_next")
    late_payment_status = fields.Selection(
        INVOICE_STATUSES, string="Follow-up status", compute="_compute_late_payment_next")

    late_payment_days_late = fields.Integer(
        string="Days late", compute="_compute_late_payment_penalties",
        help="Days from the due date (of the earliest instalment paid late) to the payment, or to today while unpaid.")
    late_payment_interest = fields.Monetary(
        string="Late interest to date", compute="_compute_late_payment_penalties", currency_field="currency_id",
        help="Late-payment interest accrued to today, in the invoice currency.")
    late_payment_indemnity = fields.Monetary(
        string="Recovery indemnity", compute="_compute_late_payment_penalties", currency_field="currency_id",
        help="The fixed indemnity for recovery costs this invoice is liable to, in the invoice currency.")

    late_payment_penalty_to_invoice = fields.Monetary(
        string="Penalties to invoice", compute="_compute_late_payment_penalties", currency_field="currency_id",
        help="The late interest and recovery indemnity accrued to today that no penalty invoice bears yet.")
    late_payment_is_penalty = fields.Boolean(
        string="Penalty invoice", readonly=True, copy=False,
        help="An invoice of late-payment penalties: it bears no penalties itself.")
    late_payment_penalty_line_ids = fields.One2many(
        "late.payment.penalty.line", "penalty_move_id", string="Penalties invoiced here", readonly=True)
    late_payment_source_penalty_ids = fields.One2many(
        "late.payment.penalty.line", "source_move_id", string="Invoiced penalties", readonly=True)
    late_payment_dispute_ids = fields.One2many(
        "late.payment.dispute", "move_id", string="Disputes", readonly=True)
    late_payment_disputed = fields.Boolean(
        string="Disputed", compute="_compute_late_payment_disputed", store=True,
        help="The customer disputes this invoice: it is left out of the follow-up until the dispute is resolved.")
    late_payment_over_invoiced = fields.Monetary(
        string="Interest over-invoiced", compute="_compute_late_payment_over_invoiced", currency_field="currency_id",
        help="On a penalty invoice: the late interest it claims beyond what its days bear now (a payment dated "
             "before its periods was entered after it), less the credit notes already issued on it.")
    late_payment_has_waived_penalties = fields.Boolean(
        string="Waived penalties", compute="_compute_late_payment_over_invoiced",
        help="A penalty invoice credited in full: its days are waived, not invoiced again.")
    late_payment_penalties_waived = fields.Boolean(
        string="Penalties waived", readonly=True, copy=False,
        help="No late interest and no recovery indemnity on this invoice (a payment plan kept).")
    late_payment_term_warning = fields.Char(
        string="Payment term beyond the legal maximum", compute="_compute_late_payment_term_warning",
        help="Set when a due date of this invoice to a French professional customer is later than French law "
             "allows (60 days after the invoice date, or 45 days end of month).")

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
        if not column_exists(self.env.cr, "account_move", "late_payment_disputed"):
            create_column(self.env.cr, "account_move", "late_payment_disputed", "bool")
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

    @api.depends("line_ids.late_payment_exclusion_reason")
    def _compute_late_payment_exclusion_reason(self):
        for move in self:
            reasons = move.line_ids.filtered("late_payment_exclusion_reason").mapped("late_payment_exclusion_reason")
            move.late_payment_exclusion_reason = "; ".join(dict.fromkeys(reasons)) or False

    @api.depends("late_payment_dispute_ids.state")
    def _compute_late_payment_disputed(self):
        for move in self:
            move.late_payment_disputed = any(d.state == "open" for d in move.late_payment_dispute_ids)

    @api.depends("payment_state", "line_ids.no_followup", "move_type", "late_payment_disputed")
    def _compute_late_payment_excluded(self):
        for move in self:
            move.late_payment_excluded = move.is_sale_document(include_receipts=True) and (
                move.payment_state == "blocked" or move.no_followup or move.late_payment_disputed)

    @api.depends_context("company")
    @api.depends("line_ids.late_payment_next_date", "line_ids.late_payment_next_level_id", "late_payment_excluded",
                 "state", "amount_residual", "late_payment_level_id")
    def _compute_late_payment_next(self):
        today = fields.Date.context_today(self)
        # the next reminder is the customer's (its dossier's): the invoice shows it when it is listed in it
        dossiers = self.env["late.payment.dossier"].sudo().search_fetch([
            ("partner_id", "in", self.commercial_partner_id.ids), ("company_id", "in", self.company_id.ids),
        ], ["partner_id", "company_id", "next_level_id", "next_action_date"]) if self.ids else []
        by_key = {(dossier.partner_id.id, dossier.company_id.id): dossier for dossier in dossiers}
        for move in self:
            planned = move.line_ids.filtered(lambda line: line.late_payment_next_date and not line.reconciled)
            dossier = by_key.get((move.commercial_partner_id.id, move.company_id.id))
            first = planned[:1] if planned and dossier and dossier.next_action_date else None
            move.late_payment_next_action_date = dossier.next_action_date if first else False
            move.late_payment_next_level_id = dossier.next_level_id.sudo(False) if first else False
            if move.late_payment_excluded:
                status = "disputed" if move.payment_state == "blocked" or move.late_payment_disputed else "excluded"
            elif move.state != "posted" or move.currency_id.is_zero(move.amount_residual):
                status = "none"
            elif move.late_payment_level_id.is_escalation:
                status = "collection"
            elif first:
                status = "due" if dossier.next_action_date <= today else "planned"
            else:
                status = "none"
            move.late_payment_status = status

    def write(self, vals):
        result = super().write(vals)
        if FOLLOWUP_TRIGGERS & set(vals):
            self.env["late.payment.dossier"]._mark_dirty(self.line_ids)
        return result

    def _late_payment_ensure_access_tokens(self):
        """Give these invoices their portal access token when they have none, in one query: their
        payment links go in the reminders. (portal.mixin._portal_ensure_token does it one invoice
        at a time, through the invoice's whole write.)"""
        missing = self.filtered(lambda move: not move.access_token)
        if not missing:
            return
        missing.flush_recordset(["access_token"])
        self.env.cr.execute(SQL(
            "UPDATE account_move SET access_token = gen_random_uuid()::text "
            "WHERE id = ANY(%s) AND access_token IS NULL", missing.ids))
        missing.invalidate_recordset(["access_token"])

    # -- settlement: disputes (the one way in: screens and API) --------------------------------
    def late_payment_dispute(self, reason, note=None):
        """Dispute these invoices with `reason` (short text) and an optional note; returns the
        ids of the disputes created. They leave the follow-up until resolved."""
        self._late_payment_check_api_caller()
        return self.env["late.payment.dispute"]._open(self, reason, note).ids

    def late_payment_resolve_dispute(self):
        """Resolve the open disputes of these invoices: they are followed up again from where
        they were."""
        self._late_payment_check_api_caller()
        if not self:
            raise UserError(self.env._("Choose the invoices whose dispute is resolved."))
        disputes = self.late_payment_dispute_ids.filtered(lambda d: d.state == "open")
        undisputed = self - disputes.move_id
        if undisputed:
            raise UserError(self.env._("These invoices are not disputed: %(moves)s.",
                                       moves=", ".join(undisputed.mapped("display_name"))))
        disputes.action_resolve()
        return True

    def _late_payment_check_api_caller(self):
        """The same checks as every public method of the external API: a late payment user, and
        invoices that exist and that the caller sees (another company's do not exist for it)."""
        api_model = self.env["late.payment.api"]
        api_model._check_caller()
        api_model._check_records(self)

    def action_late_payment_dispute(self):
        self._late_payment_check_api_caller()
        check_records(self, "read")
        return self.env["late.payment.dispute.wizard"]._action({"default_move_ids": self.ids})

    def action_late_payment_resolve_dispute(self):
        return self.late_payment_resolve_dispute()
