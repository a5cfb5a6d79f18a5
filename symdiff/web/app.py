"""The Starlette application: the page, its static files and the JSON API.

Every response passes the edge (`Edge`): a Host allow-list, the security
headers, and one log line instead of a traceback for anything unexpected.
An API request must be JSON (`application/json`), from the page's own
origin; its body is read under a size cap and a time limit, each field
checked (`work.read_request`), then the work goes to the worker pool
(`symdiff.web.pool`) with one deadline from the request's arrival.  If the
client goes away first, its job is withdrawn and its worker killed.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import traceback
from collections.abc import AsyncIterator, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .limits import BODY_LIMIT, CLIENT_QUEUE_LIMIT, QUEUE_LIMIT, READ_TIMEOUT, TIME_LIMIT
from .pool import Refused, TooExpensive, WorkerLost, WorkerPool, default_size
from .work import BadRequest, loads, read_request

STATIC = Path(__file__).parent / "static"
# On every response.  The page loads nothing from elsewhere (the plot is an
# <img> of inline SVG) and may not be framed.
HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; object-src 'none'; "
                               "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Resource-Policy": "same-origin",
}
LOOPBACK = ("127.0.0.1", "localhost", "::1")
WILDCARDS = ("", "0.0.0.0", "::")
DRAIN_LIMIT = 16 << 20  # bytes of an oversized body read and dropped, so the client sees the 413

log = logging.getLogger("symdiff.web")


def error(status: int, message: str, field: str | None = None, **headers: str) -> JSONResponse:
    return JSONResponse({"error": message, "line": None, "column": None, "field": field}, status,
                        headers={"Cache-Control": "no-store", **headers})


class HostNames:
    """The Host header values answered: loopback names, the address the server
    was bound to, and, bound to every address, any address as a number.  A
    name other than these is how a DNS-rebinding page would reach the server."""

    def __init__(self, hosts: Iterable[str]) -> None:
        self.names = {h.strip("[]").lower() for h in (*LOOPBACK, *hosts) if h not in WILDCARDS}
        self.any_address = any(h in WILDCARDS for h in hosts)

    def allows(self, host: str) -> bool:
        name = host.rsplit(":", 1)[0] if host.count(":") == 1 or "]:" in host else host
        name = name.strip("[]").lower()
        if name in self.names:
            return True
        if self.any_address:
            try:
                ipaddress.ip_address(name)
                return True
            except ValueError:
                return False
        return False


class Edge:
    """ASGI middleware, outermost: Host allow-list, security headers, and
    quiet failures (a client gone mid-request is no error; anything else is
    one log line and a 500 in JSON)."""

    def __init__(self, app: ASGIApp, hosts: HostNames) -> None:
        self.app, self.hosts = app, hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = [(k, v) for k, v in message.get("headers", [])
                           if k.decode("latin-1").lower() not in LOWER_HEADERS]
                headers += [(k.lower().encode(), v.encode()) for k, v in HEADERS.items()]
                message = {**message, "headers": headers}
            await send(message)

        host = dict(scope["headers"]).get(b"host", b"").decode("latin-1")
        if not self.hosts.allows(host):
            await error(421, f"this server does not answer for the host name {host!r}",
                        "host")(scope, receive, guarded_send)
            return
        try:
            await self.app(scope, receive, guarded_send)
        except (ClientDisconnect, OSError):
            pass
        except Exception as exc:
            frame = traceback.extract_tb(exc.__traceback__)[-1]
            log.error("symdiff: internal error on %s %s: %s: %s (%s:%d)", scope["method"], scope["path"],
                      type(exc).__name__, exc, Path(frame.filename).name, frame.lineno)
            if not started:
                await error(500, f"internal error: {type(exc).__name__}")(scope, receive, guarded_send)


LOWER_HEADERS = {k.lower() for k in HEADERS}


async def read_body(request: Request, limit: int) -> bytes | None:
    """The body, or None if it is over `limit` bytes (no more than that is kept)."""
    length = request.headers.get("content-length", "")
    if length and (not length.isdigit() or int(length) > DRAIN_LIMIT):
        return None  # not read at all: the 413 closes the connection
    too_large = bool(length) and int(length) > limit
    body = bytearray()
    async for chunk in request.stream():
        if too_large or len(body) + len(chunk) > limit:
            # Read on, discarding, so the client gets the 413 instead of a reset connection.
            too_large = True
            body.clear()
            continue
        body += chunk
    return None if too_large else bytes(body)


async def until_disconnected(receive: Receive) -> None:
    """Returns when the client has gone (the body is read by then)."""
    while (await receive())["type"] != "http.disconnect":
        pass


def create_app(time_limit: float = TIME_LIMIT, body_limit: int = BODY_LIMIT, workers: int | None = None,
               hosts: Iterable[str] = (), queue: int = QUEUE_LIMIT, per_client: int = CLIENT_QUEUE_LIMIT,
               read_timeout: float = READ_TIMEOUT) -> Starlette:
    """The web application; its worker processes start and stop with its lifespan.

    `hosts` are the host names answered besides loopback (what `--host` gave);
    `queue` and `per_client` bound the requests waiting for a worker, in all and from one address.
    """
    pool = WorkerPool(workers or default_size(), time_limit, queue, per_client)
    names = HostNames(list(hosts))

    async def api(request: Request, kind: str) -> Response:
        media = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media != "application/json":
            return error(415, "the body must be JSON, sent with Content-Type: application/json", "body")
        origin = request.headers.get("origin")
        if origin is not None and not names.allows(urlsplit(origin).netloc):
            return error(403, "requests from other sites are not answered", "origin")
        try:
            body = await asyncio.wait_for(read_body(request, body_limit), read_timeout)
        except asyncio.TimeoutError:
            return error(408, f"the body took more than {read_timeout:g} s to arrive", "body",
                         Connection="close")
        if body is None:
            return error(413, f"request body too large: the limit is {body_limit // 1024} KB", "body",
                         Connection="close")
        try:
            payload: Any = loads(body)
        except (ValueError, RecursionError) as err:  # [[[[...: too deep
            line, column = getattr(err, "lineno", None), getattr(err, "colno", None)
            return JSONResponse({"error": f"the body is not JSON: {getattr(err, 'msg', err)}",
                                 "line": line, "column": column, "field": "body"}, 400)
        try:
            job = read_request(payload)
        except BadRequest as err:
            return JSONResponse(err.body, 400)
        # The deadline starts now, with the whole body in: waiting for a worker counts against it.
        deadline = asyncio.get_running_loop().time() + time_limit
        client = request.client.host if request.client else ""
        work = asyncio.ensure_future(pool.run(kind, job, client, deadline))
        gone = asyncio.ensure_future(until_disconnected(request.receive))
        try:
            await asyncio.wait((work, gone), return_when=asyncio.FIRST_COMPLETED)
        finally:
            gone.cancel()
            if not work.done():  # the client left (or the server stops): withdraw the job, kill its worker
                work.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await work
        if work.cancelled():
            return Response(status_code=499)  # nobody reads it
        try:
            status, reply = work.result()
        except Refused as err:
            return error(503, f"{err}: try again in {err.retry_after} s", None,
                         **{"Retry-After": str(err.retry_after)})
        except TooExpensive as err:
            what = "more memory than it allows" if str(err) == "memory" else f"more than {time_limit:g} s"
            return error(422, f"too expensive: working this out would take {what}, the server's limit")
        except WorkerLost as err:
            return error(500, f"internal error: {err}")
        return JSONResponse(reply, status, headers={"Cache-Control": "no-store"})

    async def diff(request: Request) -> Response:
        return await api(request, "diff")

    async def plot(request: Request) -> Response:
        return await api(request, "plot")

    async def page(request: Request) -> Response:
        return FileResponse(STATIC / "index.html")

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await pool.start()
        try:
            yield
        finally:
            pool.close()

    app = Starlette(routes=[
        Route("/", page),
        Route("/api/diff", diff, methods=["POST"]),
        Route("/api/plot", plot, methods=["POST"]),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ], lifespan=lifespan)
    app.state.pool = pool
    app.add_middleware(Edge, hosts=names)
    return app

