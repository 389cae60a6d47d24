"""The city's assessment rules (``config/data/evaluation.yaml``) as one frozen object.

Rules are data the supervision office changes (weights, penalties, groups,
lights, red and black lists); this module reads them once and refuses a file
that contradicts itself, listing every problem, so a mistyped weight fails at
start-up rather than silently skewing a published ranking.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml

from evaluation.figures import BY_NAME, Kind

RULES_FILE = Path(__file__).resolve().parent.parent / "config" / "data" / "evaluation.yaml"
TIER_DIMENSIONS = ("kind", "tier", "volume")
PRIORITIES = ("normal", "urgent", "emergency")


class RulesError(ValueError):
    """The rules file is malformed; ``problems`` lists every problem found."""

    def __init__(self, problems: list[str]):
        super().__init__("evaluation rules: " + "; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class VolumeTier:
    name: str
    label: str
    min: int


@dataclass(frozen=True)
class Target:
    green: float
    yellow: float
    lower_is_better: bool = False


@dataclass(frozen=True)
class Rules:
    """Everything the scorecard, ranking and reports need to know about the city's rules."""

    weights: Mapping[str, float]
    penalties: Mapping[str, float]
    response_limit_hours: Mapping[str, float]
    tier_by: tuple[str, ...]
    kind_labels: Mapping[str, str]
    tier_labels: Mapping[str, str]
    volume_tiers: tuple[VolumeTier, ...]
    min_received: int
    green_score: float
    yellow_score: float
    targets: Mapping[str, Target]
    red_top: int
    red_min_score: float
    black_bottom: int
    black_max_score: float
    exclusion_kinds: Mapping[str, str]
    repeat_window_days: int
    top_issues: int
    examples_per_issue: int
    topic_sample: int
    topic_stopwords: frozenset[str]
    settle_days: int = 45

    def light(self, score: float | None) -> str | None:
        """``green``, ``yellow`` or ``red`` for a composite score; None without a score."""
        if score is None:
            return None
        return "green" if score >= self.green_score else "yellow" if score >= self.yellow_score else "red"

    def figure_light(self, name: str, value: float | None) -> str | None:
        """The light of one figure's value against its target, or None when it has no target."""
        target = self.targets.get(name)
        if target is None or value is None:
            return None
        if target.lower_is_better:
            return "green" if value <= target.green else "yellow" if value <= target.yellow else "red"
        return "green" if value >= target.green else "yellow" if value >= target.yellow else "red"


def load_rules(path: Path = RULES_FILE) -> Rules:
    """Read and check the rules file.

    Raises:
        RulesError: the file is missing, malformed, or contradicts itself.
    """
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise RulesError([f"cannot read {path}: {exc}"]) from None
    problems: list[str] = []
    rules = _build(data, problems)
    if problems:
        raise RulesError(problems)
    return rules


def _build(data: dict, problems: list[str]) -> Rules | None:
    score = data.get("score") or {}
    weights = {str(k): float(v) for k, v in (score.get("weights") or {}).items()}
    penalties = {str(k): float(v) for k, v in (score.get("penalties") or {}).items()}
    for name in list(weights) + list(penalties):
        if name not in BY_NAME or BY_NAME[name].kind is not Kind.RATE:
            problems.append(f"score: {name!r} is not a rate figure")
    if weights and abs(sum(weights.values()) - 1.0) > 1e-6:
        problems.append(f"score.weights add up to {sum(weights.values()):g}, not 1")
    if not weights:
        problems.append("score.weights is empty")
    if any(v < 0 for v in list(weights.values()) + list(penalties.values())):
        problems.append("score: weights and penalties must not be negative")
    limits = {str(k): float(v) for k, v in (data.get("response_limit_hours") or {}).items()}
    if set(limits) != set(PRIORITIES) or any(v <= 0 for v in limits.values()):
        problems.append(f"response_limit_hours needs a positive number for each of {', '.join(PRIORITIES)}")
    tiers = data.get("tiers") or {}
    tier_by = tuple(tiers.get("by") or ("kind",))
    if any(d not in TIER_DIMENSIONS for d in tier_by) or len(set(tier_by)) != len(tier_by):
        problems.append(f"tiers.by must list distinct values among {', '.join(TIER_DIMENSIONS)}")
    volume = tuple(VolumeTier(str(v["name"]), str(v["label"]), int(v["min"])) for v in tiers.get("volume") or ())
    if "volume" in tier_by and (not volume or volume[-1].min != 0
                                or any(a.min <= b.min for a, b in zip(volume, volume[1:]))):
        problems.append("tiers.volume must go from the highest threshold down to one with min 0")
    lights = data.get("lights") or {}
    targets = {}
    for name, spec in (data.get("targets") or {}).items():
        if name not in BY_NAME:
            problems.append(f"targets: unknown figure {name!r}")
            continue
        targets[name] = Target(float(spec["green"]), float(spec["yellow"]), bool(spec.get("lower_is_better")))
    lists = data.get("lists") or {}
    red, black = lists.get("red") or {}, lists.get("black") or {}
    kinds = {str(k): str(v) for k, v in (data.get("exclusion_kinds") or {}).items()}
    if "misrouted" not in kinds:
        problems.append("exclusion_kinds must include misrouted")
    hotline = data.get("hotline") or {}
    if problems:
        return None
    return Rules(
        weights=weights, penalties=penalties, response_limit_hours=limits, tier_by=tier_by,
        kind_labels=dict(tiers.get("kind_labels") or {}), tier_labels=dict(tiers.get("tier_labels") or {}),
        volume_tiers=volume, min_received=int(tiers.get("min_received", 5)),
        green_score=float(lights.get("green", 90)), yellow_score=float(lights.get("yellow", 80)),
        targets=targets, red_top=int(red.get("top", 3)), red_min_score=float(red.get("min_score", 90)),
        black_bottom=int(black.get("bottom", 3)), black_max_score=float(black.get("max_score", 80)),
        exclusion_kinds=kinds, repeat_window_days=int(hotline.get("repeat_window_days", 30)),
        top_issues=int(hotline.get("top_issues", 10)), examples_per_issue=int(hotline.get("examples_per_issue", 3)),
        topic_sample=int(hotline.get("topic_sample", 3000)),
        topic_stopwords=frozenset(str(w) for w in hotline.get("topic_stopwords") or ()),
        settle_days=int(data.get("settle_days", 45)))
