from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from engine import interest, penalties
from engine.interest import RateSchedule, Receivable

D = Decimal
ECB = [(date(2023, 9, 20), D("4.50")), (date(2024, 6, 12), D("4.25"))]
STATUTORY = RateSchedule(interest.STATUTORY, ECB, margin=10)
LINE = 7
INVOICE = Receivable(date(2024, 5, 31), D("5000.00"),
                     ((date(2024, 7, 15), D("2000.00")), (date(2024, 9, 30), D("3000.00"))), LINE)


def periods(end=date(2024, 12, 31)):
    return interest.interest_periods(INVOICE, end, STATUTORY)


def test_subtract_ranges():
    d = date
    assert penalties.subtract_ranges(d(2024, 6, 1), d(2024, 6, 30), []) == [(d(2024, 6, 1), d(2024, 6, 30))]
    assert penalties.subtract_ranges(d(2024, 6, 1), d(2024, 6, 30), [(d(2024, 6, 10), d(2024, 6, 19))]) == [
        (d(2024, 6, 1), d(2024, 6, 9)), (d(2024, 6, 20), d(2024, 6, 30))]
    assert penalties.subtract_ranges(d(2024, 6, 1), d(2024, 6, 30), [(d(2024, 5, 1), d(2024, 7, 1))]) == []
    assert penalties.subtract_ranges(d(2024, 6, 1), d(2024, 6, 30), [
        (d(2024, 6, 21), d(2024, 6, 30)), (d(2024, 5, 1), d(2024, 6, 5)), (d(2024, 6, 6), d(2024, 6, 10))]) == [
        (d(2024, 6, 11), d(2024, 6, 20))]


def test_nothing_invoiced_is_the_whole_interest():
    result = penalties.to_invoice(periods(), {}, D(40))
    assert result.interest == D("179.05")
    assert result.shares == [D("59.59"), D("29.28"), D("90.18")]
    assert result.indemnity == D(40)


def test_invoiced_days_are_not_invoiced_again():
    first = penalties.to_invoice(periods(date(2024, 7, 15)), {}, D(40))
    assert first.interest == D("88.87")
    invoiced = {LINE: [(p.date_from, p.date_to) for p in first.periods]}
    second = penalties.to_invoice(periods(), invoiced, D(40), indemnity_invoiced=True)
    assert [(p.date_from, p.date_to) for p in second.periods] == [(date(2024, 7, 16), date(2024, 9, 30))]
    assert second.interest == D("90.18")
    assert second.indemnity == 0
    # everything invoiced: nothing left
    everything = {LINE: [(date(2024, 6, 1), date(2024, 12, 31))]}
    assert penalties.to_invoice(periods(), everything, D(40), indemnity_invoiced=True).interest == 0
    # another line's ranges do not count
    assert penalties.to_invoice(periods(), {LINE + 1: everything[LINE]}).interest == D("179.05")


def test_a_freed_gap_is_invoiced_again():
    invoiced = {LINE: [(date(2024, 7, 1), date(2024, 7, 15))]}  # June was freed, July kept
    result = penalties.to_invoice(periods(date(2024, 7, 15)), invoiced)
    assert [(p.date_from, p.date_to, p.days) for p in result.periods] == [(date(2024, 6, 1), date(2024, 6, 30), 30)]
    assert result.interest == D("59.59")


@given(st.lists(st.integers(min_value=0, max_value=213), min_size=1, max_size=6))
def test_invoicing_in_slices_adds_up_to_the_whole(cuts):
    """Invoiced at any series of dates, the slices never overlap and add up to the interest (to a
    cent per slice)."""
    invoiced = {LINE: []}
    total = D(0)
    slices = 0
    for cut in [*sorted(cuts), 213]:
        end = date(2024, 6, 1) + timedelta(days=cut)
        result = penalties.to_invoice(periods(end), invoiced)
        new = [(p.date_from, p.date_to) for p in result.periods]
        for start, stop in new:
            assert penalties.subtract_ranges(start, stop, invoiced[LINE]) == [(start, stop)]
        invoiced[LINE].extend(new)
        total += result.interest
        slices += 1
    assert abs(total - D("179.05")) <= D("0.01") * slices
