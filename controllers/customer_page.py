"""The customer's page: one page per customer and company, opened without a login by the signed
link its reminders, letters (QR code) and statements carry (late.payment.access.link).

Every route takes the link's id and its token and checks them first (constant-time compare;
an unknown id, a wrong token: 404, the same answer, so nothing tells a guess it was close; an
expired or revoked link: a page that says so and nothing else). What the page shows and does is
then the link's customer's, in the link's company, in the customer's language: the records are
read as superuser but only through the link's dossier (see
models/late_payment_dossier_customer_page.py), never by ids from the client that were not
checked against it.
"""

import logging
from urllib.parse import urlencode

from odoo import http
from odoo.exceptions import UserError, ValidationError
from odoo.fields import Command
from odoo.http import request

from odoo.addons.account_late_payment.models.late_payment_access_link import ROUTE
from odoo.addons.account_late_payment.models.late_payment_dossier_customer_page import PAY_MODES
from odoo.addons.account_payment.controllers.payment import PaymentPortal

_logger = logging.getLogger(__name__)


class LatePaymentCustomerPage(PaymentPortal):

    # -- the link --------------------------------------------------------------------------------
    def _link(self, link_id, token):
        """(link, dossier, problem): see late.payment.access.link `_open`; the
        request then speaks the customer's language."""
        link, problem = request.env["late.payment.access.link"].sudo()._open(link_id, token)
        dossier = request.env["late.payment.dossier"].sudo().browse()
        if link:
            lang = link.partner_id.lang or link.company_id.partner_id.lang
            if lang:
                request.update_context(lang=lang)
            link = link.with_context(lang=lang).with_company(link.company_id)
            if not problem:
                dossier = link._dossier()
        return link, dossier, problem

    def _late_payment_refuse(self, link, problem):
        if problem == "invalid":
            return request.not_found()
        response = request.render("account_late_payment.customer_page_invalid", {
            "link": link, "company": link.company_id, "problem": problem})
        response.status_code = 403
        return response

    # -- the page --------------------------------------------------------------------------------
    @http.route(f"{ROUTE}/<int:link_id>/<string:token>", type="http", auth="public", methods=["GET"],
                website=True, sitemap=False)
    def late_payment_customer_page(self, link_id, token, pay=None, invoice_ids=None, done=None, **kw):
        link, dossier, problem = self._link(link_id, token)
        if problem:
            return self._late_payment_refuse(link, problem)
        link._opened()
        return self._render(link, token, dossier, pay=pay, invoice_ids=invoice_ids, done=done)

    def _render(self, link, token, dossier, pay=None, invoice_ids=None, done=None, error=None):
        """The page; `done`: what the customer just did (a code), `error`: why it was refused."""
        values = {
            **dossier._page_data(),
            "link": link,
            "page_url": f"{ROUTE}/{link.id}/{token}",
            "done": done if done in ("paid", "promise", "dispute") else False,
            "error": error,
            "pay_mode": False,
        }
        if pay in PAY_MODES:
            # the ticked invoices (one parameter each), or their ids separated by commas
            ticked = request.httprequest.args.getlist("invoice_ids") if request else []
            ticked = ticked or [invoice_ids or ""]
            selection = [i.strip() for value in ticked for i in value.split(",") if i.strip()] \
                if pay == "selection" else []
            try:
                moves, amount, currency = dossier._page_payment(pay, selection)
            except UserError as failure:
                values["error"] = failure.args[0]
            else:
                values.update(self._late_payment_payment_values(link, token, pay, selection, moves, amount, currency))
        return request.render("account_late_payment.customer_page", values)

    def _late_payment_payment_values(self, link, token, mode, selection, moves, amount, currency):
        """The payment form's context (as account_payment's invoice pages build it) for paying
        `moves` with `amount` in one transaction of the link's customer, in the link's company."""
        partner = link.partner_id
        company = link.company_id
        providers = request.env["payment.provider"].sudo()._get_compatible_providers(
            company.id, partner.id, amount, currency_id=currency.id)
        methods = request.env["payment.method"].sudo()._get_compatible_payment_methods(
            providers.ids, partner.id, currency_id=currency.id)
        # the customer's saved payment details: to its own logged-in users only, never to whoever
        # holds the link
        tokens = request.env["payment.token"].sudo()._get_available_tokens(providers.ids, partner.id) \
            if self._late_payment_is_customer(partner) else request.env["payment.token"].sudo().browse()
        return {
            "pay_mode": mode,
            "pay_moves": moves,
            "amount": amount,
            "currency": currency,
            "partner_id": partner.id,
            "providers_sudo": providers,
            "payment_methods_sudo": methods,
            "tokens_sudo": tokens,
            "show_tokenize_input_mapping": self._compute_show_tokenize_input_mapping(providers),
            "transaction_route": f"{ROUTE}/{link.id}/transaction/{mode}/{'-'.join(selection) or '0'}",
            "landing_route": f"{ROUTE}/{link.id}/{token}?done=paid",
            "access_token": token,
            "reference_prefix": None,
        }

    @http.route(f"{ROUTE}/<int:link_id>/transaction/<string:mode>/<string:selection>", type="jsonrpc",
                auth="public")
    def late_payment_customer_page_transaction(self, link_id, mode, selection, access_token=None, **kwargs):
        """Create the draft transaction of a payment on the page: the invoices and the amount
        are computed again here from the link's customer, never taken from the client."""
        link, dossier, problem = self._link(link_id, access_token)
        if problem:
            raise ValidationError(request.env._("This link is no longer valid."))
        if mode not in PAY_MODES:
            raise ValidationError(request.env._("Choose what to pay."))
        self._validate_transaction_kwargs(kwargs)
        if kwargs.get("flow") == "token" and not self._late_payment_is_customer(link.partner_id):
            raise ValidationError(request.env._("Choose one of the payment methods of the page."))
        try:
            moves, amount, currency = dossier._page_payment(
                mode, selection.split("-") if mode == "selection" else [])
        except UserError as failure:
            raise ValidationError(failure.args[0]) from None
        if kwargs.get("amount") is not None and currency.compare_amounts(float(kwargs["amount"]), amount):
            raise ValidationError(request.env._("The amount to pay has changed: reload the page."))
        provider = request.env["payment.provider"].sudo().browse(int(kwargs.get("provider_id") or 0)).exists()
        if not provider or provider.company_id != link.company_id:
            raise ValidationError(request.env._("Choose one of the payment methods of the page."))
        kwargs.pop("csrf_token", None)
        kwargs.update({
            "amount": amount,
            "currency_id": currency.id,
            "partner_id": link.partner_id.id,
            "landing_route": f"{ROUTE}/{link.id}/{access_token}?done=paid",
        })
        tx_sudo = self._create_transaction(
            custom_create_values={"invoice_ids": [Command.set(moves.ids)], "late_payment_link_id": link.id},
            **kwargs)
        return tx_sudo._get_processing_values()

    # -- promise and dispute -----------------------------------------------------------------------
    @http.route(f"{ROUTE}/<int:link_id>/<string:token>/promise", type="http", auth="public", methods=["POST"],
                website=True, sitemap=False)
    def late_payment_customer_page_promise(self, link_id, token, date=None, amount=None, **kw):
        link, dossier, problem = self._link(link_id, token)
        if problem:
            return self._late_payment_refuse(link, problem)
        try:
            with request.env.cr.savepoint():
                dossier._page_promise(date, amount)
        except UserError as failure:
            return self._render(link, token, dossier, error=failure.args[0])
        return request.redirect(self._late_payment_back(link, token, done="promise"))

    @http.route(f"{ROUTE}/<int:link_id>/<string:token>/dispute", type="http", auth="public", methods=["POST"],
                website=True, sitemap=False)
    def late_payment_customer_page_dispute(self, link_id, token, invoice_id=None, reason=None, **kw):
        link, dossier, problem = self._link(link_id, token)
        if problem:
            return self._late_payment_refuse(link, problem)
        try:
            with request.env.cr.savepoint():
                dossier._page_dispute(invoice_id, reason)
        except UserError as failure:
            return self._render(link, token, dossier, error=failure.args[0])
        return request.redirect(self._late_payment_back(link, token, done="dispute"))

    @staticmethod
    def _late_payment_is_customer(partner):
        """Whether the logged-in user is one of `partner`'s own contacts."""
        user = request.env.user
        return not user._is_public() and user.partner_id.commercial_partner_id == partner.commercial_partner_id

    @staticmethod
    def _late_payment_back(link, token, **query):
        return f"{ROUTE}/{link.id}/{token}?{urlencode(query)}"
