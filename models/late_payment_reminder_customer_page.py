import base64

from odoo import models
from odoo.tools.image import image_data_uri


def page_qr_code(env, url):
    """A data URI of the QR code of `url` (the customer's page), for the printed documents."""
    if not url:
        return False
    png = env["ir.actions.report"].sudo().barcode("QR", url, width=240, height=240, quiet=False)
    return image_data_uri(base64.b64encode(png))


class LatePaymentReminder(models.Model):
    """The printed letter carries the customer's page: its link and its QR code."""

    _inherit = "late.payment.reminder"

    def _render(self, plans):
        # the page links of the batch's customers at once (the emails and letters print them)
        if not self.env.cr.readonly:
            self.env["late.payment.access.link"]._prefetch(
                (plan["partner"].commercial_partner_id.id, plan["company"].id) for plan in plans)
        return super()._render(plans)

    def _letter_data(self):
        data = super()._letter_data()
        data["page_qr"] = page_qr_code(self.env, data.get("page_url"))
        return data
