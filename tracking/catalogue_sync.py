"""Loading the city's departments from ``config/data/departments.yaml`` into the ledger.

The YAML file is the source of truth a city edits; this upsert makes the
``departments`` table follow it (new ones added, names and tiers updated,
removed ones deactivated, never deleted: old tickets still point at them).
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from config.catalogue import Catalogue
from hotline.db import Database
from tracking.accounts import Department


@dataclass(frozen=True)
class SyncResult:
    added: int
    updated: int
    deactivated: int


def sync_departments(db: Database, catalogue: Catalogue) -> SyncResult:
    added = updated = deactivated = 0
    wanted = {d.code: d for d in catalogue.departments}
    with db.transaction() as session:
        existing = {d.code: d for d in session.scalars(select(Department))}
        for code, spec in wanted.items():
            fields = dict(name=spec.name, kind=spec.kind, tier=spec.tier, district=spec.district,
                          expert_line=spec.expert_line, active=True)
            row = existing.get(code)
            if row is None:
                session.add(Department(code=code, **fields))
                added += 1
            elif any(getattr(row, k) != v for k, v in fields.items()):
                for key, value in fields.items():
                    setattr(row, key, value)
                updated += 1
        for code, row in existing.items():
            if code not in wanted and row.active:
                row.active = False
                deactivated += 1
    return SyncResult(added, updated, deactivated)


def set_contact_phone(db: Database, code: str, phone: str | None) -> Department:
    """Set (or, with None, clear) the duty phone a department's 催办 texts go to.

    Raises:
        LookupError: no department with this code.
        InvalidInput: the number does not look like a phone number.
    """
    from tracking.actions.registration import normalise_phone

    number = normalise_phone(phone)
    with db.transaction() as session:
        department = session.scalar(select(Department).where(Department.code == code))
        if department is None:
            raise LookupError(f"no department with code {code!r}")
        department.contact_phone = number
    return department
