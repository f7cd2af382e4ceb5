"""The project's virtual environment with the pinned test tools of requirements-dev.txt.

It lives outside the checkout (Odoo scans the addon's folder for translatable terms), in
~/.cache/account_late_payment/venv, and is rebuilt when requirements-dev.txt changes.

pytest-odoo imports odoo as soon as pytest loads it, and this environment has no Odoo: it is
installed apart, in ODOO_PLUGINS (venv/odoo-plugins), which only `make pytest-odoo` adds to
the path (tools/run_pytest_odoo.py), so that a plain `pytest` of this environment (the engine
tests) never loads it.
"""

import hashlib
import re
import shutil
import subprocess
import sys
import venv
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from odoo_env import CACHE, REPO

VENV = CACHE / "venv"
REQUIREMENTS = REPO / "requirements-dev.txt"
ODOO_PLUGINS = VENV / "odoo-plugins"
ODOO_ONLY = ("pytest-odoo",)  # distributions that import odoo when loaded


def python():
    return VENV / "bin" / "python"


def ensure():
    """Create or refresh .venv when requirements-dev.txt changed; return its python."""
    stamp = VENV / ".requirements.sha1"
    wanted = hashlib.sha1(REQUIREMENTS.read_bytes()).hexdigest()
    if python().exists() and stamp.exists() and stamp.read_text().strip() == wanted:
        return python()
    print(f"[setup] preparing the test tools in {VENV} (pytest, ruff, pylint-odoo)", file=sys.stderr, flush=True)
    if not python().exists():
        VENV.parent.mkdir(parents=True, exist_ok=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    pip = [str(python()), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    general, odoo_only = [], []
    for line in REQUIREMENTS.read_text().splitlines():
        spec = line.split("#", 1)[0].strip()
        if spec:
            name = re.split(r"[=<>!~;\[ ]", spec, maxsplit=1)[0].lower().replace("_", "-")
            (odoo_only if name in ODOO_ONLY else general).append(spec)
    subprocess.run([*pip, *general], check=True, stdout=sys.stderr)
    if odoo_only:
        # never in the environment's own site-packages (where an older setup may have put it)
        subprocess.run([str(python()), "-m", "pip", "uninstall", "-y", "-q", *[re.split(r"[=<>!~;\[ ]", spec)[0]
                        for spec in odoo_only]], check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(ODOO_PLUGINS, ignore_errors=True)
        subprocess.run([*pip, "--no-deps", "--target", str(ODOO_PLUGINS), *odoo_only], check=True, stdout=sys.stderr)
    stamp.write_text(wanted + "\n")
    return python()


if __name__ == "__main__":
    sys.stdout.write(f"{ensure()}\n")
