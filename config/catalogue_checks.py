"""Consistency checks of the hotline catalogue across its five files.

Each check yields one plain sentence per problem, naming the file and the entry,
so the city's editor can fix the YAML without reading Python. The rules:
codes and numbers are unique and well formed; every department, service and
district referred to exists; every former hotline feeds a service and every
service is fed by a former hotline (no orphans, so the catalogue stays
traceable to the lines the city merged); every district has its own office.
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from config.catalogue import Catalogue

DEPARTMENT_KINDS = ("city", "enterprise", "district")
TIERS = ("large", "medium", "small")
HANDLINGS = ("city", "local")
URGENCIES = ("normal", "urgent", "emergency")
# Department codes are used as keys in reports and settings: identifier-like.
DEPARTMENT_CODE = re.compile(r"[a-z][a-z0-9_]*")
# Open311 service_code appears in URLs: lower-case words joined by hyphens.
SERVICE_CODE = re.compile(r"[a-z][a-z0-9]*(-[a-z0-9]+)*")
PHONE_NUMBER = re.compile(r"[0-9]{3,12}")
EXTENSION = re.compile(r"[0-9]{3,6}")


def validate(catalogue: Catalogue) -> list[str]:
    """Return every consistency problem of ``catalogue``, one readable line each.

    Returns:
        An empty list when the catalogue is consistent.
    """
    checks = (_check_departments, _check_hotlines, _check_services, _check_districts, _check_labels)
    return [problem for check in checks for problem in check(catalogue)]


def _duplicates(values: Iterable[str]) -> list[str]:
    return sorted(value for value, count in Counter(values).items() if count > 1)


def _one_of(value: str, allowed: tuple[str, ...]) -> str:
    return f"{value!r} is not one of {', '.join(allowed)}"


def _check_departments(catalogue: Catalogue) -> Iterator[str]:
    for code in _duplicates(department.code for department in catalogue.departments):
        yield f"departments.yaml: department code {code!r} is used more than once"
    expert_lines = (department.expert_line for department in catalogue.departments if department.expert_line)
    for line in _duplicates(expert_lines):
        yield f"departments.yaml: expert line {line} is given to more than one department"
    district_names = {district.name for district in catalogue.districts}
    for department in catalogue.departments:
        where = f"departments.yaml: department {department.code!r}"
        if not DEPARTMENT_CODE.fullmatch(department.code):
            yield f"{where}: code must be lower-case ASCII letters, digits and '_'"
        if department.kind not in DEPARTMENT_KINDS:
            yield f"{where}: kind {_one_of(department.kind, DEPARTMENT_KINDS)}"
        if department.tier not in TIERS:
            yield f"{where}: tier {_one_of(department.tier, TIERS)}"
        if department.expert_line is not None and not EXTENSION.fullmatch(department.expert_line):
            yield f"{where}: expert_line {department.expert_line!r} must be 3 to 6 digits"
        if department.kind == "district" and department.district not in district_names:
            yield (f"{where}: a district office must name its district from districts.yaml, "
                   f"not {department.district!r}")
        if department.kind != "district" and department.district is not None:
            yield f"{where}: only district offices (kind district) have a `district`"


def _check_hotlines(catalogue: Catalogue) -> Iterator[str]:
    department_codes = {department.code for department in catalogue.departments}
    service_codes = {service.code for service in catalogue.services}
    for number in _duplicates(hotline.number for hotline in catalogue.hotlines):
        yield f"hotlines.yaml: number {number} is listed more than once"
    for hotline in catalogue.hotlines:
        where = f"hotlines.yaml: hotline {hotline.number} ({hotline.name})"
        if not PHONE_NUMBER.fullmatch(hotline.number):
            yield f"{where}: number must be 3 to 12 digits"
        if hotline.department not in department_codes:
            yield f"{where}: unknown department {hotline.department!r}"
        if not hotline.services:
            yield f"{where}: feeds no service; list at least one in `services`"
        for code in hotline.services:
            if code not in service_codes:
                yield f"{where}: unknown service {code!r}"


def _check_services(catalogue: Catalogue) -> Iterator[str]:
    department_codes = {department.code for department in catalogue.departments}
    fed_services = {code for hotline in catalogue.hotlines for code in hotline.services}
    for code in _duplicates(service.code for service in catalogue.services):
        yield f"services.yaml: service code {code!r} is used more than once"
    for service in catalogue.services:
        where = f"services.yaml: service {service.code!r}"
        if not SERVICE_CODE.fullmatch(service.code):
            yield f"{where}: code must be lower-case ASCII words joined by '-'"
        if service.department not in department_codes:
            yield f"{where}: unknown department {service.department!r}"
        if service.group not in catalogue.groups:
            yield f"{where}: group {service.group!r} is not in `groups`"
        if service.handling not in HANDLINGS:
            yield f"{where}: handling {_one_of(service.handling, HANDLINGS)}"
        if service.urgency not in URGENCIES:
            yield f"{where}: urgency {_one_of(service.urgency, URGENCIES)}"
        if service.code not in fed_services:
            yield f"{where}: no former hotline feeds it; add it to a hotline's `services`"


def _check_districts(catalogue: Catalogue) -> Iterator[str]:
    offices = {dept.code: dept for dept in catalogue.departments if dept.kind == "district"}
    for name in _duplicates(district.name for district in catalogue.districts):
        yield f"districts.yaml: district {name!r} is listed more than once"
    for office in _duplicates(district.office for district in catalogue.districts):
        yield f"districts.yaml: office {office!r} is given to more than one district"
    words = [(word, district.name) for district in catalogue.districts
             for word in {district.name, *district.aliases, *district.places}]
    for word in _duplicates(word for word, _ in words):
        owners = sorted({name for other, name in words if other == word})
        yield f"districts.yaml: {word!r} is an alias or place of several districts: {', '.join(owners)}"
    for district in catalogue.districts:
        where = f"districts.yaml: district {district.name!r}"
        office = offices.get(district.office)
        if office is None:
            yield f"{where}: office {district.office!r} is missing from departments.yaml (kind district)"
        elif office.district != district.name:
            yield f"{where}: its office {office.code!r} says it covers {office.district!r}"
    named_offices = {district.office for district in catalogue.districts}
    for code in sorted(offices.keys() - named_offices):
        yield f"departments.yaml: district office {code!r} has no district in districts.yaml"


def _check_labels(catalogue: Catalogue) -> Iterator[str]:
    department_codes = {department.code for department in catalogue.departments}
    services = {service.code: service for service in catalogue.services}
    for target in catalogue.labels:
        where = f"label_map.yaml: label {target.label!r}"
        if target.department not in department_codes:
            yield f"{where}: unknown department {target.department!r}"
        service = services.get(target.service) if target.service is not None else None
        if target.service is not None and service is None:
            yield f"{where}: unknown service {target.service!r}"
        elif service is not None and target.label in catalogue.groups and service.group != target.label:
            yield f"{where}: default service {service.code!r} belongs to group {service.group!r}"
