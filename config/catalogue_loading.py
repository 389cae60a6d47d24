"""Reading the catalogue's YAML files into catalogue objects, with shape checks.

The files are edited by hand, so this reports every misspelt field, missing
field and wrong type at once (with file and entry), instead of stopping at the
first ``TypeError`` from a dataclass constructor. Consistency between files
(unknown codes, orphans) is checked afterwards by ``config.catalogue_checks``.
"""
from __future__ import annotations

import dataclasses
import typing
from pathlib import Path

import yaml

# Which file holds each kind of entry, under which top-level key.
ENTRY_FILES = {
    "departments": "departments.yaml",
    "hotlines": "hotlines.yaml",
    "services": "services.yaml",
    "districts": "districts.yaml",
    "labels": "label_map.yaml",
}
GROUPS_FILE = "services.yaml"
# libyaml's safe loader when PyYAML was built with it: ten times faster, same result.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class CatalogueError(Exception):
    """The catalogue cannot be used; ``problems`` lists every reason, one line each."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        lines = "\n".join(f"  - {problem}" for problem in self.problems)
        super().__init__(f"the hotline catalogue has {len(self.problems)} problem(s):\n{lines}")


def read_catalogue_data(folder: Path, entity_types: dict[str, type]) -> dict[str, tuple]:
    """Read every catalogue file in ``folder`` and build its entries.

    Args:
        folder: the folder holding the YAML files named in ``ENTRY_FILES``.
        entity_types: the dataclass to build for each key of ``ENTRY_FILES``.

    Returns:
        For each key, a tuple of built entries; and ``groups``, a tuple of names.

    Raises:
        CatalogueError: a file is missing or is not valid YAML, or entries have
            missing, unknown or wrongly typed fields.
    """
    problems: list[str] = []
    documents = {name: _read_yaml(folder / name, problems) for name in set(ENTRY_FILES.values())}
    data: dict[str, tuple] = {}
    for key, file_name in ENTRY_FILES.items():
        raw = documents[file_name].get(key)
        if key == "labels" and isinstance(raw, dict):
            raw = [{"label": label, **(target or {})} for label, target in raw.items()]
        if not isinstance(raw, list):
            problems.append(f"{file_name}: needs a top-level list `{key}:`")
            raw = []
        data[key] = tuple(_build_entries(entity_types[key], raw, file_name, problems))
    groups = documents[GROUPS_FILE].get("groups")
    if not isinstance(groups, list) or not all(isinstance(group, str) for group in groups):
        problems.append(f"{GROUPS_FILE}: needs a top-level list of category names `groups:`")
        groups = []
    data["groups"] = tuple(groups)
    if problems:
        raise CatalogueError(problems)
    return data


def _read_yaml(path: Path, problems: list[str]) -> dict:
    try:
        document = yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)
    except FileNotFoundError:
        problems.append(f"{path.name}: file not found in {path.parent}")
        return {}
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        problems.append(f"{path.name}: cannot be read: {error}")
        return {}
    if not isinstance(document, dict):
        problems.append(f"{path.name}: must be a mapping of top-level keys")
        return {}
    return document


def _build_entries(entity_type: type, raw_entries: list, file_name: str, problems: list[str]):
    hints = typing.get_type_hints(entity_type)
    fields = {field.name: field for field in dataclasses.fields(entity_type)}
    for position, raw in enumerate(raw_entries, start=1):
        if not isinstance(raw, dict):
            problems.append(f"{file_name}: entry {position} is not a mapping of fields")
            continue
        identity = raw.get(next(iter(fields)), "?")  # the first field: code, number or name
        where = f"{file_name}: entry {position} ({identity})"
        values, entry_problems = {}, []
        for name in raw.keys() - fields.keys():
            entry_problems.append(f"{where}: unknown field {name!r}")
        for name, field in fields.items():
            if name not in raw:
                if field.default is dataclasses.MISSING:
                    entry_problems.append(f"{where}: missing field {name!r}")
                continue
            if raw[name] is None and field.default is dataclasses.MISSING:
                entry_problems.append(f"{where}: field {name!r} is empty")
                continue
            is_list = typing.get_origin(hints[name]) is tuple
            values[name] = _convert(raw[name], is_list, f"{where}: field {name!r}", entry_problems)
        problems.extend(entry_problems)
        if not entry_problems:
            yield entity_type(**values)


def _convert(value, is_list: bool, where: str, problems: list[str]):
    """Text fields become ``str`` (YAML reads an unquoted 12315 as a number); lists become tuples."""
    if is_list:
        if not isinstance(value, list) or any(isinstance(item, (list, dict)) or item is None for item in value):
            problems.append(f"{where} must be a list of words")
            return ()
        return tuple(str(item) for item in value)
    if value is None or isinstance(value, (str, int)) and not isinstance(value, bool):
        return None if value is None else str(value)
    problems.append(f"{where} must be text, not {type(value).__name__}")
    return None
