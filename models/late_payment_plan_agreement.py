from odoo import models

from .access import check_records


class LatePaymentPlan(models.Model):
    _inherit = "late.payment.plan"

    def _agreement_data(self):
        """What the payment plan agreement prints besides its schedule: what is left to pay on
        each invoice, what the invoices received since the plan was agreed (the invoices' table
        adds up to the amount the customer acknowledges owing: left to pay plus received), and
        how to pay: the bank account, the plan's reference and the SEPA QR code of the next
        instalment still to pay."""
        self.ensure_one()
        check_records(self, "read")
        # sudo: the invoices and the bank account of a plan the caller may read
        plan = self.sudo()
        currency = plan.currency_id
        moves = plan.move_ids.sorted(lambda move: (move.invoice_date_due or move.date, move.id))
        left = currency.round(sum(moves.mapped("amount_residual_signed")))
        received = currency.round(plan.amount_total - left)
        next_line = plan.next_line_id
        amount = currency.round(next_line.amount_left) if next_line else 0.0
        return {
            "moves": moves,
            "left": left,
            "received": received if currency.compare_amounts(received, 0) > 0 else 0.0,
            "next_line": next_line,
            "pay": plan.company_id._late_payment_payment_instructions(amount, plan.name, plan.partner_id, moves),
        }
