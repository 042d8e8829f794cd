"""A real HTTP receiver on 127.0.0.1 (http.server in a thread): it answers each request
with the next status of its script (200 when the script is spent) and keeps what came."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from webhooks.services import endpoint_create


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    url: str
    port: int
    statuses: list[int] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)


@pytest.fixture
def receiver():
    state = Receiver(url="", port=0)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802  (http.server's name)
            self._answer(self.rfile.read(int(self.headers.get("Content-Length") or 0)))

        def do_GET(self):  # noqa: N802
            self._answer(b"")

        def _answer(self, body: bytes) -> None:
            state.received.append(Received(self.path, dict(self.headers.items()), body))
            status = state.statuses.pop(0) if state.statuses else 200
            self.send_response(status)
            if 300 <= status < 400:
                self.send_header("Location", "/elsewhere")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.port = server.server_address[1]
    state.url = f"http://127.0.0.1:{state.port}/hooks/deal-desk"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def loopback(settings):
    settings.WEBHOOK_ALLOW_LOOPBACK = True
    return settings


@pytest.fixture
def endpoint(personas, receiver, loopback):
    return endpoint_create(
        user=personas.admin,
        name="CRM",
        url=receiver.url,
        events=["review.decided", "deal.stage_changed", "deal.signed"],
        owner=personas.owner,
    )


@pytest.fixture(autouse=True)
def in_process(eager_tasks):
    """The send task runs in the test (with REDIS_URL set it would go to a broker)."""
    return eager_tasks
