"""The screens of the app-store page (static/description/index.html), as `make screenshots`
captures them from the demo database. Plain data, read by tools/screenshots.py.

Each entry:
- name: the file written in static/description/ (NAME.png), as index.html shows it;
- record (optional): the record the screen shows, found when the screenshots are taken (never
  a hard-coded id): {"xmlid": "module.name"} or {"model": ..., "domain": [...], "order": ...}
  (a value "xmlid:module.name" in the domain is that record's id), or a list of them, the first
  found is taken; its id replaces `{id}` in `path`;
- path: a web-client path (`odoo/...`), or
- pdf: a QWeb report name, downloaded from /report/pdf/<pdf>/<id> with the session and turned
  into an image of its first page (pdftoppm);
- crop, dpi (pdf only): (left, top, right, bottom) as fractions of the page; resolution (80);
- script (optional): JavaScript run once the view is loaded (e.g. open a tab);
- clip (optional): JavaScript giving the element (or a list of elements) to capture instead of
  the whole window (the union of their boxes); the window must be tall enough to show them;
- fields (optional): fields of the record read for `path` (e.g. "{token}" of a signed link);
- size (optional): the window, (width, height), default DEFAULT_SIZE;
- requires / fallback (optional): an XML id that must exist for this entry; when it does not
  (a feature not merged yet), the entry `fallback` (a dict overriding keys) is used instead.

To add a screen: add an entry here, show NAME.png in index.html, run `make screenshots`.
"""

DEFAULT_SIZE = (1280, 800)

OPEN_FOLLOWUP_TAB = "document.querySelector('.o_notebook a[name=late_payment]').click()"

SCREENS = [
    {
        # the follow-up console (Invoicing > Customers > Follow-up console); its default filter
        # "Action due" is removed: after today's demo run, little is left due today
        "name": "screenshot_console",
        "path": "odoo/late-payment-console",
        "script": "document.querySelector('.o_searchview_facet .o_facet_remove')?.click()",
        "size": (1440, 760),
    },
    {
        # a customer in the console: its next reminder previewed (email and letter)
        "name": "screenshot_dossier",
        "record": {"model": "late.payment.dossier", "order": "amount_overdue desc, id",
                   "domain": [["partner_id", "=", "xmlid:account_late_payment.demo_partner_agence_lambert"]]},
        "path": "odoo/late-payment-console/{id}",
        "script": "[...document.querySelectorAll('.o_notebook_headers a')].find(a => a.name === 'preview'"
                  " || /Next reminder|Prochaine relance/.test(a.textContent))?.click()",
        "size": (1280, 1100),
    },
    {
        # the demo customer on an instalment plan: schedule and what each payment covered
        "name": "screenshot_plan",
        "record": {"model": "late.payment.plan", "order": "id desc", "domain": []},
        "path": "odoo/late-payment-plans/{id}",
        "size": (1280, 900),
    },
    {
        # a customer's Follow-up tab: receivable, follow-up state, penalties, risk and its factors
        "name": "screenshot_followup_tab",
        "record": {"xmlid": "account_late_payment.demo_partner_agence_lambert"},
        "path": "odoo/customers/{id}",
        "script": OPEN_FOLLOWUP_TAB,
        "clip": "[document.querySelector('.o_form_sheet .o_notebook_headers'),"
                " document.querySelector('.o_field_widget[name=late_payment_risk_factor_ids]').closest('.o_group')]",
        "size": (1280, 2300),
    },
    {
        "name": "screenshot_letter",
        "record": [
            {"model": "late.payment.reminder", "order": "date desc, id desc",
             "domain": [["channel_letter", "=", True], ["letter_body", "!=", False]]},
            {"model": "late.payment.reminder", "order": "date desc, id desc",
             "domain": [["channel_letter", "=", True]]},
        ],
        "pdf": "account_late_payment.report_late_payment_letter",
        "crop": (0.0, 0.0, 1.0, 0.72),
    },
    {
        # customers by risk class, the two riskiest classes opened
        "name": "screenshot_risk",
        "path": "odoo/late-payment-risk",
        "script": "[...document.querySelectorAll('.o_group_header')].slice(0, 2).forEach(row => row.click())",
        "size": (1280, 480),
    },
    {
        "name": "screenshot_penalty_invoice",
        "record": {"model": "account.move", "domain": [["late_payment_is_penalty", "=", True],
                                                       ["state", "=", "posted"]],
                   "order": "invoice_date desc, id desc"},
        "path": "odoo/customer-invoices/{id}",
        "size": (1280, 860),
    },
    {
        "name": "screenshot_invoice_mentions",
        "record": {"model": "account.move", "domain": [
            ["move_type", "=", "out_invoice"], ["state", "=", "posted"],
            ["late_payment_is_penalty", "=", False],
            ["partner_id", "=", "xmlid:account_late_payment.demo_partner_agence_lambert"]],
            "order": "invoice_date desc, id desc"},
        "pdf": "account.report_invoice",
        "crop": (0.0, 0.32, 1.0, 0.67),
        "dpi": 120,
    },
    {
        "name": "screenshot_dashboard",
        "path": "odoo/late-payment-dashboard",
        "size": (1280, 1500),
    },
    {
        # the dashboard's 13-week cash-in forecast and the backtest of the predicted dates
        "name": "screenshot_forecast",
        "path": "odoo/late-payment-dashboard",
        "clip": "['forecast_total', 'forecast_html', 'backtest_html'].map("
                "name => document.querySelector(`.o_field_widget[name=${name}]`)).filter(Boolean)",
        "size": (1280, 3000),
    },
    {
        # the customer's page, reached from the reminders by a signed link: desktop and phone
        "name": "screenshot_customer_page",
        "record": {"model": "late.payment.access.link", "order": "id",
                   "domain": [["partner_id", "=", "xmlid:account_late_payment.demo_partner_agence_lambert"]]},
        "fields": ["token"],
        "path": "late-payment/page/{id}/{token}",
        "size": (1440, 900),
    },
    {
        "name": "screenshot_customer_page_phone",
        "record": {"model": "late.payment.access.link", "order": "id",
                   "domain": [["partner_id", "=", "xmlid:account_late_payment.demo_partner_agence_lambert"]]},
        "fields": ["token"],
        "path": "late-payment/page/{id}/{token}",
        "size": (390, 844),
    },
    {
        "name": "screenshot_reminders",
        "path": "odoo/late-payment-reminders",
        "size": (1280, 620),
    },
    {
        "name": "screenshot_policy",
        "record": {"model": "late.payment.policy", "domain": [["company_id.name", "=", "Atelier Lumière SAS"]],
                   "order": "id"},
        "path": "odoo/late-payment-policies/{id}",
        "size": (1280, 800),
    },
]
