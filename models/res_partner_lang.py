from odoo import models

from ..engine import siren_lookup
from .lang import format_day, in_company_lang


class ResPartner(models.Model):
    """The company status summaries (company register, BODACC) the weekly lookup stores are
    written in the language of the company running it (models/lang.py)."""

    _inherit = "res.partner"

    def _late_payment_status_values(self, legal, proceedings, errors, now):
        return super(ResPartner, in_company_lang(self, self.env.company))._late_payment_status_values(
            legal, proceedings, errors, now)

    def _late_payment_bodacc_reviews(self, proceedings):
        """Why the BODACC notices of `proceedings` should be read again, in the current language."""
        texts = {
            siren_lookup.REVIEW_ANNULATION: lambda value: self.env._(
                "An annulation (%(notice)s) names no notice found here.", notice=value),
            siren_lookup.REVIEW_REVERSAL: lambda value: self.env._(
                "An appeal reversed a decision on %(date)s: check which one.", date=format_day(self.env, value)),
            siren_lookup.REVIEW_UNRECOGNISED: lambda value: self.env._(
                "Unrecognised judgment after the opening: %(nature)s.", nature=value),
        }
        return [texts[code](value) for code, value in proceedings.reviews]
