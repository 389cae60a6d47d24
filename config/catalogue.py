"""The hotline catalogue: departments, former hotlines, services, districts, labels.

The catalogue is the city's data (``config/data/*.yaml``), edited by the city,
not by programmers. This module turns it into typed, frozen objects and refuses
to load a catalogue that contradicts itself, so a mistyped department code fails
at start-up with a readable list of problems instead of sending a ticket nowhere.

Nothing is cached at module level: callers load a :class:`Catalogue` once (the
app keeps it on an ``AppKey``) and pass it on.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Literal

from config.catalogue_checks import validate
from config.catalogue_loading import CatalogueError, read_catalogue_data

DATA_DIR = Path(__file__).resolve().parent / "data"

DepartmentKind = Literal["city", "enterprise", "district"]
Tier = Literal["large", "medium", "small"]
Handling = Literal["city", "local"]
Urgency = Literal["normal", "urgent", "emergency"]

__all__ = [
    "Catalogue", "CatalogueError", "Department", "District", "Hotline", "LabelTarget",
    "Service", "load_catalogue", "validate",
]


@dataclass(frozen=True)
class Department:
    """承办单位: a department a ticket can be dispatched to."""

    code: str
    name: str
    kind: DepartmentKind
    tier: Tier
    expert_line: str | None = None
    district: str | None = None


@dataclass(frozen=True)
class Hotline:
    """A former hotline merged into 12345 (原热线); its number still rings here."""

    number: str
    name: str
    department: str
    handled: str
    keywords: tuple[str, ...]
    services: tuple[str, ...]


@dataclass(frozen=True)
class Service:
    """An Open311 service: what a ticket is about and who leads on it."""

    code: str
    name: str
    description: str
    group: str
    department: str
    handling: Handling
    keywords: tuple[str, ...]
    urgency: Urgency
    gbt_code: str | None = None


@dataclass(frozen=True)
class District:
    """A district, county or county-level city and the office that handles its 属地 tickets."""

    name: str
    office: str
    aliases: tuple[str, ...]
    places: tuple[str, ...]


@dataclass(frozen=True)
class LabelTarget:
    """Where a classifier label sends a ticket: a department and perhaps a default service."""

    label: str
    department: str
    service: str | None


@dataclass(frozen=True)
class Catalogue:
    """The whole catalogue, with lookups by code.

    Lookups raise ``KeyError`` for unknown codes: after validation every code
    in the data resolves, so an unknown one is a caller's bug.
    """

    departments: tuple[Department, ...]
    hotlines: tuple[Hotline, ...]
    services: tuple[Service, ...]
    districts: tuple[District, ...]
    labels: tuple[LabelTarget, ...]
    groups: tuple[str, ...]

    @cached_property
    def _departments_by_code(self) -> dict[str, Department]:
        return {department.code: department for department in self.departments}

    @cached_property
    def _services_by_code(self) -> dict[str, Service]:
        return {service.code: service for service in self.services}

    @cached_property
    def _hotlines_by_number(self) -> dict[str, Hotline]:
        return {hotline.number: hotline for hotline in self.hotlines}

    @cached_property
    def _districts_by_name(self) -> dict[str, District]:
        return {district.name: district for district in self.districts}

    @cached_property
    def _labels_by_name(self) -> dict[str, LabelTarget]:
        return {target.label: target for target in self.labels}

    def department(self, code: str) -> Department:
        """Return the department with this code; ``KeyError`` if there is none."""
        return _lookup(self._departments_by_code, code, "department")

    def service(self, code: str) -> Service:
        """Return the service with this code; ``KeyError`` if there is none."""
        return _lookup(self._services_by_code, code, "service")

    def hotline(self, number: str) -> Hotline:
        """Return the former hotline with this number; ``KeyError`` if there is none."""
        return _lookup(self._hotlines_by_number, number, "hotline")

    def district(self, name: str) -> District:
        """Return the district with this official name (e.g. "A3区"); ``KeyError`` if none."""
        return _lookup(self._districts_by_name, name, "district")

    def label_target(self, label: str) -> LabelTarget:
        """Resolve a classifier label.

        An explicit entry of label_map.yaml wins; otherwise a service code maps
        to itself and its lead department, and a department code to itself.

        Raises:
            KeyError: the label is neither mapped nor a service or department code.
        """
        if label in self._labels_by_name:
            return self._labels_by_name[label]
        if label in self._services_by_code:
            return LabelTarget(label, self._services_by_code[label].department, label)
        if label in self._departments_by_code:
            return LabelTarget(label, label, None)
        raise KeyError(f"label {label!r} is not in label_map.yaml and is no service or department code")

    def department_for_label(self, label: str) -> Department:
        """The department a ticket with this classifier label goes to (``KeyError`` if unknown)."""
        return self.department(self.label_target(label).department)

    def service_for_label(self, label: str) -> Service | None:
        """The default service for this label; ``None`` for a bare department code."""
        service_code = self.label_target(label).service
        return None if service_code is None else self.service(service_code)


def _lookup(index: dict, key: str, what: str):
    try:
        return index[key]
    except KeyError:
        raise KeyError(f"no {what} {key!r} in the catalogue") from None


def load_catalogue(path: Path | None = None) -> Catalogue:
    """Read and validate the catalogue in ``path`` (default: ``config/data``).

    Raises:
        CatalogueError: a file is missing or malformed, or the data contradicts
            itself; ``error.problems`` lists every problem found.
    """
    entity_types = {"departments": Department, "hotlines": Hotline, "services": Service,
                    "districts": District, "labels": LabelTarget}
    data = read_catalogue_data(DATA_DIR if path is None else Path(path), entity_types)
    catalogue = Catalogue(groups=data.pop("groups"), **data)
    problems = validate(catalogue)
    if problems:
        raise CatalogueError(problems)
    return catalogue
