"""The composite score, fair groups, ranks, lights, month-on-month change and 红黑榜.

Departments are compared only within their group (分类分级: by kind, size
class or the period's volume, as ``config/data/evaluation.yaml`` says), and a
department with too few tickets is shown but not ranked. Ties share a rank.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from evaluation.rules import Rules
from evaluation.scorecard import Figures, Scorecard

KIND_ORDER = ("city", "enterprise", "district")
TIER_ORDER = ("large", "medium", "small")


def composite_score(figures: Figures, rules: Rules) -> float | None:
    """综合得分 on 0–100: weighted rates minus penalties, rounded to two decimals.

    A weighted figure without data hands its weight to the others in
    proportion; with none of them the department has no score.
    """
    available = {name: weight for name, weight in rules.weights.items() if figures.value(name) is not None}
    weight = sum(available.values())
    if not available or weight <= 0:
        return None
    base = sum(w / weight * figures.value(name) for name, w in available.items()) * 100
    penalty = sum(points * (figures.value(name) or 0.0) * 100 for name, points in rules.penalties.items())
    return round(max(0.0, base - penalty), 2)


@dataclass(frozen=True)
class Group:
    key: str
    label: str
    order: tuple


@dataclass
class Ranked:
    """One department's line in the ranking."""

    figures: Figures
    group: Group
    score: float | None
    light: str | None
    rank: int | None = None
    ranked_count: int = 0
    note: str = ""
    previous: Figures | None = None
    previous_score: float | None = None
    previous_rank: int | None = None

    @property
    def score_change(self) -> float | None:
        if self.score is None or self.previous_score is None:
            return None
        return round(self.score - self.previous_score, 2)

    @property
    def rank_change(self) -> int | None:
        """Places gained since the previous period (positive is better), within the same group."""
        if self.rank is None or self.previous_rank is None:
            return None
        return self.previous_rank - self.rank

    def change(self, name: str) -> float | None:
        """Month-on-month change of one figure (difference of values, not of percentages)."""
        if self.previous is None:
            return None
        now, before = self.figures.value(name), self.previous.value(name)
        return None if now is None or before is None else now - before


@dataclass
class Ranking:
    scorecard: Scorecard
    previous: Scorecard | None
    groups: list[tuple[Group, list[Ranked]]]
    red: dict[str, list[Ranked]] = field(default_factory=dict)
    black: dict[str, list[Ranked]] = field(default_factory=dict)

    def lines(self) -> list[Ranked]:
        return [line for _, members in self.groups for line in members]

    def line_for(self, department_id: int) -> Ranked | None:
        return next((line for line in self.lines() if line.figures.unit.id == department_id), None)


def group_of(figures: Figures, rules: Rules) -> Group:
    """The group a department is compared within, by the dimensions in ``rules.tier_by``."""
    keys, labels, order = [], [], []
    unit = figures.unit
    for dimension in rules.tier_by:
        if dimension == "kind":
            keys.append(unit.kind), labels.append(rules.kind_labels.get(unit.kind, unit.kind))
            order.append(_index(KIND_ORDER, unit.kind))
        elif dimension == "tier":
            keys.append(unit.tier), labels.append(rules.tier_labels.get(unit.tier, unit.tier))
            order.append(_index(TIER_ORDER, unit.tier))
        else:
            position, tier = next((i, v) for i, v in enumerate(rules.volume_tiers) if figures.received >= v.min)
            keys.append(tier.name), labels.append(tier.label), order.append(position)
    return Group("/".join(keys), "·".join(labels), tuple(order))


def rank(scorecard: Scorecard, rules: Rules, previous: Scorecard | None = None) -> Ranking:
    """Score, group and rank every department of ``scorecard``; compare with ``previous``."""
    before = _ranks(previous, rules) if previous is not None else {}
    lines = _ranks(scorecard, rules)
    grouped: dict[str, tuple[Group, list[Ranked]]] = {}
    for line in lines.values():
        old = before.get(line.figures.unit.id)
        if old is not None:
            line.previous, line.previous_score = old.figures, old.score
            line.previous_rank = old.rank if old.group.key == line.group.key else None
        grouped.setdefault(line.group.key, (line.group, []))[1].append(line)
    groups = sorted(grouped.values(), key=lambda item: item[0].order)
    for _, members in groups:
        members.sort(key=lambda l: (l.rank is None, l.rank or 0, -(l.score or 0), -l.figures.received,
                                    l.figures.unit.code))
    ranking = Ranking(scorecard, previous, groups)
    for group, members in groups:
        ranked = [m for m in members if m.rank is not None]
        ranking.red[group.key] = [m for m in ranked[:rules.red_top] if m.score >= rules.red_min_score]
        worst = [m for m in reversed(ranked) if m.score < rules.black_max_score][:rules.black_bottom]
        ranking.black[group.key] = [m for m in worst if m not in ranking.red[group.key]]
    return ranking


def _ranks(scorecard: Scorecard, rules: Rules) -> dict[int, Ranked]:
    lines = {}
    for figures in scorecard.rows:
        score = composite_score(figures, rules)
        line = Ranked(figures, group_of(figures, rules), score, rules.light(score))
        if figures.received == 0:
            line.note = "本期无工单"
        elif figures.received < rules.min_received:
            line.note = f"样本不足（受理量少于{rules.min_received}件），不参与排名"
        elif score is None:
            line.note = "尚无可计分的数据"
        lines[figures.unit.id] = line
    by_group: dict[str, list[Ranked]] = {}
    for line in lines.values():
        if not line.note:
            by_group.setdefault(line.group.key, []).append(line)
    for members in by_group.values():
        _competition_ranks(members)
    return lines


def _competition_ranks(members: Iterable[Ranked]) -> None:
    """Rank by score, highest first; equal scores share a rank ("1, 2, 2, 4")."""
    ordered = sorted(members, key=lambda l: -l.score)
    for position, line in enumerate(ordered, start=1):
        line.rank = position if position == 1 or line.score != ordered[position - 2].score \
            else ordered[position - 2].rank
        line.ranked_count = len(ordered)


def _index(order: tuple[str, ...], value: str) -> int:
    return order.index(value) if value in order else len(order)
