from lxml import etree
from psycopg2 import IntegrityError

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Command
from odoo.tests import Form, new_test_user, tagged
from odoo.tools import html2plaintext, mute_logger
from odoo.tools.safe_eval import safe_eval

from .common import LatePaymentCommon, day


@tagged("post_install", "-at_install")
class TestFollowupConfig(LatePaymentCommon):
    """Policies, levels and tones: what ships, what is refused, who may do what."""

    def test_shipped_default_policy(self):
        self.assertTrue(self.policy.is_default)
        self.assertEqual(self.policy.company_id, self.company)
        levels = [self.courtesy, self.friendly, self.firm, self.formal, self.escalation]
        self.assertEqual([level.days for level in levels], [-5, 3, 15, 30, 45])
        self.assertEqual([level.name for level in levels], [
            "Courtesy reminder", "Friendly reminder", "Firm reminder", "Formal notice", "Hand-off to collection"])
        self.assertEqual([level.tone_id for level in levels], [
            self.tone["courteous"], self.tone["friendly"], self.tone["firm"], self.tone["formal"],
            self.tone["collection"]])
        self.assertEqual([level.auto for level in levels], [True, True, True, False, False])
        self.assertEqual([level.state_penalties for level in levels], [False, False, True, True, False])
        self.assertTrue(self.firm.channel_email and self.firm.channel_letter)
        self.assertTrue(self.formal.is_formal_notice and self.formal.channel_letter)
        # the formal notice's email carries the letter (as a PDF); the automatic levels do not render one
        self.assertEqual([level.attach_letter for level in levels], [False, False, False, True, False])
        self.assertTrue(self.escalation.is_escalation and self.escalation.channel_task)
        self.assertEqual(self.tone["courteous"].mail_template_id.model, "late.payment.dossier")
        # the early-payment discount reminder, 3 days before the discount deadline, courteous
        self.assertEqual((self.discount.name, self.discount.kind, self.discount.days_before_discount),
                         ("Early-payment discount reminder", "discount", 3))
        self.assertEqual((self.discount.tone_id, self.discount.tone_max_id), (self.tone["courteous"],) * 2)
        self.assertTrue(self.discount.auto and self.discount.channel_email)

    def test_every_company_gets_a_default_policy(self):
        company_2 = self.setup_other_company()["company"]
        policy = self.env["late.payment.policy"]._default_policy(company_2)
        self.assertEqual(policy.name, self.policy.name)
        self.assertEqual(policy.level_ids.mapped("days"), [0, -5, 3, 15, 30, 45])
        self.assertEqual(policy.level_ids.mapped("kind"), ["discount", *["due"] * 5])
        self.assertEqual(policy.level_ids.company_id, company_2)
        # one default per company: making another one the default unsets the first
        other = self.env["late.payment.policy"].create({"name": "Other", "company_id": self.company.id})
        other.is_default = True
        self.assertFalse(self.policy.is_default)
        self.assertEqual(self.env["late.payment.policy"]._default_policy(self.company), other)

    # -- configuration errors -----------------------------------------------------------------
    def test_two_levels_on_the_same_day(self):
        with self.assertRaisesRegex(ValidationError, "fire on the same day"):
            self.friendly.days = 15

    def test_days_that_go_backwards(self):
        with self.assertRaisesRegex(ValidationError, "must fire later and later"):
            self.firm.days = 2
        with self.assertRaisesRegex(ValidationError, "must fire later and later"):
            self.env["late.payment.policy"].create({
                "name": "Backwards", "company_id": self.company.id, "level_ids": [
                    Command.create({"name": "A", "sequence": 1, "days": 10, "tone_id": self.tone["firm"].id}),
                    Command.create({"name": "B", "sequence": 2, "days": 5, "tone_id": self.tone["firm"].id}),
                ]})

    def test_swapping_two_levels_in_the_policy_form_is_accepted(self):
        # the policy checks its levels once they are all written
        self.policy.write({"level_ids": [
            Command.update(self.firm.id, {"days": 20}), Command.update(self.formal.id, {"days": 35}),
            Command.update(self.escalation.id, {"days": 50}),
        ]})
        self.assertEqual(self.policy.level_ids.mapped("days"), [0, -5, 3, 20, 35, 50])

    def test_escalation_must_be_last(self):
        with self.assertRaisesRegex(ValidationError, "must be the last level"):
            self.firm.is_escalation = True

    def test_tone_or_policy_of_another_company(self):
        company_2 = self.setup_other_company()["company"]
        tone_2 = self.env["late.payment.tone"].create({
            "name": "Theirs", "company_id": company_2.id, "letter_body": "<p>Pay.</p>"})
        with self.assertRaisesRegex(ValidationError, "Theirs.* belongs to company_2"), self.env.cr.savepoint():
            self.firm.tone_id = tone_2
        with self.assertRaisesRegex(ValidationError, "belongs to company_2"), self.env.cr.savepoint():
            self.firm.tone_max_id = tone_2
        policy_2 = self.env["late.payment.policy"]._default_policy(company_2)
        with self.assertRaisesRegex(ValidationError, "belongs to company_2: it cannot be the policy"), \
                self.env.cr.savepoint():
            self.customer.with_company(self.company).late_payment_policy_id = policy_2
        # in its own company it is fine
        self.customer.with_company(company_2).late_payment_policy_id = policy_2
        self.assertEqual(self.customer.with_company(company_2).late_payment_policy_id, policy_2)
        self.assertFalse(self.customer.with_company(self.company).late_payment_policy_id)

    def test_tone_bounds(self):
        with self.assertRaisesRegex(ValidationError, "softest tone .* is firmer"):
            self.friendly.tone_min_id = self.tone["firm"]
        with self.assertRaisesRegex(ValidationError, "firmest tone .* is softer"):
            self.firm.tone_max_id = self.tone["friendly"]

    def test_texts_in_every_installed_language(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        tone = self.tone["friendly"]
        with self.assertRaisesRegex(ValidationError, "empty in French"), self.env.cr.savepoint():
            tone.with_context(lang="fr_FR").letter_body = "<p><br></p>"
        with self.assertRaisesRegex(ValidationError, "empty in English"), self.env.cr.savepoint():
            tone.with_context(lang="en_US").letter_body = "<p></p>"
        with self.assertRaisesRegex(ValidationError, "empty subject or body in French"), self.env.cr.savepoint():
            tone.mail_template_id.with_context(lang="fr_FR").subject = " "
            tone.write({"mail_template_id": tone.mail_template_id.id, "severity": tone.severity})
        tone.with_context(lang="fr_FR").letter_body = "<p>Merci de régler.</p>"
        self.assertEqual(tone.with_context(lang="fr_FR").letter_body, "<p>Merci de régler.</p>")

    def test_a_level_reached_cannot_be_deleted(self):
        invoice = self._invoice(100.0)
        self._reach(self._receivable_lines(invoice), self.friendly, day(3))
        with self.assertRaisesRegex(UserError, "Archive the policy"):
            self.friendly.unlink()
        self.courtesy.unlink()
        self.assertEqual(len(self.policy.level_ids), 5)

    def test_gap_cannot_be_negative(self):
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"), self.env.cr.savepoint():
            self.firm.min_gap_days = -1
            self.env.flush_all()

    # -- rendering -----------------------------------------------------------------------------
    def test_letter_and_email_render_for_the_customer(self):
        invoice = self._invoice(1234.0)
        dossier = self._refresh(day(20))
        letter = self.tone["firm"]._render_letter(dossier)[dossier.id]
        # the tone's prose; the invoices and amounts are printed once, by the letter report
        self.assertIn("Despite our previous reminder", letter)
        self.assertNotIn(invoice.name, letter)
        self.assertIn("late-payment penalties", letter)  # the firm level states them
        subject = self.tone["firm"].mail_template_id._render_field("subject", dossier.ids)[dossier.id]
        self.assertEqual(subject, f"{self.company.name}: overdue invoices, second reminder")
        with self._at(day(20)):
            body = self.tone["firm"]._render_email(dossier)[dossier.id]
        self.assertIn("Despite our previous reminder", body)
        self.assertIn(invoice.name, body)  # the email lists the amounts below the text

    def test_the_email_says_what_the_letter_prints(self):
        """One text per tone: the email says the letter's text (the letter alone has a subject
        line and the registered-letter mention), in English and in French, followed by the
        amounts due and how to pay."""
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(["account_late_payment"], ["fr_FR"], overwrite=True)
        invoice = self._invoice(1234.0)
        credit = self._invoice(200.0, move_type="out_refund")
        dossier = self._refresh(day(20))
        letter_only = ("Subject:", "Objet :", "Registered letter", "Lettre recommandée")
        for lang, total, days in (("en_US", "1,034.00", "20"), ("fr_FR", "1\N{NO-BREAK SPACE}034,00", "20")):
            self.customer.lang = lang
            for key, tone in self.tone.items():
                with self._at(day(20)):
                    letter_html = tone._render_letter(dossier)[dossier.id]
                    email = tone._render_email(dossier)[dossier.id]
                letter = html2plaintext(letter_html)
                # the letter-only paragraphs are marked (a bar in the tone's form), and left out of the email
                self.assertIn("o_late_payment_letter_only", letter_html, (lang, key))
                self.assertNotIn("o_late_payment_letter_only", email, (lang, key))
                text = html2plaintext(email)
                paragraphs = [paragraph.strip("*/ ") for paragraph in letter.split("\n") if paragraph.strip("*/ ")]
                self.assertGreaterEqual(len(paragraphs), 4, (lang, key))
                for paragraph in paragraphs:
                    if paragraph.startswith(letter_only):
                        self.assertNotIn(paragraph, text, (lang, key))
                    else:
                        self.assertIn(paragraph, text, (lang, key))
                # then what the letter report prints below its text
                self.assertIn(invoice.name, text)
                self.assertIn(credit.name, text)
                self.assertIn(total, text)  # the invoice less the unapplied credit note
                self.assertIn(f"{invoice.name}\n", text)
                self.assertIn(days, text)
                self.assertIn(f"/my/invoices/{invoice.id}?access_token={invoice.access_token}", email)
            self.assertIn("Pay online:" if lang == "en_US" else "Payer en ligne", text)
        self.assertTrue(invoice.access_token)
        self.assertIn("Madame, Monsieur,", text)
        self.assertIn("Objet : Transmission de votre dossier au recouvrement", letter)  # the last tone, in French

    # -- access rights ---------------------------------------------------------------------------
    def test_access_rights_per_group(self):
        billing = new_test_user(self.env, login="lp_billing_only", company_id=self.company.id,
                                groups="account.group_account_invoice")
        self._invoice(500.0)
        dossier = self._refresh(day(20))
        # users of the follow-up read the configuration and work the dossiers
        self.assertEqual(self.policy.with_user(self.lp_user).level_ids.mapped("days"), [0, -5, 3, 15, 30, 45])
        self.assertTrue(self.tone["firm"].with_user(self.lp_user).name)
        with self.assertRaises(AccessError):
            self.policy.with_user(self.lp_user).min_gap_days = 2
        with self.assertRaises(AccessError):
            self.firm.with_user(self.lp_user).days = 16
        with self.assertRaises(AccessError):
            self.tone["firm"].with_user(self.lp_user).name = "Harsh"
        dossier.with_user(self.lp_user).user_id = self.lp_user
        self.assertEqual(dossier.user_id, self.lp_user)
        with self.assertRaises(AccessError):
            dossier.with_user(self.lp_user).unlink()
        # administrators configure, from their menus
        for menu in ("menu_late_payment_policies", "menu_late_payment_tones"):
            menu_id = self.env.ref(f"account_late_payment.{menu}").id
            self.assertIn(menu_id, self.env["ir.ui.menu"].with_user(self.lp_admin)._visible_menu_ids())
            self.assertNotIn(menu_id, self.env["ir.ui.menu"].with_user(self.lp_user)._visible_menu_ids())
        self.firm.with_user(self.lp_admin).days = 16
        self.policy.with_user(self.lp_admin).min_gap_days = 3
        # the shared tones (no company) are the system administrators'
        with self.assertRaises(AccessError):
            self.tone["firm"].with_user(self.lp_admin).description = "Firmer"
        self.tone["firm"].with_user(self.env.ref("base.user_admin")).description = "Firmer"
        self.assertEqual(self.tone["firm"].description, "Firmer")
        # a billing user without the follow-up groups sees none of it
        with self.assertRaises(AccessError):
            dossier.with_user(billing).read(["status"])
        with self.assertRaises(AccessError):
            self.policy.with_user(billing).read(["name"])
        # the company rules: a user of another company sees neither the policy nor the dossier
        company_2 = self.setup_other_company()["company"]
        other_user = new_test_user(self.env, login="lp_user_2", company_id=company_2.id,
                                   groups="account_late_payment.group_late_payment_user")
        self.assertFalse(self.env["late.payment.policy"].with_user(other_user).search([
            ("id", "=", self.policy.id)]))
        self.assertFalse(self.dossiers.with_user(other_user).search([("id", "=", dossier.id)]))
        self.assertTrue(self.env["late.payment.tone"].with_user(other_user).search([
            ("id", "=", self.tone["firm"].id)]))

    # -- forms -----------------------------------------------------------------------------------
    def test_policy_form_edits_levels(self):
        with Form(self.env["late.payment.policy"].with_user(self.lp_admin)) as form:
            form.name = "Short"
            with form.level_ids.new() as level:
                level.name = "Reminder"
                level.days = 7
                level.tone_id = self.tone["friendly"]
                level.channel_call = True
            with form.level_ids.new() as level:
                level.name = "Formal notice"
                level.days = 21
                level.tone_id = self.tone["formal"]
                level.is_formal_notice = True
        policy = form.record
        self.assertEqual(policy.level_ids.mapped("days"), [7, 21])
        self.assertEqual(policy.company_id, self.company)

    def test_customer_form_shows_the_follow_up(self):
        self._invoice(600.0)
        self._refresh(day(20))
        self.lp_admin.group_ids += self.env.ref("base.group_partner_manager")
        form = Form(self.customer.with_user(self.lp_admin), view="account.view_partner_property_form")
        self.assertEqual(form.late_payment_followup_status, "due")
        self.assertEqual(form.late_payment_amount_overdue, 600.0)
        form.late_payment_relationship = "reliable"
        form.save()
        self.assertEqual(self.customer.with_company(self.company).late_payment_relationship, "reliable")
        # a follow-up user opens the dossier from the customer, and sets the relationship there
        action = self.customer.with_user(self.lp_user).action_late_payment_open_dossier()
        self.assertEqual(action["res_model"], "late.payment.dossier")
        dossier = self.dossiers.browse(action["res_id"])
        self.assertEqual(dossier.partner_id, self.customer)
        self.assertEqual(dossier.relationship, "reliable")
        with Form(dossier.with_user(self.lp_user)) as dossier_form:
            self.assertEqual(dossier_form.amount_overdue, 600.0)
            dossier_form.relationship = "strict"
            dossier_form.user_id = self.lp_user
        self.assertEqual(self.customer.with_company(self.company).late_payment_relationship, "strict")
        self.assertEqual(dossier.user_id, self.lp_user)
        # the customer list filters
        found = self.env["res.partner"].with_user(self.lp_user).search([("late_payment_followup_status", "=", "due")])
        self.assertIn(self.customer, found)
        self.assertNotIn(self.partner_b, found)
        overdue = self.env["res.partner"].with_user(self.lp_user).search([("late_payment_amount_overdue", ">", 0)])
        self.assertIn(self.customer, overdue)

    def test_list_filters_and_invoice_tab(self):
        invoice = self._invoice(900.0)
        excluded = self._invoice(100.0)
        excluded.no_followup = True
        self._reach(self._receivable_lines(invoice), self.friendly, day(3))
        self._refresh(day(20))
        expected = {
            # (model, search view): {filter: what it finds among the customer's records}
            ("account.move", "account.view_account_invoice_filter"): {
                "late_payment_overdue": invoice | excluded, "late_payment_in_followup": invoice,
                "late_payment_excluded": excluded,
            },
            ("res.partner", "base.view_res_partner_filter"): {
                "late_payment_overdue": self.customer, "late_payment_in_followup": self.customer,
                "late_payment_excluded": self.customer,
            },
            ("late.payment.dossier", "account_late_payment.view_late_payment_dossier_search"): {
                "overdue": self._refresh(day(20)), "in_followup": self._refresh(day(20)),
                "excluded": self._refresh(day(20)),
            },
        }
        for (model, view), filters in expected.items():
            records = self.env[model].with_user(self.lp_user)
            arch = etree.fromstring(records.get_views([(self.env.ref(view).id, "search")])["views"]["search"]["arch"])
            for name, found in filters.items():
                with self.subTest(model=model, filter=name), self._at(day(20)):
                    node = arch.find(f".//filter[@name='{name}']")
                    self.assertIsNotNone(node)
                    domain = safe_eval(node.get("domain"), {"context_today": lambda: day(20)})
                    owner = "partner_id" if model != "res.partner" else "id"
                    self.assertEqual(records.search([*domain, (owner, "=", self.customer.id)]), found)
        # the action-due filter of the invoices: the firm reminder of the invoice is due
        with self._at(day(20)):
            node = etree.fromstring(self.env["account.move"].get_views(
                [(self.env.ref("account.view_account_invoice_filter").id, "search")])["views"]["search"]["arch"]
            ).find(".//filter[@name='late_payment_action_due']")
            domain = [*safe_eval(node.get("domain")), ("partner_id", "=", self.customer.id)]
            moves = self.env["account.move"].search(domain)
            self.assertEqual(moves, invoice)
        # the invoice's Follow-up tab and the customer invoice list
        with self._at(day(20)):
            form = Form(invoice.with_user(self.lp_user))
            self.assertEqual(form.late_payment_status, "due")
            self.assertEqual(form.late_payment_level_id, self.friendly)
            self.assertEqual(form.late_payment_next_level_id, self.firm)
        views = self.env["account.move"].with_user(self.lp_user).get_views(
            [(self.env.ref("account.view_out_invoice_tree").id, "list")])
        self.assertIn("late_payment_level_id", views["views"]["list"]["arch"])
        views = self.env["res.partner"].with_user(self.lp_user).get_views([(False, "list")])
        self.assertIn("late_payment_followup_status", views["views"]["list"]["arch"])
