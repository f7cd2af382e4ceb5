from odoo import models

# the longest remittance information a SEPA credit transfer carries
REFERENCE_MAX = 140


class ResCompany(models.Model):
    _inherit = "res.company"

    def _late_payment_payment_instructions(self, amount, reference, partner, moves=None):
        """How `partner` pays `amount` to this company by bank transfer, as the documents print
        it (payment plan agreement, statement of account): the bank account (the one of the
        invoices `moves`, else the company's own), the reference to quote and Odoo's SEPA QR
        code (account_qr_code_sepa) of the amount, false when the account or the amount allow
        none. The callers check the access to the document first."""
        self.ensure_one()
        company = self.sudo()
        bank = (moves.sudo().partner_bank_id[:1] if moves else None) or company.partner_id.bank_ids.filtered(
            lambda account: not account.company_id or account.company_id == company)[:1]
        reference = (reference or "")[:REFERENCE_MAX]
        currency = company.currency_id
        qr_code = False
        if bank and currency.compare_amounts(amount, 0) > 0 and bank._build_qr_code_vals(
                amount, reference, None, currency, partner, qr_method="sct_qr"):
            qr_code = bank.build_qr_code_base64(amount, reference, None, currency, partner, qr_method="sct_qr")
        return {"bank": bank, "communication": reference, "amount": amount, "currency": currency,
                "qr_code": qr_code}
