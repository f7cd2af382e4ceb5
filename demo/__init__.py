from . import late_payment_demo
from . import late_payment_followup_demo
from . import late_payment_risk_demo
from . import late_payment_api_demo
from . import late_payment_settlement_demo
