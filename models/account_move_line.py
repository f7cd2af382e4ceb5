from odoo import fields, models

from ..engine import followup

# a change of these fields on a receivable line changes its customer's follow-up state
FOLLOWUP_TRIGGERS = {
    "no_followup", "date_maturity", "partner_id", "late_payment_level_id", "late_payment_level_date",
}


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    late_payment_level_id = fields.Many2one(
        "late.payment.level", string="Follow-up level", index="btree_not_null", copy=False, readonly=True,
        ondelete="set null", help="The last follow-up level this receivable line reached.")
    late_payment_level_date = fields.Date(
        string="Follow-up level reached on", index="btree_not_null", copy=False, readonly=True)
    # written by the follow-up refresh (late.payment.dossier), set-based
    late_payment_next_level_id = fields.Many2one(
        "late.payment.level", string="Next follow-up level", copy=False, readonly=True, ondelete="set null")
    late_payment_next_date = fields.Date(
        string="Next follow-up action", index="btree_not_null", copy=False, readonly=True,
        help="When this receivable line is due for its next follow-up level.")

    late_payment_discount_open = fields.Boolean(
        string="Early-payment discount open", compute="_compute_late_payment_discount_open",
        help="The early-payment discount of this receivable line can still be taken today: its payment term "
             "grants one, nothing was paid on it yet and its deadline has not passed.")
    late_payment_exclusion_reason = fields.Char(
        string="Left out because", copy=False,
        help="Why this invoice (or instalment) is left out of the follow-up.")

    def _compute_late_payment_discount_open(self):
        today = fields.Date.context_today(self)
        discount_types = self.env["account.move"]._early_payment_discount_move_types()
        for line in self:
            move = line.move_id
            line.late_payment_discount_open = (
                line.display_type == "payment_term" and move.move_type in discount_types
                and move.invoice_payment_term_id.early_discount
                and followup.discount_open(
                    line.discount_date, bool(line.matched_debit_ids or line.matched_credit_ids), today))

    def write(self, vals):
        if vals.get("no_followup") is False and "late_payment_exclusion_reason" not in vals:
            vals = {**vals, "late_payment_exclusion_reason": False}
        result = super().write(vals)
        if FOLLOWUP_TRIGGERS & set(vals):
            self.env["late.payment.dossier"]._mark_dirty(self)
        return result
