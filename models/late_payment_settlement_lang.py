from odoo import models

from .lang import in_company_lang


class LatePaymentPromise(models.Model):
    """The daily settlement check writes in each company's language (models/lang.py): the notes
    of the promises kept or broken, the to-dos of the responsibles."""

    _inherit = "late.payment.promise"

    def _late_payment_check(self, today=None):
        result = {}
        for company, promises in self.grouped("company_id").items():
            result.update(super(LatePaymentPromise, in_company_lang(promises, company))._late_payment_check(
                today=today) or {})
        return result


class LatePaymentPlan(models.Model):
    """The daily settlement check writes in each company's language (models/lang.py): the notes
    of the plans completed or broken, the to-dos of the responsibles."""

    _inherit = "late.payment.plan"

    def _late_payment_check(self, today=None, send=True):
        result = {}
        for company, plans in self.grouped("company_id").items():
            result.update(super(LatePaymentPlan, in_company_lang(plans, company))._late_payment_check(
                today=today, send=send) or {})
        return result
