"""Reading people's forms: each field checked, every problem collected and said in Chinese.

A form with three mistakes shows all three at once, next to what the person
typed, instead of one error page per try.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tracking.actions import InvalidInput
from tracking.actions.registration import normalise_phone

REPLACEMENT_CHARACTER = "\ufffd"


@dataclass
class FormReader:
    """Fields of one submitted form, and the errors found while reading them."""

    data: Mapping[str, Any]
    errors: dict[str, str] = field(default_factory=dict)

    def text(self, name: str, label: str, *, max_length: int, required: bool = False) -> str:
        value = self.data.get(name, "")
        value = value.strip() if isinstance(value, str) else ""
        if REPLACEMENT_CHARACTER in value:  # what decoders put where the bytes were not UTF-8
            self.errors[name] = f"{label}含有无法识别的字符（编码有误），请重新输入"
        elif required and not value:
            self.errors[name] = f"请填写{label}"
        elif len(value) > max_length:
            self.errors[name] = f"{label}不能超过{max_length}字（现为{len(value)}字）"
        return value

    def phone(self, name: str, label: str, *, required: bool = False) -> str | None:
        raw = self.text(name, label, max_length=32, required=required)
        if not raw:
            return None
        try:
            return normalise_phone(raw)
        except InvalidInput:
            self.errors[name] = f"{label}格式不正确，请填写手机号或带区号的固定电话"
            return None

    def file(self, name: str) -> tuple[str, bytes] | None:
        """An uploaded file's name and bytes, or None when the field was left empty."""
        value = self.data.get(name)
        if not isinstance(value, web.FileField):
            return None
        data = value.file.read()
        if not data and not value.filename:
            return None
        return value.filename or "", data

    def check(self, name: str, fn, *args):
        """Run a checker that raises ``InvalidInput``; its message becomes this field's error."""
        try:
            return fn(*args)
        except InvalidInput as exc:
            self.errors[name] = exc.message
            return None


async def read_form(request: web.Request) -> FormReader:
    """The posted form; a body that is not valid UTF-8 is a clear error, not a crash.

    Raises:
        InvalidInput: the body cannot be decoded.
    """
    try:
        return FormReader(await request.post())
    except (UnicodeDecodeError, ValueError):
        raise InvalidInput("提交的内容编码有误，请使用UTF-8编码后重新提交") from None
