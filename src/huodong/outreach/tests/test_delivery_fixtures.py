"""Shared pieces of the outbox tests: a real SMTP server (aiosmtpd on 127.0.0.1, a port the OS chooses),
a local HTTP server that records requests and answers as told, an event with guests, and a free port.

Imported by the other ``test_delivery*``/``test_channels*``/``test_worker*`` modules; it holds no test.
"""

from __future__ import annotations

import asyncio
import email
import json
import re
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import Message as MimeMessage
from email.policy import default as default_policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.smtp import SMTP

KEY_HEADER = re.compile(rb"^X-Huodong-Key: (.+?)\r?$", re.M)


# ---------------------------------------------------------------- SMTP
class SinkHandler:
    """Takes every message; refuses the recipients in ``refuse`` with a 550 in the server's own words."""

    def __init__(self, refuse: set[str] | None = None) -> None:
        self.refuse = refuse or set()
        self.messages: list[bytes] = []
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address in self.refuse:
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown in local recipient table"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        with self.lock:
            self.messages.append(bytes(envelope.content))
            n = len(self.messages)
        return f"250 2.0.0 Ok: queued as Q{n:06d}"

    def count(self) -> int:
        with self.lock:
            return len(self.messages)

    def keys(self) -> list[str]:
        with self.lock:
            raw = list(self.messages)
        out = []
        for content in raw:
            m = KEY_HEADER.search(content)
            out.append(m.group(1).decode() if m else "")
        return out

    def parsed(self) -> list[MimeMessage]:
        with self.lock:
            raw = list(self.messages)
        return [email.message_from_bytes(c, policy=default_policy) for c in raw]


@dataclass
class SmtpSink:
    host: str
    port: int
    handler: SinkHandler
    stop: Callable[[], None]


def start_smtp(handler: SinkHandler | None = None) -> SmtpSink:
    handler = handler or SinkHandler()
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True, name="smtp-sink")
    thread.start()

    async def serve() -> asyncio.Server:
        return await loop.create_server(
            lambda: SMTP(handler, hostname="sink.local", ident="sink"), "127.0.0.1", 0
        )

    server = asyncio.run_coroutine_threadsafe(serve(), loop).result(10)
    port = server.sockets[0].getsockname()[1]

    def stop() -> None:
        async def close() -> None:
            server.close()
            await server.wait_closed()

        asyncio.run_coroutine_threadsafe(close(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)

    return SmtpSink("127.0.0.1", port, handler, stop)


@pytest.fixture
def smtp(settings) -> Iterator[SmtpSink]:
    sink = start_smtp()
    settings.EMAIL_HOST, settings.EMAIL_PORT = sink.host, sink.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    yield sink
    sink.stop()


def free_port() -> int:
    """A port nothing listens on (the OS chose it, then it was closed): "the SMTP server is down"."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------- HTTP
@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class HttpStub:
    base: str
    requests: list[Seen] = field(default_factory=list)
    # Each answer: (status, JSON body, headers); the last one repeats.
    answers: list[tuple[int, Any, dict[str, str]]] = field(default_factory=list)
    stop: Callable[[], None] = lambda: None

    def answer(self, status: int = 200, body: Any = None, headers: dict[str, str] | None = None) -> None:
        self.answers.append((status, {"errcode": 0, "errmsg": "ok"} if body is None else body, headers or {}))


def start_http() -> HttpStub:
    stub = HttpStub(base="")
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            try:
                body = json.loads(raw.decode("utf-8"))
            except ValueError:
                body = raw
            with lock:
                stub.requests.append(Seen("POST", self.path, dict(self.headers), body))
                if len(stub.answers) > 1:
                    status, answer, headers = stub.answers.pop(0)
                elif stub.answers:
                    status, answer, headers = stub.answers[0]
                else:
                    status, answer, headers = 200, {"errcode": 0, "errmsg": "ok"}, {}
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for k, v in headers.items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True, name="http-stub")
    thread.start()
    stub.base = f"http://127.0.0.1:{server.server_address[1]}"

    def stop() -> None:
        server.shutdown()
        server.server_close()
        thread.join(10)

    stub.stop = stop
    return stub


@pytest.fixture
def http_stub() -> Iterator[HttpStub]:
    stub = start_http()
    yield stub
    stub.stop()


# ---------------------------------------------------------------- an event with guests
@pytest.fixture
def outbox_event(organiser):
    from huodong.events.steps import Step
    from huodong.outreach.models import RegistrationSettings
    from huodong.planning.tests.conftest import make_event

    event = make_event(organiser, step=Step.NOTIFICATION)
    event.venue = "上海国际会议中心"
    event.save(update_fields=["venue"])
    RegistrationSettings.objects.create(event=event, highlights="新品首发", notes="请携带名片")
    return event


def add_guest(event, n: int = 1, **fields: Any):
    from huodong.outreach.models import Guest, GuestStatus

    defaults = {
        "name": f"嘉宾{n}",
        "email": f"guest{n}@example.com",
        "phone": f"+86138000{n:05d}",
        "status": GuestStatus.REGISTERED,
    }
    defaults.update(fields)
    return Guest.objects.create(event=event, **defaults)


def queue(guest, kind: str, channels=("email",), **kwargs: Any):
    from huodong.outreach.services.messaging import queue_guest_message

    return queue_guest_message(guest, kind, channels=list(channels), **kwargs)


def deliverer(worker_id: str = "test-worker", **kwargs: Any):
    """A Deliverer without rate limits and without sleeping (tests never wait on a clock)."""
    from huodong.outreach.delivery import Deliverer

    kwargs.setdefault("buckets", {})
    kwargs.setdefault("sleep", lambda s: None)
    return Deliverer(worker_id, **kwargs)
