"""Security: access first and superuser second on every public method, the reminder log as
evidence, the credit guard, the groups, the bounds of what a user or a caller types."""

import inspect
from datetime import timedelta

from odoo import fields, models
from odoo.exceptions import AccessError, MissingError, UserError
from odoo.fields import Command
from odoo.service.model import get_public_method
from odoo.tests import new_test_user, tagged
from odoo.tools import SQL, mute_logger

from .common import LatePaymentCommon
from .test_api import ApiCommon

MODULE_PREFIX = "odoo.addons.account_late_payment."
# what Odoo's ORM gives every model (create, write, read, name_search, default_get, copy_data...):
# Odoo checks the access of those itself
ORM_METHODS = set(dir(models.BaseModel)) | set(dir(models.TransientModel)) | set(dir(models.AbstractModel))
# the arguments the public methods need (a new method with another required argument makes the
# access-matrix test fail until it is given here)
ARGUMENTS = {
    "reason": "Matrix test",
    "date": "2199-01-01",
    "amount": 10.0,
    "mode": "send",
}
# Methods a Late payments Administrator of another company may call without an access error,
# and why: they act on the caller's own company only (model-level, no record given) or on
# public data. The test still checks that nothing of the other company changed.
OWN_COMPANY = {
    "late.payment.dashboard.action_open": "opens the dashboard of the caller's own company",
    "late.payment.reminder.action_run_now": "runs the follow-up of the caller's own company",
    "late.payment.reminder.action_print_day_letters": "prints the letters of the caller's own company",
    "late.payment.reminder.late_payment_letter_queue_summary": "counts the letters of the caller's own company",
    "res.company.late_payment_go_live_banner": "says whether the caller's own company has started",
}
NOT_CALLED_FOR_OTHER_COMPANY = {
    # the reference rates are one table for every company, filled from the ECB's public data
    # (a network call): a Late payments Administrator of any company may refresh them
    "late.payment.rate.action_refresh_ecb_rates",
}


def public_methods(env):
    """{model: [method names]}: every public method the addon defines on a model (its own or
    one it extends), as RPC sees them: not starting with `_`, not private, not the ORM's."""
    found = {}
    for name in env.registry:
        cls = type(env[name])
        for klass in cls.__mro__:
            if not klass.__module__.startswith(MODULE_PREFIX):
                continue
            for attr, value in vars(klass).items():
                if attr.startswith("_") or attr in ORM_METHODS or not inspect.isfunction(value):
                    continue
                try:
                    get_public_method(env[name], attr)
                except AccessError:
                    continue
                found.setdefault(name, set()).add(attr)
    return {name: sorted(methods) for name, methods in sorted(found.items())}


class SecurityCommon(LatePaymentCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._reachable_customer()
        cls.today = fields.Date.context_today(cls.env["res.partner"])
        cls.company_b = cls.setup_other_company()["company"]
        cls.customer.company_id = cls.company
        old = cls.today - timedelta(days=40)
        cls.inv_dispute = cls._invoice(100.0, invoice_date=old)
        cls.inv_plan = cls._invoice(200.0, invoice_date=old)
        cls.inv_promise = cls._invoice(300.0, invoice_date=old)
        cls.inv_free = cls._invoice(400.0, invoice_date=old)
        cls.dossiers._refresh(partners=cls.customer, company=cls.company)
        cls.dossier = cls.dossiers.search([("partner_id", "=", cls.customer.id), ("company_id", "=", cls.company.id)])
        cls.promise = cls.env["late.payment.promise"].browse(
            cls.customer.late_payment_promise(cls.today + timedelta(days=10), 100.0, [cls.inv_promise.id]))
        cls.dispute = cls.env["late.payment.dispute"].browse(cls.inv_dispute.late_payment_dispute("Wrong quantity"))
        cls.plan = cls.env["late.payment.plan"]._create_plan(
            cls.customer, [cls.inv_plan.id], 2, cls.today + timedelta(days=30))
        cls.reminder = cls.env["late.payment.reminder"].sudo().create({
            "partner_id": cls.customer.id, "company_id": cls.company.id, "dossier_id": cls.dossier.id,
            "level_id": cls.firm.id, "amount_total": 1000.0, "channel_letter": True, "letter_state": "queued",
            "letter_body": "<p>Please pay.</p>", "recipient_id": cls.customer.id, "user_id": cls.lp_user.id,
        })
        cls.tone_a = cls.env["late.payment.tone"].sudo().create({
            "company_id": cls.company.id, "name": "Company A tone", "severity": 5,
            "letter_body": "<p>Dear customer, please pay.</p>"}).sudo(False)
        cls.admin_b = new_test_user(
            cls.env, login="lp_sec_admin_b", company_id=cls.company_b.id,
            company_ids=[Command.set(cls.company_b.ids)],
            groups="account.group_account_invoice,account_late_payment.group_late_payment_admin")
        cls.portal = new_test_user(cls.env, login="lp_sec_portal", groups="base.group_portal")
        cls.portal.partner_id.parent_id = cls.customer
        cls.billing = new_test_user(cls.env, login="lp_sec_billing", company_id=cls.company.id,
                                    groups="account.group_account_invoice")

    def _age(self, records):
        """As if `records` had been made in an earlier transaction (the one that sent them)."""
        self.env.flush_all()
        self.env.cr.execute(SQL("UPDATE %s SET create_date = create_date - interval '1 day' WHERE id = ANY(%s)",
                                SQL.identifier(records._table), records.ids))
        records.invalidate_recordset()


@tagged("post_install", "-at_install")
class TestAccessMatrix(SecurityCommon):
    """Every public method of the addon, called by a user of another company and by a portal
    user (the customer's own contact) on the records of a company: an access error, nothing done."""

    def _records(self):
        """Records of company A of each model that has public methods."""
        env = self.env
        dashboard = env["late.payment.dashboard"].with_company(self.company).create({})
        return {
            "account.move": self.inv_free,
            "res.partner": self.customer,
            "late.payment.dossier": self.dossier,
            "late.payment.reminder": self.reminder,
            "late.payment.promise": self.promise,
            "late.payment.dispute": self.dispute,
            "late.payment.plan": self.plan,
            "late.payment.rate": env["late.payment.rate"].search([], limit=1),
            "late.payment.risk.class": env["late.payment.risk.class"].search(
                [("company_id", "=", self.company.id)], limit=1),
            "late.payment.dashboard": dashboard,
            "late.payment.dashboard.customer": dashboard.customer_ids[:1],
            "late.payment.penalty.invoice.wizard": env["late.payment.penalty.invoice.wizard"].with_company(
                self.company).create({"move_ids": [Command.set(self.inv_free.ids)]}),
            "late.payment.call.wizard": env["late.payment.call.wizard"].create(
                {"dossier_ids": [Command.set(self.dossier.ids)], "outcome": "no_answer"}),
            "late.payment.postpone.wizard": env["late.payment.postpone.wizard"].create(
                {"dossier_ids": [Command.set(self.dossier.ids)], "date": self.today + timedelta(days=5)}),
            "late.payment.exclude.wizard": env["late.payment.exclude.wizard"].create({
                "dossier_id": self.dossier.id, "reason": "Matrix",
                "line_ids": [Command.set(self._receivable_lines(self.inv_free).ids)]}),
            "late.payment.formal.notice.wizard": env["late.payment.formal.notice.wizard"].create(
                {"dossier_id": self.dossier.id, "reference": "RR 1"}),
            "late.payment.promise.wizard": env["late.payment.promise.wizard"].with_company(self.company).create({
                "partner_id": self.customer.id, "date": self.today + timedelta(days=5), "amount": 10.0,
                "move_ids": [Command.set(self.inv_free.ids)]}),
            "late.payment.dispute.wizard": env["late.payment.dispute.wizard"].create(
                {"move_ids": [Command.set(self.inv_free.ids)], "reason": "Matrix"}),
            "late.payment.plan.wizard": env["late.payment.plan.wizard"].with_company(self.company).create({
                "partner_id": self.customer.id, "move_ids": [Command.set(self.inv_free.ids)],
                "instalment_count": 2}),
            "late.payment.reminder.cancel.wizard": env["late.payment.reminder.cancel.wizard"].create(
                {"reminder_ids": [Command.set(self.reminder.ids)], "reason": "Matrix"}),
            "late.payment.send.wizard": env["late.payment.send.wizard"].with_company(self.company).create(
                {"dossier_ids": [Command.set(self.dossier.ids)]}),
            "late.payment.go.live.wizard": env["late.payment.go.live.wizard"].with_company(self.company).create(
                {"company_id": self.company.id}),
            "late.payment.access.link": env["late.payment.access.link"]._link(self.customer, self.company),
            "res.company": self.company,
            "res.config.settings": env["res.config.settings"].with_company(self.company).create({}),
        }

    def _fingerprint(self):
        """The row versions of company A's follow-up, invoices and customer, and the count of
        messages: any change done (not rolled back) changes it."""
        self.env.flush_all()
        cr = self.env.cr
        result = {}
        for table in ("late_payment_dossier", "late_payment_reminder", "late_payment_promise",
                      "late_payment_dispute", "late_payment_plan", "late_payment_plan_line", "account_move",
                      "account_move_line", "late_payment_tone", "late_payment_risk_class"):
            cr.execute(SQL("SELECT id, ctid::text FROM %s WHERE company_id = %s ORDER BY id",
                           SQL.identifier(table), self.company.id))
            result[table] = cr.fetchall()
        cr.execute(SQL("SELECT id, ctid::text FROM res_partner WHERE id = %s", self.customer.id))
        result["res_partner"] = cr.fetchall()
        cr.execute("SELECT id, ctid::text FROM late_payment_rate ORDER BY id")
        result["late_payment_rate"] = cr.fetchall()
        cr.execute("SELECT count(*) FROM mail_message")
        result["mail_message"] = cr.fetchall()
        return result

    def _call(self, records, user, method):
        function = getattr(records.with_user(user), method)
        signature = inspect.signature(function)
        kwargs = {}
        for name, parameter in signature.parameters.items():
            if parameter.default is inspect.Parameter.empty and parameter.kind in (
                    parameter.POSITIONAL_OR_KEYWORD, parameter.KEYWORD_ONLY):
                self.assertIn(name, ARGUMENTS, f"{records._name}.{method}: give the test a value for {name!r}")
                kwargs[name] = ARGUMENTS[name]
        return function(**kwargs)

    def test_the_matrix_covers_the_known_entry_points(self):
        methods = public_methods(self.env)
        for key in ("late.payment.dossier.action_send_reminder", "res.partner.action_late_payment_check_company_status",
                    "res.partner.action_late_payment_compute_risk", "late.payment.rate.action_refresh_ecb_rates",
                    "res.partner.late_payment_status", "account.move.late_payment_penalties"):
            model, method = key.rsplit(".", 1)
            self.assertIn(method, methods.get(model, []), key)
        # private methods are not reachable over RPC
        for model, method in (("late.payment.dossier", "_late_payment_email_body"),
                              ("late.payment.reminder", "_letter_data")):
            with self.assertRaises(AccessError):
                get_public_method(self.env[model], method)

    @mute_logger("odoo.models", "odoo.addons.base.models.ir_rule", "odoo.models.unlink")
    def test_every_public_method_checks_access(self):
        methods = public_methods(self.env)
        records = self._records()
        missing = sorted(set(methods) - set(records))
        self.assertFalse(missing, f"give the access-matrix test records of: {missing}")
        checked = 0
        for model, names in methods.items():
            for method in names:
                key = f"{model}.{method}"
                for user in (self.admin_b, self.portal):
                    if user == self.admin_b and key in NOT_CALLED_FOR_OTHER_COMPANY:
                        continue
                    with self.subTest(method=key, user=user.login):
                        before = self._fingerprint()
                        if user == self.admin_b and key in OWN_COMPANY:
                            try:
                                with self.env.cr.savepoint():
                                    self._call(records[model].browse() if getattr(
                                        getattr(type(self.env[model]), method), "_api_model", False)
                                        else records[model], user, method)
                                    self.assertEqual(self._fingerprint(), before, key)
                            except UserError as error:  # refused, or nothing to do in its own company
                                self.assertTrue(str(error))
                        else:
                            # the external API reports another company's records as missing
                            refused = None
                            try:
                                with self.env.cr.savepoint():
                                    self._call(records[model], user, method)
                            except (AccessError, MissingError) as error:
                                refused = error
                            self.assertIsNotNone(refused, f"{key} is not refused")
                        self.assertEqual(self._fingerprint(), before, key)
                        checked += 1
        self.assertGreater(checked, 60)

    def test_send_reminder_of_another_company_is_refused(self):
        """Finding 1: a user of company B sent a reminder for a dossier of company A."""
        lp_b = new_test_user(self.env, login="lp_sec_user_b", company_id=self.company_b.id,
                             company_ids=[Command.set((self.company | self.company_b).ids)],
                             groups="account_late_payment.group_late_payment_user")
        count = self.env["late.payment.reminder"].search_count([("partner_id", "=", self.customer.id)])
        # a user of both companies working in company B only: company A's dossier is out of reach
        with self.assertRaises(AccessError):
            self.dossier.with_user(lp_b).with_context(allowed_company_ids=self.company_b.ids).action_send_reminder()
        with self.assertRaises(AccessError):
            self.dossier.with_user(self.admin_b).action_send_reminder()
        self.assertEqual(self.env["late.payment.reminder"].search_count([("partner_id", "=", self.customer.id)]),
                         count)

    def test_company_status_lookup_needs_access_and_the_setting(self):
        """Finding 1: the company-status button ignored the caller and the setting."""
        params = self.env["ir.config_parameter"].sudo()
        params.set_param("account_late_payment.status_lookup", False)
        self.customer.company_registry = "81234567600017"
        with self.assertRaises(AccessError):
            self.customer.with_user(self.admin_b).action_late_payment_check_company_status()
        with self.assertRaisesRegex(UserError, "company status lookup is turned off"):
            self.customer.with_user(self.lp_user).action_late_payment_check_company_status()
        self.assertFalse(self.customer.late_payment_status_checked_on)

    def test_compute_risk_and_ecb_refresh_need_access(self):
        """Finding 1: the risk button and the ECB refresh worked in sudo for anyone."""
        with self.assertRaises(AccessError):
            self.customer.with_user(self.portal).action_late_payment_compute_risk()
        with self.assertRaises(AccessError):
            self.customer.with_user(self.admin_b).action_late_payment_compute_risk()
        with self.assertRaises(AccessError):
            self.env["late.payment.rate"].with_user(self.lp_user).action_refresh_ecb_rates()

    def test_private_documents_need_access(self):
        """Finding 1: the letter's and the email's data were read in sudo for anyone."""
        with self.assertRaises(AccessError):
            self.reminder.with_user(self.admin_b)._letter_data()
        with self.assertRaises(AccessError):
            self.dossier.with_user(self.admin_b)._late_payment_email_body()
        data = self.reminder.with_user(self.lp_user)._letter_data()
        self.assertEqual(data["lines"], self.env["late.payment.reminder.line"])


@tagged("post_install", "-at_install")
class TestReminderLog(SecurityCommon):
    """Finding 2: the reminder log is evidence."""

    def test_sent_reminder_cannot_be_changed_by_anyone(self):
        self._age(self.reminder)
        for env in (self.env(user=self.lp_user), self.env(user=self.lp_admin), self.env(su=True)):
            for vals in ({"amount_total": 1.0}, {"date": "2020-01-01"}, {"result": "failed"},
                         {"recipient_id": self.lp_admin.partner_id.id}, {"user_id": self.lp_admin.id},
                         {"letter_body": "<p>Another text</p>"}, {"note": "rewritten"}):
                with self.subTest(user=env.user.login, vals=vals), \
                        self.assertRaisesRegex(UserError, "A reminder that was sent is evidence"):
                    self.reminder.with_env(env).write(vals)
        self.reminder.invalidate_recordset()
        self.assertEqual((self.reminder.amount_total, self.reminder.result, self.reminder.user_id),
                         (1000.0, "sent", self.lp_user))
        # printing it is no change of the evidence
        self.reminder.with_user(self.lp_user).action_print_letters()
        self.assertEqual(self.reminder.letter_state, "printed")

    def test_a_correction_is_a_cancellation_with_who_and_why(self):
        self._age(self.reminder)
        with self.assertRaises(AccessError):
            self.reminder.with_user(self.lp_user).action_late_payment_cancel()
        action = self.reminder.with_user(self.lp_admin).action_late_payment_cancel()
        wizard = self.env[action["res_model"]].with_user(self.lp_admin).with_context(**action["context"]).create(
            {"reason": "Sent to the wrong address"})
        wizard.action_confirm()
        self.assertEqual(self.reminder.log_state, "cancelled")
        self.assertEqual(self.reminder.cancelled_by_id, self.lp_admin)
        self.assertEqual(self.reminder.cancel_reason, "Sent to the wrong address")
        self.assertTrue(self.reminder.cancelled_on)
        self.assertEqual(self.reminder.amount_total, 1000.0)  # the evidence as it was
        self.assertIn("cancelled by", self.reminder.message_ids[0].body)
        with self.assertRaisesRegex(UserError, "already cancelled"):
            self.reminder.with_user(self.lp_admin)._cancel("Again")
        with self.assertRaisesRegex(UserError, "evidence"):
            self.reminder.with_user(self.lp_admin).write({"log_state": "valid"})

    def test_letter_body_is_sanitized(self):
        reminder = self.env["late.payment.reminder"].sudo().create({
            "partner_id": self.customer.id, "company_id": self.company.id, "level_id": self.firm.id,
            "letter_body": '<p>Pay<img src="x" onerror="alert(1)"><script>alert(2)</script></p>',
        })
        self.assertNotIn("onerror", reminder.letter_body)
        self.assertNotIn("script", reminder.letter_body)
        self.assertIn("<p>Pay", reminder.letter_body)


@tagged("post_install", "-at_install")
class TestCreditGuardBypass(SecurityCommon):
    """Finding 3: the credit guard cannot be skipped from the client."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write({"account_use_credit_limit": True, "late_payment_credit_guard": True})
        cls.customer.with_company(cls.company).credit_limit = 100.0

    def _draft(self, **values):
        return self._invoice(50.0, invoice_date=self.today, post=False, **values)

    def test_cron_context_from_a_billing_user_is_refused(self):
        draft = self._draft()
        with self.assertRaisesRegex(UserError, "cannot be posted"):
            draft.with_user(self.billing).with_context(cron_id=1).action_post()
        self.assertEqual(draft.state, "draft")

    def test_auto_post_setting_does_not_skip_the_guard(self):
        draft = self._draft()
        draft.auto_post = "at_date"
        with self.assertRaisesRegex(UserError, "cannot be posted"):
            draft.with_user(self.billing).action_post()
        self.assertEqual(draft.state, "draft")


@tagged("post_install", "-at_install")
class TestGroups(SecurityCommon):
    """Finding 4: the administrator group, shared tones, the rates, waiving penalties."""

    def test_administrator_implies_the_user_only(self):
        admin_group = self.env.ref("account_late_payment.group_late_payment_admin")
        implied = admin_group.all_implied_ids
        self.assertIn(self.env.ref("account_late_payment.group_late_payment_user"), implied)
        self.assertNotIn(self.env.ref("account.group_account_manager"), implied)
        self.assertNotIn(self.env.ref("mail.group_mail_template_editor"), implied)

    def test_shared_tones_and_rates_are_for_system_administrators(self):
        shared = self.tone["courteous"]
        self.assertFalse(shared.company_id)
        with self.assertRaises(AccessError):
            shared.with_user(self.lp_admin).write({"severity": 99})
        self.tone_a.with_user(self.lp_admin).write({"name": "Our own tone"})
        self.assertEqual(self.tone_a.name, "Our own tone")
        shared.with_user(self.env.ref("base.user_admin")).write({"severity": 11})
        self.assertEqual(shared.severity, 11)
        rate = self.env["late.payment.rate"].search([], limit=1)
        with self.assertRaises(AccessError):
            rate.with_user(self.lp_admin).write({"rate": 9.0})

    def test_tone_placeholders_keep_the_template_restrictions(self):
        self.env["ir.config_parameter"].sudo().set_param("mail.restrict.template.rendering", True)
        self.assertFalse(self.lp_admin.has_group("mail.group_mail_template_editor"))
        with self.assertRaises(AccessError):
            self.tone_a.with_user(self.lp_admin).write(
                {"letter_body": '<p><t t-out="object.env[\'res.users\'].sudo().search([])"/></p>'})

    def test_waiving_penalties_needs_the_administrator(self):
        editor = new_test_user(self.env, login="lp_sec_editor", company_id=self.company.id, groups=(
            "account.group_account_invoice,base.group_partner_manager,account_late_payment.group_late_payment_user"))
        self.customer.with_user(editor).write({"phone": "+33 1 23 45 67 89"})  # the contact is editable
        with self.assertRaises(AccessError):
            self.customer.with_user(editor).with_company(self.company).write(
                {"late_payment_waive_penalties": True})
        self.customer.with_user(self.lp_admin).with_company(self.company).write({"late_payment_waive_penalties": True})
        self.assertTrue(self.customer.with_company(self.company).late_payment_waive_penalties)


@tagged("post_install", "-at_install")
class TestBounds(SecurityCommon):
    """Finding 5: dates, amounts, instalments and texts out of range get a clear error."""

    def test_dates_out_of_range(self):
        with self.assertRaisesRegex(UserError, "out of range: give a date between 1900-01-01 and 2199-12-31"):
            self.customer.with_user(self.lp_user).late_payment_promise("9999-12-31", 10.0, [self.inv_free.id])
        with self.assertRaisesRegex(UserError, "out of range"):
            self.inv_free.with_user(self.lp_user).late_payment_penalties(at_date="9999-12-31")
        with self.assertRaisesRegex(UserError, "out of range"):
            self.customer.with_user(self.lp_user).late_payment_status(at_date="1899-12-31")
        with self.assertRaisesRegex(UserError, "out of range"):
            self.env["late.payment.plan"].with_user(self.lp_user)._create_plan(
                self.customer, [self.inv_free.id], 2, "9999-12-31")
        with self.assertRaisesRegex(UserError, "out of range"):
            self.dossier.with_user(self.lp_user)._postpone(fields.Date.to_date("9999-12-31"))
        self.assertFalse(self.dossier.postponed_until)

    def test_amounts_instalments_and_texts_out_of_range(self):
        promise = self.customer.with_user(self.lp_user)
        with self.assertRaisesRegex(UserError, "out of range: it must be less than"):
            promise.late_payment_promise(self.today + timedelta(days=3), 1e30, [self.inv_free.id])
        with self.assertRaisesRegex(UserError, "must be a number"):
            promise.late_payment_promise(self.today + timedelta(days=3), float("inf"), [self.inv_free.id])
        plans = self.env["late.payment.plan"].with_user(self.lp_user)
        for count in (10 ** 6, 1e300, float("inf")):
            with self.assertRaisesRegex(UserError, "at most 120 instalments|at least one instalment"):
                plans._create_plan(self.customer, [self.inv_free.id], count,
                                                self.today + timedelta(days=3))
        with self.assertRaisesRegex(UserError, "too long: at most 10000 characters"):
            promise.late_payment_promise(self.today + timedelta(days=3), 10.0, [self.inv_free.id],
                                         "x" * 10001)
        with self.assertRaisesRegex(UserError, "too long: at most 256 characters"):
            self.inv_free.with_user(self.lp_user).late_payment_dispute("x" * 257)
        self.assertFalse(self.inv_free.late_payment_disputed)
        self.assertEqual(self.env["late.payment.promise"].search_count(
            [("partner_id", "=", self.customer.id), ("move_ids", "in", self.inv_free.ids)]), 0)


@tagged("post_install", "-at_install")
class TestApiBounds(ApiCommon):
    """Finding 5 through the external API: a date or an amount out of range is an HTTP 422 with
    a clear message, not an error 500."""

    def test_out_of_range_is_422(self):
        client = self.client()
        self.assertRefused(lambda: client.penalties([self.late.id], at_date="9999-12-31"), 422,
                           "out of range: give a date between 1900-01-01 and 2199-12-31")
        self.assertRefused(lambda: client.status([self.customer.id], at_date="0001-01-01"), 422, "out of range")
        promised = (self.today + timedelta(days=5)).isoformat()
        self.assertRefused(lambda: client.promise(self.customer.id, "9999-12-31", 10.0), 422, "out of range")
        self.assertRefused(lambda: client.promise(self.customer.id, promised, 1e30), 422,
                           "out of range: it must be less than")
        self.assertFalse(self.env["late.payment.promise"].search([("partner_id", "=", self.customer.id)]))
