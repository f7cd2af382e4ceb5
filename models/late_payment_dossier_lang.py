from odoo import api, models

from .lang import in_company_lang


class LatePaymentDossier(models.Model):
    """The nightly risk scoring writes in the company's language (models/lang.py): the risk
    class changes in the dossiers' chatter."""

    _inherit = "late.payment.dossier"

    @api.model
    def _compute_risk(self, company, partners=None):
        return super(LatePaymentDossier, in_company_lang(self, company))._compute_risk(
            company, partners=partners)
