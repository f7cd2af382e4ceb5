#!/usr/bin/env python3
"""`make pytest-odoo`: the addon's Odoo tests run by pytest (pytest-odoo), for developers who
work that way. `make test` stays the one command CI runs.

pytest-odoo loads Odoo inside the pytest process, against a database where the addon is
already installed: here the one `make quick-test` keeps (`lp_dev`, in the PostgreSQL cluster of
.build/pg, started when it is stopped). Run `make quick-test` once first, and again after a
change of fields, views or data: pytest runs the tests, it does not update the addon.

    make pytest-odoo ARGS="tests/test_late_payment_rate.py tests/test_figures.py"
    make pytest-odoo ARGS="tests/test_api.py --odoo-http -k CommandLine"
    python3 tools/run_pytest_odoo.py tests/test_risk.py::TestRiskScore -x     # the same, directly

What it does, so that plain `pytest --odoo-config=... --odoo-database=...` works:
- pytest runs in Odoo's own Python (the only one that imports odoo and its dependencies), with
  Odoo's source folder on the path; the pinned pytest and pytest-odoo of requirements-dev.txt
  come from the project's environment (tools/devenv.py: pytest-odoo sits apart there, in
  venv/odoo-plugins), added after Odoo's own packages;
- the test files are given through the addons-path folder where this checkout is named
  `account_late_payment`, so that pytest-odoo imports them as
  `odoo.addons.account_late_payment.tests.*` whatever the checkout's folder is called;
- the tests tagged `late_payment_demo` need the demo database (`make test` runs them there):
  they are deselected. HttpCase tests (tours, the API) run only with `--odoo-http`, as
  pytest-odoo does.
"""

import os
import site
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import demo_db
import devenv
import odoo_env
import pgcluster

MODULE = odoo_env.MODULE
DB = "lp_dev"  # tools/dev_test.py
CONFIG = odoo_env.BUILD / "odoo-pytest.cfg"
DEMO_TAG = "late_payment_demo"
INNER = "--lp-inner"


def odoo_source(odoo_bin):
    """The folder holding Odoo's `odoo` package, read from the launcher (or odoo-bin itself)."""
    real = Path(odoo_bin).resolve()
    if (real.parent / "odoo" / "release.py").exists():
        return real.parent
    text = real.read_text(errors="replace")[:2000]
    for word in text.split():
        candidate = Path(word.strip("\"'"))
        if candidate.name == "odoo-bin" and (candidate.parent / "odoo" / "release.py").exists():
            return candidate.parent
    return None


def pytest_args(argv, addon):
    """`argv` with the paths of the checkout given through the addons-path folder."""
    out = []
    for arg in argv:
        path, sep, rest = arg.partition("::")
        local = (odoo_env.REPO / path) if not Path(path).is_absolute() else Path(path)
        if not arg.startswith("-") and path and local.exists() and local.resolve().is_relative_to(odoo_env.REPO):
            out.append(str(addon / local.resolve().relative_to(odoo_env.REPO)) + sep + rest)
        else:
            out.append(arg)
    if not any(not arg.startswith("-") and Path(arg.partition("::")[0]).exists() for arg in out):
        out.append(str(addon / "tests"))
    return out


def main(argv):
    odoo_bin = odoo_env.find_odoo()
    if not odoo_bin:
        sys.exit("No Odoo 19 found. " + odoo_env.HOW_TO_POINT)
    odoo_env.check_version(odoo_bin)
    python = odoo_env.odoo_python(odoo_bin)
    source = odoo_source(odoo_bin)
    if not python or not source:
        sys.exit(f"Cannot tell Odoo's Python and source folder from {odoo_bin}: set ODOO_BIN to Odoo's odoo-bin.")
    dev_python = devenv.ensure()
    dev_site = subprocess.run([str(dev_python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                              capture_output=True, text=True, check=True).stdout.strip()
    versions = {subprocess.run([str(p), "-c", "import sys; print(sys.version_info[:2])"], capture_output=True,
                               text=True, check=True).stdout.strip() for p in (python, dev_python)}
    if len(versions) != 1:
        sys.exit(f"Odoo's Python ({python}) and the project's environment ({dev_python}) differ: {versions}")

    cluster = pgcluster.Cluster(odoo_env.BUILD / "pg", persistent=True)
    if not (cluster.pgdata / "PG_VERSION").exists():
        sys.exit("No database yet: run `make quick-test` once (it installs the addon in lp_dev).")
    cluster.start()
    installed = cluster.database_exists(DB) and cluster.psql(
        f"SELECT state FROM ir_module_module WHERE name = '{MODULE}'", DB) == "installed"
    if not installed:
        sys.exit(f"The addon is not installed in {DB}: run `make quick-test` first.")
    demo_db.write_config(CONFIG, cluster, odoo_bin, data_dir=odoo_env.BUILD / "filestore",
                         http_port=pgcluster.free_port())
    addon = Path(odoo_env.addons_path(odoo_bin).split(",")[0]) / MODULE
    args = ["-p", "no:cacheprovider", f"--odoo-config={CONFIG}", f"--odoo-database={DB}",
            *pytest_args(argv, addon)]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(source), os.environ.get("PYTHONPATH")])))
    print(f"[pytest-odoo] {python} -m pytest {' '.join(args)}", flush=True)
    return subprocess.run([python, __file__, INNER, dev_site, str(devenv.ODOO_PLUGINS), *args], env=env,
                          cwd=addon.parent, check=False).returncode


class DemoTests:
    """Deselects the tests tagged `late_payment_demo`: they need the demo database."""

    @staticmethod
    def pytest_collection_modifyitems(config, items):
        demo = [item for item in items if DEMO_TAG in getattr(getattr(item, "cls", None), "test_tags", ())]
        if demo:
            config.hook.pytest_deselected(items=demo)
            items[:] = [item for item in items if item not in demo]
            reporter = config.pluginmanager.get_plugin("terminalreporter")
            if reporter:
                reporter.write_line(f"{len(demo)} tests tagged {DEMO_TAG} deselected: they need the demo "
                                    "database (make test runs them)")


def inner(dev_site, plugins, args):
    """In Odoo's Python: pytest and pytest-odoo from the project's environment, after Odoo's packages."""
    site.addsitedir(dev_site)
    sys.path.append(plugins)  # pytest-odoo, kept out of the environment's own site-packages
    import pytest

    return pytest.main(args, plugins=[DemoTests()])


if __name__ == "__main__":
    if len(sys.argv) > 3 and sys.argv[1] == INNER:
        sys.exit(inner(sys.argv[2], sys.argv[3], sys.argv[4:]))
    sys.exit(main(sys.argv[1:]))
