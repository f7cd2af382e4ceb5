from odoo import api, fields, models
from odoo.tools import SQL

# the aged balance buckets (engine/kpi.py BUCKETS), then credits and settled lines
BUCKETS = [
    ("not_due", "Not due"),
    ("days_1_30", "1-30 days"),
    ("days_31_60", "31-60 days"),
    ("days_61_90", "61-90 days"),
    ("days_over_90", "Over 90 days"),
    ("credit", "Credit"),
    ("paid", "Paid"),
]
CUSTOMER_DOCUMENTS = ("out_invoice", "out_refund", "out_receipt")


class LatePaymentReceivableReport(models.Model):
    """Receivables analysis: one row per receivable line (each instalment) of a posted customer
    invoice, credit note or receipt, open or paid; amounts in the currency of the company the
    report is read in (converted at today's rate when several companies of different currencies
    are selected, as Odoo's invoice analysis does); buckets and days overdue as of today."""

    _name = "late.payment.receivable.report"
    _description = "Receivables analysis"
    _auto = False
    _rec_name = "move_id"
    _order = "date_maturity desc, id desc"

    move_line_id = fields.Many2one("account.move.line", string="Receivable line", readonly=True)
    move_id = fields.Many2one("account.move", string="Invoice", readonly=True)
    move_type = fields.Selection([
        ("out_invoice", "Customer Invoice"),
        ("out_refund", "Customer Credit Note"),
        ("out_receipt", "Sales Receipt"),
    ], string="Type", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    invoice_user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    late_payment_level_id = fields.Many2one("late.payment.level", string="Follow-up level", readonly=True)
    # the customer's risk class in the line's company (its follow-up dossier)
    risk_class_id = fields.Many2one("late.payment.risk.class", string="Risk class", readonly=True)
    invoice_date = fields.Date(string="Invoice date", readonly=True)
    date_maturity = fields.Date(string="Due date", readonly=True)
    paid_date = fields.Date(string="Paid on", readonly=True,
                            help="The day the line was fully paid (its last matching).")
    bucket = fields.Selection(BUCKETS, string="Age", readonly=True,
                              help="Days past the due date of what is still open, as of today.")
    is_open = fields.Boolean(string="Open", readonly=True)
    is_overdue = fields.Boolean(string="Overdue", readonly=True)
    days_overdue = fields.Integer(string="Days overdue", readonly=True, aggregator="max",
                                  help="Days past the due date of what is still open, as of today.")
    days_beyond_terms = fields.Integer(string="Days beyond terms", readonly=True, aggregator="avg",
                                       help="Paid lines: days paid after the due date (0 when on time).")
    amount_original = fields.Monetary(string="Original amount", readonly=True)
    amount_residual = fields.Monetary(string="Open amount", readonly=True)
    amount_paid = fields.Monetary(string="Paid amount", readonly=True)
    amount_not_due = fields.Monetary(string="Not due", readonly=True)
    amount_overdue = fields.Monetary(string="Overdue amount", readonly=True)
    open_count = fields.Integer(string="Open items", readonly=True)
    overdue_count = fields.Integer(string="Overdue items", readonly=True)
    paid_late_count = fields.Integer(string="Items paid late", readonly=True)
    overdue_share_count = fields.Float(
        string="Share overdue (count, %)", readonly=True, aggregator="avg",
        help="Overdue items among the open items, in percent.")
    overdue_share_amount = fields.Float(
        string="Share overdue (amount, %)", readonly=True, aggregator="avg",
        help="Overdue amount in the open amount, in percent.")

    _depends = {
        "account.move": [
            "state", "move_type", "commercial_partner_id", "invoice_user_id", "invoice_date", "company_id",
        ],
        "account.move.line": [
            "move_id", "company_id", "display_type", "account_id", "parent_state", "balance",
            "amount_residual", "date_maturity", "reconciled", "late_payment_level_id",
        ],
        "account.account": ["account_type"],
        "account.partial.reconcile": ["debit_move_id", "credit_move_id", "max_date"],
        "late.payment.dossier": ["partner_id", "company_id", "risk_class_id"],
    }

    @property
    def _table_query(self):
        today = fields.Date.context_today(self)
        currency_table = self.env["res.currency"]._get_simple_currency_table(self.env.companies)
        return SQL(
            """
            WITH line AS (
                SELECT line.id, line.move_id, move.move_type, line.company_id,
                       move.commercial_partner_id AS partner_id, move.invoice_user_id,
                       line.late_payment_level_id, dossier.risk_class_id,
                       COALESCE(move.invoice_date, move.date) AS invoice_date,
                       line.date_maturity,
                       line.balance * account_currency_table.rate AS amount_original,
                       line.amount_residual * account_currency_table.rate AS amount_residual,
                       line.amount_residual != 0 AS is_open,
                       line.amount_residual > 0 AND line.date_maturity < %(today)s AS is_overdue,
                       CASE WHEN line.amount_residual = 0 THEN (
                           SELECT MAX(partial.max_date) FROM account_partial_reconcile partial
                            WHERE partial.debit_move_id = line.id OR partial.credit_move_id = line.id
                       ) END AS paid_date
                  FROM account_move_line line
                  JOIN account_move move ON move.id = line.move_id
                  JOIN account_account account ON account.id = line.account_id
                  JOIN %(currency_table)s ON account_currency_table.company_id = line.company_id
             LEFT JOIN late_payment_dossier dossier
                    ON dossier.partner_id = move.commercial_partner_id AND dossier.company_id = line.company_id
                 WHERE line.display_type = 'payment_term'
                   AND account.account_type = 'asset_receivable'
                   AND line.parent_state = 'posted'
                   AND move.move_type IN %(documents)s
            )
            SELECT line.id, line.id AS move_line_id, line.move_id, line.move_type, line.company_id,
                   %(currency_id)s AS currency_id, line.partner_id, line.invoice_user_id, line.late_payment_level_id,
                   line.risk_class_id,
                   line.invoice_date, line.date_maturity, line.paid_date,
                   CASE
                       WHEN NOT line.is_open THEN 'paid'
                       WHEN line.amount_residual < 0 THEN 'credit'
                       WHEN line.date_maturity >= %(today)s THEN 'not_due'
                       WHEN %(today)s - line.date_maturity <= 30 THEN 'days_1_30'
                       WHEN %(today)s - line.date_maturity <= 60 THEN 'days_31_60'
                       WHEN %(today)s - line.date_maturity <= 90 THEN 'days_61_90'
                       ELSE 'days_over_90'
                   END AS bucket,
                   line.is_open, line.is_overdue,
                   CASE WHEN line.is_overdue THEN %(today)s - line.date_maturity ELSE 0 END AS days_overdue,
                   CASE WHEN line.paid_date IS NOT NULL AND line.amount_original > 0
                        THEN GREATEST(line.paid_date - line.date_maturity, 0) END AS days_beyond_terms,
                   line.amount_original, line.amount_residual,
                   line.amount_original - line.amount_residual AS amount_paid,
                   CASE WHEN line.amount_residual > 0 AND NOT line.is_overdue
                        THEN line.amount_residual ELSE 0 END AS amount_not_due,
                   CASE WHEN line.is_overdue THEN line.amount_residual ELSE 0 END AS amount_overdue,
                   CASE WHEN line.amount_residual > 0 THEN 1 ELSE 0 END AS open_count,
                   CASE WHEN line.is_overdue THEN 1 ELSE 0 END AS overdue_count,
                   CASE WHEN line.paid_date > line.date_maturity AND line.amount_original > 0
                        THEN 1 ELSE 0 END AS paid_late_count,
                   CASE WHEN line.amount_residual > 0 THEN CASE WHEN line.is_overdue THEN 100.0 ELSE 0.0 END
                   END AS overdue_share_count,
                   CASE WHEN line.amount_residual > 0 THEN CASE WHEN line.is_overdue THEN 100.0 ELSE 0.0 END
                   END AS overdue_share_amount
              FROM line
            """,
            today=today,
            currency_table=currency_table,
            documents=CUSTOMER_DOCUMENTS,
            currency_id=self.env.company.currency_id.id,
        )

    @api.model
    def _read_group_select(self, aggregate_spec, query):
        """The shares overdue of a group: overdue items / open items (by count), overdue amount /
        open amount of the invoices (by amount), in percent."""
        shares = {
            "overdue_share_count:avg": ("overdue_count", "open_count"),
            "overdue_share_amount:avg": ("amount_overdue", "amount_residual"),
        }
        if aggregate_spec not in shares:
            return super()._read_group_select(aggregate_spec, query)
        part, whole = shares[aggregate_spec]
        # only the open invoices count in the whole (credits and paid lines have no share)
        share = self._field_to_sql(self._table, aggregate_spec.split(":")[0], query)
        return SQL(
            "COALESCE(100.0 * SUM(CASE WHEN %(share)s IS NOT NULL THEN %(part)s END)"
            " / NULLIF(SUM(CASE WHEN %(share)s IS NOT NULL THEN %(whole)s END), 0), 0)",
            share=share,
            part=self._field_to_sql(self._table, part, query),
            whole=self._field_to_sql(self._table, whole, query),
        )
