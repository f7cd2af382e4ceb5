"""Demo data: an API key for the administrator, so that the examples of the external API
(docs/api.md) run against `make demo` as written.

DEMO ONLY: the key is published in docs/api.md. Demo data is never loaded in a production
database (Odoo 19 loads it only with --with-demo); never create such a key anywhere else. It is
made once, when the demo data is installed (its data file is `noupdate`: an update of the addon
does not make it again), and expires DEMO_API_KEY_DAYS days later.
"""

from odoo import api, models
from odoo.tools import SQL

from odoo.addons.base.models.res_users import INDEX_SIZE, KEY_CRYPT_CONTEXT

DEMO_API_KEY = "lpdemo00-public-demo-api-key-do-not-use-in-production"
DEMO_API_KEY_NAME = "Late payments demo (public key, demo only)"
DEMO_API_KEY_DAYS = 30


class LatePaymentDemo(models.AbstractModel):
    _inherit = "late.payment.demo"

    @api.model
    def _generate_api_key(self):
        """The administrator's published demo API key (once, expiring)."""
        admin = self.env.ref("base.user_admin")
        keys = self.env["res.users.apikeys"].sudo()
        if keys.search_count([("user_id", "=", admin.id), ("name", "=", DEMO_API_KEY_NAME)]):
            return
        self.env.cr.execute(SQL(
            "INSERT INTO %s (name, user_id, scope, expiration_date, key, index) "
            "VALUES (%s, %s, NULL, now() at time zone 'UTC' + make_interval(days => %s), %s, %s)",
            SQL.identifier(keys._table), DEMO_API_KEY_NAME, admin.id, DEMO_API_KEY_DAYS,
            KEY_CRYPT_CONTEXT.hash(DEMO_API_KEY), DEMO_API_KEY[:INDEX_SIZE]))
