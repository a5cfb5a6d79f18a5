"""`symdiff serve`: a local web page for derivatives, and the JSON API behind it.

Needs the `[web]` extra (Starlette and uvicorn).  `create_app` is in
`symdiff.web.app`, the work done per request in `symdiff.web.work`, the
time limit's worker processes in `symdiff.web.pool`, the page in `static/`.
"""

from __future__ import annotations

import socket
import sys

from typing import Any

__all__ = ["BODY_LIMIT", "TIME_LIMIT", "create_app", "serve"]

BODY_LIMIT = 64 * 1024  # bytes of request body; beyond it, 413
TIME_LIMIT = 5.0  # seconds of work per request; beyond it, 422 "too expensive"


def create_app(*args: Any, **kwargs: Any) -> Any:
    """The Starlette application (see `symdiff.web.app.create_app`)."""
    from .app import create_app as make  # Starlette loads here, not in the worker processes

    return make(*args, **kwargs)


def serve(host: str = "127.0.0.1", port: int = 8000, time_limit: float = TIME_LIMIT) -> None:
    """Serve the page until interrupted; prints the URL first (`port=0` picks a free port)."""
    import uvicorn

    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)  # connections wait in the backlog while the workers start
    port = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    print(f"symdiff: serving on http://{shown}:{port}/ (Ctrl+C to stop)", flush=True)
    config = uvicorn.Config(create_app(time_limit=time_limit), log_level="warning")
    try:
        uvicorn.Server(config).run(sockets=[sock])
    except KeyboardInterrupt:
        pass
    finally:
        sock.close()
        sys.stdout.flush()
