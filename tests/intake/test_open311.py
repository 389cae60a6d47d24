"""Open311 GeoReport v2 over HTTP: services, posting and reading back requests, the spec's errors."""
from __future__ import annotations

from xml.etree import ElementTree

from sqlalchemy import func, select

from channels.models import IntakeMessage


FORM = {"service_code": "water-outage", "description": "幸福路18号门口自来水管爆裂，水流到马路上",
        "address_string": "A3区幸福路18号", "lat": "28.19", "long": "112.97", "first_name": "明",
        "last_name": "王", "phone": "13700001111", "email": "wang@example.cn"}


async def test_services_come_from_the_catalogue(client, services):
    listed = await (await client.get("/open311/v2/services.json")).json()
    codes = {s["service_code"] for s in listed}
    assert codes == {s.code for s in services.catalogue.services}
    water = next(s for s in listed if s["service_code"] == "water-outage")
    assert water["metadata"] is False and water["type"] == "realtime" and water["service_name"]
    definition = await client.get("/open311/v2/services/water-outage.json")
    assert (await definition.json()) == {"service_code": "water-outage", "attributes": []}
    missing = await client.get("/open311/v2/services/no-such-thing.json")
    assert missing.status == 404 and (await missing.json())[0]["code"] == 404
    xml = ElementTree.fromstring(await (await client.get("/open311/v2/services.xml")).read())
    assert xml.tag == "services" and len(xml.findall("service")) == len(listed)


async def test_post_then_read_back_with_agency_once_dispatched(client, services, keys):
    services.intake_routing = None  # routing left to its job (not run here): an agent dispatches it below
    api_key = keys["platform"]["Authorization"].removeprefix("Bearer ")
    created = await client.post("/open311/v2/requests.json", data={**FORM, "api_key": api_key})
    assert created.status == 201
    [answer] = await created.json()
    number = answer["service_request_id"]
    assert number in answer["service_notice"]

    [before] = await (await client.get(f"/open311/v2/requests/{number}.json", params={"api_key": api_key})).json()
    assert before["status"] == "open" and before["agency_responsible"] is None
    assert before["description"] == FORM["description"] and before["address"] == "A3区幸福路18号"
    assert (before["lat"], before["long"]) == (28.19, 112.97) and before["service_code"] == "water-outage"
    assert "phone" not in before and "13700001111" not in str(before)

    dispatched = await client.post(f"/api/v1/tickets/{number}/actions/dispatch", json={"department": "water"},
                                   headers=keys["agent"])
    assert dispatched.status == 200
    [after] = await (await client.get(f"/open311/v2/requests/{number}.json", params={"api_key": api_key})).json()
    assert after["agency_responsible"] == "市水务集团" and after["expected_datetime"]
    listed = await (await client.get("/open311/v2/requests.json", params={
        "api_key": api_key, "status": "open", "service_code": "water-outage,gas-service"})).json()
    assert [r["service_request_id"] for r in listed] == [number]
    closed = await (await client.get("/open311/v2/requests.json", params={"api_key": api_key, "status": "closed"})).json()
    assert closed == []
    xml = ElementTree.fromstring(await (await client.get(
        f"/open311/v2/requests/{number}.xml", params={"api_key": api_key})).read())
    assert xml.find("request/agency_responsible").text == "市水务集团"


async def test_a_client_token_makes_posting_idempotent(client, keys):
    headers = keys["platform"]
    first = await client.post("/open311/v2/requests.json", data={**FORM, "token": "app-42"}, headers=headers)
    again = await client.post("/open311/v2/requests.json", data={**FORM, "token": "app-42"}, headers=headers)
    assert (first.status, again.status) == (201, 200)
    number = (await first.json())[0]["service_request_id"]
    assert (await again.json())[0]["service_request_id"] == number
    token = await (await client.get("/open311/v2/tokens/app-42.json", headers=headers)).json()
    assert token == [{"service_request_id": number, "token": "app-42"}]


async def test_errors_follow_the_spec(client, services, keys):
    api_key = keys["platform"]["Authorization"].removeprefix("Bearer ")
    cases = [
        ({**FORM}, 403),                                                   # no api_key
        ({**FORM, "api_key": "hk_wrong"}, 403),
        ({**FORM, "api_key": api_key, "service_code": "nope"}, 404),
        ({**FORM, "api_key": api_key, "service_code": ""}, 400),
        ({**FORM, "api_key": api_key, "description": " "}, 400),
        ({k: v for k, v in FORM.items() if k not in ("lat", "long", "address_string")} | {"api_key": api_key}, 400),
        ({**FORM, "api_key": api_key, "lat": "north"}, 400),
        ({**FORM, "api_key": api_key, "phone": "call me"}, 400),
    ]
    for form, status in cases:
        response = await client.post("/open311/v2/requests.json", data=form)
        body = await response.json()
        assert response.status == status, (form, body)
        assert body[0]["code"] == status and body[0]["description"]
    department = await client.post("/open311/v2/requests.json", data=FORM, headers=keys["water"])
    assert department.status == 403 and (await department.json())[0]["code"] == 403
    xml = await client.post("/open311/v2/requests.xml", data={**FORM, "api_key": "hk_wrong"})
    assert xml.status == 403 and ElementTree.fromstring(await xml.read()).find("error/code").text == "403"
    assert (await client.get("/open311/v2/requests.json")).status == 403
    assert (await client.get("/open311/v2/requests/20261123-999999.json", headers=keys["agent"])).status == 404
    bad = await client.get("/open311/v2/requests.json", params={"start_date": "yesterday"}, headers=keys["agent"])
    assert bad.status == 400 and (await bad.json())[0]["code"] == 400
    with services.db.reading() as session:
        assert session.scalar(select(func.count(IntakeMessage.id))) == 0  # nothing kept from refused posts


async def test_a_department_key_reads_only_its_own_requests(client, services, keys):
    services.intake_routing = None  # routing left to its job (not run here): an agent dispatches it below
    number = (await (await client.post("/open311/v2/requests.json", data=FORM, headers=keys["platform"])).json()
              )[0]["service_request_id"]
    assert (await client.get(f"/open311/v2/requests/{number}.json", headers=keys["water"])).status == 404
    await client.post(f"/api/v1/tickets/{number}/actions/dispatch", json={"department": "water"},
                      headers=keys["agent"])
    assert (await client.get(f"/open311/v2/requests/{number}.json", headers=keys["water"])).status == 200


async def test_open311_paths_are_in_openapi(client):
    paths = (await (await client.get("/openapi.json")).json())["paths"]
    for path in ("/open311/v2/services.json", "/open311/v2/services/{service_code}.json",
                 "/open311/v2/requests.json", "/open311/v2/requests/{service_request_id}.json",
                 "/open311/v2/requests.xml", "/api/v1/upstream/orders"):
        assert path in paths, path
    assert set(paths["/open311/v2/requests.json"]) == {"get", "post"}
