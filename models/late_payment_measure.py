"""One home for the reads of receivables and their measures.

The dashboard, the customer's measures on its form, the risk inputs, the receivables analysis
and the API read what is owed through here; the rules that turn those rows into figures are in
engine/receivables.py (today's balance, the console's) and engine/kpi.py (history, DSO, CEI,
recovery). The shared words are written once:

- the customer documents are Odoo's sale types with receipts (`account.move.get_sale_types`):
  invoices, credit notes and receipts; those that fall due and can be late are the inbound ones
  among them (invoices and receipts, not credit notes);
- an open receivable line is a posted line on a receivable account, not reconciled, with
  something left to pay (`open_receivable_domain`, `open_receivable_sql`).
"""

from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models
from odoo.fields import Domain
from odoo.tools import SQL

from ..engine import kpi, receivables

COUNT_BACK_MONTHS = 12  # how far back the count-back DSO looks
RECOVERY_WINDOWS = (7, 15, 30)  # days after a reminder in which its recovery is measured


def customer_types(env):
    """The customer documents: invoices, credit notes and receipts (Odoo's sale types)."""
    return tuple(env["account.move"].get_sale_types(include_receipts=True))


def late_types(env):
    """The customer documents that fall due and can be paid late: invoices and receipts."""
    move_model = env["account.move"]
    inbound = move_model.get_inbound_types(include_receipts=True)
    return tuple(move_type for move_type in move_model.get_sale_types(include_receipts=True) if move_type in inbound)


def open_receivable_domain(nonzero=True):
    """The open receivable lines (account.move.line): posted, on a receivable account, not
    reconciled, and (`nonzero`) something left to pay."""
    domain = (Domain("account_type", "=", "asset_receivable") & Domain("parent_state", "=", "posted")
              & Domain("reconciled", "=", False))
    return domain & Domain("amount_residual", "!=", 0) if nonzero else domain


def open_receivable_sql(line="aml", account="account", nonzero=True):
    """The same predicate in SQL, on the line alias `line` joined to its account alias `account`."""
    condition = SQL(
        "%s = 'asset_receivable' AND %s = 'posted' AND %s IS NOT TRUE",
        SQL.identifier(account, "account_type"), SQL.identifier(line, "parent_state"),
        SQL.identifier(line, "reconciled"))
    if nonzero:
        condition = SQL("%s AND %s != 0", condition, SQL.identifier(line, "amount_residual"))
    return condition


def aged_balance(balance):
    """An engine receivables.Balance (today's, the console's) as a kpi.AgedBalance."""
    return kpi.AgedBalance(**{code: float(amount) for code, amount in balance.aged()}, counts=dict(balance.counts))


class LatePaymentMeasure(models.AbstractModel):
    _name = "late.payment.measure"
    _description = "Late payments: receivables reads and measures"

    # -- today's balances (the console's figures) -------------------------------------------------
    @api.model
    def _live_balance(self, company, partners=None):
        """Today's figures, the follow-up console's, from the one computation of what is owed and
        overdue (late.payment.dossier._balances): the total of `company` when
        `partners` is None, else {customer id: Balance} of `partners` (False: every customer)."""
        balances = self.env["late.payment.dossier"]._balances(company, partners or None)
        return receivables.total(balances.values()) if partners is None else balances

    @api.model
    def _states(self, partners, company, day):
        """{commercial partner id: (dossier values, receivables Balance)} of `partners` in
        `company` evaluated on `day` (the follow-up rules of the daily refresh, on the lines open
        now), written nowhere: the computation the console, the dashboard and the analysis share."""
        evaluated = self.env["late.payment.dossier"]._evaluate(company, partners, day)
        return {partner_id: (vals, receivables.balance(state)) for partner_id, (vals, state) in evaluated.items()}

    # -- history: the receivable lines of the customer documents and their matchings -------------
    @api.model
    def _document_lines_sql(self, company, partners=None):
        """FROM and WHERE of the receivable lines (instalments) of the posted customer documents
        of `company` (aliases line, move, account); only the customers `partners` when given."""
        partner_filter = SQL("AND move.commercial_partner_id IN %s", tuple(partners.ids)) if partners else SQL()
        return SQL(
            """
              FROM account_move_line line
              JOIN account_move move ON move.id = line.move_id
              JOIN account_account account ON account.id = line.account_id
             WHERE line.company_id = %(company)s
               AND line.display_type = 'payment_term'
               AND account.account_type = 'asset_receivable'
               AND line.parent_state = 'posted'
               AND move.move_type IN %(documents)s
               %(partner_filter)s
            """,
            company=company.id, documents=customer_types(self.env), partner_filter=partner_filter)

    @api.model
    def _data(self, company, end, since, partners=None):
        """What the measures of `company` up to `end` need, in three queries (amounts in the
        company currency):
        - items: (line id, amount, invoice date, due date) of the receivable lines of customer
          invoices dated on or before `end` still open on `since` or later;
        - payments: (line id, date, amount) of their matchings up to `end` (payments, credit
          notes, exchange differences: each on the later date of the two lines matched);
        - sales: (day, net credit sales) from 13 months before `since` up to `end`;
        - partner_of: {line id: customer id}.
        `partners` limits all of it to these customers (commercial partners)."""
        self.env["account.move.line"].flush_model()
        self.env["account.move"].flush_model()
        self.env["account.partial.reconcile"].flush_model()
        rows = self.env.execute_query(SQL(
            """
            SELECT line.id, line.balance, COALESCE(move.invoice_date, move.date), line.date_maturity,
                   move.commercial_partner_id
              %(lines)s
               AND line.balance > 0
               AND COALESCE(move.invoice_date, move.date) <= %(end)s
               AND (line.amount_residual != 0 OR EXISTS (
                    SELECT 1 FROM account_partial_reconcile partial
                     WHERE partial.debit_move_id = line.id AND partial.max_date >= %(since)s))
            """,
            lines=self._document_lines_sql(company, partners), end=end, since=since))
        items = [kpi.HistoricItem(line_id, amount, invoice_date, due or invoice_date)
                 for line_id, amount, invoice_date, due, _partner in rows]
        partner_of = {row[0]: row[4] for row in rows}
        payments = []
        if items:
            payments = [kpi.ItemPayment(*row) for row in self.env.execute_query(SQL(
                """
                SELECT debit_move_id, max_date, amount FROM account_partial_reconcile
                 WHERE debit_move_id IN %(lines)s AND max_date <= %(end)s
                """,
                lines=tuple(partner_of), end=end))]
        sales = self._credit_sales(
            company, kpi.months_before(since, COUNT_BACK_MONTHS + 1), end,
            SQL("COALESCE(move.invoice_date, move.date)"), partners)
        return {"items": items, "payments": payments, "sales": sales, "partner_of": partner_of}

    @api.model
    def _credit_sales(self, company, start, end, key, partners=None):
        """[(key, net credit sales)] of `company` invoiced after `start` up to `end`, grouped by the
        SQL expression `key`; only the customers `partners` when given."""
        return self.env.execute_query(SQL(
            """
            SELECT %(key)s, SUM(line.balance)
              %(lines)s
               AND COALESCE(move.invoice_date, move.date) > %(start)s
               AND COALESCE(move.invoice_date, move.date) <= %(end)s
             GROUP BY 1
            """,
            key=key, lines=self._document_lines_sql(company, partners), start=start, end=end))

    @api.model
    def _sales_by_partner(self, company, start, end, partners):
        return dict(self._credit_sales(company, start, end, SQL("move.commercial_partner_id"), partners))

    # -- per customer ----------------------------------------------------------------------------
    @api.model
    def _partner_figures(self, partners, company, today):
        """The measures of each customer (commercial partner) in `company` on `today`:
        {partner id: {aged balance buckets..., 'dso', 'average_days_beyond_terms',
        'share_paid_late'}}; DSO and the others over the last 12 months."""
        start = kpi.months_before(today, 12)
        data = self._data(company, today, start, partners=partners)
        balances = kpi.aged_balances_history(data["items"], data["payments"], [today], data["partner_of"])[today]
        settled = kpi.settlement_dates(data["items"], data["payments"], until=today)
        paid_rows = defaultdict(list)
        for item in data["items"]:
            if item.key in settled and kpi.in_window(settled[item.key], today, 12):
                paid_rows[data["partner_of"][item.key]].append((item.amount, item.due_date, settled[item.key]))
        sales = self._sales_by_partner(company, start, today, partners)
        result = {}
        if today == fields.Date.context_today(self):
            # the aged balance of the console (credits used once, what is left out apart)
            balances = {partner_id: aged_balance(balance) for partner_id, balance in
                        self._live_balance(company, partners).items()}
        for partner in partners:
            balance = balances.get(partner.id, kpi.AgedBalance())
            rows = paid_rows.get(partner.id, [])
            result[partner.id] = {
                **balance.as_dict(),
                "dso": kpi.dso_simple(balance.total, sales.get(partner.id, 0.0), (today - start).days),
                "average_days_beyond_terms": kpi.average_days_beyond_terms(rows),
                "share_paid_late": kpi.share_paid_late(rows),
            }
        return result

    # -- what each reminder level recovers ---------------------------------------------------------
    @api.model
    def _recovery(self, company, end, months=12):
        """{level: engine LevelRecovery} for the reminders `company` sent in the `months` up to
        `end`, and the payments (matchings) of their lines up to `end` + 30 days: two queries."""
        since = kpi.months_before(end, months)
        self.env["late.payment.reminder.line"].flush_model()
        self.env["account.partial.reconcile"].flush_model()
        rows = self.env.execute_query(SQL(
            """SELECT rl.reminder_id, rl.level_id, rl.date, rl.move_line_id, rl.amount_residual
                 FROM late_payment_reminder_line rl
                WHERE rl.company_id = %s AND rl.date > %s AND rl.date <= %s""",
            company.id, since, end))
        if not rows:
            return {}
        line_ids = list({row[3] for row in rows})
        paid = self.env.execute_query(SQL(
            """SELECT p.debit_move_id, p.max_date, p.amount
                 FROM account_partial_reconcile p
                WHERE p.debit_move_id IN %s AND p.max_date <= %s""",
            tuple(line_ids), end + timedelta(days=max(RECOVERY_WINDOWS))))
        reminder_lines = [kpi.ReminderLine(reminder, level, sent_on, line, float(amount or 0.0))
                          for reminder, level, sent_on, line, amount in rows]
        payments = [kpi.LinePayment(line, paid_on, float(amount or 0.0)) for line, paid_on, amount in paid]
        return kpi.recovery_by_level(reminder_lines, payments, windows=RECOVERY_WINDOWS)
