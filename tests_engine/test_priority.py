from datetime import date

import pytest

from engine import priority


def test_hand_computed_priority():
    # 12,400 overdue, 45 days, next level recovered 40 % over 20 reminders, steadied by 50 % as 5
    # reminders: (20 x 0.4 + 5 x 0.5) / 25 = 0.42; high risk, one broken promise:
    # 12400 x 0.42 x (1 + 45 / 90) x 1.25 x 1.25 = 12,206.25
    got = priority.priority(priority.PriorityInput(12400.0, 45, 3, "high", 1, date(2026, 12, 2), 0.4, 20))
    assert got.value == pytest.approx(12206.25)
    assert (got.rate, got.age_weight, got.risk_weight, got.promise_weight) == (
        pytest.approx(0.42), 1.5, 1.25, 1.25)
    # a level that recovered nothing over 5 reminders still counts: (5 x 0 + 5 x 0.5) / 10 = 25 %
    assert priority.priority(priority.PriorityInput(1000.0, 0, recovery_rate=0.0, recovery_reminders=5)).rate == 0.25


def test_caps_and_defaults():
    # unknown rate: 50 %; 200 days: age weight 2 at most; 5 broken promises count 2; unknown class 1
    got = priority.priority(priority.PriorityInput(1000.0, 200, 1, None, 5))
    assert got.value == pytest.approx(1000 * 0.5 * 2 * 1 * 1.5)
    assert priority.priority(priority.PriorityInput(0.0, 30)).value == 0.0
    assert priority.priority(priority.PriorityInput(-50.0, 30)).value == 0.0
    # in collection or proceedings the reminders are over: nothing to recover by reminding
    assert priority.priority(priority.PriorityInput(5000.0, 60, stopped=True)).value == 0.0
    assert priority.priority(priority.PriorityInput(1000.0, 0, recovery_rate=1.7, recovery_reminders=5)).rate == 0.75


def test_what_recovers_most_comes_first():
    inputs = {
        # a big debt that reminders rarely recover
        "big": priority.PriorityInput(20000.0, 10, recovery_rate=0.1, risk_class="low", recovery_reminders=995),
        # a smaller one, older, a broken promise, that reminders of its level usually recover
        "likely": priority.PriorityInput(6000.0, 60, recovery_rate=0.6, risk_class="high", broken_promises=1,
                                         recovery_reminders=995),
        "none": priority.PriorityInput(0.0),
    }
    values = {key: got.value for key, got in priority.priorities(inputs).items()}
    # rates over 995 reminders (+ 5 at 50 %): 0.102 and 0.5995
    # big: 20000 x 0.102 x 1.111 x 1 = 2,266.67; likely: 6000 x 0.5995 x 1.667 x 1.25 x 1.25 = 9,367.19
    assert values["big"] == pytest.approx(20000 * 0.102 * (1 + 10 / 90))
    assert values["likely"] == pytest.approx(6000 * 0.5995 * (1 + 60 / 90) * 1.25 * 1.25)
    assert priority.ranked(values) == ["likely", "big"]
    assert priority.ranked(values, top=1) == ["likely"]
