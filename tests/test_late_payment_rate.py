from pathlib import Path
from unittest.mock import MagicMock, patch

import psycopg2
import requests

from odoo import fields
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from .common import PenaltyCommon

DATA = Path(__file__).resolve().parent / "data"
GET = "odoo.addons.account_late_payment.models.late_payment_rate.requests.get"
LOGGER = "odoo.addons.account_late_payment.models.late_payment_rate"


def answer(text, status=200):
    """A recorded answer of the ECB Data Portal."""
    response = MagicMock(spec=requests.Response)
    response.status_code = status
    response.text = text
    if status >= 400:
        response.raise_for_status.side_effect = requests.HTTPError(f"{status} Server Error", response=response)
    return response


@tagged("post_install", "-at_install")
class TestLatePaymentRate(PenaltyCommon):
    """The rate table: shipped history, manual entry, and the refresh from the ECB."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Rate = cls.env["late.payment.rate"]
        cls.admin = new_test_user(cls.env, login="lp_rate_admin", company_id=cls.company.id,
                                  groups="account_late_payment.group_late_payment_admin")
        cls.user = new_test_user(cls.env, login="lp_rate_user", company_id=cls.company.id,
                                 groups="account_late_payment.group_late_payment_user")
        # the rates are one table for every company: system administrators enter them
        cls.sysadmin = new_test_user(cls.env, login="lp_rate_sysadmin", company_id=cls.company.id,
                                     groups="account_late_payment.group_late_payment_admin,base.group_system")

    def _ecb(self):
        return self.Rate.search([("kind", "=", "ecb_mro")], order="date_from")

    def _activities(self):
        return self.env["mail.activity"].search([("res_model", "=", "late.payment.rate")])

    def test_shipped_history_cites_its_sources(self):
        ecb = dict(self.Rate._rates("ecb_mro"))
        self.assertEqual(ecb[fields.Date.to_date("2024-06-12")], 4.25)
        self.assertEqual(min(ecb), fields.Date.to_date("2009-05-13"))
        legal_b = dict(self.Rate._rates("fr_legal_b"))
        legal_a = dict(self.Rate._rates("fr_legal_a"))
        self.assertEqual(len(legal_a), 23)
        self.assertEqual(len(legal_b), 23)
        self.assertEqual(legal_b[fields.Date.to_date("2019-01-01")], 0.86)
        self.assertEqual(legal_b[fields.Date.to_date("2018-01-01")], 0.89)
        self.assertEqual(legal_a[fields.Date.to_date("2026-01-01")], 6.67)
        self.assertFalse(self.Rate.search([("kind", "like", "fr_legal"), ("date_from", ">=", "2026-07-01")]))
        self.assertTrue(all(rate.source for rate in self.Rate.search([])))
        unconfirmed = self.env.ref("account_late_payment.rate_ecb_mro_20260617")
        self.assertIn("Unconfirmed", unconfirmed.source)

    def test_administrators_enter_rates_users_read_them(self):
        with self.assertRaises(AccessError):
            self.Rate.with_user(self.admin).create({"kind": "ecb_mro", "date_from": "2026-12-01", "rate": 2.0,
                                                    "source": "test"})
        rate = self.Rate.with_user(self.sysadmin).create({
            "kind": "fr_legal_b", "date_from": "2026-07-01", "rate": 2.5,
            "source": "Arrêté fixant le taux de l'intérêt légal pour le second semestre 2026, JO"})
        self.assertEqual(rate.with_user(self.user).rate, 2.5)
        self.assertIn("2.5", rate.display_name)
        with self.assertRaises(AccessError):
            self.Rate.with_user(self.user).create({"kind": "ecb_mro", "date_from": "2026-12-01", "rate": 2.0,
                                                   "source": "test"})
        with self.assertRaises(AccessError):
            rate.with_user(self.user).rate = 3.0
        with self.assertRaisesRegex(ValidationError, "1 January or 1 July"):
            self.Rate.create({"kind": "fr_legal_a", "date_from": "2026-07-02", "rate": 6.0, "source": "test"})
        with self.assertRaisesRegex(ValidationError, "country"):
            self.Rate.create({"kind": "other", "date_from": "2026-07-01", "rate": 1.52, "source": "test"})
        with self.assertRaisesRegex(ValidationError, "plausible"):
            self.Rate.create({"kind": "ecb_mro", "date_from": "2026-12-02", "rate": 240, "source": "test"})
        with self.assertRaises(psycopg2.IntegrityError), mute_logger("odoo.sql_db"), self.env.cr.savepoint():
            self.Rate.create({"kind": "fr_legal_b", "date_from": "2026-07-01", "rate": 2.6, "source": "twice"})
            self.env.flush_all()

    def test_another_countrys_reference_rate(self):
        germany = self.env.ref("base.de")
        self.Rate.create([
            {"kind": "other", "country_id": germany.id, "date_from": "2025-01-01", "rate": 2.27,
             "source": "Deutsche Bundesbank, Basiszinssatz (BGB 247)"},
            {"kind": "other", "country_id": germany.id, "date_from": "2025-07-01", "rate": 1.27,
             "source": "Deutsche Bundesbank, Basiszinssatz (BGB 247)"},
        ])
        company = self.setup_other_company(name="GmbH", country_id=germany.id)["company"]
        company.write({"account_fiscal_country_id": germany.id, "late_payment_interest_margin": 9.0})
        schedule = company._late_payment_rate_schedule()
        self.assertEqual(float(schedule(fields.Date.to_date("2025-09-01"))), 10.27)
        self.assertEqual(float(self.company._late_payment_rate_schedule()(fields.Date.to_date("2025-09-01"))), 12.15)

    def test_refresh_from_a_recorded_answer(self):
        with patch(GET, return_value=answer((DATA / "ecb_mro_dataonly_sample.csv").read_text())) as get:
            ok, message = self.Rate._refresh_ecb_rates()
        self.assertTrue(ok, message)
        (args, kwargs), = get.call_args_list
        self.assertEqual(args[0], "https://data-api.ecb.europa.eu/service/data/FM/B.U2.EUR.4F.KR.MRR_FR.LEV")
        self.assertEqual(kwargs["timeout"], 10)
        self.assertEqual(kwargs["headers"]["User-Agent"], "Odoo account_late_payment/19.0")
        self.assertEqual(kwargs["params"]["format"], "csvdata")
        # the last known rate (17 June 2026) less 400 days
        self.assertEqual(kwargs["params"]["startPeriod"], "2025-05-13")
        rates = {str(r.date_from): r.rate for r in self._ecb()}
        # the unconfirmed row of 17 June 2026 gives way to the ECB's date, a new change is added
        self.assertNotIn("2026-06-17", rates)
        self.assertEqual(rates["2026-06-10"], 2.4)
        self.assertEqual(rates["2026-10-28"], 2.65)
        self.assertEqual(rates["2025-06-11"], 2.15)
        self.assertEqual(rates["2024-06-12"], 4.25)  # before the dates asked for: untouched
        archived = self.env.ref("account_late_payment.rate_ecb_mro_20260617")
        self.assertFalse(archived.active)
        confirmed = self.env.ref("account_late_payment.rate_ecb_mro_20250611")
        self.assertIn("Confirmed by the ECB Data Portal", confirmed.source)
        new = self.Rate.search([("kind", "=", "ecb_mro"), ("date_from", "=", "2026-10-28")])
        self.assertIn("FM.B.U2.EUR.4F.KR.MRR_FR.LEV", new.source)
        self.assertIn("2 new, 0 corrected, 1 archived", message)
        # 2026 H2 statutory rate: the rate in force on 1 July 2026 + 10
        self.assertEqual(float(self.company._late_payment_rate_schedule()(fields.Date.to_date("2026-11-01"))), 12.4)
        # run again: nothing to change
        with patch(GET, return_value=answer((DATA / "ecb_mro_dataonly_sample.csv").read_text())) as get:
            ok, message = self.Rate._refresh_ecb_rates()
        self.assertTrue(ok)
        self.assertEqual(get.call_args.kwargs["params"]["startPeriod"], "2025-09-23")
        self.assertEqual(message, "The ECB rate table is up to date.")
        self.assertFalse(self._activities())

    def test_refresh_corrects_a_wrong_rate_and_reads_the_full_format(self):
        wrong = self.env.ref("account_late_payment.rate_ecb_mro_20250611")
        wrong.rate = 2.25
        twin = self.Rate.create({"kind": "ecb_mro", "date_from": "2025-06-11", "rate": 2.0, "source": "typo",
                                 "active": False})
        with patch(GET, return_value=answer((DATA / "ecb_mro_full_sample.csv").read_text())):
            ok, message = self.Rate._refresh_ecb_rates()
        self.assertTrue(ok, message)
        self.assertEqual(wrong.rate, 2.15)
        self.assertFalse(twin.active)
        self.assertIn("FM.B.U2.EUR.4F.KR.MRR_FR.LEV", wrong.source)
        # this answer ends on 11 June 2025: the later row entered by hand stays
        self.assertTrue(self.env.ref("account_late_payment.rate_ecb_mro_20260617").active)

    def test_refresh_from_an_empty_table_asks_for_the_history(self):
        self._ecb().action_archive()
        with patch(GET, return_value=answer((DATA / "ecb_mro_full_sample.csv").read_text())) as get:
            self.Rate._refresh_ecb_rates()
        self.assertEqual(get.call_args.kwargs["params"]["startPeriod"], "2011-01-01")
        self.assertEqual([(str(r.date_from), r.rate) for r in self._ecb()], [("2025-04-23", 2.4), ("2025-06-11", 2.15)])

    def _assert_failure_keeps_the_rates(self, response=None, side_effect=None, expected=""):
        before = [(r.date_from, r.rate, r.active) for r in self._ecb()]
        with patch(GET, return_value=response, side_effect=side_effect), \
                self.assertLogs(LOGGER, level="WARNING") as logs:
            ok, message = self.Rate._refresh_ecb_rates()
        self.assertFalse(ok)
        self.assertIn("last known rate stays in force", logs.output[0])
        self.assertIn(expected, message)
        self.assertEqual([(r.date_from, r.rate, r.active) for r in self._ecb()], before)
        activities = self._activities()
        self.assertIn(self.admin, activities.user_id)
        self.assertNotIn(self.user, activities.user_id)
        self.assertEqual(activities.mapped("res_id"), [self.env.ref("account_late_payment.rate_ecb_mro_20260617").id]
                         * len(activities))
        self.assertIn("stays in force", activities[0].note)
        return activities

    def test_garbage_answer(self):
        page = answer((DATA / "ecb_error_page.html").read_text())
        activities = self._assert_failure_keeps_the_rates(page, expected="not the expected CSV")
        # failing again the next day adds no second activity while the first is open
        with patch(GET, return_value=page), self.assertLogs(LOGGER, level="WARNING"):
            self.Rate._refresh_ecb_rates()
        self.assertEqual(self._activities(), activities)

    def test_timeout(self):
        self._assert_failure_keeps_the_rates(side_effect=requests.Timeout("read timed out"), expected="10 seconds")

    def test_unreachable(self):
        self._assert_failure_keeps_the_rates(side_effect=requests.ConnectionError("Name or service not known"),
                                             expected="cannot be reached")

    def test_server_error(self):
        self._assert_failure_keeps_the_rates(answer("Service Unavailable", status=503), expected="503")

    def test_scheduled_action_and_button(self):
        cron = self.env.ref("account_late_payment.ir_cron_late_payment_refresh_ecb_rates")
        self.assertEqual((cron.interval_number, cron.interval_type, cron.active), (1, "days", True))
        self.assertEqual(cron.code, "model._cron_refresh_ecb_rates()")
        with patch(GET, return_value=answer((DATA / "ecb_mro_dataonly_sample.csv").read_text())):
            self.Rate._cron_refresh_ecb_rates()
        self.assertTrue(self.Rate.search([("kind", "=", "ecb_mro"), ("date_from", "=", "2026-10-28")]))
        with patch(GET, side_effect=requests.Timeout()), self.assertLogs(LOGGER, level="WARNING"):
            action = self.Rate.with_user(self.admin).action_refresh_ecb_rates()
        self.assertEqual(action["params"]["type"], "warning")
        self.assertIn("10 seconds", action["params"]["message"])
