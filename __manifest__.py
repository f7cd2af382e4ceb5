{
    "name": "Late Payments: Follow-up, Penalties and Customer Risk",
    "version": "19.0.1.0.0",
    "category": "Accounting/Accounting",
    "summary": "Get paid on time: reminders, late interest, recovery indemnity, customer risk",
    "author": "account_late_payment developers",
    "website": "https://github.com/account-late-payment/account_late_payment",
    "support": "support@account-late-payment.example",
    "license": "LGPL-3",
    "depends": ["account", "mail"],
    "external_dependencies": {"python": ["requests"]},
    "data": [
        "security/account_late_payment_security.xml",
        "security/ir.model.access.csv",
        "data/late_payment_rate_data.xml",
        "data/ir_cron_data.xml",
        "views/late_payment_rate_views.xml",
        "views/res_config_settings_views.xml",
        "views/res_partner_views.xml",
        "views/account_move_views.xml",
        "views/account_late_payment_menus.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "account_late_payment/static/tests/tours/**/*",
        ],
    },
    "demo": [
        "demo/late_payment_demo.xml",
    ],
}
