#!/usr/bin/env python3
"""`make quick-test`: the developers' fast loop, not a replacement for `make test`.

Keeps a PostgreSQL cluster in .build/pg and a database `lp_dev` (the addon installed without
demo data); each run updates the addon there and runs the Odoo tests selected by TESTS
(default: every test but the demo ones), then prints the failures and the summary.
`make quick-test TESTS=/account_late_payment:TestInterest` runs one class.
"""

import os
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import demo_db
import odoo_env
import pgcluster

MODULE = odoo_env.MODULE
DB = "lp_dev"


def main():
    odoo_bin = odoo_env.find_odoo()
    if not odoo_bin:
        sys.exit("No Odoo 19 found. " + odoo_env.HOW_TO_POINT)
    root = odoo_env.BUILD / "pg"
    cluster = pgcluster.Cluster(root, persistent=True)
    cluster.init()
    cluster.start()
    cfg = demo_db.write_config(odoo_env.BUILD / "odoo-dev.cfg", cluster, odoo_bin,
                               data_dir=odoo_env.BUILD / "filestore", http_port=pgcluster.free_port())
    log = odoo_env.BUILD / "logs" / "quick-test.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text("")
    tags = os.environ.get("TESTS") or f"/{MODULE},-late_payment_demo"
    installed = cluster.database_exists(DB) and cluster.psql(
        f"SELECT state FROM ir_module_module WHERE name = '{MODULE}'", DB) == "installed"
    if not installed:
        cluster.drop_database(DB)
    # with Odoo's demo payment provider, which the customer page's tests pay with
    modules = ["-u", MODULE, "-i", demo_db.PAYMENT_DEMO] if installed else ["-i", f"{MODULE},{demo_db.PAYMENT_DEMO}"]
    demo_db.odoo(odoo_bin, cfg, ["-d", DB, *modules, "--without-demo", "--test-tags", tags,
                                 "--stop-after-init"], log)
    text = log.read_text(errors="replace")
    # the problems and the tracebacks, without Odoo's INFO chatter
    for line in text.splitlines():
        if not re.match(r"\d{4}-\d\d-\d\d ", line) or re.search(r" (ERROR|CRITICAL|WARNING) ", line):
            print(line)
    summary = re.findall(r"\d+ failed, \d+ error\(s\) of \d+ tests", text)
    print(summary[-1] if summary else f"no test summary: see {log}")
    return 0 if summary and summary[-1].startswith("0 failed, 0 error") else 1


if __name__ == "__main__":
    sys.exit(main())
