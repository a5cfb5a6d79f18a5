"""The worker processes behind the API: a fair, bounded queue with one deadline per request.

A thread cannot be interrupted, so each job runs in a worker process of its
own, on its own pipe, and is stopped by killing that process.  Workers are
forked from a fork server that has already imported symdiff and built its
parsers, so a replacement is ready in tens of milliseconds and killing one
is cheap: the pool kills a worker whenever its job's deadline passes, its
client goes away, or a client holding more than its share of the workers
keeps another waiting.

Every job has one deadline, set when its request arrived; waiting in the
queue counts against it.  The queue is bounded, in all and per client, and
workers are handed out round-robin between clients, so one client's burst
queues behind its own requests, not in front of everyone's.  The pool
returns to its size on its own: a failed start is retried with back-off,
and while no worker is alive every job is refused at once.
"""

from __future__ import annotations

import asyncio
import logging
import math
import multiprocessing
import os
import signal
from collections import deque
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

from .limits import CLIENT_QUEUE_LIMIT, QUEUE_LIMIT
from .work import Reply

MEMORY_LIMIT = 3 << 30  # bytes of address space per worker: a runaway job fails, the machine does not
START_TIMEOUT = 60.0  # seconds for a new worker to say it is ready
BACKOFF = (0.05, 5.0)  # seconds before retrying a failed start: first, and most
SHARE_OF_RUN = 0.5  # a job stopped at its deadline after running this share of the time limit: too expensive

log = logging.getLogger("symdiff.web")


class Refused(Exception):
    """The pool cannot take or finish the job; answered 503 with `retry_after` seconds."""

    def __init__(self, reason: str, retry_after: float) -> None:
        super().__init__(reason)
        self.retry_after = max(1, math.ceil(retry_after))


class TooExpensive(Exception):
    """The job ran out of time (or memory, `str(err) == "memory"`) and was stopped."""


class WorkerLost(Exception):
    """The job's worker died under it twice: the job itself kills workers."""


def _worker_main(conn: Connection) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is the server's to handle: it kills us
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    except (ImportError, ValueError, OSError):
        pass
    from . import work

    work.warm_up()  # done already in the fork server; a spawned worker pays for it here
    conn.send("ready")
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        try:
            reply: Any = work.run_job(*job)
        except MemoryError:
            reply = "memory"
        except Exception as exc:  # a bug, not bad input: report it without a traceback
            reply = (500, {"error": f"internal error: {type(exc).__name__}: {exc}"})
        conn.send(reply)


def _context() -> Any:
    """Fork workers from a server that has imported symdiff and warmed up
    (`symdiff.web.warm`); spawn them where there is no fork server."""
    try:
        context = multiprocessing.get_context("forkserver")
    except ValueError:
        return multiprocessing.get_context("spawn")
    context.set_forkserver_preload(["symdiff.web.warm"])
    return context


class Worker:
    def __init__(self, context: Any) -> None:
        self.conn, child = context.Pipe()
        try:
            self.process = context.Process(target=_worker_main, args=(child,), daemon=True)
            self.process.start()
        except BaseException:
            self.conn.close()
            raise
        finally:
            child.close()
        self.job: Job | None = None
        self.ready = False

    @property
    def pid(self) -> int | None:
        return self.process.pid  # type: ignore[no-any-return]

    def kill(self) -> None:
        try:
            self.process.kill()
            self.process.join(1)
        except (OSError, ValueError, AssertionError):
            pass
        self.conn.close()


@dataclass(eq=False)
class Job:
    kind: str
    request: Any
    client: str
    deadline: float  # on the event loop's clock
    future: asyncio.Future[Reply]
    worker: Worker | None = None
    started: float = 0.0
    tries: int = 0
    timer: asyncio.TimerHandle | None = field(default=None, repr=False)


class WorkerPool:
    """`size` worker processes; `await pool.run(kind, request, client, deadline)` -> (status, body).

    `queue` bounds the jobs waiting in all, `per_client` those of one client.
    """

    def __init__(self, size: int, time_limit: float, queue: int = QUEUE_LIMIT,
                 per_client: int = CLIENT_QUEUE_LIMIT) -> None:
        self.size = size
        self.time_limit = time_limit
        self.queue_limit = queue
        self.client_limit = per_client
        self._context = _context()
        self._workers: set[Worker] = set()
        self._idle: list[Worker] = []
        self._waiting: dict[str, deque[Job]] = {}  # by client, in arrival order; clients served in turn
        self._running: dict[str, int] = {}
        self._starting = 0
        self._failures = 0  # failed starts in a row
        self._retry: asyncio.TimerHandle | None = None
        self._closed = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self.started_workers = 0  # all-time count, for tests and logs

    # -- size ---------------------------------------------------------------

    async def start(self) -> None:
        """Start the workers; returns once one is ready (or every start failed)."""
        self._loop = asyncio.get_running_loop()
        self._replenish()
        while not self._idle and self._starting and not self._closed:
            await asyncio.sleep(0.02)

    def _replenish(self) -> None:
        if self._closed or self._retry is not None:
            return
        while len(self._workers) + self._starting < self.size:
            self._starting += 1
            asyncio.ensure_future(self._start_one())

    async def _start_one(self) -> None:
        loop = asyncio.get_running_loop()
        worker: Worker | None = None
        try:
            # Starting may launch the fork server (a second or so): not on the event loop.
            worker = await loop.run_in_executor(None, Worker, self._context)
            ready: asyncio.Future[None] = loop.create_future()

            def readable() -> None:
                if not ready.done():
                    ready.set_result(None)
            loop.add_reader(worker.conn.fileno(), readable)
            try:
                await asyncio.wait_for(ready, START_TIMEOUT)
            finally:
                loop.remove_reader(worker.conn.fileno())
            if worker.conn.recv() != "ready":
                raise RuntimeError("the worker did not start")
        except (Exception, asyncio.CancelledError) as err:
            self._starting -= 1
            if worker is not None:
                worker.kill()
            if isinstance(err, asyncio.CancelledError) or self._closed:
                return
            self._start_failed(err)
            return
        self._starting -= 1
        if self._closed:
            worker.kill()
            return
        if self._failures:
            log.warning("symdiff: worker started again after %d failed attempts", self._failures)
        self._failures = 0
        worker.ready = True
        self._workers.add(worker)
        self.started_workers += 1
        loop.add_reader(worker.conn.fileno(), self._on_readable, worker)
        self._idle.append(worker)
        self._dispatch()

    def _start_failed(self, err: BaseException) -> None:
        self._failures += 1
        delay = min(BACKOFF[1], BACKOFF[0] * 2 ** (self._failures - 1))
        log.warning("symdiff: a worker failed to start (%s: %s); retrying in %.2g s (%d workers of %d alive)",
                    type(err).__name__, err, delay, len(self._workers), self.size)
        if not self._workers:  # nobody left to answer: refuse what waits rather than let it hang
            for jobs in self._waiting.values():
                for job in jobs:
                    self._finish(job, error=Refused("no worker is running (the server cannot start one)", delay))
            self._waiting.clear()
        if self._retry is None and self._loop is not None:
            def retry() -> None:
                self._retry = None
                self._replenish()
            self._retry = self._loop.call_later(delay, retry)

    def _remove(self, worker: Worker) -> None:
        """Take `worker` out of the pool, kill it and start its replacement."""
        if worker not in self._workers:
            return
        self._workers.discard(worker)
        if worker in self._idle:
            self._idle.remove(worker)
        if self._loop is not None:
            self._loop.remove_reader(worker.conn.fileno())
        worker.kill()
        self._replenish()

    # -- jobs -----------------------------------------------------------------

    async def run(self, kind: str, request: Any, client: str = "", deadline: float | None = None) -> Reply:
        """The job's reply, or Refused (503), TooExpensive (422) or WorkerLost (500).

        Cancelling the caller (its client went away) withdraws the job,
        killing its worker if it had one.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.time_limit if deadline is None else deadline
        if self._closed:
            raise Refused("the server is stopping", 1)
        if not self._workers and self._failures:
            raise Refused("no worker is running (the server cannot start one)", self._retry_in())
        waiting = self._waiting.get(client)
        if sum(map(len, self._waiting.values())) >= self.queue_limit or (
                waiting is not None and len(waiting) >= self.client_limit):
            raise Refused("the server is busy", self.time_limit)
        job = Job(kind, request, client, deadline, loop.create_future())
        self._waiting.setdefault(client, deque()).append(job)
        job.timer = loop.call_at(deadline, self._expire, job)
        self._dispatch()
        try:
            return await job.future
        finally:
            self._finish(job)  # when cancelled (its client left): withdrawn, its worker killed

    def _retry_in(self) -> float:
        if self._retry is None or self._loop is None:
            return 1
        return max(0.0, self._retry.when() - self._loop.time())

    def _dispatch(self) -> None:
        """Hand idle workers to waiting jobs, one client at a time; take a worker
        back from a client holding more than one while another holds none."""
        while self._idle and self._waiting:
            # The client with the fewest jobs running goes first; ties in turn (dicts keep order).
            client = min(self._waiting, key=lambda c: self._running.get(c, 0))
            jobs = self._waiting.pop(client)
            job = jobs.popleft()
            if jobs:
                self._waiting[client] = jobs  # to the back of the line of clients
            worker = self._idle.pop()
            if worker.process.exitcode is not None:  # it died idle: not the job's fault, try another
                self._waiting.setdefault(client, deque()).appendleft(job)
                self._worker_lost(worker)
                return  # _worker_lost dispatched what could be
            self._send(worker, job)
        if self._waiting and not self._idle and not self._starting:
            starved = [c for c in self._waiting if not self._running.get(c)]
            greedy = max(self._running, key=lambda c: self._running[c], default=None)
            if starved and greedy is not None and self._running[greedy] > 1:
                # Its job that has run longest is the likeliest to end at its deadline anyway.
                victim = min((w.job for w in self._workers if w.job and w.job.client == greedy),
                             key=lambda j: j.started)
                self._unassign(victim)
                self._waiting.setdefault(greedy, deque()).appendleft(victim)

    def _send(self, worker: Worker, job: Job) -> None:
        assert self._loop is not None
        job.worker, job.started = worker, self._loop.time()
        worker.job = job
        self._running[job.client] = self._running.get(job.client, 0) + 1
        try:
            worker.conn.send((job.kind, job.request))
        except (OSError, ValueError):  # died while idle: the reader will see it; run the job elsewhere
            self._worker_lost(worker)

    def _unassign(self, job: Job) -> None:
        """Stop `job`'s run: its worker is killed and replaced."""
        worker = job.worker
        if worker is None:
            return
        self._release(job, worker)
        self._remove(worker)

    def _release(self, job: Job, worker: Worker) -> None:
        """`job` no longer runs on `worker`: its client holds one worker fewer."""
        job.worker = None
        worker.job = None
        self._running[job.client] -= 1
        if not self._running[job.client]:
            del self._running[job.client]

    def _on_readable(self, worker: Worker) -> None:
        try:
            reply = worker.conn.recv()
        except (EOFError, OSError):
            self._worker_lost(worker)
            return
        job = worker.job
        if job is None:  # a reply nobody waits for (the job was withdrawn as it finished)
            return
        self._release(job, worker)
        if isinstance(reply, tuple):
            self._idle.append(worker)
            self._finish(job, reply=reply)
        else:  # out of memory: the worker may be left in a poor state, replace it
            self._remove(worker)
            self._finish(job, error=TooExpensive("memory"))
        self._dispatch()

    def _worker_lost(self, worker: Worker) -> None:
        """The worker died without being asked to.  Its job (if any) is retried
        once on another worker: a worker killed while idle is not the job's fault."""
        job = worker.job
        if job is not None:
            self._unassign(job)  # removes the worker too
        else:
            self._remove(worker)
        code = worker.process.exitcode
        how = f"killed by signal {-code}" if code is not None and code < 0 else f"exit status {code}"
        log.warning("symdiff: worker %s died (%s); starting another", worker.pid, how)
        if job is not None:
            job.tries += 1
            if job.tries > 1:
                self._finish(job, error=WorkerLost("the work stopped its worker process twice"))
            else:
                self._waiting.setdefault(job.client, deque()).appendleft(job)
        self._dispatch()

    def _expire(self, job: Job) -> None:
        assert self._loop is not None
        ran = self._loop.time() - job.started if job.worker is not None else 0.0
        if ran >= SHARE_OF_RUN * self.time_limit:
            self._finish(job, error=TooExpensive("time"))
        else:
            self._finish(job, error=Refused("the server was too busy to finish it in time", self.time_limit))

    def _finish(self, job: Job, reply: Reply | None = None, error: Exception | None = None) -> None:
        """Settle `job`: withdraw it from the queue or from its worker, then answer
        (or cancel, given neither reply nor error).  Does nothing to a settled job."""
        if job.timer is not None:
            job.timer.cancel()
        jobs = self._waiting.get(job.client)
        if jobs is not None and job in jobs:
            jobs.remove(job)
            if not jobs:
                del self._waiting[job.client]
        if job.worker is not None:
            self._unassign(job)
        if not job.future.done():
            if error is not None:
                job.future.set_exception(error)
            elif reply is not None:
                job.future.set_result(reply)
            else:
                job.future.cancel()
        self._dispatch()

    # -- state ----------------------------------------------------------------

    @property
    def idle(self) -> int:
        """Workers started and waiting for a job."""
        return len(self._idle)

    @property
    def alive(self) -> int:
        """Workers started, idle or busy (fewer while a killed one is replaced)."""
        return len(self._workers)

    @property
    def waiting(self) -> int:
        return sum(map(len, self._waiting.values()))

    def pids(self) -> list[int]:
        return sorted(w.pid for w in self._workers if w.pid is not None)

    def close(self) -> None:
        """Refuse what waits, kill every worker, start no more."""
        self._closed = True
        if self._retry is not None:
            self._retry.cancel()
        for jobs in list(self._waiting.values()):
            for job in list(jobs):
                self._finish(job, error=Refused("the server is stopping", 1))
        for worker in list(self._workers):
            if worker.job is not None:
                self._finish(worker.job, error=Refused("the server is stopping", 1))
            self._remove(worker)


def default_size() -> int:
    """Two workers at least (one slow job must not block the rest), at most four."""
    return max(2, min(4, os.cpu_count() or 2))
