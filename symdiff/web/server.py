"""uvicorn, configured for `symdiff serve`: read timeouts, a connection limit, a quick stop.

uvicorn waits for request headers as long as a client likes to send them
and answers its own connection-limit 503 without our headers, so the HTTP
protocol here is uvicorn's h11 one with two guards: a connection beyond
`connections` in all, or `client_connections` from one address, is
answered 503 and closed before it is read, and headers that take more
than `header_timeout` seconds to arrive get a 408.  Body
reading is timed by the application (`app.read_body`).
"""

from __future__ import annotations

import asyncio
import logging
import socket
import sys
from collections import Counter
from typing import Any

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from .limits import (BODY_LIMIT, CLIENT_CONNECTION_LIMIT, CLIENT_QUEUE_LIMIT, CONNECTION_LIMIT, QUEUE_LIMIT,
                     READ_TIMEOUT, TIME_LIMIT)
from .app import HEADERS, create_app
from .pool import WorkerPool


def canned(status: int, reason: str, text: str, retry_after: int | None = None) -> bytes:
    """A whole HTTP response, sent by the protocol itself before the application sees the request."""
    body = ('{"error": "%s", "line": null, "column": null, "field": null}' % text).encode()
    lines = [f"HTTP/1.1 {status} {reason}", "Content-Type: application/json",
             f"Content-Length: {len(body)}", "Connection: close", "Cache-Control: no-store",
             *(f"{k}: {v}" for k, v in HEADERS.items())]
    if retry_after is not None:
        lines.append(f"Retry-After: {retry_after}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def guarded(connections: int, per_client: int, header_timeout: float) -> type[H11Protocol]:
    """uvicorn's h11 protocol with connection limits (in all, and per client
    address) and a header timeout."""
    busy = canned(503, "Service Unavailable", "too many connections: try again in a moment", 1)
    open_from: Counter[str] = Counter()
    slow = canned(408, "Request Timeout", f"the request headers took more than {header_timeout:g} s")

    class Guarded(H11Protocol):
        _header_timer: asyncio.TimerHandle | None = None
        _counted: str | None = None

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            address = self.client[0] if self.client else ""
            if len(self.connections) > connections or open_from[address] >= per_client:
                transport.write(busy)
                transport.close()
                return
            self._counted = address
            open_from[address] += 1
            self._arm()

        def _arm(self) -> None:
            if self._header_timer is None:
                self._header_timer = self.loop.call_later(header_timeout, self._headers_too_slow)

        def _disarm(self) -> None:
            if self._header_timer is not None:
                self._header_timer.cancel()
                self._header_timer = None

        def _headers_too_slow(self) -> None:
            self._header_timer = None
            if not self.transport.is_closing() and self._reading_headers():
                self.transport.write(slow)
                self.transport.close()

        def _reading_headers(self) -> bool:
            return self.cycle is None or self.cycle.response_complete

        def data_received(self, data: bytes) -> None:
            if self._reading_headers():
                self._arm()  # the next request's headers start arriving
            super().data_received(data)
            if not self._reading_headers():
                self._disarm()

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            if self._counted is not None:
                open_from[self._counted] -= 1
                if not open_from[self._counted]:
                    del open_from[self._counted]
                self._counted = None
            super().connection_lost(exc)

    return Guarded


class Server(uvicorn.Server):
    """uvicorn's server, refusing the pool's waiting and running jobs (503) as it
    starts to stop, so every open request is answered and none is cancelled."""

    def __init__(self, config: uvicorn.Config, pool: WorkerPool) -> None:
        super().__init__(config)
        self.pool = pool

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        self.pool.close()
        await super().shutdown(sockets)


def serve(host: str = "127.0.0.1", port: int = 8000, time_limit: float = TIME_LIMIT, *,
          workers: int | None = None, connections: int = CONNECTION_LIMIT,
          client_connections: int = CLIENT_CONNECTION_LIMIT, header_timeout: float = READ_TIMEOUT,
          read_timeout: float = READ_TIMEOUT, queue: int = QUEUE_LIMIT, per_client: int = CLIENT_QUEUE_LIMIT,
          body_limit: int = BODY_LIMIT) -> None:
    """Serve the page until interrupted; prints the URL first (`port=0` picks a free port)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger = logging.getLogger("symdiff.web")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False

    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)  # connections wait in the backlog while the workers start
    port = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    print(f"symdiff: serving on http://{shown}:{port}/ (Ctrl+C to stop)", flush=True)
    app = create_app(time_limit=time_limit, body_limit=body_limit, workers=workers, hosts=[host],
                     queue=queue, per_client=per_client, read_timeout=read_timeout)
    options: dict[str, Any] = dict(
        log_level="warning", http=guarded(connections, client_connections, header_timeout), lifespan="on",
        timeout_keep_alive=5, timeout_graceful_shutdown=1)  # the first Ctrl+C stops it within a second
    try:
        Server(uvicorn.Config(app, **options), app.state.pool).run(sockets=[sock])
    except KeyboardInterrupt:
        pass
    finally:
        sock.close()
        sys.stdout.flush()
