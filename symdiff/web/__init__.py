"""`symdiff serve`: a local web page for derivatives, and the JSON API behind it.

Needs the `[web]` extra (Starlette and uvicorn).  `create_app` is in
`symdiff.web.app`, the work done per request in `symdiff.web.work`, the
worker processes and their queue in `symdiff.web.pool`, the server's
configuration in `symdiff.web.server`, its limits in `symdiff.web.limits`,
the page in `static/`.
"""

from __future__ import annotations

from typing import Any

from .limits import (BODY_LIMIT, CLIENT_CONNECTION_LIMIT, CLIENT_QUEUE_LIMIT, CONNECTION_LIMIT, QUEUE_LIMIT,
                     READ_TIMEOUT, TIME_LIMIT)

__all__ = ["BODY_LIMIT", "CLIENT_CONNECTION_LIMIT", "CLIENT_QUEUE_LIMIT", "CONNECTION_LIMIT", "QUEUE_LIMIT",
           "READ_TIMEOUT", "TIME_LIMIT", "create_app", "serve"]


def create_app(*args: Any, **kwargs: Any) -> Any:
    """The Starlette application (see `symdiff.web.app.create_app`)."""
    from .app import create_app as make  # Starlette loads here, not in the worker processes

    return make(*args, **kwargs)


def serve(*args: Any, **kwargs: Any) -> None:
    """Serve the page until interrupted (see `symdiff.web.server.serve`)."""
    from .server import serve as run

    run(*args, **kwargs)
