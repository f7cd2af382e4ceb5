from lxml import etree

from odoo.tests import tagged
from odoo.tools.safe_eval import safe_eval

from odoo.addons.account.tests.common import AccountTestInvoicingCommon


@tagged("post_install", "-at_install")
class TestViews(AccountTestInvoicingCommon):
    """Every window action of the addon opens: its views load and its first page of records
    can be read the way the web client reads it (domain, context, default order)."""

    @classmethod
    def get_default_groups(cls):
        return super().get_default_groups() | cls.env.ref("account_late_payment.group_late_payment_admin")

    def test_every_action_opens(self):
        # something to list: empty results would hide a bad order or domain
        self._create_invoice_one_line(price_unit=500.0, partner_id=self.partner_a, invoice_date="2026-01-10",
                                      invoice_payment_term_id=self.pay_terms_a, post=True)
        actions = self.env["ir.actions.act_window"].search([
            ("id", "in", self.env["ir.model.data"].search([
                ("module", "=", "account_late_payment"), ("model", "=", "ir.actions.act_window"),
            ]).mapped("res_id")),
        ])
        self.assertTrue(actions)
        for action in actions:
            with self.subTest(action=action.name):
                model = self.env[action.res_model].with_context(**safe_eval(action.context or "{}"))
                # the views the web client asks for: the action's own (view_id first)
                views = model.get_views([(view_id or False, view_type) for view_id, view_type in action.views])
                view_types = [view_type for _view_id, view_type in action.views]
                if "list" not in view_types or action.target == "new":
                    continue
                arch = etree.fromstring(views["views"]["list"]["arch"])
                fields = {node.get("name"): {} for node in arch.iter("field")
                          if node.get("name") in model._fields}
                domain = safe_eval(action.domain or "[]")
                order = arch.get("default_order")
                model.web_search_read(domain, fields, order=order, limit=80)
