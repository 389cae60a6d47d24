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


async def test_openapi_paths_carry_no_router_patterns(client):
    document = await (await client.get("/openapi.json")).json()
    for path, operations in document["paths"].items():
        assert ":" not in path, path
        declared = {p["name"] for op in operations.values() for p in op.get("parameters", []) if p["in"] == "path"}
        assert set(re.findall(r"\{(\w+)\}", path)) <= declared, path
