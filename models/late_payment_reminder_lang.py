from odoo import models

from .lang import in_company_lang


class LatePaymentReminder(models.Model):
    """A bounced reminder email is noticed by the mail queue (a scheduled action): the letter
    and the task that replace it are told in the company's language (models/lang.py)."""

    _inherit = "late.payment.reminder"

    def _fall_back_to_letters(self):
        for company, reminders in self.grouped("company_id").items():
            super(LatePaymentReminder, in_company_lang(reminders, company))._fall_back_to_letters()
        return True
