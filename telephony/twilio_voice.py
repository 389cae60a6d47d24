"""TwiML the hotline answers Twilio Voice with, for cities without their own PBX.

Citizens hear Mandarin (``<Say language="zh-CN">``). During working hours they
wait in one Twilio queue (``<Enqueue>``) until an agent dials in and takes
the next caller (``<Dial><Queue>``); after hours, or when nobody answers in
:data:`MAX_QUEUE_WAIT`, they leave a voicemail (``<Record>``) that becomes a
ticket. Speech is not transcribed: Twilio's ``<Record transcribe>`` knows no
Mandarin, so an agent listens to the message and completes the ticket.

Every URL in the TwiML is absolute, built from ``HOTLINE_PUBLIC_URL``: Twilio
signs the URL it calls, and the hooks check that signature against the same
public URL.
"""
from __future__ import annotations

from twilio.twiml.voice_response import Dial, VoiceResponse

QUEUE_NAME = "hotline"
VOICE = "Polly.Zhiyu"
"""A Mandarin voice of Twilio's text-to-speech (Amazon Polly)."""

LANGUAGE = "zh-CN"
MAX_QUEUE_WAIT = 180
"""Seconds a caller waits for an agent before being offered a voicemail instead."""

POSITION_EVERY = 20
"""Seconds between announcements of the caller's place in the queue."""

VOICEMAIL_MAX_SECONDS = 120
AGENT_IDLE_PAUSE = 5
"""Seconds an agent on the line waits before asking the queue again when nobody was waiting."""
HOOKS = "/hooks/twilio/voice"


def _say(response: VoiceResponse, text: str) -> None:
    response.say(text, language=LANGUAGE, voice=VOICE)


def welcome_to_queue(public_url: str, city_name: str) -> str:
    """Working hours: greet, then queue for the next agent."""
    response = VoiceResponse()
    _say(response, f"您好，这里是{city_name}12345政务服务便民热线，正在为您转接人工服务，请稍候。")
    response.enqueue(QUEUE_NAME, action=f"{public_url}{HOOKS}/queue-result", method="POST",
                     wait_url=f"{public_url}{HOOKS}/wait", wait_url_method="POST")
    return str(response.to_xml())


def voicemail(public_url: str, city_name: str, *, after_hours: bool) -> str:
    """Record a message; its recording callback turns it into a ticket."""
    response = VoiceResponse()
    if after_hours:
        _say(response, f"您好，这里是{city_name}12345政务服务便民热线。现在是非工作时间，")
    else:
        _say(response, "很抱歉，坐席繁忙，暂时无法接听。")
    _say(response, "请在提示音后说明您的姓名、诉求和地址，说完请挂机或按井号键。我们将在工作时间尽快处理并回复您。")
    response.record(max_length=VOICEMAIL_MAX_SECONDS, play_beep=True, timeout=5, finish_on_key="#",
                    trim="trim-silence", action=f"{public_url}{HOOKS}/recorded", method="POST",
                    recording_status_callback=f"{public_url}{HOOKS}/recording",
                    recording_status_callback_method="POST")
    _say(response, "没有收到您的留言，再见。")
    response.hangup()
    return str(response.to_xml())


def while_waiting(position: int, waited_seconds: int) -> str:
    """What a waiting caller hears (Twilio asks again when it has been played)."""
    response = VoiceResponse()
    if waited_seconds >= MAX_QUEUE_WAIT:
        response.leave()  # Enqueue's action then offers a voicemail
        return str(response.to_xml())
    if position > 1:
        _say(response, f"您前面还有{position - 1}位市民在等候，请不要挂机。")
    else:
        _say(response, "您是下一位，马上为您接通，请不要挂机。")
    response.pause(length=POSITION_EVERY)
    return str(response.to_xml())


def agent_takes_next(public_url: str, agent_user_id: int) -> str:
    """An agent dialled in: bridge them to the caller who waited longest, then to the next one.

    The agent stays on the line between calls (the TwiML comes back here after
    each call, or every :data:`AGENT_IDLE_PAUSE` seconds while nobody waits)
    and hangs up to stop taking calls.
    """
    response = VoiceResponse()
    _say(response, "正在为您接入下一位来电，挂机即停止接听。")
    dial = Dial()
    dial.queue(QUEUE_NAME, url=f"{public_url}{HOOKS}/connected?agent={agent_user_id}", method="POST")
    response.append(dial)
    response.pause(length=AGENT_IDLE_PAUSE)
    response.redirect(f"{public_url}{HOOKS}/agent", method="POST")
    return str(response.to_xml())


def refuse(text: str) -> str:
    response = VoiceResponse()
    _say(response, text)
    response.hangup()
    return str(response.to_xml())


def goodbye(recorded_seconds: int) -> str:
    """After the voicemail: thank the caller (or say nothing was heard) and hang up."""
    if recorded_seconds <= 0:
        return refuse("没有收到您的留言，再见。")
    return refuse("您的留言已收到，我们将在工作时间尽快处理，处理结果将短信或电话告知您。再见。")


def empty() -> str:
    return str(VoiceResponse().to_xml())
