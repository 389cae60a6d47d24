"""Who is acting: every event row names a responsible person or subsystem."""
from __future__ import annotations

from dataclasses import dataclass

from tracking.states import Role


@dataclass(frozen=True)
class Actor:
    """The person (or named subsystem) an action is done by.

    Subsystems such as the SMS channel or the deadline sweep act as
    ``Role.SYSTEM`` under their own name, so the audit trail still says who.
    """

    user_id: int | None
    name: str
    role: Role
    department_id: int | None = None

    @classmethod
    def of(cls, user) -> "Actor":
        return cls(user.id, user.display_name, Role(user.role), user.department_id)

    @classmethod
    def system(cls, name: str) -> "Actor":
        return cls(None, name, Role.SYSTEM, None)

    def sees_all_departments(self) -> bool:
        return self.role is not Role.DEPARTMENT
