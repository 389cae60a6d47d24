"""Every figure of the October scorecard against a hand count of tests/evaluation/month.py."""
from __future__ import annotations

import pytest

from evaluation.periods import parse_period
from evaluation.scorecard import compute_scorecard
from tests.evaluation.month import TZ

# Counted by hand from the comments in month.py.
EXPECTED = {
    "water": {  # W1..W6; W6 returned to the hotline and handled by gas
        "received": 6, "sign_in_rate": (4, 5), "on_time_rate": (3, 5), "response_rate": (3, 5),
        "resolution_rate": (3, 4), "satisfaction_rate": (4, 4), "return_rate": (1, 6), "reopen_rate": (1, 4),
        "extension_rate": (1, 6), "overdue": 2, "handling_hours": (48 + 23 + 193 + 193) / 4,
    },
    "gas": {  # G1..G5 plus W6 (received at 10:30, answered 46.5 h later); G5 not called back yet
        "received": 6, "sign_in_rate": (6, 6), "on_time_rate": (6, 6), "response_rate": (6, 6),
        "resolution_rate": (5, 5), "satisfaction_rate": (5, 5), "return_rate": (0, 6), "reopen_rate": (0, 6),
        "extension_rate": (0, 6), "overdue": 0, "handling_hours": (5 * 23 + 46.5) / 6,
    },
    "housing": {
        "received": 5, "sign_in_rate": (5, 5), "on_time_rate": (5, 5), "response_rate": (5, 5),
        "resolution_rate": (4, 5), "satisfaction_rate": (4, 5), "return_rate": (0, 5), "reopen_rate": (0, 5),
        "extension_rate": (0, 5), "overdue": 0, "handling_hours": 23.0,
    },
    "education": {
        "received": 5, "sign_in_rate": (5, 5), "on_time_rate": (5, 5), "response_rate": (5, 5),
        "resolution_rate": (5, 5), "satisfaction_rate": (5, 5), "return_rate": (0, 5), "reopen_rate": (0, 5),
        "extension_rate": (0, 5), "overdue": 0, "handling_hours": 23.0,
    },
    "market": {
        "received": 2, "sign_in_rate": (2, 2), "on_time_rate": (2, 2), "response_rate": (2, 2),
        "resolution_rate": (2, 2), "satisfaction_rate": (2, 2), "return_rate": (0, 2), "reopen_rate": (0, 2),
        "extension_rate": (0, 2), "overdue": 0, "handling_hours": 23.0,
    },
}


@pytest.mark.parametrize("code", EXPECTED)
def test_every_figure_matches_the_hand_count(october, shared_month, code):
    row = october.for_department(shared_month.departments[code].id)
    for name, expected in EXPECTED[code].items():
        if isinstance(expected, tuple):
            assert row.ratio(name) == expected, name
            assert row.value(name) == pytest.approx(expected[0] / expected[1]), name
        else:
            assert row.value(name) == pytest.approx(expected, abs=1e-3), name


def test_city_totals_are_the_sum_of_departments(october):
    total = october.total
    assert total.received == 24
    assert total.ratio("sign_in_rate") == (22, 23)
    assert total.ratio("satisfaction_rate") == (20, 21)
    assert total.value("overdue") == 2


def test_a_month_counts_only_what_reached_departments_in_it(shared, shared_month, rules):
    september = compute_scorecard(shared.db, rules, parse_period("2026-09"), now=shared.clock(), tz=TZ)
    november = compute_scorecard(shared.db, rules, parse_period("2026-11"), now=shared.clock(), tz=TZ)
    water = shared_month.departments["water"].id
    assert september.for_department(water).received == 5
    assert september.for_department(water).value("on_time_rate") == 1.0
    assert november.for_department(water).received == 1
    assert november.for_department(shared_month.departments["gas"].id).received == 0


def test_a_range_and_a_quarter_count_the_same_records(shared, shared_month, rules):
    def received(text):
        card = compute_scorecard(shared.db, rules, parse_period(text), now=shared.clock(), tz=TZ)
        return card.for_department(shared_month.departments["water"].id).received
    assert received("2026-10-12..2026-10-12") == 6
    assert received("2026-10-13..2026-10-31") == 0
    assert received("2026-Q4") == 7   # October and November
    assert received("2026") == 12


def test_a_department_scorecard_alone(shared, shared_month, rules):
    water = shared_month.departments["water"].id
    card = compute_scorecard(shared.db, rules, parse_period("2026-10"), now=shared.clock(), tz=TZ,
                             department_id=water)
    assert [row.unit.code for row in card.rows] == ["water"]
    assert card.for_department(water).ratio("on_time_rate") == (3, 5)


def test_an_overdue_ticket_is_not_late_before_its_deadline(shared, shared_month, rules):
    """W5 was signed in and never answered: late from 19 October 17:30 on, not before."""
    before = compute_scorecard(shared.db, rules, parse_period("2026-10"), now=shared.clock().replace(
        month=10, day=19, hour=9), tz=TZ)
    row = before.for_department(shared_month.departments["water"].id)
    assert row.value("overdue") == 0  # W3's late answer came on the 20th, after this moment
    assert row.ratio("on_time_rate") == (2, 2)  # W1 and W2 answered; W3, W4, W5 not yet due
