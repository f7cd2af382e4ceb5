#!/usr/bin/env python3
"""How long the nightly risk recompute takes, and how many queries it makes.

    python3 tools/bench_risk.py [--customers 10000] [--keep]

Copies the demo database of `make demo` (built first when missing) to `lp_bench` in the demo
cluster (.demo/), then in `odoo shell`:

1. the nightly recompute (`late.payment.dossier._cron_late_payment_risk`) of the demo
   database as it is;
2. generates N more customers (default 10,000), each with four invoices over the last year,
   the three older ones paid (early, on time, or up to 58 days late, depending on the
   customer) and one open, overdue: a history for everyone; in batches (some minutes);
3. the nightly recompute of all of them: the first night (every factor written) and the next
   one (only what changed is written).

It prints one line per measure (`BENCH ...`): customers scored, seconds, SQL queries. The copy
is dropped at the end unless --keep (then `--customers 0 --keep` measures it again).
"""

import argparse
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import demo_db
import odoo_env
import pgcluster

BENCH_DB = "lp_bench"

SCRIPT = r'''
import time
from datetime import timedelta

import odoo.sql_db as sql_db
from odoo import fields
from odoo.fields import Command

CUSTOMERS = __CUSTOMERS__
dossiers = env["late.payment.dossier"]
company = env.ref("account_late_payment.demo_partner_transports_petit").invoice_ids.company_id[:1]
env = env(context=dict(env.context, allowed_company_ids=[company.id]))
dossiers = env["late.payment.dossier"]


def night(label):
    """Everyone to score again, as on a new day; then the nightly action, timed and counted."""
    env.cr.execute("UPDATE late_payment_dossier SET risk_date = risk_date - 1 WHERE risk_date IS NOT NULL")
    env.cr.commit()
    env.invalidate_all()
    queries, start = sql_db.sql_counter, time.perf_counter()
    dossiers._cron_late_payment_risk()
    env.cr.commit()
    seconds, queries = time.perf_counter() - start, sql_db.sql_counter - queries
    env.cr.execute("SELECT count(*), count(*) FILTER (WHERE risk_date = CURRENT_DATE) FROM late_payment_dossier")
    total, scored = env.cr.fetchone()
    env.cr.execute("SELECT count(*) FROM late_payment_risk_factor")
    factors = env.cr.fetchone()[0]
    print(f"BENCH {label}: {scored} customers scored (of {total} dossiers, {factors} factors) "
          f"in {seconds:.2f} s, {queries} queries", flush=True)


def generate(count):
    """`count` customers with four invoices each over the last year (due 30 days after), the
    three older ones paid 7 x (id % 10) - 5 days after their due date: a bank entry per payment
    day, matched with the invoices in batch."""
    today = fields.Date.context_today(dossiers)
    product = env["product.product"].search([("name", "=", "Conseil et audit")], limit=1)
    bank = env["account.journal"].search([("company_id", "=", company.id), ("type", "=", "bank")], limit=1)
    receivable = env["account.account"].search([
        *env["account.account"]._check_company_domain(company), ("account_type", "=", "asset_receivable")], limit=1)
    start = time.perf_counter()
    partners = env["res.partner"].with_context(tracking_disable=True).create([
        {"name": f"Client de test {index:05d}", "is_company": True, "customer_rank": 1,
         "property_account_receivable_id": receivable.id}
        for index in range(count)])
    env.cr.commit()
    moves_model = env["account.move"].with_context(tracking_disable=True, mail_create_nolog=True)
    chunk = 1000
    for first in range(0, count, chunk):
        batch = partners[first:first + chunk]
        moves = moves_model.create([{
            "move_type": "out_invoice",
            "partner_id": partner.id,
            "invoice_date": today - timedelta(days=age + index % 20),
            "invoice_date_due": today - timedelta(days=age + index % 20 - 30),
            "company_id": company.id,
            "invoice_line_ids": [Command.create({
                "product_id": product.id, "quantity": 1, "price_unit": 200.0 + 10 * (index % 50),
                "tax_ids": [Command.clear()]})],
        } for index, partner in enumerate(batch, start=first) for age in (330, 240, 150, 60)])
        moves.action_post()
        by_day = {}
        for move in moves.filtered(lambda m: (today - m.invoice_date).days > 100):
            delay = 7 * (move.partner_id.id % 10) - 5
            line = move.line_ids.filtered(lambda l: l.account_id.account_type == "asset_receivable")
            by_day.setdefault(move.invoice_date_due + timedelta(days=delay), []).append(line)
        payments = moves_model.create([{
            "move_type": "entry", "journal_id": bank.id, "date": day, "company_id": company.id,
            "line_ids": [Command.create({"account_id": bank.default_account_id.id, "name": "Payments",
                                         "debit": sum(line.balance for line in lines)})]
            + [Command.create({"account_id": line.account_id.id, "partner_id": line.partner_id.id,
                               "name": line.move_id.name, "credit": line.balance}) for line in lines],
        } for day, lines in sorted(by_day.items())])
        payments.action_post()
        plan = []
        for payment, (day, lines) in zip(payments, sorted(by_day.items())):
            credits = payment.line_ids.filtered(lambda l: l.credit)
            plan.extend(invoice_line | credit for invoice_line, credit in zip(lines, credits))
        env["account.move.line"]._reconcile_plan(plan)
        env.cr.commit()
        print(f"BENCH generated {first + len(batch)} customers in {time.perf_counter() - start:.0f} s", flush=True)
    # their follow-up dossiers, as the nightly follow-up refresh would make them
    dossiers._late_payment_refresh(partners=partners, company=company)
    env.cr.commit()


night("demo database")
if CUSTOMERS:
    generate(CUSTOMERS)
    night(f"demo + {CUSTOMERS} generated customers, first night")
night("the next night")
'''


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=10000)
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    args = parser.parse_args()
    odoo_bin = odoo_env.find_odoo()
    if not odoo_bin:
        sys.exit("No Odoo 19 found. " + odoo_env.HOW_TO_POINT)
    cluster = pgcluster.Cluster(demo_db.DEMO_DIR / "pg", persistent=True)
    cluster.init()
    cluster.start()
    try:
        cfg = demo_db.write_config(demo_db.DEMO_DIR / "odoo.cfg", cluster, odoo_bin,
                                   data_dir=demo_db.DEMO_DIR / "filestore")
        log = demo_db.DEMO_DIR / "bench.log"
        log.write_text("")
        if not cluster.database_exists(demo_db.DEMO_DB):
            print("building the demo database first (make demo-build)", flush=True)
            if demo_db.build(odoo_bin, cfg, demo_db.DEMO_DB, demo_db.DEMO_DIR / "build.log"):
                sys.exit("building the demo database failed")
        if not (args.keep and cluster.database_exists(BENCH_DB)):
            cluster.drop_database(BENCH_DB)
            cluster.psql(f'CREATE DATABASE "{BENCH_DB}" TEMPLATE "{demo_db.DEMO_DB}"')
        demo_db.odoo(odoo_bin, cfg, ["-d", BENCH_DB, "-u", odoo_env.MODULE, "--stop-after-init"], log)
        script = SCRIPT.replace("__CUSTOMERS__", str(args.customers))
        rc = demo_db.odoo(odoo_bin, cfg, ["shell", "-d", BENCH_DB, "--no-http"], log, stdin=script)
        lines = [line for line in log.read_text(errors="replace").splitlines() if re.match(r"BENCH ", line)]
        print("\n".join(lines) if lines else f"no measure: see {log}")
        if not args.keep:
            cluster.drop_database(BENCH_DB)
        return rc
    finally:
        cluster.stop()


if __name__ == "__main__":
    sys.exit(main())
