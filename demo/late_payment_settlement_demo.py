"""Demo data: settlement.

- Menuiserie Bernard (chronic late payer, formal notice sent) agreed a payment plan five weeks
  ago: a down payment, then four monthly instalments; the down payment and the first two
  instalments are paid (the plan's schedule shows which payment paid what), the next ones are to come.
- Librairie Rousseau promised on the phone to pay its oldest overdue invoice in ten days.
- Domaine Fontaine disputes an invoice (made with the invoices, demo/late_payment_demo.py).
- Transports Petit, that stopped paying, was handed to collection by the escalation level.
"""

from datetime import timedelta

from odoo import api, fields, models

PLAN_CUSTOMER = "menuiserie_bernard"
PLAN_AGE = 36  # days since the plan was agreed
PROMISE_CUSTOMER = "librairie_rousseau"
COLLECTION_CUSTOMER = "transports_petit"


class LatePaymentDemo(models.AbstractModel):
    _inherit = "late.payment.demo"

    @api.model
    def _generate_settlement(self):
        company = self.env.company
        today = fields.Date.context_today(self)
        self._demo_plan(company, today)
        self._demo_promise(company, today)
        collection = self.env.ref(f"account_late_payment.demo_partner_{COLLECTION_CUSTOMER}", raise_if_not_found=False)
        if collection:
            dossier = self.env["late.payment.dossier"]._refresh(partners=collection, company=company)
            dossier.filtered(lambda d: d.status == "collection")._escalate(automatic=True)
        return True

    def _overdue(self, partner, company, today):
        return self.env["account.move"].search([
            ("commercial_partner_id", "=", partner.id), ("company_id", "=", company.id), ("state", "=", "posted"),
            ("move_type", "=", "out_invoice"), ("payment_state", "in", ("not_paid", "partial")),
            ("invoice_date_due", "<", today)], order="invoice_date_due, id")

    def _demo_plan(self, company, today):
        partner = self.env.ref(f"account_late_payment.demo_partner_{PLAN_CUSTOMER}", raise_if_not_found=False)
        moves = self._overdue(partner, company, today) if partner else None
        if not moves:
            return
        plan = self.env["late.payment.plan"]._create_plan(
            partner, moves.ids, 4, today + timedelta(days=1), "monthly",
            down_payment=round(sum(moves.mapped("amount_residual")) * 0.2, -1), waive_penalties=True,
            note=self.env._("Agreed on the phone with the manager after the formal notice."))
        # as if agreed five weeks ago: the schedule moves back, the first payments arrived
        agreed = today - timedelta(days=PLAN_AGE)
        # agreed by the company's accountant (the demo data loads as the superuser)
        plan.write({"date": agreed, "first_date": plan.first_date - timedelta(days=PLAN_AGE),
                    "user_id": self.env.ref("base.user_admin").id})
        for line in plan.line_ids:
            line.date = line.date - timedelta(days=PLAN_AGE) if not line.down_payment else agreed
        for line in plan.line_ids.sorted(lambda line: (line.date, line.sequence))[:3]:
            self._pay_spread(moves, line.date + timedelta(days=2), line.amount)
        plan.line_ids.write({"reminded_before": False, "reminded_after": False})
        plan.line_ids.filtered(lambda line: line.date < today).write({"reminded_before": True})
        plan._late_payment_check(today, send=False)

    def _pay_spread(self, moves, when, amount):
        """The customer pays each of its invoices in proportion to what is left on it: none is
        paid off before the plan ends (they keep the formal notice they reached)."""
        total = sum(moves.mapped("amount_residual"))
        left = amount
        for index, move in enumerate(moves):
            share = left if index == len(moves) - 1 else move.currency_id.round(amount * move.amount_residual / total)
            share = min(share, move.amount_residual - 0.01)
            if share > 0:
                self._pay(move, when, share)
                left -= share

    def _demo_promise(self, company, today):
        partner = self.env.ref(f"account_late_payment.demo_partner_{PROMISE_CUSTOMER}", raise_if_not_found=False)
        moves = self._overdue(partner, company, today)[:1] if partner else None
        if not moves:
            return
        partner.with_company(company).late_payment_promise(
            today + timedelta(days=10), moves.amount_residual, moves.ids,
            self.env._("Promised on the phone: the payment goes out with their next supplier run."))
