"""The ECB main refinancing operations (MRO) rate, as served by the ECB Data Portal.

Series ``FM.B.U2.EUR.4F.KR.MRR_FR.LEV`` ("Main refinancing operations - fixed rate tenders
(fixed rate) (date of changes) - Level"), asked for as CSV (``format=csvdata``): a header
row naming the columns (``KEY,FREQ,...,TIME_PERIOD,OBS_VALUE,...``; with
``detail=dataonly`` the metadata columns are dropped), then one row per observation, the
date in ``TIME_PERIOD`` (YYYY-MM-DD) and the rate in % per year in ``OBS_VALUE``.
"""

import csv
import io
from datetime import date
from decimal import Decimal, InvalidOperation

SERIES_KEY = "FM.B.U2.EUR.4F.KR.MRR_FR.LEV"
URL = "https://data-api.ecb.europa.eu/service/data/FM/B.U2.EUR.4F.KR.MRR_FR.LEV"
# Sanity bounds for an MRO rate, % per year: anything outside is not a rate.
LOWEST, HIGHEST = Decimal(-5), Decimal(25)


class EcbFormatError(ValueError):
    """The answer is not the CSV of the series (HTML error page, empty, wrong columns...)."""


def query_params(start_date):
    """The query string parameters asking for the observations from `start_date` on."""
    return {"format": "csvdata", "detail": "dataonly", "startPeriod": start_date.isoformat()}


def parse_csv(text):
    """``[(date, Decimal rate)]`` sorted by date, from the CSV answer of the service.

    Raises EcbFormatError on anything else: no header with TIME_PERIOD and OBS_VALUE, another
    series, a date or a rate that cannot be read, a rate out of bounds, or no observation.
    """
    if not isinstance(text, str) or not text.strip():
        raise EcbFormatError("empty answer")
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    columns = reader.fieldnames or []
    if "TIME_PERIOD" not in columns or "OBS_VALUE" not in columns:
        raise EcbFormatError(f"no TIME_PERIOD and OBS_VALUE columns in the header: {columns[:5]!r}")
    observations = {}
    for number, row in enumerate(reader, start=2):
        key = (row.get("KEY") or "").strip()
        if key and key != SERIES_KEY:
            raise EcbFormatError(f"line {number}: another series: {key!r}")
        period = (row.get("TIME_PERIOD") or "").strip()
        value = (row.get("OBS_VALUE") or "").strip()
        if not period and not value:
            continue
        try:
            day = date.fromisoformat(period)
        except ValueError:
            raise EcbFormatError(f"line {number}: not a date: {period!r}") from None
        if not value or value.upper() == "NAN":
            continue  # a missing observation
        try:
            rate = Decimal(value)
        except InvalidOperation:
            raise EcbFormatError(f"line {number}: not a rate: {value!r}") from None
        if not rate.is_finite() or not LOWEST <= rate <= HIGHEST:
            raise EcbFormatError(f"line {number}: not a plausible rate: {value!r}")
        observations[day] = rate
    if not observations:
        raise EcbFormatError("no observation in the answer")
    return sorted(observations.items())


def changes(observations, rate_before=None):
    """The observations where the rate changes (``[(date, rate)]``): the service gives the
    dates of changes, but a series with an observation every business day gives the same."""
    result = []
    previous = None if rate_before is None else Decimal(str(rate_before))
    for day, rate in sorted(observations):
        if previous is None or rate != previous:
            result.append((day, rate))
        previous = rate
    return result
