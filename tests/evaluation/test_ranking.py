"""The composite score with the configured weights and penalties, the groups, ranks, lights and 红黑榜."""
from __future__ import annotations

import dataclasses

import pytest

from evaluation.periods import parse_period
from evaluation.ranking import composite_score, rank
from evaluation.rules import VolumeTier
from evaluation.scorecard import compute_scorecard
from tests.evaluation.month import TZ


def test_default_weights_and_penalties_give_the_hand_computed_score(october, shared_month, rules):
    water = october.for_department(shared_month.departments["water"].id)
    # 响应率 10% x 3/5 + 解决率 45% x 3/4 + 满意率 45% x 4/4 = 84.75 points;
    # less 0.1 per point of 退单率 (16.67) and of 重办率 (25): 84.75 - 1.667 - 2.5
    assert composite_score(water, rules) == pytest.approx(80.58)
    housing = october.for_department(shared_month.departments["housing"].id)
    assert composite_score(housing, rules) == pytest.approx(10 + 45 * 0.8 + 45 * 0.8)


def test_other_weights_from_the_rules(october, shared_month, rules):
    equal = dataclasses.replace(rules, weights={"sign_in_rate": 0.5, "on_time_rate": 0.5}, penalties={})
    water = october.for_department(shared_month.departments["water"].id)
    assert composite_score(water, equal) == pytest.approx(50 * 0.8 + 50 * 0.6)


def test_a_weighted_figure_without_data_gives_its_weight_to_the_others(october, shared_month, rules):
    """Market has no returns or re-opens; a department with no callback at all is scored on response alone."""
    only_response = dataclasses.replace(rules, weights={"response_rate": 0.5, "satisfaction_rate": 0.5},
                                        penalties={})
    gas = october.for_department(shared_month.departments["gas"].id)
    assert composite_score(gas, only_response) == 100.0
    no_data = dataclasses.replace(gas, counts={**gas.counts, "called_back": 0, "satisfied": 0})
    assert composite_score(no_data, only_response) == pytest.approx(100.0)  # response 6/6 carries it all


def test_ranks_within_kind_groups_with_month_on_month_change(shared, october, shared_month, rules):
    previous = compute_scorecard(shared.db, rules, parse_period("2026-09"), now=shared.clock(), tz=TZ)
    ranking = rank(october, rules, previous)
    groups = {group.label: [(line.figures.unit.code, line.rank) for line in members]
              for group, members in ranking.groups}
    assert groups == {"市直部门": [("education", 1), ("housing", 2), ("market", None)],
                      "公共服务企业": [("gas", 1), ("water", 2)]}
    water = ranking.line_for(shared_month.departments["water"].id)
    assert (water.previous_score, water.score_change, water.rank_change) == (100.0, -19.42, -1)
    assert water.light == rules.light(80.58) == "yellow"
    market = ranking.line_for(shared_month.departments["market"].id)
    assert "样本不足" in market.note and market.rank is None


def test_red_and_black_lists(october, shared_month, rules):
    ranking = rank(october, rules)
    assert [l.figures.unit.code for l in ranking.red["enterprise"]] == ["gas"]
    assert [l.figures.unit.code for l in ranking.red["city"]] == ["education"]  # housing's 82 is below 90
    assert ranking.black["enterprise"] == []  # water's 80.58 is not below 80
    strict = dataclasses.replace(rules, black_max_score=85.0)
    ranking = rank(october, strict)
    assert [l.figures.unit.code for l in ranking.black["enterprise"]] == ["water"]
    assert [l.figures.unit.code for l in ranking.black["city"]] == ["housing"]


def test_groups_by_volume_and_by_size_class(october, shared_month, rules):
    by_volume = dataclasses.replace(rules, tier_by=("volume",), volume_tiers=(
        VolumeTier("large", "受理量≥6件", 6), VolumeTier("small", "受理量<6件", 0)))
    groups = {group.label: sorted(line.figures.unit.code for line in members)
              for group, members in rank(october, by_volume).groups}
    assert groups == {"受理量≥6件": ["gas", "water"], "受理量<6件": ["education", "housing", "market"]}
    by_kind_and_tier = dataclasses.replace(rules, tier_by=("kind", "tier"))
    labels = [group.label for group, _ in rank(october, by_kind_and_tier).groups]
    assert labels == ["市直部门·大", "公共服务企业·大", "公共服务企业·中"]


def test_equal_scores_share_a_rank(october, shared_month, rules):
    flat = dataclasses.replace(rules, weights={"sign_in_rate": 1.0}, penalties={}, tier_by=("kind",))
    ranks = [(l.figures.unit.code, l.rank) for group, members in rank(october, flat).groups
             if group.key == "city" for l in members]
    assert ranks == [("education", 1), ("housing", 1), ("market", None)]  # ties in code order
