"""Demo data: the follow-up as if the daily run had been working all year.

Each demo customer goes through the default policy the way the daily run would have taken it,
day by day on business days, from its first invoice until today, with the rules of the
follow-up (engine/followup.py: one stage per overdue period set by the oldest overdue invoice,
one formal notice for a continuous claim, the gap between two reminders): the automatic levels
for everyone, the formal notice and the hand-off to collection only where an accountant
decided them; each reminder lists the customer's open invoices and is in the log. Then a few
customers get their relationship, every dossier is refreshed, and today's run sends what is
due today (on a business day): its emails are queued and then dropped (a demo never emails
anybody), their messages stay in the customers' chatter.
"""

import logging
import time
from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models
from odoo.fields import Command

from odoo.addons.account_late_payment.engine import business_days, followup

_logger = logging.getLogger(__name__)

# the customers for whom an accountant sent the manual levels (formal notice, collection)
MANUAL_LEVELS = {
    "transports_petit": ("formal", "escalation"),
    "agence_lambert": ("formal",),
    "menuiserie_bernard": ("formal",),
}
RELATIONSHIPS = {
    "boulangerie_martin": "reliable",
    "pharmacie_dubois": "reliable",
    "menuiserie_bernard": "strict",
    "studio_mercier": "new",
}


class LatePaymentDemo(models.AbstractModel):
    _inherit = "late.payment.demo"

    @api.model
    def _generate_followup(self):
        company = self.env.company
        today = fields.Date.context_today(self)
        policy_model = self.env["late.payment.policy"]
        policy = policy_model._default_policy(company)
        policy = policy or policy_model._create_default_policies(company)
        partners = {key: self.env.ref(f"account_late_payment.demo_partner_{key}", raise_if_not_found=False)
                    for key in (*MANUAL_LEVELS, *RELATIONSHIPS)}
        for key, relationship in RELATIONSHIPS.items():
            if partners[key]:
                partners[key].with_company(company).late_payment_relationship = relationship
        history = self._demo_reminders_sent(company, policy, partners, today) if policy else {}
        dossiers = self.env["late.payment.dossier"]._refresh(company=company)
        # the addon's translations are loaded after its demo data: the French customers' emails
        # and letters need them now
        langs = [code for code, _name in self.env["res.lang"].get_installed() if code != "en_US"]
        if langs:
            self.env["ir.module.module"]._load_module_terms(["account_late_payment"], langs)
        self._demo_reminders_history(company, history)
        # the customers' stages come from the reminders just logged
        dossiers = self.env["late.payment.dossier"]._refresh(company=company)
        admin = self.env.ref("base.user_admin")
        dossiers.filtered(lambda d: d.status in ("due", "collection", "disputed")).user_id = admin
        # the proof of the formal notice sent to the customer that stopped paying
        petit = dossiers.filtered(lambda d: d.partner_id == partners["transports_petit"])
        if petit.level_id and petit.level_date:
            received = petit.level_date + timedelta(days=-12 if petit.level_id.is_escalation else 3)
            petit.write({"formal_notice_reference": "1A 184 392 0571 3",
                         "formal_notice_received_date": min(received, today)})
        self._demo_run_today(company, today)
        return True

    def _demo_run_today(self, company, today):
        """Today's daily run for the demo company (no commit); the emails it queues are dropped."""
        run_model = self.env["late.payment.run"]
        before = self.env["late.payment.reminder"].search([], order="id desc", limit=1).id or 0
        queries, start = self.env.cr.sql_log_count, time.perf_counter()
        ids = run_model._candidates(company, today)
        run_model._run_batch(company, ids, send=company._late_payment_is_business_day(today))
        self.env.flush_all()
        sent = self.env["late.payment.reminder"].search([("id", ">", before)])
        _logger.info("Demo: today's follow-up run of %s customers sent %s reminders in %.2f s and %s queries",
                     len(ids), len(sent), time.perf_counter() - start, self.env.cr.sql_log_count - queries)
        self.env["mail.mail"].sudo().search([("mail_message_id", "in", sent.mail_message_id.ids)]).unlink()

    def _demo_reminders_sent(self, company, policy, partners, today):
        levels = policy.level_ids
        engine_levels = levels._engine_levels_by_id()
        manual_by_partner = {
            partners[key].id: {levels.filtered(lambda lvl, f=flag: getattr(lvl, {
                "formal": "is_formal_notice", "escalation": "is_escalation"}[f])).id for flag in flags}
            for key, flags in MANUAL_LEVELS.items() if partners[key]
        }
        demo_partners = self.env["res.partner"].browse([
            self.env["ir.model.data"]._xmlid_to_res_id(f"account_late_payment.{data.name}")
            for data in self.env["ir.model.data"].search([
                ("module", "=", "account_late_payment"), ("model", "=", "res.partner"),
                ("name", "=like", "demo_partner_%")])
        ])
        lines = self.env["account.move.line"].search([
            ("company_id", "=", company.id), ("partner_id", "in", demo_partners.ids),
            ("account_type", "=", "asset_receivable"), ("parent_state", "=", "posted"),
            ("move_id.move_type", "=", "out_invoice"), ("move_id.payment_state", "!=", "blocked"),
        ])
        by_partner = defaultdict(list)
        for line in lines:
            paid_on = max(line.matched_credit_ids.mapped("max_date"), default=None) if line.reconciled else None
            discount_date = line.discount_date if line.move_id.invoice_payment_term_id.early_discount else None
            by_partner[line.partner_id.commercial_partner_id].append((line, paid_on, discount_date))
        reached = defaultdict(lambda: self.env["account.move.line"])
        history = {}
        for partner, items in by_partner.items():
            steps = self._demo_customer_steps(engine_levels, items, today, policy.min_gap_days,
                                              manual_by_partner.get(partner.id, set()), levels)
            last = {}
            for when, level_id, amount, listed in steps:
                history[partner, when] = (levels.browse(level_id), amount, [
                    (line, levels.browse(line_level or ())) for line, line_level in listed])
                for line, line_level in listed:
                    if line_level:
                        last[line] = (line_level, when)
            for line, key in last.items():
                reached[key] |= line
        for (level, when), level_lines in reached.items():
            level_lines.write({"late_payment_level_id": level, "late_payment_level_date": when})
        return history

    @staticmethod
    def _demo_customer_steps(engine_levels, items, today, gap, manual_ids, levels):
        """The reminders the daily run would have sent to one customer: `items` are its invoices'
        receivable lines (line, day paid or None, discount deadline or None), each open from its
        date until paid; [(day, level id, overdue balance (else what is due), [(line, level id
        it reached or None)])], in order."""
        automatic = {level.id for level in levels if level.auto} | set(manual_ids)
        engine = list(engine_levels.values())
        steps, sent, per_line, overdue_since = [], [], {}, None
        day = min(line.date for line, _paid, _discount in items)
        while day < today:
            open_items = [(line, discount) for line, paid, discount in items
                          if line.date <= day and (paid is None or paid > day)]
            state = followup.dossier_state(engine, [
                followup.Line(line.id, line.date_maturity, line.balance, *per_line.get(line.id, (None, None)),
                              discount_date=discount)
                for line, discount in open_items], day, policy_gap_days=gap, sent_levels=sent,
                overdue_since=overdue_since)
            overdue_since = state.overdue_since
            level = state.next_level
            if (state.status == "due" and level is not None and level.id in automatic
                    and business_days.is_business_day(day, "FR")):
                lines = {line.id: line for line, _discount in open_items}
                listed = [(lines[line_state.id], line_state.next_level.id if line_state.next_level else None)
                          for line_state in state.lines if line_state.next_date and line_state.id in lines]
                amount = state.amount_overdue if state.amount_overdue > 0 else state.amount_due
                steps.append((day, level.id, float(amount), listed))
                sent = [(lvl, when) for lvl, when in sent if lvl != level] + [(level, day)]
                for line_state in state.lines:
                    if line_state.next_level and line_state.next_date:
                        per_line[line_state.id] = (line_state.next_level, day)
            day += timedelta(days=1)
        return steps

    def _demo_reminders_history(self, company, history):
        """The reminders of the past year in the log: one per customer and day, each invoice at
        its level, the manual levels sent by the administrator from the console."""
        admin = self.env.ref("base.user_admin")
        fields_by_channel = ("channel_email", "channel_letter", "channel_sms", "channel_call", "channel_task")
        dossiers = {dossier.partner_id.id: dossier for dossier in self.env["late.payment.dossier"].search(
            [("company_id", "=", company.id)])}
        vals_list = []
        for (partner, when), (level, amount, items) in sorted(history.items(),
                                                              key=lambda item: (item[0][1], item[0][0].id)):
            vals_list.append({
                "date": when,
                "partner_id": partner.id,
                "company_id": company.id,
                "dossier_id": dossiers[partner.id].id if partner.id in dossiers else False,
                "level_id": level.id,
                "tone_id": level.tone_id.id,
                "origin": "cron" if level.auto else "console",
                "user_id": False if level.auto else admin.id,
                "recipient_id": partner.id,
                "email_to": partner.email_formatted if level.channel_email else False,
                "result": "sent" if level.channel_email else "queued",
                "letter_state": "printed" if level.channel_letter else "none",
                "amount_total": amount,
                "line_ids": [Command.create({
                    "move_line_id": line.id, "level_id": line_level.id or False, "currency_id": line.currency_id.id,
                    "date_maturity": line.date_maturity, "days_late": (when - line.date_maturity).days,
                    "amount_residual": line.balance, "amount_residual_currency": line.amount_currency,
                }) for line, line_level in items],
                **{fname: level[fname] for fname in fields_by_channel},
            })
        reminders = self.env["late.payment.reminder"].sudo().with_context(
            tracking_disable=True, mail_create_nolog=True).create(vals_list)
        self._demo_letters(reminders.filtered(lambda reminder: reminder.channel_letter and reminder.dossier_id))

    def _demo_letters(self, reminders):
        """The letters of the past reminders, rendered like the send path does (by tone, in the
        customer's language); the last letter of each customer still waits in the day's batch."""
        reminder_model = self.env["late.payment.reminder"].sudo()
        by_body = defaultdict(lambda: reminder_model)
        for tone, tone_reminders in reminders.grouped("tone_id").items():
            letters = reminder_model._render_letters(
                [{"tone": tone, "dossier": dossier} for dossier in tone_reminders.dossier_id])
            for reminder in tone_reminders:
                by_body[letters.get(reminder.dossier_id.id) or False] |= reminder
        for body, body_reminders in by_body.items():
            body_reminders.letter_body = body
        last = {}
        for reminder in reminders.sorted(lambda reminder: (reminder.date, reminder.id)):
            last[reminder.partner_id] = reminder
        reminder_model.union(*last.values()).letter_state = "queued"
