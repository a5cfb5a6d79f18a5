"""`symdiff serve` under floods and abuse, over real sockets (issue 22's table, at a smaller scale).

Each test starts the server in a fresh process on a free loopback port with
small limits, so that each load row takes a few seconds: a flood of
expensive requests beside a second client's cheap ones, requests abandoned
by their clients, worker restarts that fail, slow and lying clients, and
Ctrl+C.  "Another client" is another loopback address (127.0.0.2), which is
what the server's fairness goes by.
"""

from __future__ import annotations

import http.client
import json
import os
import resource
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from support.extras import need
from support.processes import children

pytestmark = pytest.mark.slow  # real servers in subprocesses: about 40 s

need("starlette", "web")
need("uvicorn", "web")

# Work that runs for seconds (about 7 s of CPU: common denominators of 299 terms, twice).
# A high order such as the 1000th derivative of x^x is no longer expensive: it is
# refused in a fraction of a second (MAX_ORDER_SECONDS), which a flood test cannot use.
EXPENSIVE = {"expr": " + ".join(f"1/(x^3 + {k})" for k in range(1, 300)), "order": 2}
CHEAP = {"expr": "x^2"}


class Server:
    """`symdiff.web.serve` in a subprocess; `.lines` is what it wrote on stderr."""

    def __init__(self, **options: object) -> None:
        code = "import json, sys; from symdiff.web import serve; serve('127.0.0.1', 0, **json.loads(sys.argv[1]))"
        self.proc = subprocess.Popen([sys.executable, "-c", code, json.dumps(options)],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.lines: list[str] = []
        threading.Thread(target=lambda: self.lines.extend(self.proc.stderr), daemon=True).start()
        first = self.proc.stdout.readline()
        assert "serving on http://127.0.0.1:" in first, first + "".join(self.lines)
        self.port = int(first.split("127.0.0.1:", 1)[1].split("/")[0])
        self.size = options.get("workers", 2)
        wait_for(lambda: len(self.workers()) == self.size)
        assert post(self, CHEAP)[0] == 200

    def workers(self) -> set[int]:
        """Pids of the worker processes (the fork server's children)."""
        tree = children()
        servers = [p for p in tree.get(self.proc.pid, ()) if b"forkserver" in _cmdline(p)]
        return {w for s in servers for w in tree.get(s, ())}

    def rss(self) -> int:
        """Resident memory of the server process, in bytes."""
        fields = Path(f"/proc/{self.proc.pid}/statm").read_text().split()
        return int(fields[1]) * os.sysconf("SC_PAGE_SIZE")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def log(self) -> str:
        return "".join(self.lines)


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def wait_for(condition, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def post(server: Server, body: dict, source: str = "127.0.0.1", path: str = "/api/diff",
         connection: http.client.HTTPConnection | None = None) -> tuple[int, dict, float, dict]:
    """(status, JSON body, seconds, headers) of one POST, on a new connection from `source`."""
    c = connection or http.client.HTTPConnection("127.0.0.1", server.port, timeout=60, source_address=(source, 0))
    started = time.monotonic()
    try:
        c.request("POST", path, json.dumps(body), {"Content-Type": "application/json"})
        r = c.getresponse()
        data = json.loads(r.read())
        return r.status, data, time.monotonic() - started, dict(r.getheaders())
    finally:
        if connection is None:
            c.close()


def raw(server: Server, data: bytes, source: str = "127.0.0.1") -> socket.socket:
    s = socket.create_connection(("127.0.0.1", server.port), timeout=30, source_address=(source, 0))
    s.sendall(data)
    return s


def request_bytes(body: dict | bytes, length: int | None = None) -> bytes:
    payload = body if isinstance(body, bytes) else json.dumps(body).encode()
    n = len(payload) if length is None else length
    return (f"POST /api/diff HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"Content-Length: {n}\r\n\r\n").encode() + payload


def status_of(s: socket.socket) -> int:
    head = s.recv(65536)
    return int(head.split(b" ", 2)[1]) if head.startswith(b"HTTP/1.1 ") else 0


@pytest.fixture
def server(request):
    s = Server(**getattr(request, "param", {}))
    yield s
    s.stop()
    assert "Traceback" not in s.log(), s.log()


def cheap_latencies(server: Server, until: threading.Event | float, source: str = "127.0.0.2",
                    every: float = 0.25) -> list[tuple[int, float]]:
    out = []
    end = until if isinstance(until, float) else None
    while not (until.is_set() if isinstance(until, threading.Event) else time.monotonic() > end):
        status, _, seconds, _ = post(server, CHEAP, source)
        out.append((status, seconds))
        time.sleep(every)
    return out


TIME_LIMIT = 2.0


@pytest.mark.parametrize("server", [{"time_limit": TIME_LIMIT, "per_client": 4}], indirect=True)
def test_a_flood_of_expensive_requests_does_not_starve_another_client(server):
    """12 expensive requests at once, and another client's x^2 every 0.25 s."""
    with ThreadPoolExecutor(12) as flood:
        futures = [flood.submit(post, server, EXPENSIVE) for _ in range(12)]
        cheap = cheap_latencies(server, time.monotonic() + TIME_LIMIT + 1.5)
        results = [f.result() for f in futures]
    for status, data, seconds, headers in results:
        assert status in (422, 503), data
        assert seconds < TIME_LIMIT + 1.5  # refused within the time limit, queue wait included
        if status == 503:
            assert int(headers["retry-after"]) >= 1
    assert any(status == 503 and seconds < 1 for status, _, seconds, _ in results)  # the queue is bounded
    assert all(status == 200 for status, _ in cheap), cheap
    latencies = [seconds for _, seconds in cheap]
    # Measured on 2 shared cores (load 3-4): median 0.01-0.02 s, max 0.2 s.  Without
    # fairness a cheap request waits for the deadline (2 s) at best.
    assert statistics.median(latencies) < 0.5 and max(latencies) < 1.5, latencies


@pytest.mark.parametrize("server", [{"time_limit": 20.0}], indirect=True)
def test_abandoned_requests_are_cancelled_and_their_workers_recycled(server):
    before = server.workers()
    sockets = [raw(server, request_bytes(EXPENSIVE)) for _ in range(4)]
    time.sleep(0.5)
    for s in sockets:
        s.close()
    status, _, seconds, _ = post(server, CHEAP)
    assert status == 200 and seconds < 2  # not behind 20 s of abandoned work
    wait_for(lambda: len(server.workers()) == server.size)
    assert server.workers() != before


@pytest.mark.parametrize("server", [{"time_limit": 5.0}], indirect=True)
def test_failed_restarts_are_retried_and_no_worker_is_503_at_once(server):
    kept = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)  # open before the fd limit drops
    assert post(server, CHEAP, connection=kept)[0] == 200
    limits = resource.prlimit(server.proc.pid, resource.RLIMIT_NOFILE)
    resource.prlimit(server.proc.pid, resource.RLIMIT_NOFILE, (3, limits[1]))  # no new file at all
    try:
        for pid in server.workers():
            os.kill(pid, signal.SIGKILL)
        wait_for(lambda: "failed to start" in server.log())
        status, data, seconds, headers = post(server, CHEAP, connection=kept)
        assert status == 503 and seconds < 1 and int(headers["retry-after"]) >= 1, data
        time.sleep(2)
        lines = server.log().count("\n")
        assert lines < 40, server.log()  # one line per event, with back-off
    finally:
        resource.prlimit(server.proc.pid, resource.RLIMIT_NOFILE, limits)
    wait_for(lambda: "started again" in server.log(), 15)  # the back-off is at most 5 s
    assert post(server, CHEAP)[0] == 200
    wait_for(lambda: len(server.workers()) == server.size)


@pytest.mark.parametrize("server", [{"time_limit": 20.0}], indirect=True)
def test_the_first_ctrl_c_stops_the_server(server):
    busy = [raw(server, request_bytes(EXPENSIVE)) for _ in range(3)]  # running and queued work
    time.sleep(0.5)
    started = time.monotonic()
    server.proc.send_signal(signal.SIGINT)
    server.proc.wait(10)
    assert time.monotonic() - started < 4
    wait_for(lambda: not server.workers(), 5)
    for s in busy:
        s.close()


@pytest.mark.parametrize("server", [{"time_limit": 5.0, "header_timeout": 1.0, "read_timeout": 1.0,
                                     "client_connections": 30}], indirect=True)
def test_slow_and_lying_clients(server):
    base = server.rss()
    # Headers sent a byte at a time: a 408 after the header timeout, cheap requests answered meanwhile.
    slow = [socket.create_connection(("127.0.0.1", server.port), timeout=10) for _ in range(10)]
    started = time.monotonic()
    head = request_bytes(CHEAP)
    for k in range(5):
        for s in slow:
            s.send(head[k:k + 1])
        assert post(server, CHEAP, "127.0.0.2")[0] == 200
        time.sleep(0.2)
    assert [status_of(s) for s in slow] == [408] * 10
    assert time.monotonic() - started < 4

    # A Content-Length far past the cap, then 12 bytes: 413 at once, nothing waited for.
    liar = raw(server, request_bytes(b'{"expr": "x"', length=99999999999))
    started = time.monotonic()
    assert status_of(liar) == 413 and time.monotonic() - started < 1

    # A body that stops half way: 408 after the read timeout.
    stalled = raw(server, request_bytes(CHEAP, length=60_000)[:-2])
    started = time.monotonic()
    assert status_of(stalled) == 408 and time.monotonic() - started < 3

    # More connections from one address than its limit, each with 60 KB of body held back by
    # its last byte: the ones over the limit are refused before they are read, memory stays
    # bounded, and another client is still answered.
    body = json.dumps({"expr": "x" * 60_000}).encode()
    held = [raw(server, request_bytes(body)[:-1]) for _ in range(60)]
    assert post(server, CHEAP, "127.0.0.2")[0] == 200
    refused = 0
    for s in held:
        s.settimeout(0.05)
        try:
            refused += status_of(s) == 503
        except (TimeoutError, socket.timeout, ConnectionResetError):
            pass
    assert refused >= 60 - 30
    assert server.rss() - base < 40 << 20
    # Disconnects mid-body: quiet (the fixture checks the log has no traceback).
    for s in held + slow + [liar, stalled]:
        s.close()
    time.sleep(0.3)
    assert post(server, CHEAP)[0] == 200
    assert server.log().count("\n") < 10, server.log()
