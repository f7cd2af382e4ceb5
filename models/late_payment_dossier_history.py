from odoo import api, models
from odoo.tools import SQL


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

    @api.model
    def _risk_open_late(self, company, partner_ids, today):
        """(partner id, residual in company currency, due date) of the customers' invoice lines
        still open past their due date on `today` (followed: not left out, blocked or disputed),
        in one query: the risk score counts them with the days late reached so far."""
        if not partner_ids:
            return []
        self._history_flush()
        return self.env.execute_query(SQL("""
            SELECT p.commercial_partner_id, aml.amount_residual, COALESCE(aml.date_maturity, aml.date)
              FROM account_move_line aml
              JOIN account_account account ON account.id = aml.account_id
              JOIN account_move move ON move.id = aml.move_id
              JOIN res_partner p ON p.id = aml.partner_id
             WHERE aml.company_id = %(company)s
               AND aml.partner_id IN (SELECT id FROM res_partner WHERE commercial_partner_id = ANY(%(partners)s))
               AND account.account_type = 'asset_receivable'
               AND aml.parent_state = 'posted'
               AND aml.reconciled IS NOT TRUE
               AND aml.amount_residual > 0
               AND aml.balance > 0
               AND COALESCE(aml.date_maturity, aml.date) < %(today)s
               AND move.move_type IN ('out_invoice', 'out_receipt')
               AND move.payment_state NOT IN ('reversed', 'blocked')
               AND move.late_payment_disputed IS NOT TRUE
               AND aml.no_followup IS NOT TRUE
        """, company=company.id, partners=list(partner_ids), today=today))

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
