from odoo import fields, models


class LatePaymentPromise(models.Model):
    """A promise the customer made on its page (controllers/customer_page.py) is recorded as the
    accountant's are, flagged."""

    _inherit = "late.payment.promise"

    from_customer = fields.Boolean(
        string="From the customer", readonly=True, copy=False,
        help="The customer made this promise on its page (the link of its reminders).")
