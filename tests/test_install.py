from odoo.tests import Form, new_test_user, tagged
from odoo.tools import mute_logger
from odoo.tools.safe_eval import safe_eval

from odoo.addons.account.tests.common import AccountTestInvoicingCommon


@tagged("post_install", "-at_install")
class TestInstall(AccountTestInvoicingCommon):
    """What the foundation gives every later feature: groups, menus and the settings block."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.group_user = cls.env.ref("account_late_payment.group_late_payment_user")
        cls.group_admin = cls.env.ref("account_late_payment.group_late_payment_admin")
        cls.lp_user = new_test_user(cls.env, login="lp_user", groups="account_late_payment.group_late_payment_user",
                                    company_id=cls.env.company.id)
        cls.lp_admin = new_test_user(cls.env, login="lp_admin", groups="account_late_payment.group_late_payment_admin",
                                     company_id=cls.env.company.id)
        cls.lp_sysadmin = new_test_user(cls.env, login="lp_sysadmin", company_id=cls.env.company.id,
                                        groups="account_late_payment.group_late_payment_admin,base.group_system,"
                                               "account.group_account_manager")
        cls.billing = new_test_user(cls.env, login="lp_billing", groups="account.group_account_invoice",
                                    company_id=cls.env.company.id)

    def test_groups_imply_odoo_accounting_groups(self):
        self.assertEqual(self.group_user.privilege_id, self.group_admin.privilege_id)
        self.assertEqual(self.group_user.privilege_id.name, "Late payments")
        self.assertTrue(self.lp_user.has_group("account.group_account_invoice"))
        self.assertFalse(self.lp_user.has_group("account.group_account_manager"))
        self.assertTrue(self.lp_admin.has_group("account_late_payment.group_late_payment_user"))
        # configuring the follow-up is no accounting administration, nor template editing
        self.assertFalse(self.lp_admin.has_group("account.group_account_manager"))
        self.assertFalse(self.lp_admin.has_group("mail.group_mail_template_editor"))
        self.assertTrue(self.env.ref("base.user_admin").has_group("account_late_payment.group_late_payment_admin"))

    def _visible_menus(self, user):
        return self.env["ir.ui.menu"].with_user(user)._visible_menu_ids()

    def test_menus_follow_the_groups(self):
        followups = self.env.ref("account_late_payment.menu_late_payment_followups")
        config = self.env.ref("account_late_payment.menu_late_payment_config")
        self.assertEqual(followups.parent_id, self.env.ref("account.menu_finance_receivables"))
        self.assertEqual(config.parent_id, self.env.ref("account.menu_finance_configuration"))
        self.assertIn(followups.id, self._visible_menus(self.lp_user))
        self.assertNotIn(config.id, self._visible_menus(self.lp_user))
        self.assertIn(followups.id, self._visible_menus(self.lp_admin))
        self.assertNotIn(followups.id, self._visible_menus(self.billing))
        # one Follow-up section of four entries under Invoicing > Customers, the console first
        self.assertEqual(followups.child_id.sorted("sequence").mapped("name"),
                         ["Console", "Reminders sent", "Promises and plans", "Dashboard"])
        self.assertFalse(self.env["ir.ui.menu"].search([
            ("parent_id", "=", self.env.ref("account.menu_finance_receivables").id),
            ("id", "in", self.env["ir.model.data"].search([
                ("module", "=", "account_late_payment"), ("model", "=", "ir.ui.menu")]).mapped("res_id")),
            ("id", "!=", followups.id)]))
        self.assertEqual(config.name, "Follow-up")
        self.assertIn("Tones", config.child_id.mapped("name"))
        # the settings page is Odoo's: reachable by the system administrators
        settings = self.env.ref("account_late_payment.menu_late_payment_settings")
        self.assertIn(config.id, self._visible_menus(self.lp_sysadmin))
        self.assertIn(settings.id, self._visible_menus(self.lp_sysadmin))
        # it opens Invoicing's settings at the Late payments block
        self.assertEqual(settings.action.url, "/odoo/settings#late_payment_go_live")

    def test_followups_action_lists_customers_who_owe(self):
        invoice = self._create_invoice_one_line(price_unit=250.0, partner_id=self.partner_a, post=True)
        self.assertEqual(invoice.amount_residual, 250.0)
        self.env.cr.flush()  # the follow-up state is refreshed before the transaction commits
        menu = self.env.ref("account_late_payment.menu_late_payment_console")
        self.assertEqual(menu.parent_id, self.env.ref("account_late_payment.menu_late_payment_followups"))
        self.assertEqual(menu.action, self.env.ref("account_late_payment.action_late_payment_console"))
        action = self.env["ir.actions.act_window"]._for_xml_id("account_late_payment.action_late_payment_console")
        self.assertEqual(action["res_model"], "late.payment.dossier")
        owing = self.env["late.payment.dossier"].with_user(self.lp_user).search(safe_eval(action["domain"] or "[]"))
        self.assertIn(self.partner_a, owing.partner_id)
        self.assertNotIn(self.partner_b, owing.partner_id)
        self.assertEqual(owing.filtered(lambda d: d.partner_id == self.partner_a).amount_due, 250.0)

    def test_settings_block_is_per_company(self):
        other = self.setup_other_company()["company"]
        self.lp_sysadmin.write({"company_ids": [(4, other.id)]})
        # (the test company's cash-basis taxes make an unrelated settings onchange warn)
        with mute_logger("odoo.tests.form.onchange"):
            settings = Form(self.env["res.config.settings"].with_user(self.lp_sysadmin))
            settings.late_payment_copy_salesperson = True
            settings.save().execute()
        self.assertTrue(self.env.company.late_payment_copy_salesperson)
        self.assertFalse(other.late_payment_copy_salesperson)
