from odoo import api, models

from .lang import in_company_lang


class LatePaymentDossier(models.Model):
    """The daily run and the nightly risk scoring write in the company's language (models/lang.py):
    the notes of the reminders sent in the customers' chatter, the calls and tasks of the
    responsibles, the risk class changes."""

    _inherit = "late.payment.dossier"

    @api.model
    def _late_payment_run_batch(self, company, partner_ids, send=True, origin="cron"):
        return super(LatePaymentDossier, in_company_lang(self, company))._late_payment_run_batch(
            company, partner_ids, send=send, origin=origin)

    @api.model
    def _late_payment_compute_risk(self, company, partners=None):
        return super(LatePaymentDossier, in_company_lang(self, company))._late_payment_compute_risk(
            company, partners=partners)
