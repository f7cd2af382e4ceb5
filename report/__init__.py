from . import late_payment_receivable_report
