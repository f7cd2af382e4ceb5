from odoo import fields, models


class LatePaymentDispute(models.Model):
    """A dispute the customer opened on its page (controllers/customer_page.py) is recorded as
    the accountant's are, flagged."""

    _inherit = "late.payment.dispute"

    from_customer = fields.Boolean(
        string="From the customer", readonly=True, copy=False,
        help="The customer disputed this invoice on its page (the link of its reminders).")
