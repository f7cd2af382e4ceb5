import json
import time
from datetime import datetime, timedelta
from pathlib import Path
from unittest.mock import MagicMock, patch

import requests

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import day
from .test_risk import RiskCommon

DATA = Path(__file__).parent / "data"
MODULE = "odoo.addons.account_late_payment.models.res_partner_company_status"
GET = f"{MODULE}.requests.get"
SLEEP = f"{MODULE}.time.sleep"
LOGGER = MODULE
SIREN = "812345676"


def answer(name=None, status=200, text=None, headers=None):
    """A requests.Response carrying the recorded answer tests/data/`name`."""
    response = MagicMock(spec=requests.Response)
    response.status_code = status
    response.headers = headers or {}
    body = text if text is not None else (DATA / name).read_text()
    response.text = body
    response.json.side_effect = lambda: json.loads(body)
    if status >= 400:
        response.raise_for_status.side_effect = requests.HTTPError(f"{status} Error", response=response)
    else:
        response.raise_for_status.return_value = None
    return response


def services(company=None, bodacc=None):
    """A requests.get answering each service with its own answer (or raising it)."""
    def get(url, **kwargs):
        reply = company if "recherche-entreprises" in url else bodacc
        if isinstance(reply, Exception):
            raise reply
        return reply
    return get


@tagged("post_install", "-at_install")
class TestCompanyStatus(RiskCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer.write({"company_registry": f"{SIREN}00017", "country_id": cls.env.ref("base.fr").id})
        cls.env["ir.config_parameter"].sudo().set_param("account_late_payment.status_lookup", "True")

    def _check(self, company="company_search_active.json", bodacc="bodacc_none.json", partners=None, force=True):
        replies = {
            "company": company if isinstance(company, Exception | MagicMock) else answer(company),
            "bodacc": bodacc if isinstance(bodacc, Exception | MagicMock) else answer(bodacc),
        }
        with patch(GET, side_effect=services(replies["company"], replies["bodacc"])) as get, patch(SLEEP):
            outcomes = (partners or self.customer)._late_payment_check_company_status(force=force)
        return get, outcomes

    def test_active_company_without_proceedings(self):
        get, outcomes = self._check()
        self.assertEqual(outcomes[self.customer.id], ("checked", ""))
        customer = self.customer
        self.assertEqual((customer.late_payment_legal_state, customer.late_payment_legal_name),
                         ("active", "MENUISERIE EXEMPLE"))
        self.assertEqual(customer.late_payment_proceedings_state, "none")
        self.assertTrue(customer.late_payment_status_checked_on)
        self.assertTrue(customer.late_payment_legal_checked_on and customer.late_payment_proceedings_checked_on)
        self.assertFalse(customer.late_payment_status_error)
        self.assertIn("Company register: MENUISERIE EXEMPLE (SIREN 812345676), active.",
                      customer.late_payment_legal_summary)
        self.assertEqual(customer.late_payment_proceedings_summary, "BODACC: no notice of collective proceedings.")
        # the requests: the SIREN of the SIRET, a timeout, a User-Agent
        urls = [call.args[0] for call in get.call_args_list]
        self.assertEqual(urls[0], f"https://recherche-entreprises.api.gouv.fr/search?q={SIREN}")
        self.assertIn("annonces-commerciales/records?where=registre+LIKE+%22812345676%22", urls[1])
        for call in get.call_args_list:
            self.assertEqual(call.kwargs["timeout"], 10)
            self.assertIn("account_late_payment", call.kwargs["headers"]["User-Agent"])

    def test_ceased_company_warns_on_its_invoices(self):
        self._check(company="company_search_ceased.json")
        self.assertEqual((self.customer.late_payment_legal_state, self.customer.late_payment_legal_ceased_on),
                         ("ceased", day(0).replace(month=3, day=31)))
        invoice = self._invoice_due(500.0, day(0))
        alert = invoice._get_alerts()["account_late_payment_ceased"]
        self.assertEqual(alert["level"], "danger")
        self.assertIn("Menuiserie Exemple has ceased trading on 03/31/2025", alert["message"])
        self._check(company="company_search_empty.json")
        self.assertEqual(self.customer.late_payment_legal_state, "not_found")

    def test_collective_proceedings_stop_the_reminders(self):
        invoice = self._invoice_due(1200.0, day(0))
        dossier = self._refresh(day(20))
        self.assertEqual(dossier.status, "due")
        with self._at(day(20)):
            self._check(bodacc="bodacc_redressement.json")
        customer = self.customer
        self.assertEqual((customer.late_payment_proceedings_state, customer.late_payment_proceedings_procedure),
                         ("open", "redressement"))
        self.assertEqual(customer.late_payment_proceedings_opened_on, day(0).replace(month=5, day=12))
        self.assertEqual(customer.late_payment_proceedings_tribunal, "TRIBUNAL DE COMMERCE DE LYON")
        self.assertIn("Jugement d'ouverture d'une procédure de redressement judiciaire",
                      customer.late_payment_proceedings_summary)
        # no reminder any more: no next action, no line due for a level
        self.assertEqual((dossier.status, dossier.next_action_date, dossier.next_level_id.id),
                         ("proceedings", False, False))
        self.assertEqual(dossier.amount_overdue, 1200.0)
        lines = self._receivable_lines(invoice)
        self.assertFalse(lines.late_payment_next_level_id or lines.late_payment_next_date)
        self.assertEqual(self._refresh(day(40)).status, "proceedings")
        alert = invoice._get_alerts()["account_late_payment_proceedings"]
        self.assertIn("collective proceedings: Receivership (redressement judiciaire) since 05/12/2025, "
                      "TRIBUNAL DE COMMERCE DE LYON", alert["message"])
        self.assertIn("It gets no reminders", alert["message"])
        # the procedure ends: the reminders resume
        with self._at(day(140)):
            self._check(bodacc="bodacc_redressement_ended.json")
        self.assertEqual(customer.late_payment_proceedings_state, "closed")
        self.assertEqual(dossier.status, "due")
        self.assertNotIn("account_late_payment_proceedings", invoice._get_alerts())

    def test_a_dead_service_changes_nothing_and_blocks_nothing(self):
        self._check(bodacc="bodacc_redressement.json")
        checked_on = self.customer.late_payment_legal_checked_on
        failures = [
            (requests.Timeout("read timed out"), "did not answer within 10 seconds"),
            (requests.ConnectionError("Name or service not known"), "could not be reached"),
            (answer(status=503, text="Service Unavailable"), "answered with an error (HTTP 503)"),
            (answer(text=(DATA / "service_unavailable.html").read_text()), "could not be read"),
        ]
        for failure, message in failures:
            with self.subTest(message=message), self.assertLogs(LOGGER, level="WARNING") as logs:
                _get, outcomes = self._check(company=failure, bodacc=failure)
            self.assertEqual(outcomes[self.customer.id][0], "failed")
            self.assertIn(message, outcomes[self.customer.id][1])
            self.assertIn("The status found before is kept", outcomes[self.customer.id][1])
            self.assertEqual(len(logs.records), 2)
            self.assertIn(message, self.customer.late_payment_status_error)
            # what the services said before stays
            self.assertEqual((self.customer.late_payment_legal_state, self.customer.late_payment_proceedings_state),
                             ("active", "open"))
            self.assertEqual(self.customer.late_payment_legal_checked_on, checked_on)
        # one service down, the other answers: it is stored
        with self.assertLogs(LOGGER, level="WARNING"):
            self._check(company=requests.Timeout(), bodacc="bodacc_redressement_ended.json")
        self.assertEqual(self.customer.late_payment_proceedings_state, "closed")
        self.assertIn("did not answer", self.customer.late_payment_status_error)
        # the button says so without an error, and an invoice still posts
        with patch(GET, side_effect=requests.Timeout()), patch(SLEEP), self.assertLogs(LOGGER, level="WARNING"):
            action = self.customer.action_late_payment_check_company_status()
        self.assertEqual(action["params"]["type"], "warning")
        self.assertIn("did not answer within 10 seconds", action["params"]["message"])
        invoice = self._invoice_due(100.0, day(0))
        self.assertEqual(invoice.state, "posted")

    def test_rate_limit_and_retry_after(self):
        replies = [answer(status=429, text="Too Many Requests", headers={"Retry-After": "3"}),
                   answer("company_search_active.json"), answer("bodacc_none.json")]
        with patch(GET, side_effect=replies) as get, patch(SLEEP) as sleep:
            outcomes = self.customer._late_payment_check_company_status(force=True)
        self.assertEqual(outcomes[self.customer.id], ("checked", ""))
        self.assertEqual(get.call_count, 3)
        self.assertIn(((3.0,), {}), sleep.call_args_list)
        # two calls to a service in a row are spaced (at most 7 a second)
        waits = [call.args[0] for call in sleep.call_args_list if call.args[0] != 3.0]
        self.assertTrue(waits and all(0 < wait <= 1 / 5 for wait in waits), waits)
        # a second 429 in a row is a failure like any other
        too_many = answer(status=429, text="Too Many Requests", headers={"Retry-After": "1"})
        with self.assertLogs(LOGGER, level="WARNING"):
            _get, outcomes = self._check(company=too_many, bodacc="bodacc_none.json")
        self.assertIn("HTTP 429", outcomes[self.customer.id][1])

    def test_rate_limit_is_shared_by_the_workers(self):
        """The interval between two calls to a service holds across workers: the time of the
        last call is kept in the database, not in the process."""
        key = "account_late_payment.status_last_call.bodacc"

        def last_call(value=None):
            with self.env.registry.cursor() as cr:
                if value is not None:
                    cr.execute("INSERT INTO ir_config_parameter (key, value) VALUES (%s, %s) ON CONFLICT (key) "
                               "DO UPDATE SET value = EXCLUDED.value", [key, value])
                cr.execute("SELECT value FROM ir_config_parameter WHERE key = %s", [key])
                return float(cr.fetchone()[0])

        def clean():
            with self.env.registry.cursor() as cr:
                cr.execute("DELETE FROM ir_config_parameter WHERE key = %s", [key])
        self.addCleanup(clean)
        # another worker (another process, another transaction) called BODACC a moment ago
        last_call(repr(time.time() + 1))
        with patch(SLEEP) as sleep:
            self.env["res.partner"]._late_payment_status_turn("bodacc")
        self.assertEqual(sleep.call_args_list, [((1 / 5,), {})])
        # this call is now the last one, for every worker
        self.assertAlmostEqual(last_call(), time.time(), delta=5)

    def test_cached_and_no_siren(self):
        self._check()
        get, outcomes = self._check(force=False)
        self.assertEqual(outcomes[self.customer.id], ("cached", ""))
        self.assertFalse(get.called)
        stranger = self._customer("Brightwell Ltd")
        stranger.write({"country_id": self.env.ref("base.uk").id, "company_registry": "01234567"})
        with self.assertRaisesRegex(UserError, "Brightwell Ltd has no SIREN"):
            stranger.action_late_payment_check_company_status()
        # a French VAT number is enough
        by_vat = self._customer("Par TVA")
        by_vat.write({"vat": "FR19812345676", "country_id": self.env.ref("base.fr").id})
        self.assertEqual(by_vat._late_payment_siren(), SIREN)

    def test_weekly_recheck_of_active_customers(self):
        self._invoice_due(500.0, day(0))
        self._refresh(day(10))
        dormant = self._customer("Sans dossier")
        dormant.company_registry = SIREN
        params = self.env["ir.config_parameter"].sudo()
        params.set_param("account_late_payment.status_lookup", False)
        cron = type(self.env["ir.cron"])
        with patch(GET) as get, patch.object(cron, "_commit_progress", return_value=1.0):
            self.env["res.partner"]._cron_late_payment_company_status()
        self.assertFalse(get.called)  # not enabled
        params.set_param("account_late_payment.status_lookup", "True")
        reply = services(answer("company_search_active.json"), answer("bodacc_none.json"))
        with patch(GET, side_effect=reply) as get, patch(SLEEP), \
                patch.object(cron, "_commit_progress", return_value=1.0) as progress:
            self.env["res.partner"]._cron_late_payment_company_status()
        self.assertEqual(get.call_count, 2)
        self.assertEqual(progress.call_args_list[0].kwargs, {"remaining": 1})
        self.assertEqual(self.customer.late_payment_legal_state, "active")
        self.assertFalse(dormant.late_payment_legal_state)
        # checked less than a week ago: not again
        with patch(GET) as get, patch.object(cron, "_commit_progress", return_value=1.0):
            self.env["res.partner"]._cron_late_payment_company_status()
        self.assertFalse(get.called)
        self.customer.late_payment_status_checked_on = datetime.now() - timedelta(days=8)
        reply = services(answer("company_search_active.json"), answer("bodacc_none.json"))
        with patch(GET, side_effect=reply) as get, patch(SLEEP), \
                patch.object(cron, "_commit_progress", return_value=1.0):
            self.env["res.partner"]._cron_late_payment_company_status()
        self.assertEqual(get.call_count, 2)
