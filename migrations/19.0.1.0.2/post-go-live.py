"""19.0.1.0.2 adds the go-live of a company's follow-up (nothing is sent before an administrator
starts it). An installation that is updated keeps sending: every company that existed before the
update counts as started, on the day of the update, as if it had sent what was due."""

import logging

_logger = logging.getLogger(__name__)


def migrate(cr, version):
    if not version:
        return  # a fresh install: the companies wait for an administrator to start them
    cr.execute("""
        UPDATE res_company
           SET late_payment_go_live_date = CURRENT_DATE, late_payment_go_live_mode = 'send'
         WHERE late_payment_go_live_date IS NULL
    """)
    _logger.info("account_late_payment %s -> 19.0.1.0.2: the follow-up of every company stays started", version)
