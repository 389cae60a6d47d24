"""Guessing ticket numbers on the public lookup: limited, and nothing shown without the phone's last digits."""
from __future__ import annotations

import pytest

from config.settings import Settings
from tests.security.conftest import World

LIMIT = 20


@pytest.fixture
def settings(database_url, tmp_path) -> Settings:
    return Settings.from_env({}, database_url=database_url, var_dir=str(tmp_path / "var"), redis_url="",
                             secret_key="test-secret-" + "x" * 32, rate_limit_per_minute=LIMIT,
                             trusted_proxies="127.0.0.1")


async def _token(client) -> str:
    html = await (await client.get("/lookup")).text()
    marker = 'name="csrf-token" content="'
    start = html.index(marker) + len(marker)
    return html[start:html.index('"', start)]


async def test_wrong_digits_and_unknown_numbers_look_the_same(client, world: World):
    token = await _token(client)
    number = world.water.number
    wrong = await client.post("/lookup", data={"number": number, "phone_tail": "9999", "_csrf": token})
    unknown = await client.post("/lookup", data={"number": "20991231-000001", "phone_tail": "0002", "_csrf": token})
    assert wrong.status == unknown.status == 404
    wrong_html, unknown_html = await wrong.text(), await unknown.text()
    assert wrong_html.replace(number, "N") == unknown_html.replace("20991231-000001", "N")
    for secret in ("噪音扰民", "幸福路", "13900000002", "水务"):
        assert secret not in wrong_html
    right = await client.post("/lookup", data={"number": number, "phone_tail": "0002", "_csrf": token})
    assert right.status == 200 and "水务" in await right.text()
    assert "onerror" not in await right.text()  # the citizen's name (a payload here) is not shown publicly


async def test_guessing_numbers_from_one_address_is_limited(client, world: World):
    token = await _token(client)
    day = world.water.number.split("-")[0]
    statuses = []
    for n in range(LIMIT + 5):
        response = await client.post("/lookup", data={"number": f"{day}-{n:06d}", "phone_tail": "0002",
                                                      "_csrf": token})
        statuses.append(response.status)
    assert statuses[:LIMIT].count(429) == 0 and statuses[LIMIT:] == [429] * 5
    assert statuses.count(200) <= 1  # at most the one real ticket with these digits
    # Limited means limited: even the right answer waits for the minute to pass.
    late = await client.post("/lookup", data={"number": world.water.number, "phone_tail": "0002", "_csrf": token})
    assert late.status == 429 and "水务" not in await late.text()


async def test_guessing_the_digits_of_one_number_from_many_addresses_is_limited(client, world: World):
    """Ten thousand tails from ten thousand addresses: the per-number limit stops it all the same."""
    token = await _token(client)
    statuses = []
    for tail in range(LIMIT + 5):
        response = await client.post("/lookup", headers={"X-Forwarded-For": f"203.0.113.{tail}"},
                                     data={"number": world.water.number, "phone_tail": f"{tail:04d}",
                                           "_csrf": token})
        statuses.append(response.status)
    assert 429 in statuses and statuses.index(429) <= LIMIT
    assert all(s == 429 for s in statuses[statuses.index(429):])
