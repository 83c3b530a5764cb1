"""The SMS backends: what each one does with a message, and the HTTP gateway's contract."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest

from xinfang.core import sms


def test_locmem_keeps_the_messages_in_order() -> None:
    sms.send_sms("13800000001", "第一条")
    sms.send_sms("13800000002", "第二条")
    assert [(m.phone, m.text) for m in sms.outbox] == [("13800000001", "第一条"), ("13800000002", "第二条")]


def test_file_backend_appends_json_lines(settings: Any, tmp_path: Any) -> None:
    settings.SMS_BACKEND = "xinfang.core.sms.FileBackend"
    settings.SMS_FILE_PATH = str(tmp_path / "sms" / "outbox.jsonl")
    sms.send_sms("13800000001", "您的信访事项已受理")
    sms.send_sms("13800000002", "已出具处理意见书")
    lines = [json.loads(line) for line in (tmp_path / "sms" / "outbox.jsonl").read_text("utf-8").splitlines()]
    assert [(line["phone"], line["text"]) for line in lines] == [
        ("13800000001", "您的信访事项已受理"),
        ("13800000002", "已出具处理意见书"),
    ]
    assert sms.outbox == []


def test_signed_puts_the_signature_in_front_once(settings: Any) -> None:
    settings.SMS_SIGNATURE = "示例市信访局"
    assert sms.signed("验证码123456") == "【示例市信访局】验证码123456"
    assert sms.signed("【示例市信访局】验证码") == "【示例市信访局】验证码"
    settings.SMS_SIGNATURE = ""
    assert sms.signed("验证码") == "验证码"


class _Gateway(BaseHTTPRequestHandler):
    status = 200
    received: list[tuple[dict[str, Any], str]] = []

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        _Gateway.received.append((json.loads(self.rfile.read(length)), self.headers["Authorization"]))
        self.send_response(_Gateway.status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"id": "gw-42"}')

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def gateway(settings: Any) -> Iterator[type[_Gateway]]:
    server = HTTPServer(("127.0.0.1", 0), _Gateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Gateway.received, _Gateway.status = [], 200
    settings.SMS_BACKEND = "xinfang.core.sms.HttpGatewayBackend"
    settings.SMS_GATEWAY_URL = f"http://127.0.0.1:{server.server_port}/send"
    settings.SMS_GATEWAY_TOKEN = "secret-token"
    yield _Gateway
    server.shutdown()
    server.server_close()


def test_http_gateway_posts_the_message_with_the_token(gateway: type[_Gateway]) -> None:
    assert sms.send_sms("13800000001", "您的信访事项已受理") == "gw-42"
    [(body, authorization)] = gateway.received
    assert body["phone"] == "13800000001" and body["text"] == "您的信访事项已受理" and body["id"]
    assert authorization == "Bearer secret-token"


def test_http_gateway_refusal_raises_for_a_retry(gateway: type[_Gateway]) -> None:
    gateway.status = 503
    with pytest.raises(sms.SmsError, match="短信网关拒绝发送（HTTP 503）"):
        sms.send_sms("13800000001", "x")


def test_http_gateway_unreachable_raises(settings: Any) -> None:
    settings.SMS_BACKEND = "xinfang.core.sms.HttpGatewayBackend"
    settings.SMS_GATEWAY_URL = "http://127.0.0.1:9/send"
    with pytest.raises(sms.SmsError, match="无法连接短信网关"):
        sms.send_sms("13800000001", "x")


def test_a_retried_message_keeps_its_id() -> None:
    sms.send_sms("13800000001", "第一次", message_id="a" * 32)
    sms.send_sms("13800000001", "第二次", message_id="a" * 32)
    sms.send_sms("13800000001", "另一条")
    ids = [m.id for m in sms.outbox]
    assert ids[0] == ids[1] == "a" * 32 and ids[2] != ids[0] and len(ids[2]) == 32
