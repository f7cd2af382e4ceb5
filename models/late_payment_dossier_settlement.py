"""The settlement side of the follow-up dossier: promises, plans and disputes of the customer,
the pause they give, the hand-off to collection and back, and the daily settlement check.
(The dossier's follow-up state is in late_payment_dossier.py; this is the same model, split by
concern.)"""

from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

COLLECTION_STATES = [
    ("collection", "In collection"),
    ("released", "Taken back from collection"),
]
BATCH_SIZE = 200


class LatePaymentDossier(models.Model):
    _inherit = "late.payment.dossier"

    collection_state = fields.Selection(
        COLLECTION_STATES, string="Collection", readonly=True, copy=False, tracking=True,
        help="In collection: the customer was handed to collection (by the escalation level or by hand), no "
             "automatic reminder goes out. Taken back: the escalation reached no longer stops the follow-up.")
    collection_date = fields.Date(string="In collection since", readonly=True, copy=False)
    promise_ids = fields.One2many(
        "late.payment.promise", compute="_compute_settlement", string="Promises to pay")
    plan_ids = fields.One2many("late.payment.plan", compute="_compute_settlement", string="Payment plans")
    dispute_ids = fields.One2many("late.payment.dispute", compute="_compute_settlement", string="Disputes")
    open_promise_id = fields.Many2one("late.payment.promise", compute="_compute_settlement", string="Open promise")
    running_plan_id = fields.Many2one("late.payment.plan", compute="_compute_settlement", string="Running plan")
    open_dispute_count = fields.Integer(compute="_compute_settlement", string="Open disputes")

    @api.depends("partner_id", "company_id")
    def _compute_settlement(self):
        domain = [("partner_id", "in", self.partner_id.ids), ("company_id", "in", self.company_id.ids)]
        promises = self.env["late.payment.promise"].search(domain).grouped(lambda r: (r.partner_id, r.company_id))
        plans = self.env["late.payment.plan"].search(domain).grouped(lambda r: (r.partner_id, r.company_id))
        disputes = self.env["late.payment.dispute"].search(domain).grouped(lambda r: (r.partner_id, r.company_id))
        for dossier in self:
            key = (dossier.partner_id, dossier.company_id)
            dossier.promise_ids = promises.get(key, self.env["late.payment.promise"])
            dossier.plan_ids = plans.get(key, self.env["late.payment.plan"])
            dossier.dispute_ids = disputes.get(key, self.env["late.payment.dispute"])
            dossier.open_promise_id = dossier.promise_ids.filtered(lambda p: p.state == "open")[:1]
            dossier.running_plan_id = dossier.plan_ids.filtered(lambda p: p.state == "running")[:1]
            dossier.open_dispute_count = len(dossier.dispute_ids.filtered(lambda d: d.state == "open"))

    # -- hooks of the follow-up state --------------------------------------------------------------
    @api.model
    def _late_payment_paused_until(self, partners, company):
        """{commercial partner id: date until which an open promise or a running plan pauses
        its reminders} (one query): the promised date; the last instalment plus the grace days."""
        paused = super()._late_payment_paused_until(partners, company)
        if not partners:
            return paused
        self.env["late.payment.promise"].flush_model(["partner_id", "company_id", "state", "date"])
        self.env["late.payment.plan"].flush_model(["partner_id", "company_id", "state", "grace_days"])
        self.env["late.payment.plan.line"].flush_model(["plan_id", "date"])
        for partner_id, until in self.env.execute_query(SQL("""
            SELECT partner_id, MAX(until) FROM (
                SELECT partner_id, date AS until FROM late_payment_promise
                 WHERE company_id = %(company)s AND state = 'open' AND partner_id = ANY(%(partners)s)
                 UNION ALL
                SELECT plan.partner_id, MAX(line.date) + COALESCE(plan.grace_days, 0)
                  FROM late_payment_plan plan
                  JOIN late_payment_plan_line line ON line.plan_id = plan.id
                 WHERE plan.company_id = %(company)s AND plan.state = 'running'
                   AND plan.partner_id = ANY(%(partners)s)
                 GROUP BY plan.id
            ) pauses GROUP BY partner_id
        """, company=company.id, partners=partners.ids)):
            paused[partner_id] = max(until, paused[partner_id]) if paused.get(partner_id) else until
        return paused

    @api.model
    def _late_payment_risk_incidents(self, partners, company):
        """{commercial partner id: (disputes opened, promises broken) in the last 12 months}
        (one query)."""
        if not partners:
            return {}
        start = fields.Date.today() - timedelta(days=365)
        self.env["late.payment.dispute"].flush_model(["partner_id", "company_id", "date_opened"])
        self.env["late.payment.promise"].flush_model(["partner_id", "company_id", "state", "date"])
        rows = self.env.execute_query(SQL("""
            SELECT partner_id, SUM(disputes), SUM(broken) FROM (
                SELECT partner_id, 1 AS disputes, 0 AS broken FROM late_payment_dispute
                 WHERE company_id = %(company)s AND partner_id = ANY(%(partners)s) AND date_opened > %(start)s
                 UNION ALL
                SELECT partner_id, 0, 1 FROM late_payment_promise
                 WHERE company_id = %(company)s AND partner_id = ANY(%(partners)s) AND state = 'broken'
                   AND date > %(start)s
            ) incidents GROUP BY partner_id
        """, company=company.id, partners=partners.ids, start=start))
        return {partner_id: (int(disputes), int(broken)) for partner_id, disputes, broken in rows}

    @api.model
    def _late_payment_collection_states(self, partners, company):
        """{commercial partner id: True (in collection) or False (taken back)} for the engine
        (one query)."""
        if not partners:
            return {}
        self.flush_model(["partner_id", "company_id", "collection_state"])
        rows = self.env.execute_query(SQL("""
            SELECT partner_id, collection_state FROM late_payment_dossier
             WHERE company_id = %s AND collection_state IS NOT NULL AND partner_id = ANY(%s)
        """, company.id, partners.ids))
        return {partner_id: state == "collection" for partner_id, state in rows}

    @api.model
    def _late_payment_settlement_status(self, partners, company):
        """{partner id: {"promise": {"date": iso, "amount": float} or None, "plan": state or None}}
        of the commercial partners of `partners` in `company` (for the API's status)."""
        commercial = partners.commercial_partner_id
        promises = self.env["late.payment.promise"].search_fetch(
            [("partner_id", "in", commercial.ids), ("company_id", "=", company.id), ("state", "=", "open")],
            ["partner_id", "date", "amount"], order="date desc, id desc")
        plans = self.env["late.payment.plan"].search_fetch(
            [("partner_id", "in", commercial.ids), ("company_id", "=", company.id)],
            ["partner_id", "state"], order="date desc, id desc")
        promise_of, plan_of = {}, {}
        for promise in promises:
            promise_of.setdefault(promise.partner_id.id, {
                "date": fields.Date.to_string(promise.date), "amount": promise.amount})
        for plan in plans:
            plan_of.setdefault(plan.partner_id.id, plan.state)
        return {partner.id: {"promise": promise_of.get(partner.commercial_partner_id.id),
                             "plan": plan_of.get(partner.commercial_partner_id.id)} for partner in partners}

    def _late_payment_settlement_activity(self, summary, note=None):
        """A to-do for the customer's responsible on the dossier."""
        for dossier in self:
            dossier.sudo().activity_schedule(
                "mail.mail_activity_data_todo", date_deadline=fields.Date.context_today(self),
                summary=summary, note=note or False, user_id=dossier._late_payment_responsible().id)

    # -- collection ---------------------------------------------------------------------------
    def _late_payment_escalate(self, automatic=False):
        """Hand these customers to collection: no more automatic reminders, a to-do for the
        responsible to send the collection dossier (to the agency or the court)."""
        today = fields.Date.context_today(self)
        todo = self.filtered(lambda d: d.collection_state != "collection")
        if not todo:
            return self.browse()
        todo.sudo().write({"collection_state": "collection", "collection_date": today})
        for dossier in todo:
            body = self.env._("Handed to collection by the escalation level.") if automatic else self.env._(
                "Handed to collection by %(user)s.", user=self.env.user.name)
            dossier.sudo().message_post(body=body)
            dossier.partner_id.sudo()._message_log(body=body)
            dossier._late_payment_settlement_activity(
                self.env._("Send the collection dossier of %(customer)s", customer=dossier.partner_id.name),
                self.env._("Print the collection dossier and send it to the collection agency or the court."))
        for company, dossiers in todo.grouped("company_id").items():
            self._late_payment_refresh(partners=dossiers.partner_id, company=company)
        return todo

    def action_late_payment_escalate(self):
        self._late_payment_check_user()
        if any(d.status == "none" and not d.amount_due for d in self):
            raise UserError(self.env._("There is nothing to collect from this customer."))
        self._late_payment_escalate()
        return True

    def action_late_payment_deescalate(self):
        self._late_payment_check_user()
        todo = self.filtered(lambda d: d.collection_state == "collection" or d.status == "collection")
        if not todo:
            raise UserError(self.env._("This customer is not in collection."))
        todo.sudo().write({"collection_state": "released", "collection_date": False})
        for dossier in todo:
            body = self.env._("Taken back from collection by %(user)s: the follow-up resumes.", user=self.env.user.name)
            dossier.sudo().message_post(body=body)
            dossier.partner_id.sudo()._message_log(body=body)
        for company, dossiers in todo.grouped("company_id").items():
            self._late_payment_refresh(partners=dossiers.partner_id, company=company)
        return True

    def action_late_payment_collection_dossier(self):
        return self.env.ref("account_late_payment.action_report_late_payment_collection").report_action(self)

    def _late_payment_collection_data(self):
        """What the collection dossier prints: each invoice still open with its reminders,
        penalties, promises and disputes."""
        self.ensure_one()
        moves = self.line_ids.move_id.filtered(lambda m: m.move_type in ("out_invoice", "out_receipt"))
        moves = moves.sorted(lambda m: (m.invoice_date_due or m.date, m.id))
        penalties = {r["id"]: r for r in moves.late_payment_penalties()} if moves else {}
        reminder_lines = self.env["late.payment.reminder.line"].sudo().search(
            [("move_id", "in", moves.ids)], order="date, id").grouped("move_id")
        return {
            "today": fields.Date.context_today(self),
            "invoices": [{
                "move": move,
                "reminders": reminder_lines.get(move, self.env["late.payment.reminder.line"]),
                "penalties": penalties.get(move.id, {}),
                "disputes": self.dispute_ids.filtered(lambda d, move=move: d.move_id == move),
            } for move in moves],
            "interest": sum(r.get("interest", 0.0) for r in penalties.values()),
            "indemnity": sum(r.get("indemnity", 0.0) for r in penalties.values()),
        }

    # -- settlement screens ---------------------------------------------------------------------
    def action_late_payment_promise(self):
        self.ensure_one()
        return self.partner_id.with_company(self.company_id).action_late_payment_promise()

    def action_late_payment_dispute(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Dispute"),
            "res_model": "late.payment.dispute.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_partner_id": self.partner_id.id},
        }

    def action_late_payment_plan(self):
        self.ensure_one()
        return self.partner_id.with_company(self.company_id).action_late_payment_plan()

    # -- the daily settlement check ------------------------------------------------------------
    @api.model
    def _cron_late_payment_settlement(self, batch_size=BATCH_SIZE):
        """Every day: keep or break the open promises and check the running plans (payments
        allocated, plans completed or broken, instalment reminders), by batches committed with
        ir.cron._commit_progress."""
        promise_model = self.env["late.payment.promise"].sudo()
        plan_model = self.env["late.payment.plan"].sudo()
        promise_ids = promise_model.search([("state", "=", "open")], order="id").ids
        plan_ids = plan_model.search([("state", "=", "running")], order="id").ids
        todo = [(promise_model, promise_ids[i:i + batch_size]) for i in range(0, len(promise_ids), batch_size)]
        todo += [(plan_model, plan_ids[i:i + batch_size]) for i in range(0, len(plan_ids), batch_size)]
        cron = self.env["ir.cron"]
        cron._commit_progress(remaining=len(promise_ids) + len(plan_ids))
        for model, ids in todo:
            model.browse(ids)._late_payment_check()
            if not cron._commit_progress(len(ids)):
                break
