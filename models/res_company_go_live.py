"""Go-live of a company's follow-up: nothing is sent before an administrator starts it.

Until then the daily run keeps every customer's state up to date (the console shows
everything) but sends nothing. An administrator starts it (Settings, or the banner of the
console) after a preview of the first run, in one of two ways (engine/go_live.py): `send` (the
next run sends what is due: the daily run is triggered now, by batches bounded by time) or
`quiet` (the levels today's overdue lines are due for count as reached, nothing is sent, and
the reminders resume with the next level).
"""

from decimal import Decimal

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from ..engine import go_live
from .access import ADMIN_GROUP, USER_GROUP

RUN_CRON = "account_late_payment.ir_cron_late_payment_run"


class ResCompany(models.Model):
    _inherit = "res.company"

    late_payment_go_live_date = fields.Date(
        string="Follow-up started on", readonly=True, copy=False,
        help="The day an administrator started the follow-up of the company; no reminder goes out before.")
    late_payment_go_live_mode = fields.Selection(
        [(go_live.SEND, "Sent what was due"), (go_live.QUIET, "Started quietly")],
        string="Follow-up started by", readonly=True, copy=False)

    def _late_payment_sends_on(self, day):
        """Whether the daily run sends reminders on `day`: the follow-up started, a business day."""
        self.ensure_one()
        return bool(self.late_payment_go_live_date) and self._late_payment_is_business_day(day)

    def _late_payment_check_go_live_caller(self):
        """Only a late payment administrator of these companies may start their follow-up."""
        if not self.env.su and (not self.env.user.has_group(ADMIN_GROUP) or self - self.env.companies):
            raise AccessError(self.env._(
                "Only a late payment administrator of the company may start its follow-up."))

    def late_payment_go_live(self, mode):
        """Start the follow-up of these companies (API and scripts): `mode` is ``send`` (the
        reminders that are due go out with the next run, triggered now) or ``quiet`` (the levels
        already reached by today's overdue invoices count as reached, nothing is sent; reminders
        resume with the next level). Administrators only; a company already started is left as
        it is. Returns True."""
        self._late_payment_check_go_live_caller()
        if not go_live.check_mode(mode):
            raise UserError(self.env._(
                "Start the follow-up with “send” (send what is due) or “quiet” (start quietly), not “%(mode)s”.",
                mode=mode))
        companies = self.sudo().filtered(lambda company: not company.late_payment_go_live_date)
        if not companies:
            return True
        today = fields.Date.context_today(self)
        if mode == go_live.QUIET:
            for company in companies:
                company._late_payment_reach_due_levels_quietly()
        companies.write({"late_payment_go_live_date": today, "late_payment_go_live_mode": mode})
        if mode == go_live.SEND:
            # today's run processes every customer again (it may have run today without sending)
            dossiers = self.env["late.payment.dossier"].sudo()
            dossiers.flush_model(["last_run_date"])
            self.env.cr.execute(
                "UPDATE late_payment_dossier SET last_run_date = NULL WHERE company_id = ANY(%s)", [companies.ids])
            dossiers.invalidate_model(["last_run_date"])
            cron = self.env.ref(RUN_CRON, raise_if_not_found=False)
            if cron:
                cron.sudo()._trigger()
        return True

    def _late_payment_due_dossiers(self):
        """The dossiers of this company whose action is due today, state refreshed."""
        self.ensure_one()
        dossier_model = self.env["late.payment.dossier"].sudo()
        dossier_model._refresh(company=self)
        return dossier_model.search([("company_id", "=", self.id), ("status", "=", "due")])

    def _late_payment_first_run_plans(self):
        """(plans, dossiers waiting for a manual level) of the first run of this company, today."""
        self.ensure_one()
        dossiers = self._late_payment_due_dossiers()
        reminder_model = self.env["late.payment.reminder"].sudo()
        plans = reminder_model._send(dossiers, origin="cron", refresh=False, dry_run=True)
        manual = dossiers.filtered(lambda dossier: dossier.next_level_id and not dossier.next_level_id.auto)
        return plans, manual

    def _late_payment_reach_due_levels_quietly(self):
        """Quiet start: the lines due for an automatic level today reach it, nothing is sent."""
        self.ensure_one()
        plans, _manual = self._late_payment_first_run_plans()
        if not plans:
            return
        self.env["late.payment.reminder"].sudo()._reach_levels(plans)
        dossier_model = self.env["late.payment.dossier"].sudo()
        partners = self.env["res.partner"].union(*(plan["partner"] for plan in plans))
        dossier_model._refresh(partners=partners, company=self)
        dossier_model._forget_dirty(partners, self)

    def _late_payment_go_live_preview(self, sample_size=10):
        """engine.go_live.Preview of the first run of this company, and its sample dossiers."""
        self.ensure_one()
        self._late_payment_check_go_live_caller()
        plans, manual = self._late_payment_first_run_plans()
        summary = go_live.preview([
            go_live.PlannedReminder(plan["partner"].id, plan["level"].display_name, frozenset(plan["channels"]),
                                    Decimal(str(plan["amount"])))
            for plan in plans
        ], manual_customers=manual.partner_id.ids, sample_size=sample_size)
        by_partner = {plan["partner"].id: plan["dossier"] for plan in plans}
        sample = self.env["late.payment.dossier"].union(*(by_partner[partner_id] for partner_id in summary.sample))
        return summary, sample

    @api.model
    def late_payment_go_live_banner(self):
        """The console's banner: whether the current company's follow-up waits to be started,
        and whether the caller may start it (late payment users only)."""
        if not self.env.user.has_group(USER_GROUP):
            raise AccessError(self.env._("Only the late payment users may see the follow-up console."))
        company = self.env.company
        return {
            "pending": not company.sudo().late_payment_go_live_date,
            "can_start": self.env.user.has_group(ADMIN_GROUP),
            "company": company.name,
        }
