"""The console: what the accountant sees and does on a customer's dossier (preview of the next
reminder, send, print, call, postpone, formal notice, excluded lines, statement).
"""

from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_amount, format_date

from ..engine import kpi
from .access import check_records
from .late_payment_api import SHORT_TEXT_MAX
from .late_payment_dossier import STATEMENT_REPORT
from .late_payment_reminder import CHANNEL_FIELDS


class LatePaymentDossier(models.Model):
    _inherit = "late.payment.dossier"

    # -- actions ---------------------------------------------------------------------------
    def action_open_reminders(self):
        self.ensure_one()
        self._check_user("read")
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Reminders to %(customer)s", customer=self.partner_id.display_name),
            "res_model": "late.payment.reminder",
            "view_mode": "list,form",
            "domain": [("dossier_id", "=", self.id)],
            "context": {"create": False},
        }

    def _send_reminders(self, origin="console", include_manual=False):
        """Send now the reminders due to these customers (rechecked): see
        late.payment.reminder._send."""
        return self.env["late.payment.reminder"]._send(
            self, origin=origin, include_manual=include_manual)

    def action_refresh(self):
        """Recompute these dossiers now."""
        self._check_user()
        for company, dossiers in self.grouped("company_id").items():
            self._refresh(partners=dossiers.partner_id, company=company)
        return True

    def action_open_invoices(self):
        self.ensure_one()
        self._check_user("read")
        moves = self.line_ids.move_id
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Open items of %(customer)s", customer=self.partner_id.display_name),
            "res_model": "account.move",
            "view_mode": "list,form",
            "views": [(self.env.ref("account.view_out_invoice_tree").id, "list"), (False, "form")],
            "domain": [("id", "in", moves.ids)],
            "context": {"default_move_type": "out_invoice", "create": False},
        }

    # -- preview -----------------------------------------------------------------------------
    @api.depends("next_level_id", "next_tone_id", "next_action_date", "status")
    @api.depends_context("lang")
    def _compute_preview(self):
        reminder_model = self.env["late.payment.reminder"]
        channel_labels = {
            channel: reminder_model._fields[fname].get_description(self.env)["string"]
            for channel, fname in CHANNEL_FIELDS.items()}
        for dossier in self:
            preview = reminder_model._preview(dossier) if dossier.id else None
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
    def _postponed_until(self, partners, company, paused):
        """Add to `paused` the postponed dossiers: paused until the day before their date (their
        next action is planned on that date at the soonest)."""
        today = fields.Date.context_today(self)
        for dossier in self.sudo().search_fetch([
            ("company_id", "=", company.id), ("partner_id", "in", partners.ids),
            ("postponed_until", ">", today),
        ], ["partner_id", "postponed_until"]):
            until = dossier.postponed_until - timedelta(days=1)
            current = paused.get(dossier.partner_id.id)
            paused[dossier.partner_id.id] = max(current, until) if current else until
        return paused

    def _postpone(self, day, reason=False):
        """No reminder to these customers before `day` (their next action moves to it)."""
        self._check_user()
        api_model = self.env["late.payment.api"]
        api_model._check_text(reason, self.env._("The reason"))
        day = api_model._late_payment_check_date(day, self.env._("The date")) if day else day
        today = fields.Date.context_today(self)
        if not day or day <= today:
            raise UserError(self.env._("Postpone the follow-up to a day after today."))
        self.write({"postponed_until": day})
        body = self.env._("Follow-up postponed to %(date)s.", date=format_date(self.env, day))
        for dossier in self:
            dossier.message_post(body=Markup("<p>%s</p>%s") % (
                body, Markup("<p>%s</p>") % reason if reason else ""), subtype_xmlid="mail.mt_note")
        self.action_refresh()

    # -- calls -----------------------------------------------------------------------------------
    def _log_call(self, outcome, note=False):
        """Log a phone call with its outcome on each dossier (and mark its pending call done)."""
        self._check_user()
        self.env["late.payment.api"]._check_text(note, self.env._("The note"))
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
    def _record_formal_notice(self, reference, received_date=False):
        self._check_user()
        api_model = self.env["late.payment.api"]
        api_model._check_text(reference, self.env._("The registered-mail number"), SHORT_TEXT_MAX)
        if received_date:
            api_model._late_payment_check_date(received_date, self.env._("The day it was received"))
        if not reference:
            raise UserError(self.env._("Enter the registered-mail number of the formal notice."))
        if received_date and received_date > fields.Date.context_today(self):
            raise UserError(self.env._("The formal notice cannot have been received in the future."))
        self.write({"formal_notice_reference": reference, "formal_notice_received_date": received_date})

    # -- excluding lines -----------------------------------------------------------------------
    @api.model
    def _exclude_lines(self, lines, reason):
        """Leave these receivable lines out of the follow-up (Odoo's no_followup), with a reason."""
        self._check_user()
        if not (reason or "").strip():
            raise UserError(self.env._("Give the reason for leaving the invoice out of the follow-up."))
        self.env["late.payment.api"]._check_text(reason, self.env._("The reason"))
        check_records(lines, "read")
        lines = lines.filtered(lambda line: line.account_type == "asset_receivable")
        if not lines:
            raise UserError(self.env._("Select the open items to leave out of the follow-up."))
        # sudo: the exclusion is written on journal items the follow-up user can read, not edit
        lines.sudo().write({"no_followup": True, "late_payment_exclusion_reason": reason})
        for move in lines.move_id:
            move.sudo().message_post(body=self.env._(
                "Left out of the follow-up: %(reason)s", reason=reason), subtype_xmlid="mail.mt_note")
        dossiers = self.search([("partner_id", "in", lines.partner_id.commercial_partner_id.ids),
                                ("company_id", "in", lines.company_id.ids)])
        dossiers.action_refresh()
        return dossiers

    def action_send_reminder(self):
        """Send now the reminder due to these customers (the levels waiting for an accountant
        included), through the one send path."""
        self._check_user()
        reminders = self.env["late.payment.reminder"]._send(
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

    def action_send_reminders_confirm(self):
        """The console's "Send reminders" for the customers selected: first a summary of what
        would go out (nothing is sent before it is confirmed)."""
        return self._open_wizard("late.payment.send.wizard", self.env._("Send the reminders"))

    def action_print_statement(self):
        self._check_user("read")
        return self.env.ref(STATEMENT_REPORT).report_action(self, config=False)

    def action_print_letters(self):
        """Print the letters of these customers' last reminders that wait to be printed."""
        self._check_user()
        letters = self.env["late.payment.reminder"].search([
            ("dossier_id", "in", self.ids), ("letter_state", "=", "queued")])
        if not letters:
            raise UserError(self.env._("No letter of these customers waits to be printed."))
        return letters.action_print_letters()

    @api.model
    def _active_dossiers(self):
        """The dossiers the console's dialogs act on: those selected (active_ids) in the console."""
        context = self.env.context
        if context.get("active_model") != self._name:
            return self.browse()
        return self.browse(context.get("active_ids") or [])

    def _open_wizard(self, model, name):
        self._check_user()
        return {
            "type": "ir.actions.act_window",
            "name": name,
            "res_model": model,
            "view_mode": "form",
            "target": "new",
            "context": {"active_model": self._name, "active_ids": self.ids},
        }

    def action_log_call(self):
        return self._open_wizard("late.payment.call.wizard", self.env._("Log a call"))

    def action_postpone(self):
        return self._open_wizard("late.payment.postpone.wizard", self.env._("Postpone the follow-up"))

    def action_exclude_lines(self):
        self.ensure_one()
        return self._open_wizard("late.payment.exclude.wizard", self.env._("Leave out of the follow-up"))

    def action_record_formal_notice(self):
        self.ensure_one()
        return self._open_wizard("late.payment.formal.notice.wizard",
                                              self.env._("Proof of the formal notice"))

    # -- the reminder's documents ------------------------------------------------------------------
    def _amounts_detail(self, lines, overdue=None):
        """What the email and the letter print below their text, for the receivable `lines` they
        list (account.move.line or late.payment.reminder.line: every open line of the customer):
        the customer's unapplied credits (each once), the overdue balance (`overdue`, the
        reminder's; else the dossier's: the one figure every screen shows), the total due (lines
        and credits, in the company's currency), how to pay by bank transfer (the company's bank
        account and the reference) and the invoices' payment links."""
        self.ensure_one()
        company = self.company_id
        currency = company.currency_id
        credit_lines = self.line_ids.filtered(lambda line: line.amount_residual < 0).sorted(
            lambda line: (line.date, line.id))
        total = currency.round(sum(lines.mapped("amount_residual")) + sum(credit_lines.mapped("amount_residual")))
        bank = (lines.move_id.partner_bank_id[:1] or company.partner_id.bank_ids.filtered(
            lambda account: not account.company_id or account.company_id == company)[:1])
        invoices = lines.move_id.filtered(lambda move: move.is_invoice(include_receipts=True))
        if not self.env.cr.readonly:  # a preview read in a read-only transaction links without a token
            invoices._late_payment_ensure_access_tokens()
        return {
            "credits": credit_lines,
            "overdue": self.amount_overdue if overdue is None else overdue,
            "total": total,
            "currency": currency,
            "bank": bank,
            "communication": ", ".join(lines.move_id.mapped(lambda move: move.payment_reference or move.name)),
            "links": [(move, move.get_base_url() + (move.get_portal_url() if move.access_token else move.access_url))
                      for move in invoices],
        }

    def _late_payment_email_body(self):
        """The body of the reminder email (the tones' email templates print it), in the language
        being rendered: the text of the reminder's tone (the same as the printed letter's), then
        the reminded invoices, the credits, the total due and how to pay. The tone is the one
        being sent (context key late_payment_tone_id), else the customer's next tone (a template
        used by hand)."""
        self.ensure_one()
        check_records(self, "read")
        # sudo: the lines, credits and bank details of a dossier the caller may read
        dossier = self.sudo()
        today = fields.Date.context_today(self)
        at_date = max(dossier.next_action_date or today, today)  # the day the reminder goes out
        tone_id = self.env.context.get("late_payment_tone_id")
        tone = (dossier.next_tone_id.browse(tone_id) if tone_id
                else dossier.next_tone_id or dossier.next_level_id.tone_id)
        text = tone._render_text(dossier, "email", lang=self.env.lang)[dossier.id] if tone else ""
        lines = dossier.reminder_line_ids or dossier.line_ids.filtered(lambda line: line.amount_residual > 0)
        details = self.env["ir.qweb"]._render("account_late_payment.late_payment_email_details", {
            "object": dossier,
            "lines": lines,
            "at_date": at_date,
            "detail": dossier._amounts_detail(lines),
            "format_date": lambda day: format_date(self.env, day) if day else "",
            "format_amount": lambda amount, currency: format_amount(self.env, amount, currency),
        }, minimal_qcontext=True)
        return Markup(text) + details

    # -- statement of account --------------------------------------------------------------------
    def _statement_data(self):
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
