"""The follow-up console: what an accountant does with a customer's follow-up dossier.

The console is the list of dossiers whose action is due and the dossier form (the customer's
page): the preview of the next reminder (rendered by the send path's own functions), sending
it (through `late.payment.reminder._late_payment_send`, the one send path), printing, the
statement of account, logging a call, postponing, excluding a line, recording the formal
notice's proof. The settlement feature adds its own buttons to the form's header.
"""

from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import format_date

from odoo.addons.account_late_payment.engine import kpi

from .late_payment_reminder import CHANNEL_FIELDS

USER_GROUP = "account_late_payment.group_late_payment_user"
STATEMENT_REPORT = "account_late_payment.action_report_late_payment_statement"
LETTER_REPORT = "account_late_payment.action_report_late_payment_letter"


class LatePaymentDossier(models.Model):
    _inherit = "late.payment.dossier"

    postponed_until = fields.Date(
        string="Postponed to", tracking=True, copy=False,
        help="No reminder before this day: the next action is not planned sooner.")
    preview_available = fields.Boolean(compute="_compute_preview", string="Reminder to preview")
    preview_summary = fields.Char(compute="_compute_preview", string="Next reminder")
    preview_subject = fields.Char(compute="_compute_preview", string="Email subject")
    preview_email = fields.Html(compute="_compute_preview", string="Email", sanitize=False)
    preview_letter = fields.Html(compute="_compute_preview", string="Letter", sanitize=False)

    # -- preview -----------------------------------------------------------------------------
    @api.depends("next_level_id", "next_tone_id", "next_action_date", "status")
    @api.depends_context("lang")
    def _compute_preview(self):
        reminder_model = self.env["late.payment.reminder"]
        channel_labels = {
            channel: reminder_model._fields[fname].get_description(self.env)["string"]
            for channel, fname in CHANNEL_FIELDS.items()}
        for dossier in self:
            preview = reminder_model._late_payment_preview(dossier) if dossier.id else None
            if not preview:
                dossier.update({"preview_available": False, "preview_summary": False, "preview_subject": False,
                                "preview_email": False, "preview_letter": False})
                continue
            dossier.update({
                "preview_available": True,
                "preview_summary": self.env._(
                    "%(date)s: %(level)s, tone %(tone)s, by %(channels)s, to %(recipient)s",
                    date=format_date(self.env, preview["date"]), level=preview["level"].name,
                    tone=preview["tone"].name or "", recipient=preview["recipient"].display_name,
                    channels=", ".join(label for channel, label in channel_labels.items()
                                       if channel in preview["channels"])),
                "preview_subject": preview["subject"],
                "preview_email": preview["body_html"],
                "preview_letter": preview["letter_body"],
            })

    # -- postponing ----------------------------------------------------------------------------
    @api.model
    def _late_payment_paused_until(self, partners, company):
        """A postponed dossier is paused until the day before its date: its next action is
        planned on that date at the soonest."""
        paused = super()._late_payment_paused_until(partners, company)
        today = fields.Date.context_today(self)
        for dossier in self.sudo().search_fetch([
            ("company_id", "=", company.id), ("partner_id", "in", partners.ids),
            ("postponed_until", ">", today),
        ], ["partner_id", "postponed_until"]):
            until = dossier.postponed_until - timedelta(days=1)
            current = paused.get(dossier.partner_id.id)
            paused[dossier.partner_id.id] = max(current, until) if current else until
        return paused

    def _late_payment_postpone(self, day, reason=False):
        """No reminder to these customers before `day` (their next action moves to it)."""
        self._late_payment_check_user()
        today = fields.Date.context_today(self)
        if not day or day <= today:
            raise UserError(self.env._("Postpone the follow-up to a day after today."))
        self.write({"postponed_until": day})
        body = self.env._("Follow-up postponed to %(date)s.", date=fields.Date.to_string(day))
        for dossier in self:
            dossier.message_post(body=Markup("<p>%s</p>%s") % (
                body, Markup("<p>%s</p>") % reason if reason else ""), subtype_xmlid="mail.mt_note")
        self.action_refresh()

    # -- calls -----------------------------------------------------------------------------------
    def _late_payment_log_call(self, outcome, note=False):
        """Log a phone call with its outcome on each dossier (and mark its pending call done)."""
        self._late_payment_check_user()
        call_type = self.env.ref("mail.mail_activity_data_call")
        outcome_label = dict(self.env["late.payment.call.wizard"]._fields["outcome"]._description_selection(
            self.env))[outcome]
        for dossier in self:
            body = Markup("<p>%s</p>") % self.env._("Phone call: %(outcome)s.", outcome=outcome_label)
            if note:
                body += Markup("<p>%s</p>") % note
            calls = dossier.activity_ids.filtered(lambda activity: activity.activity_type_id == call_type)
            if calls:
                calls.action_feedback(feedback=body)
            else:
                dossier.message_post(body=body, subtype_xmlid="mail.mt_note")

    # -- formal notice -------------------------------------------------------------------------
    def _late_payment_record_formal_notice(self, reference, received_date=False):
        self._late_payment_check_user()
        if not reference:
            raise UserError(self.env._("Enter the registered-mail number of the formal notice."))
        if received_date and received_date > fields.Date.context_today(self):
            raise UserError(self.env._("The formal notice cannot have been received in the future."))
        self.write({"formal_notice_reference": reference, "formal_notice_received_date": received_date})

    # -- excluding lines -----------------------------------------------------------------------
    @api.model
    def _late_payment_exclude_lines(self, lines, reason):
        """Leave these receivable lines out of the follow-up (Odoo's no_followup), with a reason."""
        self._late_payment_check_user()
        if not (reason or "").strip():
            raise UserError(self.env._("Give the reason for leaving the invoice out of the follow-up."))
        lines = lines.filtered(lambda line: line.account_type == "asset_receivable")
        if not lines:
            raise UserError(self.env._("Select the open items to leave out of the follow-up."))
        lines.sudo().write({"no_followup": True, "late_payment_exclusion_reason": reason})
        for move in lines.move_id:
            move.sudo().message_post(body=self.env._(
                "Left out of the follow-up: %(reason)s", reason=reason), subtype_xmlid="mail.mt_note")
        dossiers = self.search([("partner_id", "in", lines.partner_id.commercial_partner_id.ids),
                                ("company_id", "in", lines.company_id.ids)])
        dossiers.action_refresh()
        return dossiers

    # -- sending and printing --------------------------------------------------------------------
    def _late_payment_check_user(self):
        if not self.env.su and not self.env.user.has_group(USER_GROUP):
            raise AccessError(self.env._("Only the late payment users may work the follow-up."))

    def action_send_reminder(self):
        """Send now the reminder due to these customers (the levels waiting for an accountant
        included), through the one send path."""
        self._late_payment_check_user()
        reminders = self.env["late.payment.reminder"]._late_payment_send(
            self, origin="console", include_manual=True)
        if not reminders:
            raise UserError(self.env._("Nothing to send: no reminder is due to these customers today."))
        message = self.env._("%(count)s reminders sent.", count=len(reminders))
        queued = reminders.filtered(lambda reminder: reminder.letter_state == "queued")
        if queued:
            message = self.env._("%(count)s reminders sent; %(letters)s letters wait to be printed.",
                                 count=len(reminders), letters=len(queued))
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {"title": self.env._("Follow-up"), "message": message, "type": "success",
                       "next": {"type": "ir.actions.client", "tag": "soft_reload"}},
        }

    def action_print_statement(self):
        self._late_payment_check_user()
        return self.env.ref(STATEMENT_REPORT).report_action(self, config=False)

    def action_print_letters(self):
        """Print the letters of these customers' last reminders that wait to be printed."""
        self._late_payment_check_user()
        letters = self.env["late.payment.reminder"].search([
            ("dossier_id", "in", self.ids), ("letter_state", "=", "queued")])
        if not letters:
            raise UserError(self.env._("No letter of these customers waits to be printed."))
        return letters.action_print_letters()

    def _late_payment_open_wizard(self, model, name):
        self._late_payment_check_user()
        return {
            "type": "ir.actions.act_window",
            "name": name,
            "res_model": model,
            "view_mode": "form",
            "target": "new",
            "context": {"active_model": self._name, "active_ids": self.ids},
        }

    def action_log_call(self):
        return self._late_payment_open_wizard("late.payment.call.wizard", self.env._("Log a call"))

    def action_postpone(self):
        return self._late_payment_open_wizard("late.payment.postpone.wizard", self.env._("Postpone the follow-up"))

    def action_exclude_lines(self):
        self.ensure_one()
        return self._late_payment_open_wizard("late.payment.exclude.wizard", self.env._("Leave out of the follow-up"))

    def action_record_formal_notice(self):
        self.ensure_one()
        return self._late_payment_open_wizard("late.payment.formal.notice.wizard",
                                              self.env._("Proof of the formal notice"))

    # -- statement of account --------------------------------------------------------------------
    def _late_payment_statement_data(self):
        """The statement of account: every open item of the customer, its age bucket (see
        engine/kpi.py), and the totals per bucket."""
        self.ensure_one()
        today = fields.Date.context_today(self)
        lines = self.env["account.move.line"].sudo().search(self._open_lines_domain(), order="date_maturity, id")
        rows = []
        for line in lines:
            due = line.date_maturity or line.date
            bucket = kpi.bucket_of(due, today) if line.amount_residual > 0 else "credit"
            rows.append({"line": line, "due": due, "days": max(kpi.days_past_due(due, today), 0), "bucket": bucket})
        balance = kpi.aged_balance([(line.amount_residual, line.date_maturity or line.date) for line in lines], today)
        credit_total = sum(line.amount_residual for line in lines if line.amount_residual < 0)
        buckets = balance.as_dict()
        return {
            "today": today,
            "rows": rows,
            "buckets": [(code, buckets[code]) for code in kpi.BUCKETS],
            "bucket_labels": dict(self.env["late.payment.receivable.report"]._fields["bucket"]._description_selection(
                self.env)),
            "credits": credit_total,
            "total": self.company_id.currency_id.round(sum(lines.mapped("amount_residual"))),
            "currency": self.company_id.currency_id,
        }
