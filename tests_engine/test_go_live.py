from decimal import Decimal

from engine import go_live


def planned(customer, level, channels, amount):
    return go_live.PlannedReminder(customer, level, frozenset(channels), Decimal(amount))


def test_preview_counts_reminders_by_level_and_channel():
    result = go_live.preview([
        planned(1, "Courtesy", {"email"}, "100.00"),
        planned(2, "Firm", {"email", "letter"}, "900.50"),
        planned(3, "Courtesy", {"letter"}, "40.00"),
    ], manual_customers=[4, 5], sample_size=2)
    assert result.customers == 5
    assert result.reminders == 3
    assert result.by_level == (("Courtesy", 2), ("Firm", 1))
    assert result.by_channel == (("email", 2), ("letter", 2))
    assert result.letters == 2
    assert result.manual == 2
    assert result.amount == Decimal("1040.50")
    assert result.sample == (2, 1)


def test_preview_of_nothing():
    result = go_live.preview([])
    assert (result.customers, result.reminders, result.amount, result.sample) == (0, 0, Decimal(0), ())


def test_modes():
    assert go_live.check_mode("send") and go_live.check_mode("quiet")
    assert not go_live.check_mode("loud") and not go_live.check_mode(None)
