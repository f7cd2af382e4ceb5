from . import late_payment_demo, late_payment_followup_demo, late_payment_risk_demo, late_payment_api_demo
