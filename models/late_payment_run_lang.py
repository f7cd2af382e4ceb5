from odoo import api, models

from .lang import in_company_lang


class LatePaymentRun(models.AbstractModel):
    """The daily run writes in the company's language (models/lang.py): the notes of the
    reminders sent in the customers' chatter, the calls and tasks of the responsibles."""

    _inherit = "late.payment.run"

    @api.model
    def _run_batch(self, company, partner_ids, send=True, origin="cron"):
        return super(LatePaymentRun, in_company_lang(self, company))._run_batch(
            company, partner_ids, send=send, origin=origin)
