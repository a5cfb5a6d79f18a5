"""`symdiff serve`: a local web page for derivatives, and the JSON API behind it.

Needs the `[web]` extra (Starlette and uvicorn).  `create_app` is in
`symdiff.web.app`, the work done per request in `symdiff.web.work`, the
worker processes and their queue in `symdiff.web.pool`, the server's
configuration in `symdiff.web.server`, the page in `static/`.
"""

from __future__ import annotations

from typing import Any

__all__ = ["BODY_LIMIT", "CLIENT_CONNECTION_LIMIT", "CLIENT_QUEUE_LIMIT", "CONNECTION_LIMIT", "QUEUE_LIMIT",
           "READ_TIMEOUT", "TIME_LIMIT", "create_app", "serve"]

BODY_LIMIT = 64 * 1024  # bytes of request body; beyond it, 413
TIME_LIMIT = 5.0  # seconds from a request's arrival to its answer, waiting included; beyond it, 422 or 503
READ_TIMEOUT = 10.0  # seconds for a request's headers, and again for its body, to arrive; beyond it, 408
CONNECTION_LIMIT = 512  # open connections; beyond it, 503 before reading
CLIENT_CONNECTION_LIMIT = 64  # open connections from one address; beyond it, 503 before reading
QUEUE_LIMIT = 128  # requests waiting for a worker; beyond it, 503
CLIENT_QUEUE_LIMIT = 32  # requests from one address waiting for a worker; beyond it, 503


def create_app(*args: Any, **kwargs: Any) -> Any:
    """The Starlette application (see `symdiff.web.app.create_app`)."""
    from .app import create_app as make  # Starlette loads here, not in the worker processes

    return make(*args, **kwargs)


def serve(*args: Any, **kwargs: Any) -> None:
    """Serve the page until interrupted (see `symdiff.web.server.serve`)."""
    from .server import serve as run

    run(*args, **kwargs)
