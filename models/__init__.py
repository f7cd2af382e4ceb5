from . import (
    account_move,
    account_move_line,
    account_partial_reconcile,
    late_payment_dossier,
    late_payment_level,
    late_payment_policy,
    late_payment_tone,
    res_company,
    res_config_settings,
    res_partner,
)
