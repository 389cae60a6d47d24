"""The demo's staff accounts, one per role and one per department, printed after loading."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from hotline.auth import create_user
from hotline.services import Services
from tracking.accounts import Department, User
from tracking.actions import Actor
from tracking.states import Role

DEMO_PASSWORD = "demo12345"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    name: str
    role: Role
    department: str | None = None
    agent_interface: str | None = None


PEOPLE = [
    DemoAccount("admin", "系统管理员", Role.ADMIN),
    DemoAccount("agent1", "王晓丽", Role.AGENT, agent_interface="PJSIP/1001"),
    DemoAccount("agent2", "陈志强", Role.AGENT, agent_interface="PJSIP/1002"),
    DemoAccount("supervisor", "刘建国", Role.SUPERVISOR),
]


def ensure_accounts(services: Services) -> dict[str, Actor]:
    """Create the demo accounts that do not exist yet; returns every demo actor by username."""
    with services.db.reading() as session:
        departments = list(session.scalars(select(Department).where(Department.active.is_(True))))
        existing = {u.username: u for u in session.scalars(select(User))}
    wanted = PEOPLE + [DemoAccount(f"dept-{d.code}", f"{d.name}承办员", Role.DEPARTMENT, d.code)
                       for d in departments if d.code != "hotline_center"]
    actors = {}
    for account in wanted:
        user = existing.get(account.username) or create_user(
            services.db, username=account.username, display_name=account.name, role=account.role,
            now=services.clock(), password=DEMO_PASSWORD, department_code=account.department,
            agent_interface=account.agent_interface)
        actors[account.username] = Actor.of(user)
    return actors


def describe_accounts() -> str:
    lines = ["演示账号（密码均为 %s）:" % DEMO_PASSWORD]
    for account in PEOPLE:
        lines.append(f"  {account.username:<12} {account.role.value:<11} {account.name}")
    lines.append("  dept-<单位代码> department  各承办单位账号，如 dept-water（市水务集团）、dept-dist_a3（A3区）")
    return "\n".join(lines)
