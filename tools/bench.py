#!/usr/bin/env python3
"""`make bench [N=10000]`: the follow-up at scale, side by side with OCA's credit control.

    python3 tools/bench.py [--customers 10000] [--repeat 3] [--no-scaling] [--keep] [--results FILE]

In a private PostgreSQL cluster (.build/bench/), for N customers and, to show how it scales,
for N/10 customers (unless --no-scaling):

1. a database with the addon installed on a French company (French chart of accounts), where
   tools/bench_odoo.py generates the customers, about ten invoices each over the last year with
   their payments (on time, late, partial, disputed, unpaid) and the reminders of the past;
2. measures, each repeated (default 3) on the same starting state, with the median and the
   spread of the wall time, the SQL queries, and the peak memory of the Odoo process: the daily
   follow-up run (every customer's state, the reminders due today: emails queued, not sent),
   the nightly risk recompute, the follow-up console's first page for an accountant, 100
   reminder letters rendered as one PDF;
3. in a copy of the database, OCA's `account_credit_control` (downloaded from PyPI into
   ~/.cache/account_late_payment/bench-addons, never into the repository) with a three-level
   policy like ours: the time of its credit-control run (a credit line for every overdue
   invoice), beside ours.

4. at N customers (unless --no-golive; --golive-only for this scenario alone), "an existing
   ledger, no stored PDFs": in a copy of the database, no reminder ever sent, no level reached,
   no invoice PDF stored, the follow-up not started (tools/bench_odoo.py GoLive); Odoo runs
   with workers (`--workers 2 --max-cron-threads 1`, default time limits, limit_time_real_cron
   120 s), the follow-up is started with `send` as an administrator would, the scheduled action
   runs in the cron worker until it reports nothing left; then every customer the preview said
   was due must have got exactly one reminder with all its invoices' PDFs attached. Reported:
   the time of the first day's run, the PDFs rendered per second, the longest batch (one
   transaction) from the run's own log, the longest transaction seen in PostgreSQL, and the
   workers Odoo killed (none expected). Its server log is .build/bench/golive-server.log.

Prints a Markdown table and writes it, with the machine and the command, to bench/RESULTS.md
(--results to write elsewhere). Odoo's output goes to .build/bench/bench.log.
"""

import argparse
import json
import os
import platform
import re
import shlex
import subprocess
import sys
import time
import zipfile
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import demo_db
import odoo_env
import pgcluster

TOOLS = Path(__file__).resolve().parent
BENCH_DIR = odoo_env.BUILD / "bench"
LOG = BENCH_DIR / "bench.log"
OCA_DIR = odoo_env.CACHE / "bench-addons"
OCA_MODULE = "account_credit_control"
OCA_DIST = "odoo-addon-account-credit-control==19.0.*"
MEASURES = [
    ("daily", "Daily follow-up run (every customer's state, today's reminders)"),
    ("risk", "Nightly risk recompute, the next night (every customer scored, its invoices' payment dates "
             "predicted, its priority; the backtest stored)"),
    ("backtest", "Backtest of the predicted payment dates (last 12 months, mean absolute error)"),
    ("console", "Follow-up console, first page (80 rows, accountant)"),
    ("letters", "100 reminder letters (one PDF)"),
]
SHELL = """
import sys
sys.path.insert(0, {tools!r})
import bench_odoo
bench_odoo.main(env, {phase!r}, {args!r})
"""


class Bench:
    def __init__(self, args):
        self.args = args
        self.odoo_bin = odoo_env.find_odoo()
        if not self.odoo_bin:
            sys.exit("No Odoo 19 found. " + odoo_env.HOW_TO_POINT)
        odoo_env.check_version(self.odoo_bin)
        BENCH_DIR.mkdir(parents=True, exist_ok=True)
        self.cluster = pgcluster.Cluster(BENCH_DIR / "pg", persistent=True)
        self.phases = []
        self.rows = []
        self.golive_rows = []

    # -- plumbing --------------------------------------------------------------------------------
    def config(self, with_oca=False):
        cfg = demo_db.write_config(BENCH_DIR / ("odoo-oca.cfg" if with_oca else "odoo.cfg"), self.cluster,
                                   self.odoo_bin, data_dir=BENCH_DIR / "filestore",
                                   http_port=pgcluster.free_port())
        if with_oca:
            text = cfg.read_text().replace("addons_path = ", f"addons_path = {OCA_DIR / 'addons'},")
            cfg.write_text(text)
        return cfg

    def odoo(self, args, cfg=None, stdin=None):
        rc = demo_db.odoo(self.odoo_bin, cfg or self.cfg, args, LOG, stdin=stdin)
        if rc:
            sys.exit(f"Odoo failed ({' '.join(args[:4])}): see {LOG}")

    def shell(self, db, phase, cfg=None, **args):
        """Run a phase of bench_odoo in `odoo shell`; returns its BENCH records."""
        start = LOG.stat().st_size
        script = SHELL.format(tools=str(TOOLS), phase=phase, args=args)
        self.odoo(["shell", "-d", db, "--no-http", "--log-level=warn"], cfg=cfg, stdin=script)
        with open(LOG, errors="replace") as log:
            log.seek(start)
            text = log.read()
        records = [json.loads(line[len("BENCH "):]) for line in text.splitlines() if line.startswith("BENCH ")]
        if not records:
            sys.exit(f"No result from {phase} on {db}: see {LOG}")
        for record in records:
            if "note" in record:
                print(f"   note: {record['note']}", flush=True)
        return records

    def timed(self, label, func, *args):
        start = time.perf_counter()
        print(f"-- {label}", flush=True)
        result = func(*args)
        seconds = time.perf_counter() - start
        self.phases.append((label, seconds))
        print(f"   {label}: {seconds:.0f} s", flush=True)
        return result

    def copy_db(self, source, target):
        self.cluster.drop_database(target)
        self.cluster.psql(f'CREATE DATABASE "{target}" TEMPLATE "{source}"')

    # -- phases ----------------------------------------------------------------------------------
    def base(self):
        self.cluster.drop_database("lpb_base")
        command = [self.odoo_bin, "db", "-c", str(self.cfg), "init", "lpb_base", "--country", "FR"]
        with open(LOG, "a") as log:
            log.write(f"\n# {shlex.join(command)}\n")
            log.flush()
            if subprocess.run(command, stdout=log, stderr=subprocess.STDOUT, check=False).returncode:
                sys.exit(f"Creating the database failed: see {LOG}")
        # the French company gets the French chart of accounts with the accounting
        odoo_env.ensure_packages(self.odoo_bin, {"phonenumbers": "phonenumbers"})
        self.odoo(["-d", "lpb_base", "-i", odoo_env.MODULE, "--stop-after-init", "--log-level=warn"])

    def generate(self, customers):
        db = f"lpb_{customers}"
        self.copy_db("lpb_base", db)
        records = self.shell(db, "generate", customers=customers)
        for record in records:
            if "step" in record:
                print(f"   {record}", flush=True)
        return db

    def measure(self, db, customers):
        for name, label in MEASURES:
            record = self.shell(db, name, repeat=self.args.repeat, **(
                {"batch": self.args.batch} if self.args.batch and name == "daily" else {}))[-1]
            self.rows.append((customers, label, record))
            print(f"   {self.row_text(customers, label, record)}", flush=True)

    def oca_addon(self):
        target = OCA_DIR / "addons" / OCA_MODULE
        if (target / "__manifest__.py").exists():
            return
        wheels = OCA_DIR / "wheels"
        wheels.mkdir(parents=True, exist_ok=True)
        if not list(wheels.glob("odoo_addon_account_credit_control-19.0*.whl")):
            # the wheel requires an `odoo` distribution no registry has: no dependencies
            subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--disable-pip-version-check",
                            OCA_DIST, "-d", str(wheels)], check=True)
        wheel = sorted(wheels.glob("odoo_addon_account_credit_control-19.0*.whl"))[-1]
        prefix = f"odoo/addons/{OCA_MODULE}/"
        with zipfile.ZipFile(wheel) as archive:
            for member in archive.namelist():
                if member.startswith(prefix) and not member.endswith("/"):
                    path = target / member[len(prefix):]
                    path.parent.mkdir(parents=True, exist_ok=True)
                    path.write_bytes(archive.read(member))
        print(f"   {wheel.name} unpacked into {target.parent}", flush=True)

    def oca(self, db, customers):
        self.oca_addon()
        cfg = self.config(with_oca=True)
        oca_db = f"{db}_oca"
        self.copy_db(db, oca_db)
        self.odoo(["-d", oca_db, "-i", OCA_MODULE, "--stop-after-init", "--log-level=warn"], cfg=cfg)
        record = self.shell(oca_db, "oca", cfg=cfg, repeat=self.args.repeat)[-1]
        self.rows.append((customers, "OCA account_credit_control: credit-control run (lines for every overdue "
                                     "invoice)", record))
        print(f"   {self.row_text(customers, 'OCA credit control run', record)}", flush=True)
        if not self.args.keep:
            self.cluster.drop_database(oca_db)

    def golive(self, db, customers):
        """An existing ledger, no stored PDFs: the first day's run after going live, in Odoo with
        workers (2 HTTP workers, 1 cron worker, Odoo's default time limits: a scheduled action is
        killed after limit_time_real_cron = 120 s)."""
        golive_db = f"{db}_golive"
        self.copy_db(db, golive_db)
        port = pgcluster.free_port()
        expected = BENCH_DIR / "golive-expected.json"
        prepared = self.shell(golive_db, "golive_prepare", expected=str(expected), http_port=port)[-1]
        if "golive_skipped" in prepared:
            print(f"   {prepared['golive_skipped']}", flush=True)
            return
        print(f"   {prepared}", flush=True)
        server_log = BENCH_DIR / "golive-server.log"
        server_log.write_text("")
        command = [self.odoo_bin, "server", "-c", str(self.cfg), "-d", golive_db, "--db-filter", f"^{golive_db}$",
                   "--http-port", str(port), "--workers", "2", "--max-cron-threads", "1",
                   "--limit-time-real-cron", "120", "--log-level", "info", "--logfile", str(server_log)]
        server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        cron_id = prepared["cron_id"]
        longest_xact = 0.0
        try:
            self.wait_http(port)
            started = time.perf_counter()
            self.shell(golive_db, "golive_start")
            done_polls = 0
            while time.perf_counter() - started < self.args.golive_timeout:
                time.sleep(2)
                state = self.cluster.psql(f"""
                    SELECT (SELECT count(*) FROM ir_cron_trigger WHERE cron_id = {cron_id}),
                           (SELECT coalesce((SELECT remaining FROM ir_cron_progress WHERE cron_id = {cron_id}
                                             ORDER BY id DESC LIMIT 1), -1)),
                           (SELECT coalesce(max(extract(epoch FROM now() - xact_start)), 0) FROM pg_stat_activity
                             WHERE datname = '{golive_db}' AND state != 'idle' AND backend_type = 'client backend'
                               AND query NOT LIKE '%pg_stat_activity%'),
                           (SELECT count(*) FROM late_payment_reminder)""", golive_db).split("|")
                triggers, remaining, xact, reminders = int(state[0]), int(state[1]), float(state[2]), int(state[3])
                longest_xact = max(longest_xact, xact)
                done_polls = done_polls + 1 if (triggers == 0 and remaining == 0) else 0
                if done_polls >= 3:  # reported done and nothing more to run, three polls in a row
                    break
            seconds = time.perf_counter() - started
        finally:
            server.terminate()
            try:
                server.wait(timeout=60)
            except subprocess.TimeoutExpired:
                server.kill()
        checked = self.shell(golive_db, "golive_check", expected=str(expected))[-1]
        log = server_log.read_text(errors="replace")
        batches = [float(match)
                   for match in re.findall(r"Late payments: .*: a batch of \d+ records in ([\d.]+) s", log)]
        pdfs = [(int(count), float(secs)) for count, secs in
                re.findall(r"Late payments: (\d+) invoice PDFs rendered in ([\d.]+) s", log)]
        # one line per worker Odoo killed (its traceback repeats the words: not counted)
        killed = len(re.findall(r"WorkerCron \(\d+\) timeout|Worker \(\d+\) (?:virtual real time|CPU time) limit "
                                r"\(\d+\) reached", log))
        pdf_count, pdf_seconds = sum(count for count, _s in pdfs), sum(secs for _c, secs in pdfs)
        record = {
            **checked, "seconds": round(seconds, 1), "reminders_total": reminders,
            "longest_batch_s": round(max(batches, default=0.0), 1), "batches": len(batches),
            "longest_transaction_s": round(longest_xact, 1), "pdfs_rendered": pdf_count,
            "pdf_calls": len(pdfs), "pdf_seconds": round(pdf_seconds, 1),
            "pdfs_per_s": round(pdf_count / pdf_seconds, 2) if pdf_seconds else 0.0,
            "s_per_pdf": round(pdf_seconds / pdf_count, 3) if pdf_count else 0.0,
            "workers_killed": killed, "complete": done_polls >= 3,
        }
        self.golive_rows.append((customers, record))
        print(f"   {record}", flush=True)
        if not self.args.keep:
            self.cluster.drop_database(golive_db)

    def wait_http(self, port, timeout=300):
        import urllib.request

        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/web/health", timeout=5)
                return
            except OSError:
                time.sleep(2)
        sys.exit(f"Odoo with workers did not answer on port {port}")

    def golive_table(self):
        if not self.golive_rows:
            return ""
        lines = [
            "", "### An existing ledger, no stored PDFs: the first day's run after going live", "",
            "Odoo with workers (`--workers 2 --max-cron-threads 1`, default time limits: "
            "`limit_time_real_cron` 120 s, `limit_time_cpu` 60 s), the follow-up started with `send`, "
            "the scheduled action run by the cron worker until done.", "",
            "| customers | due customers | reminded (once each) | with all their invoices | first day's run | "
            "PDFs rendered | PDFs per second (s per PDF) | longest batch | longest transaction seen | "
            "workers killed |",
            "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for customers, r in self.golive_rows:
            once = r["reminded"] - r["twice"]
            with_all = r["reminded"] - r["without_all_invoices"]
            lines.append(
                f"| {customers:,} | {r['expected']:,} | {once:,} (twice: {r['twice']}, missing: {r['missing']}) | "
                f"{with_all:,} | {r['seconds']:.0f} s{'' if r['complete'] else ' (not finished)'} | "
                f"{r['pdfs_rendered']:,} in {r['pdf_calls']} calls | {r['pdfs_per_s']:.2f} ({r['s_per_pdf']:.3f} s) | "
                f"{r['longest_batch_s']:.1f} s ({r['batches']} batches) | {r['longest_transaction_s']:.1f} s | "
                f"{r['workers_killed']} |")
        return "\n".join(lines)

    # -- output ----------------------------------------------------------------------------------
    @staticmethod
    def row_text(customers, label, record):
        return (f"{customers} customers, {label}: {record['median_s']:.2f} s "
                f"({record['min_s']:.2f}-{record['max_s']:.2f}), {record['queries']} queries, "
                f"{record['rss_mb']} MB")

    @staticmethod
    def what(record):
        keys = ("customers", "reminders", "emails_queued", "letters", "records", "length", "lines", "pdf_kb",
                "predictions_moved", "invoices", "mae_days", "mae_due_date_days", "mae_last_delay_days")
        labels = {"customers": "customers", "reminders": "reminders", "emails_queued": "emails queued",
                  "letters": "letters", "records": "rows", "length": "in the list", "lines": "credit lines",
                  "pdf_kb": "KB of PDF", "predictions_moved": "predicted dates moved", "invoices": "invoices replayed",
                  "mae_days": "days off (ours)",
                  "mae_due_date_days": "days off (paid on the due date)",
                  "mae_last_delay_days": "days off (the customer's last delay)"}
        return ", ".join(f"{record[key]:,} {labels[key]}" for key in keys if key in record)

    def table(self):
        lines = [
            "| customers | measure | result | time, median (min-max) | SQL queries (min-max) | peak RSS |",
            "| ---: | --- | --- | --- | --- | ---: |",
        ]
        for customers, label, record in self.rows:
            queries = f"{record['queries']:,}"
            if record["queries_min"] != record["queries_max"]:
                queries += f" ({record['queries_min']:,}-{record['queries_max']:,})"
            lines.append(
                f"| {customers:,} | {label} | {self.what(record)} | {record['median_s']:.2f} s "
                f"({record['min_s']:.2f}-{record['max_s']:.2f}) | {queries} | {record['rss_mb']} MB |")
        lines += ["", "| customers | ours: daily run | OCA: credit-control run | ratio (ours / OCA) |",
                  "| ---: | ---: | ---: | ---: |"]
        by_size = {}
        for customers, label, record in self.rows:
            kind = "oca" if label.startswith("OCA") else "daily" if label.startswith("Daily") else None
            if kind:
                by_size.setdefault(customers, {})[kind] = record["median_s"]
        for customers, times in by_size.items():
            if "oca" in times and "daily" in times:
                lines.append(f"| {customers:,} | {times['daily']:.2f} s | {times['oca']:.2f} s | "
                             f"{times['daily'] / times['oca']:.2f} |")
        daily = [(customers, record) for customers, label, record in self.rows if label.startswith("Daily")]
        if len(daily) > 1:
            lines += ["", "| customers | daily run: time per 1,000 customers | SQL queries per 1,000 customers |",
                      "| ---: | ---: | ---: |"]
            lines += [f"| {customers:,} | {record['median_s'] * 1000 / customers:.2f} s | "
                      f"{record['queries'] * 1000 / customers:,.0f} |" for customers, record in daily]
        return "\n".join(lines)

    def machine(self):
        cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                    if line.startswith("model name")), platform.processor())
        memory = next((int(line.split()[1]) // 1024 // 1024 for line in Path("/proc/meminfo").read_text().splitlines()
                       if line.startswith("MemTotal")), 0)
        load = Path("/proc/loadavg").read_text().split()[:3]
        start = " / ".join(self.load_at_start)
        postgres = self.cluster.psql("SHOW server_version")
        return (f"{os.cpu_count()} cores ({cpu}), {memory} GB RAM, {platform.system()} {platform.release()}, "
                f"Python {platform.python_version()}, {odoo_env.odoo_version(self.odoo_bin)[1]}, "
                f"PostgreSQL {postgres} (same machine, fsync off), load average (1 / 5 / 15 min) at the "
                f"start {start}, at the end {' / '.join(load)}")

    def write_results(self, command, table):
        phases = ", ".join(f"{label} {seconds / 60:.1f} min" for label, seconds in self.phases)
        text = f"""# Benchmark: the follow-up at scale, beside OCA's credit control

- Date: {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC
- Command: `{command}`
- Machine: {self.machine()}
- Data: per customer about {10} invoices over the last year, with their payments (on time, late,
  partial, disputed, unpaid) and the follow-up levels their reminders reached; see tools/bench_odoo.py.
- Each measure is repeated {self.args.repeat} times on the same starting state (what a repetition writes
  is rolled back); time and queries: median (min-max); memory: the peak resident size of the Odoo
  process during the measure (its registry included).
- Phases: {phases}.
- Ours beside OCA: our daily run computes every customer's follow-up state and sends today's
  reminders (emails rendered and queued with the invoices' PDFs attached, letters rendered,
  notes in the customers' chatter, levels written); OCA's credit-control run generates its
  credit-control lines (drafts) for every overdue invoice, its emails being a later step. Both
  on the same data, OCA's with a three-level policy (+3, +15, +30 days after the due date).

{table}
"""
        path = Path(self.args.results)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        print(f"written to {path}", flush=True)

    def run(self):
        LOG.write_text("")
        self.load_at_start = Path("/proc/loadavg").read_text().split()[:3]
        self.cluster.init()
        self.cluster.start()
        started = time.perf_counter()
        try:
            self.cfg = self.config()
            # --golive-only --keep: the databases a previous run kept are used again
            reuse = self.args.golive_only and self.args.keep and self.cluster.database_exists(
                f"lpb_{self.args.customers}")
            if not (self.args.golive_only and self.args.keep and self.cluster.database_exists("lpb_base")):
                self.timed("database with the addon (French company)", self.base)
            else:
                self.odoo(["-d", "lpb_base", "-u", odoo_env.MODULE, "--stop-after-init", "--log-level=warn"])
            sizes = [self.args.customers]
            if not self.args.no_scaling and self.args.customers >= 20:
                sizes.insert(0, self.args.customers // 10)
            if self.args.golive_only:
                sizes = [self.args.customers]
                self.args.no_oca = True
            for customers in sizes:
                db = f"lpb_{customers}" if reuse else self.timed(
                    f"generation of {customers:,} customers", self.generate, customers)
                if not self.args.golive_only:
                    self.timed(f"measures at {customers:,} customers", self.measure, db, customers)
                if not self.args.no_oca:
                    self.timed(f"OCA credit control at {customers:,} customers", self.oca, db, customers)
                if not self.args.no_golive and (customers == self.args.customers or self.args.golive_all):
                    self.timed(f"go-live with workers at {customers:,} customers", self.golive, db, customers)
                if not self.args.keep:
                    self.cluster.drop_database(db)
            self.phases.append(("total", time.perf_counter() - started))
            table = self.table() + self.golive_table()
            print(table, flush=True)
            command = "make bench" + (f" N={self.args.customers}" if self.args.customers != 10000 else "")
            self.write_results(command, table)
            print(f"total: {(time.perf_counter() - started) / 60:.1f} min", flush=True)
        finally:
            if not self.args.keep:
                self.cluster.drop_database("lpb_base")
            self.cluster.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=int(os.environ.get("N") or 10000))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--batch", type=int, default=0, help="batch size of the daily run (default: the cron's)")
    parser.add_argument("--no-scaling", action="store_true", help="only N customers, not N/10 as well")
    parser.add_argument("--no-oca", action="store_true", help="without OCA's credit control")
    parser.add_argument("--keep", action="store_true", help="keep the databases (.build/bench/pg)")
    parser.add_argument("--no-golive", action="store_true",
                        help="without the go-live scenario (an existing ledger, no stored PDFs, Odoo with workers)")
    parser.add_argument("--golive-all", action="store_true", help="the go-live scenario at N/10 customers too")
    parser.add_argument("--golive-only", action="store_true", help="only the go-live scenario (no measures, no OCA)")
    parser.add_argument("--golive-timeout", type=int, default=3600, help="seconds the first day's run may take")
    parser.add_argument("--results", default=str(odoo_env.REPO / "bench" / "RESULTS.md"))
    args = parser.parse_args()
    Bench(args).run()


if __name__ == "__main__":
    main()
