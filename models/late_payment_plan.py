from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Command

from ..engine import settlement
from .access import USER_GROUP, check_group, check_records
from .lang import format_day
from .late_payment_promise import check_company, check_customer_invoices, lock_customer, parse_amount

# the most instalments a plan may have (ten years of monthly instalments)
MAX_INSTALMENTS = 120

PLAN_STATES = [
    ("running", "Running"),
    ("done", "Completed"),
    ("broken", "Broken"),
    ("cancelled", "Cancelled"),
]
FREQUENCIES = [
    (settlement.WEEKLY, "Weekly"),
    (settlement.BIWEEKLY, "Every two weeks"),
    (settlement.MONTHLY, "Monthly"),
    (settlement.QUARTERLY, "Quarterly"),
]
PLAN_REMINDER_TEMPLATES = {
    settlement.BEFORE: "account_late_payment.mail_template_late_payment_plan_before",
    settlement.AFTER: "account_late_payment.mail_template_late_payment_plan_after",
}


class LatePaymentPlan(models.Model):
    """An instalment plan agreed with a customer for some of its overdue invoices. It tracks
    and reminds; it creates no accounting entry: the payments the invoices receive pay its
    instalments oldest first. While it runs, the reminders follow its instalments instead of the
    invoices' due dates; an instalment missed beyond the grace days breaks it."""

    _name = "late.payment.plan"
    _description = "Instalment plan"
    _inherit = ["portal.mixin", "mail.thread", "mail.activity.mixin"]
    _order = "date desc, id desc"
    _check_company_auto = True

    name = fields.Char(required=True, readonly=True, copy=False, default="/")
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, index=True, readonly=True, ondelete="restrict")
    company_id = fields.Many2one(
        "res.company", required=True, index=True, readonly=True, default=lambda self: self.env.company)
    currency_id = fields.Many2one(related="company_id.currency_id", store=True)
    date = fields.Date(string="Agreed on", required=True, readonly=True, default=fields.Date.context_today)
    move_ids = fields.Many2many(
        "account.move", "late_payment_plan_move_rel", "plan_id", "move_id", string="Invoices", readonly=True,
        check_company=True)
    amount_total = fields.Monetary(
        string="Total", readonly=True, help="What the invoices owed when the plan was agreed.")
    amount_paid = fields.Monetary(string="Paid", readonly=True)
    amount_left = fields.Monetary(string="Left to pay", compute="_compute_amount_left")
    down_payment = fields.Monetary(readonly=True)
    instalment_count = fields.Integer(string="Instalments", readonly=True)
    first_date = fields.Date(string="First instalment", readonly=True)
    frequency = fields.Selection(FREQUENCIES, readonly=True, default=settlement.MONTHLY)
    grace_days = fields.Integer(string="Grace days", readonly=True)
    waive_penalties = fields.Boolean(
        string="Penalties waived if kept", readonly=True,
        help="When every instalment is paid, the late interest and recovery indemnity of its invoices are waived.")
    state = fields.Selection(PLAN_STATES, required=True, default="running", readonly=True, index=True, tracking=True)
    closed_date = fields.Date(string="Closed on", readonly=True)
    last_check_date = fields.Date(
        string="Checked on", readonly=True, copy=False,
        help="The last day the daily settlement check processed it (or skipped it after a failure).")
    line_ids = fields.One2many("late.payment.plan.line", "plan_id", string="Schedule", readonly=True)
    next_line_id = fields.Many2one("late.payment.plan.line", string="Next instalment", compute="_compute_next_line")
    user_id = fields.Many2one("res.users", string="Responsible", default=lambda self: self.env.user, tracking=True)
    note = fields.Text()

    @api.depends("amount_total", "amount_paid")
    def _compute_amount_left(self):
        for plan in self:
            plan.amount_left = plan.amount_total - plan.amount_paid

    @api.depends("line_ids.amount_paid")
    def _compute_next_line(self):
        for plan in self:
            plan.next_line_id = plan.line_ids.filtered(lambda line: line.state != "paid")[:1]

    def _compute_access_url(self):
        result = super()._compute_access_url()
        for plan in self:
            plan.access_url = f"/my/late-payment-plans/{plan.id}"
        return result

    def _get_report_base_filename(self):
        self.ensure_one()
        return self.env._("Payment plan %(name)s", name=self.name)

    # -- creation: the one way in (wizard, API) ---------------------------------------------------
    @api.model
    def _create_plan(self, partner, invoice_ids, count, first_date, frequency=settlement.MONTHLY,
                                  down_payment=0.0, down_payment_date=None, waive_penalties=False, note=None,
                                  company=None):
        env = self.env
        company = company or env.company
        if len(partner) != 1:
            raise UserError(env._("A payment plan is agreed with one customer."))
        partner = partner.commercial_partner_id
        check_company(env, company, partner)
        env["late.payment.api"]._check_text(note, env._("The note"))
        moves = check_customer_invoices(env, partner, company, invoice_ids, overdue_default=True)
        lock_customer(env, partner)
        running = self.search([("move_ids", "in", moves.ids), ("state", "=", "running")], limit=1)
        if running:
            raise UserError(env._("Some of these invoices are already in the running plan %(plan)s.",
                                  plan=running.name))
        first = env["late.payment.api"]._late_payment_check_date(first_date, env._("The first instalment date"))
        if first < fields.Date.context_today(self):
            raise UserError(env._("The first instalment cannot be in the past."))
        try:
            count = int(count)
        except (TypeError, ValueError, OverflowError):
            count = 0
        if count < 1:
            raise UserError(env._("A payment plan has at least one instalment."))
        if count > MAX_INSTALMENTS:
            raise UserError(env._("A payment plan has at most %(max)s instalments.", max=MAX_INSTALMENTS))
        if frequency not in settlement.FREQUENCIES:
            raise UserError(env._("Unknown frequency: %(value)s.", value=frequency))
        down = parse_amount(env, down_payment, env._("The down payment")) if down_payment else 0.0
        down_date = env["late.payment.api"]._late_payment_check_date(
            down_payment_date, env._("The down payment date")) if down_payment_date \
            else fields.Date.context_today(self)
        total = sum(moves.mapped("amount_residual_signed"))
        digits = company.currency_id.decimal_places
        if company.currency_id.compare_amounts(down, total) >= 0:
            raise UserError(env._("The down payment must be less than the total of the plan."))
        schedule = settlement.build_schedule(Decimal(str(total)), count, first, frequency, Decimal(str(down)),
                                             down_date, digits)
        plan = self.create({
            "name": env["ir.sequence"].next_by_code("late.payment.plan") or "/",
            "partner_id": partner.id, "company_id": company.id, "move_ids": [Command.set(moves.ids)],
            "amount_total": total, "down_payment": down, "instalment_count": count, "first_date": first,
            "frequency": frequency, "grace_days": company.late_payment_plan_grace_days,
            "waive_penalties": bool(waive_penalties), "note": note or False,
            "line_ids": [Command.create({
                "sequence": inst.sequence, "date": inst.date, "amount": float(inst.amount),
                "down_payment": inst.down_payment,
            }) for inst in schedule],
        })
        body = env._("Payment plan %(plan)s agreed: %(total)s in %(count)s instalments (%(invoices)s).",
                     plan=plan.name, total=company.currency_id.format(total), count=len(schedule),
                     invoices=", ".join(moves.mapped("name")))
        plan.message_post(body=body)
        partner.sudo()._message_log(body=body)
        # an open promise is superseded by the plan
        promises = env["late.payment.promise"].search([("partner_id", "=", partner.id),
                                                       ("company_id", "=", company.id), ("state", "=", "open")])
        promises.write({"state": "cancelled", "closed_date": fields.Date.context_today(self)})
        env["late.payment.dossier"]._refresh(partners=partner, company=company, ensure=True)
        return plan

    def action_cancel(self):
        self._check_user()
        running = self.filtered(lambda p: p.state == "running")
        running.write({"state": "cancelled", "closed_date": fields.Date.context_today(self)})
        for plan in running:
            plan.message_post(body=self.env._("Payment plan cancelled: the follow-up resumes on its invoices."))
        for company, plans in running.grouped("company_id").items():
            self.env["late.payment.dossier"]._refresh(partners=plans.partner_id, company=company)
        return True

    def _check_user(self, operation="write"):
        check_group(self.env, USER_GROUP,
                    self.env._("Only the late payment users may work the follow-up."))
        check_records(self, operation)

    def action_print_agreement(self):
        self._check_user("read")
        return self.env.ref("account_late_payment.action_report_late_payment_plan").report_action(self)

    def action_refresh(self):
        self._check_user()
        self._late_payment_check()
        return True

    # -- payments and the daily check ------------------------------------------------------------
    def _payments(self):
        """{plan id: [(date, amount, reference)]}: what the invoices of each plan received since
        it was agreed (their residual then minus now), as the latest reconciliations that make
        it up; amounts in company currency. Two queries for the whole batch."""
        self.move_ids.fetch(["amount_residual_signed"])
        lines = self.env["account.move.line"].search_fetch(
            [("move_id", "in", self.move_ids.ids), ("account_type", "=", "asset_receivable"),
             ("display_type", "=", "payment_term")], ["move_id"])
        partials = self.env["account.partial.reconcile"].search_fetch(
            [("debit_move_id", "in", lines.ids)], ["debit_move_id", "credit_move_id", "amount", "max_date"],
            order="max_date desc, id desc")
        by_move = defaultdict(list)
        for partial in partials:
            by_move[partial.debit_move_id.move_id.id].append(partial)
        result = {}
        for plan in self:
            received = max(plan.amount_total - sum(plan.move_ids.mapped("amount_residual_signed")), 0.0)
            payments = []
            left = received
            recent = sorted((p for move in plan.move_ids for p in by_move[move.id]),
                            key=lambda p: (p.max_date, p.id), reverse=True)
            for partial in recent:
                if plan.currency_id.compare_amounts(left, 0) <= 0:
                    break
                take = min(partial.amount, left)
                left -= take
                payments.append((partial.max_date, take, partial.credit_move_id.move_id.name or ""))
            if plan.currency_id.compare_amounts(left, 0) > 0:
                payments.append((fields.Date.context_today(self), left, ""))
            result[plan.id] = payments
        return result

    def _allocate(self):
        """Allocate the payments of the plans of `self` to their instalments (oldest first) and
        write what each instalment got; returns {plan id: [engine Allocated]}."""
        payments = self._payments()
        allocated = {}
        for plan in self:
            lines = plan.line_ids.sorted(lambda line: (line.date, line.sequence))
            result = settlement.allocate([(line.sequence, line.date, line.amount) for line in lines],
                                         payments.get(plan.id, []), plan.currency_id.decimal_places)
            allocated[plan.id] = result
            by_sequence = {line.sequence: line for line in lines}
            for inst in result:
                line = by_sequence[inst.sequence]
                allocation = [[fields.Date.to_string(day), float(amount), ref or ""]
                              for day, amount, ref in inst.payments]
                vals = {"amount_paid": float(inst.paid), "paid_date": inst.paid_date or False,
                        "payment_allocation": allocation or False}
                if any(line[key] != value for key, value in vals.items() if key != "amount_paid") or \
                        plan.currency_id.compare_amounts(line.amount_paid, vals["amount_paid"]):
                    line.write(vals)
            paid = float(sum((inst.paid for inst in result), Decimal(0)))
            if plan.currency_id.compare_amounts(plan.amount_paid, paid):
                plan.amount_paid = paid
        return allocated

    def _late_payment_check(self, today=None, send=True):
        """The daily check of the running plans of `self`: allocate the payments, close the plans
        paid off (waiving their penalties when agreed), break those with an instalment missed
        beyond the grace days, and send the instalment reminders that are due."""
        today = today or fields.Date.context_today(self)
        plans = self.filtered(lambda p: p.state == "running")
        if not plans:
            return {}
        allocated = plans._allocate()
        changed = {}
        for plan in plans:
            state = settlement.plan_state(allocated[plan.id], today, plan.grace_days)
            plan._line_states(allocated[plan.id], today)
            if state == settlement.DONE:
                changed[plan] = "done"
            elif state == settlement.BROKEN:
                changed[plan] = "broken"
        dossier_model = self.env["late.payment.dossier"].sudo()
        for plan, state in changed.items():
            plan.write({"state": state, "closed_date": today})
            if state == "done":
                body = self.env._("Payment plan %(plan)s completed: every instalment is paid.", plan=plan.name)
                if plan.waive_penalties:
                    plan.move_ids.sudo().late_payment_penalties_waived = True
                    body = self.env._("Payment plan %(plan)s completed: every instalment is paid; the penalties of "
                                      "its invoices are waived.", plan=plan.name)
            else:
                missed = settlement.missed(allocated[plan.id], today, plan.grace_days)
                body = self.env._(
                    "Payment plan %(plan)s broken: the instalment of %(date)s is unpaid %(days)s days after its "
                    "date; the follow-up resumes on its invoices.", plan=plan.name,
                    date=format_day(self.env, missed.date), days=(today - missed.date).days)
            plan.message_post(body=body)
            plan.partner_id.sudo()._message_log(body=body)
        touched = self.browse([plan.id for plan in changed])
        for company, group in touched.grouped("company_id").items():
            dossiers = dossier_model._refresh(partners=group.partner_id, company=company, ensure=True)
            by_partner = {d.partner_id.id: d for d in dossiers}
            for plan in group.filtered(lambda p: p.state == "broken"):
                if plan.partner_id.id in by_partner:
                    by_partner[plan.partner_id.id]._settlement_activity(self.env._(
                        "Broken payment plan %(plan)s of %(customer)s", plan=plan.name, customer=plan.partner_id.name))
        if send:
            plans.filtered(lambda p: p.state == "running")._send_reminders(allocated, today)
        return changed

    def _line_states(self, allocated, today):
        self.ensure_one()
        by_sequence = {line.sequence: line for line in self.line_ids}
        for inst in allocated:
            line = by_sequence[inst.sequence]
            state = "paid" if inst.left <= 0 else (
                "missed" if today > inst.date + timedelta(days=self.grace_days) else
                "late" if today > inst.date else "to_pay")
            if line.state != state:
                line.state = state

    def _send_reminders(self, allocated, today):
        """A courteous reminder before each instalment, a firmer one after a missed one (once
        each), by email from the plan (its chatter keeps them)."""
        for plan in self:
            notice = plan.company_id.late_payment_plan_notice_days
            lines = {line.sequence: line for line in plan.line_ids}
            reminded = {(kind, seq) for seq, line in lines.items()
                        for kind, flag in ((settlement.BEFORE, line.reminded_before),
                                           (settlement.AFTER, line.reminded_after)) if flag}
            due = settlement.plan_reminder(allocated[plan.id], today, notice, reminded)
            if not due:
                continue
            kind, sequence = due
            line = lines[sequence]
            template = self.env.ref(PLAN_REMINDER_TEMPLATES[kind], raise_if_not_found=False)
            if template and plan.partner_id.email:
                plan.with_context(late_payment_plan_line_id=line.id).message_post_with_source(
                    template, subtype_xmlid="mail.mt_comment", message_type="comment")
            line.write({"reminded_before": True} if kind == settlement.BEFORE else {"reminded_after": True})

    def _late_payment_reminder_line(self):
        """The instalment a plan reminder is about (from the rendering context)."""
        self.ensure_one()
        line_id = self.env.context.get("late_payment_plan_line_id")
        line = self.line_ids.filtered(lambda line: line.id == line_id)
        return line or self.next_line_id
