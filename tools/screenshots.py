#!/usr/bin/env python3
"""Screenshots of the running demo (`make demo` must be serving on 127.0.0.1:8069).

    screenshots.py OUT_DIR NAME=URL_PATH[|JAVASCRIPT] [NAME=URL_PATH[|JAVASCRIPT] ...]
    screenshots.py --declared OUT_DIR    # the app-store page's screens (tools/store_screens.py)

logs in as admin/admin, opens each page in headless Chromium (driven through the DevTools
protocol with websocket-client), waits for the web client to settle and writes
OUT_DIR/NAME.png. URL paths are those of the web client, e.g. `odoo/late-payment-followups`;
the optional JavaScript runs before the capture (e.g. to open a tab:
`|document.querySelector("a[name=late_payment]").click()`).

`--declared` is what `make screenshots` (tools/make_screenshots.py) runs against the server it
starts: every screen of tools/store_screens.py, in English, its record found at capture time,
PDFs rendered with pdftoppm, PNGs reduced to 256 colours (Pillow).
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

    def shoot(self, url, out, script=None, settle=2.5, timeout=30, clip=None):
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
        params = {"format": "png"}
        if clip:
            # `clip`: JavaScript giving an element or a list of elements; their union is captured
            box = self.evaluate(
                f"(() => {{ const els = [].concat({clip}).filter(Boolean); if (!els.length) return null;"
                " const rs = els.map(e => e.getBoundingClientRect());"
                " const x = Math.min(...rs.map(r => r.left)), y = Math.min(...rs.map(r => r.top));"
                " return {x, y, width: Math.max(...rs.map(r => r.right)) - x,"
                " height: Math.max(...rs.map(r => r.bottom)) - y}; })()")
            if not box or not box["width"] or not box["height"]:
                raise RuntimeError(f"{url}: nothing to capture for {clip!r}")
            params["clip"] = {**box, "scale": 1}
        data = self.call("Page.captureScreenshot", **params)["data"]
        Path(out).write_bytes(base64.b64decode(data))

    def close(self):
        with contextlib.suppress(Exception):
            self.ws.close()
        self.proc.terminate()
        with contextlib.suppress(Exception):
            self.proc.wait(timeout=10)
        shutil.rmtree(self.profile, ignore_errors=True)


class Session:
    """The admin's web session: JSON-RPC calls and downloads with its cookie."""

    def __init__(self):
        self.sid = login()

    def _open(self, path, body=None):
        req = urllib.request.Request(f"{BASE}/{path.lstrip('/')}", data=body,
                                     headers={"Content-Type": "application/json",
                                              "Cookie": f"session_id={self.sid}"})
        return urllib.request.urlopen(req, timeout=120)

    def call(self, model, method, *args, **kwargs):
        body = json.dumps({"jsonrpc": "2.0", "method": "call", "params": {
            "model": model, "method": method, "args": list(args), "kwargs": kwargs}}).encode()
        with self._open("/web/dataset/call_kw", body) as resp:
            answer = json.load(resp)
        if answer.get("error"):
            data = answer["error"].get("data") or {}
            raise RuntimeError(f"{model}.{method}: {data.get('message') or answer['error']}")
        return answer["result"]

    def download(self, path):
        with self._open(path) as resp:
            return resp.read()

    def xmlid(self, xmlid):
        module, name = xmlid.split(".", 1)
        found = self.call("ir.model.data", "search_read", [["module", "=", module], ["name", "=", name]],
                          fields=["res_id"], limit=1)
        return found[0]["res_id"] if found else None

    def find(self, spec):
        """The id of the record a screen shows: by XML id, or the first of a search (of the
        first spec that finds one, for a list)."""
        if isinstance(spec, list):
            for alternative in spec[:-1]:
                with contextlib.suppress(LookupError):
                    return self.find(alternative)
            return self.find(spec[-1])
        if "xmlid" in spec:
            res_id = self.xmlid(spec["xmlid"])
            if not res_id:
                raise LookupError(f"no record {spec['xmlid']} in the demo database")
            return res_id
        domain = [[term[0], term[1], self._value(term[2])] if isinstance(term, list) else term
                  for term in spec.get("domain", [])]
        ids = self.call(spec["model"], "search", domain, order=spec.get("order", "id"), limit=1)
        if not ids:
            raise LookupError(f"no {spec['model']} matching {domain} in the demo database")
        return ids[0]

    def _value(self, value):
        if isinstance(value, str) and value.startswith("xmlid:"):
            return self.xmlid(value[len("xmlid:"):])
        return value


def optimise(path):
    """A PNG of at most 256 colours: a screen of the web client keeps its look at a third of
    the size."""
    from PIL import Image

    with Image.open(path) as img:
        small = img.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    small.save(path, optimize=True)


def pdf_to_png(pdf, out, crop=None, dpi=80):
    from PIL import Image

    with tempfile.TemporaryDirectory(prefix="lp-pdf-") as tmp:
        src = Path(tmp) / "doc.pdf"
        src.write_bytes(pdf)
        subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-singlefile", "-f", "1", "-l", "1",
                        str(src), str(Path(tmp) / "page")], check=True)
        with Image.open(Path(tmp) / "page.png") as page:
            if crop:
                width, height = page.size
                page.crop((round(crop[0] * width), round(crop[1] * height),
                           round(crop[2] * width), round(crop[3] * height))).save(out)
            else:
                page.save(out)


def capture_declared(out_dir):
    """Every screen of tools/store_screens.py into OUT_DIR, in English; returns the names."""
    import store_screens

    session = Session()
    uid = session.call("res.users", "search", [["login", "=", "admin"]], limit=1)[0]
    lang = session.call("res.users", "read", [uid], ["lang"])[0]["lang"]
    session.call("res.users", "write", [uid], {"lang": "en_US"})
    names = []
    browsers = {}
    try:
        for declared in store_screens.SCREENS:
            screen = declared
            if declared.get("requires") and not session.xmlid(declared["requires"]):
                print(f"   {declared['name']}: {declared['requires']} does not exist yet, using its fallback")
                screen = {**declared, **declared.get("fallback", {})}
            name = screen["name"]
            out = out_dir / f"{name}.png"
            res_id = session.find(screen["record"]) if screen.get("record") else None
            if screen.get("pdf"):
                pdf = session.download(f"/report/pdf/{screen['pdf']}/{res_id}")
                if not pdf.startswith(b"%PDF"):
                    raise RuntimeError(f"{name}: /report/pdf/{screen['pdf']}/{res_id} gave no PDF")
                pdf_to_png(pdf, out, screen.get("crop"), screen.get("dpi", 80))
            else:
                size = tuple(screen.get("size") or store_screens.DEFAULT_SIZE)
                if size not in browsers:
                    browsers[size] = Browser(*size)
                    browsers[size].call("Network.enable")
                    browsers[size].call("Network.setCookie", name="session_id", value=session.sid,
                                        domain="127.0.0.1", path="/")
                values = {"id": res_id}
                if screen.get("fields"):  # fields of the record the path needs (e.g. a signed link's token)
                    values.update(session.call(screen["record"]["model"], "read", [res_id], screen["fields"])[0])
                path = screen["path"].format(**values)
                browsers[size].shoot(f"{BASE}/{path.lstrip('/')}", out, script=screen.get("script"),
                                     clip=screen.get("clip"))
            optimise(out)
            names.append(name)
            print(f"   {out.name}: {out.stat().st_size // 1024} kB", flush=True)
    finally:
        for browser in browsers.values():
            browser.close()
        session.call("res.users", "write", [uid], {"lang": lang})
    return names


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--declared":
        out_dir = Path(sys.argv[2])
        out_dir.mkdir(parents=True, exist_ok=True)
        capture_declared(out_dir)
        return 0
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
