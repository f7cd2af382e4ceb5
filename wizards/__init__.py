from . import late_payment_dashboard
from . import late_payment_dashboard_customer
from . import late_payment_penalty_invoice
