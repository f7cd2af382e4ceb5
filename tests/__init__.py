from . import test_demo, test_demo_penalties, test_install, test_late_payment_penalties, test_late_payment_rate
