"""The Starlette application: the page, its static files and the JSON API.

Each request's body is capped before it is read in full, checked in the
server, then handed to a worker process under the time limit
(`symdiff.web.pool`), so one expensive derivative never stalls the rest.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from . import BODY_LIMIT, TIME_LIMIT
from .pool import TooExpensive, WorkerPool, default_size
from .work import BadRequest, read_request

STATIC = Path(__file__).parent / "static"
HEADERS = {
    # The page loads nothing from elsewhere; the plot is an <img> of inline SVG.
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
}


DRAIN_LIMIT = 16 << 20  # bytes of an oversized body read and dropped before answering 413


class TooLarge(Exception):
    pass


async def read_body(request: Request, limit: int) -> bytes:
    """The body, refusing anything over `limit` bytes (kept in memory: at most `limit`)."""
    length = request.headers.get("content-length")
    too_large = length is not None and (not length.isdigit() or int(length) > limit)
    body = bytearray()
    seen = 0
    async for chunk in request.stream():
        seen += len(chunk)
        if seen > limit:
            too_large = True
        if too_large:
            # Read on, discarding, so the client gets the 413 instead of a reset
            # connection; a body past DRAIN_LIMIT is cut off there.
            if seen > DRAIN_LIMIT:
                break
            continue
        body += chunk
    if too_large:
        raise TooLarge
    return bytes(body)


def create_app(time_limit: float = TIME_LIMIT, body_limit: int = BODY_LIMIT,
               workers: int | None = None) -> Starlette:
    """The web application; its worker processes start and stop with its lifespan."""
    pool = WorkerPool(workers or default_size(), time_limit)

    async def api(request: Request, kind: str) -> Response:
        try:
            body = await read_body(request, body_limit)
        except TooLarge:
            return JSONResponse({"error": f"request body too large: the limit is {body_limit} bytes"},
                                413, headers={"Connection": "close"})
        try:
            payload: Any = json.loads(body or b"null")
        except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as err:  # [[[[...: too deep
            line, column = getattr(err, "lineno", None), getattr(err, "colno", None)
            return JSONResponse({"error": f"the body is not JSON: {getattr(err, 'msg', err)}",
                                 "line": line, "column": column, "field": "body"}, 400)
        try:
            job = read_request(payload)
        except BadRequest as err:
            return JSONResponse(err.body, 400)
        try:
            status, reply = await pool.run(kind, job)
        except TooExpensive as err:
            what = "memory" if str(err) == "memory" else f"more than {time_limit:g} s"
            return JSONResponse({"error": f"too expensive: the work needed {what} (the server's limit)"}, 422)
        return JSONResponse(reply, status)

    async def diff(request: Request) -> Response:
        return await api(request, "diff")

    async def plot(request: Request) -> Response:
        return await api(request, "plot")

    async def page(request: Request) -> Response:
        return FileResponse(STATIC / "index.html", headers=HEADERS)

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
    return app
