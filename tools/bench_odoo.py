"""The part of `make bench` (tools/bench.py) that runs inside Odoo (`odoo shell`).

    import bench_odoo; bench_odoo.main(env, "generate", {"customers": 1000})

Not loaded by Odoo. Every phase prints `BENCH {json}` lines that tools/bench.py collects.

- generate: N customers, about ten invoices each over the last year with their payment history
  (on time, late, partial, disputed, unpaid), in a database where the addon is installed on a
  French company. A few template documents are made with the ORM (an invoice, a bank entry that
  pays it, their reconciliation), then replicated with SQL (INSERT ... SELECT) keeping Odoo's
  invariants: balanced moves, unique sequence numbers per journal and prefix, residual amounts and
  payment states, partials and full reconciliations with their matching numbers. Then the
  follow-up state and the risk scores are computed as the nightly jobs would. A sample is checked
  against the ORM's own computations.
- measure: one of daily, risk (with the predicted payment dates and the priorities), backtest,
  console, letters, oca; several repetitions on the same starting
  state (what a repetition writes is rolled back), each with its wall time, SQL queries and the
  peak memory (VmHWM) of this process.
"""

import contextlib
import datetime
import json
import random
import statistics
import time
from datetime import timedelta
from pathlib import Path

import freezegun
from dateutil.relativedelta import relativedelta

from odoo import fields, sql_db
from odoo.fields import Command
from odoo.tools import SQL, safe_eval

INVOICES_PER_CUSTOMER = 10
PRICE = 100.0  # template invoice: one line at 100, VAT 20 %: every amount is scaled by an integer
BENCH_USER = "bench_accountant"


def serve_http(env):
    """wkhtmltopdf fetches the reports' style sheets from Odoo's web server, as in production:
    serve them from this process (`odoo shell` has no web server)."""
    from odoo import http
    from odoo.service import server
    from odoo.tools import config

    server.ThreadedServer(http.root).http_spawn()
    env["ir.config_parameter"].sudo().set_param("report.url", f"http://127.0.0.1:{config['http_port']}")
    env.cr.commit()


def report(**values):
    print("BENCH " + json.dumps(values, default=str), flush=True)


def main(env, phase, args):
    if phase == "generate":
        Generator(env, args).run()
    elif phase.startswith("golive_"):
        getattr(GoLive(env, args), phase[len("golive_"):])()
    else:
        Measure(env, args).run(phase)


# -- generation ------------------------------------------------------------------------------
class Generator:
    def __init__(self, env, args):
        self.env = env(context=dict(env.context, tracking_disable=True, mail_create_nolog=True,
                                    mail_notrack=True, mail_create_nosubscribe=True))
        self.count = int(args["customers"])
        self.company = self.env.company
        self.today = fields.Date.context_today(self.env["res.partner"])
        self.cr = self.env.cr
        self.rng = random.Random(42)

    def run(self):
        started = time.perf_counter()
        assert self.company.chart_template == "fr", self.company.chart_template
        self.setup()
        partners = self.customers()
        report(step="customers", seconds=round(time.perf_counter() - started, 1), customers=len(partners))
        self.templates()
        self.replicate(partners)
        report(step="documents", seconds=round(time.perf_counter() - started, 1))
        self.check_sample()
        dossiers = self.env["late.payment.dossier"]
        dossiers._refresh(company=self.company)
        self.env.cr.commit()
        report(step="follow-up state", seconds=round(time.perf_counter() - started, 1))
        dossiers._cron_risk()
        self.env.cr.commit()
        counts = self.env.execute_query(SQL("""
            SELECT (SELECT count(*) FROM account_move WHERE move_type = 'out_invoice'),
                   (SELECT count(*) FROM account_move WHERE move_type = 'entry'),
                   (SELECT count(*) FROM account_move_line),
                   (SELECT count(*) FROM account_partial_reconcile),
                   (SELECT count(*) FROM late_payment_dossier),
                   (SELECT count(*) FROM late_payment_dossier WHERE status != 'none'),
                   (SELECT count(*) FROM late_payment_dossier WHERE next_action_date <= %s)
        """, self.today))[0]
        report(step="generated", seconds=round(time.perf_counter() - started, 1), customers=self.count,
               invoices=counts[0], payments=counts[1], move_lines=counts[2], partials=counts[3],
               dossiers=counts[4], in_followup=counts[5], due_today=counts[6])

    # -- the company's setup: a product, a bank journal, the accountant ------------------------
    def setup(self):
        env = self.env
        company = self.company
        company.write({"email": "compta@bench.example", "street": "1 rue de la Paix", "zip": "75002",
                       "city": "Paris", "phone": "+33 1 00 00 00 00",
                       # an installation in use for a year: its follow-up started then
                       "late_payment_go_live_date": self.today - timedelta(days=365),
                       "late_payment_go_live_mode": "send"})
        self.tax = company.account_sale_tax_id
        assert self.tax and self.tax.amount == 20, self.tax
        self.product = env["product.product"].create({
            "name": "Conseil et audit", "type": "service", "list_price": PRICE,
            "taxes_id": [Command.set(self.tax.ids)]})
        self.bank = env["account.journal"].search([*env["account.journal"]._check_company_domain(company),
                                                   ("type", "=", "bank")], limit=1)
        self.sales = env["account.journal"].search([*env["account.journal"]._check_company_domain(company),
                                                    ("type", "=", "sale")], limit=1)
        self.term = env.ref("account.account_payment_term_30days")
        env["res.users"].create({
            "name": "Comptable", "login": BENCH_USER, "email": "comptable@bench.example",
            "company_id": company.id, "company_ids": [Command.set(company.ids)],
            "group_ids": [Command.link(env.ref("account_late_payment.group_late_payment_user").id)],
        })

    def customers(self):
        france = self.env.ref("base.fr")
        partner_model = self.env["res.partner"]
        partners = partner_model.browse()
        for first in range(0, self.count, 2000):
            partners |= partner_model.create([{
                "name": f"Client {index:06d} SARL", "is_company": True, "customer_rank": 1,
                "email": f"compta{index}@client{index}.example", "phone": f"+33 1 {index:08d}",
                "street": f"{index % 200 + 1} avenue de la République", "zip": f"{69000 + index % 10:05d}",
                "city": "Lyon", "country_id": france.id,
            } for index in range(first, min(first + 2000, self.count))])
            self.cr.commit()
        return partners

    # -- templates, made by the ORM --------------------------------------------------------------
    def templates(self):
        env = self.env
        partner = env["res.partner"].create({"name": "Client modèle", "is_company": True})
        invoice = env["account.move"].create({
            "move_type": "out_invoice", "partner_id": partner.id, "journal_id": self.sales.id,
            "invoice_date": self.today - timedelta(days=400), "invoice_payment_term_id": self.term.id,
            "invoice_line_ids": [Command.create({"product_id": self.product.id, "quantity": 1, "price_unit": PRICE,
                                                 "tax_ids": [Command.set(self.tax.ids)]})],
        })
        invoice.action_post()
        receivable = invoice.line_ids.filtered(lambda line: line.display_type == "payment_term")
        payment = env["account.move"].create({
            "move_type": "entry", "journal_id": self.bank.id, "date": invoice.invoice_date_due,
            "line_ids": [
                Command.create({"account_id": self.bank.default_account_id.id, "partner_id": partner.id,
                                "name": "Virement", "debit": receivable.balance}),
                Command.create({"account_id": receivable.account_id.id, "partner_id": partner.id,
                                "name": "Virement", "credit": receivable.balance}),
            ],
        })
        payment.action_post()
        (receivable | payment.line_ids.filtered(lambda line: line.account_id == receivable.account_id)).reconcile()
        # the invoice's PDF, as sent to the customer: every copy shares its content (the
        # filestore keeps one file per content)
        serve_http(env)
        content, _kind = env["ir.actions.report"]._render_qweb_pdf("account.account_invoices", invoice.ids)
        env["ir.attachment"].create({
            "name": f"{invoice.name.replace('/', '_')}.pdf", "raw": content, "res_model": "account.move",
            "res_id": invoice.id, "res_field": "invoice_pdf_report_file", "mimetype": "application/pdf"})
        env.flush_all()
        assert invoice.payment_state in ("paid", "in_payment"), invoice.payment_state
        self.invoice, self.payment = invoice, payment
        self.paid_state = invoice.payment_state
        self.cr.commit()

    # -- history ---------------------------------------------------------------------------------
    def history(self, partners):
        """One dict per invoice: customer, dates, amount factor, payment (date, share), dispute,
        and the follow-up levels its lines reached (the reminders of the past)."""
        today = self.today
        policy = self.env["late.payment.policy"]._default_policy(self.company)
        levels = [(level.id, level.days) for level in policy.level_ids.sorted("days")]
        rows = []
        for index, partner in enumerate(partners):
            profile = index % 20
            offset = (index * 7) % 36
            for number in range(INVOICES_PER_CUSTOMER):
                invoice_date = today - timedelta(days=365 - number * 36 - offset)
                due = invoice_date + timedelta(days=30)
                factor = self.rng.randint(2, 60)
                if profile < 10:  # pays on time
                    pay = due - timedelta(days=self.rng.randint(0, 10))
                elif profile < 15:  # pays late
                    pay = due + timedelta(days=self.rng.randint(5, 60))
                elif profile < 18:  # pays late, sometimes in part
                    pay = due + timedelta(days=self.rng.randint(10, 45))
                else:  # pays very late, or not at all
                    pay = due + timedelta(days=self.rng.randint(60, 150))
                share = 100
                if profile in (15, 16) and number >= 7:
                    share = 50
                pay = pay if pay < today else None
                if not pay:
                    share = 0
                blocked = profile == 17 and number == 7 and due < today  # disputed: payment blocked
                if blocked:
                    pay, share = None, 0
                rows.append({"partner": partner.id, "date": invoice_date, "due": due, "factor": factor,
                             "pay": pay, "share": share, "blocked": blocked,
                             "level": None, "level_date": None})
                if share < 100 and not blocked:
                    self.past_levels(rows[-1], levels, index + number)
        return rows

    def past_levels(self, row, levels, seed):
        """The levels the reminders of the past brought the open invoice to: each on its day;
        for one in eight, the last level due is still to send (today's run sends it)."""
        reached = [(level, days) for level, days in levels if row["due"] + timedelta(days=days) < self.today]
        if reached and seed % 8 == 0:
            reached = reached[:-1]
        if reached:
            row["level"], days = reached[-1]
            row["level_date"] = row["due"] + timedelta(days=days)

    # -- replication with SQL ---------------------------------------------------------------------
    def columns(self, table):
        rows = self.env.execute_query(SQL(
            "SELECT column_name FROM information_schema.columns WHERE table_name = %s AND column_name != 'id' "
            "ORDER BY ordinal_position", table))
        return [row[0] for row in rows]

    def clone(self, table, staging, join, overrides):
        """INSERT INTO `table` one row per row of `staging` (alias s), copying the template row
        (alias t, joined by `join`) but for the `overrides` (column: SQL expression)."""
        columns = self.columns(table)
        values = [overrides.get(column, f't."{column}"') for column in columns]
        self.cr.execute(f"""
            INSERT INTO {table} (id, {", ".join(f'"{column}"' for column in columns)})
            SELECT s.new_id, {", ".join(values)}
              FROM {staging} s JOIN {table} t ON {join}
        """)

    def amount_overrides(self, table, scale):
        """Scale every amount column (numeric) of `table` by the SQL expression `scale`."""
        rows = self.env.execute_query(SQL(
            "SELECT column_name FROM information_schema.columns WHERE table_name = %s AND data_type = 'numeric'",
            table))
        names = {row[0] for row in rows}
        wanted = {"debit", "credit", "balance", "amount_currency", "amount_residual", "amount_residual_currency",
                  "price_unit", "price_subtotal", "price_total", "tax_base_amount"}
        return {name: f'ROUND(t."{name}" * {scale}, 2)' for name in names
                if name.startswith("amount_") or name in wanted}

    def replicate(self, partners):
        cr = self.cr
        rows = self.history(partners)
        cr.execute("""
            CREATE TEMP TABLE bench_invoice (
                seq serial, new_id int, partner_id int, inv_date date, due date, factor int, pay date,
                share int, blocked bool, level_id int, level_date date, name varchar, prefix varchar,
                number int, pay_id int, pay_name varchar, pay_prefix varchar, pay_number int,
                partial_id int, full_id int
            )""")
        for first in range(0, len(rows), 5000):
            cr.execute(SQL("""
                INSERT INTO bench_invoice (partner_id, inv_date, due, factor, pay, share, blocked, level_id, level_date)
                VALUES %s
            """, SQL(", ").join(SQL("(%s, %s, %s, %s, %s, %s, %s, %s, %s)", row["partner"], row["date"], row["due"],
                                    row["factor"], row["pay"], row["share"], row["blocked"], row["level"],
                                    row["level_date"]) for row in rows[first:first + 5000])))
        invoice, payment = self.invoice, self.payment
        # ids and sequence numbers: per year of the date, after the numbers already used
        cr.execute(SQL("""
            UPDATE bench_invoice b SET new_id = nextval('account_move_id_seq'),
                   prefix = n.prefix, number = n.number,
                   name = n.prefix || lpad(n.number::text, 6, '0')
              FROM (SELECT seq, regexp_replace(%(prefix)s, '\\d{4}', extract(year FROM inv_date)::text) AS prefix,
                           100000 + row_number() OVER (PARTITION BY extract(year FROM inv_date) ORDER BY inv_date, seq)
                           AS number
                      FROM bench_invoice) n
             WHERE n.seq = b.seq
        """, prefix=invoice.sequence_prefix))
        cr.execute(SQL("""
            UPDATE bench_invoice b SET pay_id = nextval('account_move_id_seq'),
                   pay_prefix = n.prefix, pay_number = n.number,
                   pay_name = n.prefix || lpad(n.number::text, 6, '0'),
                   partial_id = nextval('account_partial_reconcile_id_seq'),
                   full_id = CASE WHEN b.share = 100 THEN nextval('account_full_reconcile_id_seq') END
              FROM (SELECT seq, regexp_replace(%(prefix)s, '\\d{4}', extract(year FROM pay)::text) AS prefix,
                           100000 + row_number() OVER (PARTITION BY extract(year FROM pay) ORDER BY pay, seq) AS number
                      FROM bench_invoice WHERE share > 0) n
             WHERE n.seq = b.seq
        """, prefix=payment.sequence_prefix))
        # full reconciliations first (the lines point to them)
        template_full = invoice.line_ids.full_reconcile_id[:1]
        cr.execute("""
            CREATE TEMP TABLE bench_full AS SELECT full_id AS new_id FROM bench_invoice WHERE share = 100
        """)
        self.clone("account_full_reconcile", "bench_full", f"t.id = {template_full.id}", {})
        # invoices
        residual = "ROUND(t.amount_total * s.factor * (100 - s.share) / 100.0, 2)"
        self.clone("account_move", "bench_invoice", f"t.id = {invoice.id}", {
            **self.amount_overrides("account_move", "s.factor"),
            "name": "s.name", "sequence_prefix": "s.prefix", "sequence_number": "s.number",
            "payment_reference": "s.name", "date": "s.inv_date", "invoice_date": "s.inv_date",
            "invoice_date_due": "s.due", "partner_id": "s.partner_id", "commercial_partner_id": "s.partner_id",
            "partner_shipping_id": "s.partner_id",
            "invoice_partner_display_name": "(SELECT name FROM res_partner WHERE id = s.partner_id)",
            "amount_residual": residual, "amount_residual_signed": residual,
            "payment_state": f"""CASE WHEN s.blocked THEN 'blocked' WHEN s.share = 100 THEN '{self.paid_state}'
                                      WHEN s.share > 0 THEN 'partial' ELSE 'not_paid' END""",
            "late_payment_level_id": "s.level_id", "late_payment_level_date": "s.level_date",
            "late_payment_excluded": "s.blocked", "access_token": "NULL",
        })
        cr.execute("""
            CREATE TEMP TABLE bench_line AS
            SELECT nextval('account_move_line_id_seq') AS new_id, l.id AS template_id, l.display_type,
                   b.seq, b.new_id AS move_id, b.name, b.inv_date, b.due, b.partner_id, b.factor, b.share,
                   b.full_id, b.partial_id, b.level_id, b.level_date
              FROM bench_invoice b, account_move_line l
             WHERE l.move_id = %s
        """, [invoice.id])
        receivable = "t.display_type = 'payment_term'"
        line_residual = "ROUND(t.balance * s.factor * (100 - s.share) / 100.0, 2)"
        self.clone("account_move_line", "bench_line", "t.id = s.template_id", {
            **self.amount_overrides("account_move_line", "s.factor"),
            "move_id": "s.move_id", "move_name": "s.name", "date": "s.inv_date", "invoice_date": "s.inv_date",
            "partner_id": "s.partner_id",
            "date_maturity": f"CASE WHEN {receivable} THEN s.due ELSE t.date_maturity END",
            "name": f"CASE WHEN {receivable} THEN s.name ELSE t.name END",
            "amount_residual": f"CASE WHEN {receivable} THEN {line_residual} ELSE 0 END",
            "amount_residual_currency": f"CASE WHEN {receivable} THEN {line_residual} ELSE 0 END",
            "reconciled": f"CASE WHEN {receivable} THEN s.share = 100 ELSE t.reconciled END",
            "full_reconcile_id": f"CASE WHEN {receivable} AND s.share = 100 THEN s.full_id END",
            "matching_number": f"""CASE WHEN {receivable} AND s.share = 100 THEN s.full_id::text
                                        WHEN {receivable} AND s.share > 0 THEN 'P' || s.partial_id END""",
            "late_payment_level_id": f"CASE WHEN {receivable} THEN s.level_id END",
            "late_payment_level_date": f"CASE WHEN {receivable} THEN s.level_date END",
        })
        # payments: a bank entry per paid invoice, for what was paid
        cr.execute("""
            CREATE TEMP TABLE bench_pay AS
            SELECT pay_id AS new_id, pay_name, pay_prefix, pay_number, pay, partner_id, factor, share
              FROM bench_invoice WHERE share > 0
        """)
        self.clone("account_move", "bench_pay", f"t.id = {payment.id}", {
            **self.amount_overrides("account_move", "s.factor * s.share / 100.0"),
            "name": "s.pay_name", "sequence_prefix": "s.pay_prefix", "sequence_number": "s.pay_number",
            "date": "s.pay", "partner_id": "s.partner_id", "commercial_partner_id": "s.partner_id",
            "access_token": "NULL",
        })
        cr.execute("""
            CREATE TEMP TABLE bench_pay_line AS
            SELECT nextval('account_move_line_id_seq') AS new_id, l.id AS template_id, l.display_type,
                   l.account_id = %s AS is_receivable, b.seq, b.pay_id, b.pay_name, b.pay, b.partner_id,
                   b.factor, b.share, b.full_id, b.partial_id
              FROM bench_invoice b, account_move_line l
             WHERE l.move_id = %s AND b.share > 0
        """, [invoice.line_ids.filtered(lambda line: line.display_type == "payment_term").account_id.id, payment.id])
        is_receivable = "s.is_receivable"
        self.clone("account_move_line", "bench_pay_line", "t.id = s.template_id", {
            **self.amount_overrides("account_move_line", "s.factor * s.share / 100.0"),
            "move_id": "s.pay_id", "move_name": "s.pay_name", "date": "s.pay", "partner_id": "s.partner_id",
            "amount_residual": f"CASE WHEN {is_receivable} THEN 0 ELSE t.amount_residual END",
            "amount_residual_currency": f"CASE WHEN {is_receivable} THEN 0 ELSE t.amount_residual_currency END",
            "reconciled": f"CASE WHEN {is_receivable} THEN TRUE ELSE t.reconciled END",
            "full_reconcile_id": f"CASE WHEN {is_receivable} AND s.share = 100 THEN s.full_id END",
            "matching_number": f"""CASE WHEN NOT {is_receivable} THEN t.matching_number
                                        WHEN s.share = 100 THEN s.full_id::text ELSE 'P' || s.partial_id END""",
        })
        # reconciliations
        template_partial = invoice.line_ids.matched_credit_ids[:1]
        cr.execute("""
            CREATE TEMP TABLE bench_partial AS
            SELECT b.partial_id AS new_id, b.share, b.factor, b.pay, b.full_id, il.new_id AS debit_id,
                   pl.new_id AS credit_id
              FROM bench_invoice b
              JOIN bench_line il ON il.seq = b.seq AND il.display_type = 'payment_term'
              JOIN bench_pay_line pl ON pl.seq = b.seq AND pl.is_receivable
        """)
        self.clone("account_partial_reconcile", "bench_partial", f"t.id = {template_partial.id}", {
            **{name: f"ROUND(t.{name} * s.factor * s.share / 100.0, 2)"
               for name in ("amount", "debit_amount_currency", "credit_amount_currency")},
            "debit_move_id": "s.debit_id", "credit_move_id": "s.credit_id",
            "full_reconcile_id": "CASE WHEN s.share = 100 THEN s.full_id END", "max_date": "s.pay",
        })
        # many2many rows of the template lines (taxes, tax tags)
        for field in self.env["account.move.line"]._fields.values():
            if field.type == "many2many" and field.store:
                for staging in ("bench_line", "bench_pay_line"):
                    cr.execute(f"""
                        INSERT INTO {field.relation} ({field.column1}, {field.column2})
                        SELECT s.new_id, r.{field.column2} FROM {staging} s
                          JOIN {field.relation} r ON r.{field.column1} = s.template_id
                        ON CONFLICT DO NOTHING
                    """)
        # every invoice's PDF (the same content: the filestore keeps one file)
        attachment = invoice.invoice_pdf_report_id
        cr.execute("CREATE TEMP TABLE bench_attachment AS SELECT nextval('ir_attachment_id_seq') AS new_id, "
                   "b.new_id AS move_id, b.name FROM bench_invoice b")
        self.clone("ir_attachment", "bench_attachment", f"t.id = {attachment.id}", {
            "res_id": "s.move_id", "name": "replace(s.name, '/', '_') || '.pdf'"})
        for table in ("account_move", "account_move_line", "account_partial_reconcile", "account_full_reconcile",
                      "ir_attachment"):
            cr.execute(f"SELECT setval('{table}_id_seq', (SELECT max(id) FROM {table}))")
        self.env.invalidate_all()
        self.env.registry.clear_cache()
        cr.commit()
        # the planner's statistics, as autovacuum would gather them after such a load
        cr.execute("ANALYZE")
        cr.commit()

    def check_sample(self):
        """The ORM computes the same amounts, residuals and payment states on a sample."""
        moves = self.env["account.move"].search([("move_type", "=", "out_invoice"), ("id", "!=", self.invoice.id)])
        sample = moves.browse(self.rng.sample(moves.ids, min(60, len(moves))))
        fnames = ["amount_untaxed", "amount_tax", "amount_total", "amount_residual", "amount_residual_signed",
                  "payment_state"]
        lines = sample.line_ids | sample.line_ids.matched_credit_ids.credit_move_id
        line_fnames = ["amount_residual", "amount_residual_currency", "reconciled"]
        stored = {move.id: [move[fname] for fname in fnames] for move in sample}
        stored_lines = {line.id: [line[fname] for fname in line_fnames] for line in lines}
        for move in sample:
            assert move.currency_id.is_zero(sum(move.line_ids.mapped("balance"))), move.name
        lines._compute_amount_residual()
        sample._compute_amount()
        for line in lines:
            assert [line[fname] for fname in line_fnames] == stored_lines[line.id], (
                line.move_id.name, line.display_type, [line[fname] for fname in line_fnames], stored_lines[line.id])
        for move in sample:
            if move.payment_state == "blocked":
                continue
            assert [move[fname] for fname in fnames] == stored[move.id], (
                move.name, [move[fname] for fname in fnames], stored[move.id])
        self.env.invalidate_all()
        self.cr.rollback()
        report(step="checked", invoices=len(sample), lines=len(lines))


# -- measures --------------------------------------------------------------------------------------
def peak_rss_reset():
    """Reset the process's peak resident memory (VmHWM) to its current size (Linux)."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def peak_rss_mb():
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


class Measure:
    def __init__(self, env, args):
        self.env = env
        self.repeat = int(args.get("repeat", 3))
        self.args = args
        self.company = env.company
        self.today = fields.Date.context_today(env["res.partner"])

    def run(self, name):
        getattr(self, f"setup_{name}", lambda: None)()
        results = []
        for _rep in range(self.repeat):
            self.env.invalidate_all()
            peak_rss_reset()
            queries, start = sql_db.sql_counter, time.perf_counter()
            with self.no_commit():
                info = getattr(self, f"measure_{name}")() or {}
                self.env.flush_all()
            seconds, queries = time.perf_counter() - start, sql_db.sql_counter - queries
            results.append({"seconds": seconds, "queries": queries, "rss_mb": peak_rss_mb(), **info})
            self.env.cr.rollback()
            self.env.invalidate_all()
        times = [result["seconds"] for result in results]
        counts = [result["queries"] for result in results]
        report(measure=name, repeat=self.repeat, median_s=round(statistics.median(times), 3),
               min_s=round(min(times), 3), max_s=round(max(times), 3),
               queries=int(statistics.median(counts)), queries_min=min(counts), queries_max=max(counts),
               rss_mb=round(max(result["rss_mb"] for result in results)),
               **{key: value for key, value in results[-1].items() if key not in ("seconds", "queries", "rss_mb")})

    def no_commit(self):
        """What the measured code commits stays in this transaction (rolled back after the
        repetition): a commit flushes, runs the pre-commit hooks and clears the caches, as a
        real one, but does not end the transaction."""
        measure = self

        class NoCommit:
            def __enter__(self):
                cr = measure.env.cr
                self.commit = cr.commit

                def fake_commit():
                    cr.flush()
                    cr.clear()
                    cr.postcommit.clear()

                cr.commit = fake_commit

            def __exit__(self, *exc):
                measure.env.cr.commit = self.commit

        return NoCommit()

    # the daily follow-up run: every customer's state, and the reminders due today
    def setup_daily(self):
        company_model = type(self.env["res.company"])
        if not self.company._late_payment_is_business_day(self.today):
            # reminders go out on business days only: the bench measures a day when they do
            company_model._late_payment_is_business_day = lambda company, day: True
            report(note=f"{self.today} is not a business day in France: measured as if it were")

    def measure_daily(self):
        before = self.env.execute_query(SQL("SELECT COALESCE(max(id), 0) FROM late_payment_reminder"))[0][0]
        mails_before = self.env.execute_query(SQL("SELECT COALESCE(max(id), 0) FROM mail_mail"))[0][0]
        self.env["late.payment.run"]._cron_run(
            **({"batch_size": int(self.args["batch"])} if self.args.get("batch") else {}))
        reminders, letters = self.env.execute_query(SQL(
            "SELECT count(*), count(*) FILTER (WHERE letter_state = 'queued') FROM late_payment_reminder "
            "WHERE id > %s", before))[0]
        mails = self.env.execute_query(SQL(
            "SELECT count(*) FROM mail_mail WHERE id > %s AND state = 'outgoing'", mails_before))[0][0]
        customers = self.env.execute_query(SQL(
            "SELECT count(*) FROM late_payment_dossier WHERE last_run_date = %s", self.today))[0][0]
        return {"customers": customers, "reminders": reminders, "emails_queued": mails, "letters": letters}

    # the nightly risk recompute, the next night: everyone scored again a day later (the days
    # late grow, the predictions of the invoices past their expected date move, the priorities too),
    # then the backtest of the predictions stored for the dashboard
    def measure_risk(self):
        tomorrow = self.today + timedelta(days=1)
        self.env.cr.execute("""
            CREATE TEMP TABLE bench_expected ON COMMIT DROP AS
            SELECT id, late_payment_expected_date AS expected, late_payment_expected_low AS low,
                   late_payment_expected_high AS high
              FROM account_move WHERE late_payment_expected_date IS NOT NULL""")
        with freezegun.freeze_time(datetime.datetime.combine(tomorrow, datetime.time(1, 0)), tick=True):
            self.env["late.payment.dossier"]._cron_risk()
            self.env.flush_all()
        scored = self.env.execute_query(SQL(
            "SELECT count(*) FROM late_payment_dossier WHERE risk_date = %s", tomorrow))[0][0]
        moved = self.env.execute_query(SQL("""
            SELECT count(*) FROM account_move move FULL JOIN bench_expected old ON old.id = move.id
             WHERE (move.late_payment_expected_date IS NOT NULL OR old.id IS NOT NULL)
               AND (old.expected, old.low, old.high) IS DISTINCT FROM
                   (move.late_payment_expected_date, move.late_payment_expected_low, move.late_payment_expected_high)
        """))[0][0]
        return {"customers": scored, "predictions_moved": moved}

    # the backtest of the predicted payment dates on the generated ledger (engine/prediction.py):
    # the mean absolute error in days beside "paid on the due date" and "the customer's last delay"
    def measure_backtest(self):
        result = self.env["late.payment.dossier"]._backtest(self.company, self.today)
        if not result:
            return {"invoices": 0}
        return {"invoices": result.count, "mae_days": round(result.mae, 2),
                "mae_due_date_days": round(result.mae_due_date, 2),
                "mae_last_delay_days": round(result.mae_last_delay, 2)}

    # the console's first page, for an accountant
    def setup_console(self):
        env = self.env
        user = env["res.users"].search([("login", "=", BENCH_USER)])
        action = env.ref("account_late_payment.action_late_payment_console", raise_if_not_found=False) \
            or env.ref("account_late_payment.action_late_payment_dossiers")
        self.user_env = env(user=user, context={"lang": "en_US", "tz": "Europe/Paris",
                                                "allowed_company_ids": self.company.ids})
        self.action_name = action.get_external_id()[action.id]
        context = safe_eval.safe_eval(action.context or "{}", {"uid": user.id, "context": {}})
        views = [(view.view_id.id, view.view_mode) for view in action.view_ids] or [(False, "list")]
        list_view = next((view_id for view_id, mode in views if mode == "list"), False)
        self.model = self.user_env[action.res_model]
        self.views_args = ([(list_view, "list"), (action.search_view_id.id, "search")], {"action_id": action.id})
        result = self.model.get_views(*self.views_args[:1], options=self.views_args[1])
        from lxml import etree

        arch = etree.fromstring(result["views"]["list"]["arch"])
        self.fields = [node.get("name") for node in arch.iter("field") if node.getparent().tag == "list"]
        search = etree.fromstring(result["views"]["search"]["arch"])
        eval_context = {**env["ir.actions.actions"]._get_eval_context(), "uid": user.id,
                        "context_today": lambda: datetime.datetime.now(), "relativedelta": relativedelta}
        domain = safe_eval.safe_eval(action.domain or "[]", eval_context)
        for key, value in context.items():
            if key.startswith("search_default_") and value:
                node = search.find(f".//filter[@name='{key[len('search_default_'):]}']")
                if node is not None and node.get("domain"):
                    domain += safe_eval.safe_eval(node.get("domain"), eval_context)
        self.domain = domain
        model_fields = self.model._fields
        self.specification = {
            fname: {"fields": {"display_name": {}}} if model_fields[fname].type == "many2one" else {}
            for fname in self.fields if fname in model_fields}
        report(note=f"console: {self.action_name}, {len(self.specification)} fields, domain {domain}")

    def measure_console(self):
        self.model.get_views(*self.views_args[:1], options=self.views_args[1])
        result = self.model.web_search_read(self.domain, self.specification, limit=80, count_limit=10001)
        return {"records": len(result["records"]), "length": result["length"]}

    # 100 reminder letters, one PDF
    def setup_letters(self):
        """100 reminders with their letter, to customers whose follow-up has a next level, in
        the tone it would have (written without sending anything)."""
        dossiers = self.env["late.payment.dossier"].search(
            [("company_id", "=", self.company.id), ("next_level_id", "!=", False)], limit=100, order="id")
        assert dossiers, "no customer to write to"
        bodies = {}
        tones = dossiers.grouped(lambda dossier: dossier.next_tone_id or dossier.next_level_id.tone_id)
        for tone, group in tones.items():
            bodies.update(tone._render_letter(group))
        chosen = [dossiers[index % len(dossiers)] for index in range(100)]
        self.reminders = self.env["late.payment.reminder"].create([{
            "partner_id": dossier.partner_id.id, "company_id": self.company.id, "dossier_id": dossier.id,
            "level_id": dossier.next_level_id.id, "tone_id": (dossier.next_tone_id or dossier.next_level_id.tone_id).id,
            "channel_letter": True, "result": "queued", "letter_state": "queued", "letter_body": bodies[dossier.id],
        } for dossier in chosen])
        self.env.cr.commit()
        serve_http(self.env)

    def measure_letters(self):
        content, _kind = self.env["ir.actions.report"]._render_qweb_pdf(
            "account_late_payment.action_report_late_payment_letter", self.reminders.ids)
        return {"letters": len(self.reminders), "pdf_kb": len(content) // 1024}

    # OCA's account_credit_control: its run generates a credit line for every overdue invoice
    def setup_oca(self):
        env = self.env
        company = self.company
        receivable = env["account.account"].search([*env["account.account"]._check_company_domain(company),
                                                    ("account_type", "=", "asset_receivable")])
        template = env.ref("account_credit_control.email_template_credit_control_base")
        policy = env["credit.control.policy"].create({
            "name": "Bench: 3 levels", "company_id": company.id, "account_ids": [Command.set(receivable.ids)],
            "level_ids": [Command.create({
                "name": name, "level": level, "computation_mode": "net_days", "delay_days": days,
                "email_template_id": template.id, "channel": channel, "custom_text": name,
                "custom_mail_text": f"<p>{name}</p>"})
                for level, (name, days, channel) in enumerate(
                    [("Friendly reminder", 3, "email"), ("Firm reminder", 15, "email"),
                     ("Formal notice", 30, "letter")], start=1)],
        })
        company.credit_policy_id = policy
        env.cr.commit()
        self.policy = policy

    def measure_oca(self):
        run = self.env["credit.control.run"].create({"date": self.today, "policy_ids": [Command.set(self.policy.ids)],
                                                     "company_id": self.company.id})
        run.generate_credit_lines()
        return {"lines": len(run.line_ids), "customers": len(run.line_ids.partner_id)}


# -- go-live on an existing ledger, no stored PDFs, in Odoo with workers (tools/bench.py) ------------
class GoLive:
    """The addon just installed on a company with a ledger: no reminder was ever sent, no invoice
    has a stored PDF, the follow-up not started. `prepare` makes that state from a generated
    database and writes what the first run must send; tools/bench.py then runs Odoo with
    workers, `start` starts the follow-up with 'send' as an administrator would, the scheduled
    action runs in the cron worker, and `check` compares what was sent with what was due."""

    RUN_CRON = "account_late_payment.ir_cron_late_payment_run"

    def __init__(self, env, args):
        self.env = env
        self.args = args
        self.company = env.company
        self.today = fields.Date.context_today(env["res.partner"])
        self.expected_path = Path(args.get("expected") or "/dev/null")

    def prepare(self):
        env, cr, company = self.env, self.env.cr, self.company
        if not company._late_payment_is_business_day(self.today):
            report(golive_skipped=f"{self.today} is not a business day in France: the first run sends nothing")
            return
        # nothing sent yet: no reminder, no level reached, no stored invoice PDF, not started
        cr.execute("DELETE FROM late_payment_reminder_line")
        cr.execute("DELETE FROM late_payment_reminder")
        cr.execute("UPDATE account_move_line SET late_payment_level_id = NULL, late_payment_level_date = NULL "
                   "WHERE late_payment_level_id IS NOT NULL")
        cr.execute("DELETE FROM ir_attachment "
                   "WHERE res_model = 'account.move' AND res_field = 'invoice_pdf_report_file'")
        pdfs_removed = cr.rowcount
        cr.execute("UPDATE late_payment_dossier SET last_run_date = NULL")
        # a database copied without its filestore: the style sheets wkhtmltopdf loads are built again
        cr.execute("DELETE FROM ir_attachment WHERE url LIKE '/web/assets/%%'")
        company.write({"late_payment_go_live_date": False, "late_payment_go_live_mode": False})
        env.invalidate_all()
        env["late.payment.dossier"]._refresh(company=company)
        # what the first run must send: the preview's reminders, each with its invoices
        plans, manual = company._late_payment_first_run_plans()
        expected = {
            str(plan["partner"].id): sorted(plan["lines"].move_id.filtered(lambda m: m.is_invoice()).ids)
            if plan["level"].attach_invoices else []
            for plan in plans
        }
        self.expected_path.write_text(json.dumps(expected))
        # only the follow-up run in the cron worker: Odoo's other jobs (the mail queue...) wait
        run_cron = env.ref(self.RUN_CRON)
        cr.execute("UPDATE ir_cron SET active = (id = %s)", [run_cron.id])
        run_cron.nextcall = fields.Datetime.now() + timedelta(days=1)
        cr.execute("DELETE FROM ir_cron_trigger")
        cr.execute("DELETE FROM ir_cron_progress")
        env["ir.config_parameter"].sudo().set_param("report.url", f"http://127.0.0.1:{self.args['http_port']}")
        cr.commit()
        invoices = len({move for moves in expected.values() for move in moves})
        report(golive_prepared=True, customers=len(expected), manual=len(manual), invoices_to_attach=invoices,
               pdfs_removed=pdfs_removed, cron_id=run_cron.id)

    def start(self):
        """As an administrator would: Settings > Late Payments > Start the follow-up > Send."""
        self.company.late_payment_go_live("send")
        self.env.cr.commit()
        report(golive_started=str(fields.Datetime.now()))

    def check(self):
        expected = {int(key): set(value) for key, value in json.loads(self.expected_path.read_text()).items()}
        rows = self.env.execute_query(SQL("""
            SELECT r.partner_id, r.id, r.mail_message_id FROM late_payment_reminder r
             WHERE r.company_id = %s AND r.date = %s AND r.result != 'failed'
        """, self.company.id, self.today))
        by_partner = {}
        for partner_id, reminder_id, message_id in rows:
            by_partner.setdefault(partner_id, []).append((reminder_id, message_id))
        twice = sorted(partner for partner, reminders in by_partner.items() if len(reminders) > 1)
        missing = sorted(set(expected) - set(by_partner))
        unexpected = sorted(set(by_partner) - set(expected))
        attached = {row[0]: set(row[1] or []) for row in self.env.execute_query(SQL("""
            SELECT rel.message_id, array_agg(a.res_id) FILTER (WHERE a.res_field = 'invoice_pdf_report_file')
              FROM message_attachment_rel rel JOIN ir_attachment a ON a.id = rel.attachment_id
             WHERE rel.message_id = ANY(%s) GROUP BY rel.message_id
        """, [message_id for _p, reminders in by_partner.items() for _r, message_id in reminders if message_id]))}
        without = sorted(partner for partner, invoices in expected.items() if partner in by_partner and any(
            not invoices <= attached.get(message_id, set()) for _r, message_id in by_partner[partner]))
        failed = self.env.execute_query(SQL(
            "SELECT count(*) FROM late_payment_reminder WHERE company_id = %s AND result = 'failed'",
            self.company.id))[0][0]
        stored = self.env.execute_query(SQL(
            "SELECT count(*) FROM ir_attachment "
            "WHERE res_model = 'account.move' AND res_field = 'invoice_pdf_report_file'"))[0][0]
        report(golive_checked=True, expected=len(expected), reminded=len(by_partner), twice=len(twice),
               missing=len(missing), unexpected=len(unexpected), without_all_invoices=len(without), failed=failed,
               pdfs_stored=stored, examples={"twice": twice[:5], "missing": missing[:5], "without": without[:5]})
