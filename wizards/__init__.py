from . import late_payment_dashboard
from . import late_payment_dashboard_customer
from . import late_payment_penalty_invoice
from . import late_payment_dispute_wizard
from . import late_payment_plan_wizard
from . import late_payment_promise_wizard
