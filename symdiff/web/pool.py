"""A pool of worker processes whose jobs can be abandoned: the web service's time limit.

A thread cannot be interrupted, and `concurrent.futures.ProcessPoolExecutor`
cannot kill one worker without breaking the others, so each worker here is
its own process on its own pipe.  A job that outlives the time limit gets
its worker killed and replaced; the other workers keep answering.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
from multiprocessing.connection import Connection
from typing import Any

MEMORY_LIMIT = 3 << 30  # bytes of address space per worker: a runaway job fails, the machine does not


class TooExpensive(Exception):
    """The job ran past the time limit (or out of memory) and was abandoned."""


def _worker_main(conn: Connection) -> None:
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    except (ImportError, ValueError, OSError):
        pass
    from . import work

    work.warm_up()
    conn.send("ready")
    while True:
        try:
            job = conn.recv()
        except EOFError:
            return
        try:
            reply: Any = work.run_job(*job)
        except MemoryError:
            reply = "memory"
        except Exception as exc:  # a bug, not bad input: report it without a traceback
            reply = (500, {"error": f"internal error: {type(exc).__name__}: {exc}"})
        conn.send(reply)


class Worker:
    def __init__(self, context: Any) -> None:
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_worker_main, args=(child,), daemon=True)
        self.process.start()
        child.close()

    def wait_ready(self) -> None:
        if self.conn.recv() != "ready":
            raise RuntimeError("worker failed to start")

    def kill(self) -> None:
        self.process.kill()
        self.process.join()
        self.conn.close()


class WorkerPool:
    """`size` worker processes; `await pool.run(kind, request)` -> (status, body)."""

    def __init__(self, size: int, time_limit: float) -> None:
        self.size = size
        self.time_limit = time_limit
        self._context = multiprocessing.get_context("spawn")  # no fork of a threaded server
        self._idle: asyncio.Queue[Worker] = asyncio.Queue()
        self._all: set[Worker] = set()
        self._starting: set[asyncio.Future[None]] = set()

    def _new_worker(self) -> Worker:
        worker = Worker(self._context)
        self._all.add(worker)
        worker.wait_ready()
        return worker

    async def _add_worker(self) -> None:
        worker = await asyncio.get_running_loop().run_in_executor(None, self._new_worker)
        self._idle.put_nowait(worker)

    async def start(self) -> None:
        await asyncio.gather(*(self._add_worker() for _ in range(self.size)))

    async def run(self, kind: str, request: Any) -> tuple[int, dict[str, Any]]:
        worker = await self._idle.get()
        loop = asyncio.get_running_loop()
        reply: Any = "cancelled"
        try:
            worker.conn.send((kind, request))
            done = await loop.run_in_executor(None, worker.conn.poll, self.time_limit)
            reply = worker.conn.recv() if done else "timeout"
        except (EOFError, OSError):
            reply = "died"
        finally:
            # A worker goes back only with its reply read; any other way out
            # (time limit, death, cancellation) it is killed and replaced.
            if isinstance(reply, tuple):
                self._idle.put_nowait(worker)
            else:
                self._retire(worker)
                task = asyncio.ensure_future(self._add_worker())
                self._starting.add(task)
                task.add_done_callback(self._starting.discard)
        if isinstance(reply, tuple):
            return reply
        if reply == "died":
            return 500, {"error": "internal error: the worker process died"}
        raise TooExpensive("memory" if reply == "memory" else "time")

    @property
    def idle(self) -> int:
        """Workers started and waiting for a job (fewer while a killed one is replaced)."""
        return self._idle.qsize()

    def _retire(self, worker: Worker) -> None:
        self._all.discard(worker)
        worker.kill()

    def close(self) -> None:
        for worker in list(self._all):
            self._retire(worker)


def default_size() -> int:
    """Two workers at least (one slow job must not block the rest), at most four."""
    return max(2, min(4, os.cpu_count() or 2))
