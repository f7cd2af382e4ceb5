"""Settling a customer's debt: promises, payment plans and disputes that pause the follow-up, the
hand-over to collection and the escalation to proceedings (engine/settlement.py holds the
rules).
"""

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..engine import settlement
from .late_payment_dossier import SETTLEMENT_BATCH_SIZE
from .late_payment_measure import late_types


class LatePaymentDossier(models.Model):
    _inherit = "late.payment.dossier"

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

    # -- settlement: promises, plans, disputes, collection ------------------------------------------
    @api.model
    def _paused_until(self, partners, company):
        """{commercial partner id: date until which its reminders pause}: the console's
        postponements (the whole customer). Promises and plans pause their own invoices only
        (_paused_moves)."""
        return self._postponed_until(partners, company, {})

    @api.model
    def _paused_moves(self, partners, company):
        """{invoice id: date until which its reminders pause} for the invoices of the open
        promises (their promised date) and of the running plans (engine/settlement.py: their last
        instalment plus the grace days) of the customers, in one query. Their other invoices are
        followed as usual."""
        if not partners:
            return {}
        self.env["late.payment.promise"].flush_model(["partner_id", "company_id", "state", "date", "move_ids"])
        self.env["late.payment.plan"].flush_model(["partner_id", "company_id", "state", "grace_days", "move_ids"])
        self.env["late.payment.plan.line"].flush_model(["plan_id", "date"])
        paused = {}

        def pause(move_id, until):
            if until:
                paused[move_id] = max(until, paused[move_id]) if move_id in paused else until

        for move_id, promised, grace_days, dates in self.env.execute_query(SQL("""
            SELECT rel.move_id, promise.date, NULL, NULL
              FROM late_payment_promise promise
              JOIN late_payment_promise_move_rel rel ON rel.promise_id = promise.id
             WHERE promise.company_id = %(company)s AND promise.state = 'open'
               AND promise.partner_id = ANY(%(partners)s)
             UNION ALL
            SELECT rel.move_id, NULL, plan.grace_days,
                   ARRAY(SELECT line.date FROM late_payment_plan_line line WHERE line.plan_id = plan.id)
              FROM late_payment_plan plan
              JOIN late_payment_plan_move_rel rel ON rel.plan_id = plan.id
             WHERE plan.company_id = %(company)s AND plan.state = 'running'
               AND plan.partner_id = ANY(%(partners)s)
        """, company=company.id, partners=partners.ids)):
            pause(move_id, promised or settlement.paused_until(dates, grace_days or 0))
        return paused

    @api.model
    def _collection_states(self, partners, company):
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
    def _settlement_status(self, partners, company):
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

    def _settlement_activity(self, summary, note=None):
        """A to-do for the customer's responsible on the dossier."""
        for dossier in self:
            dossier.sudo().activity_schedule(
                "mail.mail_activity_data_todo", date_deadline=fields.Date.context_today(self),
                summary=summary, note=note or False, user_id=dossier._responsible().id)

    # -- collection ---------------------------------------------------------------------------
    def _escalate(self, automatic=False):
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
            dossier._settlement_activity(
                self.env._("Send the collection dossier of %(customer)s", customer=dossier.partner_id.name),
                self.env._("Print the collection dossier and send it to the collection agency or the court."))
        for company, dossiers in todo.grouped("company_id").items():
            self._refresh(partners=dossiers.partner_id, company=company)
        return todo

    def action_escalate(self):
        self._check_user()
        if any(d.status == "none" and not d.amount_due for d in self):
            raise UserError(self.env._("There is nothing to collect from this customer."))
        self._escalate()
        return True

    def action_deescalate(self):
        self._check_user()
        todo = self.filtered(lambda d: d.collection_state == "collection" or d.status == "collection")
        if not todo:
            raise UserError(self.env._("This customer is not in collection."))
        # sudo (access checked above): the collection state and the customer's history are the addon's
        todo.sudo().write({"collection_state": "released", "collection_date": False})
        for dossier in todo:
            body = self.env._("Taken back from collection by %(user)s: the follow-up resumes.", user=self.env.user.name)
            dossier.sudo().message_post(body=body)
            dossier.partner_id.sudo()._message_log(body=body)
        for company, dossiers in todo.grouped("company_id").items():
            self._refresh(partners=dossiers.partner_id, company=company)
        return True

    def action_collection_dossier(self):
        self._check_user("read")
        return self.env.ref("account_late_payment.action_report_late_payment_collection").report_action(self)

    def _collection_data(self):
        """What the collection dossier prints: each invoice still open with its reminders,
        penalties, promises and disputes."""
        self.ensure_one()
        moves = self.line_ids.move_id.filtered(lambda m: m.move_type in late_types(self.env))
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
            **self._declarable(moves, penalties),
        }

    def _declarable(self, moves, penalties):
        """The claim to declare when collective proceedings opened against the customer: the
        invoices dated before the judgment, each with what is left to pay, its interest up to the
        day before the judgment and its indemnity (`penalties`: late_payment_penalties by id)."""
        opened = self.partner_id.late_payment_proceedings_date
        if not opened:
            return {"proceedings_date": False, "declarable": [], "declarable_total": 0.0}
        rows = [{
            "move": move, "residual": move.amount_residual,
            "interest": penalties.get(move.id, {}).get("interest", 0.0),
            "indemnity": penalties.get(move.id, {}).get("indemnity", 0.0),
        } for move in moves if move.currency_id == self.currency_id and (move.invoice_date or move.date) < opened]
        for row in rows:
            row["total"] = row["residual"] + row["interest"] + row["indemnity"]
        return {"proceedings_date": opened, "declarable": rows,
                "declarable_total": sum(row["total"] for row in rows)}

    # -- settlement screens ---------------------------------------------------------------------
    def action_promise(self):
        self.ensure_one()
        self._check_user()
        return self.partner_id.with_company(self.company_id).action_late_payment_promise()

    def action_dispute(self):
        self.ensure_one()
        self._check_user()
        return self.env["late.payment.dispute.wizard"]._action({"default_partner_id": self.partner_id.id})

    def action_plan(self):
        self.ensure_one()
        self._check_user()
        return self.partner_id.with_company(self.company_id).action_late_payment_plan()

    # -- the daily settlement check ------------------------------------------------------------
    @api.model
    def _cron_settlement(self, batch_size=SETTLEMENT_BATCH_SIZE):
        """Every day: keep or break the open promises and check the running plans (payments
        allocated, plans completed or broken, instalment reminders), by batches bounded by time
        (late.payment.batch), each committed; those checked today are not checked again (a
        rerun carries on), and one whose check fails is skipped until tomorrow and reported to
        the administrators."""
        today = fields.Date.context_today(self)
        promise_model = self.env["late.payment.promise"].sudo()
        plan_model = self.env["late.payment.plan"].sudo()
        not_today = ["|", ("last_check_date", "=", False), ("last_check_date", "!=", today)]
        todo = [
            (promise_model, promise_model.search([("state", "=", "open"), *not_today], order="id").ids),
            (plan_model, plan_model.search([("state", "=", "running"), *not_today], order="id").ids),
        ]

        def mark(model, ids, _error=None):
            model.flush_model(["last_check_date"])
            self.env.cr.execute(SQL("UPDATE %s SET last_check_date = %s WHERE id = ANY(%s)",
                                    SQL.identifier(model._table), today, list(ids)))
            model.invalidate_model(["last_check_date"])

        def process(model, ids):
            model.browse(ids)._late_payment_check()
            mark(model, ids)

        def describe(model, record_id):
            return model.browse(record_id).display_name

        self.env["late.payment.batch"]._batches(
            self.env._("Promises and payment plans"), todo, process, skip=mark, describe=describe,
            first_size=50, max_size=batch_size)
