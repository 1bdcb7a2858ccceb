"""The generic HTTP SMS gateway backend against a real HTTP server on loopback (a socket, not a mock):
what it sends, what it keeps, and each way a gateway can refuse."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.test import override_settings

from messaging.backends import HttpSmsBackend, Message, SendError


class Gateway:
    """A stand-in gateway: records each request and answers with ``status`` and ``body``."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.status, self.body, self.delay = 200, b'{"id": "gw-42"}', 0.0
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers["Content-Length"])
                gateway.requests.append({"path": self.path, "headers": dict(self.headers),
                                         "body": json.loads(self.rfile.read(length))})
                if gateway.delay:
                    threading.Event().wait(gateway.delay)
                try:
                    self.send_response(gateway.status)
                    self.send_header("Content-Type", "application/json")
                    self.end_headers()
                    self.wfile.write(gateway.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting (the timeout test)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/v1/sms"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def gateway():
    running = Gateway()
    with override_settings(SMS_GATEWAY_URL=running.url, SMS_GATEWAY_KEY="k-123", SMS_GATEWAY_TEMPLATE="T100",
                           SMS_GATEWAY_TIMEOUT=1.0):
        yield running
    running.server.shutdown()
    running.server.server_close()


MESSAGE = Message(key="reply-7-abc", channel="sms", to="13800138000", subject="", text="您好（工单 TS-1）",
                  language="zh-hans")


def test_the_gateway_gets_the_message_with_our_key_and_its_id_is_kept(gateway):
    assert HttpSmsBackend().send(MESSAGE) == "gw-42"
    [request] = gateway.requests
    assert request["path"] == "/v1/sms"
    assert request["headers"]["Authorization"] == "Bearer k-123"
    assert request["body"] == {"to": "13800138000", "text": "您好（工单 TS-1）", "template_id": "T100",
                               "client_id": "reply-7-abc"}


def test_an_answer_without_an_id_is_still_sent(gateway):
    gateway.body = b"accepted"
    assert HttpSmsBackend().send(MESSAGE) is None


@pytest.mark.parametrize(("status", "body", "reason"), [
    (503, b"busy", "gateway answered 503: busy"),
    (401, b'{"error": "bad key"}', 'gateway answered 401: {"error": "bad key"}'),
])
def test_a_refusal_is_a_send_error_with_the_gateways_words(gateway, status, body, reason):
    gateway.status, gateway.body = status, body
    with pytest.raises(SendError) as refused:
        HttpSmsBackend().send(MESSAGE)
    assert str(refused.value) == reason


def test_a_gateway_that_does_not_answer_in_time_is_a_send_error(gateway):
    gateway.delay = 1.5
    with pytest.raises(SendError) as refused:
        HttpSmsBackend().send(MESSAGE)
    assert str(refused.value).startswith("gateway unreachable: ")


def test_a_gateway_that_is_not_there_is_a_send_error(gateway):
    gateway.server.shutdown()
    gateway.server.server_close()
    with pytest.raises(SendError) as refused:
        HttpSmsBackend().send(MESSAGE)
    assert str(refused.value).startswith("gateway unreachable: ")
