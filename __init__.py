from . import controllers
from . import demo
from . import models
from . import report
from . import wizards


def _late_payment_post_init(env):
    """The default policies of every company in every language; every customer's follow-up state."""
    env["late.payment.policy"]._late_payment_create_default_policies()
    env["late.payment.policy"]._late_payment_translate_default_copies()
    env["late.payment.risk.class"]._late_payment_translate_default_copies()
    env["late.payment.dossier"]._late_payment_refresh()
