"""The seven legal cases of the second legal review through account.move.late_payment_penalties,
penalty invoicing and the invoice mentions, with worked examples computed by hand in the comments
(statutory 2026 H1: ECB 2.15 on 1 Jan 2026 + 10 = 12.15 %; actual/365; rounded once, half-up)."""

from datetime import date

from odoo import fields
from odoo.exceptions import UserError
from odoo.fields import Command
from odoo.tests import freeze_time, tagged

from ..engine import siren_lookup
from .common import PenaltyCommon


@tagged("post_install", "-at_install")
class TestLegalCases(PenaltyCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.consumer = cls.env["res.partner"].create({"name": "Julie Martin", "is_company": False})
        cls.town = cls.env["res.partner"].create({
            "name": "Commune de Saint-Exemple", "is_company": True, "country_id": cls.env.ref("base.fr").id})

    def _penalties(self, invoice, at_date):
        (result,) = invoice.late_payment_penalties(at_date)
        return result

    def _formal_notice(self, invoice, day):
        """As if the formal notice naming `invoice` went to its customer on `day`."""
        policy = self.env["late.payment.policy"].search([("company_id", "=", self.company.id)], limit=1)
        level = policy.level_ids.filtered("is_formal_notice")[:1]
        line = invoice.line_ids.filtered(lambda x: x.display_type == "payment_term")
        return self.env["late.payment.reminder"].sudo().create({
            "partner_id": invoice.commercial_partner_id.id, "company_id": self.company.id, "level_id": level.id,
            "date": day, "line_ids": [Command.create({
                "move_line_id": line.id, "level_id": level.id, "currency_id": invoice.currency_id.id})],
        })

    # -- 1. collective proceedings ---------------------------------------------------------------
    def test_proceedings_stop_interest_and_penalty_invoicing(self):
        """EUR 20,000 due 31 Jan 2026, receivership opened 1 Mar 2026. Before: 150 days to 30 Jun
        2026 at 12.15 % = 998.63. After: 1-28 Feb, 20,000 x 12.15 % x 28 / 365 = 186.41, whatever the
        day asked; due before the opening: the EUR 40 stays."""
        claim = self._invoice(20000.0, "2026-01-31", invoice_date="2026-01-01")
        self.assertEqual(self._penalties(claim, "2026-06-30")["interest"], 998.63)
        self.partner_a.late_payment_proceedings_date = "2026-03-01"
        for asked in ("2026-03-01", "2026-06-30", "2026-11-30"):
            result = self._penalties(claim, asked)
            self.assertEqual((result["interest"], result["indemnity"]), (186.41, 40.0))
            self.assertEqual(result["proceedings_date"], "2026-03-01")
        self.assertEqual([(p["date_from"], p["date_to"]) for p in self._penalties(claim, "2026-06-30")["periods"]],
                         [("2026-02-01", "2026-02-28")])
        # dated before the opening but due after it: no interest, no indemnity (L441-10 II)
        after_due = self._invoice(10000.0, "2026-03-31", invoice_date="2026-02-15")
        result = self._penalties(after_due, "2026-06-30")
        self.assertEqual((result["days_late"], result["interest"], result["indemnity"]), (91, 0.0, 0.0))
        # an invoice dated after the judgment is a later claim: the usual rules (91 days x 12.15 % = 302.92)
        later = self._invoice(10000.0, "2026-03-31", invoice_date="2026-03-05")
        result = self._penalties(later, "2026-06-30")
        self.assertEqual((result["interest"], result["indemnity"]), (302.92, 40.0))
        self.assertNotIn("proceedings_date", result)
        # the penalties of the earlier claims are declared, not invoiced
        with self.assertRaisesRegex(UserError, "Declare the claim"):
            (claim + later)._late_payment_invoice_penalties("2026-06-30")
        # the follow-up levels leave them out, and say why on the invoice
        penalty = (claim + later)._late_payment_invoice_penalties("2026-06-30", skip_problems=True)
        self.assertEqual(penalty.amount_total, 342.92)  # the later claim only: 302.92 + 40
        self.assertIn("Declare the claim", claim.message_ids[0].body)
        # the collection dossier lists the claims to declare, cut at the judgment
        dossier = self.env["late.payment.dossier"]._refresh(
            partners=self.partner_a, company=self.company, ensure=True)
        data = dossier._collection_data()
        self.assertEqual(data["proceedings_date"], fields.Date.to_date("2026-03-01"))
        self.assertEqual([(row["move"], row["interest"], row["indemnity"], row["total"]) for row in data["declarable"]],
                         [(claim, 186.41, 40.0, 20226.41), (after_due, 0.0, 0.0, 10000.0)])
        self.assertEqual(data["declarable_total"], 30226.41)
        html = self.env["ir.actions.report"]._render_qweb_html(
            "account_late_payment.report_late_payment_collection", dossier.ids)[0].decode()
        self.assertIn("Claim to declare", html)
        self.assertIn("30,226.41", html)
        # the BODACC lookup sets the date (and a retraction clears it)
        self.partner_a.write({"late_payment_proceedings_state": "open",
                              "late_payment_proceedings_opened_on": "2026-03-02"})
        self.assertEqual(self.partner_a.late_payment_proceedings_date, fields.Date.to_date("2026-03-02"))
        self.partner_a.write({"late_payment_proceedings_state": "none", "late_payment_proceedings_opened_on": False})
        self.assertFalse(self.partner_a.late_payment_proceedings_date)

    # -- 2. consumers ----------------------------------------------------------------------------
    def test_consumer_regime(self):
        """EUR 1,000 due 31 Jan 2026, unpaid at 31 Mar 2026. Before: 59 days at 12.15 % = 19.64.
        After: nothing without a formal notice; notice on 1 Mar 2026: 2-31 Mar, 30 days at the legal rate
        of 2026 H1 (all other cases) 2.62 %: 1,000 x 2.62 % x 30 / 365 = 2.15; with a consumer penalty
        rate of 10 %: 1,000 x 10 % x 30 / 365 = 8.22. Never the EUR 40."""
        self.company.late_payment_interest_consumers = True
        invoice = self._invoice(1000.0, "2026-01-31", partner=self.consumer)
        result = self._penalties(invoice, "2026-03-31")
        self.assertEqual((result["days_late"], result["interest"], result["indemnity"]), (59, 0.0, 0.0))
        self._formal_notice(invoice, "2026-03-01")
        result = self._penalties(invoice, "2026-03-31")
        self.assertEqual((result["interest"], result["indemnity"]), (2.15, 0.0))
        self.assertEqual([(p["date_from"], p["days"], p["rate"]) for p in result["periods"]],
                         [("2026-03-02", 30, 2.62)])
        self.company.late_payment_consumer_rate = 10.0
        self.assertEqual(self._penalties(invoice, "2026-03-31")["interest"], 8.22)
        # the consumer wording, never L441-10
        (mention,) = invoice._late_payment_legal_mentions()
        self.assertIn("10", mention)
        self.assertIn("formal notice", mention)
        self.assertNotIn("L441", mention)

    # -- 3. mandatory mentions: see also test_invoice_mentions ---------------------------------------
    def test_mandatory_mentions_whatever_the_settings(self):
        self.company.write({"late_payment_interest_mode": "none", "late_payment_indemnity_amount": 0.0,
                            "late_payment_invoice_mentions": False})
        invoice = self._invoice(1000.0, "2026-03-02", invoice_date="2026-02-01")
        interest_line, indemnity_line = invoice._late_payment_legal_mentions()[:2]
        self.assertIn("12.15", interest_line)
        self.assertIn("40.00", indemnity_line)

    # -- 4. missing rates --------------------------------------------------------------------------
    @freeze_time("2026-10-01")
    def test_missing_legal_rate_is_never_silent(self):
        """Contractual 5 %, EUR 10,000 due 30 Jun 2026, asked 29 Sep 2026 (91 days). Before:
        10,000 x 5 % x 91 / 365 = 124.66, unchecked. After: the legal rate of 2026 H2 is missing:
        refused with what to enter and where; entered (say 2.50 %), the floor 7.50 % applies:
        10,000 x 7.5 % x 91 / 365 = 186.99."""
        self.company.write({"late_payment_interest_mode": "contractual", "late_payment_contractual_rate": 5.0})
        invoice = self._invoice(10000.0, "2026-06-30")
        with self.assertRaisesRegex(UserError, r"legal interest rate .* 07/01/2026 .*Reference rates"):
            invoice.late_payment_penalties("2026-09-29")
        # in batch: flagged and explained, no figure
        result = invoice._late_payment_compute(fields.Date.to_date("2026-09-29"))[invoice.id]
        self.assertEqual((result["missing_rate"], result["missing_rate_kind"]), ("2026-07-01", "legal"))
        self.assertIn("Journal officiel", result["missing_rate_message"])
        self.assertFalse(invoice._late_payment_invoice_penalties("2026-09-29", skip_problems=True))
        self.assertIn("legal interest rate", invoice.message_ids[0].body)
        # the administrators were told before the half-year started
        Rate = self.env["late.payment.rate"]
        self.assertEqual(Rate._check_legal_rates(date(2026, 6, 25)), [date(2026, 7, 1)])
        anchor = Rate.search([("kind", "=", "fr_legal_b")], order="date_from desc", limit=1)
        activities = anchor.activity_ids.filtered(lambda a: "07/01/2026" in a.summary)  # the reader's date format
        self.assertIn(self.env.user, activities.user_id)
        self.assertEqual(set(activities.mapped("date_deadline")), {date(2026, 7, 1)})
        Rate._check_legal_rates(date(2026, 6, 26))  # not twice
        self.assertEqual(len(anchor.activity_ids.filtered(lambda a: "07/01/2026" in a.summary)), len(activities))
        self.assertEqual(Rate._check_legal_rates(date(2026, 6, 15)), [])  # too early to worry
        Rate.create([{"kind": kind, "date_from": "2026-07-01", "rate": rate, "source": "test"}
                     for kind, rate in (("fr_legal_a", 6.5), ("fr_legal_b", 2.5))])
        self.assertEqual(self._penalties(invoice, "2026-09-29")["interest"], 186.99)
        self.assertEqual(Rate._check_legal_rates(date(2026, 6, 25)), [])

    # -- 5. statutory means exactly ECB + 10 -----------------------------------------------------
    def test_another_margin_is_contractual_and_floored(self):
        """EUR 10,000 due 31 Jan 2024, asked 31 Mar 2024 (60 days, ECB 4.50 on 1 Jan 2024). Margin 8,
        before: 12.50 % = 205.48. After: below 3 x 5.07 = 15.21 %: 10,000 x 15.21 % x 60 / 365 =
        250.03. Margin 10, the statutory rate, stays 14.50 % = 238.36."""
        invoice = self._invoice(10000.0, "2024-01-31")
        self.assertEqual(self._penalties(invoice, "2024-03-31")["interest"], 238.36)
        self.company.late_payment_interest_margin = 8.0
        result = self._penalties(invoice, "2024-03-31")
        self.assertEqual((result["interest"], [p["rate"] for p in result["periods"]]), (250.03, [15.21]))

    # -- 6. penalty invoices ---------------------------------------------------------------------
    def test_penalty_invoice_prints_no_mention_and_bears_nothing(self):
        invoice = self._invoice(5000.0, "2024-05-31")
        penalty = invoice._late_payment_invoice_penalties("2024-07-31", post=True)
        self.assertTrue(penalty.late_payment_is_penalty)
        self.assertEqual(penalty._late_payment_legal_mentions(), [])
        result = self._penalties(penalty, "2024-12-31")
        self.assertEqual((result["days_late"] > 0, result["interest"], result["indemnity"]), (True, 0.0, 0.0))

    # -- 7. over-invoiced interest (waivers: test_penalty_invoices) ----------------------------------
    def test_payment_dated_before_the_penalty_invoice(self):
        """EUR 5,000 due 31 May 2024, penalties invoiced up to 31 Jul 2024: 30 days at 14.50 % (59.59)
        + 31 days at 14.25 % (60.51) = 120.10, + EUR 40. A payment of the 5,000 dated 15 Jul 2024 is
        entered afterwards: the days bear 59.5890 + 15 days at 14.25 % (29.2808) = 88.87 now: the
        penalty invoice over-invoiced 31.23."""
        invoice = self._invoice(5000.0, "2024-05-31")
        penalty = invoice._late_payment_invoice_penalties("2024-07-31", post=True)
        self.assertEqual(penalty.amount_total, 160.10)
        self.assertEqual(penalty.late_payment_over_invoiced, 0.0)
        self._pay(invoice, 5000.0, "2024-07-15")
        penalty.invalidate_recordset(["late_payment_over_invoiced"])
        self.assertEqual(penalty.late_payment_over_invoiced, 31.23)
        self.assertIn("account_late_payment_over_invoiced", penalty._get_alerts())
        action = penalty.action_late_payment_credit_over_invoiced()
        credit_note = self.env["account.move"].browse(action["res_id"])
        self.assertEqual((credit_note.move_type, credit_note.amount_total, credit_note.reversed_entry_id),
                         ("out_refund", 31.23, penalty))
        credit_note.action_post()
        penalty.invalidate_recordset(["late_payment_over_invoiced"])
        self.assertEqual(penalty.late_payment_over_invoiced, 0.0)
        with self.assertRaisesRegex(UserError, "no more interest"):
            penalty.action_late_payment_credit_over_invoiced()

    # -- public buyers ---------------------------------------------------------------------------
    def test_public_buyer(self):
        """EUR 10,000 due 31 May 2024, paid 30 Sep 2024 (122 days). As a company: 30 days at 14.50 %
        + 92 days at 14.25 % = 478.36. As a public buyer: the ECB rate in force on 1 Jan 2024 (the
        half-year interest starts), 4.50 + 8 = 12.50 %, for all 122 days: 10,000 x 12.5 % x 122 / 365
        = 417.81, and the EUR 40."""
        invoice = self._invoice(10000.0, "2024-05-31", partner=self.town)
        self._pay(invoice, 10000.0, "2024-09-30")
        self.assertEqual(self._penalties(invoice, "2024-12-31")["interest"], 478.36)
        # the company register's legal category 7xxx makes it a public buyer
        status = siren_lookup.LegalStatus("217500016", True, name="COMMUNE DE SAINT-EXEMPLE", state="active",
                                          legal_category="7210")
        self.town.write(self.town._late_payment_status_values(status, None, [], fields.Datetime.now()))
        self.assertEqual(self.town.late_payment_legal_category, "7210")
        self.assertTrue(self.town.late_payment_public_buyer)
        result = self._penalties(invoice, "2024-12-31")
        self.assertEqual((result["interest"], result["indemnity"]), (417.81, 40.0))
        self.assertEqual({p["rate"] for p in result["periods"]}, {12.5})
        mentions = invoice._late_payment_legal_mentions()
        self.assertIn("R2192-31", mentions[0])
        self.assertIn("D2192-35", mentions[1])
        # a payment term beyond its legal payment delay (30 days) is warned about
        slow = self._invoice(1000.0, "2024-06-15", invoice_date="2024-05-01", partner=self.town)
        self.assertIn("public buyer", slow.late_payment_term_warning)
        self.assertFalse(self._invoice(1000.0, "2024-05-31", invoice_date="2024-05-01",
                                       partner=self.town).late_payment_term_warning)
        # a company (legal category 5710) is no public buyer
        company = siren_lookup.LegalStatus("732829320", True, name="X", state="active", legal_category="5710")
        self.town.write(self.town._late_payment_status_values(company, None, [], fields.Datetime.now()))
        self.assertFalse(self.town.late_payment_public_buyer)
