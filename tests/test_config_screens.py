from odoo.tests import Form, tagged

from .common import LatePaymentCommon


@tagged("post_install", "-at_install")
class TestConfigScreens(LatePaymentCommon):
    """Configuration that explains itself: each level and each policy in words, the tone by
    relationship in words, the reference rates confirmed or not and the settings that say so."""

    def test_levels_in_words(self):
        self.assertEqual(
            self.courtesy.with_context(lang="en_US").summary,
            "5 days before the due date: an email in the Courteous tone, sent by the daily run. With: the invoices "
            "attached. The next level comes 5 days later at the earliest.")
        self.assertEqual(
            self.formal.with_context(lang="en_US").summary,
            "30 days after the due date: an email and a printed letter in the Formal notice tone, after an "
            "accountant's approval. With: the invoices attached, the letter attached, states the penalties, a "
            "formal notice. The next level comes 8 days later at the earliest.")
        self.assertIn("before the early-payment discount deadline: an email in the Courteous tone",
                      self.discount.with_context(lang="en_US").summary)
        # the policy's levels, one sentence each, in order, and its gap between two reminders
        timeline = self.policy.with_context(lang="en_US").timeline.splitlines()
        self.assertEqual(len(timeline), len(self.policy.level_ids) + 1)
        self.assertTrue(any(line.endswith(self.friendly.summary) for line in timeline))
        self.assertEqual(timeline[-1], f"Two reminders to a customer are at least {self.policy.min_gap_days} days "
                                       "apart, whatever new invoices fall due meanwhile.")
        # the sentence follows the form's values
        with Form(self.friendly.with_user(self.lp_admin)) as form:
            form.days = -2
            form.channel_email = False
            form.channel_call = True
            self.assertTrue(form.summary.startswith("2 days before the due date: a phone call to make in the "))
        self.assertEqual(self.friendly.days, -2)

    def test_tone_by_relationship_in_words(self):
        policy = self.policy.with_user(self.lp_admin)
        words = (policy.tone_shift_reliable_words, policy.tone_shift_new_words, policy.tone_shift_strict_words)
        self.assertEqual(words, ("-1", "0", "1"))
        labels = dict(policy._fields["tone_shift_reliable_words"]._description_selection(self.env))
        self.assertEqual(labels["-1"], "One tone softer")
        with Form(policy) as form:
            form.tone_shift_strict_words = "2"
            form.tone_shift_reliable_words = "0"
        # the stored numbers the follow-up reads
        self.assertEqual((policy.tone_shift_strict, policy.tone_shift_reliable), (2, 0))

    def test_unconfirmed_rate_is_flagged(self):
        rates = self.env["late.payment.rate"]
        self.assertTrue(rates.search([("kind", "=", "ecb_mro"), ("confirmed", "=", True)]))
        # the shipped ECB rate of June 2026 comes from press reports: unconfirmed, and said so
        # in the settings where the interest is set
        shipped = rates.search([("kind", "=", "ecb_mro"), ("source", "=like", "Unconfirmed%")],
                               order="date_from desc", limit=1)
        self.assertTrue(shipped)
        self.assertFalse(shipped.confirmed)
        with self._at(shipped.date_from):
            flagged = self.env["res.config.settings"].create({}).late_payment_unconfirmed_rates or ""
        self.assertIn(shipped.display_name, flagged)
        # a rate to come, unconfirmed, is flagged too
        rate = rates.create({"kind": "ecb_mro", "date_from": shipped.date_from.replace(year=2099),
                             "rate": 9.99, "source": "Unconfirmed: a press report."})
        with self._at(shipped.date_from):
            self.assertIn("9.99 %", self.env["res.config.settings"].create({}).late_payment_unconfirmed_rates)
        # the ECB refresh confirms them
        for row in shipped | rate:
            row.source += "\nConfirmed by the ECB Data Portal, series FM.B.U2.EUR.4F.KR.MRR_FR.LEV, on 2099-01-02."
        self.assertTrue(all((shipped | rate).mapped("confirmed")))
        with self._at(shipped.date_from):
            self.assertFalse(self.env["res.config.settings"].create({}).late_payment_unconfirmed_rates)
