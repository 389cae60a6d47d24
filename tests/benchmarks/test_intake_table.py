"""scripts/intake_table.py: a figure is the median of its runs, and the goal is judged on those medians."""
from __future__ import annotations

from scripts.intake_table import figures, met, table


def _run(per_second, p99, *, kind="sms", connections=64, backend="postgresql", stored=None, acknowledged=1000):
    return {"backend": backend, "kind": kind, "web": 2, "workers": 2, "connections": connections,
            "per_second": per_second, "p50_ms": p99 / 2, "p95_ms": p99 * 0.9, "p99_ms": p99,
            "sustained_per_second": per_second, "acknowledged": acknowledged,
            "stored": acknowledged + 10 if stored is None else stored, "routed": 900, "merged": 0, "drain_s": 0.1,
            "jobs_left": 0, "load_before": "2.0", "load_after": "2.5"}


def test_each_figure_is_the_median_of_its_interleaved_runs():
    rows = [_run(900, 120), _run(700, 60, kind="api"), _run(1100, 90), _run(1200, 80, kind="api"),
            _run(1050, 95), _run(1000, 99, kind="api")]
    sms, api = figures(rows)
    assert (sms["kind"], sms["per_second"], sms["p99_ms"], sms["acknowledged"]) == ("sms", 1050, 95, 3000)
    assert (api["per_second"], api["p99_ms"]) == (1000, 80)
    assert met(sms) and met(api)


def test_one_good_run_does_not_meet_the_goal():
    lucky = figures([_run(1300, 70), _run(900, 120), _run(950, 110)])[0]
    assert not met(lucky)
    assert not met(figures([_run(1300, 70, backend="sqlite")] * 3)[0])  # the goal is PostgreSQL's


def test_the_table_shows_every_run_and_a_run_that_lost_a_ticket():
    """Each run is checked: a run's in-flight extras must not cover another run's lost ticket in the sums."""
    assert "900 @ 120; 1100 @ 90" in table([_run(900, 120), _run(1100, 90)])[2]
    assert "2020 ≥ 2000 ✓" in table([_run(900, 120), _run(1100, 90)])[2]
    lines = table([_run(900, 120, stored=1010), _run(1100, 90, stored=990)])
    assert "2000 ≥ 2000 ✗" in lines[2]
    assert lines[-1].startswith("Goal met on PostgreSQL (median of the runs): no")


def test_follow_up_texts_are_shown_but_not_judged_against_the_goal():
    """The goal is new tickets a second; a surge's follow-ups are repeats, folded into open tickets."""
    followups = figures([{**_run(1300, 70, kind="followup"), "merged": 950}] * 3)[0]
    assert not met(followups)
    assert "SMS follow-ups" in table([{**_run(1300, 70, kind="followup"), "merged": 950}])[2]
    assert "| 950 folded in |" in table([{**_run(1300, 70, kind="followup"), "merged": 950}])[2]
