"""Load on `symdiff serve`: many concurrent requests, and cheap ones beside an expensive one.

    pip install -e '.[test]' && python benchmarks/web_load.py [--concurrent 200]

Starts the server in a fresh process on a free port (default time limit), then
1. sends N requests at once (a mix of textbook derivatives, a parse error and
   the article's formula (2) with its substitution) and counts errors;
2. starts one expensive request (the 100th derivative of x^x) and, while it
   runs, sends cheap requests one after another, timing each;
3. sends a 1 MB body and times the 413.
Prints the figures; exits 1 if any request failed.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import time

import httpx2 as httpx

F2 = r"\ - \frac{1}{N} \sum_{i}^{N} \lbrack t_{i} \log y_{i} + (1- t_{i}) \log (1- y_{i}) \rbrack \tag{2}"
CHEAP = [
    ({"expr": "log_2(x)"}, 200), ({"expr": "x^x", "lang": "ja"}, 200),
    ({"expr": "sigmoid(w*x+b)", "wrt": "w"}, 200), ({"expr": "sin(x)^2*cos(x)"}, 200),
    ({"expr": "x +* 2"}, 400), ({"expr": F2, "wrt": "z_j", "where": ["y_i = sigmoid(z_i)"]}, 200),
]
EXPENSIVE = {"expr": "x^x", "order": 100}


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


async def main(concurrent: int, cheap_during: int) -> int:
    proc, url = start_server()
    failures = 0
    try:
        limits = httpx.Limits(max_connections=concurrent + 10)
        async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as client:
            await client.get("")  # the workers are up
            await client.post("api/diff", json={"expr": "x"})

            jobs = [CHEAP[k % len(CHEAP)] for k in range(concurrent)]
            started = time.perf_counter()
            results = await asyncio.gather(*(timed(client, b, s) for b, s in jobs))
            wall = time.perf_counter() - started
            bad = [r for r in results if not r[1]]
            failures += len(bad)
            print(f"{concurrent} concurrent requests: {len(results) - len(bad)} as expected, "
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
            print(f"expensive request (100th derivative of x^x): status {slow_status} after {slow_latency:.2f} s; "
                  f"{len(cheap)} cheap requests meanwhile: {summary(cheap)}")

            started = time.perf_counter()
            r = await client.post("api/diff", content=b'{"expr": "' + b"x" * (1 << 20) + b'"}',
                                  headers={"Content-Type": "application/json"})
            failures += r.status_code != 413
            print(f"1 MB body: status {r.status_code} after {(time.perf_counter() - started) * 1000:.0f} ms")
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    return 1 if failures else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrent", type=int, default=200)
    parser.add_argument("--cheap-during", type=int, default=200, help="cap on cheap requests during the slow one")
    args = parser.parse_args()
    sys.exit(asyncio.run(main(args.concurrent, args.cheap_during)))
