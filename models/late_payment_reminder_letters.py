"""Printing the reminder letters: printing is sending.

A letter waits in the day's batch ("To print") from the day its reminder was planned until a
person prints it. When it is printed, it is checked again, all the batch in a few queries:

- its customer is in collective proceedings, or was handed to collection (the escalation
  level's own letter still goes: it is the letter that hands it over);
- nothing is left to pay on its invoices, or part of them was paid since (its amounts are
  wrong: the next reminder states the right ones);
- one of its invoices is disputed, promised (an open promise whose date has not passed) or in
  a running payment plan.

Such a letter is not printed: it is cancelled ("Not printed", with the reason on the reminder
and in the customer's chatter) and the person printing is told which letters were left out and
why. The others are printed in one PDF, dated the day they are printed, and marked printed. A
printed letter can be printed again as it was (same date, nothing marked).
"""

from collections import defaultdict

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, format_date

from .access import USER_GROUP, check_records

LETTER_REPORT = "account_late_payment.action_report_late_payment_letter"
# why a letter may no longer go, in the order they are told
PROCEEDINGS, COLLECTION, PAID, PAID_IN_PART, DISPUTED, PROMISED, PLAN = (
    "proceedings", "collection", "paid", "paid_in_part", "disputed", "promised", "plan")
HOLD_REASONS = (PROCEEDINGS, COLLECTION, PAID, PAID_IN_PART, DISPUTED, PROMISED, PLAN)


class LatePaymentReminder(models.Model):
    _inherit = "late.payment.reminder"

    letter_state = fields.Selection(
        selection_add=[("cancelled", "Not printed")], ondelete={"cancelled": "set default"},
        help="To print: the letter waits in the day's batch of letters. Not printed: when it was to be "
             "printed, it could no longer go (see why).")
    letter_printed_date = fields.Date(
        string="Printed on", readonly=True, copy=False,
        help="The day the letter was first printed: the date it bears.")
    letter_hold_reason = fields.Char(
        string="Not printed because", readonly=True, copy=False,
        help="Why the letter could no longer go when it was to be printed.")

    # -- the checks ------------------------------------------------------------------------------
    @api.model
    def _stopped_customers(self, partners, company):
        """{commercial partner id: PROCEEDINGS or COLLECTION} of `partners` (commercial) that no
        reminder may reach in `company` right now: read from the database at the moment of
        sending or printing (one query), not from a follow-up state computed earlier."""
        if not partners:
            return {}
        self.env["res.partner"].flush_model(["late_payment_proceedings_state"])
        self.env["late.payment.dossier"].flush_model(["partner_id", "company_id", "collection_state"])
        rows = self.env.execute_query(SQL("""
            SELECT id, %(proceedings)s FROM res_partner
             WHERE id = ANY(%(partners)s) AND late_payment_proceedings_state = 'open'
             UNION ALL
            SELECT partner_id, %(collection)s FROM late_payment_dossier
             WHERE partner_id = ANY(%(partners)s) AND company_id = %(company)s AND collection_state = 'collection'
        """, proceedings=PROCEEDINGS, collection=COLLECTION, partners=partners.ids, company=company.id))
        stopped = {}
        for partner_id, reason in rows:  # proceedings first: the stronger reason
            stopped.setdefault(partner_id, reason)
        return stopped

    def _letter_holds(self):
        """{reminder id: [reasons]} of these letters that may no longer go today (see the module's
        rules); the letters not in it may be printed. A bounded number of queries."""
        if not self:
            return {}
        today = fields.Date.context_today(self)
        letters = self.sudo()
        holds = defaultdict(list)
        for company, group in letters.grouped("company_id").items():
            stopped = self._stopped_customers(group.partner_id, company)
            for letter in group:
                reason = stopped.get(letter.partner_id.id)
                if reason == COLLECTION and letter.level_id.is_escalation:
                    continue  # the letter that hands the customer over to collection
                if reason:
                    holds[letter.id].append(reason)
        lines = letters.line_ids
        lines.fetch(["reminder_id", "move_line_id", "move_id", "amount_residual"])
        lines.move_line_id.fetch(["amount_residual", "reconciled", "company_currency_id"])
        moves = lines.move_id
        moves.fetch(["late_payment_disputed", "payment_state"])
        promised = self.env["late.payment.promise"].sudo().search_fetch(
            [("state", "=", "open"), ("date", ">=", today), ("move_ids", "in", moves.ids)], ["move_ids"])
        planned = self.env["late.payment.plan"].sudo().search_fetch(
            [("state", "=", "running"), ("move_ids", "in", moves.ids)], ["move_ids"])
        promised_moves, planned_moves = set(promised.move_ids.ids), set(planned.move_ids.ids)
        for letter, letter_lines in lines.grouped("reminder_id").items():
            reasons = holds[letter.id]
            currency = letter.company_id.currency_id
            left = [line.move_line_id.amount_residual if not line.move_line_id.reconciled else 0.0
                    for line in letter_lines]
            if all(currency.is_zero(amount) for amount in left):
                reasons.append(PAID)
            elif any(currency.compare_amounts(now, line.amount_residual) < 0
                     for now, line in zip(left, letter_lines, strict=True)):
                reasons.append(PAID_IN_PART)
            letter_moves = letter_lines.move_id
            if any(move.late_payment_disputed or move.payment_state == "blocked" for move in letter_moves):
                reasons.append(DISPUTED)
            if promised_moves.intersection(letter_moves.ids):
                reasons.append(PROMISED)
            if planned_moves.intersection(letter_moves.ids):
                reasons.append(PLAN)
        return {reminder_id: reasons for reminder_id, reasons in holds.items() if reasons}

    def _hold_labels(self):
        return {
            PROCEEDINGS: self.env._("the customer is in collective proceedings"),
            COLLECTION: self.env._("the customer was handed to collection"),
            PAID: self.env._("its invoices are paid"),
            PAID_IN_PART: self.env._("part of its invoices was paid since (its amounts are no longer right)"),
            DISPUTED: self.env._("an invoice of it is disputed"),
            PROMISED: self.env._("the customer promised to pay an invoice of it"),
            PLAN: self.env._("an invoice of it is in a payment plan"),
        }

    def _cancel_letters(self, holds):
        """These letters may no longer go: cancelled, with the reason on the reminder and in the
        customer's chatter. Returns the lines telling what was left out and why."""
        labels = self._hold_labels()
        told = []
        for letter in self.sudo():
            reason = "; ".join(labels[key] for key in HOLD_REASONS if key in holds[letter.id])
            letter.write({"letter_state": "cancelled", "letter_hold_reason": reason})
            text = self.env._("%(reminder)s: not printed, %(reason)s.", reminder=letter.display_name, reason=reason)
            letter.partner_id._message_log(body=Markup("<p>%s</p>") % text)
            told.append(text)
        return told

    # -- printing --------------------------------------------------------------------------------
    def _letter_date(self):
        """The date the letter bears: the day it was printed (a reprint keeps it), today for a
        letter being printed or previewed, the reminder's date for a letter never queued (the
        copy attached to its email)."""
        self.ensure_one()
        if self.letter_printed_date:
            return self.letter_printed_date
        if self.letter_state == "none":
            return self.date
        return fields.Date.context_today(self)

    def _print(self):
        """Print these letters: the waiting ones are checked again, those that may no longer go
        are cancelled; the others are dated today and marked printed; the printed ones print
        again as they were. Returns the report action, preceded by a notification listing what
        was left out and why."""
        if not self.env.user.has_group(USER_GROUP):
            raise AccessError(self.env._("Only the late payment users may print the letters."))
        check_records(self, "read")
        today = fields.Date.context_today(self)
        letters = self.filtered(
            lambda reminder: reminder.letter_body and reminder.letter_state in ("queued", "printed"))
        queued = letters.filtered(lambda reminder: reminder.letter_state == "queued")
        holds = queued._letter_holds()
        held = queued.filtered(lambda reminder: reminder.id in holds)
        told = held._cancel_letters(holds)
        (queued - held).sudo().write({"letter_state": "printed", "letter_printed_date": today})
        printed = letters - held
        if not printed and not told:
            raise UserError(self.env._("No letter is waiting to be printed."))
        action = self.env.ref(LETTER_REPORT).report_action(printed, config=False) if printed else None
        if not told:
            return action
        message = self.env._(
            "%(count)s letters left out (cancelled, not printed): %(letters)s",
            count=len(told), letters=" ".join(told))
        params = {"title": self.env._("Letters left out"), "message": message, "type": "warning", "sticky": True}
        if action:
            params["next"] = action
        return {"type": "ir.actions.client", "tag": "display_notification", "params": params}

    @api.model
    def action_print_day_letters(self):
        """Print every letter waiting in the current company's batch (To print) as one PDF (one
        HTML document with a page break between the letters: unpatched wkhtmltopdf cannot merge
        documents), each checked again first."""
        if not self.env.user.has_group(USER_GROUP):
            raise AccessError(self.env._("Only the late payment users may print the letters."))
        letters = self.search([("company_id", "=", self.env.company.id), ("letter_state", "=", "queued")],
                              order="partner_id, id")
        if not letters:
            raise UserError(self.env._("No letter is waiting to be printed."))
        return letters._print()

    def action_print_letters(self):
        """Print these reminders' letters (one PDF): the waiting ones checked again and marked
        printed, the printed ones again as they were."""
        if not self.filtered("letter_body"):
            raise UserError(self.env._("These reminders have no letter."))
        return self._print()

    def action_reprint_letters(self):
        """Print these printed letters again, as they were (the same date), marking nothing."""
        letters = self.filtered(lambda reminder: reminder.letter_state == "printed" and reminder.letter_body)
        if not letters:
            raise UserError(self.env._("Only a printed letter can be printed again."))
        return letters._print()

    @api.model
    def _letter_queue(self, company=None):
        """The day's batch of `company` (default: the current one): {"count": letters waiting,
        "oldest": the date of the oldest, "days": how many days it has waited}."""
        company = company or self.env.company
        self.flush_model(["company_id", "letter_state", "date"])
        count, oldest = self.env.execute_query(SQL("""
            SELECT COUNT(*), MIN(date) FROM late_payment_reminder WHERE company_id = %s AND letter_state = 'queued'
        """, company.id))[0]
        today = fields.Date.context_today(self)
        return {"count": count, "oldest": oldest, "days": (today - oldest).days if oldest else 0}

    @api.model
    def late_payment_letter_queue_summary(self):
        """What the console shows about the day's letters: a sentence, empty when none waits."""
        if not self.env.user.has_group(USER_GROUP):
            raise AccessError(self.env._("Only the late payment users may see the follow-up console."))
        queue = self._letter_queue()
        if not queue["count"]:
            return {"count": 0, "text": ""}
        return {"count": queue["count"], "text": self.env._(
            "%(count)s letters wait to be printed; the oldest since %(date)s (%(days)s days).",
            count=queue["count"], date=format_date(self.env, queue["oldest"]), days=queue["days"])}
