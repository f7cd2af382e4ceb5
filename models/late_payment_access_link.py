"""The customer's signed link to its page (see controllers/customer_page.py and docs/design.md).

One link per customer (commercial partner) and company is in force at a time. Its token is
32 random bytes (`secrets.token_urlsafe`), never searched for: the page's URL carries the link's
id and its token, the token is compared in constant time (`consteq`), so it can be neither
guessed nor found by timing. A link is valid LINK_VALIDITY_DAYS from the day it is made or
extended, and is extended when a document carries it with less than EXTEND_MARGIN_DAYS left; a
revoked or expired link opens nothing, and the next document carries a new one (a new token).
Making or extending a link never fails what sends the document: when another transaction made
or extended the same link meanwhile, the document goes with the link as this one sees it (or,
made elsewhere, without one).
"""

import logging
import secrets
from datetime import timedelta

import psycopg2.errors

from odoo import api, fields, models
from odoo.tools import consteq, mute_logger

from .access import check_group, check_records

_logger = logging.getLogger(__name__)

LINK_VALIDITY_DAYS = 90
# a link is extended (to LINK_VALIDITY_DAYS from today) once it has less than this left: every
# document carries a link valid for at least LINK_VALIDITY_DAYS - EXTEND_MARGIN_DAYS days, and
# a customer's link row is written once in a while, not by every reminder
EXTEND_MARGIN_DAYS = 30
# another transaction (the daily run, the console) made or extended the same link meanwhile
CONFLICTS = (psycopg2.errors.UniqueViolation, psycopg2.errors.SerializationFailure,
             psycopg2.errors.LockNotAvailable, psycopg2.errors.DeadlockDetected)
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
    def _link(self, partner, company):
        """The link in force of `partner` (its commercial partner) in `company`, valid for at
        least LINK_VALIDITY_DAYS - EXTEND_MARGIN_DAYS more days: the one in force (extended when
        needed), else a new one; empty when another transaction is making it right now."""
        links = self.sudo().with_context(active_test=True)
        partner = partner.commercial_partner_id
        today = fields.Date.context_today(self)
        until = today + timedelta(days=LINK_VALIDITY_DAYS)
        link = links.search([("partner_id", "=", partner.id), ("company_id", "=", company.id)], limit=1)
        if link and link.date_expiry >= today + timedelta(days=LINK_VALIDITY_DAYS - EXTEND_MARGIN_DAYS):
            return link
        try:
            # a conflict with another transaction is expected here: not an error to log
            with mute_logger("odoo.sql_db"), self.env.cr.savepoint():
                if link and link.date_expiry >= today:
                    link.date_expiry = until
                    link.flush_recordset(["date_expiry"])
                    return link
                if link:  # expired: a new token
                    link.active = False
                    link.flush_recordset(["active"])
                link = links.create({
                    "partner_id": partner.id, "company_id": company.id, "date_expiry": until,
                    "token": secrets.token_urlsafe(32),
                })
                link.flush_recordset()
                return link
        except CONFLICTS:
            _logger.info("Late payments: the page link of customer %s in company %s is being made by another "
                         "transaction", partner.id, company.id)
            link = links.search([("partner_id", "=", partner.id), ("company_id", "=", company.id)], limit=1)
            return link if link and link.date_expiry >= today else links.browse()

    @api.model
    def _prefetch(self, pairs):
        """Make or extend at once the links of the (commercial partner id, company id) `pairs`
        (the customers of a batch of reminders): one search, at most two writes and one insert;
        their URLs are kept for this transaction (`_link_url`). On a conflict with
        another transaction, nothing is kept: each customer's link is then made on its own."""
        pairs = set(pairs)
        if not pairs:
            return
        links = self.sudo().with_context(active_test=True)
        today = fields.Date.context_today(self)
        until = today + timedelta(days=LINK_VALIDITY_DAYS)
        fresh = today + timedelta(days=LINK_VALIDITY_DAYS - EXTEND_MARGIN_DAYS)
        found = links.search([("partner_id", "in", list({partner for partner, _company in pairs})),
                              ("company_id", "in", list({company for _partner, company in pairs}))])
        by_pair = {(link.partner_id.id, link.company_id.id): link for link in found
                   if (link.partner_id.id, link.company_id.id) in pairs}
        extend = links.union(*(link for link in by_pair.values() if today <= link.date_expiry < fresh))
        expired = links.union(*(link for link in by_pair.values() if link.date_expiry < today))
        missing = [pair for pair in pairs if pair not in by_pair or by_pair[pair] in expired]
        try:
            # a conflict with another transaction is expected here: not an error to log
            with mute_logger("odoo.sql_db"), self.env.cr.savepoint():
                if extend:
                    extend.write({"date_expiry": until})
                if expired:
                    expired.write({"active": False})
                    expired.flush_recordset(["active"])
                created = links.create([{
                    "partner_id": partner, "company_id": company, "date_expiry": until,
                    "token": secrets.token_urlsafe(32),
                } for partner, company in missing]) if missing else links
                (extend | created).flush_recordset()
        except CONFLICTS:
            _logger.info("Late payments: page links made by another transaction meanwhile: made one by one")
            return
        urls = self.env.cr.cache.setdefault("late_payment_link_urls", {})
        for link in (links.union(*by_pair.values()) - expired) | created:
            urls[link.partner_id.id, link.company_id.id] = link._url()

    @api.model
    def _link_url(self, partner, company):
        """The URL of the link in force of `partner` (commercial) in `company`: kept by
        `_prefetch` in this transaction, else made or extended now (False: none)."""
        partner = partner.commercial_partner_id
        url = self.env.cr.cache.get("late_payment_link_urls", {}).get((partner.id, company.id))
        return url or self._link(partner, company)._url()

    def _url(self):
        """The page's full URL (with the token) of this link (False: no link)."""
        if not self:
            return False
        self.ensure_one()
        link = self.sudo()
        return f"{link.company_id.get_base_url()}{ROUTE}/{link.id}/{link.token}"

    @api.model
    def _open(self, link_id, token):
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

    def _dossier(self):
        """The follow-up dossier (sudo) of this link's customer in its company."""
        self.ensure_one()
        dossiers = self.env["late.payment.dossier"].sudo()
        dossier = dossiers.search([("partner_id", "=", self.partner_id.id), ("company_id", "=", self.company_id.id)])
        return dossier or dossiers._refresh(partners=self.partner_id, company=self.company_id, ensure=True)

    def _opened(self):
        """The customer opened its page: counted here and on its last reminder."""
        self.ensure_one()
        link = self.sudo()
        link.write({"last_opened": fields.Datetime.now(), "open_count": link.open_count + 1})
        self.env["late.payment.reminder"].sudo()._track_opened(link)

    # -- the accountant ----------------------------------------------------------------------------
    def action_revoke(self):
        """Revoke these links: they open nothing any more; the next document carries a new one."""
        check_group(self.env, USER_GROUP, self.env._("Only the late payment users may revoke a customer's link."))
        check_records(self, "write")
        self.env.cr.cache.pop("late_payment_link_urls", None)
        # sudo: the revocation fields are written here only (access checked above)
        self.sudo().filtered("active").write({
            "active": False, "revoked": True, "revoked_by_id": self.env.user.id, "revoked_on": fields.Datetime.now()})
        return True
