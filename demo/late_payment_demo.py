"""Demo data: about a year of invoices and payments for the demo customers.

Every customer of demo/late_payment_demo.xml has a payment habit. Invoices go out roughly
every month over the last year, and each habit says when (and how much of) an invoice is
paid, relative to its due date. Dates are relative to the day the demo data is loaded, and
the random draws are seeded, so every demo database tells the same story.
"""

import random
from datetime import timedelta

from odoo import api, fields, models
from odoo.fields import Command

from ..models.lang import in_company_lang

# habit: (days paid relative to the due date (low, high), or None for "see _plan_payments";
#         invoice amounts before tax (low, high))
HABITS = {
    "boulangerie_martin": ("early", (-12, -4), (400, 1800)),
    "pharmacie_dubois": ("early", (-9, -2), (600, 2500)),
    "cabinet_lefevre": ("on_time", (-2, 1), (1500, 6000)),
    "garage_moreau": ("discount", None, (800, 3000)),
    "ecole_tilleuls": ("on_time", (-3, 2), (900, 2200)),
    "clinique_roux": ("instalments", None, (2000, 7000)),
    "hotel_parc": ("few_days", (2, 9), (1200, 4800)),
    "imprimerie_girard": ("few_days", (3, 14), (500, 2600)),
    "librairie_rousseau": ("chronic", (24, 62), (300, 1500)),
    "menuiserie_bernard": ("chronic", (30, 75), (1800, 5200)),
    "agence_lambert": ("chronic", (35, 90), (5000, 14000)),
    "restaurant_lyonnais": ("partial", None, (700, 2400)),
    "domaine_fontaine": ("disputed", (-1, 4), (1500, 3800)),
    "transports_petit": ("stopped", (0, 6), (2500, 6500)),
    "studio_mercier": ("new", None, (1200, 2400)),
    "brightwell_trading": ("few_days", (1, 8), (2000, 5000)),
    "julien_faure": ("few_days", (3, 12), (150, 600)),
    # a public buyer (legal category 7xxx): the public procurement rate, ECB + 8 fixed
    "cc_monts_dor": ("few_days", (5, 25), (2000, 8000)),
}
# Invoices younger than this stay unpaid: the chronic payers owe a lot today, and the
# customer that stopped paying has paid nothing for four months.
UNPAID_RECENT_DAYS = {"chronic": 75, "stopped": 130}
# The disputed invoice is the one closest to this age (days).
DISPUTED_AGE = 65
# Agence Lambert's penalty invoice is this many days old.
PENALTY_INVOICE_AGE = 30
# Garage Moreau's latest invoice is this many days old and still open: its early-payment
# discount (2 % within 7 days) lapses in 3 days, so today's run reminds it.
DISCOUNT_INVOICE_AGE = 4


class LatePaymentDemo(models.AbstractModel):
    _name = "late.payment.demo"
    _description = "Late payments: demo data generator"

    @api.model
    def _generate_in_company_lang(self, method):
        """Run the demo generator `method` as the demo company's people would: its notes, reasons
        and plans written in the company's language (the demo data loads as the superuser, in
        English: see models/lang.py)."""
        return getattr(in_company_lang(self, self.env.company), method)()

    @api.model
    def _generate(self):
        company = self.env.company
        today = fields.Date.context_today(self)
        rng = random.Random(20261125)
        products = self._demo_products()
        lang_fr = self.env["res.lang"]._lang_get("fr_FR")
        invoices = []
        plans = []
        for key, (habit, _window, amounts) in HABITS.items():
            partner = self.env.ref(f"account_late_payment.demo_partner_{key}")
            if lang_fr and partner.country_id.code == "FR":
                partner.lang = "fr_FR"
            for invoice_date in self._invoice_dates(habit, today, rng):
                amount = round(rng.uniform(*amounts), -1)
                invoices.append((invoice_date, partner, amount, rng.choice(products)))
        moves = self.env["account.move"].create([
            {
                "move_type": "out_invoice",
                "partner_id": partner.id,
                "invoice_date": invoice_date,
                "company_id": company.id,
                "invoice_line_ids": [Command.create({"product_id": product.id, "quantity": 1,
                                                     "price_unit": amount})],
            }
            for invoice_date, partner, amount, product in invoices
        ])
        for move in moves.sorted(lambda m: (m.invoice_date, m.id)):
            move.action_post()
        disputed = self._disputed_invoice(moves, today)
        keys = {partner.id: key for key in HABITS
                for partner in self.env.ref(f"account_late_payment.demo_partner_{key}")}
        for move in moves - disputed:
            plans.extend(self._plan_payments(move, HABITS[keys[move.partner_id.id]], today, rng))
        for pay_date, move, amount in sorted(plans, key=lambda p: (p[0], p[1].id)):
            self._pay(move, pay_date, amount)
        if disputed:
            disputes = self.env["late.payment.dispute"].browse(disputed.late_payment_dispute(
                self.env._("Not delivered or delivered damaged"),
                self.env._("The customer disputes this invoice: two cases of magnums were delivered broken.")))
            disputes.date_opened = min(disputed.invoice_date_due + timedelta(days=6), today)
        self._invoice_penalties(moves, today)
        self._open_discount_invoice(company, today, products)
        return True

    def _open_discount_invoice(self, company, today, products):
        """Garage Moreau, which takes the early-payment discount, received an invoice a few days
        ago: not paid yet, its discount still open."""
        partner = self.env.ref("account_late_payment.demo_partner_garage_moreau")
        move = self.env["account.move"].create({
            "move_type": "out_invoice",
            "partner_id": partner.id,
            "invoice_date": today - timedelta(days=DISCOUNT_INVOICE_AGE),
            "company_id": company.id,
            "invoice_line_ids": [Command.create({"product_id": products[:1].id, "quantity": 1, "price_unit": 1450.0})],
        })
        move.action_post()
        return move

    def _invoice_penalties(self, moves, today):
        """Agence Lambert Immobilier, a chronic late payer, got a penalty invoice a month ago:
        late interest up to that day and the recovery indemnity of each invoice paid late (the
        interest accrued since is still to invoice)."""
        partner = self.env.ref("account_late_payment.demo_partner_agence_lambert")
        late = moves.filtered(lambda m: m.partner_id == partner)
        return late._late_payment_invoice_penalties(today - timedelta(days=PENALTY_INVOICE_AGE), post=True)

    def _disputed_invoice(self, moves, today):
        """Domaine Fontaine disputes the delivery of about two months ago."""
        partner = self.env.ref("account_late_payment.demo_partner_domaine_fontaine")
        candidates = moves.filtered(lambda m: m.partner_id == partner)
        return candidates.sorted(lambda m: abs((today - m.invoice_date).days - DISPUTED_AGE))[:1]

    # -- what is invoiced ------------------------------------------------------------------
    def _demo_products(self):
        Product = self.env["product.product"]
        names = ("Conseil et audit", "Contrat de maintenance", "Installation et formation")
        products = Product.search([("name", "in", names), ("company_id", "in", (False, self.env.company.id))])
        missing = [n for n in names if n not in products.mapped("name")]
        if missing:
            products |= Product.create([{"name": n, "type": "service", "list_price": 100.0} for n in missing])
        return products

    @staticmethod
    def _invoice_dates(habit, today, rng):
        if habit == "new":
            return [today - timedelta(days=42), today - timedelta(days=12)]
        dates = []
        day = today - timedelta(days=360 - rng.randint(0, 10))
        while day < today - timedelta(days=3):
            dates.append(day)
            day += timedelta(days=rng.randint(26, 36))
        return dates

    # -- how it is paid --------------------------------------------------------------------
    @staticmethod
    def _plan_payments(move, habit_def, today, rng):
        """[(date, move, amount or None for the whole residual)] for the payments of `move`."""
        habit, window, _amounts = habit_def
        due = move.invoice_date_due
        age = (today - move.invoice_date).days
        total = move.amount_total
        plans = []
        if habit == "discount":
            # pays within the early-payment discount window, else on the due date
            lines = move.line_ids.filtered(lambda line: line.display_type == "payment_term")
            deadline = min((line.discount_date for line in lines if line.discount_date), default=due)
            plans.append((deadline - timedelta(days=rng.randint(0, 3)), move, None))
        elif habit == "instalments":
            # pays each instalment on its own due date
            lines = move.line_ids.filtered(lambda line: line.display_type == "payment_term")
            for line in lines.sorted("date_maturity"):
                plans.append((line.date_maturity + timedelta(days=rng.randint(-1, 2)), move, line.amount_currency))
        elif habit == "partial":
            # half about ten days late, the rest a month later
            half = move.currency_id.round(total / 2)
            plans.append((due + timedelta(days=rng.randint(6, 12)), move, half))
            plans.append((due + timedelta(days=rng.randint(35, 50)), move, None))
        elif habit == "new":
            return []
        elif age >= UNPAID_RECENT_DAYS.get(habit, 0):
            plans.append((due + timedelta(days=rng.randint(*window)), move, None))
        return [p for p in plans if p[0] < today]

    def _pay(self, move, pay_date, amount):
        if move.payment_state in ("paid", "in_payment", "blocked") or move.currency_id.is_zero(move.amount_residual):
            return
        vals = {"payment_date": pay_date}
        if amount is not None and move.currency_id.compare_amounts(amount, move.amount_residual) < 0:
            vals["amount"] = amount
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=move.ids,
        ).create(vals)._create_payments()
