"""The project's virtual environment with the pinned test tools of requirements-dev.txt.

It lives outside the checkout (Odoo scans the addon's folder for translatable terms), in
~/.cache/account_late_payment/venv, and is rebuilt when requirements-dev.txt changes.
"""

import hashlib
import subprocess
import sys
import venv
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from odoo_env import CACHE, REPO

VENV = CACHE / "venv"
REQUIREMENTS = REPO / "requirements-dev.txt"


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
    subprocess.run([*pip, "-r", str(REQUIREMENTS)], check=True, stdout=sys.stderr)
    stamp.write_text(wanted + "\n")
    return python()


if __name__ == "__main__":
    sys.stdout.write(f"{ensure()}\n")
