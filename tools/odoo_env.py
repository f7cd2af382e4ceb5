"""Find the Odoo 19 that runs the addon, and lay out an addons path for this checkout."""

import hashlib
import os
import re
import shutil
import subprocess
from pathlib import Path

MODULE = "account_late_payment"
REPO = Path(__file__).resolve().parent.parent
BUILD = REPO / ".build"
# Outside the checkout: Odoo walks the whole addon folder (following links) for translatable
# terms, so neither the virtual environment nor the addons-path link may sit inside it.
CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / MODULE

HOW_TO_POINT = (
    "Point the command at an Odoo 19.0 with ODOO_BIN=/path/to/odoo-bin (or the `odoo` launcher "
    "of an Odoo 19.0 virtual environment), or put an `odoo` command on PATH."
)


class OdooNotFound(RuntimeError):
    pass


def find_odoo():
    """Return the Odoo launcher: ODOO_BIN when set, else `odoo` on PATH; None when absent."""
    configured = os.environ.get("ODOO_BIN")
    if configured:
        path = shutil.which(configured) or configured
        if not Path(path).exists():
            raise OdooNotFound(f"ODOO_BIN={configured} does not exist. {HOW_TO_POINT}")
        return str(Path(path).absolute())
    found = shutil.which("odoo")
    return found


def odoo_version(odoo_bin):
    out = subprocess.run([odoo_bin, "--version"], capture_output=True, text=True, check=False)
    text = out.stdout.strip() or out.stderr.strip()
    match = re.search(r"(\d+)\.(\d+)", text)
    if not match:
        raise OdooNotFound(f"`{odoo_bin} --version` printed no version ({text!r}). {HOW_TO_POINT}")
    return f"{match.group(1)}.{match.group(2)}", text


def check_version(odoo_bin):
    version, text = odoo_version(odoo_bin)
    if not version.startswith("19."):
        raise OdooNotFound(
            f"{odoo_bin} is {text}: this addon is for Odoo 19.0 only and refuses another major "
            f"version. {HOW_TO_POINT}")
    return text


def odoo_python(odoo_bin):
    """The interpreter that runs Odoo, read from the launcher (a script or odoo-bin)."""
    real = Path(odoo_bin).resolve()
    try:
        head = real.read_text(errors="replace")[:2000]
    except OSError:
        return None
    for pattern in (r'exec\s+"?([^"\s]+/python[0-9.]*)"?', r"^#!\s*(\S+python[0-9.]*)"):
        match = re.search(pattern, head, re.MULTILINE)
        if match and Path(match.group(1)).exists():
            return match.group(1)
    if head.startswith("#!") and "env python" in head.splitlines()[0]:
        return shutil.which("python3")
    return None


def addons_path(odoo_bin):
    """An addons folder holding this checkout under the addon's own name, plus Odoo's addons."""
    digest = hashlib.sha1(str(REPO).encode()).hexdigest()[:10]
    folder = CACHE / f"addons-{digest}"
    folder.mkdir(parents=True, exist_ok=True)
    link = folder / MODULE
    if link.is_symlink() and link.resolve() != REPO:
        link.unlink()
    if not link.exists():
        link.symlink_to(REPO, target_is_directory=True)
    paths = [str(folder)]
    extra = os.environ.get("ODOO_ADDONS_PATH")
    if extra:
        paths.append(extra)
    return ",".join(paths)


def ensure_packages(odoo_bin, packages):
    """Install into Odoo's own environment the PyPI packages (import name: distribution) that
    the Odoo modules we install need and that are missing there."""
    python = odoo_python(odoo_bin)
    missing = [dist for module, dist in packages.items() if not has_module(python, module)]
    if not missing:
        return
    if not python:
        raise OdooNotFound(f"Odoo needs {', '.join(missing)}: install them into Odoo's Python environment.")
    print(f"[setup] installing {', '.join(missing)} into Odoo's environment ({python})", flush=True)
    subprocess.run([python, "-m", "pip", "install", "-q", "--disable-pip-version-check", *missing], check=True)


def has_module(python, module):
    if not python:
        return False
    return subprocess.run([python, "-c", f"import {module}"], capture_output=True,
                          check=False).returncode == 0
