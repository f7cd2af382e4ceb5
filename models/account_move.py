from collections import defaultdict
from contextvars import ContextVar
from dataclasses import replace
from decimal import Decimal

import psycopg2.errors
from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, ConcurrencyError, UserError
from odoo.fields import Command, Domain
from odoo.tools import SQL, format_date, formatLang
from odoo.tools.sql import column_exists, create_column

from ..engine import identifiers, interest, mentions, payment_terms, penalties
from .access import check_records

# Set while Odoo's auto-post scheduled action posts the entries due (`_autopost_draft_entries`,
# not callable over RPC): the credit guard lets them pass. Nothing a client sends (a context key
# such as cron_id, the invoice's own auto_post setting) can set it.
_AUTOPOSTING = ContextVar("late_payment_autoposting", default=False)

# a change of these fields on an entry changes its customer's follow-up state
FOLLOWUP_TRIGGERS = {"state", "payment_state", "no_followup", "partner_id"}

INVOICE_STATUSES = [
    ("none", "Nothing to follow up"),
    ("planned", "Reminder planned"),
    ("due", "Action due"),
    ("excluded", "Excluded"),
    ("disputed", "Disputed"),
    ("collection", "In collection"),
]

# Customer documents whose receivable lines may be late. Credit notes are customer documents
# too (they come out with no penalty); anything else is refused.
LATE_TYPES = ("out_invoice", "out_receipt")
CUSTOMER_TYPES = ("out_invoice", "out_receipt", "out_refund")


def _periods_as_values(result):
    """The interest periods of an engine result as plain values (ISO dates, numbers)."""
    return [
        {
            "date_from": fields.Date.to_string(period.date_from),
            "date_to": fields.Date.to_string(period.date_to),
            "days": period.days,
            "base": float(period.base),
            "rate": float(period.rate),
            "amount": float(share),
            "line_id": period.line,
        }
        for period, share in zip(result.periods, result.shares, strict=True)
    ]


class AccountMove(models.Model):
    _inherit = "account.move"

    late_payment_level_id = fields.Many2one(
        "late.payment.level", string="Follow-up level", compute="_compute_late_payment_level", store=True,
        help="The highest follow-up level reached by the invoice's instalments.")
    late_payment_level_date = fields.Date(
        string="Follow-up level reached on", compute="_compute_late_payment_level", store=True)
    late_payment_exclusion_reason = fields.Char(
        string="Left out because", compute="_compute_late_payment_exclusion_reason",
        help="Why this invoice is left out of the follow-up (set from the follow-up console).")
    late_payment_excluded = fields.Boolean(
        string="Left out of the follow-up", compute="_compute_late_payment_excluded", store=True,
        help="No reminder for this invoice: excluded from the follow-up, or its payment is blocked.")
    late_payment_next_level_id = fields.Many2one(
        "late.payment.level", string="Next follow-up level", compute="_compute_late_payment_next")
    late_payment_next_action_date = fields.Date(
        string="Next follow-up action", compute="_compute_late_payment_next")
    late_payment_status = fields.Selection(
        INVOICE_STATUSES, string="Follow-up status", compute="_compute_late_payment_next")

    late_payment_days_late = fields.Integer(
        string="Days late", compute="_compute_late_payment_penalties",
        help="Days from the due date (of the earliest instalment paid late) to the payment, or to today while unpaid.")
    late_payment_interest = fields.Monetary(
        string="Late interest to date", compute="_compute_late_payment_penalties", currency_field="currency_id",
        help="Late-payment interest accrued to today, in the invoice currency.")
    late_payment_indemnity = fields.Monetary(
        string="Recovery indemnity", compute="_compute_late_payment_penalties", currency_field="currency_id",
        help="The fixed indemnity for recovery costs this invoice is liable to, in the invoice currency.")

    late_payment_penalty_to_invoice = fields.Monetary(
        string="Penalties to invoice", compute="_compute_late_payment_penalties", currency_field="currency_id",
        help="The late interest and recovery indemnity accrued to today that no penalty invoice bears yet.")
    late_payment_is_penalty = fields.Boolean(
        string="Penalty invoice", readonly=True, copy=False,
        help="An invoice of late-payment penalties: it bears no penalties itself.")
    late_payment_penalty_line_ids = fields.One2many(
        "late.payment.penalty.line", "penalty_move_id", string="Penalties invoiced here", readonly=True)
    late_payment_source_penalty_ids = fields.One2many(
        "late.payment.penalty.line", "source_move_id", string="Invoiced penalties", readonly=True)
    late_payment_dispute_ids = fields.One2many(
        "late.payment.dispute", "move_id", string="Disputes", readonly=True)
    late_payment_disputed = fields.Boolean(
        string="Disputed", compute="_compute_late_payment_disputed", store=True,
        help="The customer disputes this invoice: it is left out of the follow-up until the dispute is resolved.")
    late_payment_over_invoiced = fields.Monetary(
        string="Interest over-invoiced", compute="_compute_late_payment_over_invoiced", currency_field="currency_id",
        help="On a penalty invoice: the late interest it claims beyond what its days bear now (a payment dated "
             "before its periods was entered after it), less the credit notes already issued on it.")
    late_payment_has_waived_penalties = fields.Boolean(
        string="Waived penalties", compute="_compute_late_payment_over_invoiced",
        help="A penalty invoice credited in full: its days are waived, not invoiced again.")
    late_payment_penalties_waived = fields.Boolean(
        string="Penalties waived", readonly=True, copy=False,
        help="No late interest and no recovery indemnity on this invoice (a payment plan kept).")
    late_payment_term_warning = fields.Char(
        string="Payment term beyond the legal maximum", compute="_compute_late_payment_term_warning",
        help="Set when a due date of this invoice to a French professional customer is later than French law "
             "allows (60 days after the invoice date, or 45 days end of month).")

    def _auto_init(self):
        # on install, no line has reached a level yet: set the stored state in SQL rather than
        # computing it for every entry of the database
        if not column_exists(self.env.cr, "account_move", "late_payment_excluded"):
            create_column(self.env.cr, "account_move", "late_payment_level_id", "int4")
            create_column(self.env.cr, "account_move", "late_payment_level_date", "date")
            create_column(self.env.cr, "account_move", "late_payment_excluded", "bool")
            self.env.cr.execute(SQL("""
                UPDATE account_move move SET late_payment_excluded = TRUE
                 WHERE move.move_type IN ('out_invoice', 'out_refund', 'out_receipt')
                   AND (move.payment_state = 'blocked' OR EXISTS (
                        SELECT 1 FROM account_move_line line
                          JOIN account_account account ON account.id = line.account_id
                         WHERE line.move_id = move.id AND line.no_followup
                           AND account.account_type IN ('asset_receivable', 'liability_payable')))
            """))
        if not column_exists(self.env.cr, "account_move", "late_payment_disputed"):
            create_column(self.env.cr, "account_move", "late_payment_disputed", "bool")
        return super()._auto_init()

    @api.depends("line_ids.late_payment_level_id", "line_ids.late_payment_level_date")
    def _compute_late_payment_level(self):
        for move in self:
            reached = move.line_ids.filtered("late_payment_level_id")
            best = max(reached, default=None, key=lambda line: (
                line.late_payment_level_id.sequence, line.late_payment_level_id.days,
                line.late_payment_level_date or fields.Date.to_date("1900-01-01")))
            move.late_payment_level_id = best.late_payment_level_id if best else False
            move.late_payment_level_date = best.late_payment_level_date if best else False

    @api.depends("line_ids.late_payment_exclusion_reason")
    def _compute_late_payment_exclusion_reason(self):
        for move in self:
            reasons = move.line_ids.filtered("late_payment_exclusion_reason").mapped("late_payment_exclusion_reason")
            move.late_payment_exclusion_reason = "; ".join(dict.fromkeys(reasons)) or False

    @api.depends("late_payment_dispute_ids.state")
    def _compute_late_payment_disputed(self):
        for move in self:
            move.late_payment_disputed = any(d.state == "open" for d in move.late_payment_dispute_ids)

    @api.depends("payment_state", "line_ids.no_followup", "move_type", "late_payment_disputed")
    def _compute_late_payment_excluded(self):
        for move in self:
            move.late_payment_excluded = move.is_sale_document(include_receipts=True) and (
                move.payment_state == "blocked" or move.no_followup or move.late_payment_disputed)

    @api.depends_context("company")
    @api.depends("line_ids.late_payment_next_date", "line_ids.late_payment_next_level_id", "late_payment_excluded",
                 "state", "amount_residual", "late_payment_level_id")
    def _compute_late_payment_next(self):
        today = fields.Date.context_today(self)
        # the next reminder is the customer's (its dossier's): the invoice shows it when it is listed in it
        dossiers = self.env["late.payment.dossier"].sudo().search_fetch([
            ("partner_id", "in", self.commercial_partner_id.ids), ("company_id", "in", self.company_id.ids),
        ], ["partner_id", "company_id", "next_level_id", "next_action_date"]) if self.ids else []
        by_key = {(dossier.partner_id.id, dossier.company_id.id): dossier for dossier in dossiers}
        for move in self:
            planned = move.line_ids.filtered(lambda line: line.late_payment_next_date and not line.reconciled)
            dossier = by_key.get((move.commercial_partner_id.id, move.company_id.id))
            first = planned[:1] if planned and dossier and dossier.next_action_date else None
            move.late_payment_next_action_date = dossier.next_action_date if first else False
            move.late_payment_next_level_id = dossier.next_level_id.sudo(False) if first else False
            if move.late_payment_excluded:
                status = "disputed" if move.payment_state == "blocked" or move.late_payment_disputed else "excluded"
            elif move.state != "posted" or move.currency_id.is_zero(move.amount_residual):
                status = "none"
            elif move.late_payment_level_id.is_escalation:
                status = "collection"
            elif first:
                status = "due" if dossier.next_action_date <= today else "planned"
            else:
                status = "none"
            move.late_payment_status = status

    def write(self, vals):
        result = super().write(vals)
        if FOLLOWUP_TRIGGERS & set(vals):
            self.env["late.payment.dossier"]._late_payment_mark_dirty(self.line_ids)
        return result

    @api.depends_context("company")
    def _compute_late_payment_penalties(self):
        moves = self.filtered(lambda m: m.id and m.state == "posted" and m.move_type in LATE_TYPES)
        results = moves._late_payment_compute(fields.Date.context_today(self)) if moves else {}
        for move in self:
            result = results.get(move.id) or {}
            move.late_payment_days_late = result.get("days_late", 0)
            move.late_payment_interest = result.get("interest", 0.0)
            move.late_payment_indemnity = result.get("indemnity", 0.0)
            move.late_payment_penalty_to_invoice = (
                result.get("interest_to_invoice", 0.0) + result.get("indemnity_to_invoice", 0.0))

    # -- the one place penalties come from -------------------------------------------------
    def late_payment_penalties(self, at_date=None):
        """Late-payment penalties of each invoice of `self` at `at_date` (an ISO date string,
        default today), as a list of dicts, in the order of `self`:

        ``id``, ``name``, ``currency`` (ISO code), ``due_date`` (ISO date), ``amount_residual``
        (still unpaid at `at_date`), ``days_late``, ``interest`` (accrued up to `at_date`),
        ``indemnity`` (the fixed recovery indemnity), ``already_invoiced`` (the part of these
        penalties already invoiced to the customer) and ``periods``: the ``{date_from, date_to,
        days, base, rate, amount, line_id}`` the interest is made of (the period amounts are
        the interest, rounded once for the invoice, shared so that they add up to it). What no
        penalty invoice bears yet: ``interest_to_invoice`` (the days not invoiced yet, rounded
        once), ``indemnity_to_invoice`` and ``periods_to_invoice`` (as ``periods``). Amounts are
        in the invoice currency. ``proceedings_date`` (ISO date), only for an invoice dated before
        collective proceedings opened against its customer: its interest stops the day before.

        The rule of the customer applies: professional, consumer (from the formal notice),
        public buyer, in collective proceedings (see engine/interest.py). A rate the computation
        needs and the rate table lacks raises a UserError saying which and where to enter it.
        """
        api_model = self.env["late.payment.api"]
        api_model._late_payment_check_caller(group=None)
        day = self.env["late.payment.api"]._late_payment_check_date(at_date)
        api_model._late_payment_check_records(self)
        wrong = self.filtered(lambda m: m.move_type not in CUSTOMER_TYPES)
        if wrong:
            raise UserError(self.env._(
                "Late-payment penalties apply to customer invoices only, not to: %(moves)s.",
                moves=", ".join(wrong.mapped("display_name"))))
        results = self._late_payment_compute(day)
        missing = [r for r in results.values() if r.get("missing_rate")]
        if missing:
            raise UserError(missing[0]["missing_rate_message"])
        return [results[move.id] for move in self]

    def _late_payment_ensure_access_tokens(self):
        """Give these invoices their portal access token when they have none, in one query: their
        payment links go in the reminders. (portal.mixin._portal_ensure_token does it one invoice
        at a time, through the invoice's whole write.)"""
        missing = self.filtered(lambda move: not move.access_token)
        if not missing:
            return
        missing.flush_recordset(["access_token"])
        self.env.cr.execute(SQL(
            "UPDATE account_move SET access_token = gen_random_uuid()::text "
            "WHERE id = ANY(%s) AND access_token IS NULL", missing.ids))
        missing.invalidate_recordset(["access_token"])

    def _late_payment_invoiced_penalties(self):
        """``{move id: amount}``: the penalties (interest and indemnity, in the invoice
        currency) already invoiced to the customer for each invoice of `self`: the live rows of
        the ledger (penalty invoices neither cancelled nor fully credited)."""
        ledger = self._late_payment_ledger()
        return {move_id: ledger[move_id]["amount"] if move_id in ledger else 0.0 for move_id in self.ids}

    def _late_payment_ledger(self):
        """``{move id: {'amount', 'ranges': {receivable line id: [(date_from, date_to)]},
        'indemnity': bool}}``: what the live penalty invoices already bear for each invoice; the
        days and indemnities waived (penalty invoices credited in full) are taken, at no amount."""
        ledger = {}
        if not self.ids:
            return ledger
        rows = self.env["late.payment.penalty.line"].sudo().search_fetch(
            Domain("source_move_id", "in", self.ids) & Domain("state", "!=", "cancel"),
            ["source_move_id", "source_line_id", "kind", "date_from", "date_to", "amount", "state"])
        for row in rows:
            entry = ledger.setdefault(row.source_move_id.id, {"amount": 0.0, "ranges": defaultdict(list),
                                                              "indemnity": False})
            if row.state != "waived":  # a waiver takes its days, but nothing is invoiced
                entry["amount"] += row.amount
            if row.kind == "indemnity":
                entry["indemnity"] = True
            else:
                entry["ranges"][row.source_line_id.id].append((row.date_from, row.date_to))
        return ledger

    def _late_payment_compute(self, day, engine_periods=None):
        """``{move id: result dict}`` (see late_payment_penalties) for `self` at `day`, in batch.
        A missing rate gives zero interest, the half-year in ``missing_rate`` and what to do in
        ``missing_rate_message``: never a silent figure. `engine_periods`, a dict, receives the
        exact engine periods of each invoice (``{move id: [interest.Period]}``).

        Which rule applies (engine/interest.py holds them): a consumer owes the legal rate (or the
        company's consumer penalty rate) from the formal notice and never the indemnity; a public
        buyer of a French company the public procurement rate; anyone else the company's rate. For
        an invoice dated before the opening of collective proceedings against its customer, interest
        stops the day before the judgment, and no indemnity is owed if it fell due on or after it."""
        moves = self.filtered(lambda m: m.id)
        receivables = moves._late_payment_receivables()
        moves._late_payment_exclude_disputed_days(receivables)
        ledger = moves._late_payment_ledger()
        notices = None
        eur = self.env.ref("base.EUR")
        rate_cache = {}
        schedules = {}
        results = {}
        for move in moves:
            currency = move.currency_id
            digits = currency.decimal_places
            lines = receivables.get(move.id, [])
            company = move.company_id
            partner = move.commercial_partner_id.with_company(company)
            professional = identifiers.is_professional(partner.is_company, partner.vat, partner.company_registry)
            # a penalty invoice bears no penalties of its own
            waived = (partner.late_payment_waive_penalties or move.late_payment_is_penalty
                      or move.late_payment_penalties_waived)
            public = professional and partner.late_payment_public_buyer and company._late_payment_is_french()
            regime = "consumer" if not professional else "public" if public else "company"
            if (company.id, regime) not in schedules:
                schedules[company.id, regime] = (
                    company._late_payment_consumer_schedule(rate_cache) if regime == "consumer"
                    else company._late_payment_public_schedule(rate_cache) if regime == "public"
                    else company._late_payment_rate_schedule(rate_cache))
            schedule = schedules[company.id, regime]
            if waived or not (professional or company.late_payment_interest_consumers):
                schedule = interest.RateSchedule(interest.NONE)
            elif not professional:
                # a consumer owes interest from the formal notice only
                if notices is None:
                    notices = moves._late_payment_formal_notice_dates()
                lines = [interest.after_notice(line, notices.get(line.line)) for line in lines]
            opened = move._late_payment_proceedings_opened()
            missing = None
            try:
                computed = interest.invoice_interest(lines, day, schedule, company.late_payment_day_count, digits,
                                                     proceedings_opened=opened)
            except interest.MissingRateError as error:
                missing = error
                computed = interest.invoice_interest(lines, day, interest.RateSchedule(interest.NONE),
                                                     company.late_payment_day_count, digits)
            indemnity = Decimal(0)
            if (computed.first_late_day and professional and not waived and company.late_payment_indemnity_amount
                    and interest.indemnity_owed(computed.first_late_day - interest.ONE_DAY, opened)):
                conversion = 1.0 if currency == eur else eur._get_conversion_rate(
                    eur, currency, company, computed.first_late_day)
                indemnity = interest.indemnity(company.late_payment_indemnity_amount, conversion, digits)
            if engine_periods is not None:
                engine_periods[move.id] = computed.periods
            invoiced_before = ledger.get(move.id) or {}
            left = penalties.to_invoice(computed.periods, invoiced_before.get("ranges") or {}, indemnity,
                                        invoiced_before.get("indemnity", False), digits)
            results[move.id] = {
                "id": move.id,
                "name": move.name,
                "currency": currency.name,
                "due_date": fields.Date.to_string(move.invoice_date_due) if move.invoice_date_due else False,
                "amount_residual": float(computed.outstanding),
                "days_late": computed.days_late,
                "interest": float(computed.interest),
                "indemnity": float(indemnity),
                "already_invoiced": currency.round(ledger[move.id]["amount"]) if move.id in ledger else 0.0,
                "periods": _periods_as_values(computed),
                "interest_to_invoice": float(left.interest),
                "indemnity_to_invoice": float(left.indemnity),
                "periods_to_invoice": _periods_as_values(left),
            }
            if opened:
                results[move.id]["proceedings_date"] = fields.Date.to_string(opened)
            if missing:
                results[move.id].update({
                    "missing_rate": fields.Date.to_string(missing.half_year),
                    "missing_rate_kind": missing.kind,
                    "missing_rate_message": move._late_payment_missing_rate_message(missing),
                })
        return results

    @api.depends_context("company")
    @api.depends("late_payment_is_penalty", "state", "payment_state")
    def _compute_late_payment_over_invoiced(self):
        penalties_moves = self.filtered(lambda m: m.id and m.late_payment_is_penalty and m.state == "posted")
        excess = penalties_moves._late_payment_over_invoiced_amounts() if penalties_moves else {}
        for move in self:
            move.late_payment_over_invoiced = excess.get(move.id, 0.0)
            move.late_payment_has_waived_penalties = move in penalties_moves and any(
                row.state == "waived" for row in move.sudo().late_payment_penalty_line_ids)

    def _late_payment_over_invoiced_amounts(self):
        """``{penalty invoice id: amount}``: the interest each posted penalty invoice of `self`
        claims beyond what its days bear today, less its credit notes (never below zero)."""
        rows = self.env["late.payment.penalty.line"].sudo().search_fetch(
            Domain("penalty_move_id", "in", self.ids) & Domain("kind", "=", "interest")
            & Domain("state", "=", "posted"),
            ["penalty_move_id", "source_move_id", "source_line_id", "date_from", "date_to", "amount"])
        if not rows:
            return {}
        periods = {}
        rows.source_move_id.sudo()._late_payment_compute(fields.Date.context_today(self), engine_periods=periods)
        result = {}
        for penalty, penalty_rows in rows.grouped("penalty_move_id").items():
            digits = penalty.currency_id.decimal_places
            total = Decimal(0)
            for source, source_rows in penalty_rows.grouped("source_move_id").items():
                total += penalties.over_invoiced(periods.get(source.id, []), [
                    (row.source_line_id.id, row.date_from, row.date_to, self._late_payment_decimal(
                        row.amount, penalty.currency_id)) for row in source_rows], digits)
            credited = sum(penalty.reversal_move_ids.filtered(lambda m: m.state != "cancel").mapped("amount_total"))
            result[penalty.id] = max(float(total) - credited, 0.0)
        return result

    def action_late_payment_credit_over_invoiced(self):
        """A draft credit note of the interest this penalty invoice over-invoiced."""
        self.ensure_one()
        self._late_payment_check_api_caller()
        amount = self.late_payment_over_invoiced
        if not self.late_payment_is_penalty or self.currency_id.is_zero(amount):
            raise UserError(self.env._("%(invoice)s claims no more interest than is due.", invoice=self.name))
        company = self.company_id
        lang = self.partner_id.lang or self.env.lang
        env = self.with_context(lang=lang).env
        product = company._late_payment_penalty_product("interest").with_context(lang=lang)
        line_values = self._late_payment_penalty_line_values(
            "interest", product, amount, env._(
                "Late interest over-invoiced on %(invoice)s: a payment dated before its periods was entered after it",
                invoice=self.name), company, self.fiscal_position_id)
        credit_note = self.env["account.move"].with_company(company).create({
            "move_type": "out_refund",
            "company_id": company.id,
            "partner_id": self.partner_id.id,
            "currency_id": self.currency_id.id,
            "fiscal_position_id": self.fiscal_position_id.id,
            "reversed_entry_id": self.id,
            "ref": env._("Over-invoiced interest of %(invoice)s", invoice=self.name),
            "invoice_line_ids": [Command.create(line_values)],
        })
        return {
            "type": "ir.actions.act_window", "res_model": "account.move", "res_id": credit_note.id,
            "view_mode": "form", "views": [(False, "form")],
        }

    def action_late_payment_free_waived_penalties(self):
        """Free the days waived by crediting these penalty invoices in full: the next penalty
        invoice may claim them again. Late payments Administrators only."""
        if not self.env.su and not self.env.user.has_group("account_late_payment.group_late_payment_admin"):
            raise AccessError(self.env._("Only a Late payments Administrator can free waived penalties."))
        self._late_payment_check_api_caller()
        check_records(self, "write")
        # sudo (access checked above): the penalty ledger is written by the addon only
        rows = self.sudo().late_payment_penalty_line_ids.filtered(lambda row: row.state == "waived")
        if not rows:
            raise UserError(self.env._("These penalty invoices have no waived penalties to free."))
        rows.write({"freed": True})
        for move in rows.penalty_move_id:
            move._message_log(body=Markup("<p>%s</p>") % self.env._(
                "%(user)s freed the waived penalties of this credited invoice: they can be invoiced again.",
                user=self.env.user.name))
        return True

    def _late_payment_proceedings_opened(self):
        """The day collective proceedings opened against the customer of this invoice when the
        invoice is dated before it (a claim to declare, whose interest stops), else None. An
        invoice dated on or after the judgment is a later claim, paid at its due date."""
        self.ensure_one()
        opened = self.commercial_partner_id.late_payment_proceedings_date
        if opened and (self.invoice_date or self.date) < opened:
            return opened
        return None

    def _late_payment_missing_rate_message(self, error):
        """What to do about the rate an engine MissingRateError says is missing, for this invoice."""
        self.ensure_one()
        half_year = format_date(self.env, error.half_year)
        if error.kind == interest.LEGAL_RATE:
            return self.env._(
                "The French legal interest rate (all other cases) of the half-year starting %(date)s is not in the "
                "rate table (invoice %(invoice)s): a contractual rate cannot be checked against its legal floor, "
                "nor a consumer's interest computed. Enter it in Invoicing > Configuration > Late payments > "
                "Reference rates as soon as the arrêté is published in the Journal officiel (late June or late "
                "December).", date=half_year, invoice=self.name)
        return self.env._(
            "No reference rate is known for the half-year starting %(date)s (invoice %(invoice)s). Enter it in "
            "Invoicing > Configuration > Late payments > Reference rates.", date=half_year, invoice=self.name)

    def _late_payment_formal_notice_dates(self):
        """``{receivable line id: date}``: the day the first formal notice naming each receivable
        line of `self` went to the customer (a reminder at a formal-notice level that did not fail)."""
        rows = self.env["late.payment.reminder.line"].sudo().search_fetch(
            Domain("move_id", "in", self.ids) & Domain("level_id.is_formal_notice", "=", True)
            & Domain("reminder_id.result", "!=", "failed"), ["move_line_id", "date"], order="date, id")
        notices = {}
        for row in rows:
            notices.setdefault(row.move_line_id.id, row.date)
        return notices

    def _late_payment_exclude_disputed_days(self, receivables):
        """The days an invoice was disputed bear no interest, in the companies that say so:
        set them on its receivables (``{move id: [engine Receivable]}``, changed in place)."""
        moves = self.filtered(lambda m: m.company_id.late_payment_dispute_stops_interest and m.id in receivables)
        if not moves:
            return
        periods = self.env["late.payment.dispute"].sudo()._late_payment_excluded_periods(moves)
        for move_id, excluded in periods.items():
            receivables[move_id] = [replace(r, excluded=excluded) for r in receivables[move_id]]

    # -- settlement: disputes (the one way in: screens and API) --------------------------------
    def late_payment_dispute(self, reason, note=None):
        """Dispute these invoices with `reason` (short text) and an optional note; returns the
        ids of the disputes created. They leave the follow-up until resolved."""
        self._late_payment_check_api_caller()
        return self.env["late.payment.dispute"]._late_payment_open(self, reason, note).ids

    def late_payment_resolve_dispute(self):
        """Resolve the open disputes of these invoices: they are followed up again from where
        they were."""
        self._late_payment_check_api_caller()
        if not self:
            raise UserError(self.env._("Choose the invoices whose dispute is resolved."))
        disputes = self.late_payment_dispute_ids.filtered(lambda d: d.state == "open")
        undisputed = self - disputes.move_id
        if undisputed:
            raise UserError(self.env._("These invoices are not disputed: %(moves)s.",
                                       moves=", ".join(undisputed.mapped("display_name"))))
        disputes.action_resolve()
        return True

    def _late_payment_check_api_caller(self):
        """The same checks as every public method of the external API: a late payment user, and
        invoices that exist and that the caller sees (another company's do not exist for it)."""
        api_model = self.env["late.payment.api"]
        api_model._late_payment_check_caller()
        api_model._late_payment_check_records(self)

    def action_late_payment_dispute(self):
        self._late_payment_check_api_caller()
        check_records(self, "read")
        return self.env["late.payment.dispute.wizard"]._late_payment_action({"default_move_ids": self.ids})

    def action_late_payment_resolve_dispute(self):
        return self.late_payment_resolve_dispute()

    def _late_payment_receivables(self):
        """``{move id: [engine Receivable]}``: the receivable lines of the posted customer
        invoices of `self` (each with its own due date), in the invoice currency, with what
        reduced each of them and when: payments, credit notes and any other entry reconciled
        with it (on the date of the later of the two), and payments matched to the invoice
        without a journal entry (on their date, the earliest instalment first)."""
        moves = self.filtered(lambda m: m.state == "posted" and m.move_type in LATE_TYPES
                              and m.payment_state != "reversed")
        if not moves:
            return {}
        lines = self.env["account.move.line"].search_fetch(
            Domain("move_id", "in", moves.ids) & Domain("display_type", "=", "payment_term")
            & Domain("account_type", "=", "asset_receivable"),
            ["move_id", "date_maturity", "amount_currency", "currency_id"], order="date_maturity, id")
        lines = lines.filtered(lambda line: line.amount_currency > 0)
        partials = self.env["account.partial.reconcile"].search_fetch(
            Domain("debit_move_id", "in", lines.ids), ["debit_move_id", "debit_amount_currency", "max_date"])
        reductions = defaultdict(list)
        for partial in partials:
            line = partial.debit_move_id
            reductions[line.id].append((partial.max_date, self._late_payment_decimal(
                partial.debit_amount_currency, line.currency_id)))
        result = defaultdict(list)
        for line in lines:
            result[line.move_id.id].append(interest.Receivable(
                line.date_maturity or line.move_id.invoice_date_due or line.move_id.date,
                self._late_payment_decimal(line.amount_currency, line.currency_id),
                tuple(reductions[line.id]), line.id))
        for move in moves:
            unposted = move.matched_payment_ids.filtered(
                lambda p: not p.move_id and p.state in ("in_process", "paid"))
            if unposted and result.get(move.id):
                extra = [(payment.date, self._late_payment_decimal(
                    payment.currency_id._convert(payment.amount, move.currency_id, move.company_id, payment.date),
                    move.currency_id)) for payment in unposted]
                result[move.id] = interest.allocate_oldest_first(result[move.id], extra)
        return result

    @api.model
    def _late_payment_decimal(self, amount, currency):
        return Decimal(str(currency.round(amount) if currency else amount))

    # -- penalty invoices ----------------------------------------------------------------------
    def _late_payment_invoice_penalties(self, at_date=None, post=False, skip_problems=False):
        """Invoice the late-payment penalties of the invoices of `self` accrued up to `at_date`
        (default today) that no penalty invoice bears yet: one customer invoice per customer,
        company and currency, with a line of late interest per late invoice (its periods in the
        label) and a line per recovery indemnity, on the products and income accounts of the
        settings. The ledger (late.payment.penalty.line) records each invoiced period and
        indemnity; the database refuses to record the same days or the same indemnity twice,
        so that two users (or a user and the daily run) invoicing at once never invoice twice:
        the second one is retried and finds what the first invoiced.

        Refused (UserError) for an invoice dated before collective proceedings opened against its
        customer (its penalties are declared to the court-appointed representative, not invoiced)
        and while a rate they need is missing. With `skip_problems` (the follow-up levels of the
        daily run) such invoices are left out instead, each with a note in its chatter saying why.

        Returns the penalty invoices (draft, or posted with `post`); empty when there is
        nothing to invoice. The wizard, the follow-up levels and the daily run call this."""
        day = self.env["late.payment.api"]._late_payment_check_date(at_date)
        if day > fields.Date.context_today(self):
            raise UserError(self.env._("Penalties can be invoiced up to today at the latest, not up to %(date)s.",
                                       date=format_date(self.env, day)))
        moves = self.filtered(lambda m: m.state == "posted" and m.move_type in LATE_TYPES
                              and not m.late_payment_is_penalty)
        if not moves:
            return self.browse()
        # one penalty run at a time per late invoice: a second one waits here for the first
        self.env.cr.execute(SQL(
            "SELECT id FROM account_move WHERE id IN %s ORDER BY id FOR NO KEY UPDATE", tuple(moves.ids)))
        moves = moves._late_payment_penalty_problems(day, skip_problems)
        if not moves:
            return self.browse()
        results = {r["id"]: r for r in moves.late_payment_penalties(day)}
        groups = defaultdict(self.browse)
        for move in moves.sorted(lambda m: (m.invoice_date_due or m.date, m.id)):
            result = results[move.id]
            if result["interest_to_invoice"] or result["indemnity_to_invoice"]:
                groups[move.company_id, move.commercial_partner_id, move.currency_id] |= move
        invoices = self.browse()
        for (company, partner, currency), sources in groups.items():
            invoices |= sources.with_company(company)._late_payment_create_penalty_invoice(
                partner, currency, day, results)
        if post and invoices:
            invoices.action_post()
        return invoices

    def _late_payment_penalty_problems(self, day, skip):
        """The invoices of `self` whose penalties may be invoiced at `day`. One dated before
        collective proceedings opened against its customer, or whose penalties need a rate the
        table lacks, raises a UserError; with `skip` it is left out and its chatter says why."""
        problems = {}
        for move in self:
            opened = move._late_payment_proceedings_opened()
            if opened and opened <= day:
                problems[move] = self.env._(
                    "The penalties of %(invoice)s are not invoiced: collective proceedings opened against "
                    "%(customer)s on %(date)s. Declare the claim (the invoice, its interest up to the day before the "
                    "judgment and, if due before it, the recovery indemnity) to the court-appointed representative "
                    "within two months of the BODACC publication; the collection dossier lists the amounts.",
                    invoice=move.name, customer=move.commercial_partner_id.name, date=format_date(self.env, opened))
        computed = (self - self.browse([m.id for m in problems]))._late_payment_compute(day)
        for move in self:
            if move not in problems and computed.get(move.id, {}).get("missing_rate"):
                problems[move] = computed[move.id]["missing_rate_message"]
        if not problems:
            return self
        if not skip:
            raise UserError("\n".join(problems.values()))
        for move, message in problems.items():
            move.sudo()._message_log(body=Markup("<p>%s</p>") % message)
        return self - self.browse([m.id for m in problems])

    @api.model
    def _late_payment_penalty_candidates(self, partners, day=None):
        """The posted invoices of the customers `partners` (their commercial partners) in the
        current company with an instalment due before `day` (default today): the ones that may
        have penalties to invoice."""
        day = self.env["late.payment.api"]._late_payment_check_date(day)
        lines = self.env["account.move.line"].search_fetch(
            Domain("company_id", "=", self.env.company.id) & Domain("parent_state", "=", "posted")
            & Domain("move_id.move_type", "in", LATE_TYPES)
            & Domain("move_id.commercial_partner_id", "in", partners.commercial_partner_id.ids)
            & Domain("move_id.late_payment_is_penalty", "=", False)
            & Domain("display_type", "=", "payment_term") & Domain("date_maturity", "<", day),
            ["move_id"])
        return lines.move_id

    def _late_payment_create_penalty_invoice(self, partner, currency, day, results):
        """One penalty invoice to `partner` in `currency` for the late invoices `self` (one
        company), with its ledger rows; `results` are their late_payment_penalties."""
        company = self.company_id
        lang = partner.lang or self.env.lang
        env = self.with_context(lang=lang).env
        interest_product = company._late_payment_penalty_product("interest").with_context(lang=lang)
        indemnity_product = company._late_payment_penalty_product("indemnity").with_context(lang=lang)
        fiscal_position = self.env["account.fiscal.position"].with_company(company)._get_fiscal_position(partner)
        plan = []  # (invoice line values, [ledger row values])
        for move in self:
            result = results[move.id]
            due = format_date(env, move.invoice_date_due) if move.invoice_date_due else ""
            if result["interest_to_invoice"]:
                rows = [{
                    "kind": "interest", "source_move_id": move.id, "source_line_id": period["line_id"],
                    "date_from": period["date_from"], "date_to": period["date_to"], "days": period["days"],
                    "base": period["base"], "rate": period["rate"], "amount": period["amount"],
                } for period in result["periods_to_invoice"]]
                plan.append((self._late_payment_penalty_line_values(
                    "interest", interest_product, result["interest_to_invoice"],
                    move._late_payment_interest_label(env, result["periods_to_invoice"], due),
                    company, fiscal_position), rows))
            if result["indemnity_to_invoice"]:
                label = env._("Fixed indemnity for recovery costs, invoice %(invoice)s due %(due)s",
                              invoice=move.name, due=due)
                plan.append((self._late_payment_penalty_line_values(
                    "indemnity", indemnity_product, result["indemnity_to_invoice"], label, company,
                    fiscal_position), [{"kind": "indemnity", "source_move_id": move.id,
                                        "amount": result["indemnity_to_invoice"]}]))
        invoice = self.env["account.move"].with_company(company).create({
            "move_type": "out_invoice",
            "company_id": company.id,
            "partner_id": partner.id,
            "currency_id": currency.id,
            "invoice_date": day,
            "invoice_payment_term_id": False,
            "invoice_date_due": day,
            "fiscal_position_id": fiscal_position.id,
            "late_payment_is_penalty": True,
            "ref": env._("Late-payment penalties up to %(date)s", date=format_date(env, day)),
            "invoice_origin": ", ".join(self.mapped("name"))[:500],
            "invoice_line_ids": [Command.create(line_values) for line_values, _rows in plan],
        })
        ledger_rows = []
        for (_line_values, rows), line in zip(plan, invoice.invoice_line_ids.sorted("id"), strict=True):
            ledger_rows.extend(dict(row, penalty_move_id=invoice.id, penalty_line_id=line.id) for row in rows)
        try:
            with self.env.cr.savepoint():
                self.env["late.payment.penalty.line"].sudo().create(ledger_rows)
        except (psycopg2.errors.ExclusionViolation, psycopg2.errors.UniqueViolation) as error:
            # another transaction invoiced some of these penalties since this one began: retried,
            # the request finds them invoiced
            raise ConcurrencyError(self.env._(
                "The penalties of %(invoices)s were invoiced by someone else in the meantime.",
                invoices=", ".join(self.mapped("name")))) from error
        return invoice

    @api.model
    def _late_payment_penalty_line_values(self, kind, product, amount, label, company, fiscal_position):
        taxes = product.taxes_id.filtered_domain(self.env["account.tax"]._check_company_domain(company))
        values = {
            "product_id": product.id,
            "name": label,
            "quantity": 1.0,
            "price_unit": amount,
            "tax_ids": [Command.set(fiscal_position.map_tax(taxes).ids if fiscal_position else taxes.ids)],
        }
        account = company._late_payment_penalty_account(kind)
        if account:
            values["account_id"] = account.id
        return values

    def _late_payment_interest_label(self, env, periods, due):
        """The label of the late-interest line of this invoice: the invoice and each period."""
        self.ensure_one()
        currency = self.currency_id
        lines = [env._("Late-payment interest, invoice %(invoice)s due %(due)s:", invoice=self.name, due=due)]
        lines.extend(env._(
            "%(date_from)s to %(date_to)s: %(days)s days on %(base)s at %(rate)s %%",
            date_from=format_date(env, period["date_from"]), date_to=format_date(env, period["date_to"]),
            days=period["days"], base=formatLang(env, period["base"], currency_obj=currency),
            rate=formatLang(env, period["rate"], digits=2),
        ) for period in periods)
        return "\n".join(lines)

    # -- legal mentions and the legal maximum of payment terms ------------------------------------
    def _late_payment_legal_mentions(self):
        """The legal mentions printed on this customer invoice (Code de commerce L441-9), as
        texts in the language of the environment: see engine/mentions.py for which."""
        self.ensure_one()
        company = self.company_id
        # a French company prints them whatever the setting: they are mandatory (L441-9)
        french = company._late_payment_is_french()
        if self.move_type != "out_invoice" or not (company.late_payment_invoice_mentions or french):
            return []
        partner = self.commercial_partner_id.with_company(company)
        professional = identifiers.is_professional(partner.is_company, partner.vat, partner.company_registry)
        public = professional and french and partner.late_payment_public_buyer
        if not professional:
            schedule = company._late_payment_consumer_schedule()
        elif public:
            schedule = company._late_payment_public_schedule()
        else:
            schedule = company._late_payment_rate_schedule()
        day = self.invoice_date or fields.Date.context_today(self)
        term = self.invoice_payment_term_id
        discount = None
        if term.early_discount:
            discount = mentions.EarlyDiscount(Decimal(str(term.discount_percentage)), term.discount_days,
                                              term._get_last_discount_date(day))
        # Odoo prints its own discount line in this case (account.report_invoice_document)
        discount_printed = bool(
            term.early_discount and term.display_on_invoice and self.show_payment_term_details
            and self.invoice_date and self._is_eligible_for_early_payment_discount(self.currency_id, self.invoice_date))
        found = mentions.invoice_mentions(
            professional=professional, day=day, schedule=schedule,
            indemnity_eur=company.late_payment_indemnity_amount,
            interest_consumers=company.late_payment_interest_consumers,
            discount=discount, discount_printed=discount_printed,
            french=french, public=public, penalty=self.late_payment_is_penalty)
        wordings = company._late_payment_mention_wordings()
        return [company._late_payment_fill_wording(wordings[mention.key], self._late_payment_mention_values(mention))
                for mention in found]

    def _late_payment_mention_values(self, mention):
        """The values of a mention formatted for the language of the environment."""
        env = self.env
        values = {}
        for name, value in mention.values.items():
            if name in ("rate", "reference", "margin", "percentage"):
                # 12.15, 10 (no decimals for a whole number of points)
                values[name] = formatLang(env, float(value), digits=0 if value == int(value) else 2)
            elif name == "amount":
                eur = env.ref("base.EUR")
                values[name] = formatLang(env, float(value), currency_obj=eur)
                if self.currency_id != eur:
                    values[name] = env._("%(amount)s, converted into %(currency)s at the exchange rate of the first "
                                         "day late", amount=values[name], currency=self.currency_id.name)
            elif name == "deadline":
                values["date"] = format_date(env, value) if value else ""
            else:
                values[name] = value
        return values

    @api.depends("move_type", "invoice_date", "line_ids.date_maturity", "commercial_partner_id",
                 "commercial_partner_id.is_company", "commercial_partner_id.vat",
                 "commercial_partner_id.company_registry", "commercial_partner_id.country_id", "company_id",
                 "commercial_partner_id.late_payment_public_buyer",
                 "commercial_partner_id.late_payment_public_payment_days")
    def _compute_late_payment_term_warning(self):
        for move in self:
            move.late_payment_term_warning = move._late_payment_term_excess_message()

    def _late_payment_term_excess_message(self):
        """The warning when a due date of this invoice to a French professional customer passes
        the legal maximum, else False."""
        self.ensure_one()
        company = self.company_id
        partner = self.commercial_partner_id
        if self.move_type != "out_invoice" or not company or not partner or not company._late_payment_is_french():
            return False
        if partner.country_id and partner.country_id.code != "FR":
            return False
        if not identifiers.is_professional(partner.is_company, partner.vat, partner.company_registry):
            return False
        invoice_date = self.invoice_date or fields.Date.context_today(self)
        dues = [d for d in self.line_ids.filtered(lambda line: line.display_type == "payment_term").mapped(
            "date_maturity") if d]
        if partner.late_payment_public_buyer and dues:
            return self._late_payment_public_term_message(invoice_date, max(dues))
        excess = payment_terms.exceeds_legal_maximum(invoice_date, dues)
        if not excess:
            return False
        return self.env._(
            "The due date is %(days)s days after the invoice date, later than French law allows between "
            "professionals (60 days after the invoice date, or 45 days end of month, here %(deadline)s): "
            "the delay may be fined.",
            days=(max(dues) - invoice_date).days,
            deadline=format_date(self.env, payment_terms.legal_deadline(invoice_date)))

    def _late_payment_public_term_message(self, invoice_date, due):
        """The warning when the due date given to a public buyer passes its legal payment delay
        (public procurement code: 30, 50 or 60 days), else False."""
        partner = self.commercial_partner_id
        days = int(partner.late_payment_public_payment_days or 30)
        if (due - invoice_date).days <= days:
            return False
        return self.env._(
            "The due date is %(days)s days after the invoice date: %(customer)s is a public buyer, whose legal "
            "payment delay is %(delay)s days (public procurement code); late interest runs from then.",
            days=(due - invoice_date).days, customer=partner.name, delay=days)

    @api.depends("late_payment_term_warning", "late_payment_over_invoiced")
    def _compute_alerts(self):
        return super()._compute_alerts()

    def _get_alerts(self):
        alerts = super()._get_alerts()
        if self.late_payment_term_warning:
            alerts["account_late_payment_term_warning"] = {
                "level": "warning",
                "message": self.late_payment_term_warning,
            }
        if self.move_type in CUSTOMER_TYPES and self.partner_id:
            alerts.update(self._late_payment_risk_alerts())
        if self.late_payment_is_penalty and self.state == "posted" and self.late_payment_over_invoiced:
            alerts["account_late_payment_over_invoiced"] = {"level": "warning", "message": self.env._(
                "This penalty invoice claims %(amount)s more late interest than its days bear now: a payment dated "
                "before its periods was entered after it. Issue the credit note from its Follow-up tab.",
                amount=formatLang(self.env, self.late_payment_over_invoiced, currency_obj=self.currency_id))}
        return alerts

    # -- customer risk: warnings and the credit guard ------------------------------------------

    def _late_payment_risk_alerts(self):
        """The risk warnings of a customer invoice: its risk class (drafts of invoices, when the
        class warns or blocks) and its company status (every customer document)."""
        self.ensure_one()
        alerts = {}
        partner = self.commercial_partner_id.sudo().with_company(self.company_id)
        risk_class = partner.late_payment_risk_class_id
        if self.state == "draft" and self.move_type in LATE_TYPES and (risk_class.warn or risk_class.block):
            alerts["account_late_payment_risk"] = {
                "level": "danger" if risk_class.block else "warning", "message": partner._late_payment_risk_warning()}
        if partner.late_payment_proceedings_state == "open":
            procedure = dict(partner._fields["late_payment_proceedings_procedure"]._description_selection(
                self.env)).get(partner.late_payment_proceedings_procedure) or self.env._("collective proceedings")
            alerts["account_late_payment_proceedings"] = {"level": "danger", "message": self.env._(
                "%(customer)s is in collective proceedings: %(procedure)s since %(date)s%(court)s (BODACC, checked "
                "on %(checked)s). It gets no reminders; declare your claims to the court-appointed representative "
                "within two months of the publication.",
                customer=partner.name, procedure=procedure,
                date=format_date(self.env, partner.late_payment_proceedings_since
                                 or partner.late_payment_proceedings_opened_on),
                court=f", {partner.late_payment_proceedings_tribunal}" if partner.late_payment_proceedings_tribunal
                else "",
                checked=format_date(self.env, partner.late_payment_proceedings_checked_on))}
        if partner.late_payment_legal_state == "ceased":
            alerts["account_late_payment_ceased"] = {"level": "danger", "message": self.env._(
                "%(customer)s has ceased trading%(since)s according to the French company register (checked on "
                "%(checked)s).",
                customer=partner.name,
                since=self.env._(" on %(date)s", date=format_date(self.env, partner.late_payment_legal_ceased_on))
                if partner.late_payment_legal_ceased_on else "",
                checked=format_date(self.env, partner.late_payment_legal_checked_on))}
        return alerts

    def _post(self, soft=True):
        self._late_payment_credit_guard()
        return super()._post(soft=soft)

    @api.model
    def _autopost_draft_entries(self, batch_size=100):
        token = _AUTOPOSTING.set(True)
        try:
            return super()._autopost_draft_entries(batch_size=batch_size)
        finally:
            _AUTOPOSTING.reset(token)

    def _late_payment_credit_guard(self):
        """Refuse to post customer invoices that take their customer over its credit limit
        (when the company refuses them) or whose customer is in a blocking risk class; a Late
        payments Administrator posts them anyway, and the override is logged on the invoice.
        Never for credit notes, invoices posted by Odoo itself (as superuser, as scheduled
        actions run, or by the auto-post scheduled action) or invoices already paid. What the
        client sends (a context key, the invoice's auto-post setting) never skips it."""
        if self.env.su or _AUTOPOSTING.get():
            return
        invoices = self.filtered(lambda move: move.state == "draft" and move.move_type == "out_invoice"
                                 and move.partner_id
                                 and not move._late_payment_already_paid())
        if not invoices:
            return
        refusals = invoices._late_payment_guard_refusals()
        if not refusals:
            return
        if self.env.user.has_group("account_late_payment.group_late_payment_admin"):
            for move, reasons in refusals.items():
                move._message_log(body=Markup("<p>%s</p><ul>%s</ul>") % (
                    self.env._("Posted by %(user)s despite the customer risk guard:", user=self.env.user.name),
                    Markup().join(Markup("<li>%s</li>") % reason for reason in reasons)))
            return
        lines = []
        for move, reasons in refusals.items():
            lines.append(self.env._("%(invoice)s for %(customer)s:", invoice=move.display_name,
                                    customer=move.commercial_partner_id.name))
            lines.extend(f"- {reason}" for reason in reasons)
        raise UserError("\n".join([
            self.env._("This invoice cannot be posted:") if len(refusals) == 1
            else self.env._("These invoices cannot be posted:"),
            *lines,
            self.env._("Ask for a deposit or a payment first, or ask a Late payments Administrator to post it."),
        ]))

    def _late_payment_already_paid(self):
        self.ensure_one()
        if self.payment_state in ("paid", "in_payment"):
            return True
        payments = self.matched_payment_ids.filtered(lambda payment: payment.state in ("in_process", "paid"))
        if not payments:
            return False
        paid = sum(payment.currency_id._convert(payment.amount, self.currency_id, self.company_id,
                                                payment.date or fields.Date.context_today(self))
                   for payment in payments)
        return self.currency_id.compare_amounts(paid, self.amount_total) >= 0

    def _late_payment_guard_refusals(self):
        """{invoice: [reasons]} of the invoices of `self` the guard refuses, in batch: each
        customer's credit (what it owes now plus the invoices of `self` before this one) against
        its credit limit, and its risk class."""
        refusals = defaultdict(list)
        for company, moves in self.grouped("company_id").items():
            partners = moves.commercial_partner_id.sudo().with_company(company)
            partners.invalidate_recordset(["credit", "credit_to_invoice"])
            partners.fetch(["credit_limit", "late_payment_risk_class_id"])
            pending = defaultdict(float)
            check_limit = company.late_payment_credit_guard and company.account_use_credit_limit
            for move in moves.sorted(lambda m: (m.invoice_date or fields.Date.context_today(m), m.id)):
                partner = move.commercial_partner_id.sudo().with_company(company)
                risk_class = partner.late_payment_risk_class_id
                if risk_class.block:
                    refusals[move].append(self.env._(
                        "%(customer)s is in the risk class %(risk_class)s (score %(score)s), whose invoices are "
                        "refused.", customer=partner.name, risk_class=risk_class.name,
                        score=formatLang(self.env, partner.late_payment_risk_score, digits=1)))
                if check_limit and partner.credit_limit:
                    amount = move.amount_total_signed + pending[partner.id]
                    warning = self.with_company(company)._build_credit_warning_message(
                        move.with_company(company), current_amount=amount)
                    if warning:
                        refusals[move].append(self.env._(
                            "It takes the customer over its credit limit. %(warning)s",
                            warning=warning.replace("\n", " ")))
                    pending[partner.id] += move.amount_total_signed
        return dict(refusals)
