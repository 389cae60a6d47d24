"""Errors of telephony actions, as the web layer shows them (they are LedgerErrors)."""
from __future__ import annotations

from collections.abc import Awaitable
from typing import TypeVar

from telephony.control import CallControlError, CallControlUnavailable
from tracking.actions import InvalidInput, LedgerError

T = TypeVar("T")


class TelephonyUnavailable(LedgerError):
    """The PBX cannot be reached or did not answer in time."""

    http_status = 503


class TelephonyRefused(LedgerError):
    """The PBX answered with an error (e.g. the channel is gone)."""

    http_status = 502


async def controlled(operation: Awaitable[T]) -> T:
    """Await a call-control operation, turning its failures into errors people can read.

    Raises:
        TelephonyUnavailable: no AMI link, or no answer in time.
        TelephonyRefused: Asterisk refused the action.
        InvalidInput: a number or interface that cannot be dialled.
    """
    try:
        return await operation
    except CallControlUnavailable as exc:
        raise TelephonyUnavailable(f"电话系统暂不可用，请稍后重试（{exc}）") from exc
    except CallControlError as exc:
        raise TelephonyRefused(f"电话系统未能执行：{exc}") from exc
    except ValueError as exc:
        raise InvalidInput(f"号码或分机格式不正确（{exc}）") from exc
