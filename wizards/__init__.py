from . import late_payment_penalty_invoice
