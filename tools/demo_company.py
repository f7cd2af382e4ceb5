# Run by `odoo shell` while the demo database is built (tools/demo_db.py), once
# l10n_fr_account has loaded the French chart of accounts on Odoo's French demo company:
# that company becomes the demo company of the addon, and the company of the admin and of
# the superuser, so that the addon's demo data is created in it.
# pylint: skip-file
# ruff: noqa: F821
company = env.ref("base.demo_company_fr")
assert company.chart_template == "fr", company.chart_template
company.write({
    "name": "Atelier Lumière SAS",
    "street": "12 rue de la République",
    "zip": "69002",
    "city": "Lyon",
    "phone": "+33 4 78 00 00 00",
    "email": "compta@atelier-lumiere.example",
    "website": "https://atelier-lumiere.example",
    "company_registry": "732829320",
    "vat": "FR44732829320",
})
company.partner_id.lang = "fr_FR"
# English stays installed beside French: the British customer gets its reminders in English
env["res.lang"]._activate_lang("en_US")
for user in (env.ref("base.user_root"), env.ref("base.user_admin")):
    user.write({"company_ids": [(4, company.id)], "company_id": company.id})
admin = env.ref("base.user_admin")
if "odoobot_state" in admin._fields:
    admin.odoobot_state = "disabled"  # no OdooBot onboarding taking the admin to Discuss
env.cr.commit()
print("demo company ready:", company.name, company.country_id.code, company.currency_id.name, company.chart_template)
# Odoo's demo payment provider (payment_demo) in the demo company, in test mode: the customers
# pay on their page (the link of their reminders) with it
provider = env["payment.provider"].search([("code", "=", "demo"), ("company_id", "=", company.id)], limit=1)
if provider:
    provider.write({"state": "test", "is_published": True})
    env.cr.commit()
