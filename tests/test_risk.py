from unittest.mock import patch

from odoo.exceptions import AccessError, ValidationError
from odoo.fields import Command
from odoo.tests import Form, new_test_user, tagged

from .common import LatePaymentCommon, day

TODAY = day(120)


class RiskCommon(LatePaymentCommon):
    """Customers with a payment history, scored on TODAY."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.classes = cls.env["late.payment.risk.class"].search([("company_id", "=", cls.company.id)])
        cls.low, cls.medium, cls.high, cls.critical = cls.classes.sorted("min_score")
        cls.customer.write({"is_company": True, "name": "Menuiserie Exemple"})

    @classmethod
    def _customer(cls, name):
        return cls.env["res.partner"].create({"name": name, "is_company": True})

    @classmethod
    def _invoice_due(cls, amount, due, invoice_date=None, partner=None):
        return cls._create_invoice_one_line(
            price_unit=amount, tax_ids=[], invoice_date=invoice_date or due, invoice_date_due=due,
            invoice_payment_term_id=False, partner_id=partner or cls.customer, post=True)

    @classmethod
    def _settled(cls, amount, due, paid_on, partner=None):
        invoice = cls._invoice_due(amount, due, invoice_date=min(due, paid_on), partner=partner)
        cls._register_payment(invoice, amount=amount, payment_date=paid_on)
        return invoice

    def _score(self, partners=None, today=TODAY):
        partners = partners or self.customer
        with self._at(today):
            partners.action_late_payment_compute_risk()
        return self.dossiers.search([("partner_id", "in", partners.ids), ("company_id", "=", self.company.id)])

    @staticmethod
    def _factors(dossier):
        return {factor.code: factor for factor in dossier.risk_factor_ids}


@tagged("post_install", "-at_install")
class TestRiskScore(RiskCommon):

    def _late_payer(self):
        """docs/design.md's formula by hand: 3 invoices settled (30 and 60 days late, one early), one
        of 5,000 overdue that reached the formal notice."""
        self.company.account_use_credit_limit = True
        self.customer.with_company(self.company).credit_limit = 10000.0
        self._settled(1000.0, day(0), day(30))
        self._settled(3000.0, day(10), day(70))
        self._settled(1000.0, day(60), day(57))
        overdue = self._invoice_due(5000.0, day(80), invoice_date=day(50))
        self._reach(self._receivable_lines(overdue), self.formal, day(115))
        return overdue

    def test_hand_computed_score(self):
        self._late_payer()
        dossier = self._score()
        factors = self._factors(dossier)
        self.assertEqual(list(factors), ["days_late", "late_share", "exposure_credit_limit", "level", "incidents"])
        # the invoice of 5,000 still open counts with the 40 days late it reached (docs/design.md):
        # (1000 x 30 + 3000 x 60 + 1000 x 0 + 5000 x 40) / 10000 = 41 days -> 40 x 41 / 60 = 27.33 points
        self.assertAlmostEqual(factors["days_late"].value, 41.0)
        self.assertAlmostEqual(factors["days_late"].points, 27.3333, places=3)
        self.assertEqual(factors["days_late"].weight, 40.0)
        self.assertEqual(factors["days_late"].value_display, "41.0 days")
        # 3 of 4 late (the open one too) -> 15 of 20
        self.assertAlmostEqual(factors["late_share"].value, 75.0, places=3)
        self.assertAlmostEqual(factors["late_share"].points, 15.0, places=3)
        # 5,000 overdue against a limit of 10,000 -> 10 of 20
        self.assertAlmostEqual(factors["exposure_credit_limit"].value, 50.0)
        self.assertAlmostEqual(factors["exposure_credit_limit"].points, 10.0)
        # the formal notice: 7 of 10
        self.assertEqual(factors["level"].level_id, self.formal)
        self.assertEqual(factors["level"].value_display, self.formal.name)
        self.assertEqual((factors["level"].points, factors["level"].weight), (7.0, 10.0))
        self.assertEqual((factors["incidents"].points, factors["incidents"].weight), (0.0, 10.0))
        self.assertAlmostEqual(dossier.risk_score, 59.3)
        self.assertEqual(dossier.risk_class_id, self.high)
        self.assertFalse(dossier.risk_no_history)
        self.assertEqual(dossier.risk_date, TODAY)
        self.assertEqual(factors["days_late"].name, "Average days paid beyond terms, weighted by amount")
        # on the customer, in this company
        partner = self.customer.with_company(self.company)
        self.assertAlmostEqual(partner.late_payment_risk_score, 59.3)
        self.assertEqual(partner.late_payment_risk_class_id, self.high)
        self.assertEqual(partner.late_payment_risk_factor_ids, dossier.risk_factor_ids)
        self.assertEqual(partner.late_payment_risk_deposit_percent, 30.0)
        found = self.env["res.partner"].search([("late_payment_risk_class_id", "=", self.high.id)])
        self.assertIn(self.customer, found)
        groups = self.env["res.partner"].formatted_read_group(
            [("id", "=", self.customer.id)], ["late_payment_risk_class_id"], ["__count"])
        self.assertEqual(groups[0]["late_payment_risk_class_id"][0], self.high.id)

    def test_exposure_against_monthly_sales_without_limit(self):
        self._late_payer()
        self.company.account_use_credit_limit = False
        factors = self._factors(self._score())
        self.assertNotIn("exposure_credit_limit", factors)
        # 5,000 overdue against 10,000 invoiced in 12 months / 12 = 833.33 a month: 600 % -> all 20 points
        self.assertAlmostEqual(factors["exposure_monthly_sales"].value, 600.0)
        self.assertEqual(factors["exposure_monthly_sales"].points, 20.0)

    def test_paying_later_never_lowers_the_score(self):
        punctual, later = self._customer("A l'heure"), self._customer("En retard")
        for customer, late in ((punctual, 5), (later, 25)):
            self._settled(1000.0, day(0), day(0), partner=customer)
            self._settled(2000.0, day(20), day(20 + late), partner=customer)
            self._settled(1500.0, day(50), day(40), partner=customer)
        dossiers = self._score(punctual | later)
        scores = {dossier.partner_id: dossier.risk_score for dossier in dossiers}
        self.assertGreater(scores[later], scores[punctual])

    def test_no_history(self):
        self._settled(1000.0, day(0), day(30))
        self._settled(1000.0, day(20), day(90))
        dossier = self._score()
        self.assertTrue(dossier.risk_no_history)
        self.assertEqual(dossier.risk_score, 30.0)
        self.assertEqual(dossier.risk_class_id, self.medium)
        factor = dossier.risk_factor_ids
        self.assertEqual((factor.code, factor.value, factor.points, factor.weight), ("no_history", 2.0, 30.0, 30.0))
        self.assertEqual(factor.name, "No payment history: too few invoices settled")
        self.assertTrue(self.customer.with_company(self.company).late_payment_risk_no_history)

    def test_customer_with_nothing_open_gets_a_dossier(self):
        for offset in (0, 20, 40):
            self._settled(800.0, day(offset), day(offset - 5))
        self.assertFalse(self.dossiers.search([("partner_id", "=", self.customer.id)]))
        dossier = self._score()
        self.assertEqual((dossier.status, dossier.amount_due), ("none", 0.0))
        self.assertEqual((dossier.risk_score, dossier.risk_class_id), (0.0, self.low))
        self.assertEqual(dossier.policy_id, self.policy)

    def test_a_new_customer_scores_neutral(self):
        newcomer = self._customer("Nouveau Client")
        with self._at(TODAY):
            newcomer.action_late_payment_compute_risk()
        dossier = self.dossiers.search([("partner_id", "=", newcomer.id)])
        self.assertEqual((dossier.risk_score, dossier.risk_no_history, dossier.risk_class_id),
                         (30.0, True, self.medium))

    def test_class_picks_the_policy_and_logs_changes(self):
        strict_policy = self.policy.copy({"name": "Strict follow-up"})
        self.high.policy_id = strict_policy
        self._late_payer()
        self._settled(10.0, day(100), day(100))  # a fourth invoice settled: still a history
        dossier = self._score()
        self.assertEqual(dossier.risk_class_id, self.high)
        self.assertEqual(dossier.policy_id, strict_policy)
        # the customer's own policy still comes first
        own = self.policy.copy({"name": "Own policy"})
        self.customer.with_company(self.company).late_payment_policy_id = own
        self.assertEqual(self._score().policy_id, own)
        self.customer.with_company(self.company).late_payment_policy_id = False
        # paid everything: the class falls, the note says so, the default policy is back
        overdue = self.env["account.move"].search([("partner_id", "=", self.customer.id),
                                                   ("payment_state", "=", "not_paid")])
        self._register_payment(overdue, payment_date=day(118))
        self.high.warn = True
        dossier = self._score(today=day(130))
        self.assertLess(dossier.risk_score, 50.0)
        self.assertEqual(dossier.policy_id, self.policy)
        notes = dossier.message_ids.mapped("body")
        self.assertTrue(any(f"Risk class: {self.high.name} \u2192 {dossier.risk_class_id.name}" in str(body)
                            for body in notes), notes)

    def test_weights_and_classes_are_configurable(self):
        self._late_payer()
        self.company.write({"late_payment_risk_days_late_points": 30.0, "late_payment_risk_trend_points": 10.0})
        factors = self._factors(self._score())
        self.assertEqual(factors["days_late"].weight, 30.0)
        self.assertEqual(factors["trend"].weight, 10.0)
        for record, vals, message in (
            (self.company, {"late_payment_risk_exposure_points": 30.0}, "add up to more than 100"),
            (self.company, {"late_payment_risk_incident_points": -1.0}, "can be negative"),
            (self.company, {"late_payment_risk_trend_points": 30.0, "late_payment_risk_days_late_points": 10.0},
             "paying later could lower the score"),
            (self.low, {"min_score": 5.0}, "must start at score 0"),
        ):
            with self.assertRaises(ValidationError) as caught:
                record.write(vals)
                self.env.flush_all()
            self.assertIn(message, str(caught.exception))
        self.critical.min_score = 51.0  # 21 + 13.3 + 10 + 7 + no trend (the recent invoice was paid early)
        self.assertEqual(self._score().risk_class_id, self.critical)

    def test_batch_recompute_every_customer(self):
        customers = [self._customer(f"Client {index}") for index in range(6)]
        for index, customer in enumerate(customers):
            for offset in (0, 30, 60):
                self._settled(1000.0, day(offset), day(offset + 10 * index), partner=customer)
        quiet = self._customer("Client sans facture")
        cron = type(self.env["ir.cron"])
        with self._at(TODAY), patch.object(cron, "_commit_progress", return_value=1.0) as progress:
            self.dossiers._cron_risk(batch_size=4)
        self.assertEqual(progress.call_args_list[0].kwargs, {"remaining": 6})
        self.assertEqual([call.args for call in progress.call_args_list[1:]], [(4,), (2,)])
        scored = self.dossiers.search([("partner_id", "in", [c.id for c in customers]), ("risk_date", "=", TODAY)])
        self.assertEqual(len(scored), 6)
        scores = [scored.filtered(lambda d, c=c: d.partner_id == c).risk_score for c in customers]
        self.assertEqual(scores, sorted(scores))
        self.assertEqual(scores[0], 0.0)
        self.assertFalse(self.dossiers.search([("partner_id", "=", quiet.id)]))
        # a rerun the same day has nothing left to do
        with self._at(TODAY), patch.object(cron, "_commit_progress", return_value=1.0) as progress:
            self.dossiers._cron_risk(batch_size=4)
        self.assertEqual(progress.call_args_list, [((), {"remaining": 0})])

    def test_batch_queries_do_not_grow_with_the_customers(self):
        def batch(size, prefix):
            partners = self.env["res.partner"].create([
                {"name": f"{prefix} {index}", "is_company": True} for index in range(size)])
            moves = self.env["account.move"].create([{
                "move_type": "out_invoice", "partner_id": partner.id, "invoice_date": day(offset),
                "invoice_date_due": day(offset + 30), "company_id": self.company.id,
                "invoice_line_ids": [Command.create({"name": "Service", "quantity": 1, "price_unit": 100.0 + offset,
                                                     "tax_ids": [Command.clear()]})],
            } for partner in partners for offset in (0, 40, 80)])
            moves.action_post()
            return partners, moves

        counts = []
        # (sizes kept small: registering the payments runs Odoo's own per-payment reconciliation
        # query, slow on uncommitted rows when PostgreSQL's statistics say the tables are empty)
        for size, prefix in ((4, "Small"), (16, "Large")):
            partners, moves = batch(size, prefix)
            self._register_payment(moves.filtered(lambda m: m.invoice_date < day(80)), payment_date=day(100),
                                   group_payment=False)
            self.env.flush_all()
            with self._at(TODAY):
                self.dossiers._refresh(partners=partners, company=self.company)
                self.env.flush_all()
                self.env.invalidate_all()
                before = self.env.cr.sql_log_count
                dossiers = self.dossiers._compute_risk(self.company, partners=partners)
                self.env.flush_all()
                counts.append(self.env.cr.sql_log_count - before)
            self.assertEqual(len(dossiers.filtered("risk_date")), size)
        self.assertEqual(counts[0], counts[1], counts)
        self.assertLess(counts[1], 40)


@tagged("post_install", "-at_install")
class TestRiskAccess(RiskCommon):

    def test_users_read_admins_configure(self):
        self._settled(1000.0, day(0), day(30))
        self._score()
        user_class = self.high.with_user(self.lp_user)
        self.assertEqual(user_class.name, self.high.name)
        with self.assertRaises(AccessError):
            user_class.write({"deposit_percent": 10.0})
        with self.assertRaises(AccessError):
            self.env["late.payment.risk.class"].with_user(self.lp_user).create(
                {"name": "Mine", "min_score": 90.0, "company_id": self.company.id})
        self.high.with_user(self.lp_admin).deposit_percent = 40.0
        # a user sees the factors and recomputes a customer
        dossier = self.dossiers.with_user(self.lp_user).search([("partner_id", "=", self.customer.id)])
        self.assertTrue(dossier.risk_factor_ids.mapped("name"))
        self.customer.with_user(self.lp_user).action_late_payment_compute_risk()
        with self.assertRaises(AccessError):
            dossier.risk_factor_ids[0].with_user(self.lp_user).write({"points": 0.0})
        # a billing user without the Late payments rights sees no risk
        billing = new_test_user(self.env, login="lp_billing_only", company_id=self.company.id,
                                groups="account.group_account_invoice")
        with self.assertRaises(AccessError):
            self.dossiers.with_user(billing).search([]).mapped("risk_score")
        self.assertNotIn("late_payment_risk_score",
                         self.env["res.partner"].with_user(billing).fields_get(["late_payment_risk_score"]))

    def test_forms_open_for_every_user(self):
        self._late_payer_light()
        billing = new_test_user(self.env, login="lp_billing_views", company_id=self.company.id,
                                groups="account.group_account_invoice")
        for user in (self.lp_user, self.lp_admin, billing):
            with self.subTest(user=user.login):
                partner = self.customer.with_user(user)
                views = partner.get_views([(False, "form"), (False, "list"), (False, "search")])
                form = views["views"]["form"]["arch"]
                self.assertEqual("late_payment_risk_factor_ids" in form, user != billing)
                partner.web_read({"display_name": {}, "credit": {}})
                invoice = self._create_invoice_one_line(price_unit=10.0, partner_id=self.customer, post=False)
                invoice.with_user(user).web_read({"alerts": {}})
        with Form(self.customer.with_user(self.lp_admin)) as form:
            self.assertAlmostEqual(form.late_payment_risk_score, 30.0)

    def _late_payer_light(self):
        self._settled(1000.0, day(0), day(30))
        self._score()

    def test_each_company_has_its_own_classes(self):
        other = self.setup_other_company()["company"]
        classes = self.env["late.payment.risk.class"].search([("company_id", "=", other.id)])
        self.assertEqual(len(classes), 4)
        self.assertEqual(classes.sorted("min_score").mapped("min_score"), [0.0, 25.0, 50.0, 75.0])
        mine = self.env["late.payment.risk.class"].with_user(self.lp_admin).search([])
        self.assertEqual(mine.company_id, self.company)
