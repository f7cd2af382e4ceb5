import uuid
from contextlib import contextmanager

from odoo import api, models
from odoo.tools import SQL

from .late_payment_measure import open_receivable_sql

BATCH_READS = "late_payment_batch_reads"
# {token of a call of the nightly action: {(kind, key): value}}, for the length of the call (the
# cursor's cache, where the batch reads live, is emptied at each batch's commit)
_NIGHTLY_READS = {}


def _read_once(memo, kind, key, read):
    """`read()` kept in `memo` under (kind, key); every time when there is no memo."""
    if memo is None:
        return read()
    if (kind, key) not in memo:
        memo[kind, key] = read()
    return memo[kind, key]


class LatePaymentDossier(models.Model):
    """The customers' payment history as the risk score and the predictions read it: a few
    set-based queries per batch of customers (never one per customer). The rules that use it
    are in engine/risk.py and engine/prediction.py."""

    _inherit = "late.payment.dossier"

    def _history_flush(self):
        self.env["account.move.line"].flush_model([
            "account_id", "amount_residual", "balance", "company_id", "parent_state", "partner_id", "reconciled",
            "date_maturity", "date", "no_followup", "move_id"])
        self.env["account.move"].flush_model(["move_type", "payment_state", "late_payment_disputed", "invoice_date"])
        self.env["account.account"].flush_model(["account_type"])
        self.env["res.partner"].flush_model(["commercial_partner_id"])

    # -- one read per call of the nightly action ----------------------------------------------
    @contextmanager
    def _nightly_reads(self):
        """Yields these records with a context in which each read of _nightly_read is made once
        for all the batches of this call of the nightly action (what stays true all night: the
        company's pools of stored profiles, the recovery per level)."""
        token = uuid.uuid4().hex
        _NIGHTLY_READS[token] = {}
        try:
            yield self.with_context(late_payment_nightly_reads=token)
        finally:
            _NIGHTLY_READS.pop(token, None)

    @api.model
    def _nightly_read(self, kind, key, read):
        """`read()`, once per (kind, key) within _nightly_reads (every time outside)."""
        return _read_once(_NIGHTLY_READS.get(self.env.context.get("late_payment_nightly_reads")), kind, key, read)

    # -- one read per batch ------------------------------------------------------------------
    @contextmanager
    def _batch_reads(self):
        """Within this block (one batch of the nightly refresh: the risk score, the predictions,
        the priorities), each read of _batch_read is made once: nothing is paid or reconciled in
        between."""
        outer = BATCH_READS in self.env.cr.cache
        self.env.cr.cache.setdefault(BATCH_READS, {})
        try:
            yield
        finally:
            if not outer:
                self.env.cr.cache.pop(BATCH_READS, None)

    @api.model
    def _batch_read(self, kind, key, read):
        """`read()`, once per (kind, key) within _batch_reads (every time outside)."""
        return _read_once(self.env.cr.cache.get(BATCH_READS), kind, key, read)

    @api.model
    def _open_lines(self, company, partner_ids):
        """Dicts (id, move_id, partner_id, residual, balance, due, payment_state, disputed,
        no_followup) of the customers' open receivable lines of invoices and receipts with
        something left to pay, ordered by id, in one query (once per batch): the risk score,
        the predictions and the priorities each take theirs."""
        partner_ids = sorted(set(partner_ids))
        return self._batch_read("open", (company.id, tuple(partner_ids)), lambda: self._open_lines_query(
            company, partner_ids))

    @api.model
    def _open_lines_query(self, company, partner_ids):
        self._history_flush()
        return self.env.execute_query_dict(SQL("""
            SELECT aml.id, aml.move_id, p.commercial_partner_id AS partner_id, aml.amount_residual::float8 AS residual,
                   aml.balance::float8 AS balance, COALESCE(aml.date_maturity, aml.date) AS due, move.payment_state,
                   move.late_payment_disputed IS TRUE AS disputed, aml.no_followup IS TRUE AS no_followup
              FROM account_move_line aml
              JOIN account_account account ON account.id = aml.account_id
              JOIN account_move move ON move.id = aml.move_id
              JOIN res_partner p ON p.id = aml.partner_id
             WHERE aml.company_id = %(company)s
               -- the batch's lines by partner (its index), not a scan of every line of the company
               AND aml.partner_id IN (SELECT id FROM res_partner WHERE commercial_partner_id = ANY(%(partners)s))
               AND %(open)s AND aml.amount_residual > 0
               AND move.move_type IN ('out_invoice', 'out_receipt')
             ORDER BY aml.id
        """, company=company.id, partners=partner_ids, open=open_receivable_sql(nonzero=False)))

    @api.model
    def _risk_open_late(self, company, partner_ids, today):
        """(partner id, residual in company currency, due date) of the customers' invoice lines
        still open past their due date on `today` (followed: not left out, blocked or disputed):
        the risk score counts them with the days late reached so far."""
        if not partner_ids:
            return []
        return [(row["partner_id"], row["residual"], row["due"]) for row in self._open_lines(company, partner_ids)
                if row["balance"] > 0 and row["due"] < today and row["payment_state"] not in ("reversed", "blocked")
                and not row["disputed"] and not row["no_followup"]]

    @api.model
    def _settled_history(self, company, start, today):
        """(partner id, amount, due date, paid date) of every customer's invoice lines of
        `company` settled (fully matched) after `start`, in one query: the backtest's history.
        The paid date is the last matching's, as for the risk score."""
        self._history_flush()
        self.env["account.partial.reconcile"].flush_model(["debit_move_id", "max_date"])
        return self.env.execute_query(SQL("""
            SELECT p.commercial_partner_id, aml.balance::float8, COALESCE(aml.date_maturity, aml.date),
                   MAX(part.max_date)
              FROM account_move_line aml
              JOIN account_account account ON account.id = aml.account_id
              JOIN account_move move ON move.id = aml.move_id
              JOIN res_partner p ON p.id = aml.partner_id
              JOIN account_partial_reconcile part ON part.debit_move_id = aml.id
             WHERE aml.company_id = %(company)s
               AND account.account_type = 'asset_receivable'
               AND aml.parent_state = 'posted'
               AND aml.reconciled
               AND aml.balance > 0
               AND move.move_type IN ('out_invoice', 'out_receipt')
               AND move.payment_state != 'reversed'
             GROUP BY aml.id, p.commercial_partner_id
            HAVING MAX(part.max_date) > %(start)s AND MAX(part.max_date) <= %(today)s
        """, company=company.id, start=start, today=today))
