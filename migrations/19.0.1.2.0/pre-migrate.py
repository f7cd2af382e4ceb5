"""Before the models of 19.0.1.2.0 load: the buttons of the follow-up's own screens call their
methods by their new names.

The methods of the addon's own models lost the addon's prefix (`action_late_payment_escalate`
is `action_escalate` on late.payment.dossier, ...). When the update loads a view, Odoo checks it
with the views that inherit from it as they are in the database, still with the old button
names until their own file loads: the button names of the views of the addon's models are
renamed here first. Odoo's models (res.partner, account.move) keep their names."""

import logging

_logger = logging.getLogger(__name__)

ACTIONS = {
    "action_late_payment_collection_dossier": "action_collection_dossier",
    "action_late_payment_deescalate": "action_deescalate",
    "action_late_payment_dispute": "action_dispute",
    "action_late_payment_escalate": "action_escalate",
    "action_late_payment_plan": "action_plan",
    "action_late_payment_promise": "action_promise",
    "action_late_payment_run_now": "action_run_now",
}


def migrate(cr, version):
    if not version:
        return  # a fresh install: nothing to migrate
    renamed = 0
    for old, new in ACTIONS.items():
        cr.execute(r"""
            UPDATE ir_ui_view
               SET arch_db = regexp_replace(arch_db::text, %(pattern)s, %(new)s, 'g')::jsonb
             WHERE model LIKE 'late.payment.%%' AND arch_db::text ~ %(pattern)s
        """, {"pattern": rf"\m{old}\M", "new": new})
        renamed += cr.rowcount
    _logger.info("account_late_payment %s -> 19.0.1.2.0: button names renamed in %s views of the follow-up",
                 version, renamed)
