#!/usr/bin/env python3
"""`make test`: every test of the addon, ending with one line `N passed, N failed`.

1. engine unit tests (pytest, no Odoo), then ruff and pylint-odoo;
2. with Odoo 19 (ODOO_BIN, else `odoo` on PATH): a private PostgreSQL cluster in a temporary
   folder; a database without demo data where the addon is installed and its whole Odoo suite
   runs, and a database built as `make demo` builds it where the demo tests run; install-time
   problems Odoo only logs fail the run, and so does a term missing from i18n/fr.po; then
   `-u` of the addon on the demo database must keep every record and setting (upgrade_check);
3. the cluster is stopped and removed whatever happens.

Without Odoo the Odoo suite is reported as not run; REQUIRE_ODOO=1 makes that a failure.
"""

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import demo_db
import devenv
import odoo_env
import pgcluster

REPO = odoo_env.REPO
MODULE = odoo_env.MODULE
LOGS = odoo_env.BUILD / "logs"
DEMO_TAG = "late_payment_demo"

# Lines Odoo only logs, which mean the addon did not install cleanly.
BAD_WARNINGS = [
    re.compile(p) for p in (
        r"have no access rules",
        r"demo data failed to install",
        r"Invalid (view|field|domain)",
        r"unknown (parameter|field)",
        r"is deprecated",
        r"Deprecat",
        r"inconsistent 'compute_sudo'",
        r"no translation for language",
        r"Two fields .* have the same label",
        r"_sql_constraints",
        r"Field .* (is|are) not",
        r"Missing (many2one|field)",
        r"Access Error",
    )
]
OUR_LOGGER = re.compile(rf"odoo\.addons\.{MODULE}[.:]")
LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ (?P<level>[A-Z]+) (?P<db>\S+) "
                      r"(?P<logger>\S+): (?P<msg>.*)")
SUMMARY = re.compile(r"(\d+) failed, (\d+) error\(s\) of (\d+) tests when loading database")
SKIP = re.compile(rf"odoo\.addons\.{MODULE}\.tests\.\S+: skipped (.*)")


class Tally:
    def __init__(self):
        self.passed = 0
        self.failed = 0
        self.problems = []

    def add(self, name, passed, failed, note=""):
        self.passed += passed
        self.failed += failed
        print(f"== {name}: {passed} passed, {failed} failed{(' - ' + note) if note else ''}", flush=True)

    def problem(self, text):
        self.problems.append(text)
        print(f"!! {text}", flush=True)


def _terminate(signum, _frame):
    raise KeyboardInterrupt(f"signal {signum}")


# -- engine and linters --------------------------------------------------------------------
def run_engine(py, tally):
    junit = LOGS / "engine-junit.xml"
    proc = subprocess.run([str(py), "-m", "pytest", "-q", f"--junitxml={junit}"],
                          cwd=REPO / "tests_engine", check=False)
    if not junit.exists():
        tally.problem(f"engine tests did not run (pytest exited {proc.returncode})")
        tally.add("engine suite (pytest)", 0, 1)
        return
    root = ET.parse(junit).getroot()
    suite = root if root.tag == "testsuite" else root.find("testsuite")
    tests, failures, errors, skipped = (int(suite.get(k, 0)) for k in ("tests", "failures", "errors", "skipped"))
    if tests == 0:
        tally.problem("engine suite: no test collected")
    failed = failures + errors + skipped
    note = f"{skipped} skipped (a skipped test did not pass)" if skipped else ""
    tally.add("engine suite (pytest)", tests - failed, failed + (tests == 0), note)


def run_linters(py, tally):
    bindir = Path(py).parent
    ruff = subprocess.run([str(bindir / "ruff"), "check", "."], cwd=REPO, check=False)
    if ruff.returncode:
        tally.problem("ruff reported findings (see above)")
    pylint = subprocess.run([str(bindir / "pylint"), "--rcfile=.pylintrc", "--score=n", "."],
                            cwd=REPO, check=False)
    if pylint.returncode:
        tally.problem("pylint-odoo reported findings (see above)")
    if not (ruff.returncode or pylint.returncode):
        print("== linters: ruff and pylint-odoo clean", flush=True)


# -- Odoo ----------------------------------------------------------------------------------
def scan_log(path, tally, label):
    """Return (failed, errors, tests, skipped) from an Odoo log; report install problems."""
    summary = None
    skipped = []
    problems = []
    in_test_failure = False
    for raw in path.read_text(errors="replace").splitlines():
        match = LOG_LINE.match(raw)
        if not match:
            continue
        level, logger, msg = match["level"], match["logger"], match["msg"]
        found = SUMMARY.search(msg)
        if found:
            summary = tuple(int(x) for x in found.groups())
            continue
        skip = SKIP.search(raw)
        if skip:
            skipped.append(skip.group(1))
            continue
        # Test failures are logged as ERROR by the test result: counted as failed tests.
        in_test_failure = level == "ERROR" and (msg.startswith(("FAIL:", "ERROR:")) or ".tests." in logger)
        if in_test_failure:
            continue
        ours = (OUR_LOGGER.search(logger + ":") or MODULE in msg
                or any(p.search(msg) for p in BAD_WARNINGS))
        if level in ("ERROR", "CRITICAL") or (level == "WARNING" and ours):
            problems.append(raw)
    for line in problems:
        tally.problem(f"{label}: {line}")
    if summary is None:
        tally.problem(f"{label}: Odoo printed no test summary (see {path})")
        return None, problems, skipped
    return summary, problems, skipped


def odoo_suite(odoo_bin, tally):
    version = odoo_env.check_version(odoo_bin)
    print(f"== Odoo: {odoo_bin} ({version})", flush=True)
    needs_browser = any("start_tour" in p.read_text() or "browser_js" in p.read_text()
                        for p in (REPO / "tests").glob("*.py"))
    if needs_browser:
        odoo_env.ensure_packages(odoo_bin, {"websocket": "websocket-client"})
        if not any(shutil.which(b) for b in ("chromium", "google-chrome", "chromium-browser", "google-chrome-stable")):
            pgcluster.install_debian_packages(["chromium"])
    # the letters and the invoice PDFs attached to reminders are rendered by wkhtmltopdf, as in production
    if not shutil.which("wkhtmltopdf"):
        pgcluster.install_debian_packages(["wkhtmltopdf"])
    tmp = Path(tempfile.mkdtemp(prefix="lp-test-"))
    tmp.chmod(0o755)  # the PostgreSQL server runs as an unprivileged user
    cluster = pgcluster.Cluster(tmp / "pg")
    try:
        cluster.init()
        cluster.start()
        print(f"== PostgreSQL: private cluster on 127.0.0.1:{cluster.port} in {tmp}", flush=True)
        cfg = demo_db.write_config(tmp / "odoo.cfg", cluster, odoo_bin, data_dir=tmp / "filestore",
                                   http_port=pgcluster.free_port())

        # 1. without demo data: install and run the whole suite but the demo tests
        log = LOGS / "odoo-test.log"
        log.write_text("")  # this run's output only: demo_db.odoo appends
        # with Odoo's demo payment provider, which the customer page's tests pay with
        demo_db.odoo(odoo_bin, cfg, ["-d", "lp_test", "-i", f"{MODULE},{demo_db.PAYMENT_DEMO}", "--without-demo",
                                      "--test-tags", f"/{MODULE},-{DEMO_TAG}", "--stop-after-init"], log)
        count_suite(log, tally, "Odoo suite, database without demo data")
        import i18n_check

        i18n_check.check(odoo_bin, cfg, "lp_test", tmp, tally)

        # 2. with demo data, built as `make demo` builds it: the demo tests
        log = LOGS / "odoo-demo.log"
        demo_db.build(odoo_bin, cfg, "lp_demo", log, test_tags=f"{DEMO_TAG}/{MODULE}")
        count_suite(log, tally, "Odoo suite, demo database (as `make demo`)")

        # 3. the upgrade path: -u on the demo database keeps every record and setting
        import upgrade_check

        upgrade_check.check(odoo_bin, cluster, cfg, "lp_demo", LOGS / "odoo-upgrade.log", tally, tmp)
    finally:
        cluster.remove()
        shutil.rmtree(tmp, ignore_errors=True)


def count_suite(log, tally, label):
    summary, _problems, skipped = scan_log(log, tally, label)
    if summary is None:
        tally.add(label, 0, 1, f"log: {log}")
        return
    failed, errors, tests = summary
    for reason in skipped:
        tally.problem(f"{label}: unexpected skip: {reason}")
    if tests == 0:
        tally.problem(f"{label}: no test ran")
    bad = failed + errors + len(skipped)
    tally.add(label, tests - bad, bad + (tests == 0), f"log: {log}")


def main():
    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even when started in the background
    LOGS.mkdir(parents=True, exist_ok=True)
    tally = Tally()
    py = devenv.ensure()
    if Path(sys.prefix).resolve() != devenv.VENV.resolve():
        # Go on under the project's environment, which has polib for the translation check.
        os.execv(str(py), [str(py), __file__, *sys.argv[1:]])
    run_engine(py, tally)
    run_linters(py, tally)

    require = os.environ.get("REQUIRE_ODOO") == "1"
    try:
        odoo_bin = odoo_env.find_odoo()
    except odoo_env.OdooNotFound as exc:
        tally.problem(str(exc))
        odoo_bin = None
    if odoo_bin:
        try:
            odoo_suite(odoo_bin, tally)
        except (odoo_env.OdooNotFound, pgcluster.ClusterError, subprocess.CalledProcessError) as exc:
            tally.problem(f"Odoo suite could not run: {exc}")
            tally.failed += 1
    else:
        print("\n** The Odoo suite did NOT run: no Odoo 19 found. " + odoo_env.HOW_TO_POINT, flush=True)
        if require:
            tally.problem("REQUIRE_ODOO=1 and no Odoo 19 was found")
            tally.failed += 1

    if tally.problems:
        print(f"\n{len(tally.problems)} problem(s):", flush=True)
        for text in tally.problems:
            print(f"  - {text}", flush=True)
    print(f"{tally.passed} passed, {tally.failed} failed", flush=True)
    return 1 if (tally.failed or tally.problems) else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("\ninterrupted: the private PostgreSQL cluster was stopped and removed", flush=True)
        sys.exit(130)
