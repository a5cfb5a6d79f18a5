"""`python -m tests.fuzz [--long] [--seed N] [--trees N] [--strings N] [--typed N] [--cli N]`.

Short mode: a quick pass.  Long mode: 10,000 random trees, 10,000 strings
(each through parse, every public function and the CLI in process), 10,000
texts typed the way people type them (misreads counted; a quarter of those
with a variable also through `symdiff diff`) and 500 of the strings through
the CLI in a subprocess.  Exit status 1 on any failure.
"""

from __future__ import annotations

import argparse
import sys
import time

from .harness import CALL_LIMIT, have_sympy, run


def main() -> int:
    p = argparse.ArgumentParser(prog="python -m tests.fuzz")
    p.add_argument("--long", action="store_true", help="10^4 trees, strings and typed texts, 500 CLI subprocesses")
    p.add_argument("--seed", type=int, default=None, help="random seed (default: the time)")
    p.add_argument("--trees", type=int)
    p.add_argument("--strings", type=int)
    p.add_argument("--typed", type=int, help="texts typed the way people type them, each with its meaning")
    p.add_argument("--cli", type=int, help="strings also run through the CLI in a subprocess")
    p.add_argument("--limit", type=float, default=CALL_LIMIT, help="CPU seconds a call may take (default 2)")
    a = p.parse_args()
    seed = a.seed if a.seed is not None else int(time.time())
    trees = a.trees if a.trees is not None else (10_000 if a.long else 300)
    strings = a.strings if a.strings is not None else (10_000 if a.long else 300)
    typed = a.typed if a.typed is not None else (10_000 if a.long else 300)
    cli = a.cli if a.cli is not None else (500 if a.long else 5)
    print(f"fuzz: seed {seed}, {trees} trees, {strings} strings, {typed} typed texts, {cli} CLI subprocesses, "
          f"SymPy {'on' if have_sympy() else 'not installed'}, time limit {a.limit} s per call", flush=True)
    start = time.perf_counter()
    report = run(trees, strings, cli, seed=seed, progress=True, call_limit=a.limit, typed=typed)
    print(report.summary())
    print(f"took {time.perf_counter() - start:.0f} s")
    return 1 if report.failures() else 0


if __name__ == "__main__":
    sys.exit(main())
