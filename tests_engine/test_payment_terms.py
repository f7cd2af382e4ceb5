from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from engine import payment_terms as pt
from engine.payment_terms import TermLine


def test_legal_deadline_takes_the_latest_of_the_three_ways():
    # 60 days: 2 March; end of January + 45 days: 17 March; 1 January + 45 days, end of month: 28 February
    assert pt.legal_deadline(date(2025, 1, 1)) == date(2025, 3, 17)
    # 20 January: + 60 = 21 March; end of month + 45 = 17 March; + 45 = 6 March -> 31 March
    assert pt.legal_deadline(date(2025, 1, 20)) == date(2025, 3, 31)
    # 31 January: + 60 = 1 April
    assert pt.legal_deadline(date(2025, 1, 31)) == date(2025, 4, 1)


def test_due_dates_follow_odoo_delay_types():
    day = date(2025, 1, 31)
    assert pt.due_date(day, TermLine(pt.DAYS_AFTER, 30)) == date(2025, 3, 2)
    assert pt.due_date(day, TermLine(pt.DAYS_AFTER_END_OF_MONTH, 45)) == date(2025, 3, 17)
    assert pt.due_date(day, TermLine(pt.DAYS_AFTER_END_OF_NEXT_MONTH, 10)) == date(2025, 3, 10)
    assert pt.due_date(day, TermLine(pt.DAYS_END_OF_MONTH_ON_THE, 90, 10)) == date(2025, 6, 10)
    assert pt.due_date(day, TermLine(pt.DAYS_END_OF_MONTH_ON_THE, 30, 0)) == date(2025, 3, 31)
    assert pt.due_date(date(2025, 1, 15), TermLine(pt.DAYS_END_OF_MONTH_ON_THE, 0, 31)) == date(2025, 2, 28)


def test_terms_within_the_law():
    for lines in ([TermLine(pt.DAYS_AFTER, 30)], [TermLine(pt.DAYS_AFTER, 60)],
                  [TermLine(pt.DAYS_AFTER_END_OF_MONTH, 45)], [TermLine(pt.DAYS_AFTER_END_OF_NEXT_MONTH, 10)],
                  [TermLine(pt.DAYS_AFTER, 0), TermLine(pt.DAYS_AFTER, 60)]):
        check = pt.check_term(lines)
        assert check.excess_days == 0, lines
        assert check.worst_invoice_date is None


def test_terms_beyond_the_law():
    check = pt.check_term([TermLine(pt.DAYS_AFTER, 90)])
    assert check.longest_days == 90
    # 90 days from the 1st of a month: 29 days past its end-of-month + 45 deadline in the worst case
    assert check.excess_days == max(
        (d + timedelta(days=90) - pt.legal_deadline(d)).days
        for d in (pt.SAMPLE_START + timedelta(days=i) for i in range(pt.SAMPLE_DAYS)))
    assert check.excess_days > 0
    # Odoo's "90 days, on the 10th"
    assert pt.check_term([TermLine(pt.DAYS_END_OF_MONTH_ON_THE, 90, 10)]).excess_days > 0
    # an instalment at 75 days after the end of month
    split = pt.check_term([TermLine(pt.DAYS_AFTER, 30), TermLine(pt.DAYS_AFTER_END_OF_MONTH, 75)])
    assert split.excess_days == 30
    assert split.longest_days == 30 + 75


def test_exceeds_legal_maximum_of_actual_due_dates():
    assert pt.exceeds_legal_maximum(date(2025, 1, 1), [date(2025, 3, 17)]) == 0
    assert pt.exceeds_legal_maximum(date(2025, 1, 1), [date(2025, 2, 1), date(2025, 3, 20)]) == 3
    assert pt.exceeds_legal_maximum(date(2025, 1, 1), []) == 0


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)))
def test_sixty_days_and_45_days_end_of_month_are_always_allowed(day):
    deadline = pt.legal_deadline(day)
    assert deadline >= day + timedelta(days=60)
    assert deadline >= pt.end_of_month(day) + timedelta(days=45)
    assert deadline >= pt.end_of_month(day + timedelta(days=45))
    assert (deadline - day).days <= 76
