from odoo import http
from odoo.exceptions import AccessError, MissingError
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal


class LatePaymentPortal(CustomerPortal):
    """The customer's payment plans in its portal: the list, each plan with its schedule, and
    the agreement to print and sign. A customer sees its own plans only (record rules)."""

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "late_payment_plan_count" in counters:
            plan_model = request.env["late.payment.plan"]
            values["late_payment_plan_count"] = plan_model.search_count([]) if plan_model.has_access("read") else 0
        return values

    @http.route(["/my/late-payment-plans"], type="http", auth="user", website=True)
    def portal_my_late_payment_plans(self, **kw):
        plans = request.env["late.payment.plan"].search([], order="date desc, id desc")
        values = self._prepare_portal_layout_values()
        values.update({"plans": plans, "page_name": "late_payment_plans"})
        return request.render("account_late_payment.portal_my_late_payment_plans", values)

    @http.route(["/my/late-payment-plans/<int:plan_id>"], type="http", auth="public", website=True)
    def portal_my_late_payment_plan(self, plan_id, access_token=None, report_type=None, download=False, **kw):
        try:
            plan_sudo = self._document_check_access("late.payment.plan", plan_id, access_token)
        except (AccessError, MissingError):
            return request.redirect("/my")
        if report_type in ("html", "pdf", "text"):
            return self._show_report(model=plan_sudo, report_type=report_type,
                                     report_ref="account_late_payment.action_report_late_payment_plan",
                                     download=download)
        values = self._get_page_view_values(
            plan_sudo, access_token, {"plan": plan_sudo, "page_name": "late_payment_plan"},
            "my_late_payment_plans_history", False, **kw)
        return request.render("account_late_payment.portal_my_late_payment_plan", values)
