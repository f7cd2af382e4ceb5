from . import late_payment_demo
