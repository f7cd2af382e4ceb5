from . import account_move, late_payment_rate, res_company, res_config_settings, res_partner
