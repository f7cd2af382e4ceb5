from odoo import models

from .access import check_records


class LatePaymentDossier(models.Model):
    _inherit = "late.payment.dossier"

    def _statement_payment(self, data):
        """How to pay what the statement of account `data` (_statement_data) says is
        due: the bank account, the references of the invoices still to pay (the disputed ones
        left out) and the SEPA QR code of the total due less the disputed invoices."""
        self.ensure_one()
        check_records(self, "read")
        dossier = self.sudo()
        currency = dossier.company_id.currency_id
        lines = [row["line"] for row in data["rows"]]
        disputed = [line for line in lines if self._statement_disputed(line)]
        due = [line for line in lines if line.amount_residual > 0 and line not in disputed]
        moves = self.env["account.move"].union(*(line.move_id for line in due)) if due else self.env["account.move"]
        amount = currency.round(data["total"] - sum(line.amount_residual for line in disputed))
        reference = ", ".join(moves.mapped(lambda move: move.payment_reference or move.name))
        return dossier.company_id._late_payment_payment_instructions(amount, reference, dossier.partner_id, moves)

    def _statement_disputed(self, line):
        """Whether the statement marks this open item disputed: an open dispute, or an invoice
        blocked (left out of the follow-up) by hand."""
        move = line.move_id
        return bool(move.late_payment_disputed or move.payment_state == "blocked")
