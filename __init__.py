from . import controllers
from . import demo
from . import models
from . import report
from . import wizards


def _late_payment_post_init(env):
    """The default policies of every company in every language; every customer's follow-up state."""
    env["late.payment.policy"]._create_default_policies()
    env["late.payment.policy"]._translate_default_copies()
    env["late.payment.risk.class"]._translate_default_copies()
    env["late.payment.dossier"]._refresh()
