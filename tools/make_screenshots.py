#!/usr/bin/env python3
"""`make screenshots`: every picture of the app-store page, taken again from the demo database.

1. the demo database of `make demo` (.demo/), built when missing, else reused;
2. the addon updated to this checkout's code (-u), then Odoo on a free port (or LP_DEMO_PORT),
   without scheduled actions;
3. every screen of tools/store_screens.py captured in headless Chromium (tools/screenshots.py
   --declared, run by Odoo's Python, which has Pillow and websocket-client) into
   static/description/, then the banner and the icon (tools/store_images.py);
4. screenshot_*.png files no screen declares any more are removed, and index.html is checked
   to show every declared screen and nothing else;
5. the server is stopped, and the cluster too unless it was already running.
"""

import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import demo_db
import odoo_env
import pgcluster
import store_screens

REPO = odoo_env.REPO
TOOLS = Path(__file__).resolve().parent
DESCRIPTION = REPO / "static" / "description"


def check_page():
    """The problems of index.html against the declared screens (empty: fine)."""
    page = (DESCRIPTION / "index.html").read_text()
    shown = set(re.findall(r'<img[^>]*\ssrc="([^"]+)"', page))
    declared = {f"{screen['name']}.png" for screen in store_screens.SCREENS}
    problems = [f"index.html does not show {name}" for name in sorted(declared - shown)]
    problems += [f"index.html shows {name}, which no screen declares and no file holds"
                 for name in sorted(shown - declared) if not (DESCRIPTION / name).exists()]
    return problems


def main():
    odoo_bin = odoo_env.find_odoo()
    if not odoo_bin:
        sys.exit("No Odoo 19 found. " + odoo_env.HOW_TO_POINT)
    odoo_env.check_version(odoo_bin)
    python = odoo_env.odoo_python(odoo_bin) or sys.executable
    odoo_env.ensure_packages(odoo_bin, {"websocket": "websocket-client", "PIL": "Pillow"})
    port = int(os.environ.get("LP_DEMO_PORT") or pgcluster.free_port(18000))
    if pgcluster.wait_for_port(port, seconds=0):
        sys.exit(f"Port {port} is already in use: choose another with LP_DEMO_PORT=...")

    cluster = pgcluster.Cluster(demo_db.DEMO_DIR / "pg", persistent=True)
    cluster.init()
    was_running = cluster.is_running()
    cluster.start()
    try:
        capture(odoo_bin, python, cluster, port)
    finally:
        if not was_running:
            cluster.stop()
    subprocess.run([python, str(TOOLS / "store_images.py")], check=True)
    declared = {f"{screen['name']}.png" for screen in store_screens.SCREENS}
    for stale in sorted(DESCRIPTION.glob("screenshot_*.png")):
        if stale.name not in declared:
            stale.unlink()
            print(f"   removed {stale.name}: no screen declares it any more")
    problems = check_page()
    for problem in problems:
        print(f"!! {problem}")
    total = sum(p.stat().st_size for p in DESCRIPTION.iterdir() if p.is_file())
    print(f"{len(declared)} screenshots in {DESCRIPTION.relative_to(REPO)} "
          f"({total // 1024} kB for the whole page); `git status {DESCRIPTION.relative_to(REPO)}` shows what changed")
    return 1 if problems else 0


def capture(odoo_bin, python, cluster, port):
    """The demo database (built when missing) updated to this checkout, served on `port` while
    tools/screenshots.py --declared takes the screens; the server stopped whatever happens."""
    cfg = demo_db.write_config(demo_db.DEMO_DIR / "screenshots.cfg", cluster, odoo_bin,
                               data_dir=demo_db.DEMO_DIR / "filestore", http_port=port)
    # no scheduled action may change the data while the screens are taken
    cfg.write_text(cfg.read_text().replace("max_cron_threads = 1", "max_cron_threads = 0"))
    log = demo_db.DEMO_DIR / "build.log"
    if not cluster.database_exists(demo_db.DEMO_DB) or cluster.psql(
            f"SELECT state FROM ir_module_module WHERE name = '{odoo_env.MODULE}'", demo_db.DEMO_DB) != "installed":
        cluster.drop_database(demo_db.DEMO_DB)
        print(f"building the demo database (a few minutes; log in {log})", flush=True)
        if demo_db.build(odoo_bin, cfg, demo_db.DEMO_DB, log):
            sys.exit(f"building the demo database failed: see {log}")
    server_log = demo_db.DEMO_DIR / "screenshots.log"
    server_log.write_text("")
    print(f"updating {odoo_env.MODULE} in {demo_db.DEMO_DB} (log in {server_log})", flush=True)
    if demo_db.odoo(odoo_bin, cfg, ["-d", demo_db.DEMO_DB, "-u", odoo_env.MODULE, "--stop-after-init"],
                    server_log):
        sys.exit(f"updating the addon failed: see {server_log}")
    print(f"Odoo on 127.0.0.1:{port}", flush=True)
    with open(server_log, "a") as out:
        server = subprocess.Popen([odoo_bin, "-c", str(cfg), "-d", demo_db.DEMO_DB,
                                   "--db-filter", f"^{demo_db.DEMO_DB}$"],
                                  stdout=out, stderr=subprocess.STDOUT)
    try:
        if not wait_ready(port, server):
            sys.exit(f"Odoo did not start: see {server_log}")
        env = dict(os.environ, LP_DEMO_URL=f"http://127.0.0.1:{port}", LP_DEMO_DB=demo_db.DEMO_DB)
        subprocess.run([python, str(TOOLS / "screenshots.py"), "--declared", str(DESCRIPTION)],
                       env=env, check=True)
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()


def wait_ready(port, server, seconds=300):
    """True once Odoo answers on `port` (it serves only after updating the addon)."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        if server.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/web/login", timeout=10):
                return True
        except (urllib.error.URLError, OSError):
            time.sleep(1)
    return False


if __name__ == "__main__":
    sys.exit(main())
