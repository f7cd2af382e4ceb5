"""After the models and data of 19.0.1.0.1 are loaded: the place to fill what the new schema
adds from the old data (e.g. compute a new stored field in one SQL update, move values to a new
model, recompute the follow-up dossiers with `env["late.payment.dossier"]._refresh`).
Nothing to do yet: 19.0.1.0.1 changes no data shape."""

import logging

_logger = logging.getLogger(__name__)


def migrate(cr, version):
    if not version:
        return  # a fresh install: nothing to migrate
    _logger.info("account_late_payment %s -> 19.0.1.0.1: nothing to do after loading", version)
