import logging
from datetime import date, timedelta

import requests

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.fields import Domain

from ..engine import ecb, interest
from .access import ADMIN_GROUP, check_group, check_records
from .lang import format_day, format_number

_logger = logging.getLogger(__name__)

USER_AGENT = "Odoo account_late_payment/19.0"
TIMEOUT = 10  # seconds
# Without any ECB rate in the table, the refresh asks for the history from this day.
HISTORY_START = date(2011, 1, 1)
# The refresh asks again for the changes of this many days before the last known one, so that
# a row entered from press reports gets corrected by the ECB's own figures.
LOOK_BACK_DAYS = 400
# The French legal rates of a half-year are published in the last days of the half-year before:
# the administrators are warned this many days before the half-year starts without them.
LEGAL_RATES_WARNING_DAYS = 10
LEGAL_KINDS = ("fr_legal_a", "fr_legal_b")


class LatePaymentRate(models.Model):
    _name = "late.payment.rate"
    _description = "Late payments: reference rate"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "kind, country_id, date_from desc, id desc"
    _rec_name = "kind"

    kind = fields.Selection(
        [
            ("ecb_mro", "ECB main refinancing rate"),
            ("fr_legal_a", "French legal rate (a): creditor a consumer"),
            ("fr_legal_b", "French legal rate (b): all other cases"),
            ("other", "Another country's reference rate"),
        ],
        required=True, default="ecb_mro", tracking=True,
        help="ECB main refinancing operations rate: the reference of the French statutory rate (+ 10 points).\n"
             "French legal interest rate, set each half-year by an arrêté: (a) for creditors who are natural "
             "persons not acting professionally, (b) for all other cases; three times (b) is the lowest "
             "contractual rate a French company may write in its terms.\n"
             "Another country's reference rate (e.g. the German Basiszinssatz): used by the statutory rate of "
             "the companies of that country.")
    country_id = fields.Many2one(
        "res.country", tracking=True,
        help="The country whose reference rate this is (for another country's reference rate only).")
    rate = fields.Float(string="Rate (%)", digits=(16, 4), required=True, tracking=True,
                        help="Annual rate, in percent.")
    date_from = fields.Date(
        string="In force from", required=True, tracking=True,
        help="The day the rate takes effect; it stays in force until the next rate of the same kind. "
             "A legal rate holds for its half-year only, so it starts on 1 January or 1 July.")
    source = fields.Text(required=True, help="Where the figure comes from: the decision, the official text, "
                                             "the table or the service it was read in.")
    active = fields.Boolean(default=True, tracking=True)
    confirmed = fields.Boolean(
        compute="_compute_confirmed", store=True, readonly=False, tracking=True,
        help="The figure is read in its official source (the ECB Data Portal, the arrêté). A rate entered "
             "from other reports stays unconfirmed, and says so where it is used, until the source confirms it.")

    _rate_unique = models.UniqueIndex(
        "(kind, COALESCE(country_id, 0), date_from) WHERE active",
        "There is already a rate of this kind in force from this date.")

    @api.depends("source")
    def _compute_confirmed(self):
        # a source that starts with "Unconfirmed" is unconfirmed until the ECB refresh adds its
        # confirmation ("Confirmed by the ECB Data Portal") or replaces the source
        for record in self:
            text = (record.source or "").strip().lower()
            record.confirmed = not text.startswith("unconfirmed") or "confirmed by" in text

    @api.model
    def _unconfirmed_in_force(self, today=None):
        """The rates in force today (the last of each kind and country from today or before,
        the next ones too) that are not confirmed."""
        today = today or fields.Date.context_today(self)
        rates = self.sudo().search([("confirmed", "=", False)])
        if not rates:
            return rates
        in_force = self.sudo().browse()
        for (kind, country), rows in rates.grouped(lambda r: (r.kind, r.country_id)).items():
            current = self.sudo().search([("kind", "=", kind), ("country_id", "=", country.id),
                                          ("date_from", "<=", today)], order="date_from desc", limit=1)
            in_force |= rows.filtered(lambda r, current=current: r == current or r.date_from > today)
        return in_force.sudo(False)

    @api.depends("kind", "country_id", "date_from", "rate")
    def _compute_display_name(self):
        labels = dict(self._fields["kind"]._description_selection(self.env))
        for record in self:
            kind = labels.get(record.kind, "")
            if record.kind == "other" and record.country_id:
                kind = f"{kind} ({record.country_id.name})"
            record.display_name = self.env._(
                "%(kind)s: %(rate)s %% from %(date)s", kind=kind, rate=format_number(self.env, record.rate),
                date=format_day(self.env, record.date_from))

    @api.constrains("kind", "country_id", "date_from", "rate")
    def _check_rate(self):
        for record in self:
            if record.kind == "other" and not record.country_id:
                raise ValidationError(self.env._("Choose the country of this reference rate."))
            if record.kind != "other" and record.country_id:
                raise ValidationError(self.env._("Only another country's reference rate has a country."))
            if record.kind in ("fr_legal_a", "fr_legal_b") and record.date_from and (
                    record.date_from != interest.half_year_start(record.date_from)):
                raise ValidationError(self.env._(
                    "A French legal rate is set for a half-year: it starts on 1 January or 1 July, not on %(date)s.",
                    date=format_day(self.env, record.date_from)))
            if not -10 <= record.rate <= 100:
                raise ValidationError(self.env._(
                    "%(rate)s %% is not a plausible annual rate: enter it in percent (e.g. 2.15).",
                    rate=format_number(self.env, record.rate)))

    # -- reading the table (plain values for engine/) --------------------------------------
    @api.model
    def _rates(self, kind, country=None):
        """``[(date_from, rate)]`` of the active rates of `kind` (of `country` for 'other')."""
        domain = Domain("kind", "=", kind)
        if kind == "other":
            domain &= Domain("country_id", "=", country.id if country else False)
        rows = self.sudo().search_fetch(domain, ["date_from", "rate"], order="date_from")
        return [(row.date_from, round(row.rate, 4)) for row in rows]

    # -- refreshing the ECB rate -----------------------------------------------------------
    @api.model
    def _cron_refresh_ecb_rates(self):
        self._refresh_ecb_rates()

    def action_refresh_ecb_rates(self):
        """The button of the list: refresh now and say how it went. For the Late payments
        Administrators: the refresh then writes, as superuser, the rates the ECB publishes (and
        nothing a caller gives) into the global table that only system administrators edit."""
        check_group(self.env, ADMIN_GROUP, self.env._(
            "Only the Late payments Administrators may refresh the reference rates."))
        check_records(self, "read")
        ok, message = self._refresh_ecb_rates()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("ECB rate refresh"),
                "message": message,
                "type": "success" if ok else "warning",
                "sticky": not ok,
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    @api.model
    def _refresh_ecb_rates(self):
        """Ask the ECB Data Portal for the MRO rate changes and bring the table in line.

        Returns ``(ok, message)``. When the service is unreachable or answers something else
        than the series, the table is left as it is (the last known rate stays in force), the
        problem is logged and the Administrators get an activity.
        """
        Rate = self.sudo().with_context(active_test=False)
        known = Rate.search([("kind", "=", "ecb_mro"), ("active", "=", True)], order="date_from desc", limit=1)
        start = known.date_from - timedelta(days=LOOK_BACK_DAYS) if known else HISTORY_START
        try:
            response = requests.get(
                ecb.URL, params=ecb.query_params(start), timeout=TIMEOUT,
                headers={"User-Agent": USER_AGENT, "Accept": "text/csv"})
            response.raise_for_status()
            observations = ecb.parse_csv(response.text)
        except (requests.RequestException, ecb.EcbFormatError) as error:
            _logger.warning("ECB rate refresh failed, the last known rate stays in force: %s", error)
            self._notify_refresh_failure(error)
            return False, self.env._(
                "The ECB data service could not be read (%(error)s). The last known rate stays in force.",
                error=self._describe_error(error))
        created, corrected, archived = self._apply_ecb_observations(observations, start)
        _logger.info("ECB rate refresh: %s observations from %s, %s new rates, %s corrected, %s archived",
                     len(observations), start, len(created), len(corrected), len(archived))
        if created or corrected or archived:
            return True, self.env._(
                "ECB rate table updated: %(new)s new, %(corrected)s corrected, %(archived)s archived.",
                new=len(created), corrected=len(corrected), archived=len(archived))
        return True, self.env._("The ECB rate table is up to date.")

    @api.model
    def _apply_ecb_observations(self, observations, start):
        """Bring the ECB rows from `start` on in line with the service's `observations`:
        a change the table lacks is created, a rate that differs is corrected, and a row of the
        covered dates that is no change for the ECB is archived."""
        Rate = self.sudo().with_context(active_test=False)
        observations = [(day, rate) for day, rate in observations if day >= start]
        if not observations:
            return Rate, Rate, Rate
        last = observations[-1][0]
        before = interest.rate_in_force(self._rates("ecb_mro"), start - timedelta(days=1))
        changes = dict(ecb.changes(observations, before))
        # the dates the answer covers: a row there that is no change for the ECB is wrong; a
        # row after the last observation (a decision entered by hand before the service has it)
        # is left alone
        rows = Rate.search([("kind", "=", "ecb_mro"), ("date_from", ">=", start), ("date_from", "<=", last)])
        today = fields.Date.context_today(self)
        source = self.env._("ECB Data Portal, series %(series)s (read on %(date)s)", series=ecb.SERIES_KEY, date=today)
        created, corrected, archived = Rate, Rate, Rate
        # the active row of a date first: an archived twin is left archived
        for row in rows.sorted(lambda r: (not r.active, r.id)):
            rate = changes.pop(row.date_from, None)
            if rate is None:
                if row.active:
                    archived |= row
            elif not row.active or round(row.rate, 4) != float(rate):
                row.write({"active": True, "rate": float(rate), "source": source})
                corrected |= row
            elif ecb.SERIES_KEY not in (row.source or ""):
                row.source = self.env._("%(text)s\nConfirmed by the ECB Data Portal, series %(series)s, on %(date)s.",
                                        text=row.source or "", series=ecb.SERIES_KEY, date=today)
        archived.action_archive()
        if changes:
            created = Rate.create([
                {"kind": "ecb_mro", "date_from": day, "rate": float(rate), "source": source}
                for day, rate in sorted(changes.items())
            ])
        return created, corrected, archived

    @api.model
    def _describe_error(self, error):
        if isinstance(error, requests.Timeout):
            return self.env._("no answer within %(seconds)s seconds", seconds=TIMEOUT)
        if isinstance(error, requests.ConnectionError):
            return self.env._("the service cannot be reached")
        if isinstance(error, requests.HTTPError):
            return self.env._("the service answered with HTTP status %(status)s",
                              status=error.response.status_code if error.response is not None else "?")
        if isinstance(error, ecb.EcbFormatError):
            return self.env._("the answer is not the expected CSV: %(detail)s", detail=str(error))
        return str(error)

    @api.model
    def _notify_refresh_failure(self, error):
        """A to-do for each Administrator of late payments, on the ECB rate in force; not
        twice while one is still open."""
        anchor = self.sudo().search([("kind", "=", "ecb_mro")], order="date_from desc", limit=1)
        if not anchor:
            return
        admins = self.env.ref(ADMIN_GROUP).sudo().all_user_ids.filtered(
            lambda user: user.active and not user.share)
        activity_type = self.env.ref("mail.mail_activity_data_warning", raise_if_not_found=False) or \
            self.env.ref("mail.mail_activity_data_todo")
        for user in admins:
            # in the administrator's language
            rates = self.with_context(lang=user.lang or self.env.lang)
            summary = rates._failure_summary()
            if anchor.activity_ids.filtered(lambda act, user=user, summary=summary: act.user_id == user and (
                    act.activity_type_id == activity_type and act.summary == summary)):
                continue
            note = rates.env._(
                "The ECB data service could not be read (%(error)s). The rate of %(date)s (%(rate)s %%) stays in "
                "force. Check the ECB's decisions and enter a new rate by hand if one was decided.",
                error=rates._describe_error(error), date=format_day(rates.env, anchor.date_from),
                rate=format_number(rates.env, anchor.rate))
            anchor.activity_schedule(
                activity_type_id=activity_type.id, summary=summary, note=note, user_id=user.id,
                date_deadline=fields.Date.context_today(self))

    @api.model
    def _failure_summary(self):
        return self.env._("ECB rate refresh failed")

    # -- the French legal rates of the next half-year ------------------------------------------
    @api.model
    def _cron_check_legal_rates(self):
        self._check_legal_rates()

    @api.model
    def _missing_legal_half_years(self, today=None):
        """The first days of the half-years whose French legal rates are missing and needed now:
        the current one, and the next one from LEGAL_RATES_WARNING_DAYS days before it starts."""
        today = today or fields.Date.context_today(self)
        wanted = [interest.half_year_start(today)]
        upcoming = interest.next_half_year(today)
        if (upcoming - today).days <= LEGAL_RATES_WARNING_DAYS:
            wanted.append(upcoming)
        known = self.sudo().search_fetch(
            [("kind", "in", LEGAL_KINDS), ("date_from", "in", wanted)], ["kind", "date_from"])
        return [day for day in wanted
                if {row.kind for row in known if row.date_from == day} != set(LEGAL_KINDS)]

    @api.model
    def _check_legal_rates(self, today=None):
        """A to-do for each Administrator of late payments when a half-year starts (or has started)
        without its French legal rates, in a database with a French company; not twice while one
        is open. Returns the half-years missing."""
        french = self.env["res.company"].sudo().search_count(
            ["|", ("account_fiscal_country_id.code", "=", "FR"), "&", ("account_fiscal_country_id", "=", False),
             ("partner_id.country_id.code", "=", "FR")], limit=1)
        if not french:
            return []
        missing = self._missing_legal_half_years(today)
        anchor = self.sudo().search([("kind", "=", "fr_legal_b")], order="date_from desc", limit=1)
        if not missing or not anchor:
            return missing
        admins = self.env.ref(ADMIN_GROUP).sudo().all_user_ids.filtered(
            lambda user: user.active and not user.share)
        activity_type = self.env.ref("mail.mail_activity_data_warning", raise_if_not_found=False) or \
            self.env.ref("mail.mail_activity_data_todo")
        for day, user in ((day, user) for day in missing for user in admins):
            # in the administrator's language
            env = self.with_context(lang=user.lang or self.env.lang).env
            summary = env._("Legal interest rates of %(date)s missing", date=format_day(env, day))
            if anchor.activity_ids.filtered(
                    lambda act, user=user, summary=summary: act.user_id == user and act.summary == summary):
                continue
            note = env._(
                "The French legal interest rates (a) and (b) of the half-year starting %(date)s are not in the rate "
                "table. They are set by an arrêté published in the Journal officiel in the last days of June and "
                "December: enter both here as soon as it is published. Until then, contractual rates cannot be "
                "checked against their floor and consumers' interest cannot be computed: those penalties are not "
                "invoiced.", date=format_day(env, day))
            anchor.activity_schedule(
                activity_type_id=activity_type.id, summary=summary, note=note, user_id=user.id,
                date_deadline=day)
        return missing
