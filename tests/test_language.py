from unittest.mock import patch

from odoo.tests import tagged
from odoo.tools import html2plaintext

from .common import LatePaymentCommon, day


@tagged("post_install", "-at_install")
class TestLanguage(LatePaymentCommon):
    """What the scheduled actions write (they run as OdooBot, in English) is in the language of
    the company's people: a French company gets French notes and activities, with French numbers
    and dates (docs/design.md, "Languages"); a person acting writes in their own language."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fr_FR")
        cls.env["ir.module.module"]._load_module_terms(["account_late_payment"], ["fr_FR"], overwrite=True)
        cls.company.partner_id.lang = "fr_FR"
        # the customer reads English: its reminders are English, the notes about it are French
        cls._reachable_customer(phone="+1 555 0100")
        cls.root = cls.env.ref("base.user_root")
        assert cls.root.lang == "en_US", cls.root.lang

    def _notes(self, record):
        self.env.flush_all()
        record.invalidate_recordset(["message_ids"])
        return [html2plaintext(body) for body in record.message_ids.mapped("body")]

    def _run(self, method, model, when):
        with patch.object(type(self.env["ir.cron"]), "_commit_progress", return_value=1.0), self._at(when):
            getattr(self.env[model].with_user(self.root), method)()

    def test_the_daily_run_writes_its_notes_in_the_companys_language(self):
        invoice = self._invoice(1234.56)
        self._run("_cron_run", "late.payment.reminder", day(15))
        reminder = self.env["late.payment.reminder"].search([("partner_id", "=", self.customer.id)])
        self.assertEqual((reminder.level_id, reminder.result), (self.firm, "sent"))
        note = next(note for note in self._notes(self.customer) if "Relance" in note)
        self.assertRegex(note, rf"^Relance #{reminder.id}\b.* envoyée par Action planifiée : ")
        # the company's levels, copied from the shipped policy, got its French names with the translations
        self.assertIn(": Relance ferme, ton Ferme, par E-mail, Lettre.", note)
        # French date and amount: 02/06/2025, 1 234,56
        self.assertRegex(note, rf"{invoice.name}, échéance le 02/06/2025 : \S*\s?1\s234,56")
        self.assertRegex(note, r"Total : \S*\s?1\s234,56\S*\. Résultat : Envoyée\.")
        self.assertNotIn("2025-06-02", note)
        self.assertNotIn("sent by", note)
        # the customer's own email stays in its language
        mail = self.env["mail.mail"].sudo().search([("model", "=", "res.partner"), ("res_id", "=", self.customer.id)])
        self.assertIn("Dear", html2plaintext(mail.body_html))

    def test_a_person_acting_writes_in_their_language(self):
        self._invoice(1234.56)
        dossier = self._refresh(day(15))
        with self._at(day(15)):
            dossier.with_user(self.lp_user).with_context(lang="en_US").action_send_reminder()
        note = next(note for note in self._notes(self.customer) if "Reminder" in note or "Relance" in note)
        self.assertIn(f"sent by {self.lp_user.name}", note)
        self.assertIn("tone Firm, by Email, Letter.", note)
        self.assertRegex(note, r"Total: \S*\s?1,234\.56\S*\. Result: Sent\.")

    def test_the_settlement_check_writes_in_the_companys_language(self):
        invoice = self._invoice(900.0)
        with self._at(day(30)):
            plan = self.env["late.payment.plan"]._create_plan(
                self.customer, invoice.ids, 3, day(40), "monthly")
        self._run("_cron_settlement", "late.payment.dossier", day(46))
        self.assertEqual(plan.state, "broken")
        notes = self._notes(plan)
        self.assertTrue(any(
            f"Échéancier {plan.name} rompu : l’échéance du 12/07/2025 est impayée 6 jours après sa date" in note
            for note in notes), notes)
        dossier = self.dossiers.search([("partner_id", "=", self.customer.id), ("company_id", "=", self.company.id)])
        activities = self.env["mail.activity"].search([("res_model", "=", "late.payment.dossier"),
                                                       ("res_id", "=", dossier.id)])
        self.assertIn(f"Échéancier {plan.name} de {self.customer.name} rompu", activities.mapped("summary"))

    def test_numbers_and_dates_follow_the_readers_language(self):
        risk_class = self.env["late.payment.risk.class"].search([("company_id", "=", self.company.id)], limit=1)
        risk_class.write({"warn": True, "deposit_percent": 12.5})
        partner = self.customer.with_company(self.company)
        partner.sudo().write({"late_payment_risk_class_id": risk_class.id, "late_payment_risk_score": 87.0})
        french = partner.with_context(lang="fr_FR")._late_payment_risk_warning()
        self.assertIn("(score 87,0 sur 100)", french)
        self.assertIn("un acompte de 12,5 %", french)
        english = partner.with_context(lang="en_US")._late_payment_risk_warning()
        self.assertIn("(score 87.0 out of 100)", english)
        self.assertIn("a deposit of 12.5 %", english)
        self._invoice(400.0)
        dossier = self._refresh(day(3))
        with self._at(day(3)):
            dossier.with_user(self.lp_user).with_context(lang="fr_FR")._postpone(day(10))
        self.assertIn("Relance reportée au 12/06/2025.", self._notes(dossier))
