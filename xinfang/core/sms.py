"""Sending a text message (短信) through a pluggable backend, the way Django sends e-mail.

`SMS_BACKEND` names the class that delivers; `send_sms` is the one call the rest of Xinfang makes.
Four backends ship:

- `ConsoleBackend` (the development default): writes each message to the log, nothing leaves the box;
- `FileBackend`: appends one JSON line per message to `SMS_FILE_PATH`, for a demo or a test that
  reads what a citizen would have received;
- `LocmemBackend` (the tests): keeps the messages in `outbox`, like `django.core.mail.outbox`;
- `HttpGatewayBackend`: a real SMS gateway over HTTPS, with the contract in docs/operations.md
  ("短信网关"): POST JSON ``{"id", "phone", "text"}`` with ``Authorization: Bearer <SMS_GATEWAY_TOKEN>``
  to `SMS_GATEWAY_URL`; a 2xx answer accepts the message, its JSON body may carry the gateway's own
  ``"id"``. Anything else raises `SmsError`, so the caller (the worker) can retry.

A message's text is sent as given: the caller adds the 签名 (`SMS_SIGNATURE`) with `signed`.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger("xinfang.sms")


class SmsError(Exception):
    """The backend did not accept the message (the gateway refused or could not be reached). The
    message is in Chinese: the delivery log shows it to staff."""


@dataclass(frozen=True)
class SmsMessage:
    id: str
    phone: str
    text: str


class SmsBackend(Protocol):
    def send(self, message: SmsMessage) -> str:
        """Deliver `message`; return the backend's id for it, or raise SmsError."""
        ...


# What LocmemBackend sent, oldest first; tests clear it.
outbox: list[SmsMessage] = []


class ConsoleBackend:
    def send(self, message: SmsMessage) -> str:
        logger.info("短信 → %s：%s", message.phone, message.text)
        return message.id


class LocmemBackend:
    def send(self, message: SmsMessage) -> str:
        outbox.append(message)
        return message.id


class FileBackend:
    def send(self, message: SmsMessage) -> str:
        path = Path(settings.SMS_FILE_PATH)
        path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps(
            {"id": message.id, "phone": message.phone, "text": message.text}, ensure_ascii=False
        )
        with path.open("a", encoding="utf-8") as out:
            out.write(line + "\n")
        return message.id


class HttpGatewayBackend:
    def send(self, message: SmsMessage) -> str:
        url = settings.SMS_GATEWAY_URL
        if not url:
            raise SmsError("未配置短信网关地址（SMS_GATEWAY_URL）。")
        body = json.dumps({"id": message.id, "phone": message.phone, "text": message.text}).encode()
        request = urllib.request.Request(
            url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Authorization": f"Bearer {settings.SMS_GATEWAY_TOKEN}",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=settings.SMS_GATEWAY_TIMEOUT) as answer:
                raw = answer.read()
        except urllib.error.HTTPError as error:
            raise SmsError(f"短信网关拒绝发送（HTTP {error.code}）。") from error
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            raise SmsError(f"无法连接短信网关：{error}。") from error
        try:
            answer_id = json.loads(raw or b"{}").get("id")
        except (ValueError, AttributeError):
            answer_id = None
        return str(answer_id or message.id)


def backend() -> SmsBackend:
    backend_class: type[SmsBackend] = import_string(settings.SMS_BACKEND)
    return backend_class()


def signed(text: str) -> str:
    """The text with the installation's 签名 in front (e.g. 【示例市信访局】), as gateways require."""
    signature = settings.SMS_SIGNATURE
    return f"【{signature}】{text}" if signature and not text.startswith("【") else text


def send_sms(phone: str, text: str, *, message_id: str = "") -> str:
    """Send `text` to the mobile number `phone` now; the backend's id for it, or SmsError.

    `message_id` (32 hex digits) names the message to the gateway; a sender that retries passes the
    same id each time, so a gateway that accepted a first try it did not answer sends it once."""
    message = SmsMessage(id=message_id or uuid.uuid4().hex, phone=phone, text=text)
    return backend().send(message)
