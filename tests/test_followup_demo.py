from odoo import fields
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install", "late_payment_demo")
class TestFollowupDemo(TransactionCase):
    """The follow-up of the demo database of `make demo` (run by `make test` on the database it builds)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.ref("account_late_payment.demo_partner_transports_petit").invoice_ids.company_id[:1]
        cls.dossiers = cls.env["late.payment.dossier"].search([("company_id", "=", cls.company.id)])

    def _customer(self, key):
        return self.env.ref(f"account_late_payment.demo_partner_{key}")

    def _dossier(self, key):
        return self.dossiers.filtered(lambda d: d.partner_id == self._customer(key))

    def test_customers_in_varied_states(self):
        statuses = set(self.dossiers.mapped("status"))
        self.assertTrue({"planned", "collection"} <= statuses, statuses)
        # today's run sent what was due on a business day; on another day it waits
        if not self.company._late_payment_is_business_day(fields.Date.context_today(self.dossiers)):
            self.assertIn("due", statuses)
        self.assertEqual(self._dossier("transports_petit").status, "collection")
        self.assertTrue(self._dossier("transports_petit").formal_notice_reference)
        # the customer the accountant sent a formal notice to (its stage moves on with its overdue periods)
        self.assertTrue(self._dossier("menuiserie_bernard").reminder_ids.level_id.filtered("is_formal_notice"))
        self.assertGreater(self._dossier("agence_lambert").amount_overdue, 10000)
        self.assertGreater(self._dossier("domaine_fontaine").amount_excluded, 0)
        # levels reached on the lines, as if the reminders had been sent all year
        reached = self.env["account.move"].search([
            ("company_id", "=", self.company.id), ("late_payment_level_id", "!=", False)])
        self.assertGreaterEqual(len(reached.partner_id), 5)
        self.assertGreaterEqual(len(reached.late_payment_level_id), 4)
        # a refresh changes nothing: the demo is in a steady state
        before = {d.id: (d.status, d.next_action_date, d.amount_overdue) for d in self.dossiers}
        self.env["late.payment.dossier"]._refresh(company=self.company)
        self.assertEqual(before, {d.id: (d.status, d.next_action_date, d.amount_overdue) for d in self.dossiers})

    def test_relationships(self):
        self.assertEqual(self._dossier("boulangerie_martin").relationship, "reliable")
        self.assertEqual(self._dossier("menuiserie_bernard").relationship, "strict")
        self.assertEqual(self._dossier("studio_mercier").relationship, "new")
        self.assertEqual(self._dossier("hotel_parc").relationship, "standard")

    def test_in_french(self):
        policy = self.env["late.payment.policy"]._default_policy(self.company)
        self.assertEqual(policy.with_context(lang="fr_FR").name, "Relance standard")
        self.assertEqual(policy.with_context(lang="fr_FR").level_ids.mapped("name"), [
            "Rappel d'escompte", "Rappel de courtoisie", "Rappel cordial", "Relance ferme", "Mise en demeure",
            "Transmission au recouvrement"])
        self.assertEqual(policy.with_context(lang="en_US").level_ids[3].name, "Firm reminder")
        firm = self.env.ref("account_late_payment.late_payment_tone_firm")
        french = self._dossier("transports_petit")
        self.assertEqual(french.partner_id.lang, "fr_FR")
        body = firm._render_email(french)[french.id]
        self.assertIn("Malgré notre précédente relance", body)
        self.assertIn("Détail des montants dus", body)
        self.assertIn(french.line_ids.move_id[:1].name, body)
        letter = firm._render_letter(french)[french.id]
        self.assertIn("Madame, Monsieur,", letter)
        self.assertIn("les factures détaillées ci-dessous", letter)
        self.assertNotIn(french.line_ids.move_id[:1].name, letter)  # the report prints the amounts

    def test_letters_to_print(self):
        """The past letters have their text, and the day's batch holds several letters to print."""
        reminders = self.env["late.payment.reminder"].search([
            ("company_id", "=", self.company.id), ("channel_letter", "=", True)])
        self.assertTrue(reminders.level_id.filtered("is_formal_notice"))
        self.assertFalse(reminders.filtered(lambda reminder: not reminder.letter_body))
        queued = reminders.filtered(lambda reminder: reminder.letter_state == "queued")
        self.assertGreaterEqual(len(queued.partner_id), 2)
        # French customers get a French letter, without a second table of the amounts
        french = queued.filtered(lambda reminder: reminder.partner_id.lang == "fr_FR")[:1]
        self.assertTrue(french)
        self.assertIn("Madame, Monsieur", str(french.letter_body))
        self.assertNotIn("<table", str(french.letter_body))
        html, _kind = self.env["ir.actions.report"]._render_qweb_html(
            "account_late_payment.action_report_late_payment_letter", queued.ids)
        self.assertEqual(html.decode().count('class="page o_late_payment_letter"'), len(queued))
