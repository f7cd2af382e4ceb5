from . import (
    account_move,
    account_payment_term,
    late_payment_penalty_line,
    late_payment_rate,
    res_company,
    res_config_settings,
    res_partner,
)
