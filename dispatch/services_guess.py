"""Choosing the catalogue entry (service) once the department is known, from the catalogue's keywords.

The model decides who handles a ticket; under that department, the
catalogue's own words for each service ("物业费", "业委会" for 物业服务) say
which entry fits best. The service matters beyond filing: a 属地 service goes
to the office of the district where it happened. When no model is available
at all, the same keywords give a rough proposal across the whole catalogue,
always left to a dispatcher.
"""
from __future__ import annotations

from dataclasses import dataclass

from config.catalogue import Catalogue, Service
from dispatch.rules import fold


@dataclass(frozen=True)
class ServiceGuess:
    service: Service
    score: int             # characters of catalogue words found in the text
    words: tuple[str, ...]  # the words found, longest first


class ServiceMatcher:
    """Finds the services whose catalogue words occur in a text; build once per catalogue."""

    def __init__(self, catalogue: Catalogue, exclude_departments: frozenset[str] = frozenset()):
        self._terms = [(service, tuple(sorted({fold(w) for w in (service.name, *service.keywords) if w.strip()},
                                             key=len, reverse=True)))
                       for service in catalogue.services if service.department not in exclude_departments]
        # Routing asks for one department's services three times per ticket (its top choices).
        self._by_department: dict[str, list] = {}
        for service, terms in self._terms:
            self._by_department.setdefault(service.department, []).append((service, terms))

    def guesses(self, text: str, department: str | None = None) -> list[ServiceGuess]:
        """Services (of ``department``, or all) whose words occur in ``text``, best first."""
        folded = fold(text)
        found = []
        for service, terms in self._terms if department is None else self._by_department.get(department, ()):
            words = tuple(term for term in terms if term in folded)
            if words:
                found.append(ServiceGuess(service, sum(len(w) for w in words), words))
        return sorted(found, key=lambda g: (-g.score, g.service.code))

    def best(self, text: str, department: str) -> Service | None:
        """The department's service that the text names most, or None when it names none."""
        guesses = self.guesses(text, department)
        return guesses[0].service if guesses else None
