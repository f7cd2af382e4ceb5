"""Before the models of 19.0.1.0.1 load: the place for what must happen while the old schema
is still there (rename a column or a model so that Odoo keeps its data instead of creating an
empty one, e.g. `openupgradelib`-style `ALTER TABLE ... RENAME COLUMN` guarded by a check
that the old column exists). Nothing to do yet: 19.0.1.0.1 changes no data shape."""

import logging

_logger = logging.getLogger(__name__)


def migrate(cr, version):
    if not version:
        return  # a fresh install: nothing to migrate
    _logger.info("account_late_payment %s -> 19.0.1.0.1: nothing to do before loading", version)
