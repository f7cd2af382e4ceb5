"""Demo data: the follow-up as if the daily run had been working all year.

Each receivable line of the demo customers goes through the default policy the way the daily
run would have taken it, on business days, until it was paid (or until today): the automatic
levels for everyone, the formal notice and the hand-off to collection only where an accountant
decided them. Then a few customers get their relationship, and every dossier is refreshed.
"""

from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models

from odoo.addons.account_late_payment.engine import business_days, followup

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
        policy = policy_model._late_payment_default_policy(company)
        policy = policy or policy_model._late_payment_create_default_policies(company)
        partners = {key: self.env.ref(f"account_late_payment.demo_partner_{key}", raise_if_not_found=False)
                    for key in (*MANUAL_LEVELS, *RELATIONSHIPS)}
        for key, relationship in RELATIONSHIPS.items():
            if partners[key]:
                partners[key].with_company(company).late_payment_relationship = relationship
        if policy:
            self._demo_reminders_sent(company, policy, partners, today)
        dossiers = self.env["late.payment.dossier"]._late_payment_refresh(company=company)
        admin = self.env.ref("base.user_admin")
        dossiers.filtered(lambda d: d.status in ("due", "collection", "disputed")).user_id = admin
        # the proof of the formal notice sent to the customer that stopped paying
        petit = dossiers.filtered(lambda d: d.partner_id == partners["transports_petit"])
        if petit.level_id and petit.level_date:
            received = petit.level_date + timedelta(days=-12 if petit.level_id.is_escalation else 3)
            petit.write({"formal_notice_reference": "1A 184 392 0571 3",
                         "formal_notice_received_date": min(received, today)})
        return True

    def _demo_reminders_sent(self, company, policy, partners, today):
        levels = policy.level_ids
        engine_levels = levels._late_payment_engine_levels_by_id()
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
        reached = defaultdict(lambda: self.env["account.move.line"])
        for line in lines:
            paid_on = max(line.matched_credit_ids.mapped("max_date"), default=None) if line.reconciled else None
            level, when = self._demo_walk(engine_levels, line.date_maturity, paid_on or today,
                                          manual_by_partner.get(line.partner_id.id, set()), levels)
            if level:
                reached[level, when] |= line
        for (level, when), level_lines in reached.items():
            level_lines.write({"late_payment_level_id": level, "late_payment_level_date": when})

    @staticmethod
    def _demo_walk(engine_levels, maturity, until, manual_ids, levels):
        """The last level the daily run would have reached for a line due on `maturity`, paid on
        `until` (or still open today): (level id, date) or (None, None)."""
        automatic = {level.id for level in levels if level.auto} | set(manual_ids)
        current = followup.Line(0, maturity, 1)
        day = maturity + timedelta(days=min(level.days for level in engine_levels.values()))
        while day < until:
            if business_days.is_business_day(day, "FR"):
                level, when = followup.line_next_level(list(engine_levels.values()), current, day)
                if level is None or level.id not in automatic:
                    break  # the end of the policy, or a level an accountant did not send
                if when <= day:
                    current = followup.Line(0, maturity, 1, level, day)
                elif when > day + timedelta(days=1):
                    day = when
                    continue
            day += timedelta(days=1)
        return (current.level.id, current.level_date) if current.level else (None, None)
