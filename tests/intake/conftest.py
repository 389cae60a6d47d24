"""Intake tests: the app with Twilio webhook signing on, an HTTP client, departments and API keys."""
from __future__ import annotations

import pytest
from twilio.request_validator import RequestValidator

from config.settings import Settings
from hotline.auth import create_api_key
from hotline.web.app import create_app
from tests.support.factories import DepartmentFactory
from tracking.states import Role

PUBLIC_URL = "http://hotline.example.cn"  # http: the test client keeps no Secure cookies
TWILIO_TOKEN = "twilio-test-auth-token-0123456789"


@pytest.fixture
def settings(database_url, tmp_path) -> Settings:
    return Settings.from_env({}, database_url=database_url, var_dir=str(tmp_path / "var"), redis_url="",
                             secret_key="test-secret-" + "x" * 32, public_url=PUBLIC_URL,
                             twilio_auth_token=TWILIO_TOKEN, rate_limit_per_minute=20)


@pytest.fixture
async def client(aiohttp_client, settings, services):
    return await aiohttp_client(create_app(settings, services, start_background=False))


@pytest.fixture
def departments(services):
    return {"water": DepartmentFactory.create(services, code="water", name="市水务集团"),
            "gas": DepartmentFactory.create(services, code="gas", name="市燃气集团")}


@pytest.fixture
def keys(services, departments):
    now = services.clock()
    made = {
        "agent": create_api_key(services.db, name="agent", role=Role.AGENT, now=now),
        "platform": create_api_key(services.db, name="province", role=Role.AGENT, now=now),
        "water": create_api_key(services.db, name="water", role=Role.DEPARTMENT, department_code="water", now=now),
    }
    return {name: {"Authorization": f"Bearer {key}"} for name, key in made.items()}


def sign(path: str, form: dict[str, str], token: str = TWILIO_TOKEN) -> dict[str, str]:
    """The X-Twilio-Signature header Twilio would send for this POST."""
    return {"X-Twilio-Signature": RequestValidator(token).compute_signature(PUBLIC_URL + path, form)}


async def post_sms(client, body: str, *, sid: str, phone: str = "+8613912345678") -> tuple[int, str]:
    form = {"MessageSid": sid, "AccountSid": "AC" + "0" * 32, "From": phone, "To": "+8612345",
            "Body": body, "NumMedia": "0"}
    response = await client.post("/hooks/twilio/sms", data=form, headers=sign("/hooks/twilio/sms", form))
    return response.status, await response.text()
