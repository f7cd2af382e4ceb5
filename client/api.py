"""A small Python client of the late payment API of an Odoo 19 server.

JSON-2 (``POST /json/2/<model>/<method>``, Odoo 19's external API) with an API key, on
``requests``; or XML-RPC (``/xmlrpc/2/object``, deprecated in Odoo 19 but still served) with
the key as password, on the standard library's ``xmlrpc.client``. Plain Python: the addon
never imports it.

    from client import Client
    odoo = Client("http://127.0.0.1:8069", "late_payment_demo", "<api key>")
    odoo.status(odoo.customer_ids(["Agence Lambert"]))
"""

import xmlrpc.client

import requests

PROTOCOLS = ("json2", "xmlrpc")


class ApiError(Exception):
    """The server refused a call: ``message`` is its (translated) explanation, ``name`` the
    exception's class on the server (``odoo.exceptions.UserError``, ...), ``status`` the HTTP
    status (JSON-2) or None."""

    def __init__(self, message, name=None, status=None):
        super().__init__(message)
        self.message = message
        self.name = name
        self.status = status


class Client:
    """Calls the late payment methods of one database.

    ``url``: the server (``http://127.0.0.1:8069``); ``db``: the database; ``key``: an API key
    (Preferences > Account Security > New API Key); ``protocol``: ``json2`` (default) or
    ``xmlrpc``, which also needs the ``login`` of the key's user; ``company_id``: the company to
    work in (default: the user's current company); ``lang``: the language of the messages
    (``fr_FR``, ...); ``session``: the ``requests.Session`` of JSON-2 calls; ``transport``: the
    ``xmlrpc.client.Transport`` of XML-RPC calls.
    """

    def __init__(self, url, db, key, protocol="json2", login=None, company_id=None, lang=None, timeout=60,
                 session=None, transport=None):
        if protocol not in PROTOCOLS:
            raise ValueError(f"protocol must be one of {', '.join(PROTOCOLS)}, not {protocol!r}")
        if protocol == "xmlrpc" and not login:
            raise ValueError("XML-RPC needs the login of the API key's user")
        self.url = url.rstrip("/")
        self.db = db
        self.key = key
        self.protocol = protocol
        self.login = login
        self.timeout = timeout
        self.context = {}
        if company_id:
            self.context["allowed_company_ids"] = [int(company_id)]
        if lang:
            self.context["lang"] = lang
        self._session = session or requests.Session()
        self._transport = transport
        self._uid = None

    # -- transport ---------------------------------------------------------------------------
    def call(self, model, method, ids=None, **kwargs):
        """``model.browse(ids).method(**kwargs)`` on the server; ApiError when it refuses."""
        if self.protocol == "xmlrpc":
            return self._call_xmlrpc(model, method, ids, kwargs)
        return self._call_json2(model, method, ids, kwargs)

    def _call_json2(self, model, method, ids, kwargs):
        payload = dict(kwargs)
        if ids is not None:
            payload["ids"] = list(ids)
        if self.context:
            payload["context"] = self.context
        try:
            response = self._session.post(
                f"{self.url}/json/2/{model}/{method}", json=payload, timeout=self.timeout,
                headers={"Authorization": f"bearer {self.key}", "X-Odoo-Database": self.db,
                         "User-Agent": "account_late_payment-client"})
        except requests.RequestException as error:
            raise ApiError(f"Cannot reach {self.url}: {error}") from error
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.status_code != 200:
            if isinstance(body, dict) and "message" in body:
                raise ApiError(body["message"], name=body.get("name"), status=response.status_code)
            raise ApiError(f"{response.status_code} {response.reason}", status=response.status_code)
        return body

    def _xmlrpc(self, service):
        return xmlrpc.client.ServerProxy(f"{self.url}/xmlrpc/2/{service}", transport=self._transport, allow_none=True)

    def _call_xmlrpc(self, model, method, ids, kwargs):
        try:
            if self._uid is None:
                self._uid = self._xmlrpc("common").authenticate(self.db, self.login, self.key, {})
                if not self._uid:
                    raise ApiError("Access denied: wrong login or API key", name="AccessDenied")
            args = [list(ids)] if ids is not None else []
            if self.context:
                kwargs = {**kwargs, "context": self.context}
            # XML-RPC has no None: an argument left out takes its default
            kwargs = {name: value for name, value in kwargs.items() if value is not None}
            return self._xmlrpc("object").execute_kw(self.db, self._uid, self.key, model, method, args, kwargs)
        except xmlrpc.client.Fault as fault:
            raise ApiError(_fault_message(fault.faultString), name="xmlrpc.Fault") from fault
        except (OSError, xmlrpc.client.ProtocolError) as error:
            raise ApiError(f"Cannot reach {self.url}: {error}") from error

    # -- finding records -----------------------------------------------------------------------
    def customer_ids(self, customers):
        """Ids of `customers`, each an id or a name (exact, else the only one containing it)."""
        return [self._find("res.partner", "name", value, [("parent_id", "=", False)]) for value in customers]

    def invoice_ids(self, invoices):
        """Ids of `invoices`, each an id or an invoice number."""
        return [self._find("account.move", "name", value, [("move_type", "in", ["out_invoice", "out_refund"])])
                for value in invoices]

    def open_invoice_ids(self, customer):
        """Ids of the open (posted, not fully paid) invoices of `customer` (an id or a name), the
        oldest due first."""
        customer_id = self.customer_ids([customer])[0]
        return self.call("account.move", "search", domain=[
            ("commercial_partner_id", "=", customer_id), ("move_type", "=", "out_invoice"), ("state", "=", "posted"),
            ("payment_state", "in", ["not_paid", "partial"]),
        ], order="invoice_date_due, id")

    def _find(self, model, field, value, domain):
        if isinstance(value, int) or (isinstance(value, str) and value.strip().isdigit()):
            return int(value)
        kind = "customer" if model == "res.partner" else "invoice"
        found = self.call(model, "search_read", domain=[*domain, (field, "ilike", value)], fields=[field], limit=20)
        exact = [row for row in found if row[field].casefold() == value.casefold()]
        matches = exact or found
        if len(matches) != 1:
            names = ", ".join(row[field] for row in matches[:5])
            raise ApiError(f"No {kind} named {value!r}" if not matches
                           else f"{len(matches)} {kind}s match {value!r}: {names}; give the id, the full name, "
                                "or the company (--company)")
        return matches[0]["id"]

    # -- the late payment API ------------------------------------------------------------------
    def status(self, customer_ids, at_date=None):
        """The follow-up of each customer (res.partner.late_payment_status)."""
        return self.call("res.partner", "late_payment_status", customer_ids, at_date=at_date)

    def penalties(self, invoice_ids, at_date=None):
        """The late interest and indemnity of each invoice (account.move.late_payment_penalties)."""
        return self.call("account.move", "late_payment_penalties", invoice_ids, at_date=at_date)

    def promise(self, customer_id, date, amount, invoice_ids=None, note=None):
        """Record a promise to pay; returns its id (res.partner.late_payment_promise)."""
        return self.call("res.partner", "late_payment_promise", [customer_id], date=date, amount=amount,
                         invoice_ids=invoice_ids, note=note)

    def dispute(self, invoice_ids, reason, note=None):
        """Put invoices in dispute (account.move.late_payment_dispute)."""
        return self.call("account.move", "late_payment_dispute", invoice_ids, reason=reason, note=note)

    def resolve_dispute(self, invoice_ids):
        """End the dispute of invoices (account.move.late_payment_resolve_dispute)."""
        return self.call("account.move", "late_payment_resolve_dispute", invoice_ids)

    def run(self, customer_ids, dry_run=False):
        """Send the reminders due to the customers now, or with `dry_run` say what would go
        (res.partner.late_payment_run)."""
        return self.call("res.partner", "late_payment_run", customer_ids, dry_run=dry_run)


def _fault_message(fault_string):
    """The message of an XML-RPC fault, without Odoo's 'warning -- UserError' header."""
    text = fault_string or ""
    if text.startswith("warning -- "):
        text = text.split("\n\n", 1)[-1]
    return text.strip()
