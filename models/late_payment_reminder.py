"""Reminders, and the one way they are sent.

Every reminder, whoever sends it (the daily run, the follow-up console, the API), goes through
`late.payment.reminder._late_payment_send(dossiers, origin=...)`:

1. the customers are locked for this transaction (a PostgreSQL advisory lock per customer and
   company, taken without waiting: a customer another run is sending to right now is skipped,
   never waited for), then their follow-up state is refreshed in the same transaction (a
   payment or a credit note that arrived since the last refresh takes its line out);
2. each customer whose action is due (see engine/reminders.py) gets one reminder covering all
   its lines due for a level, each at the level it is due for, in the tone of its relationship;
3. the reminder and its lines (every open line of the customer) are written first: the unique
   index on (receivable line, day) refuses a second reminder on the same day whatever sent the
   first one (a customer that hits it is skipped, and logged; on later days the customer's gap,
   counted from the reminders sent, refuses it); then the channels; then the lines reach their
   levels and the customers' state is refreshed.

Customers are processed in one savepoint per batch; when something fails, the batch is redone
one customer at a time, and a customer whose sending fails gets a reminder in the `failed`
state (without lines: it is tried again on the next run). Nothing here commits: the daily run
(`_cron_late_payment_run`) commits between batches with `ir.cron._commit_progress`.
"""

import logging
import time
from collections import defaultdict
from contextlib import contextmanager
from contextvars import ContextVar

import psycopg2.errors
from markupsafe import Markup, escape

from odoo import api, fields, models, tools
from odoo.exceptions import AccessError, UserError
from odoo.fields import Command
from odoo.tools import SQL, format_amount, format_date, html2plaintext

from odoo.addons.account_late_payment.engine import reminders as rules

from .access import check_records

_logger = logging.getLogger(__name__)

RESULTS = [
    (rules.SENT, "Sent"),
    (rules.QUEUED, "Queued"),
    (rules.BOUNCED, "Bounced"),
    (rules.FAILED, "Failed"),
]
ORIGINS = [
    ("cron", "Daily run"),
    ("console", "Follow-up console"),
    ("api", "API"),
]
LETTER_STATES = [
    ("none", "No letter"),
    ("queued", "To print"),
    ("printed", "Printed"),
]
CHANNEL_FIELDS = {
    rules.EMAIL: "channel_email",
    rules.LETTER: "channel_letter",
    rules.SMS: "channel_sms",
    rules.CALL: "channel_call",
    rules.TASK: "channel_task",
}
USER_GROUP = "account_late_payment.group_late_payment_user"
ADMIN_GROUP = "account_late_payment.group_late_payment_admin"
BATCH_SIZE = 100
PDF_CHUNK = 50  # invoices per wkhtmltopdf call
# {(database, day): invoice ids whose PDF failed that day, in this process}: not tried again
# by the day's next turns (their reminders go without them, and say so)
_PDF_SKIPPED = {}
EMAIL_LAYOUT = "mail.mail_notification_light"
LETTER_REPORT = "account_late_payment.action_report_late_payment_letter"
INVOICE_REPORT = "account.account_invoices"
# The reminder log is evidence (of a formal notice, before a court): once the transaction that
# sent a reminder is over, these fields never change, whoever asks. What happens to it afterwards
# (the email bounced or went, it was cancelled) is recorded by the addon's own code only, inside
# `log_update()`; nothing a client sends opens it.
EVIDENCE_FIELDS = frozenset({
    "date", "partner_id", "company_id", "level_id", "tone_id", "origin", "user_id", "channel_email",
    "channel_letter", "channel_sms", "channel_call", "channel_task", "result", "line_ids", "amount_total",
    "recipient_id", "email_to", "email_cc", "mail_message_id", "letter_body", "sms_number", "sms_message_id",
    "note", "log_state", "cancel_reason", "cancelled_by_id", "cancelled_on",
})
LOG_STATES = [
    ("valid", "In force"),
    ("cancelled", "Cancelled"),
]
_LOG_UPDATE = ContextVar("late_payment_reminder_log_update", default=False)


@contextmanager
def log_update():
    """Inside: the addon's own code records what happened to reminders already sent."""
    token = _LOG_UPDATE.set(True)
    try:
        yield
    finally:
        _LOG_UPDATE.reset(token)


STATEMENT_REPORT = "account_late_payment.action_report_late_payment_statement"
# another transaction sent these reminders first (the unique index on line and day)
ALREADY_SENT = psycopg2.errors.UniqueViolation
# another transaction changed the same rows meanwhile: the whole transaction must start again
# (Odoo retries a request that fails so; the daily run leaves the batch for its next pass)
RETRY_LATER = (psycopg2.errors.SerializationFailure, psycopg2.errors.DeadlockDetected,
               psycopg2.errors.LockNotAvailable)


class LatePaymentReminder(models.Model):
    """A reminder sent to a customer (commercial partner) of a company: when, at which level and
    in which tone, by which channels, for which invoices and amounts, by whom, and how it went."""

    _name = "late.payment.reminder"
    _description = "Payment reminder"
    _inherit = ["mail.thread"]
    _order = "date desc, id desc"
    _check_company_auto = True

    date = fields.Date(required=True, readonly=True, index=True, default=fields.Date.context_today)
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, readonly=True, index=True, ondelete="restrict")
    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, index=True, default=lambda self: self.env.company)
    currency_id = fields.Many2one(related="company_id.currency_id", store=True)
    dossier_id = fields.Many2one(
        "late.payment.dossier", string="Follow-up", readonly=True, index="btree_not_null", ondelete="set null")
    level_id = fields.Many2one(
        "late.payment.level", required=True, readonly=True, index=True, ondelete="restrict",
        help="The highest level of the invoices of this reminder.")
    tone_id = fields.Many2one("late.payment.tone", readonly=True, ondelete="set null")
    origin = fields.Selection(ORIGINS, required=True, readonly=True, default="cron", string="Sent from")
    user_id = fields.Many2one(
        "res.users", string="Sent by user", readonly=True, index="btree_not_null",
        help="Who sent it; empty: the scheduled action (the daily run).")
    sent_by = fields.Char(compute="_compute_sent_by", string="Sent by")
    channel_email = fields.Boolean(string="Email", readonly=True)
    channel_letter = fields.Boolean(string="Letter", readonly=True)
    channel_sms = fields.Boolean(string="SMS", readonly=True)
    channel_call = fields.Boolean(string="Phone call", readonly=True)
    channel_task = fields.Boolean(string="Task", readonly=True)
    channels = fields.Char(compute="_compute_channels")
    result = fields.Selection(
        RESULTS, required=True, readonly=True, default=rules.SENT, index=True, tracking=True,
        help="Sent: the email or the SMS went out (handed to Odoo's queues).\n"
             "Queued: what is left waits for a person: a letter in the day's batch, a call or a task.\n"
             "Bounced: the email could not go (no address, or it bounced): a letter and a task instead.\n"
             "Failed: sending failed (see the note); the invoices are tried again on the next run.")
    line_ids = fields.One2many("late.payment.reminder.line", "reminder_id", string="Invoices", readonly=True)
    line_count = fields.Integer(compute="_compute_line_count", string="Number of invoices")
    amount_total = fields.Monetary(
        string="Amount reminded", readonly=True,
        help="What was left to pay on the invoices of the reminder when it was sent, in the company currency.")
    recipient_id = fields.Many2one(
        "res.partner", readonly=True, ondelete="set null",
        help="The customer's invoice address contact, else the customer.")
    email_to = fields.Char(string="Email sent to", readonly=True)
    email_cc = fields.Char(string="Copy to", readonly=True)
    mail_message_id = fields.Many2one(
        "mail.message", string="Email message", readonly=True, index="btree_not_null", ondelete="set null")
    letter_state = fields.Selection(
        LETTER_STATES, string="Letter status", required=True, readonly=True, default="none", index=True,
        help="To print: the letter waits in the day's batch of letters.")
    # sanitized: printed by wkhtmltopdf, which runs scripts
    letter_body = fields.Html(string="Letter text", readonly=True, sanitize=True)
    snailmail_letter_id = fields.Many2one("snailmail.letter", string="Post", readonly=True, ondelete="set null")
    sms_number = fields.Char(string="SMS sent to", readonly=True)
    sms_message_id = fields.Many2one("mail.message", string="SMS message", readonly=True, ondelete="set null")
    activity_ids = fields.Many2many("mail.activity", string="Calls and tasks", readonly=True)
    note = fields.Text(readonly=True, help="What happened while sending it.")
    log_state = fields.Selection(
        LOG_STATES, string="Log status", required=True, readonly=True, default="valid", index=True,
        help="Cancelled: the reminder stays in the log as it was sent; who cancelled it, when and why is "
             "recorded beside it.")
    cancel_reason = fields.Text(string="Why it was cancelled", readonly=True)
    cancelled_by_id = fields.Many2one("res.users", string="Cancelled by", readonly=True)
    cancelled_on = fields.Datetime(string="Cancelled on", readonly=True)

    # -- display ---------------------------------------------------------------------------
    @api.depends("partner_id", "level_id", "date")
    def _compute_display_name(self):
        for reminder in self:
            reminder.display_name = self.env._(
                "%(level)s to %(customer)s (%(date)s)", level=reminder.level_id.name or "",
                customer=reminder.partner_id.display_name or "", date=format_date(self.env, reminder.date))

    @api.depends("user_id")
    def _compute_sent_by(self):
        for reminder in self:
            reminder.sent_by = reminder.user_id.name or self.env._("Scheduled action")

    @api.depends(*CHANNEL_FIELDS.values())
    def _compute_channels(self):
        labels = {channel: self._fields[fname].get_description(self.env)["string"]
                  for channel, fname in CHANNEL_FIELDS.items()}
        for reminder in self:
            reminder.channels = ", ".join(
                labels[channel] for channel, fname in CHANNEL_FIELDS.items() if reminder[fname])

    @api.depends("line_ids")
    def _compute_line_count(self):
        counts = dict(self.env["late.payment.reminder.line"]._read_group(
            [("reminder_id", "in", self.ids)], ["reminder_id"], ["__count"]))
        for reminder in self:
            reminder.line_count = counts.get(reminder, 0)

    def action_open_invoices(self):
        self.ensure_one()
        check_records(self, "read")
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Invoices of the reminder"),
            "res_model": "account.move",
            "view_mode": "list,form",
            "views": [(self.env.ref("account.view_out_invoice_tree").id, "list"), (False, "form")],
            "domain": [("id", "in", self.line_ids.move_id.ids)],
            "context": {"create": False},
        }

    # -- the daily run -------------------------------------------------------------------------
    @api.model
    def _cron_late_payment_run(self, batch_size=BATCH_SIZE):
        """Every day: refresh the follow-up state of every customer of every company by batches
        and, on the company's business days once its follow-up has started, send the reminders
        that are due. Resumable: a batch is committed with its reminders, and the customers the
        run has processed today are not processed again (a crash, a timeout or a rerun carries on
        where it stopped); customers another transaction is sending to right now are left for the
        next pass. Batches are bounded by time (late.payment.batch); a customer whose batch
        fails alone is skipped until tomorrow and reported to the administrators."""
        today = fields.Date.context_today(self)
        dossier_model = self.env["late.payment.dossier"].sudo()
        companies = self.env["res.company"].sudo().search_fetch(
            [], ["currency_id", "country_id", "account_fiscal_country_id", "late_payment_go_live_date"])
        sends = {company: company._late_payment_sends_on(today) for company in companies}
        batch_model = self.env["late.payment.batch"]
        deadline = batch_model._late_payment_turn_deadline()
        # first the invoice PDFs the reminders due today attach, by their own batches (committed,
        # bounded by time): a sending batch then finds them stored
        if not self._late_payment_cron_invoice_pdfs([company for company in companies if sends[company]], today,
                                                    deadline):
            return  # the turn is over: Odoo runs the action again soon, the PDFs go on
        todo = [(company, dossier_model._late_payment_run_candidates(company, today)) for company in companies]

        def process(company, ids):
            return dossier_model._late_payment_run_batch(company, ids, send=sends[company])

        def skip(company, ids, _error):
            dossier_model._late_payment_mark_run(company, ids, today)

        def describe(company, partner_id):
            return self.env["res.partner"].sudo().browse(partner_id).display_name

        batch_model._late_payment_batches(
            self.env._("Daily follow-up run"), todo, process, skip=skip, describe=describe, max_size=batch_size,
            deadline=deadline)

    @api.model
    def _late_payment_cron_invoice_pdfs(self, companies, today, deadline):
        """Render, by batches bounded by time, the missing PDFs of the invoices that the
        reminders due today in `companies` attach. Returns whether all are done (an invoice
        whose PDF fails is skipped for the day: its reminder goes without it, and says so)."""
        if not companies:
            return True
        self.env["account.move.line"].flush_model(["late_payment_next_level_id", "late_payment_next_date",
                                                   "parent_state", "reconciled", "move_id", "company_id"])
        self.env["late.payment.dossier"].flush_model(["partner_id", "company_id", "status", "next_action_date"])
        rows = self.env.execute_query(SQL("""
            SELECT DISTINCT aml.company_id, aml.move_id
              FROM account_move_line aml
              JOIN late_payment_level level ON level.id = aml.late_payment_next_level_id
              JOIN account_move move ON move.id = aml.move_id
              JOIN res_partner partner ON partner.id = aml.partner_id
              JOIN late_payment_dossier dossier ON dossier.partner_id = partner.commercial_partner_id
                   AND dossier.company_id = aml.company_id
                   AND (dossier.status = 'due' OR (dossier.status = 'planned' AND dossier.next_action_date <= %s))
             WHERE aml.company_id = ANY(%s) AND aml.late_payment_next_date <= %s AND level.attach_invoices
               AND level.auto AND aml.parent_state = 'posted' AND aml.reconciled IS NOT TRUE
               AND move.move_type IN ('out_invoice', 'out_refund', 'out_receipt')
               AND NOT EXISTS (SELECT 1 FROM ir_attachment a WHERE a.res_model = 'account.move'
                               AND a.res_id = aml.move_id AND a.res_field = 'invoice_pdf_report_file')
             ORDER BY aml.company_id, aml.move_id
        """, today, [company.id for company in companies], today))
        skipped = _PDF_SKIPPED.setdefault((self.env.cr.dbname, today), set())
        by_company = defaultdict(list)
        for company_id, move_id in rows:
            if move_id not in skipped:
                by_company[company_id].append(move_id)
        if not by_company:
            return True
        company_model = self.env["res.company"].sudo()
        todo = [(company_model.browse(company_id), ids) for company_id, ids in by_company.items()]

        job = self.env._("Invoice PDFs")

        def process(company, ids):
            failures = self._late_payment_store_invoice_pdfs(self.env["account.move"].sudo().browse(ids))
            if failures:  # skipped for the day, reported to the administrators
                skipped.update(failures)
                self.env["late.payment.batch"]._late_payment_report_failures(
                    job, company, list(failures.items()), describe)

        def skip(_company, ids, _error):
            skipped.update(ids)

        def describe(_company, move_id):
            return self.env["account.move"].sudo().browse(move_id).display_name

        total = sum(len(ids) for _company, ids in todo)
        done = self.env["late.payment.batch"]._late_payment_batches(
            job, todo, process, skip=skip, describe=describe, first_size=5,
            max_size=PDF_CHUNK, deadline=deadline)
        return done >= total

    @api.model
    def action_late_payment_run_now(self):
        """Administrators: run the daily follow-up now for the current company, in this
        transaction (no intermediate commit): refresh every customer, send what is due."""
        if not self.env.user.has_group(ADMIN_GROUP):
            raise AccessError(self.env._("Only the late payment administrators may run the follow-up."))
        check_records(self.env["late.payment.dossier"], "write")
        company = self.env.company
        today = fields.Date.context_today(self)
        dossier_model = self.env["late.payment.dossier"].sudo()
        ids = dossier_model._late_payment_run_candidates(company, today, include_done=True)
        business_day = company._late_payment_sends_on(today)
        before = self.sudo().search([], order="id desc", limit=1).id or 0
        dossier_model._late_payment_run_batch(company, ids, send=business_day, origin="console")
        sent = self.search([("id", ">", before), ("company_id", "=", company.id)])
        if not company.late_payment_go_live_date:
            message = self.env._(
                "The follow-up of %(company)s has not started yet: the follow-up state of every customer was "
                "refreshed and no reminder was sent.", company=company.name)
        elif not business_day:
            message = self.env._(
                "Today is not a business day for %(company)s: the follow-up state of every customer was "
                "refreshed and no reminder was sent.", company=company.name)
        else:
            message = self.env._("%(count)s reminders sent.", count=len(sent))
        if not sent:
            return {
                "type": "ir.actions.client",
                "tag": "display_notification",
                "params": {"title": self.env._("Follow-up run"), "message": message, "type": "info",
                           "next": {"type": "ir.actions.act_window_close"}},
            }
        action = {
            "type": "ir.actions.act_window",
            "res_model": "late.payment.reminder",
            "view_mode": "list,form",
            "domain": [("id", "in", sent.ids)],
        }
        action["name"] = self.env._("Reminders sent now")
        return action

    # -- sending ---------------------------------------------------------------------------------
    @api.model
    def _late_payment_send(self, dossiers, origin="console", include_manual=False, refresh=True, business_day=True,
                           dry_run=False):
        """Send the reminders that are due to the customers of `dossiers` (late.payment.dossier),
        rechecked now: the one way reminders go out (daily run, console, API). Returns the
        reminders created. `include_manual`: also the levels that wait for an accountant
        (otherwise the responsible gets a task for them). `refresh=False` only when the caller
        has just locked and refreshed these dossiers in this transaction. `dry_run`: send
        nothing, write no reminder and ask nobody for a manual level; return the plans of the
        reminders that would go (see `_late_payment_plans`) instead."""
        if origin != "cron" and not self.env.su and not self.env.user.has_group(USER_GROUP):
            raise AccessError(self.env._("Only the late payment users may send reminders."))
        user = self.env.user if origin != "cron" else self.env["res.users"]
        sudo = self.sudo().with_context(tracking_disable=True, mail_create_nolog=True, mail_create_nosubscribe=True)
        dossier_model = sudo.env["late.payment.dossier"]
        result = [] if dry_run else sudo.browse()
        for company, given in dossiers.sudo().grouped("company_id").items():
            company_dossiers = given
            if refresh:
                partner_ids = given.partner_id.ids
                locked = dossier_model._late_payment_lock(company, partner_ids)
                if len(locked) < len(partner_ids):
                    _logger.info("Late payments: customers %s of %s are being sent reminders by another "
                                 "transaction: skipped", sorted(set(partner_ids) - set(locked)), company.name)
                company_dossiers = dossier_model._late_payment_refresh(
                    partners=sudo.env["res.partner"].browse(locked), company=company)
            sent = sudo._late_payment_send_company(company, company_dossiers, origin, user, include_manual,
                                                   business_day, dry_run=dry_run)
            if dry_run:
                result.extend(sent)
            else:
                result |= sent
        return result if dry_run else result.with_env(self.env)

    def _late_payment_send_company(self, company, dossiers, origin, user, include_manual, business_day,
                                   dry_run=False):
        today = fields.Date.context_today(self)
        dossier_model = self.env["late.payment.dossier"]
        dossiers.fetch(["partner_id", "status", "next_level_id", "next_tone_id", "user_id", "amount_overdue",
                        "amount_due", "amount_excluded"])
        proceedings = dossier_model._late_payment_collective_proceedings(dossiers.partner_id, company)
        # checked again at send time, from the database: proceedings or a hand-off to collection
        # recorded since the customers' state was computed stop the reminder too
        stopped = self._late_payment_stopped_customers(dossiers.partner_id, company)
        to_send, manual = [], dossier_model
        for dossier in dossiers.sorted(lambda d: d.partner_id.id):
            decision = rules.decide(
                dossier.status, bool(dossier.next_level_id), dossier.next_level_id.auto,
                in_proceedings=dossier.partner_id.id in proceedings or dossier.partner_id.id in stopped,
                business_day=business_day,
                include_manual=include_manual)
            if decision.action == rules.SEND:
                to_send.append(dossier)
            elif decision.action == rules.MANUAL:
                manual |= dossier
        if dry_run:
            return self._late_payment_plans(company, to_send, today, user)
        if (to_send or manual) and not company.late_payment_go_live_date:
            # nothing goes out before an administrator starts the follow-up of the company
            if origin == "cron":
                return self.browse()
            raise UserError(self.env._(
                "The follow-up of %(company)s has not started yet: an administrator starts it in the Settings "
                "(Late Payments) or from the banner of the follow-up console.", company=company.name))
        manual._late_payment_ask_for_manual_level()
        plans = self._late_payment_plans(company, to_send, today, user)
        if not plans:
            return self.browse()
        reminders = self._late_payment_deliver_all(plans, origin, user)
        # the escalation level hands the customer over to collection
        reminders.filtered(lambda reminder: reminder.line_ids and reminder.level_id.is_escalation) \
            .dossier_id._late_payment_escalate(automatic=True)
        # the lines reached their levels: the customers' state moves on now (not again at commit)
        sent_partners = reminders.filtered("line_ids").partner_id
        if sent_partners:
            dossier_model._late_payment_refresh(partners=sent_partners, company=company)
            dossier_model._late_payment_forget_dirty(sent_partners, company)
        return reminders

    def _late_payment_plans(self, company, dossiers, today, user):
        """What each reminder will be: plain dicts, in a bounded number of queries."""
        if not dossiers:
            return []
        partners = self.env["res.partner"].browse([dossier.partner_id.id for dossier in dossiers])
        rows = self.env.execute_query(SQL("""
            SELECT p.commercial_partner_id, aml.id
              FROM account_move_line aml
              JOIN res_partner p ON p.id = aml.partner_id
             WHERE aml.company_id = %s AND p.commercial_partner_id = ANY(%s)
               AND aml.late_payment_next_date <= %s
               AND aml.parent_state = 'posted' AND aml.reconciled IS NOT TRUE
             ORDER BY aml.date_maturity, aml.id
        """, company.id, partners.ids, today))
        line_ids = defaultdict(list)
        for partner_id, line_id in rows:
            line_ids[partner_id].append(line_id)
        lines = self.env["account.move.line"].browse([row[1] for row in rows])
        lines.fetch(["move_id", "date_maturity", "amount_residual", "amount_residual_currency", "currency_id",
                     "late_payment_next_level_id"])
        lines.move_id.fetch(["name", "move_type", "invoice_user_id", "state"])
        contacts = self._late_payment_invoice_contacts(partners)
        partners.fetch(["name", "lang", "email", "email_normalized", "message_bounce", "phone", "user_id",
                        "street", "city", "zip", "country_id"])
        plans = []
        for dossier in dossiers:
            partner = dossier.partner_id
            # in the prefetch set of every plan's lines: what the plans read later (invoices, their
            # PDFs) is read for the whole batch at once, not per customer
            partner_lines = lines.browse(line_ids.get(partner.id, [])).with_prefetch(lines._prefetch_ids)
            if not partner_lines:
                continue
            level = dossier.next_level_id
            contact = contacts.get(partner.id)
            recipient = next((p for p in (contact, partner) if p and self._late_payment_email_ok(p)), None)
            phone = next((p.phone for p in (contact, partner) if p and p.phone), False)
            plan = rules.plan_channels(
                {channel for channel, fname in CHANNEL_FIELDS.items() if level[fname]},
                email_ok=recipient is not None, phone_ok=bool(phone))
            salespersons = partner_lines.move_id.invoice_user_id or partner.user_id
            plans.append({
                "dossier": dossier,
                "partner": partner,
                "company": company,
                "level": level,
                "tone": dossier.next_tone_id or level.tone_id,
                "lines": partner_lines,
                "channels": plan.channels,
                "bounced": plan.bounced,
                "no_number": plan.no_number,
                "recipient": recipient or contact or partner,
                "phone": phone,
                "cc": ", ".join(salespersons.partner_id.filtered("email").mapped("email_formatted"))
                      if company.late_payment_copy_salesperson else False,
                "responsible": dossier._late_payment_responsible(),
                "user": user,
                # the one overdue balance, the dossier's (credits applied once); nothing overdue
                # (a reminder before the due date): what the listed lines leave to pay
                "amount": dossier.amount_overdue if dossier.amount_overdue > 0
                else dossier.amount_due - dossier.amount_excluded,
                "today": today,
            })
        return plans

    @api.model
    def _late_payment_invoice_contacts(self, partners):
        """{commercial partner id: its first invoice address contact}."""
        contacts = self.env["res.partner"].search_fetch(
            [("parent_id", "in", partners.ids), ("type", "=", "invoice")],
            ["parent_id", "name", "lang", "email", "email_normalized", "message_bounce", "phone", "street", "city",
             "zip", "country_id"], order="id")
        result = {}
        for contact in contacts:
            result.setdefault(contact.parent_id.id, contact)
        return result

    @api.model
    def _late_payment_email_ok(self, partner):
        """Whether an email can go to `partner`: an address that never bounced, not blacklisted."""
        return bool(partner.email_normalized) and not partner.message_bounce and not partner.is_blacklisted

    def _late_payment_deliver_all(self, plans, origin, user):
        """Deliver `plans` in one savepoint; if anything fails, again one customer at a time."""
        if len(plans) > 1:
            try:
                with self.env.cr.savepoint():
                    return self._late_payment_deliver(plans, origin, user)
            except RETRY_LATER:
                raise
            except Exception:  # redone one customer at a time below, where it is reported
                _logger.info("Late payments: a batch of %s reminders is sent again one by one", len(plans))
            reminders = self.browse()
            for plan in plans:
                reminders |= self._late_payment_deliver_all([plan], origin, user)
            return reminders
        plan = plans[0]
        try:
            with self.env.cr.savepoint():
                return self._late_payment_deliver([plan], origin, user)
        except RETRY_LATER:
            raise
        except ALREADY_SENT:
            _logger.info("Late payments: %s was sent the reminder of these invoices by another transaction: "
                         "skipped", plan["partner"].display_name)
            return self.browse()
        except Exception as error:  # a failure for one customer never stops the others
            _logger.exception("Late payments: the reminder to %s could not be sent", plan["partner"].display_name)
            return self._late_payment_record_failure(plan, origin, user, error)

    def _late_payment_record_failure(self, plan, origin, user, error):
        """A reminder in the `failed` state, without lines: its invoices are tried again later."""
        with self.env.cr.savepoint():
            return self.create({
                **self._late_payment_reminder_vals(plan, origin, user),
                "result": rules.FAILED,
                "letter_state": "none",
                "note": self.env._("Sending failed: %(error)s", error=str(error) or type(error).__name__),
            })

    def _late_payment_reminder_vals(self, plan, origin, user):
        return {
            "date": plan["today"],
            "partner_id": plan["partner"].id,
            "company_id": plan["company"].id,
            "dossier_id": plan["dossier"].id,
            "level_id": plan["level"].id,
            "tone_id": plan["tone"].id,
            "origin": origin,
            "user_id": user.id,
            "recipient_id": plan["recipient"].id,
            "amount_total": plan["amount"],
            **{fname: channel in plan["channels"] for channel, fname in CHANNEL_FIELDS.items()},
        }

    def _late_payment_deliver(self, plans, origin, user):
        """Create the reminders of `plans`, claim their lines, use their channels, and move the
        lines to their levels. Raises on a second reminder for a (line, level)."""
        emails, letters = self._late_payment_render(plans)
        vals_list = []
        for plan in plans:
            key = plan["dossier"].id
            notes = []
            if plan["bounced"]:
                notes.append(self.env._(
                    "No email could go to %(customer)s (no address, or it bounced): a letter and a task instead.",
                    customer=plan["partner"].display_name))
            if plan["no_number"]:
                notes.append(self.env._("No phone number for the SMS: a task instead."))
            vals_list.append({
                **self._late_payment_reminder_vals(plan, origin, user),
                "result": rules.result(plan["channels"], bounced=plan["bounced"]),
                "email_to": emails[key]["email_to"] if key in emails else False,
                "email_cc": emails[key]["email_cc"] if key in emails else False,
                "letter_state": "queued" if rules.LETTER in plan["channels"] else "none",
                "letter_body": letters.get(key, False),
                "note": "\n".join(notes) or False,
            })
        reminders = self.create(vals_list)
        for plan, reminder in zip(plans, reminders, strict=True):
            plan["reminder"] = reminder
        self._late_payment_claim_lines(plans)
        self._late_payment_send_emails(plans, emails)
        self._late_payment_post_letters([plan for plan in plans if rules.LETTER in plan["channels"]])
        self._late_payment_send_sms([plan for plan in plans if rules.SMS in plan["channels"]])
        self._late_payment_schedule_activities(plans)
        self._late_payment_log_on_customers(plans)
        self._late_payment_reach_levels(plans)
        with_penalties = reminders.filtered(lambda reminder: reminder.level_id.invoice_penalties)
        if with_penalties:
            with_penalties._late_payment_level_invoice_penalties()
        return reminders

    def _late_payment_render(self, plans):
        """({dossier id: email values}, {dossier id: letter text}) of `plans`: the one rendering
        of what goes out, used by the send path and by the console's preview (so the preview is
        what is sent). A letter is rendered for the plans that print one or attach it to the email."""
        # the payment links of the emails and letters: every invoice's portal token, at once
        if not self.env.cr.readonly:
            self.env["account.move"].union(*(plan["lines"].move_id for plan in plans)).filtered(
                lambda move: move.is_invoice(include_receipts=True))._late_payment_ensure_access_tokens()
        emails = self._late_payment_render_emails([plan for plan in plans if rules.EMAIL in plan["channels"]])
        letters = self._late_payment_render_letters([
            plan for plan in plans
            if rules.LETTER in plan["channels"] or (rules.EMAIL in plan["channels"] and plan["level"].attach_letter)])
        return emails, letters

    @api.model
    def _late_payment_preview(self, dossier):
        """What the console would send to the customer of `dossier` now, rendered by the send
        path's own functions: a dict with the date it would go out (today, or the planned date),
        the level, tone, channels, recipient, lines, amount,
        the email's subject and body and the letter, in the customer's language; None when
        nothing is due."""
        dossier.ensure_one()
        sudo = self.sudo()
        dossier = dossier.sudo()
        if not dossier.next_level_id:
            return None
        # a reminder planned later: what would go out on its date (as things stand today)
        day = max(fields.Date.context_today(self), dossier.next_action_date or fields.Date.context_today(self))
        plans = sudo._late_payment_plans(dossier.company_id, [dossier], day, self.env.user)
        if not plans:
            return None
        plan = plans[0]
        emails, letters = sudo._late_payment_render(plans)
        email = emails.get(dossier.id) or {}
        return {
            "date": day,
            "level": plan["level"],
            "tone": plan["tone"],
            "channels": plan["channels"],
            "recipient": plan["recipient"],
            "lines": plan["lines"],
            "amount": plan["amount"],
            "email_to": email.get("email_to") or False,
            "subject": email.get("subject") or False,
            "body_html": email.get("body_html") or False,
            "letter_body": letters.get(dossier.id) or False,
        }

    def _late_payment_claim_lines(self, plans):
        """Insert the reminder lines in one query. The unique index on (receivable line, day)
        makes it fail when any of them was already sent: nothing is logged as an error here,
        the caller decides (another transaction was faster)."""
        line_model = self.env["late.payment.reminder.line"]
        values = []
        for plan in plans:
            reminder = plan["reminder"]
            for line in plan["lines"]:
                values.append(SQL(
                    "(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, NOW() AT TIME ZONE 'UTC', %s, "
                    "NOW() AT TIME ZONE 'UTC')",
                    reminder.id, line.id, line.move_id.id, line.late_payment_next_level_id.id or None,
                    reminder.partner_id.id,
                    reminder.company_id.id, reminder.date, line.currency_id.id, line.date_maturity,
                    (plan["today"] - line.date_maturity).days if line.date_maturity else 0,
                    line.amount_residual, line.amount_residual_currency, self.env.uid, self.env.uid))
        if not values:
            return
        self.flush_model()
        self.env.cr.execute(SQL("""
            INSERT INTO late_payment_reminder_line
                   (reminder_id, move_line_id, move_id, level_id, partner_id, company_id, date, currency_id,
                    date_maturity, days_late, amount_residual, amount_residual_currency, create_uid, create_date,
                    write_uid, write_date)
            VALUES %s
        """, SQL(", ").join(values)), log_exceptions=False)
        self.invalidate_model(["line_ids", "line_count"])
        line_model.invalidate_model()

    # -- email ---------------------------------------------------------------------------------
    def _late_payment_render_emails(self, plans):
        """{dossier id: values of its email}, rendered by batches of template and responsible
        (the signature), each in the customer's language."""
        groups = defaultdict(list)
        for plan in plans:
            template = plan["tone"].mail_template_id or plan["level"].tone_id.mail_template_id
            if not template:
                raise UserError(self.env._(
                    "The tone \u201c%(tone)s\u201d has no email template: the reminder of %(level)s cannot be "
                    "emailed.", tone=plan["tone"].name, level=plan["level"].name))
            groups[template, plan["tone"], plan["responsible"]].append(plan)
        # what the emails list (the dossiers' lines and their invoices), read for the whole batch
        # at once before the templates render the dossiers one by one
        self.env["late.payment.dossier"].sudo().union(*(plan["dossier"] for plan in plans)).mapped(
            "reminder_line_ids").move_id.mapped("access_token")
        emails = {}
        for (template, tone, responsible), group in groups.items():
            # the body says the text of the plan's tone (see late.payment.dossier._late_payment_email_body)
            renderer = template.with_user(responsible).sudo().with_context(lang=None, late_payment_tone_id=tone.id)
            ids = [plan["dossier"].id for plan in group]
            values = renderer._generate_template(ids, (
                "subject", "body_html", "email_from", "reply_to", "attachment_ids", "report_template_ids",
                "auto_delete", "mail_server_id"))
            langs = renderer._render_lang(ids)
            for plan in group:
                key = plan["dossier"].id
                email = values[key]
                email["lang"] = langs.get(key) or plan["partner"].lang or self.env.lang
                email["email_to"] = plan["recipient"].email_formatted
                email["email_cc"] = plan["cc"]
                email["template"] = template
                emails[key] = email
        return emails

    def _late_payment_send_emails(self, plans, emails):
        """Queue the emails (Odoo's mail queue sends them), each a message in the customer's
        chatter whose delivery status (sent, bounced, failed) comes back on the reminder."""
        plans = [plan for plan in plans if plan["dossier"].id in emails]
        if not plans:
            return
        mail_model = self.env["mail.mail"].sudo()
        vals_list, attachments_list = [], []
        # the invoices' own PDFs for the whole batch at once: those missing rendered in bulk and
        # stored as the invoices' PDF (as Odoo's sending does), so each is rendered once
        pdf_failures = self._late_payment_store_invoice_pdfs(self.env["account.move"].union(
            *(plan["lines"].move_id for plan in plans if plan["level"].attach_invoices)))
        for plan in plans:
            email = emails[plan["dossier"].id]
            lang = email["lang"]
            body = email.get("body_html") or ""
            layout_body = email["template"].with_context(lang=lang)._render_encapsulate(
                EMAIL_LAYOUT, body, add_context={"company": plan["company"], "model_description": False},
                context_record=plan["partner"].with_context(lang=lang))
            attachment_ids = list(email.get("attachment_ids") or [])
            generated = list(email.get("attachments") or [])
            generated += self._late_payment_document_pdfs(plan)
            if plan["level"].attach_invoices:
                attachment_ids += self._late_payment_invoice_pdfs(plan, pdf_failures).ids
            vals_list.append({
                "subject": email.get("subject") or "",
                "body": body,
                "body_html": layout_body,
                "email_from": email.get("email_from") or plan["company"].email_formatted,
                "reply_to": email.get("reply_to") or False,
                "author_id": plan["responsible"].partner_id.id,
                "recipient_ids": [Command.link(plan["recipient"].id)],
                "email_cc": plan["cc"] or False,
                "model": "res.partner",
                "res_id": plan["partner"].id,
                "message_type": "email_outgoing",
                "is_notification": True,  # the mail goes once sent; its message stays in the chatter
                "auto_delete": email.get("auto_delete", True),
                "mail_server_id": email.get("mail_server_id") or False,
                "attachment_ids": [Command.link(attachment_id) for attachment_id in attachment_ids],
            })
            attachments_list.append(generated)
        mails = mail_model.create(vals_list)
        new_attachments = []
        for mail, generated in zip(mails, attachments_list, strict=True):
            new_attachments.extend({
                "name": name, "raw": content, "res_model": "mail.message", "res_id": mail.mail_message_id.id,
                "type": "binary",
            } for name, content in generated)
        if new_attachments:
            created = self.env["ir.attachment"].sudo().with_context(default_type=None).create(new_attachments)
            for mail, attachments in created.grouped("res_id").items():
                mails.filtered(lambda m, mid=mail: m.mail_message_id.id == mid).attachment_ids = [
                    Command.link(attachment.id) for attachment in attachments]
        self.env["mail.notification"].sudo().create([{
            "author_id": plan["responsible"].partner_id.id,
            "mail_message_id": mail.mail_message_id.id,
            "mail_mail_id": mail.id,
            "res_partner_id": plan["recipient"].id,
            "notification_type": "email",
            "notification_status": "ready",
            "is_read": True,
        } for plan, mail in zip(plans, mails, strict=True)])
        for plan, mail in zip(plans, mails, strict=True):
            plan["reminder"].mail_message_id = mail.mail_message_id

    def _late_payment_document_pdfs(self, plan):
        """[(name, content)]: the letter and the statement of account the level attaches to the
        email, rendered in the customer's language."""
        level = plan["level"]
        reminder = plan["reminder"]
        lang = plan["recipient"].lang or plan["partner"].lang or self.env.lang
        report_model = self.env["ir.actions.report"].sudo().with_context(lang=lang)
        documents = []
        if level.attach_letter and reminder.letter_body:
            content, _kind = report_model._render_qweb_pdf(LETTER_REPORT, reminder.ids)
            documents.append((self.with_context(lang=lang).env._(
                "Reminder - %(customer)s.pdf", customer=plan["partner"].name), content))
        if level.attach_statement:
            content, _kind = report_model._render_qweb_pdf(STATEMENT_REPORT, plan["dossier"].ids)
            documents.append((self.with_context(lang=lang).env._(
                "Statement of account - %(customer)s.pdf", customer=plan["partner"].name), content))
        return documents

    def _late_payment_invoice_pdfs(self, plan, failures):
        """The stored PDFs of the invoices of `plan`; an invoice whose PDF could not be made (see
        `_late_payment_store_invoice_pdfs`) is left out, the reason noted on the reminder."""
        invoices = plan["lines"].move_id.filtered(lambda move: move.is_invoice(include_receipts=True))
        missing = invoices.filtered(lambda move: move.id in failures)
        if missing:
            reminder = plan["reminder"]
            reminder.note = "\n".join(filter(None, [reminder.note, self.env._(
                "Sent without the PDF of %(invoices)s: %(reason)s",
                invoices=", ".join(missing.mapped("name")), reason=failures[missing[0].id])]))
        return (invoices - missing).invoice_pdf_report_id

    @api.model
    def _late_payment_store_invoice_pdfs(self, moves, chunk=PDF_CHUNK):
        """Render the invoices of `moves` that have no PDF yet, many per wkhtmltopdf call (Odoo
        splits the document per invoice), and store each as the invoice's PDF, as Odoo's own
        sending does (`account.move.send`): rendered once, then reused by every reminder.
        Returns {invoice id: reason} of those whose PDF could not be made (a chunk that fails is
        rendered again one invoice at a time)."""
        invoices = moves.filtered(lambda move: move.is_invoice(include_receipts=True) and move.state == "posted")
        todo = invoices.filtered(lambda move: not move.invoice_pdf_report_id)
        failures = {}
        for company, company_invoices in todo.grouped("company_id").items():
            for start in range(0, len(company_invoices), chunk):
                part = company_invoices[start:start + chunk]
                try:
                    with self.env.cr.savepoint():
                        self._late_payment_render_invoice_pdfs(company, part)
                    continue
                except Exception as error:  # each invoice alone below
                    if len(part) == 1:
                        failures[part.id] = str(error) or type(error).__name__
                        _logger.warning("Late payments: the PDF of %s could not be made: %s", part.name, error)
                        continue
                    _logger.info("Late payments: %s invoice PDFs could not be made together (%s): one by one",
                                 len(part), error)
                for invoice in part:
                    try:
                        with self.env.cr.savepoint():
                            self._late_payment_render_invoice_pdfs(company, invoice)
                    except Exception as error:
                        failures[invoice.id] = str(error) or type(error).__name__
                        _logger.warning("Late payments: the PDF of %s could not be made: %s", invoice.name, error)
        return failures

    @api.model
    def _late_payment_render_invoice_pdfs(self, company, invoices):
        """One wkhtmltopdf call for `invoices` (one company), split per invoice and stored."""
        report = self.env.ref(INVOICE_REPORT).sudo()
        report_model = self.env["ir.actions.report"].sudo().with_company(company)
        started = time.monotonic()
        if report_model._is_invoice_report(report.report_name) and any(
                invoice.move_type == "entry" for invoice in invoices):
            raise UserError(self.env._("Only invoices could be printed."))
        if tools.config["test_enable"] and not self.env.context.get("force_report_rendering"):
            content, kind = report_model._pre_render_qweb_pdf(report.report_name, res_ids=invoices.ids)
            by_id = report_model._get_splitted_report(report.report_name, content, kind)
        else:  # many per wkhtmltopdf call (models/late_payment_reminder_pdf.py)
            by_id = self._late_payment_render_pdfs_in_one(report, company, invoices)
        # (make bench reads these lines: the PDFs rendered per second)
        _logger.info("Late payments: %s invoice PDFs rendered in %.2f s", len(invoices), time.monotonic() - started)
        missing = [invoice for invoice in invoices if not by_id.get(invoice.id)]
        if missing:
            raise UserError(self.env._("The invoice report could not be split per invoice: %(invoices)s",
                                       invoices=", ".join(invoice.name for invoice in missing)))
        attachments = self.env["ir.attachment"].sudo().create([{
            "name": invoice._get_invoice_report_filename(report=report),
            "raw": by_id[invoice.id],
            "mimetype": "application/pdf",
            "res_model": "account.move",
            "res_id": invoice.id,
            "res_field": "invoice_pdf_report_file",
        } for invoice in invoices])
        for invoice, attachment in zip(invoices, attachments, strict=True):
            if not invoice.message_main_attachment_id:
                invoice.sudo().message_main_attachment_id = attachment
        invoices.invalidate_recordset(["invoice_pdf_report_id", "invoice_pdf_report_file"])
        return attachments

    # -- letters ----------------------------------------------------------------------------------
    def _late_payment_render_letters(self, plans):
        """{dossier id: letter text}, in the customer's language, by batches of tone."""
        letters = {}
        by_tone = defaultdict(list)
        for plan in plans:
            by_tone[plan["tone"]].append(plan["dossier"])
        for tone, dossiers in by_tone.items():
            rendered = tone.sudo()._late_payment_render_letter(self.env["late.payment.dossier"].union(*dossiers))
            letters.update(rendered)
        return letters

    def _late_payment_post_letters(self, plans):
        """The letters wait in the day's batch (letter_state queued); a company that posts its
        letters with Odoo's Snailmail service also hands them to it."""
        if not plans or not plans[0]["company"].late_payment_snailmail:
            return
        letter_model = self.env["snailmail.letter"].sudo()
        report = self.env.ref(LETTER_REPORT)
        postable = []
        for plan in plans:
            address = plan["recipient"] if letter_model._is_valid_address(plan["recipient"]) else plan["partner"]
            if not letter_model._is_valid_address(address):
                reminder = plan["reminder"]
                reminder.note = "\n".join(filter(None, [reminder.note, self.env._(
                    "The customer's address is incomplete: the letter is not posted, print it.")]))
                continue
            postable.append((plan, address))
        if not postable:
            return
        letters = letter_model.create([{
            "model": self._name,
            "res_id": plan["reminder"].id,
            "partner_id": address.id,
            "company_id": plan["company"].id,
            "report_template": report.id,
            "user_id": plan["responsible"].id,
        } for plan, address in postable])
        for (plan, _address), letter in zip(postable, letters, strict=True):
            plan["reminder"].snailmail_letter_id = letter

    # -- SMS ------------------------------------------------------------------------------------------
    def _late_payment_send_sms(self, plans):
        """A short text in the customer's language, queued in Odoo's SMS queue (its scheduled
        action sends it through IAP)."""
        for plan in plans:
            partner = plan["partner"]
            recipient = plan["recipient"]
            number = recipient._phone_format(number=plan["phone"]) or plan["phone"]
            lang = recipient.lang or partner.lang or self.env.lang
            body = self._late_payment_sms_text(plan, lang)
            message = partner.with_context(lang=lang)._message_sms(
                body, partner_ids=recipient.ids, sms_pid_to_number={recipient.id: number}, put_in_queue=True)
            with log_update():
                plan["reminder"].write({"sms_number": number, "sms_message_id": message.id})

    def _late_payment_sms_text(self, plan, lang):
        env = self.with_context(lang=lang).env
        company = plan["company"]
        amount = format_amount(env, plan["amount"], company.currency_id, lang_code=lang)
        invoices = ", ".join(plan["lines"].move_id.mapped("name"))
        if all(line.date_maturity and line.date_maturity >= plan["today"] for line in plan["lines"]):
            return env._("%(company)s: %(amount)s soon due (%(invoices)s). Thank you for paying on time.",
                         company=company.name, amount=amount, invoices=invoices)
        return env._("%(company)s: %(amount)s overdue (%(invoices)s). Please pay it or contact us. Thank you.",
                     company=company.name, amount=amount, invoices=invoices)

    # -- calls and tasks -----------------------------------------------------------------------------
    def _late_payment_schedule_activities(self, plans):
        """A phone call, a task, for the customer's responsible, on its follow-up."""
        model_id = self.env["ir.model"]._get_id("late.payment.dossier")
        call = self.env.ref("mail.mail_activity_data_call")
        todo = self.env.ref("mail.mail_activity_data_todo")
        vals_list, owners = [], []
        for plan in plans:
            partner = plan["partner"]
            invoices = self._late_payment_invoices_text(plan)
            common = {"res_model_id": model_id, "res_id": plan["dossier"].id, "user_id": plan["responsible"].id,
                      "date_deadline": plan["today"], "automated": True}
            if rules.CALL in plan["channels"]:
                vals_list.append({**common, "activity_type_id": call.id, "summary": self.env._(
                    "Call %(customer)s: %(level)s", customer=partner.display_name, level=plan["level"].name),
                    "note": invoices})
                owners.append(plan)
            if rules.TASK in plan["channels"]:
                if plan["bounced"]:
                    summary = self.env._("No email to %(customer)s: a letter is queued, check the address",
                                         customer=partner.display_name)
                elif plan["no_number"]:
                    summary = self.env._("No phone number for the SMS to %(customer)s: %(level)s",
                                         customer=partner.display_name, level=plan["level"].name)
                else:
                    summary = self.env._("%(level)s for %(customer)s", level=plan["level"].name,
                                         customer=partner.display_name)
                vals_list.append({**common, "activity_type_id": todo.id, "summary": summary, "note": invoices})
                owners.append(plan)
        if not vals_list:
            return
        activities = self.env["mail.activity"].sudo().with_context(mail_activity_quick_update=True).create(vals_list)
        by_reminder = defaultdict(list)
        for plan, activity in zip(owners, activities, strict=True):
            by_reminder[plan["reminder"]].append(activity.id)
        for reminder, ids in by_reminder.items():
            reminder.activity_ids = [Command.set(ids)]

    def _late_payment_invoices_text(self, plan):
        items = Markup("").join(
            Markup("<li>%s</li>") % self.env._(
                "%(invoice)s, due %(due)s: %(amount)s", invoice=line.move_id.name,
                due=format_date(self.env, line.date_maturity),
                amount=format_amount(self.env, line.amount_residual_currency, line.currency_id))
            for line in plan["lines"])
        return Markup("<ul>%s</ul>") % items

    # -- the customer's chatter ----------------------------------------------------------------------
    def _late_payment_log_on_customers(self, plans):
        """One note per reminder in the customer's chatter (nobody is notified)."""
        by_author = defaultdict(dict)
        for plan in plans:
            reminder = plan["reminder"]
            body = Markup("<p>%s</p>%s<p>%s</p>") % (
                Markup(self.env._(
                    "Reminder %(link)s sent by %(who)s: %(level)s, tone %(tone)s, by %(channels)s.",
                    link=Markup('<a href="#" data-oe-model="late.payment.reminder" data-oe-id="%s">#%s</a>')
                    % (reminder.id, reminder.id),
                    who=escape(reminder.sent_by), level=escape(plan["level"].name),
                    tone=escape(plan["tone"].name or ""), channels=escape(reminder.channels))),
                self._late_payment_invoices_text(plan),
                self.env._("Total: %(amount)s. Result: %(result)s.",
                           amount=format_amount(self.env, plan["amount"], plan["company"].currency_id),
                           result=dict(self._fields["result"]._description_selection(self.env))[reminder.result]),
            )
            if reminder.note:
                body += Markup("<p>%s</p>") % reminder.note
            author = (plan["user"] or self.env.user).partner_id
            by_author[author][plan["partner"].id] = body
        for author, bodies in by_author.items():
            self.env["res.partner"].browse(list(bodies))._message_log_batch(bodies=bodies, author_id=author.id)

    # -- levels reached ------------------------------------------------------------------------------
    def _late_payment_reach_levels(self, plans):
        """Each line reaches its level today (one write per level)."""
        by_level = defaultdict(list)
        for plan in plans:
            # the lines only listed (not yet due, too recent, paused) reach no level
            for line in plan["lines"].filtered("late_payment_next_level_id"):
                by_level[line.late_payment_next_level_id.id, plan["today"]].append(line.id)
        # no amount changes: no need for the invoices' tax and payment-term lines to be synchronised
        line_model = self.env["account.move.line"].sudo().with_context(skip_invoice_sync=True)
        for (level_id, today), line_ids in by_level.items():
            line_model.browse(line_ids).write({"late_payment_level_id": level_id, "late_payment_level_date": today})

    def _late_payment_level_invoice_penalties(self):
        """These reminders reached a level that invoices the penalties (its "Invoice the
        penalties" box): invoice, and post, what the reminded invoices accrued up to the
        reminder's date and no penalty invoice bears yet (the ledger makes it once only)."""
        penalty_invoices = self.env["account.move"]
        for day, reminders in self.grouped("date").items():
            penalty_invoices |= reminders.line_ids.move_id._late_payment_invoice_penalties(
                at_date=day, post=True, skip_problems=True)
        return penalty_invoices

    # -- delivery status of the emails ----------------------------------------------------------------
    @api.model
    def _late_payment_email_status(self, messages, status):
        """The emails of `messages` bounced (`bounce`), could not be sent (`exception`) or went
        (`sent`): the reminders follow. A bounced email becomes a letter and a task."""
        reminders = self.sudo().search([("mail_message_id", "in", messages.ids)])
        if status == "bounce":
            reminders = reminders.filtered(lambda reminder: reminder.result != rules.BOUNCED)
            reminders._late_payment_fall_back_to_letters()
        elif status == "exception":
            with log_update():
                reminders.filtered(lambda reminder: reminder.result == rules.SENT).write({
                    "result": rules.FAILED,
                    "note": self.env._("The email could not be sent (see the message in the customer's chatter)."),
                })
        elif status == "sent":
            with log_update():
                reminders.filtered(lambda reminder: reminder.result == rules.FAILED).write({"result": rules.SENT})

    def _late_payment_fall_back_to_letters(self):
        """The email of these reminders bounced: a letter in the day's batch and a task for the
        responsible instead."""
        if not self:
            return
        todo = self.env.ref("mail.mail_activity_data_todo")
        model_id = self.env["ir.model"]._get_id("late.payment.dossier")
        today = fields.Date.context_today(self)
        letters = {}
        for tone, reminders in self.filtered("dossier_id").grouped("tone_id").items():
            if tone:
                letters.update(tone._late_payment_render_letter(reminders.dossier_id))
        for reminder in self:
            note = self.env._("The email to %(email)s bounced: a letter is queued instead.",
                              email=reminder.email_to or "")
            activity = self.env["mail.activity"].with_context(mail_activity_quick_update=True).create({
                "res_model_id": model_id, "res_id": reminder.dossier_id.id, "activity_type_id": todo.id,
                "user_id": reminder.dossier_id._late_payment_responsible().id, "date_deadline": today,
                "automated": True, "summary": self.env._(
                    "The reminder email to %(customer)s bounced: check the address",
                    customer=reminder.partner_id.display_name), "note": note,
            }) if reminder.dossier_id else self.env["mail.activity"]
            vals = {
                "result": rules.BOUNCED,
                "channel_letter": True,
                "channel_task": True,
                "note": "\n".join(filter(None, [reminder.note, note])),
                "activity_ids": [Command.link(activity.id)] if activity else [],
            }
            if reminder.letter_state == "none":
                vals["letter_state"] = "queued"
                vals["letter_body"] = letters.get(reminder.dossier_id.id) or reminder.letter_body
            with log_update():
                reminder.write(vals)
            reminder.partner_id._message_log(body=Markup("<p>%s</p>") % note)

    # -- letters report ------------------------------------------------------------------------------
    def _late_payment_letter_address(self):
        """The postal address block of the letter."""
        self.ensure_one()
        partner = self.recipient_id if self.recipient_id.street else self.partner_id
        return partner._display_address(without_company=False)

    def _late_payment_letter_data(self):
        """What the letter prints besides its text: the reminded lines, the customer's unapplied
        credits, the total due, the penalties (when the level states them) and how to pay (the
        invoices' payment links, the company's bank account and its SEPA QR code)."""
        self.ensure_one()
        check_records(self, "read")
        # sudo: the lines, credits and bank details of a reminder the caller may read
        reminder = self.sudo()
        lines = reminder.line_ids.sorted(lambda line: (line.date_maturity or reminder.date, line.id))
        if reminder.dossier_id:
            detail = reminder.dossier_id._late_payment_amounts_detail(lines, overdue=reminder.amount_total)
        else:  # the customer's dossier is gone: the lines alone
            detail = self.env["late.payment.dossier"].new({
                "partner_id": reminder.partner_id.id, "company_id": reminder.company_id.id,
            })._late_payment_amounts_detail(lines, overdue=reminder.amount_total)
        currency, total, bank = detail["currency"], detail["total"], detail["bank"]
        communication = detail["communication"]
        penalties = []
        if reminder.level_id.state_penalties and lines:
            moves = lines.move_id.filtered(lambda move: move.move_type == "out_invoice")
            try:
                penalties = [
                    penalty for penalty in moves.late_payment_penalties(at_date=reminder.date.isoformat())
                    if penalty["interest"] or penalty["indemnity"]]
            except UserError:  # no reference rate for a half-year: the letter states no penalty
                _logger.info("Late payments: no penalties on the letter %s (a reference rate is missing)", self.id)
        for penalty in penalties:
            penalty["currency_record"] = self.env["res.currency"].search([("name", "=", penalty["currency"])], limit=1)
        qr_code = qr_values = False
        if bank and total > 0 and bank._build_qr_code_vals(
                total, communication[:140], None, currency, reminder.partner_id, qr_method="sct_qr"):
            # Odoo's SEPA QR code (account_qr_code_sepa) of the company's bank account
            qr_values = bank._get_qr_vals("sct_qr", total, currency, reminder.partner_id, communication[:140], None)
            qr_code = bank.build_qr_code_base64(
                total, communication[:140], None, currency, reminder.partner_id, qr_method="sct_qr")
        return {
            **detail,
            "lines": lines,
            "penalties": penalties,
            "qr_code": qr_code,
            "qr_values": qr_values,
        }

    def _late_payment_plain_letter(self):
        """The letter as plain text (for previews and tests)."""
        self.ensure_one()
        return html2plaintext(self.letter_body or "")

    # -- the log is evidence ------------------------------------------------------------------------
    def write(self, vals):
        frozen = EVIDENCE_FIELDS & set(vals)
        if frozen and not _LOG_UPDATE.get():
            now = self.env.cr.now()
            # a reminder is complete once the transaction that sent it is over
            sent = self.sudo().filtered(lambda reminder: reminder.create_date != now)
            if sent:
                names = sorted(self._fields[fname].get_description(self.env)["string"] for fname in frozen)
                raise UserError(self.env._(
                    "A reminder that was sent is evidence: its %(fields)s cannot be changed. To correct it, "
                    "cancel it (with the reason) and send a new one.", fields=", ".join(names)))
        return super().write(vals)

    def action_late_payment_cancel(self):
        """The dialog that cancels these reminders in the log, with the reason."""
        self._late_payment_check_cancel()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Cancel the reminder"),
            "res_model": "late.payment.reminder.cancel",
            "view_mode": "form",
            "target": "new",
            "context": {"default_reminder_ids": self.ids},
        }

    def _late_payment_check_cancel(self):
        if not self.env.su and not self.env.user.has_group(ADMIN_GROUP):
            raise AccessError(self.env._("Only the late payment administrators may cancel a reminder."))
        check_records(self, "write")

    def _late_payment_cancel(self, reason):
        """Cancel these reminders in the log: they stay as they were sent, with who cancelled
        them, when and why beside them (and in the customer's history)."""
        self._late_payment_check_cancel()
        reason = (reason or "").strip() if isinstance(reason, str) else ""
        if not reason:
            raise UserError(self.env._("Give the reason for cancelling the reminder."))
        self.env["late.payment.api"]._late_payment_check_text(reason, self.env._("The reason"))
        cancelled = self.filtered(lambda reminder: reminder.log_state == "cancelled")
        if cancelled:
            raise UserError(self.env._("These reminders are already cancelled: %(reminders)s.",
                                       reminders=", ".join(cancelled.mapped("display_name"))))
        with log_update():
            # sudo: the cancellation fields are written by this method only (checked above)
            self.sudo().write({"log_state": "cancelled", "cancel_reason": reason,
                               "cancelled_by_id": self.env.user.id, "cancelled_on": fields.Datetime.now()})
        for reminder in self:
            body = self.env._("Reminder %(reminder)s cancelled by %(user)s: %(reason)s",
                              reminder=reminder.display_name, user=self.env.user.name, reason=reason)
            reminder.message_post(body=body)
            reminder.partner_id.sudo()._message_log(body=body)
        return True

    @api.ondelete(at_uninstall=False)
    def _unlink_except_sent(self):
        if not self.env.su and self.filtered(lambda reminder: reminder.result != rules.FAILED):
            raise UserError(self.env._(
                "A reminder that went out stays in the log: only the failed ones can be deleted."))
