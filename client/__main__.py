"""Command line of the late payment API client.

    python -m client status "Agence Lambert" --url http://127.0.0.1:8069 --db late_payment_demo --key KEY
    python -m client penalties INV/2025/00012 --date 2025-12-31 --url ... --json
    late-payment status "Agence Lambert"        # the same, once installed (pip install ./client)

Customers are given by id or name, invoices by id or number. A readable table, or the API's own
answer with --json. Exit status: 0 done, 1 refused by the server (its message on stderr), 2 a
bad command line.
"""

import argparse
import json
import os
import sys

from .api import ApiError, Client


def _connection(parser):
    group = parser.add_argument_group("connection")
    group.add_argument("--url", default=os.environ.get("LP_API_URL"), help="the server, e.g. http://127.0.0.1:8069 "
                       "(default: $LP_API_URL)")
    group.add_argument("--db", default=os.environ.get("LP_API_DB"), help="the database (default: $LP_API_DB)")
    group.add_argument("--key", default=os.environ.get("LP_API_KEY"), help="an API key (default: $LP_API_KEY)")
    group.add_argument("--xmlrpc", action="store_true", help="use XML-RPC instead of JSON-2 (needs --login)")
    group.add_argument("--login", default=os.environ.get("LP_API_LOGIN"), help="the key's user (XML-RPC only)")
    group.add_argument("--company", type=int, help="the id of the company to work in (default: the user's)")
    group.add_argument("--lang", help="the language of the server's messages, e.g. fr_FR")
    group.add_argument("--json", action="store_true", help="print the API's answer as JSON")


def build_parser(prog=None):
    """`prog`: the command's name in messages, `python -m client` (or the installed package's
    name) by default."""
    parser = argparse.ArgumentParser(prog=prog or f"python -m {__package__.rpartition('.')[2] or 'client'}",
                                     description="The late payment API of an Odoo server.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    status = commands.add_parser("status", help="the follow-up of customers")
    status.add_argument("customers", nargs="+", metavar="CUSTOMER", help="id or name")
    status.add_argument("--date", help="evaluated on this day (YYYY-MM-DD, default today)")
    _connection(status)

    penalties = commands.add_parser("penalties", help="late interest and recovery indemnity of invoices")
    penalties.add_argument("invoices", nargs="*", metavar="INVOICE", help="id or number")
    penalties.add_argument("--customer", help="the open invoices of this customer (id or name)")
    penalties.add_argument("--date", help="accrued up to this day (YYYY-MM-DD, default today)")
    _connection(penalties)

    promise = commands.add_parser("promise", help="record a customer's promise to pay")
    promise.add_argument("customer", metavar="CUSTOMER", help="id or name")
    promise.add_argument("--date", required=True, help="the day it promises to pay (YYYY-MM-DD)")
    promise.add_argument("--amount", required=True, type=float, help="the amount promised")
    promise.add_argument("--invoice", action="append", dest="invoices", metavar="INVOICE",
                         help="an invoice it covers (id or number; repeat for several)")
    promise.add_argument("--note")
    _connection(promise)

    dispute = commands.add_parser("dispute", help="put invoices in dispute, or end their dispute")
    dispute.add_argument("invoices", nargs="+", metavar="INVOICE", help="id or number")
    dispute.add_argument("--reason", help="why the customer disputes them (required unless --resolve)")
    dispute.add_argument("--note")
    dispute.add_argument("--resolve", action="store_true", help="end the dispute instead")
    _connection(dispute)

    run = commands.add_parser("run", help="send the reminders due to customers now")
    run.add_argument("customers", nargs="+", metavar="CUSTOMER", help="id or name")
    run.add_argument("--dry-run", action="store_true", help="only say what would be sent")
    _connection(run)
    return parser


def execute(args, client):
    """The API's answer to the command `args`."""
    if args.command == "status":
        return client.status(client.customer_ids(args.customers), at_date=args.date)
    if args.command == "penalties":
        invoice_ids = client.invoice_ids(args.invoices)
        if args.customer:
            invoice_ids += client.open_invoice_ids(args.customer)
        return client.penalties(invoice_ids, at_date=args.date)
    if args.command == "promise":
        invoice_ids = client.invoice_ids(args.invoices) if args.invoices else None
        return client.promise(client.customer_ids([args.customer])[0], args.date, args.amount,
                              invoice_ids=invoice_ids, note=args.note)
    if args.command == "dispute":
        invoice_ids = client.invoice_ids(args.invoices)
        if args.resolve:
            return client.resolve_dispute(invoice_ids)
        return client.dispute(invoice_ids, args.reason, note=args.note)
    return client.run(client.customer_ids(args.customers), dry_run=args.dry_run)


# -- tables ------------------------------------------------------------------------------------
def _cell(value):
    if value is False or value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, list):
        return ", ".join(_cell(item) for item in value)
    if isinstance(value, dict):
        return " ".join(_cell(item) for item in value.values())
    return str(value)


def table(rows, columns):
    """`rows` (dicts) as a text table of `columns` ((key, title) pairs), numbers on the right."""
    cells = [[_cell(row.get(key)) for key, _title in columns] for row in rows]
    widths = [max([len(title)] + [len(line[index]) for line in cells]) for index, (_key, title) in enumerate(columns)]
    numeric = [all(isinstance(row.get(key), int | float) and not isinstance(row.get(key), bool) for row in rows)
               and bool(rows) for key, _title in columns]

    def line(values):
        return "  ".join(value.rjust(width) if right else value.ljust(width)
                         for value, width, right in zip(values, widths, numeric, strict=True)).rstrip()

    out = [line([title for _key, title in columns]), line(["-" * width for width in widths])]
    out.extend(line(values) for values in cells)
    return "\n".join(out)


STATUS_COLUMNS = [("id", "id"), ("name", "customer"), ("amount_due", "due"), ("amount_overdue", "overdue"),
                  ("oldest_overdue_days", "days"), ("status", "status"), ("level", "last level"),
                  ("next_action", "next action"), ("next_action_date", "on"), ("risk_score", "risk"),
                  ("risk_class", "class"), ("promise", "promise"), ("plan", "plan")]
PENALTY_COLUMNS = [("id", "id"), ("name", "invoice"), ("currency", "cur"), ("due_date", "due date"),
                   ("amount_residual", "unpaid"), ("days_late", "days"), ("interest", "interest"),
                   ("indemnity", "indemnity"), ("already_invoiced", "invoiced"),
                   ("interest_to_invoice", "interest to invoice"), ("indemnity_to_invoice", "indemnity to invoice")]
RUN_COLUMNS = [("customer", "customer"), ("level", "level"), ("channels", "channels"), ("invoice", "invoice"),
               ("due_date", "due date"), ("days_late", "days"), ("amount_residual", "amount"), ("result", "result")]


def render(command, result, args):
    """A readable text of the API's answer."""
    if command == "status":
        return table(result, STATUS_COLUMNS)
    if command == "penalties":
        return table(result, PENALTY_COLUMNS)
    if command == "run":
        rows = [{**reminder, "invoice": invoice["name"], "due_date": invoice["due_date"],
                 "days_late": invoice["days_late"], "amount_residual": invoice["amount_residual"]}
                for reminder in result for invoice in reminder["invoices"] or [{}]]
        text = table(rows, RUN_COLUMNS) if rows else "Nothing to send."
        return text + ("\n(dry run: nothing was sent)" if args.dry_run else "")
    if command == "promise":
        return f"Promise to pay recorded (id {result})."
    if command == "dispute":
        return "Dispute ended." if args.resolve else "Invoices put in dispute."
    return json.dumps(result, indent=2)


def main(argv=None, prog=None, **options):
    """The command line; `options` go to the Client (session, transport, timeout)."""
    parser = build_parser(prog)
    args = parser.parse_args(argv)
    missing = [name for name in ("url", "db", "key") if not getattr(args, name)]
    if missing:
        parser.error("missing " + ", ".join(f"--{name}" for name in missing))
    if args.xmlrpc and not args.login:
        parser.error("--xmlrpc needs --login")
    if args.command == "penalties" and not (args.invoices or args.customer):
        parser.error("penalties needs invoices or --customer")
    if args.command == "dispute" and not args.resolve and not args.reason:
        parser.error("dispute needs --reason (or --resolve)")
    client = Client(args.url, args.db, args.key, protocol="xmlrpc" if args.xmlrpc else "json2", login=args.login,
                    company_id=args.company, lang=args.lang, **options)
    try:
        result = execute(args, client)
    except ApiError as error:
        sys.stderr.write(f"Error: {error.message}\n")
        return 1
    sys.stdout.write((json.dumps(result, indent=2, ensure_ascii=False) if args.json
                      else render(args.command, result, args)) + "\n")
    return 0


def console():
    """The `late-payment` command of the installed distribution (client/pyproject.toml)."""
    return main(prog="late-payment")


if __name__ == "__main__":
    sys.exit(main())
