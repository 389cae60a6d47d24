"""Properties of what the API answers and of phone numbers, over generated input."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from hotline.auth import create_api_key, actor_for_api_key
from tracking.actions import InvalidInput, NewTicket, register_ticket
from tracking.actions.registration import normalise_phone
from tracking.presenters import mask_phone, ticket_json
from tracking.queries import ticket_by_number
from tracking.models import Ticket
from tracking.states import Channel, Priority

mobiles = st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True)
texts = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=80).filter(str.strip)
# Any text a column can store: a NUL is refused as invalid input (tests/intake/test_unstorable_text.py).
storable = st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",))


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_answer_to_a_registration_is_the_ticket_as_read_back(services):
    """The API answers a new ticket from the object it wrote, without reading it again: same JSON."""
    actor = actor_for_api_key(services.db, create_api_key(services.db, name="p", now=services.clock()))

    @settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(content=texts, title=st.text(storable, max_size=30), phone=st.one_of(st.none(), mobiles),
           priority=st.sampled_from(list(Priority)), name=st.text(storable, max_size=10))
    def check(content, title, phone, priority, name):
        new = NewTicket(channel=Channel.API, content=content, title=title, contact_phone=phone,
                        priority=priority, contact_name=name)
        written = register_ticket(services.ledger, new, actor=actor, now=services.clock()).ticket
        read = ticket_by_number(services.db, written.number, actor)
        assert ticket_json(written, actor) == ticket_json(read, actor)

    check()


@given(mobiles)
def test_mainland_mobiles_normalise_to_eleven_digits_however_written(mobile):
    for written in (mobile, f"+86{mobile}", f"+86 {mobile[:3]} {mobile[3:7]} {mobile[7:]}", f"{mobile[:3]}-{mobile[3:]}"):
        assert normalise_phone(written) == mobile
    assert normalise_phone(normalise_phone(mobile)) == mobile


@given(st.text(max_size=30))
def test_normalising_never_lets_letters_through(raw):
    try:
        phone = normalise_phone(raw)
    except InvalidInput:
        return
    assert phone is None or (phone.lstrip("+").isdigit() and 5 <= len(phone.lstrip("+")) <= 20)


@given(st.from_regex(r"\+?[0-9]{5,20}", fullmatch=True))
def test_a_mask_keeps_the_length_and_hides_the_middle(phone):
    masked = mask_phone(phone)
    assert len(masked) == len(phone) and masked != phone
    hidden = [i for i, c in enumerate(masked) if c == "*"]
    assert len(hidden) >= len(phone) // 3 and len(hidden) >= min(4, len(phone) - 2)
    if len(phone) > 7:
        assert masked[-4:] == phone[-4:]  # enough to recognise, not to call
    if len(phone) >= 11:
        assert masked[:3] == phone[:3]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_api_tickets_from_machines_go_to_routing(aiohttp_client, settings, services):
    """channel api is routed by dispatch like any intake channel (as it is written, or by its job when routing
    could not run); phone and letter are the agent's to dispatch."""
    from sqlalchemy import select, union

    from dispatch.models import TicketProposal
    from hotline.jobs import Job
    from hotline.web.app import create_app

    key = create_api_key(services.db, name="platform", now=services.clock())
    client = await aiohttp_client(create_app(settings, services, start_background=False))
    numbers = {}
    for channel in ("api", "phone"):
        response = await client.post("/api/v1/tickets", json={"content": "小区停水", "channel": channel},
                                     headers={"Authorization": f"Bearer {key}"})
        numbers[channel] = (await response.json())["number"]
    with services.db.reading() as session:
        routed = set(session.scalars(union(
            select(Job.args["ticket_id"].as_integer()).where(Job.name == "dispatch.route_ticket"),
            select(TicketProposal.ticket_id))))
        ids = {c: session.scalar(select(Ticket.id).where(Ticket.number == n)) for c, n in numbers.items()}
    assert routed == {ids["api"]}
