from . import late_payment_dashboard
from . import late_payment_dashboard_customer
from . import late_payment_penalty_invoice
from . import late_payment_call_wizard
from . import late_payment_exclude_wizard
from . import late_payment_formal_notice_wizard
from . import late_payment_postpone_wizard
