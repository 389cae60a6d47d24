"""The hotline catalogue in config/data loads, is consistent, and broken copies are caught."""
from __future__ import annotations

import copy
import shutil
from pathlib import Path
from typing import get_args

import pytest
import yaml

from config import catalogue_checks
from config.catalogue import (
    DATA_DIR, CatalogueError, DepartmentKind, Handling, Tier, Urgency, load_catalogue, validate,
)
from config.catalogue_loading import ENTRY_FILES

# The first-level labels of the city's labelled messages (messages.csv).
TRAINING_LABELS = {
    "城乡建设": "housing", "劳动和社会保障": "hrss", "教育文体": "education", "商贸旅游": "market",
    "卫生计生": "health", "环境保护": "environment", "交通运输": "transport",
}
DISTRICT_OFFICES = {f"dist_a{n}" for n in range(1, 10)}


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue()


def test_catalogue_has_the_142_merged_hotlines_and_no_problems(catalogue):
    assert len(catalogue.hotlines) == 142
    assert 60 <= len(catalogue.services) <= 120
    assert validate(catalogue) == []


def test_well_known_national_numbers_go_to_their_departments(catalogue):
    expected = {"12315": "market", "12333": "hrss", "12369": "environment", "12319": "urban_management",
                "12320": "health", "12328": "transport", "12358": "market", "12365": "market",
                "12366": "tax", "12348": "justice", "12329": "housing_fund"}
    assert {number: catalogue.hotline(number).department for number in expected} == expected


def test_every_district_has_its_office(catalogue):
    offices = {d.code: d for d in catalogue.departments if d.kind == "district"}
    assert offices.keys() == DISTRICT_OFFICES
    assert offices["dist_a3"].district == "A3区" and offices["dist_a9"].name == "A9市人民政府"
    assert {catalogue.department(d.office).district for d in catalogue.districts} == {
        d.name for d in catalogue.districts}


def test_training_labels_map_to_their_departments_and_a_service_of_their_group(catalogue):
    for label, department in TRAINING_LABELS.items():
        assert catalogue.department_for_label(label).code == department
        assert catalogue.service_for_label(label).group == label


def test_service_and_department_codes_are_labels_of_themselves(catalogue):
    assert catalogue.department_for_label("water-outage").code == "water"
    assert catalogue.service_for_label("water-outage").code == "water-outage"
    assert catalogue.department_for_label("gas").code == "gas"
    assert catalogue.service_for_label("gas") is None


def test_the_checks_allow_exactly_the_values_the_types_declare():
    assert get_args(DepartmentKind) == catalogue_checks.DEPARTMENT_KINDS
    assert get_args(Tier) == catalogue_checks.TIERS
    assert get_args(Handling) == catalogue_checks.HANDLINGS
    assert get_args(Urgency) == catalogue_checks.URGENCIES


def test_unknown_codes_and_labels_raise_key_error(catalogue):
    with pytest.raises(KeyError, match="no department 'nowhere'"):
        catalogue.department("nowhere")
    with pytest.raises(KeyError):
        catalogue.service("no-such-service")
    with pytest.raises(KeyError, match="label '其他'"):
        catalogue.department_for_label("其他")


# --- Broken copies: each edit of the YAML must produce the named problem.

def _department(data, code):
    return next(d for d in data["departments.yaml"]["departments"] if d["code"] == code)


def _service(data, code):
    return next(s for s in data["services.yaml"]["services"] if s["code"] == code)


def _hotline(data, number):
    return next(h for h in data["hotlines.yaml"]["hotlines"] if h["number"] == number)


BROKEN = {
    "duplicate department code": (
        lambda d: _department(d, "sports").update(code="commerce"),
        "department code 'commerce' is used more than once"),
    "duplicate hotline number": (
        lambda d: _hotline(d, "12331").update(number="12315"),
        "number 12315 is listed more than once"),
    "duplicate service code": (
        lambda d: _service(d, "taxi").update(code="bus-service"),
        "service code 'bus-service' is used more than once"),
    "hotline with unknown department": (
        lambda d: _hotline(d, "12315").update(department="markt"),
        "hotline 12315 (12315消费者投诉举报热线): unknown department 'markt'"),
    "hotline with unknown service": (
        lambda d: _hotline(d, "12369").update(services=["air-polution"]),
        "hotline 12369 (12369环保举报热线): unknown service 'air-polution'"),
    "hotline with no service": (
        lambda d: _hotline(d, "12330").update(services=[]),
        "hotline 12330 (12330知识产权维权援助热线): feeds no service"),
    "service with no hotline": (
        lambda d: _hotline(d, "12330").update(services=["consumer-complaint"]),
        "service 'intellectual-property': no former hotline feeds it"),
    "service with unknown department": (
        lambda d: _service(d, "taxi").update(department="taxis"),
        "service 'taxi': unknown department 'taxis'"),
    "service with unknown group": (
        lambda d: _service(d, "taxi").update(group="交通"),
        "service 'taxi': group '交通' is not in `groups`"),
    "service with bad urgency": (
        lambda d: _service(d, "taxi").update(urgency="asap"),
        "urgency 'asap' is not one of normal, urgent, emergency"),
    "department with bad kind": (
        lambda d: _department(d, "water").update(kind="utility"),
        "department 'water': kind 'utility' is not one of city, enterprise, district"),
    "label mapped to unknown department": (
        lambda d: d["label_map.yaml"]["labels"]["城乡建设"].update(department="housing_bureau"),
        "label '城乡建设': unknown department 'housing_bureau'"),
    "label mapped to unknown service": (
        lambda d: d["label_map.yaml"]["labels"]["交通运输"].update(service="buses"),
        "label '交通运输': unknown service 'buses'"),
    "label mapped to a service of another group": (
        lambda d: d["label_map.yaml"]["labels"]["交通运输"].update(service="water-outage"),
        "label '交通运输': default service 'water-outage' belongs to group '城乡建设'"),
    "district office missing": (
        lambda d: d["departments.yaml"]["departments"].remove(_department(d, "dist_a3")),
        "district 'A3区': office 'dist_a3' is missing from departments.yaml"),
    "district office without district": (
        lambda d: d["districts.yaml"]["districts"].pop(),
        "district office 'dist_a9' has no district in districts.yaml"),
    "place in two districts": (
        lambda d: d["districts.yaml"]["districts"][0]["places"].append("星沙"),
        "'星沙' is an alias or place of several districts: A1区, A7县"),
}


SAFE_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


@pytest.fixture(scope="module")
def original_data() -> dict:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return {name: yaml.load((DATA_DIR / name).read_text(encoding="utf-8"), Loader=loader)
            for name in set(ENTRY_FILES.values())}


@pytest.fixture
def broken_copy(tmp_path, original_data):
    """Write the catalogue, changed by ``edit``, into a temporary folder and return it."""
    def write(edit) -> Path:
        data = copy.deepcopy(original_data)
        edit(data)
        for name, document in data.items():
            text = yaml.dump(document, Dumper=SAFE_DUMPER, allow_unicode=True)
            (tmp_path / name).write_text(text, encoding="utf-8")
        return tmp_path
    return write


@pytest.mark.parametrize("edit, problem", BROKEN.values(), ids=BROKEN.keys())
def test_a_broken_catalogue_is_refused_with_the_problem_named(broken_copy, edit, problem):
    with pytest.raises(CatalogueError) as refused:
        load_catalogue(broken_copy(edit))
    assert any(problem in line for line in refused.value.problems), refused.value.problems


def test_every_problem_is_reported_at_once(broken_copy):
    def two_mistakes(data):
        _hotline(data, "12315").update(department="markt")
        _service(data, "taxi").update(department="taxis")

    with pytest.raises(CatalogueError) as refused:
        load_catalogue(broken_copy(two_mistakes))
    assert len(refused.value.problems) == 2
    assert "2 problem(s)" in str(refused.value)


def test_misspelt_and_missing_fields_are_reported_with_their_entry(broken_copy):
    def misspell(data):
        hotline = _hotline(data, "12315")
        hotline["keyword"] = hotline.pop("keywords")
        del _department(data, "water")["tier"]

    with pytest.raises(CatalogueError) as refused:
        load_catalogue(broken_copy(misspell))
    assert "hotlines.yaml: entry 1 (12315): unknown field 'keyword'" in refused.value.problems
    assert "hotlines.yaml: entry 1 (12315): missing field 'keywords'" in refused.value.problems
    assert any("(water): missing field 'tier'" in line for line in refused.value.problems)


def test_a_missing_file_is_reported(tmp_path):
    for name in set(ENTRY_FILES.values()) - {"label_map.yaml"}:
        shutil.copy(DATA_DIR / name, tmp_path / name)
    with pytest.raises(CatalogueError, match="label_map.yaml: file not found"):
        load_catalogue(tmp_path)
