"""Sending reminders: the one way in (`_send`), the plan of each customer's reminder, the claim of its
lines, the delivery through the channels, the levels reached and the customer's chatter (the
steps are told in models/late_payment_reminder.py).
"""

import logging
from collections import defaultdict

from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, format_amount

from ..engine import reminders as rules
from .access import USER_GROUP
from .late_payment_reminder import ALREADY_SENT, CHANNEL_FIELDS, RETRY_LATER

_logger = logging.getLogger(__name__)


class LatePaymentReminder(models.Model):
    _inherit = "late.payment.reminder"

    # -- sending ---------------------------------------------------------------------------------
    @api.model
    def _send(self, dossiers, origin="console", include_manual=False, refresh=True, business_day=True,
                           dry_run=False):
        """Send the reminders that are due to the customers of `dossiers` (late.payment.dossier),
        rechecked now: the one way reminders go out (daily run, console, API). Returns the
        reminders created. `include_manual`: also the levels that wait for an accountant
        (otherwise the responsible gets a task for them). `refresh=False` only when the caller
        has just locked and refreshed these dossiers in this transaction. `dry_run`: send
        nothing, write no reminder and ask nobody for a manual level; return the plans of the
        reminders that would go (see `_plans`) instead."""
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
                locked = dossier_model._lock(company, partner_ids)
                if len(locked) < len(partner_ids):
                    _logger.info("Late payments: customers %s of %s are being sent reminders by another "
                                 "transaction: skipped", sorted(set(partner_ids) - set(locked)), company.name)
                company_dossiers = dossier_model._refresh(
                    partners=sudo.env["res.partner"].browse(locked), company=company)
            sent = sudo._send_company(company, company_dossiers, origin, user, include_manual,
                                                   business_day, dry_run=dry_run)
            if dry_run:
                result.extend(sent)
            else:
                result |= sent
        return result if dry_run else result.with_env(self.env)

    def _send_company(self, company, dossiers, origin, user, include_manual, business_day,
                                   dry_run=False):
        today = fields.Date.context_today(self)
        dossier_model = self.env["late.payment.dossier"]
        dossiers.fetch(["partner_id", "status", "next_level_id", "next_tone_id", "user_id", "amount_overdue",
                        "amount_due", "amount_excluded"])
        proceedings = dossier_model._collective_proceedings(dossiers.partner_id, company)
        # checked again at send time, from the database: proceedings or a hand-off to collection
        # recorded since the customers' state was computed stop the reminder too
        stopped = self._stopped_customers(dossiers.partner_id, company)
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
            return self._plans(company, to_send, today, user)
        if (to_send or manual) and not company.late_payment_go_live_date:
            # nothing goes out before an administrator starts the follow-up of the company
            if origin == "cron":
                return self.browse()
            raise UserError(self.env._(
                "The follow-up of %(company)s has not started yet: an administrator starts it in the Settings "
                "(Late Payments) or from the banner of the follow-up console.", company=company.name))
        manual._ask_for_manual_level()
        plans = self._plans(company, to_send, today, user)
        if not plans:
            return self.browse()
        reminders = self._deliver_all(plans, origin, user)
        # the escalation level hands the customer over to collection
        reminders.filtered(lambda reminder: reminder.line_ids and reminder.level_id.is_escalation) \
            .dossier_id._escalate(automatic=True)
        # the lines reached their levels: the customers' state moves on now (not again at commit)
        sent_partners = reminders.filtered("line_ids").partner_id
        if sent_partners:
            dossier_model._refresh(partners=sent_partners, company=company)
            dossier_model._forget_dirty(sent_partners, company)
        return reminders

    def _plans(self, company, dossiers, today, user):
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
        contacts = self._invoice_contacts(partners)
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
            recipient = next((p for p in (contact, partner) if p and self._email_ok(p)), None)
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
                "responsible": dossier._responsible(),
                "user": user,
                # the one overdue balance, the dossier's (credits applied once); nothing overdue
                # (a reminder before the due date): what the listed lines leave to pay
                "amount": dossier.amount_overdue if dossier.amount_overdue > 0
                else dossier.amount_due - dossier.amount_excluded,
                "today": today,
            })
        return plans

    @api.model
    def _invoice_contacts(self, partners):
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
    def _email_ok(self, partner):
        """Whether an email can go to `partner`: an address that never bounced, not blacklisted."""
        return bool(partner.email_normalized) and not partner.message_bounce and not partner.is_blacklisted

    def _deliver_all(self, plans, origin, user):
        """Deliver `plans` in one savepoint; if anything fails, again one customer at a time."""
        if len(plans) > 1:
            try:
                with self.env.cr.savepoint():
                    return self._deliver(plans, origin, user)
            except RETRY_LATER:
                raise
            except Exception:  # redone one customer at a time below, where it is reported
                _logger.info("Late payments: a batch of %s reminders is sent again one by one", len(plans))
            reminders = self.browse()
            for plan in plans:
                reminders |= self._deliver_all([plan], origin, user)
            return reminders
        plan = plans[0]
        try:
            with self.env.cr.savepoint():
                return self._deliver([plan], origin, user)
        except RETRY_LATER:
            raise
        except ALREADY_SENT:
            _logger.info("Late payments: %s was sent the reminder of these invoices by another transaction: "
                         "skipped", plan["partner"].display_name)
            return self.browse()
        except Exception as error:  # a failure for one customer never stops the others
            _logger.exception("Late payments: the reminder to %s could not be sent", plan["partner"].display_name)
            return self._record_failure(plan, origin, user, error)

    def _record_failure(self, plan, origin, user, error):
        """A reminder in the `failed` state, without lines: its invoices are tried again later."""
        with self.env.cr.savepoint():
            return self.create({
                **self._reminder_vals(plan, origin, user),
                "result": rules.FAILED,
                "letter_state": "none",
                "note": self.env._("Sending failed: %(error)s", error=str(error) or type(error).__name__),
            })

    def _reminder_vals(self, plan, origin, user):
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

    def _deliver(self, plans, origin, user):
        """Create the reminders of `plans`, claim their lines, use their channels, and move the
        lines to their levels. Raises on a second reminder for a (line, level)."""
        emails, letters = self._render(plans)
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
                **self._reminder_vals(plan, origin, user),
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
        self._claim_lines(plans)
        self._send_emails(plans, emails)
        self._post_letters([plan for plan in plans if rules.LETTER in plan["channels"]])
        self._send_sms([plan for plan in plans if rules.SMS in plan["channels"]])
        self._schedule_activities(plans)
        self._log_on_customers(plans)
        self._reach_levels(plans)
        with_penalties = reminders.filtered(lambda reminder: reminder.level_id.invoice_penalties)
        if with_penalties:
            with_penalties._level_invoice_penalties()
        return reminders

    def _render(self, plans):
        """({dossier id: email values}, {dossier id: letter text}) of `plans`: the one rendering
        of what goes out, used by the send path and by the console's preview (so the preview is
        what is sent). A letter is rendered for the plans that print one or attach it to the email."""
        # the payment links of the emails and letters: every invoice's portal token, at once
        if not self.env.cr.readonly:
            self.env["account.move"].union(*(plan["lines"].move_id for plan in plans)).filtered(
                lambda move: move.is_invoice(include_receipts=True))._late_payment_ensure_access_tokens()
        emails = self._render_emails([plan for plan in plans if rules.EMAIL in plan["channels"]])
        letters = self._render_letters([
            plan for plan in plans
            if rules.LETTER in plan["channels"] or (rules.EMAIL in plan["channels"] and plan["level"].attach_letter)])
        return emails, letters

    @api.model
    def _preview(self, dossier):
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
        plans = sudo._plans(dossier.company_id, [dossier], day, self.env.user)
        if not plans:
            return None
        plan = plans[0]
        emails, letters = sudo._render(plans)
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

    def _claim_lines(self, plans):
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

    # -- the customer's chatter ----------------------------------------------------------------------
    def _log_on_customers(self, plans):
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
                self._invoices_text(plan),
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
    def _reach_levels(self, plans):
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

    def _level_invoice_penalties(self):
        """These reminders reached a level that invoices the penalties (its "Invoice the
        penalties" box): invoice, and post, what the reminded invoices accrued up to the
        reminder's date and no penalty invoice bears yet (the ledger makes it once only)."""
        penalty_invoices = self.env["account.move"]
        for day, reminders in self.grouped("date").items():
            penalty_invoices |= reminders.line_ids.move_id._late_payment_invoice_penalties(
                at_date=day, post=True, skip_problems=True)
        return penalty_invoices
