"""``hotline demo``: several months of tickets with whole histories, loaded once.

Every demo ticket carries an external id (``demo-<key>``): loading again finds
it and walks nothing twice, so the command is safe to run on every start.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from config.districts import DistrictRecogniser
from hotline.demo.accounts import ensure_accounts
from hotline.demo.history import Cast, Walk
from hotline.demo.messages import DemoMessage, project_samples, real_messages
from hotline.services import Services
from knowledge.importer import load_demo_articles
from tracking import actions as act
from tracking.actions import NewTicket
from tracking.catalogue_sync import sync_departments
from tracking.queries import departments
from tracking.states import Channel, Priority

DEMO_DAYS = 120
CHANNEL_WEIGHTS = {Channel.PHONE: 0.62, Channel.WEB: 0.18, Channel.SMS: 0.1, Channel.LETTER: 0.04,
                   Channel.OPEN311: 0.03, Channel.UPSTREAM: 0.03}
SEED = 12345


@dataclass(frozen=True)
class DemoResult:
    created: int
    existing: int


def load_demo(services: Services, *, until: datetime) -> DemoResult:
    """Load the catalogue's departments, demo accounts and tickets up to ``until``."""
    catalogue = services.catalogue
    sync_departments(services.db, catalogue)
    load_demo_articles(services.knowledge, now=until)
    actors = ensure_accounts(services)
    depts = {d.code: d.id for d in departments(services.db)}
    cast = Cast(agents=[actors["agent1"], actors["agent2"]], supervisor=actors["supervisor"],
                staff={depts[u.removeprefix("dept-")]: a for u, a in actors.items() if u.startswith("dept-")},
                departments={c: i for c, i in depts.items() if c != "hotline_center"})
    messages = project_samples(catalogue) + real_messages(catalogue, Path(services.settings.citizen_messages_dir))
    times = _schedule(messages, until)
    recogniser = DistrictRecogniser(catalogue)
    created = existing = 0
    by_key: dict[str, int] = {}
    for message in sorted(messages, key=lambda m: times[m.key]):
        rng = random.Random(f"{SEED}-{message.key}")  # per message: adding messages moves no other
        registration = _register(services, message, times[message.key], rng, recogniser, actors)
        by_key[message.key] = registration.ticket.id
        if not registration.created:
            existing += 1
            continue
        created += 1
        department = _department_for(message, registration.ticket.district, catalogue)
        walk = Walk(services.ledger, registration.ticket, cast, rng, until)
        if message.repeat_of in by_key and (now := walk.at(walk.minutes(2, 10))):
            try:
                act.merge_ticket(services.ledger, registration.ticket.id, by_key[message.repeat_of],
                                 actor=cast.agents[0], now=now, note="同一诉求重复来电")
                continue
            except act.LedgerError:
                pass  # the original was closed by then: handle this one on its own
        walk.run(department, message.reply, message.answerable)
    return DemoResult(created, existing)


def _schedule(messages: list[DemoMessage], until: datetime) -> dict[str, datetime]:
    """A registration time for each message: mostly daytime, repeats a day or two after the original."""
    start = until - timedelta(days=DEMO_DAYS)
    times = {}
    for message in messages:
        rng = random.Random(f"{SEED}-time-{message.key}")
        day = start + timedelta(days=rng.uniform(0, DEMO_DAYS - 0.2))
        local_hour = rng.choices([rng.uniform(8, 12), rng.uniform(13, 18), rng.uniform(18, 23)], [0.45, 0.4, 0.15])[0]
        times[message.key] = min(day.replace(hour=0, minute=0, second=0, microsecond=0)
                                 + timedelta(hours=local_hour - 8), until - timedelta(minutes=5))
    for message in messages:
        if message.repeat_of in times:
            hours = random.Random(f"{SEED}-repeat-{message.key}").uniform(6, 40)
            times[message.key] = min(times[message.repeat_of] + timedelta(hours=hours),
                                     until - timedelta(minutes=5))
    return times


def _register(services, message, when, rng, recogniser, actors):
    channel = rng.choices(list(CHANNEL_WEIGHTS), list(CHANNEL_WEIGHTS.values()))[0]
    district = recogniser.recognise(message.content, message.address)
    actor = actors["agent1"] if channel is Channel.PHONE else act.Actor.system(f"{channel.value}通道")
    new = NewTicket(
        channel=channel, external_id=f"demo-{message.key}", title=message.title, content=message.content,
        address=message.address, contact_name=rng.choice(["张先生", "李女士", "王先生", "刘女士", "陈先生", "赵女士", "市民"]),
        contact_phone=f"1{rng.choice('3578')}{rng.randrange(10**9):09d}", priority=Priority(message.urgency),
        service_code=message.service, district=district.name if district else None)
    return act.register_ticket(services.ledger, new, actor=actor, now=when)


def _department_for(message: DemoMessage, district: str | None, catalogue) -> str:
    if message.service and district and catalogue.service(message.service).handling == "local":
        return catalogue.district(district).office
    return message.department
