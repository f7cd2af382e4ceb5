from odoo import api, fields, models
from odoo.tools import format_date

PREDICTION_SOURCES = [
    ("promise", "Payment promise"),
    ("plan", "Instalment plan"),
    ("customer", "Customer's history"),
    ("class", "Risk class's history"),
    ("company", "Company's history"),
    ("due", "Due date"),
]


class AccountMove(models.Model):
    """The predicted payment date of an open customer invoice (engine/prediction.py), stored and
    refreshed with the nightly risk scores (late.payment.dossier `_predict`): the
    prediction reads the customer's and the company's whole year of payments, too much for each
    display of an invoice, and stored it is summed by week for the cash-in forecast and grouped
    by in the receivables analysis. An invoice posted during the day gets its date the next
    night, or at once with the console's "Recompute"."""

    _inherit = "account.move"

    late_payment_expected_date = fields.Date(
        string="Expected payment", readonly=True, copy=False,
        help="When the customer is expected to pay this invoice, from its payment history (recomputed every "
             "night): its promise or instalment plan when there is one.")
    late_payment_expected_low = fields.Date(string="Expected payment from", readonly=True, copy=False)
    late_payment_expected_high = fields.Date(string="Expected payment until", readonly=True, copy=False)
    late_payment_expected_source = fields.Selection(
        PREDICTION_SOURCES, string="Prediction based on", readonly=True, copy=False)
    late_payment_expected_text = fields.Char(
        string="Expected payment date", compute="_compute_late_payment_expected_text")

    # the nightly refresh clears the dates of a batch's customers' invoices no longer open: found by
    # partner among the few invoices with a date, not by a scan of every move
    _late_payment_expected_partner_idx = models.Index("(partner_id) WHERE late_payment_expected_date IS NOT NULL")

    @api.depends("late_payment_expected_date", "late_payment_expected_low", "late_payment_expected_high",
                 "payment_state")
    @api.depends_context("lang")
    def _compute_late_payment_expected_text(self):
        for move in self:
            if not move.late_payment_expected_date or move.payment_state not in ("not_paid", "partial"):
                move.late_payment_expected_text = False
                continue
            move.late_payment_expected_text = self.env._(
                "Expected around %(date)s, between %(low)s and %(high)s (%(basis)s)",
                date=format_date(self.env, move.late_payment_expected_date),
                low=format_date(self.env, move.late_payment_expected_low),
                high=format_date(self.env, move.late_payment_expected_high),
                basis=dict(move._fields["late_payment_expected_source"]._description_selection(self.env)).get(
                    move.late_payment_expected_source, ""))
