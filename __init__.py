from . import demo, models


def _late_payment_post_init(env):
    """Every company gets the default follow-up policy; every customer its follow-up state."""
    env["late.payment.policy"]._late_payment_create_default_policies()
    env["late.payment.dossier"]._late_payment_refresh()
