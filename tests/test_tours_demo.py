from datetime import timedelta

from odoo import Command, fields
from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install", "late_payment_demo")
class TestMorningTour(HttpCase):
    """The accountant's morning on the demo database, in headless Chromium: run by `make test`
    on the database it builds as `make demo` does. Two customers of the demo company fell
    overdue this morning; the day's letters of the demo wait to be printed."""

    def _overdue_customer(self, env, name, amount, days):
        customer = env["res.partner"].create({
            "name": name, "is_company": True, "email": f"compta@{name.lower().replace(' ', '-')}.example",
            "street": "12 rue des Lilas", "zip": "69003", "city": "Lyon", "country_id": env.ref("base.fr").id,
            "lang": "en_US"})
        invoice = env["account.move"].create({
            "move_type": "out_invoice", "partner_id": customer.id,
            "invoice_date": fields.Date.context_today(customer) - timedelta(days=days),
            "invoice_payment_term_id": env.ref("account.account_payment_term_immediate").id,
            "invoice_line_ids": [Command.create({"name": "Lighting design", "price_unit": amount, "tax_ids": []})],
        })
        invoice.action_post()
        return customer

    def test_accountant_morning(self):
        admin = self.env.ref("base.user_admin")
        admin.lang = "en_US"  # the demo's administrator works in French: the steps read English labels
        env = self.env(user=admin, context={"allowed_company_ids": admin.company_id.ids})
        company = admin.company_id
        today = fields.Date.context_today(admin)
        first = self._overdue_customer(env, "Morning Bistrot", 1500.0, 20)
        second = self._overdue_customer(env, "Morning Garage", 900.0, 20)
        dossiers = env["late.payment.dossier"]._refresh(partners=first | second, company=company)
        self.assertEqual(dossiers.mapped("status"), ["due", "due"])
        letters = env["late.payment.reminder"].search([("letter_state", "=", "queued"),
                                                        ("company_id", "=", company.id)])
        self.assertTrue(letters, "the demo's letters wait to be printed")
        self.start_tour("/odoo/late-payment-console", "late_payment_morning_tour", login="admin", timeout=300)
        first_dossier = dossiers.filtered(lambda dossier: dossier.partner_id == first)
        second_dossier = dossiers - first_dossier
        # the first customer promised 100 on the phone: the call and the promise are in its history
        promise = env["late.payment.promise"].search([("partner_id", "=", first.id)])
        self.assertEqual((promise.amount, promise.state, promise.date > today), (100.0, "open", True))
        notes = " ".join(str(body) for body in first_dossier.message_ids.mapped("body"))
        self.assertIn("Phone call: Promised to pay.", notes)
        self.assertIn("Promise to pay", notes)
        # the next customer got its reminder from the console
        reminder = second_dossier.reminder_ids
        self.assertEqual((len(reminder), reminder.origin, reminder.user_id, reminder.date),
                         (1, "console", admin, today))
        # and the day's letters were printed
        letters.invalidate_recordset(["letter_state"])
        self.assertFalse(letters.filtered(lambda letter: letter.letter_state == "queued"))
