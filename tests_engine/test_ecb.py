from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest

from engine import ecb

# hand-written answers in the service's CSV format, shared with the Odoo tests
DATA = Path(__file__).resolve().parent.parent / "tests" / "data"


def test_dataonly_answer():
    rows = ecb.parse_csv((DATA / "ecb_mro_dataonly_sample.csv").read_text())
    assert rows[0] == (date(2024, 6, 12), D("4.25"))
    assert rows[-1] == (date(2026, 10, 28), D("2.65"))
    assert len(rows) == 10
    assert rows == sorted(rows)


def test_full_answer_with_metadata_columns():
    rows = ecb.parse_csv((DATA / "ecb_mro_full_sample.csv").read_text())
    assert rows == [(date(2025, 4, 23), D("2.4")), (date(2025, 6, 11), D("2.15"))]


def test_byte_order_mark_blank_lines_and_missing_values():
    text = ("\ufeffTIME_PERIOD,OBS_VALUE\r\n2025-06-11,2.15\r\n\r\n,\r\n2025-07-01,NaN\r\n2025-04-23,2.40\r\n")
    assert ecb.parse_csv(text) == [(date(2025, 4, 23), D("2.40")), (date(2025, 6, 11), D("2.15"))]


@pytest.mark.parametrize("text", [
    "",
    "   \n",
    None,
    (DATA / "ecb_error_page.html").read_text(),
    "KEY,FREQ,TIME_PERIOD\nFM.B.U2.EUR.4F.KR.MRR_FR.LEV,B,2025-06-11\n",  # no OBS_VALUE
    "TIME_PERIOD,OBS_VALUE\n",  # no observation
    "TIME_PERIOD,OBS_VALUE\n11/06/2025,2.15\n",  # not an ISO date
    "TIME_PERIOD,OBS_VALUE\n2025-06-11,two\n",  # not a number
    "TIME_PERIOD,OBS_VALUE\n2025-06-11,215\n",  # not a plausible rate
    "TIME_PERIOD,OBS_VALUE\n2025-06-11,inf\n",
    "KEY,TIME_PERIOD,OBS_VALUE\nEXR.D.USD.EUR.SP00.A,2025-06-11,1.1444\n",  # another series
    '{"error": "No results found"}',
])
def test_garbage_is_refused(text):
    with pytest.raises(ecb.EcbFormatError):
        ecb.parse_csv(text)


def test_changes_only():
    daily = [(date(2025, 6, 10), D("2.40")), (date(2025, 6, 11), D("2.15")), (date(2025, 6, 12), D("2.15")),
             (date(2025, 6, 13), D("2.15"))]
    assert ecb.changes(daily) == [(date(2025, 6, 10), D("2.40")), (date(2025, 6, 11), D("2.15"))]
    assert ecb.changes(daily, rate_before=D("2.40")) == [(date(2025, 6, 11), D("2.15"))]
    assert ecb.changes([]) == []


def test_query():
    assert ecb.query_params(date(2025, 1, 1)) == {
        "format": "csvdata", "detail": "dataonly", "startPeriod": "2025-01-01"}
    assert ecb.URL.endswith("/FM/B.U2.EUR.4F.KR.MRR_FR.LEV")
