"""Twilio's signature: one HMAC decides a genuine request; anything else still goes through the library's check."""
from __future__ import annotations

from twilio.request_validator import RequestValidator

from hotline.web.twilio_signature import twilio_signed

URL = "https://12345.example.gov.cn/hooks/twilio/sms"
FORM = {"MessageSid": "SM" + "a" * 32, "From": "+8613912345678", "Body": "幸福小区停水"}


def _sign(url: str, form: dict[str, str], token: str = "token") -> str:
    return RequestValidator(token).compute_signature(url, form)


def test_the_signature_twilio_makes_over_our_url_passes():
    assert twilio_signed("token", URL, FORM, _sign(URL, FORM))


def test_a_signature_over_the_url_with_its_port_passes_as_the_library_allows():
    with_port = "https://12345.example.gov.cn:443/hooks/twilio/sms"
    assert twilio_signed("token", URL, FORM, _sign(with_port, FORM))


def test_forged_tampered_or_missing_signatures_fail():
    assert not twilio_signed("token", URL, FORM, _sign(URL, FORM, token="another-account"))
    assert not twilio_signed("token", URL, {**FORM, "Body": "改过的"}, _sign(URL, FORM))
    assert not twilio_signed("token", URL + "?x=1", FORM, _sign(URL, FORM))
    assert not twilio_signed("token", URL, FORM, "")
    assert not twilio_signed("token", URL, FORM, "签名" + _sign(URL, FORM)[2:])  # not ASCII: refused, not an error
    assert not twilio_signed("", URL, FORM, _sign(URL, FORM, token=""))
