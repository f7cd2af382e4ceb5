"""The customer's signed link to its page (see controllers/customer_page.py and docs/design.md).

One link per customer (commercial partner) and company is in force at a time. Its token is
32 random bytes (`secrets.token_urlsafe`), never searched for: the page's URL carries the link's
id and its token, the token is compared in constant time (`consteq`), so it can be neither
guessed nor found by timing. A link expires LINK_VALIDITY_DAYS after the last reminder, letter
or statement that carried it; a revoked or expired link opens nothing, and the next document
carries a new one (a new token).
"""

import secrets
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import consteq

from .access import check_group, check_records

LINK_VALIDITY_DAYS = 90
USER_GROUP = "account_late_payment.group_late_payment_user"
ROUTE = "/late-payment/page"


class LatePaymentAccessLink(models.Model):
    """A signed link that opens a customer's page in one company without a login."""

    _name = "late.payment.access.link"
    _description = "Customer page link"
    _order = "id desc"
    _check_company_auto = True

    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, readonly=True, index=True, ondelete="cascade")
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True, ondelete="cascade")
    # read by the addon's own code only (sudo), to print it in the documents it sends
    token = fields.Char(required=True, readonly=True, copy=False, groups="base.group_system")
    date_expiry = fields.Date(string="Valid until", required=True, readonly=True)
    active = fields.Boolean(default=True, readonly=True)
    revoked = fields.Boolean(readonly=True)
    revoked_by_id = fields.Many2one("res.users", string="Revoked by", readonly=True)
    revoked_on = fields.Datetime(string="Revoked on", readonly=True)
    last_opened = fields.Datetime(string="Last opened", readonly=True)
    open_count = fields.Integer(string="Times opened", readonly=True)

    _active_link_uniq = models.UniqueIndex(
        "(partner_id, company_id) WHERE active", "A customer has one link in force per company.")

    @api.depends("partner_id", "company_id")
    def _compute_display_name(self):
        for link in self:
            link.display_name = self.env._("Page of %(customer)s (%(company)s)",
                                           customer=link.partner_id.display_name, company=link.company_id.name)

    # -- the addon's own code (sudo) -------------------------------------------------------------
    @api.model
    def _late_payment_link(self, partner, company):
        """The link in force of `partner` (its commercial partner) in `company`, valid for
        LINK_VALIDITY_DAYS more days from today: the one in force, extended, else a new one."""
        links = self.sudo().with_context(active_test=True)
        partner = partner.commercial_partner_id
        today = fields.Date.context_today(self)
        until = today + timedelta(days=LINK_VALIDITY_DAYS)
        link = links.search([("partner_id", "=", partner.id), ("company_id", "=", company.id)], limit=1)
        if link and link.date_expiry >= today:
            link.date_expiry = max(link.date_expiry, until)
            return link
        if link:  # expired: a new token
            link.active = False
            link.flush_recordset(["active"])
        return links.create({
            "partner_id": partner.id, "company_id": company.id, "date_expiry": until,
            "token": secrets.token_urlsafe(32),
        })

    def _late_payment_url(self):
        """The page's full URL (with the token) of this link."""
        self.ensure_one()
        link = self.sudo()
        return f"{link.company_id.get_base_url()}{ROUTE}/{link.id}/{link.token}"

    @api.model
    def _late_payment_open(self, link_id, token):
        """(link, problem) for the page's routes: the link (sudo) whose id is `link_id` if
        `token` is its token, in force and not expired; problem is False, 'expired' or
        'revoked' (then the link is for the message only), or 'invalid' (no link)."""
        link = self.sudo().with_context(active_test=False).browse(int(link_id)).exists()
        if not link or not isinstance(token, str) or not consteq(link.token or "", token):
            return self.sudo().browse(), "invalid"
        if link.revoked:
            return link, "revoked"
        if not link.active or link.date_expiry < fields.Date.context_today(self):
            return link, "expired"
        return link, False

    def _late_payment_dossier(self):
        """The follow-up dossier (sudo) of this link's customer in its company."""
        self.ensure_one()
        dossiers = self.env["late.payment.dossier"].sudo()
        dossier = dossiers.search([("partner_id", "=", self.partner_id.id), ("company_id", "=", self.company_id.id)])
        return dossier or dossiers._late_payment_refresh(partners=self.partner_id, company=self.company_id, ensure=True)

    def _late_payment_opened(self):
        """The customer opened its page: counted here and on its last reminder."""
        self.ensure_one()
        link = self.sudo()
        link.write({"last_opened": fields.Datetime.now(), "open_count": link.open_count + 1})
        self.env["late.payment.reminder"].sudo()._late_payment_track_opened(link)

    # -- the accountant ----------------------------------------------------------------------------
    def action_revoke(self):
        """Revoke these links: they open nothing any more; the next document carries a new one."""
        check_group(self.env, USER_GROUP, self.env._("Only the late payment users may revoke a customer's link."))
        check_records(self, "write")
        # sudo: the revocation fields are written here only (access checked above)
        self.sudo().filtered("active").write({
            "active": False, "revoked": True, "revoked_by_id": self.env.user.id, "revoked_on": fields.Datetime.now()})
        return True
