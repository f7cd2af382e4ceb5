from odoo import fields, models


class PaymentTransaction(models.Model):
    """A payment made on a customer's page (controllers/customer_page.py) remembers its link:
    once done, the customer's reminders say they were paid from the page."""

    _inherit = "payment.transaction"

    late_payment_link_id = fields.Many2one(
        "late.payment.access.link", string="Paid from the customer page", readonly=True,
        index="btree_not_null", ondelete="set null")

    def _post_process(self):
        result = super()._post_process()
        done = self.filtered(lambda tx: tx.state == "done" and tx.late_payment_link_id)
        if done:
            self.env["late.payment.reminder"].sudo()._track_paid(done)
        return result
