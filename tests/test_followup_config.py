from psycopg2 import IntegrityError

from odoo.exceptions import AccessError, ValidationError
from odoo.fields import Command
from odoo.tests import Form, new_test_user, tagged
from odoo.tools import mute_logger

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
        self.assertTrue(self.escalation.is_escalation and self.escalation.channel_task)
        self.assertEqual(self.tone["courteous"].mail_template_id.model, "late.payment.dossier")

    def test_every_company_gets_a_default_policy(self):
        company_2 = self.setup_other_company()["company"]
        policy = self.env["late.payment.policy"]._late_payment_default_policy(company_2)
        self.assertEqual(policy.name, self.policy.name)
        self.assertEqual(policy.level_ids.mapped("days"), [-5, 3, 15, 30, 45])
        self.assertEqual(policy.level_ids.company_id, company_2)
        # one default per company: making another one the default unsets the first
        other = self.env["late.payment.policy"].create({"name": "Other", "company_id": self.company.id})
        other.is_default = True
        self.assertFalse(self.policy.is_default)
        self.assertEqual(self.env["late.payment.policy"]._late_payment_default_policy(self.company), other)

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
        self.assertEqual(self.policy.level_ids.mapped("days"), [-5, 3, 20, 35, 50])

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
        policy_2 = self.env["late.payment.policy"]._late_payment_default_policy(company_2)
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

    def test_gap_cannot_be_negative(self):
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"), self.env.cr.savepoint():
            self.firm.min_gap_days = -1
            self.env.flush_all()

    # -- rendering -----------------------------------------------------------------------------
    def test_letter_and_email_render_for_the_customer(self):
        invoice = self._invoice(1234.0)
        dossier = self._refresh(day(20))
        letter = self.tone["firm"]._late_payment_render_letter(dossier)[dossier.id]
        self.assertIn(invoice.name, letter)
        self.assertIn("1,234.00", letter)
        self.assertIn("late-payment penalties", letter)  # the firm level states them
        subject = self.tone["firm"].mail_template_id._render_field("subject", dossier.ids)[dossier.id]
        self.assertEqual(subject, f"{self.company.name}: overdue invoices, second reminder")
        body = self.tone["firm"].mail_template_id._render_field("body_html", dossier.ids)[dossier.id]
        self.assertIn(self.customer.name, body)

    # -- access rights ---------------------------------------------------------------------------
    def test_access_rights_per_group(self):
        billing = new_test_user(self.env, login="lp_billing_only", company_id=self.company.id,
                                groups="account.group_account_invoice")
        self._invoice(500.0)
        dossier = self._refresh(day(20))
        # users of the follow-up read the configuration and work the dossiers
        self.assertEqual(self.policy.with_user(self.lp_user).level_ids.mapped("days"), [-5, 3, 15, 30, 45])
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
        # administrators configure
        self.firm.with_user(self.lp_admin).days = 16
        self.policy.with_user(self.lp_admin).min_gap_days = 3
        self.tone["firm"].with_user(self.lp_admin).description = "Firmer"
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
        self.assertEqual(form.late_payment_status, "due")
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
        found = self.env["res.partner"].with_user(self.lp_user).search([("late_payment_status", "=", "due")])
        self.assertIn(self.customer, found)
        self.assertNotIn(self.partner_b, found)
        overdue = self.env["res.partner"].with_user(self.lp_user).search([("late_payment_amount_overdue", ">", 0)])
        self.assertIn(self.customer, overdue)
