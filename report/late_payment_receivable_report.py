from odoo import api, fields, models
from odoo.tools import SQL

from ..models.late_payment_measure import customer_types

# the aged balance buckets in age order (engine/receivables.py BUCKETS), then what is left out
# of the follow-up, the credits and the settled lines: groups by age come in this order
BUCKETS = [
    ("not_due", "Not due"),
    ("days_1_30", "1-30 days"),
    ("days_31_60", "31-60 days"),
    ("days_61_90", "61-90 days"),
    ("days_over_90", "Over 90 days"),
    ("excluded", "Left out"),
    ("credit", "Credit"),
    ("paid", "Paid"),
]
BUCKET_ORDER = [code for code, _label in BUCKETS]


class LatePaymentReceivableReport(models.Model):
    """Receivables analysis: one row per receivable line (each instalment) of a posted customer
    invoice, credit note or receipt, open or paid, and per open receivable line of any other
    entry (a payment not yet matched, an opening balance); amounts in the currency of the company
    the report is read in (converted at today's rate when several companies of different
    currencies are selected, as Odoo's invoice analysis does); buckets and days overdue as of
    today.

    What it shows, against the follow-up console (the customer's dossier):

    - "Open amount" is each line's gross residual: per customer, the total is the console's
      amount due (invoices, credit notes, unmatched payments and the lines left out together);
    - "Overdue amount" counts the followed lines past their due date (not those left out of the
      follow-up: excluded, blocked or disputed, which have their own "Left out" age), and one
      row per customer, "Credits used on overdue items", deducts what its credits pay of them
      (each credit once, as the console does): per customer and in total, the overdue amount is
      the console's;
    - the age columns (not due, 1-30, 31-60, 61-90, over 90 days, left out, credit, paid) come
      in that order in every view."""

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
        ("entry", "Payment or other entry"),
    ], string="Type", readonly=True)
    is_credit_use = fields.Boolean(
        string="Credits used on overdue items", readonly=True,
        help="The row that deducts from the customer's overdue items what its credits pay of them.")
    is_left_out = fields.Boolean(
        string="Left out", readonly=True,
        help="Left out of the follow-up: excluded, blocked or disputed; not in the overdue amount.")
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
    expected_date = fields.Date(
        string="Expected payment", readonly=True,
        help="The predicted payment date of the open invoice (recomputed every night): group by week for the "
             "cash-in forecast.")
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
            "payment_state", "late_payment_disputed", "late_payment_expected_date",
        ],
        "account.move.line": [
            "move_id", "company_id", "display_type", "account_id", "parent_state", "balance", "partner_id",
            "amount_residual", "date_maturity", "date", "reconciled", "late_payment_level_id", "no_followup",
        ],
        "account.account": ["account_type"],
        "account.partial.reconcile": ["debit_move_id", "credit_move_id", "max_date"],
        "late.payment.dossier": ["partner_id", "company_id", "risk_class_id", "amount_overdue"],
        "res.partner": ["commercial_partner_id"],
    }

    @property
    def _table_query(self):
        today = fields.Date.context_today(self)
        currency_table = self.env["res.currency"]._get_simple_currency_table(self.env.companies)
        return SQL(
            """
            WITH line AS (
                SELECT line.id, line.move_id, move.move_type, line.company_id,
                       COALESCE(partner.commercial_partner_id, move.commercial_partner_id) AS partner_id,
                       move.invoice_user_id, line.late_payment_level_id, dossier.risk_class_id,
                       COALESCE(move.invoice_date, move.date) AS invoice_date,
                       COALESCE(line.date_maturity, line.date) AS date_maturity,
                       line.balance * account_currency_table.rate AS amount_original,
                       line.amount_residual * account_currency_table.rate AS amount_residual,
                       line.amount_residual != 0 AS is_open,
                       CASE WHEN line.amount_residual > 0 THEN move.late_payment_expected_date END AS expected_date,
                       COALESCE(line.no_followup OR move.payment_state = 'blocked' OR move.late_payment_disputed,
                                FALSE) AS is_left_out,
                       CASE WHEN line.amount_residual = 0 THEN (
                           SELECT MAX(partial.max_date) FROM account_partial_reconcile partial
                            WHERE partial.debit_move_id = line.id OR partial.credit_move_id = line.id
                       ) END AS paid_date
                  FROM account_move_line line
                  JOIN account_move move ON move.id = line.move_id
                  JOIN account_account account ON account.id = line.account_id
                  JOIN %(currency_table)s ON account_currency_table.company_id = line.company_id
             LEFT JOIN res_partner partner ON partner.id = line.partner_id
             LEFT JOIN late_payment_dossier dossier
                    ON dossier.partner_id = COALESCE(partner.commercial_partner_id, move.commercial_partner_id)
                   AND dossier.company_id = line.company_id
                 WHERE account.account_type = 'asset_receivable'
                   AND line.parent_state = 'posted'
                   AND ((line.display_type = 'payment_term' AND move.move_type IN %(documents)s)
                        OR (line.partner_id IS NOT NULL AND line.reconciled IS NOT TRUE
                            AND line.amount_residual != 0))
            ), flagged AS (
                SELECT line.*,
                       line.amount_residual > 0 AND NOT line.is_left_out
                           AND line.date_maturity < %(today)s AS is_overdue
                  FROM line
            ), credit_use AS (
                -- per customer, what its credits pay of its overdue items: the console's overdue
                -- (the dossier) less the overdue items as they stand
                SELECT -dossier.id AS id, dossier.company_id, dossier.partner_id, dossier.risk_class_id,
                       dossier.amount_overdue * account_currency_table.rate - COALESCE(SUM(flagged.amount_residual)
                           FILTER (WHERE flagged.is_overdue), 0) AS amount
                  FROM late_payment_dossier dossier
                  JOIN %(currency_table)s ON account_currency_table.company_id = dossier.company_id
             LEFT JOIN flagged ON flagged.partner_id = dossier.partner_id AND flagged.company_id = dossier.company_id
                 WHERE dossier.company_id IN %(companies)s
              GROUP BY dossier.id, account_currency_table.rate
            )
            SELECT flagged.id, flagged.id AS move_line_id, flagged.move_id, flagged.move_type, flagged.company_id,
                   %(currency_id)s AS currency_id, flagged.partner_id, flagged.invoice_user_id,
                   flagged.late_payment_level_id, flagged.risk_class_id,
                   flagged.invoice_date, flagged.date_maturity, flagged.paid_date,
                   CASE
                       WHEN NOT flagged.is_open THEN 'paid'
                       WHEN flagged.amount_residual < 0 THEN 'credit'
                       WHEN flagged.is_left_out THEN 'excluded'
                       WHEN flagged.date_maturity >= %(today)s THEN 'not_due'
                       WHEN %(today)s - flagged.date_maturity <= 30 THEN 'days_1_30'
                       WHEN %(today)s - flagged.date_maturity <= 60 THEN 'days_31_60'
                       WHEN %(today)s - flagged.date_maturity <= 90 THEN 'days_61_90'
                       ELSE 'days_over_90'
                   END AS bucket,
                   FALSE AS is_credit_use, flagged.is_left_out,
                   flagged.is_open, flagged.is_overdue,
                   CASE WHEN flagged.is_overdue THEN %(today)s - flagged.date_maturity ELSE 0 END AS days_overdue,
                   CASE WHEN flagged.paid_date IS NOT NULL AND flagged.amount_original > 0
                        THEN GREATEST(flagged.paid_date - flagged.date_maturity, 0) END AS days_beyond_terms,
                   flagged.amount_original, flagged.amount_residual,
                   flagged.amount_original - flagged.amount_residual AS amount_paid,
                   CASE WHEN flagged.amount_residual > 0 AND NOT flagged.is_overdue AND NOT flagged.is_left_out
                        THEN flagged.amount_residual ELSE 0 END AS amount_not_due,
                   CASE WHEN flagged.is_overdue THEN flagged.amount_residual ELSE 0 END AS amount_overdue,
                   CASE WHEN flagged.amount_residual > 0 THEN 1 ELSE 0 END AS open_count,
                   CASE WHEN flagged.is_overdue THEN 1 ELSE 0 END AS overdue_count,
                   CASE WHEN flagged.paid_date > flagged.date_maturity AND flagged.amount_original > 0
                        THEN 1 ELSE 0 END AS paid_late_count,
                   CASE WHEN flagged.amount_residual > 0 THEN CASE WHEN flagged.is_overdue THEN 100.0 ELSE 0.0 END
                   END AS overdue_share_count,
                   CASE WHEN flagged.amount_residual > 0 THEN CASE WHEN flagged.is_overdue THEN 100.0 ELSE 0.0 END
                   END AS overdue_share_amount,
                   flagged.expected_date
              FROM flagged
             UNION ALL
            SELECT credit_use.id, NULL, NULL, NULL, credit_use.company_id,
                   %(currency_id)s, credit_use.partner_id, NULL, NULL, credit_use.risk_class_id,
                   NULL, NULL, NULL, 'credit', TRUE, FALSE, TRUE, TRUE, 0, NULL,
                   0, 0, 0, 0, credit_use.amount, 0, 0, 0, NULL, NULL, NULL
              FROM credit_use
             WHERE ROUND(credit_use.amount::numeric, 2) != 0
            """,
            today=today,
            currency_table=currency_table,
            documents=customer_types(self.env),
            companies=tuple(self.env.companies.ids),
            currency_id=self.env.company.currency_id.id,
        )

    @api.model
    def _read_group_orderby(self, order, groupby_terms, query):
        """Groups by age in age order (not due, 1-30, ... over 90 days, left out, credit, paid),
        not in the alphabetical order of their codes."""
        if "bucket" not in groupby_terms:
            return super()._read_group_orderby(order, groupby_terms, query)
        column = groupby_terms["bucket"]
        groupby_terms["bucket"] = SQL("array_position(%s::varchar[], %s::varchar)", BUCKET_ORDER, column)
        try:
            return super()._read_group_orderby(order, groupby_terms, query)
        finally:
            groupby_terms["bucket"] = column

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
