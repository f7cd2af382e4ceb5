#!/usr/bin/env python3
"""`make demo`: a private PostgreSQL cluster in .demo/, the database `late_payment_demo`
with a French company, the addon and its demo data, then Odoo on http://127.0.0.1:8069.

`make demo` reuses the database when it exists; `make demo-reset` drops it.
"""

import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import odoo_env
import pgcluster

REPO = odoo_env.REPO
MODULE = odoo_env.MODULE
DEMO_DIR = REPO / ".demo"
DEMO_DB = "late_payment_demo"
# Odoo's demo payment provider (a module, not a dependency of the addon): installed in the demo
# and test databases, the customer page's payments go through it
PAYMENT_DEMO = "payment_demo"
COMPANY_SCRIPT = Path(__file__).resolve().parent / "demo_company.py"


def write_config(path, cluster, odoo_bin, data_dir, http_port=8069):
    lines = [
        "[options]",
        f"addons_path = {odoo_env.addons_path(odoo_bin)}",
        "db_host = 127.0.0.1",
        f"db_port = {cluster.port}",
        f"db_user = {pgcluster.DB_USER}",
        f"data_dir = {data_dir}",
        "http_interface = 127.0.0.1",
        f"http_port = {http_port}",
        "admin_passwd = admin",
        "list_db = False",
        "max_cron_threads = 1",
    ]
    Path(path).write_text("\n".join(lines) + "\n")
    return Path(path)


SUBCOMMANDS = ("shell", "i18n", "server")


def odoo(odoo_bin, cfg, args, log, stdin=None):
    """Run Odoo (`args` may start with a subcommand), its whole output to `log` (appended)."""
    command = [odoo_bin]
    if args and args[0] in SUBCOMMANDS:
        command.append(args[0])
        args = args[1:]
        if command[-1] == "i18n":
            command.append(args[0])
            args = args[1:]
    command += ["-c", str(cfg), *args]
    with open(log, "a") as out:
        out.write(f"\n# {' '.join(command)}\n")
        out.flush()
        proc = subprocess.run(command, stdout=out, stderr=subprocess.STDOUT,
                              input=stdin, text=True if stdin is not None else None, check=False)
    return proc.returncode


def build(odoo_bin, cfg, dbname, log, test_tags=None):
    """The demo database: Odoo's demo data, a French company (French chart of accounts, EUR),
    then the addon with its demo data. Each step's output goes to `log`."""
    Path(log).write_text("")
    step = "1/3 base with demo data"
    print(f"   demo database {dbname}: {step}", flush=True)
    rc = odoo(odoo_bin, cfg, ["-d", dbname, "-i", "base", "--with-demo", "--load-language", "fr_FR",
                              "--stop-after-init"], log)
    if rc == 0:
        print(f"   demo database {dbname}: 2/3 French company, French chart of accounts (l10n_fr_account)", flush=True)
        # French accounting brings e-invoicing (Peppol), which needs phonenumbers
        odoo_env.ensure_packages(odoo_bin, {"phonenumbers": "phonenumbers"})
        # and Odoo's demo payment provider: the customer page is paid with it in the demo
        rc = odoo(odoo_bin, cfg, ["-d", dbname, "-i", f"l10n_fr_account,{PAYMENT_DEMO}", "--stop-after-init"], log)
    if rc == 0:
        rc = odoo(odoo_bin, cfg, ["shell", "-d", dbname, "--no-http"], log, stdin=COMPANY_SCRIPT.read_text())
    if rc == 0:
        print(f"   demo database {dbname}: 3/3 {MODULE} with its demo data", flush=True)
        args = ["-d", dbname, "-i", MODULE, "--stop-after-init"]
        if test_tags:
            args += ["--test-tags", test_tags]
        rc = odoo(odoo_bin, cfg, args, log)
    return rc


def main():
    action = sys.argv[1] if len(sys.argv) > 1 else "serve"
    port = int(os.environ.get("LP_DEMO_PORT") or 8069)
    if action == "serve" and pgcluster.wait_for_port(port, seconds=0):
        sys.exit(f"Port {port} is already in use (another Odoo running?): stop it first, "
                 "or serve on another port with LP_DEMO_PORT=8070 make demo.")
    odoo_bin = odoo_env.find_odoo()
    if not odoo_bin:
        sys.exit("No Odoo 19 found. " + odoo_env.HOW_TO_POINT)
    odoo_env.check_version(odoo_bin)
    cluster = pgcluster.Cluster(DEMO_DIR / "pg", persistent=True)
    cluster.init()
    cluster.start()
    cfg = write_config(DEMO_DIR / "odoo.cfg", cluster, odoo_bin, data_dir=DEMO_DIR / "filestore", http_port=port)
    if action == "reset":
        cluster.drop_database(DEMO_DB)
        cluster.stop()
        print(f"dropped {DEMO_DB}; `make demo` builds it again")
        return 0
    log = DEMO_DIR / "build.log"
    if not cluster.database_exists(DEMO_DB) or cluster.psql(
            f"SELECT state FROM ir_module_module WHERE name = '{MODULE}'", DEMO_DB) != "installed":
        cluster.drop_database(DEMO_DB)
        print(f"building the demo database {DEMO_DB} (a few minutes; log in {log})", flush=True)
        if build(odoo_bin, cfg, DEMO_DB, log):
            sys.exit(f"building the demo database failed: see {log}")
    else:
        print(f"reusing the demo database {DEMO_DB}, updated to this checkout's code "
              "(`make demo-reset` rebuilds it)", flush=True)
    if action == "build":
        cluster.stop()
        return 0
    print(f"Odoo on http://127.0.0.1:{port} - login admin, password admin - Ctrl-C stops it", flush=True)
    try:
        subprocess.run([odoo_bin, "-c", str(cfg), "-d", DEMO_DB, "--db-filter", f"^{DEMO_DB}$",
                        "-u", MODULE], check=False)
    except KeyboardInterrupt:
        pass
    finally:
        cluster.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
