"""The company status of French customers: legal status from the company register (API Recherche
d'entreprises) and collective proceedings from the BODACC notices, looked up politely (rate
limits, Retry-After, timeouts) and kept on the commercial partner (docs/legal.md).
"""

import logging
import time
from datetime import timedelta

import requests

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..engine import identifiers, siren_lookup
from .lang import format_day

_logger = logging.getLogger(__name__)

# the company status lookup (API Recherche d'entreprises, BODACC): see _late_payment_check_company_status
STATUS_TIMEOUT = 10  # seconds
STATUS_USER_AGENT = "Odoo account_late_payment/19.0 (company status lookup)"
# seconds between two calls to a service: the company search allows 7 a second per address
STATUS_INTERVALS = {"company_search": 1 / 6, "bodacc": 1 / 5}
STATUS_RETRY_AFTER_MAX = 30  # seconds: a longer Retry-After is not waited for
# the time of the last call to each service, shared by every worker of the database
STATUS_LAST_CALL_KEY = "account_late_payment.status_last_call.%s"
LEGAL_STATES = [
    ("active", "Active"),
    ("ceased", "Ceased"),
    ("not_found", "Not found"),
]
PROCEEDINGS_STATES = [
    ("none", "None"),
    ("open", "Open"),
    ("closed", "Closed"),
]
PROCEDURES = [
    ("sauvegarde", "Safeguard (sauvegarde)"),
    ("redressement", "Receivership (redressement judiciaire)"),
    ("liquidation", "Liquidation (liquidation judiciaire)"),
]


class ResPartner(models.Model):
    _inherit = "res.partner"

    # -- company status (France): legal status and collective proceedings ------------------------
    # facts about the company, the same in every company of the database; kept on the commercial
    # partner
    late_payment_legal_state = fields.Selection(
        LEGAL_STATES, string="Legal status", readonly=True, copy=False,
        help="From the French company register (API Recherche d'entreprises): active or ceased.")
    late_payment_legal_name = fields.Char(string="Registered name", readonly=True, copy=False)
    late_payment_legal_ceased_on = fields.Date(string="Ceased on", readonly=True, copy=False)
    late_payment_legal_checked_on = fields.Datetime(string="Legal status checked on", readonly=True, copy=False)
    late_payment_proceedings_state = fields.Selection(
        PROCEEDINGS_STATES, string="Collective proceedings", readonly=True, copy=False, index="btree_not_null",
        help="From the BODACC notices: safeguard, receivership or liquidation opened and not closed. A customer in "
             "open proceedings gets no reminders: declare your claims to the court-appointed representative.")
    late_payment_proceedings_procedure = fields.Selection(
        PROCEDURES, string="Procedure", readonly=True, copy=False)
    late_payment_proceedings_opened_on = fields.Date(string="Opened on", readonly=True, copy=False)
    late_payment_proceedings_since = fields.Date(
        string="Procedure since", readonly=True, copy=False, help="The judgment that opened or converted to it.")
    late_payment_proceedings_plan_on = fields.Date(string="Plan adopted on", readonly=True, copy=False)
    late_payment_proceedings_closed_on = fields.Date(string="Closed on", readonly=True, copy=False)
    late_payment_proceedings_tribunal = fields.Char(string="Court", readonly=True, copy=False)
    late_payment_proceedings_review = fields.Boolean(
        string="Notices to review", readonly=True, copy=False,
        help="Some BODACC notices could not be read with certainty: read them (see the summary).")
    late_payment_proceedings_checked_on = fields.Datetime(
        string="Proceedings checked on", readonly=True, copy=False)
    late_payment_status_checked_on = fields.Datetime(
        string="Company status checked on", readonly=True, copy=False,
        help="The last time the company status was looked up (it is not looked up again for some days).")
    late_payment_legal_summary = fields.Text(string="What the company register said", readonly=True, copy=False)
    late_payment_proceedings_summary = fields.Text(string="What BODACC said", readonly=True, copy=False)
    late_payment_status_error = fields.Char(
        string="Last lookup problem", readonly=True, copy=False,
        help="A service that did not answer: the status it gave before is kept.")

    def _late_payment_siren(self):
        """The SIREN of this customer (from its company registry number, SIREN or SIRET, else its
        French VAT number), or None; only for French customers (or without a country)."""
        self.ensure_one()
        country = self.country_id.code
        vat = identifiers.normalize(self.vat)
        if country and country != "FR" and not vat.startswith("FR"):
            return None
        return identifiers.siren_of(self.company_registry) or identifiers.siren_of(vat)

    def action_late_payment_check_company_status(self):
        """Look up the legal status and collective proceedings of these customers now (when the
        lookup is turned on in the settings)."""
        self._late_payment_check_user()
        if not self.env["ir.config_parameter"].sudo().get_param("account_late_payment.status_lookup"):
            raise UserError(self.env._(
                "The company status lookup is turned off: an administrator turns it on in the Invoicing "
                "settings."))
        partners = self.commercial_partner_id
        without = partners.filtered(lambda partner: not partner._late_payment_siren())
        if without and len(partners) == 1:
            raise UserError(self.env._(
                "%(customer)s has no SIREN: enter its SIREN or SIRET in Company ID, or its French VAT number.",
                customer=partners.display_name))
        outcomes = partners._late_payment_check_company_status(force=True)
        failed = [message for outcome, message in outcomes.values() if outcome == "failed"]
        if failed:
            message, kind = "\n".join(failed), "warning"
        else:
            checked = partners.filtered(lambda partner: outcomes.get(partner.id, ("",))[0] == "checked")
            message = "\n".join(partner._late_payment_status_line() for partner in checked) \
                or self.env._("No customer with a SIREN to check.")
            kind = "success" if checked else "warning"
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Company status"),
                "message": message,
                "type": kind,
                "sticky": bool(failed),
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def _late_payment_status_line(self):
        self.ensure_one()
        legal = dict(self._fields["late_payment_legal_state"]._description_selection(self.env)).get(
            self.late_payment_legal_state) or self.env._("unknown")
        proceedings = dict(self._fields["late_payment_proceedings_state"]._description_selection(self.env)).get(
            self.late_payment_proceedings_state) or self.env._("unknown")
        return self.env._("%(customer)s: %(legal)s; collective proceedings: %(proceedings)s.",
                          customer=self.display_name, legal=legal, proceedings=proceedings)

    def _late_payment_check_company_status(self, force=False):
        """Look up each customer of `self` (commercial partners) in the French company register and
        in BODACC, store what they say, and stop or resume the reminders of the customers whose
        proceedings opened or closed. Not again within the recheck delay unless `force`. A
        service that fails is logged and leaves the status it gave before: nothing is blocked.
        Returns {partner id: (outcome, message)}, outcome one of checked, cached, no_siren, failed."""
        params = self.env["ir.config_parameter"].sudo()
        recheck_days = int(params.get_param("account_late_payment.status_recheck_days", 7) or 0)
        now = fields.Datetime.now()
        answers = {}
        outcomes = {}
        proceedings_changed = self.browse()
        for partner in self.sudo():
            siren = partner._late_payment_siren()
            if not siren:
                outcomes[partner.id] = ("no_siren", "")
                continue
            checked_on = partner.late_payment_status_checked_on
            if not force and checked_on and checked_on > now - timedelta(days=recheck_days):
                outcomes[partner.id] = ("cached", "")
                continue
            if siren not in answers:
                answers[siren] = self._late_payment_fetch_company_status(siren)
            legal, proceedings, errors = answers[siren]
            was_open = partner.late_payment_proceedings_state == "open"
            partner.write(partner._late_payment_status_values(legal, proceedings, errors, now))
            if was_open != (partner.late_payment_proceedings_state == "open"):
                proceedings_changed |= partner
            if errors:
                outcomes[partner.id] = ("failed", self.env._(
                    "%(customer)s: %(problems)s The status found before is kept.",
                    customer=partner.display_name, problems=" ".join(errors)))
            else:
                outcomes[partner.id] = ("checked", "")
        if proceedings_changed:
            self.env["late.payment.dossier"]._refresh_partners_everywhere(proceedings_changed)
        return outcomes

    @api.model
    def _late_payment_fetch_company_status(self, siren):
        """(LegalStatus or None, ProceedingsStatus or None, [problems]) of a SIREN from the two
        services; a service that fails gives None and a problem, logged."""
        errors = []
        legal = proceedings = None
        for service, url, parse in (
            ("company_search", siren_lookup.company_search_url(siren), siren_lookup.parse_company_search),
            ("bodacc", siren_lookup.bodacc_url(siren), siren_lookup.parse_bodacc),
        ):
            try:
                result = parse(self._late_payment_status_get(service, url), siren)
            except (requests.RequestException, ValueError, TypeError, AttributeError) as error:
                _logger.warning("Company status lookup of %s: %s failed, the previous status is kept: %s",
                                siren, service, error)
                errors.append(self._late_payment_status_problem(service, error))
                continue
            if service == "company_search":
                legal = result
            else:
                proceedings = result
        return legal, proceedings, errors

    @api.model
    def _late_payment_status_get(self, service, url):
        """The JSON answer of `service` at `url`: one request at most every STATUS_INTERVALS
        seconds, a timeout, and one retry after the delay a 429 answer asks for."""
        for attempt in (1, 2):
            self._late_payment_status_turn(service)
            response = requests.get(url, timeout=STATUS_TIMEOUT, headers={
                "User-Agent": STATUS_USER_AGENT, "Accept": "application/json"})
            if response.status_code == 429 and attempt == 1:
                time.sleep(self._late_payment_retry_after(response.headers.get("Retry-After")))
                continue
            response.raise_for_status()
            return response.json()
        return None  # not reached: the second attempt returns or raises

    @api.model
    def _late_payment_status_turn(self, service):
        """Wait for the turn of this process to call `service`: at most one call every
        STATUS_INTERVALS seconds from all the workers together. The time of the last call is kept
        in the database (a system parameter), its row locked while a worker waits for its turn,
        in a transaction of its own committed at once (the lookup's own transaction may last)."""
        interval = STATUS_INTERVALS[service]
        key = STATUS_LAST_CALL_KEY % service
        with self.env.registry.cursor() as cr:
            cr.execute(SQL("INSERT INTO ir_config_parameter (key, value) VALUES (%s, '0') "
                           "ON CONFLICT (key) DO NOTHING", key))
            cr.execute(SQL("SELECT value FROM ir_config_parameter WHERE key = %s FOR UPDATE", key))
            try:
                last = float(cr.fetchone()[0])
            except (TypeError, ValueError):
                last = 0.0
            wait = min(last + interval - time.time(), interval)
            if wait > 0:
                time.sleep(wait)
            cr.execute(SQL("UPDATE ir_config_parameter SET value = %s WHERE key = %s", repr(time.time()), key))
        return wait

    @api.model
    def _late_payment_retry_after(self, value):
        """Seconds to wait from a Retry-After header (seconds; a date or nothing: 1)."""
        try:
            seconds = float(value)
        except (TypeError, ValueError):
            seconds = 1.0
        return min(max(seconds, 0.0), STATUS_RETRY_AFTER_MAX)

    @api.model
    def _late_payment_status_problem(self, service, error):
        name = {"company_search": self.env._("The French company register (API Recherche d'entreprises)"),
                "bodacc": self.env._("BODACC")}[service]
        if isinstance(error, requests.Timeout):
            return self.env._("%(service)s did not answer within %(seconds)s seconds.",
                              service=name, seconds=STATUS_TIMEOUT)
        if isinstance(error, requests.HTTPError):
            status = error.response.status_code if error.response is not None else "?"
            return self.env._("%(service)s answered with an error (HTTP %(status)s).", service=name, status=status)
        if isinstance(error, requests.RequestException):
            return self.env._("%(service)s could not be reached.", service=name)
        return self.env._("%(service)s gave an answer that could not be read.", service=name)

    def _late_payment_status_values(self, legal, proceedings, errors, now):
        """The values to write from the services' answers (None: that service failed, its
        fields are kept)."""
        self.ensure_one()
        vals = {"late_payment_status_error": " ".join(errors) or False}
        if legal is not None or proceedings is not None:
            vals["late_payment_status_checked_on"] = now
        if legal is not None:
            vals.update({
                "late_payment_legal_state": legal.state if legal.found and legal.state != "unknown"
                else "not_found" if not legal.found else False,
                "late_payment_legal_name": legal.name or False,
                "late_payment_legal_ceased_on": legal.ceased_on or False,
                "late_payment_legal_checked_on": now,
                "late_payment_legal_category": legal.legal_category or False,
                "late_payment_legal_summary": self._late_payment_legal_summary(legal),
            })
        if proceedings is not None:
            vals.update({
                "late_payment_proceedings_state": proceedings.state,
                "late_payment_proceedings_procedure": proceedings.procedure or False,
                "late_payment_proceedings_opened_on": proceedings.opened_on or False,
                "late_payment_proceedings_since": proceedings.procedure_since or False,
                "late_payment_proceedings_plan_on": proceedings.plan_on or False,
                "late_payment_proceedings_closed_on": proceedings.closed_on or False,
                "late_payment_proceedings_tribunal": proceedings.tribunal or False,
                "late_payment_proceedings_review": proceedings.needs_review,
                "late_payment_proceedings_checked_on": now,
                "late_payment_proceedings_summary": self._late_payment_bodacc_summary(proceedings),
            })
        return vals

    def _late_payment_legal_summary(self, legal):
        if not legal.found:
            return self.env._("Company register: SIREN %(siren)s not found.", siren=legal.siren)
        text = self.env._("Company register: %(name)s (SIREN %(siren)s), %(state)s.", name=legal.name or "",
                          siren=legal.siren, state={"active": self.env._("active"), "ceased": self.env._("ceased")}.get(
                              legal.state, self.env._("status unknown")))
        if legal.ceased_on:
            text += " " + self.env._("Ceased on %(date)s.", date=format_day(self.env, legal.ceased_on))
        if legal.head_office_siret:
            text += " " + (self.env._("Head office %(siret)s open.", siret=legal.head_office_siret)
                           if legal.head_office_open is not False
                           else self.env._("Head office %(siret)s closed.", siret=legal.head_office_siret))
        return text

    def _late_payment_bodacc_summary(self, proceedings):
        if not proceedings.judgments:
            return self.env._("BODACC: no notice of collective proceedings.")
        lines = [self.env._("BODACC: %(count)s notices of collective proceedings:", count=len(proceedings.judgments))]
        lines.extend(
            f"- {format_day(self.env, judgment.judged_on or judgment.published_on)} {judgment.nature}"
            + (f" ({judgment.tribunal})" if judgment.tribunal else "")
            for judgment in reversed(proceedings.judgments))
        lines.extend(f"! {note}" for note in self._late_payment_bodacc_reviews(proceedings))
        return "\n".join(lines)

    @api.model
    def _cron_late_payment_company_status(self, batch_size=50):
        """Every week, when enabled: the company status of the active French customers (those
        with a follow-up dossier) not checked for the recheck delay, by batches."""
        params = self.env["ir.config_parameter"].sudo()
        if not params.get_param("account_late_payment.status_lookup"):
            return
        recheck_days = int(params.get_param("account_late_payment.status_recheck_days", 7) or 0)
        cutoff = fields.Datetime.now() - timedelta(days=recheck_days)
        self.env["late.payment.dossier"].flush_model(["partner_id"])
        self.flush_model(["late_payment_status_checked_on", "company_registry", "vat", "active"])
        rows = self.env.execute_query(SQL("""
            SELECT DISTINCT partner.id
              FROM res_partner partner
              JOIN late_payment_dossier dossier ON dossier.partner_id = partner.id
             WHERE partner.active
               AND (partner.company_registry IS NOT NULL OR partner.vat ILIKE 'FR%%')
               AND (partner.late_payment_status_checked_on IS NULL OR partner.late_payment_status_checked_on < %s)
             ORDER BY partner.id
        """, cutoff))
        partners = self.browse([row[0] for row in rows])
        partners = partners.filtered(lambda partner: partner._late_payment_siren())

        def process(_key, ids):
            self.browse(ids)._late_payment_check_company_status()

        def skip(_key, ids, _error):
            # looked up again after the recheck delay
            self.browse(ids).sudo().write({"late_payment_status_checked_on": fields.Datetime.now()})

        self.env["late.payment.batch"]._batches(
            self.env._("Company status lookup"), [(self._name, partners.ids)], process, skip=skip,
            describe=lambda _key, partner_id: self.browse(partner_id).display_name, max_size=batch_size)
