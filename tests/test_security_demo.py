from datetime import timedelta

from odoo import fields
from odoo.tests import TransactionCase, tagged
from odoo.tools.convert import convert_file

from odoo.addons.account_late_payment.demo.late_payment_api_demo import DEMO_API_KEY_DAYS, DEMO_API_KEY_NAME


@tagged("post_install", "-at_install", "late_payment_demo")
class TestDemoApiKey(TransactionCase):
    """Finding 6: the published demo API key expires and an update does not make it again."""

    def test_demo_key_expires_and_is_not_recreated_by_an_update(self):
        keys = self.env["res.users.apikeys"].sudo()
        key = keys.search([("name", "=", DEMO_API_KEY_NAME)])
        self.assertEqual(len(key), 1)
        now = fields.Datetime.now()
        self.assertTrue(now < key.expiration_date <= now + timedelta(days=DEMO_API_KEY_DAYS))
        # an administrator revokes it; an update of the addon loads its demo data file again: no new key
        key.unlink()
        convert_file(self.env, "account_late_payment", "demo/late_payment_api_demo.xml", {}, mode="update")
        self.assertFalse(keys.search([("name", "=", DEMO_API_KEY_NAME)]))
