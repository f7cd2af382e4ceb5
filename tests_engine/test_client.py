"""The API client (client/) against a fake server, without Odoo: what it sends, what it reads
back, how it reports a refusal; its command line; its distribution (client/pyproject.toml).

The fake server answers JSON-2 (``POST /json/2/<model>/<method>``) and XML-RPC
(``/xmlrpc/2/common``, ``/xmlrpc/2/object``) from a table of canned answers and records every
request. The client against a real Odoo is tested in tests/test_api.py (an HttpCase).
"""

import ast
import contextlib
import io
import json
import threading
import xmlrpc.client
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import tomllib

from client import ApiError, Client
from client.__main__ import main, table

REPO = Path(__file__).resolve().parent.parent
KEY = "test-key-0123"
STATUS = [{"id": 54, "name": "Agence Lambert Immobilier", "amount_due": 33597.94, "amount_overdue": 25425.94,
           "oldest_overdue_days": 34, "status": "planned", "level": "Formal notice", "next_action": "Formal notice",
           "next_action_date": "2026-11-28", "risk_score": 87.0, "risk_class": "Critical", "promise": False,
           "plan": False}]
PARTNERS = [{"id": 54, "name": "Agence Lambert Immobilier"}, {"id": 55, "name": "Agence Lambert Conseil"},
            {"id": 60, "name": "Transports Petit"}]


class FakeOdoo(ThreadingHTTPServer):
    """Canned answers: ``answers[(model, method)]`` is a value, or a callable of the request's
    arguments; an ``ApiError`` raised by it becomes the server's refusal."""

    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), Handler)
        self.requests = []
        self.answers = {}
        self.logins = {"admin": 2}

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server_address[1]}"

    def answer(self, model, method, args):
        found = self.answers[(model, method)]
        return found(**args) if callable(found) else found


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *_args):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if self.path.startswith("/json/2/"):
            self._json2(body)
        elif self.path.startswith("/xmlrpc/2/"):
            self._xmlrpc(body)
        else:
            self._send(404, b"not found", "text/plain")

    def _send(self, status, data, content_type):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _json2(self, body):
        model, method = self.path.split("/")[3:5]
        payload = json.loads(body)
        self.server.requests.append({"path": self.path, "headers": dict(self.headers), "payload": payload})
        if self.headers.get("Authorization") != f"bearer {KEY}":
            return self._send(401, json.dumps({"name": "werkzeug.exceptions.Unauthorized",
                                               "message": "Invalid apikey"}).encode(), "application/json")
        if model == "broken":
            return self._send(502, b"<html>Bad Gateway</html>", "text/html")
        args = {k: v for k, v in payload.items() if k != "context"}
        try:
            result = self.server.answer(model, method, args)
        except ApiError as error:
            return self._send(error.status or 422, json.dumps({"name": error.name, "message": error.message}).encode(),
                              "application/json")
        self._send(200, json.dumps(result).encode(), "application/json")

    def _xmlrpc(self, body):
        params, method = xmlrpc.client.loads(body)
        self.server.requests.append({"path": self.path, "method": method, "params": params})
        try:
            if self.path.endswith("/common") and method == "authenticate":
                _db, login, key, _env = params
                result = self.server.logins.get(login, False) if key == KEY else False
            else:
                _db, _uid, key, model, model_method, args, kwargs = params
                kwargs = {k: v for k, v in kwargs.items() if k != "context"}
                if args:
                    kwargs["ids"] = args[0]
                result = self.server.answer(model, model_method, kwargs)
            data = xmlrpc.client.dumps((result,), methodresponse=True, allow_none=True)
        except ApiError as error:
            data = xmlrpc.client.dumps(xmlrpc.client.Fault(1, f"warning -- UserError\n\n{error.message}"),
                                       methodresponse=True)
        self._send(200, data.encode(), "text/xml")


@pytest.fixture
def server():
    fake = FakeOdoo()
    thread = threading.Thread(target=fake.serve_forever, daemon=True)
    thread.start()
    yield fake
    fake.shutdown()
    fake.server_close()


def _search_read(domain, fields, limit):
    value = domain[-1][2].casefold()
    return [row for row in PARTNERS if value in row["name"].casefold()][:limit]


# -- JSON-2 ---------------------------------------------------------------------------------------
def test_json2_call_sends_the_key_the_database_and_the_arguments(server):
    server.answers[("res.partner", "late_payment_status")] = STATUS
    odoo = Client(server.url + "/", "late_payment_demo", KEY, company_id=3, lang="fr_FR")
    assert odoo.status([54], at_date="2026-12-31") == STATUS
    (request,) = server.requests
    assert request["path"] == "/json/2/res.partner/late_payment_status"
    assert request["headers"]["Authorization"] == f"bearer {KEY}"
    assert request["headers"]["X-Odoo-Database"] == "late_payment_demo"
    assert request["payload"] == {"ids": [54], "at_date": "2026-12-31",
                                  "context": {"allowed_company_ids": [3], "lang": "fr_FR"}}


def test_json2_each_method_of_the_api(server):
    calls = {}
    for model, method in [("account.move", "late_payment_penalties"), ("res.partner", "late_payment_promise"),
                          ("account.move", "late_payment_dispute"), ("account.move", "late_payment_resolve_dispute"),
                          ("res.partner", "late_payment_run")]:
        server.answers[(model, method)] = lambda method=method, **args: calls.setdefault(method, args) and 7
    odoo = Client(server.url, "db", KEY)
    odoo.penalties([11, 12], at_date="2026-06-30")
    assert odoo.promise(54, "2026-12-15", 7848.0, invoice_ids=[11]) == 7
    odoo.dispute([11], "Goods damaged", note="photos sent")
    odoo.resolve_dispute([11])
    odoo.run([54], dry_run=True)
    assert calls == {
        "late_payment_penalties": {"ids": [11, 12], "at_date": "2026-06-30"},
        "late_payment_promise": {"ids": [54], "date": "2026-12-15", "amount": 7848.0, "invoice_ids": [11],
                                 "note": None},
        "late_payment_dispute": {"ids": [11], "reason": "Goods damaged", "note": "photos sent"},
        "late_payment_resolve_dispute": {"ids": [11]},
        "late_payment_run": {"ids": [54], "dry_run": True},
    }


def test_json2_refusals_become_api_errors(server):
    def refuse(**_args):
        raise ApiError("'tomorrow' is not a date: give YYYY-MM-DD", name="odoo.exceptions.UserError", status=422)

    server.answers[("res.partner", "late_payment_status")] = refuse
    with pytest.raises(ApiError) as caught:
        Client(server.url, "db", KEY).status([54], at_date="tomorrow")
    assert (caught.value.status, caught.value.name) == (422, "odoo.exceptions.UserError")
    assert caught.value.message == "'tomorrow' is not a date: give YYYY-MM-DD"
    with pytest.raises(ApiError) as caught:
        Client(server.url, "db", "wrong-key").status([54])
    assert (caught.value.status, caught.value.message) == (401, "Invalid apikey")
    with pytest.raises(ApiError) as caught:  # an answer that is not the API's JSON
        Client(server.url, "db", KEY).call("broken", "anything")
    assert (caught.value.status, caught.value.message) == (502, "502 Bad Gateway")


def test_unreachable_server():
    with pytest.raises(ApiError, match=r"Cannot reach http://127\.0\.0\.1:9"):
        Client("http://127.0.0.1:9", "db", KEY, timeout=5).status([1])
    with pytest.raises(ApiError, match="Cannot reach"):
        Client("http://127.0.0.1:9", "db", KEY, protocol="xmlrpc", login="admin").status([1])


def test_bad_construction():
    with pytest.raises(ValueError, match="protocol must be one of json2, xmlrpc"):
        Client("http://x", "db", KEY, protocol="soap")
    with pytest.raises(ValueError, match="XML-RPC needs the login"):
        Client("http://x", "db", KEY, protocol="xmlrpc")


def test_customers_by_id_or_name(server):
    server.answers[("res.partner", "search_read")] = _search_read
    odoo = Client(server.url, "db", KEY)
    assert odoo.customer_ids([54, "60", "transports petit", "Agence Lambert Immobilier"]) == [54, 60, 60, 54]
    with pytest.raises(ApiError, match="2 customers match 'Agence Lambert': Agence Lambert Immobilier, "
                                       "Agence Lambert Conseil"):
        odoo.customer_ids(["Agence Lambert"])
    with pytest.raises(ApiError, match="No customer named 'Nobody'"):
        odoo.customer_ids(["Nobody"])
    # names are looked up among companies and individuals, never their contacts
    domain = server.requests[-1]["payload"]["domain"]
    assert domain == [["parent_id", "=", False], ["name", "ilike", "Nobody"]]


# -- XML-RPC --------------------------------------------------------------------------------------
def test_xmlrpc_authenticates_once_and_drops_empty_arguments(server):
    server.answers[("res.partner", "late_payment_status")] = STATUS
    odoo = Client(server.url, "late_payment_demo", KEY, protocol="xmlrpc", login="admin", company_id=3)
    assert odoo.status([54]) == STATUS
    assert odoo.status([54], at_date="2026-12-31") == STATUS
    authenticate, first, second = server.requests
    assert (authenticate["method"], authenticate["params"][:3]) == ("authenticate", ("late_payment_demo", "admin", KEY))
    assert first["params"][:6] == ("late_payment_demo", 2, KEY, "res.partner", "late_payment_status", [[54]])
    assert first["params"][6] == {"context": {"allowed_company_ids": [3]}}  # at_date=None left out: no None in XML-RPC
    assert second["params"][6] == {"at_date": "2026-12-31", "context": {"allowed_company_ids": [3]}}


def test_xmlrpc_refusals(server):
    def refuse(**_args):
        raise ApiError("The amount must be positive.")

    server.answers[("res.partner", "late_payment_promise")] = refuse
    odoo = Client(server.url, "db", KEY, protocol="xmlrpc", login="admin")
    with pytest.raises(ApiError) as caught:
        odoo.promise(54, "2026-12-15", -5)
    assert (caught.value.message, caught.value.name) == ("The amount must be positive.", "xmlrpc.Fault")
    with pytest.raises(ApiError, match="Access denied: wrong login or API key"):
        Client(server.url, "db", "wrong-key", protocol="xmlrpc", login="admin").status([54])


# -- command line ---------------------------------------------------------------------------------
def _cli(server, *argv):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([*argv, "--url", server.url, "--db", "late_payment_demo", "--key", KEY])
    return code, out.getvalue(), err.getvalue()


def test_cli_status_table_and_json(server):
    server.answers[("res.partner", "search_read")] = _search_read
    server.answers[("res.partner", "late_payment_status")] = lambda ids, at_date: STATUS
    code, out, err = _cli(server, "status", "Agence Lambert Immobilier")
    assert (code, err) == (0, "")
    header, rule, row = out.splitlines()
    assert header.split()[:4] == ["id", "customer", "due", "overdue"]
    assert set(rule.replace(" ", "")) == {"-"}
    assert row.split()[:6] == ["54", "Agence", "Lambert", "Immobilier", "33,597.94", "25,425.94"]
    assert row.split()[-2:] == ["87.00", "Critical"]
    code, out, _err = _cli(server, "status", "54", "--json", "--date", "2026-12-31")
    assert json.loads(out)[0]["amount_overdue"] == 25425.94
    assert server.requests[-1]["payload"] == {"ids": [54], "at_date": "2026-12-31"}


def test_cli_run_dry_run(server):
    invoice = {"id": 11, "name": "FAC/2026/00140", "due_date": "2026-10-01", "days_late": 40,
               "amount_residual": 1200.0, "level": "Firm reminder"}
    server.answers[("res.partner", "late_payment_run")] = lambda ids, dry_run: [
        {"reminder_id": False, "customer_id": 60, "customer": "Transports Petit", "level": "Firm reminder",
         "channels": ["email"], "result": "would send", "currency": "EUR", "amount": 1200.0, "invoices": [invoice]}]
    code, out, _err = _cli(server, "run", "60", "--dry-run")
    assert code == 0
    assert "FAC/2026/00140" in out and "1,200.00" in out
    assert out.rstrip().endswith("(dry run: nothing was sent)")
    assert server.requests[-1]["payload"] == {"ids": [60], "dry_run": True}


def test_cli_refusal_and_bad_command_line(server):
    server.answers[("res.partner", "search_read")] = _search_read
    code, out, err = _cli(server, "status", "Nobody")
    assert (code, out, err) == (1, "", "Error: No customer named 'Nobody'\n")
    err = io.StringIO()
    with contextlib.redirect_stderr(err), pytest.raises(SystemExit) as exited:
        main(["status", "54"], prog="late-payment")
    assert exited.value.code == 2
    assert "late-payment: error: missing --url, --db, --key" in err.getvalue()
    with contextlib.redirect_stderr(io.StringIO()), pytest.raises(SystemExit) as exited:
        _cli(server, "dispute", "11")
    assert exited.value.code == 2


def test_table_aligns_numbers_right():
    text = table([{"name": "A", "amount": 5.0}, {"name": "Longer name", "amount": 1234.5}],
                 [("name", "customer"), ("amount", "due")])
    assert text.splitlines() == ["customer          due",
                                 "-----------  --------",
                                 "A                5.00",
                                 "Longer name  1,234.50"]


# -- distribution ---------------------------------------------------------------------------------
def test_distribution_metadata():
    project = tomllib.loads((REPO / "client" / "pyproject.toml").read_text())
    manifest = ast.literal_eval((REPO / "__manifest__.py").read_text())
    meta = project["project"]
    assert meta["name"] == "account-late-payment-client"
    assert meta["version"] == manifest["version"], "the client's version follows the addon's (docs/development.md)"
    # no Odoo: requests and the standard library only
    assert meta["dependencies"] == ["requests>=2.25"]
    module, function = meta["scripts"]["late-payment"].split(":")
    assert module == "late_payment_client.__main__" and function == "console"
    assert project["tool"]["hatch"]["build"]["targets"]["wheel"]["sources"] == {"": "late_payment_client"}
    # every module of the client ships, and none of them imports odoo
    for path in (REPO / "client").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = ([alias.name for alias in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            assert not any(name.split(".")[0] == "odoo" for name in names), path.name
