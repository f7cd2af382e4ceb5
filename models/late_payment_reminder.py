"""Reminders, and the one way they are sent.

Every reminder, whoever sends it (the daily run, the follow-up console, the API), goes through
`late.payment.reminder._send(dossiers, origin=...)`:

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
(late.payment.run, models/late_payment_run.py) commits between batches with `ir.cron._commit_progress`.
"""

import logging
from contextlib import contextmanager
from contextvars import ContextVar

import psycopg2.errors

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import format_date

from ..engine import reminders as rules
from .access import ADMIN_GROUP, check_records

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
PDF_CHUNK = 50  # invoices per wkhtmltopdf call
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

    # -- the daily run: late.payment.run --------------------------------------------------------
    @api.model
    def _cron_run(self, **kwargs):
        """Compatibility: the daily run was the reminder's before it had its own model (callers
        written then, a database whose scheduled action is not yet updated); the run is
        late.payment.run's."""
        return self.env["late.payment.run"]._cron_run(**kwargs)

    @api.model
    def action_run_now(self):
        """The reminders list's button: the daily follow-up now, for the current company
        (late.payment.run checks the caller is an administrator)."""
        return self.env["late.payment.run"]._run_now()

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
        self._check_cancel()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Cancel the reminder"),
            "res_model": "late.payment.reminder.cancel.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_reminder_ids": self.ids},
        }

    def _check_cancel(self):
        if not self.env.su and not self.env.user.has_group(ADMIN_GROUP):
            raise AccessError(self.env._("Only the late payment administrators may cancel a reminder."))
        check_records(self, "write")

    def _cancel(self, reason):
        """Cancel these reminders in the log: they stay as they were sent, with who cancelled
        them, when and why beside them (and in the customer's history)."""
        self._check_cancel()
        reason = (reason or "").strip() if isinstance(reason, str) else ""
        if not reason:
            raise UserError(self.env._("Give the reason for cancelling the reminder."))
        self.env["late.payment.api"]._check_text(reason, self.env._("The reason"))
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
