from collections import defaultdict

from markupsafe import Markup

from odoo import api, fields, models
from odoo.tools import SQL, format_amount, format_date

from odoo.addons.account_late_payment.engine import kpi, priority, risk

TOP_CUSTOMERS = 10
RECOVERY_DAYS = 15


class LatePaymentDossier(models.Model):
    """The worklist's priority (engine/priority.py): what a reminder of the customer's next
    level should recover, weighted by age, risk and broken promises. Stored on the dossier by
    the nightly risk refresh (set-based: a few grouped queries per batch), the console's
    default order; the reason in words in the user's language; the day's top customers listed
    in a task for each responsible after the nightly run."""

    _inherit = "late.payment.dossier"

    priority = fields.Float(
        readonly=True, digits=(16, 0), index=True,
        help="What working this customer now should recover, in the company's currency: the amount overdue "
             "times the share the reminders of its next level recovered within 15 days (last 12 months), "
             "heavier the older the debt, the higher the risk and the more promises broken. Recomputed every "
             "night.")
    priority_overdue_count = fields.Integer(string="Invoices overdue", readonly=True)
    priority_broken_date = fields.Date(string="Last broken promise", readonly=True)
    priority_reason = fields.Char(string="Why", compute="_compute_priority_reason")

    @api.depends("priority_overdue_count", "oldest_overdue_days", "amount_overdue", "priority_broken_date")
    @api.depends_context("lang")
    def _compute_priority_reason(self):
        for dossier in self:
            if dossier.amount_overdue <= 0 or not dossier.priority_overdue_count:
                dossier.priority_reason = False
                continue
            parts = [self.env._(
                "%(count)s invoices %(days)s days late, %(amount)s", count=dossier.priority_overdue_count,
                days=dossier.oldest_overdue_days, amount=format_amount(self.env, dossier.amount_overdue,
                                                                       dossier.currency_id))
                if dossier.priority_overdue_count > 1 else self.env._(
                "1 invoice %(days)s days late, %(amount)s", days=dossier.oldest_overdue_days,
                amount=format_amount(self.env, dossier.amount_overdue, dossier.currency_id))]
            if dossier.priority_broken_date:
                parts.append(self.env._("promise broken on %(date)s",
                                        date=format_date(self.env, dossier.priority_broken_date, date_format="d MMM")))
            dossier.priority_reason = ", ".join(parts)

    # -- nightly refresh ---------------------------------------------------------------------
    @api.model
    def _compute_risk(self, company, partners=None):
        # the score, the predictions (with the score) and the priorities of a batch read its
        # history and open lines once (late_payment_dossier_history.py)
        with self._batch_reads():
            dossiers = super()._compute_risk(company, partners=partners)
            if dossiers:
                self.sudo()._prioritize(company, dossiers.sudo())
        return dossiers

    @api.model
    def _recovery_rates(self, company, today):
        """{level id: (share recovered within 15 days of its reminders, number of reminders), 12
        months}: the dashboard's recovery per level (two queries, whatever the number of customers; once
        in a call of the nightly action)."""
        recoveries = self._nightly_read("recovery", (company.id, today),
                                        lambda: self.env["late.payment.measure"].sudo()._recovery(company, today))
        return {getattr(level, "id", level): (recovery.rate(RECOVERY_DAYS), recovery.reminders)
                for level, recovery in recoveries.items() if recovery.amount_due > 0}

    @api.model
    def _prioritize(self, company, dossiers, today=None):
        """Compute and store the priority of `dossiers` (of `company`), in a bounded number of
        queries: the overdue invoices counted from the batch's open lines (read once with the
        risk score's), the broken promises in one query, the recovery per level in two."""
        today = today or fields.Date.context_today(self)
        partner_ids = dossiers.partner_id.ids
        dossiers.fetch(["partner_id", "amount_overdue", "oldest_overdue_days", "status", "next_level_id",
                        "level_id", "risk_score", "risk_date", "risk_no_history"])
        overdue_moves = defaultdict(set)
        for row in self._open_lines(company, partner_ids):
            if (row["due"] < today and row["payment_state"] != "blocked" and not row["disputed"]
                    and not row["no_followup"]):
                overdue_moves[row["partner_id"]].add(row["move_id"])
        counts = {partner_id: len(moves) for partner_id, moves in overdue_moves.items()}
        broken = {partner.id: (count, last) for partner, count, last in self.env["late.payment.promise"]._read_group(
            [("company_id", "=", company.id), ("partner_id", "in", partner_ids), ("state", "=", "broken"),
             ("closed_date", ">", kpi.months_before(today, 12))],
            ["partner_id"], ["__count", "closed_date:max"])}
        rates = self._recovery_rates(company, today)
        inputs = {}
        for dossier in dossiers:
            partner_id = dossier.partner_id.id
            level = dossier.next_level_id or dossier.level_id
            inputs[dossier.id] = priority.PriorityInput(
                overdue=dossier.amount_overdue, days_overdue=dossier.oldest_overdue_days,
                overdue_count=counts.get(partner_id, 0),
                risk_class=risk.risk_class(dossier.risk_score) if dossier.risk_date and not dossier.risk_no_history
                else None,
                broken_promises=broken.get(partner_id, (0, None))[0],
                last_broken_promise=broken.get(partner_id, (0, None))[1],
                recovery_rate=rates.get(level.id, (None, 0))[0] if level else None,
                recovery_reminders=rates.get(level.id, (None, 0))[1] if level else 0,
                stopped=dossier.status in ("collection", "proceedings"))
        results = priority.priorities(inputs)
        fnames = ["priority", "priority_overdue_count", "priority_broken_date"]
        self.flush_model(fnames)
        self.env.execute_query(SQL("""
            UPDATE late_payment_dossier dossier
               SET priority = v.priority, priority_overdue_count = v.count, priority_broken_date = v.broken
              FROM (VALUES %s) AS v(id, priority, count, broken)
             WHERE dossier.id = v.id
               AND (dossier.priority, dossier.priority_overdue_count, dossier.priority_broken_date)
                   IS DISTINCT FROM (v.priority, v.count, v.broken)
        """, SQL(", ").join(
            SQL("(%s, %s::float8, %s::int4, %s::date)", dossier_id, round(results[dossier_id].value, 2),
                inp.overdue_count, inp.last_broken_promise)
            for dossier_id, inp in inputs.items())))
        self.invalidate_model([*fnames, "priority_reason"])
        return results

    # -- the day's top customers -------------------------------------------------------------
    @api.model
    def _cron_risk(self, batch_size=500):
        result = super()._cron_risk(batch_size=batch_size)
        self._worklist_tasks()
        return result

    @api.model
    def _worklist_tasks(self, top=TOP_CUSTOMERS):
        """A to-do for each responsible, once a day and company: its customers to work first
        today, highest priority first, with the reason of each (on the first customer's page).
        One search of the day's dossiers with a priority, one of the tasks already made."""
        today = fields.Date.context_today(self)
        dossier_model = self.sudo()
        dossiers = dossier_model.search_fetch(
            [("priority", ">", 0), ("user_id", "!=", False), ("status", "not in", ("collection", "proceedings"))],
            ["user_id", "company_id", "partner_id", "priority", "amount_overdue", "oldest_overdue_days",
             "priority_overdue_count", "priority_broken_date", "currency_id"], order="priority desc, id")
        by_owner = defaultdict(list)
        for dossier in dossiers:
            if len(by_owner[dossier.user_id, dossier.company_id]) < top:
                by_owner[dossier.user_id, dossier.company_id].append(dossier)
        if not by_owner:
            return self.env["mail.activity"]
        todo = self.env.ref("mail.mail_activity_data_todo")
        model_id = self.env["ir.model"]._get_id("late.payment.dossier")
        existing = self.env["mail.activity"].sudo().search_fetch([
            ("res_model", "=", "late.payment.dossier"), ("activity_type_id", "=", todo.id),
            ("date_deadline", "=", today), ("automated", "=", True),
            ("user_id", "in", list({user.id for user, _company in by_owner})),
            ("note", "ilike", "o_late_payment_worklist")], ["user_id", "res_id"])
        done = {(activity.user_id.id, self.browse(activity.res_id).company_id.id) for activity in existing}
        vals_list = []
        for (user, company), top_dossiers in by_owner.items():
            if (user.id, company.id) in done:
                continue
            lang = user.partner_id.lang or self.env.lang
            env = self.with_context(lang=lang).env
            rows = Markup().join(
                Markup("<li>%s: %s</li>") % (dossier.partner_id.display_name,
                                             dossier.with_env(env).priority_reason or "")
                for dossier in top_dossiers)
            vals_list.append({
                "res_model_id": model_id, "res_id": top_dossiers[0].id, "user_id": user.id,
                "activity_type_id": todo.id, "date_deadline": today, "automated": True,
                "summary": env._("Today's customers to work first (%(count)s)", count=len(top_dossiers)),
                "note": Markup("<ol class='o_late_payment_worklist'>%s</ol>") % rows,
            })
        return self.env["mail.activity"].sudo().with_context(mail_activity_quick_update=True).create(vals_list)
