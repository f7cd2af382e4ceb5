from . import test_demo, test_install, test_late_payment_penalties, test_late_payment_rate
