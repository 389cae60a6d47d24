"""Rules beside the model: a city pins keywords or service codes to a department.

A probability is the wrong tool for a gas leak. The city lists in
``config/data/dispatch_rules.yaml`` what must always go to one department
(and perhaps at a higher urgency); the first rule that matches a ticket wins
over the classifier, and the proposal names it so agents see why.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from config.catalogue import Catalogue
from hotline.text import nfkc

RULES_FILE = Path(__file__).resolve().parent.parent / "config" / "data" / "dispatch_rules.yaml"
PRIORITIES = ("normal", "urgent", "emergency")  # tracking.states.Priority, in rising order
FIELDS = {"name", "keywords", "services", "unless", "department", "service", "priority"}


class RulesError(ValueError):
    """The rules file contradicts itself or the catalogue; ``problems`` lists every problem."""

    def __init__(self, problems: list[str]):
        super().__init__("分派规则有误：\n" + "\n".join(f"  - {p}" for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class Rule:
    """One pinned routing decision (see the rules file for what each field means)."""

    name: str
    department: str
    keywords: tuple[str, ...] = ()
    services: tuple[str, ...] = ()
    unless: tuple[str, ...] = ()
    service: str | None = None
    priority: str | None = None


@dataclass(frozen=True)
class RuleMatch:
    rule: Rule
    matched: str  # the keyword found, or the service code the ticket was filed under


@lru_cache(maxsize=256)
def fold(text: str) -> str:
    """The form rules compare: full-width folded, lower case, no whitespace.

    Cached: routing folds each ticket's text for the rules and again for each
    department it ranks; a string keeps its hash, so a repeat costs one lookup.
    """
    return "".join(nfkc(text or "").lower().split())


class RuleBook:
    """The city's rules, checked against the catalogue once, matched many times."""

    def __init__(self, rules: Sequence[Rule]):
        self.rules = tuple(rules)
        self._folded = [(rule, tuple(fold(k) for k in rule.keywords), tuple(fold(u) for u in rule.unless))
                        for rule in self.rules]

    def match(self, text: str, service_code: str | None = None, address: str = "") -> RuleMatch | None:
        """The first rule that matches the ticket's text and address, or its service code, or None.

        The two are folded apart (folding drops the space between them anyway), so the text's
        folding is the one routing already made for the catalogue's words (``fold`` is cached).
        """
        folded = fold(text) + fold(address)
        for rule, keywords, unless in self._folded:
            if any(word and word in folded for word in unless):
                continue
            if service_code and service_code in rule.services:
                return RuleMatch(rule, service_code)
            found = next((original for original, word in zip(rule.keywords, keywords) if word and word in folded), None)
            if found:
                return RuleMatch(rule, found)
        return None


def load_rules(catalogue: Catalogue, path: Path | None = None) -> RuleBook:
    """Read and check the rules file (default ``config/data/dispatch_rules.yaml``).

    Raises:
        RulesError: unreadable file, unknown fields, departments or services,
            bad priorities, duplicate names, or a rule that can match nothing.
    """
    path = Path(path) if path else RULES_FILE
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise RulesError([f"{path}: {exc}"]) from None
    items = data.get("rules") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise RulesError([f"{path}: 须有 rules 列表"])
    problems: list[str] = []
    rules = [rule for index, item in enumerate(items, start=1)
             if (rule := _rule(item, index, catalogue, problems)) is not None]
    names = [rule.name for rule in rules]
    problems += [f"规则名称重复：{name}" for name in sorted({n for n in names if names.count(n) > 1})]
    if problems:
        raise RulesError(problems)
    return RuleBook(rules)


def _rule(item, index: int, catalogue: Catalogue, problems: list[str]) -> Rule | None:
    where = f"第{index}条规则"
    if not isinstance(item, dict):
        problems.append(f"{where}：须为键值表")
        return None
    where = f"第{index}条规则（{item.get('name') or '无名称'}）"
    before = len(problems)
    unknown = set(item) - FIELDS
    if unknown:
        problems.append(f"{where}：未知字段 {', '.join(sorted(unknown))}")
    lists = {key: _words(item.get(key), key, where, problems) for key in ("keywords", "services", "unless")}
    name, department = str(item.get("name") or "").strip(), str(item.get("department") or "")
    if not name:
        problems.append(f"{where}：缺少 name")
    if not lists["keywords"] and not lists["services"]:
        problems.append(f"{where}：keywords 与 services 至少填一项")
    for code in ([department] if department else []):
        try:
            catalogue.department(code)
        except KeyError:
            problems.append(f"{where}：承办单位 {code} 不在 departments.yaml 中")
    if not department:
        problems.append(f"{where}：缺少 department")
    for code in [*lists["services"], *([item["service"]] if item.get("service") else [])]:
        try:
            catalogue.service(code)
        except KeyError:
            problems.append(f"{where}：服务 {code} 不在 services.yaml 中")
    priority = item.get("priority")
    if priority is not None and priority not in PRIORITIES:
        problems.append(f"{where}：priority 须为 {' / '.join(PRIORITIES)}")
    if len(problems) > before:
        return None
    return Rule(name=name, department=department, keywords=lists["keywords"], services=lists["services"],
                unless=lists["unless"], service=item.get("service") or None, priority=priority)


def _words(value, key: str, where: str, problems: list[str]) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        problems.append(f"{where}：{key} 须为非空字符串的列表")
        return ()
    return tuple(v.strip() for v in value)


def higher_priority(current: str, wanted: str | None) -> str | None:
    """``wanted`` when it is more urgent than ``current``, else None (rules never lower urgency)."""
    if wanted is None or PRIORITIES.index(wanted) <= PRIORITIES.index(str(current)):
        return None
    return wanted
