"""Load and abuse on `symdiff serve`: throughput, expensive work, floods, abandoned and slow clients.

    pip install -e '.[test]' && python benchmarks/web_load.py [--concurrent 200] [--flood 20]

Starts the server in a fresh process on a free loopback port (default limits:
5 s per request, 2 to 4 workers), then
1. sends N requests at once (a mix of textbook derivatives, a parse error and
   the article's formula (2) with its substitution) and counts errors;
2. starts one expensive request (EXPENSIVE: about 7 s of CPU) and, while it
   runs, sends cheap requests one after another, timing each;
3. sends a 1 MB body and times the 413;
4. flood: F x the expensive request at once from 127.0.0.1, and
   another client (127.0.0.2) sending x^2 every 0.5 s meanwhile;
5. abandoned: 6 expensive requests closed by their client after 0.5 s, then
   one cheap request;
6. slow clients: 50 connections sending their headers a byte a second, a
   Content-Length of 99999999999 followed by 12 bytes, and 800 connections
   each holding back the last byte of a 60 KB body (64 are let in from one
   address), while another client sends x^2 every 0.5 s.
Prints cheap-request latencies (median and max) during each, how long
refusals took, and the memory of the server and its workers; exits 1 if any
request got an answer it should not have.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import socket
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx2 as httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from support.processes import children  # noqa: E402

F2 = r"\ - \frac{1}{N} \sum_{i}^{N} \lbrack t_{i} \log y_{i} + (1- t_{i}) \log (1- y_{i}) \rbrack \tag{2}"
CHEAP = [
    ({"expr": "log_2(x)"}, 200), ({"expr": "x^x", "lang": "ja"}, 200),
    ({"expr": "sigmoid(w*x+b)", "wrt": "w"}, 200), ({"expr": "sin(x)^2*cos(x)"}, 200),
    ({"expr": "x +* 2"}, 400), ({"expr": F2, "wrt": "z_j", "where": ["y_i = sigmoid(z_i)"]}, 200),
]
# About 7 s of CPU: common denominators of 299 terms, twice.  (High orders of x^x
# are refused within a second by the order pacing, so they no longer load a worker.)
EXPENSIVE = {"expr": " + ".join(f"1/(x^3 + {k})" for k in range(1, 300)), "order": 2}
EXPENSIVE_NAME = "second derivative of a 299-term sum of 1/(x^3 + k)"


def start_server() -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen([sys.executable, "-m", "symdiff", "serve", "--port", "0"],
                            stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    return proc, line.split("serving on ", 1)[1].split()[0]


async def timed(client: httpx.AsyncClient, body: dict, expected: int) -> tuple[float, bool, int]:
    started = time.perf_counter()
    try:
        r = await client.post("api/diff", json=body)
        data = r.json()
        ok = r.status_code == expected and (("error" in data) == (expected != 200))
        status = r.status_code
    except httpx.HTTPError:
        ok, status = False, 0
    return time.perf_counter() - started, ok, status


def summary(latencies: list[float]) -> str:
    ms = sorted(x * 1000 for x in latencies)
    p95 = ms[max(0, int(len(ms) * 0.95) - 1)]
    return f"median {statistics.median(ms):.0f} ms, p95 {p95:.0f} ms, max {ms[-1]:.0f} ms"


def memory(pid: int) -> float:
    """Megabytes of memory of `pid` and every process under it (the workers, the fork
    server): their proportional set sizes, so pages the workers share count once."""
    tree = children()
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        todo += tree.get(p, [])
        try:
            rollup = Path(f"/proc/{p}/smaps_rollup").read_text()
        except OSError:
            continue
        total += next(int(line.split()[1]) for line in rollup.splitlines() if line.startswith("Pss:"))
    return total / 1024


def post(port: int, body: dict, source: str = "127.0.0.1") -> tuple[int, float]:
    """(status, seconds) of one POST on a fresh connection from `source`; status 0 if refused."""
    started = time.perf_counter()
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=60, source_address=(source, 0))
    try:
        c.request("POST", "/api/diff", json.dumps(body), {"Content-Type": "application/json"})
        r = c.getresponse()
        r.read()
        return r.status, time.perf_counter() - started
    except OSError:
        return 0, time.perf_counter() - started
    finally:
        c.close()


def head(body: bytes, length: int | None = None) -> bytes:
    return (f"POST /api/diff HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body) if length is None else length}\r\n\r\n").encode() + body


def connect(port: int, data: bytes) -> socket.socket | None:
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=30)
        s.sendall(data)
        return s
    except OSError:
        return None


def first_status(s: socket.socket, timeout: float) -> int:
    s.settimeout(timeout)
    try:
        data = s.recv(4096)
    except OSError:
        return 0
    return int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/1.1 ") else 0


class Cheap(threading.Thread):
    """Another client (127.0.0.2) sending x^2 every `every` seconds until stopped."""

    def __init__(self, port: int, every: float = 0.5) -> None:
        super().__init__(daemon=True)
        self.port, self.every, self.done = port, every, threading.Event()
        self.results: list[tuple[int, float]] = []

    def run(self) -> None:
        while not self.done.is_set():
            self.results.append(post(self.port, {"expr": "x^2"}, "127.0.0.2"))
            self.done.wait(self.every)

    def stop(self) -> str:
        self.done.set()
        self.join()
        ok = [t for status, t in self.results if status == 200]
        failed = len(self.results) - len(ok)
        figures = summary(ok) if ok else "none answered"
        return f"{len(ok)} of {len(self.results)} cheap requests answered ({failed} not): {figures}"


def flood(port: int, count: int) -> int:
    cheap = Cheap(port)
    cheap.start()
    time.sleep(0.5)
    with ThreadPoolExecutor(count) as pool:
        results = list(pool.map(lambda _: post(port, EXPENSIVE), range(count)))
    time.sleep(0.5)
    print(f"flood of {count} x ({EXPENSIVE_NAME}): {cheap.stop()}")
    statuses = sorted({s for s, _ in results})
    for status in statuses:
        times = [t for s, t in results if s == status]
        print(f"  {len(times)} answered {status}: {summary(times)}")
    return sum(s not in (422, 503) for s, _ in results) + sum(s != 200 for s, _ in cheap.results)


def abandoned(port: int, count: int) -> int:
    sockets = [connect(port, head(json.dumps(EXPENSIVE).encode())) for _ in range(count)]
    time.sleep(0.5)
    for s in sockets:
        if s is not None:
            s.close()
    status, seconds = post(port, {"expr": "x^2"})
    print(f"{count} expensive requests abandoned after 0.5 s, then a cheap one: {status} in {seconds * 1000:.0f} ms")
    return status != 200


def slow_clients(port: int, pid: int, trickling: int, held: int) -> int:
    before = memory(pid)
    cheap = Cheap(port)
    cheap.start()
    started = time.perf_counter()
    request = head(b'{"expr": "x^2"}')
    slow = [s for s in (connect(port, request[:1]) for _ in range(trickling)) if s is not None]
    liar = connect(port, head(b'{"expr": "x"', length=99999999999))
    lied = time.perf_counter()
    liar_status = first_status(liar, 10) if liar else 0
    liar_time = time.perf_counter() - lied
    body = json.dumps({"expr": "x" * 60_000}).encode()
    holding = [connect(port, head(body)[:-1]) for _ in range(held)]
    peak = memory(pid)
    first = 0
    for k in range(1, 20):  # a byte a second until the server gives up on them
        for s in slow:
            try:
                s.send(request[k:k + 1])
            except OSError:
                pass
        time.sleep(1)
        peak = max(peak, memory(pid))
        first = first_status(slow[0], 0.001) if slow else 408
        if first:
            break
    trickle_time = time.perf_counter() - started
    statuses = [first] + [first_status(s, 2) for s in slow[1:]] if slow else []
    refused = sum(first_status(s, 0.2) == 503 for s in holding if s is not None)
    unconnected = sum(s is None for s in holding)
    for s in [*slow, *holding, liar]:
        if s is not None:
            s.close()
    print(f"slow clients: {cheap.stop()}")
    print(f"  {trickling} connections sending headers a byte a second: "
          f"{statuses.count(408)} got 408 after {trickle_time:.1f} s")
    print(f"  Content-Length 99999999999 then 12 bytes: {liar_status} in {liar_time * 1000:.0f} ms")
    print(f"  {held} connections holding back the last byte of 60 KB: {refused} refused 503 at once"
          f"{f', {unconnected} not connected' if unconnected else ''}")
    print(f"  memory of the server and its workers: {before:.0f} MB before, {peak:.0f} MB at the peak, "
          f"{memory(pid):.0f} MB after")
    return (sum(s != 200 for s, _ in cheap.results) + (liar_status != 413)
            + sum(s != 408 for s in statuses))


async def main(concurrent: int, cheap_during: int, flood_count: int) -> int:
    proc, url = start_server()
    port = int(url.rsplit(":", 1)[1].strip("/"))
    failures = 0
    try:
        limits = httpx.Limits(max_connections=32)  # a client's pool, as httpx's default has 100
        async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as client:
            await client.get("")  # the workers are up
            await client.post("api/diff", json={"expr": "x"})
            print(f"memory of the server and its workers at rest: {memory(proc.pid):.0f} MB")

            jobs = [CHEAP[k % len(CHEAP)] for k in range(concurrent)]
            started = time.perf_counter()
            results = await asyncio.gather(*(timed(client, b, s) for b, s in jobs))
            wall = time.perf_counter() - started
            bad = [r for r in results if not r[1]]
            failures += len(bad)
            print(f"{concurrent} concurrent requests (over 32 connections): {len(results) - len(bad)} as expected, "
                  f"{len(bad)} failed, {wall:.2f} s in all ({concurrent / wall:.0f} req/s); "
                  f"{summary([r[0] for r in results])}")

            slow = asyncio.create_task(timed(client, EXPENSIVE, 422))
            await asyncio.sleep(0.2)
            cheap: list[float] = []
            while not slow.done() and len(cheap) < cheap_during:
                latency, ok, _ = await timed(client, *CHEAP[len(cheap) % len(CHEAP)])
                failures += not ok
                cheap.append(latency)
            slow_latency, slow_ok, slow_status = await slow
            failures += not slow_ok
            print(f"expensive request ({EXPENSIVE_NAME}): status {slow_status} after {slow_latency:.2f} s; "
                  f"{len(cheap)} cheap requests meanwhile: {summary(cheap)}")

            started = time.perf_counter()
            r = await client.post("api/diff", content=b'{"expr": "' + b"x" * (1 << 20) + b'"}',
                                  headers={"Content-Type": "application/json"})
            failures += r.status_code != 413
            print(f"1 MB body: status {r.status_code} after {(time.perf_counter() - started) * 1000:.0f} ms")
        loop = asyncio.get_running_loop()
        failures += await loop.run_in_executor(None, flood, port, flood_count)
        failures += await loop.run_in_executor(None, abandoned, port, 6)
        failures += await loop.run_in_executor(None, slow_clients, port, proc.pid, 50, 800)
        print(f"memory of the server and its workers at the end: {memory(proc.pid):.0f} MB")
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    return 1 if failures else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrent", type=int, default=200)
    parser.add_argument("--cheap-during", type=int, default=200, help="cap on cheap requests during the slow one")
    parser.add_argument("--flood", type=int, default=20, help="expensive requests sent at once")
    args = parser.parse_args()
    sys.exit(asyncio.run(main(args.concurrent, args.cheap_during, args.flood)))
