"""``propose``: which department should handle this text, with the evidence an agent needs to confirm it.

Three sources, in order of authority:

1. a **rule** of the city (``config/data/dispatch_rules.yaml``) decides
   outright, with confidence 1 and its name shown;
2. otherwise the **model** in use ranks departments; a label that is a
   category or a service is mapped to its department by the catalogue, and
   labels of one department add up;
3. with no model at all, the **catalogue's keywords** give a rough guess,
   always left to a dispatcher.

Then the catalogue entry (service) is chosen under that department, and a
service handled locally (属地) goes to the office of the district recognised
in the address or text. Below ``HOTLINE_DISPATCH_MIN_CONFIDENCE`` a proposal
needs a dispatcher (``needs_triage``).
"""
from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from config.catalogue import Department, District, Service
from dispatch.router import HOTLINE_ITSELF, LoadedModel, Router, router_of

log = logging.getLogger(__name__)

ALTERNATIVES_SHOWN = 2  # besides the proposal itself: the top three departments in all


@dataclass(frozen=True)
class Choice:
    """A department (and service) the ticket could go to, with the model's confidence in it."""

    department: Department
    service: Service | None
    confidence: float
    district: District | None = None  # set when a 属地 service sent it to this district's office

    def as_json(self) -> dict[str, Any]:
        return {"department": _named(self.department), "service": _named(self.service),
                "confidence": round(self.confidence, 4)}


@dataclass(frozen=True)
class Proposal:
    """Routing's answer for one text (the JSON of ``POST /api/v1/dispatch/propose``)."""

    choice: Choice | None
    alternatives: tuple[Choice, ...]
    top_terms: tuple[str, ...]
    district: District | None
    rule: str | None
    priority: str | None
    model_name: str | None
    model_version: str | None
    label: str | None
    needs_triage: bool
    reason: str

    @property
    def department(self) -> Department | None:
        return self.choice.department if self.choice else None

    @property
    def service(self) -> Service | None:
        return self.choice.service if self.choice else None

    @property
    def confidence(self) -> float:
        return self.choice.confidence if self.choice else 0.0

    def as_json(self) -> dict[str, Any]:
        return {
            "department": _named(self.department), "service": _named(self.service),
            "confidence": round(self.confidence, 4),
            "alternatives": [choice.as_json() for choice in self.alternatives],
            "top_terms": list(self.top_terms), "district": self.district.name if self.district else None,
            "rule": self.rule, "priority": self.priority, "model": self.model_name,
            "model_version": self.model_version, "needs_triage": self.needs_triage, "reason": self.reason,
        }


def propose(services, text: str, address: str = "", *, service_code: str | None = None,
            district: str | None = None, exclude: Iterable[str] = ()) -> Proposal:
    """Propose the department (and catalogue entry) for a ticket's text.

    Args:
        services: the app's services (catalogue, settings, ``services.dispatch``).
        text: what the citizen said (title and content).
        address: where it happened; preferred over the text for the district.
        service_code: the service the ticket is already filed under, if any.
        district: the district already recognised for the ticket, if any.
        exclude: department codes not to propose (one that returned the ticket).

    Returns:
        The proposal; ``choice`` is None when nothing at all can be proposed.
    """
    router = router_of(services)
    loaded = router.model()
    return _propose(router, loaded, _predict(loaded, text), text, address, service_code, district, exclude)


def propose_many(services, requests: Sequence[tuple[str, str, str | None, str | None]]) -> list[Proposal]:
    """:func:`propose` for several tickets at once (routing an intake group): one model check, one
    batch prediction (several times cheaper per text than one at a time).

    Args:
        requests: (text, address, service code, district) of each ticket.
    """
    router = router_of(services)
    loaded = router.model()
    predictions = _predict_many(loaded, [text for text, *_ in requests])
    return [_propose(router, loaded, prediction, text, address, service_code, district, ())
            for prediction, (text, address, service_code, district) in zip(predictions, requests)]


def _propose(router: Router, loaded: LoadedModel | None, prediction, text: str, address: str,
             service_code: str | None, district: str | None, exclude: Iterable[str]) -> Proposal:
    excluded = {HOTLINE_ITSELF, *exclude}
    place = _district(router, district) or router.districts.recognise(text, address)
    ranked = _ranked(router, prediction, text, excluded, place, service_code)
    common = dict(district=place, model_name=loaded.info.name if loaded else None,
                  model_version=loaded.info.version if loaded else None,
                  label=prediction.label if prediction else None)
    matched = router.rules.match(text, service_code, address)
    if matched is not None and matched.rule.department not in excluded:
        rule = matched.rule
        department = router.catalogue.department(rule.department)
        service = router.catalogue.service(rule.service) if rule.service else router.services.best(text, rule.department)
        others = tuple(c for c in ranked if c.department.code != rule.department)[:ALTERNATIVES_SHOWN]
        terms = (matched.matched, *(prediction.top_terms if prediction else ()))
        return Proposal(Choice(department, service, 1.0), others, terms, rule=rule.name, priority=rule.priority,
                        needs_triage=False, reason=f"规则“{rule.name}”：命中“{matched.matched}”", **common)
    if prediction is not None and ranked:
        best = ranked[0]
        low = best.confidence < router.min_confidence
        reason = (f"置信度{best.confidence:.0%}低于{router.min_confidence:.0%}，需人工分派" if low
                  else f"模型建议，置信度{best.confidence:.0%}")
        return Proposal(best, ranked[1:ALTERNATIVES_SHOWN + 1], tuple(prediction.top_terms), rule=None,
                        priority=None, needs_triage=low, reason=reason + _where(best), **common)
    return _keyword_proposal(router, text, excluded, place, common, service_code)


def _predict(loaded: LoadedModel | None, text: str):
    """The model's prediction, or None; a model that fails (say, pickled by older code) must not stop routing."""
    if loaded is None or not text.strip():
        return None
    try:
        return loaded.classifier.predict(text)
    except Exception:
        log.exception("dispatch model %s failed to predict; proposing from the catalogue", loaded.info.name)
        return None


def _predict_many(loaded: LoadedModel | None, texts: list[str]) -> list:
    """Predictions for several texts in one call; one by one (each guarded) if the batch fails."""
    if loaded is None:
        return [None] * len(texts)
    wanted = [n for n, text in enumerate(texts) if text.strip()]
    predictions: list = [None] * len(texts)
    try:
        for n, prediction in zip(wanted, loaded.classifier.predict_many([texts[n] for n in wanted])):
            predictions[n] = prediction
    except Exception:
        return [_predict(loaded, text) for text in texts]
    return predictions


def _ranked(router: Router, prediction, text: str, excluded: set[str], place: District | None,
            service_code: str | None) -> list[Choice]:
    """The model's labels as the departments they send the ticket to, best first.

    Labels that end at one department add up: two labels of one bureau, or
    two local services of different bureaus that both go to the district
    office where it happened.
    """
    if prediction is None:
        return []
    merged: dict[str, Choice] = {}
    for label, confidence in prediction.alternatives:
        try:
            department = router.catalogue.label_target(label).department
        except KeyError:  # a label the catalogue no longer knows (a retired department)
            continue
        choice = _resolve(router, department, label, text, place, service_code, confidence)
        if choice is None or choice.department.code in excluded:
            continue
        earlier = merged.get(choice.department.code)
        merged[choice.department.code] = choice if earlier is None else Choice(
            earlier.department, earlier.service, earlier.confidence + confidence, earlier.district)
    return sorted(merged.values(), key=lambda choice: -choice.confidence)


def _resolve(router: Router, department_code: str, label: str | None, text: str, place: District | None,
             service_code: str | None, confidence: float) -> Choice | None:
    """The department's service for this text, and the district office when that service is 属地."""
    catalogue = router.catalogue
    try:
        department = catalogue.department(department_code)
    except KeyError:
        return None
    service = _service(router, department_code, label, text, service_code)
    if service is not None and service.handling == "local" and place is not None:
        return Choice(catalogue.department(place.office), service, confidence, place)
    return Choice(department, service, confidence)


def _service(router: Router, department_code: str, label: str | None, text: str,
             service_code: str | None) -> Service | None:
    catalogue = router.catalogue
    if service_code:
        try:
            filed = catalogue.service(service_code)
        except KeyError:
            filed = None
        if filed is not None and filed.department == department_code:
            return filed  # the service the ticket was filed under, when it agrees
    if label is not None:
        target = catalogue.label_target(label)
        if target.service and label == target.service:
            return catalogue.service(target.service)  # the model was trained on services
    named = router.services.best(text, department_code)
    if named is not None:
        return named
    if label is not None and catalogue.label_target(label).service:
        return catalogue.service_for_label(label)
    own = [s for s in catalogue.services if s.department == department_code]
    return own[0] if len(own) == 1 else None


def _keyword_proposal(router: Router, text: str, excluded: set[str], place: District | None,
                      common: dict[str, Any], service_code: str | None) -> Proposal:
    """No model: the catalogue's words only, always for a dispatcher to confirm."""
    why = "暂无可用的分派模型" if common["model_version"] is None else "模型未给出可用建议"
    for guess in router.services.guesses(text):
        choice = _resolve(router, guess.service.department, guess.service.code, text, place, service_code, 0.0)
        if choice is not None and choice.department.code not in excluded:
            return Proposal(choice, (), guess.words, rule=None, priority=None, needs_triage=True,
                            reason=f"{why}，按服务目录关键词建议，需人工分派{_where(choice)}", **common)
    return Proposal(None, (), (), rule=None, priority=None, needs_triage=True,
                    reason=f"{why}，也未命中服务目录关键词，需人工分派", **common)


def _district(router: Router, name: str | None) -> District | None:
    if not name:
        return None
    try:
        return router.catalogue.district(name)
    except KeyError:
        return None


def _where(choice: Choice) -> str:
    return f"；属地{choice.district.name}" if choice.district else ""


def _named(item) -> dict[str, str] | None:
    return {"code": item.code, "name": item.name} if item is not None else None
