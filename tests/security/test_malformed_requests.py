"""Requests schemathesis found answered with 500 (scripts/schemathesis_run.py), kept as regressions,
and the OpenAPI document's paths in the form OpenAPI tools read."""
from __future__ import annotations

import re


async def test_wrong_json_types_are_a_400(client, keys):
    for body in ({"content": "0", "channel": [None, None]}, {"content": "0", "channel": {"a": 1}},
                 {"content": "0", "priority": ["urgent"]}, {"content": ["x"]}, {"content": "x", "title": 5}):
        response = await client.post("/api/v1/tickets", json=body, headers=keys["agent"])
        assert response.status == 400, body
        assert "error" in await response.json()


async def test_integers_beyond_64_bits_are_a_400(client, keys):
    for query in ("/api/v1/notifications?before=-17833856462004031211482002214617088",
                  "/api/v1/tickets?page=99999999999999999999999", "/api/v1/tickets?department_id=1e3"):
        response = await client.get(query, headers=keys["agent"])
        assert response.status == 400, query


async def test_ids_beyond_the_id_columns_are_a_400(client, keys):
    """Found by schemathesis on PostgreSQL: it refuses to compare an INTEGER column with a larger number."""
    for query in ("/api/v1/notifications?before=-16175652766", "/api/v1/tickets?department_id=-17075559530",
                  "/api/v1/tickets?page=344179878144"):
        response = await client.get(query, headers=keys["agent"])
        assert response.status == 400 and "超出范围" in (await response.json())["error"], query


async def test_offsets_no_place_has_are_a_400(client, keys):
    for moment in ("2026-12-01T00:00:00-17:48", "2026-12-01T00:00:00+15:00"):
        response = await client.get("/api/v1/tickets", params={"from": moment}, headers=keys["agent"])
        assert response.status == 400 and "ISO 8601" in (await response.json())["error"], moment
    response = await client.get("/api/v1/tickets", params={"from": "2026-12-01T00:00:00+14:00"}, headers=keys["agent"])
    assert response.status == 200


async def test_multipart_without_a_boundary_is_a_400(client, keys):
    for path in ("/api/v1/dispatch/propose", "/api/v1/tickets", "/messages"):
        response = await client.post(path, data=b"x", headers={**keys["agent"], "Content-Type": "multipart/form-data"})
        assert response.status == 400 and "boundary" in await response.text(), path


async def test_openapi_paths_carry_no_router_patterns(client):
    document = await (await client.get("/openapi.json")).json()
    for path, operations in document["paths"].items():
        assert ":" not in path, path
        declared = {p["name"] for op in operations.values() for p in op.get("parameters", []) if p["in"] == "path"}
        assert set(re.findall(r"\{(\w+)\}", path)) <= declared, path
