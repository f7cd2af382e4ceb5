#!/usr/bin/env python3
"""Screenshots of the running demo (`make demo` must be serving on 127.0.0.1:8069).

    screenshots.py OUT_DIR NAME=URL_PATH[|JAVASCRIPT] [NAME=URL_PATH[|JAVASCRIPT] ...]

logs in as admin/admin, opens each page in headless Chromium (driven through the DevTools
protocol with websocket-client), waits for the web client to settle and writes
OUT_DIR/NAME.png. URL paths are those of the web client, e.g. `odoo/late-payment-followups`;
the optional JavaScript runs before the capture (e.g. to open a tab:
`|document.querySelector("a[name=late_payment]").click()`).
"""

import base64
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import websocket

BASE = os.environ.get("LP_DEMO_URL", "http://127.0.0.1:8069")
DB = os.environ.get("LP_DEMO_DB", "late_payment_demo")
CHROMIUM_FLAGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--hide-scrollbars", "--remote-debugging-port=0",
]


def login():
    body = json.dumps({"jsonrpc": "2.0", "method": "call",
                       "params": {"db": DB, "login": "admin", "password": "admin"}}).encode()
    req = urllib.request.Request(f"{BASE}/web/session/authenticate", data=body,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        for header in resp.headers.get_all("Set-Cookie") or []:
            if header.startswith("session_id="):
                return header.split(";", 1)[0].split("=", 1)[1]
    raise RuntimeError("login failed: is `make demo` running?")


class Browser:
    def __init__(self, width, height):
        binary = next((shutil.which(b) for b in ("chromium", "google-chrome", "chromium-browser") if shutil.which(b)),
                      None)
        if not binary:
            raise RuntimeError("no Chromium: apt-get install chromium")
        self.profile = tempfile.mkdtemp(prefix="lp-chrome-")
        self.proc = subprocess.Popen([binary, *CHROMIUM_FLAGS, f"--user-data-dir={self.profile}",
                                      f"--window-size={width},{height}", "about:blank"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port_file = Path(self.profile) / "DevToolsActivePort"
        for _ in range(100):
            if port_file.exists() and port_file.read_text().strip():
                break
            time.sleep(0.1)
        port = port_file.read_text().split()[0]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json", timeout=10) as resp:
            page = next(t for t in json.load(resp) if t["type"] == "page")
        self.ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=60)
        self.next_id = 0
        self.call("Page.enable")
        self.call("Runtime.enable")
        self.call("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1, mobile=False)

    def call(self, method, **params):
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == self.next_id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})

    def evaluate(self, expression):
        return self.call("Runtime.evaluate", expression=expression, returnByValue=True).get("result", {}).get("value")

    def shoot(self, url, out, script=None, settle=2.5, timeout=30):
        self.call("Page.navigate", url=url)
        deadline = time.time() + timeout
        # the web client is ready when its action container is there and nothing is loading
        while time.time() < deadline:
            ready = self.evaluate(
                "document.readyState === 'complete'"
                " && !!document.querySelector('.o_action_manager .o_view_controller, form.oe_login_form')"
                " && !document.querySelector('.o_loading_indicator, .o_spinner')")
            if ready:
                break
            time.sleep(0.3)
        time.sleep(settle)
        if script:
            self.evaluate(script)
            time.sleep(settle)
        data = self.call("Page.captureScreenshot", format="png")["data"]
        Path(out).write_bytes(base64.b64decode(data))

    def close(self):
        with contextlib.suppress(Exception):
            self.ws.close()
        self.proc.terminate()
        with contextlib.suppress(Exception):
            self.proc.wait(timeout=10)
        shutil.rmtree(self.profile, ignore_errors=True)


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    out_dir = Path(sys.argv[1])
    out_dir.mkdir(parents=True, exist_ok=True)
    width, height = (int(x) for x in os.environ.get("LP_SCREEN", "1440x900").split("x"))
    session = login()
    browser = Browser(width, height)
    try:
        browser.call("Network.enable")
        browser.call("Network.setCookie", name="session_id", value=session, domain="127.0.0.1", path="/")
        for spec in sys.argv[2:]:
            name, path = spec.split("=", 1)
            path, _sep, script = path.partition("|")
            out = out_dir / f"{name}.png"
            browser.shoot(f"{BASE}/{path.lstrip('/')}", out, script=script or None)
            print(out)
    finally:
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
