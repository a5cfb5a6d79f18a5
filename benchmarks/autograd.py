"""symdiff's generated torch gradient against torch.autograd, on CPU, in one process.

    pip install -e '.[bench]' torch && python benchmarks/autograd.py [--quick]

The loss is binary cross-entropy with logits over N = 10^6 elements,

    L = -(1/N) sum_i [t_i ln(sigmoid(z_i)) + (1 - t_i) ln(1 - sigmoid(z_i))],

differentiated by z_j with symdiff and lambdified for torch; autograd runs the
forward and backward pass of the same loss written with torch's own stable
`binary_cross_entropy_with_logits`.  Both gradients are checked against each
other first.  Times are medians of repeats that take turns (ours, then
autograd), so bursts of load on a shared machine hit both alike; the ratio is
symdiff / autograd (below 1: symdiff is faster).  Rows for matrix losses
(softmax cross-entropy of X W, a 2-layer MLP) wait for matrices.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
import warnings

import torch

import symdiff

BCE = r"-\frac{1}{N} \sum_{i}^{N} \left[ t_i \ln \sigma(z_i) + (1 - t_i) \ln(1 - \sigma(z_i)) \right]"


def interleaved(fns: list, repeat: int) -> list[float]:
    """Median wall time of each function, the functions taking turns."""
    times: list[list[float]] = [[] for _ in fns]
    for _ in range(repeat):
        for k, fn in enumerate(fns):
            start = time.perf_counter()
            fn()
            times[k].append(time.perf_counter() - start)
    return [statistics.median(t) for t in times]


def bce_with_logits(n: int, repeat: int) -> tuple[float, float, str]:
    with warnings.catch_warnings():  # the note that 1 <= j <= N is assumed
        warnings.simplefilter("ignore")
        gradient = symdiff.diff(BCE, "z_j")
    grad = symdiff.lambdify(gradient, ["t", "z", "N"], backend="torch")
    gen = torch.Generator().manual_seed(0)
    z = torch.randn(n, dtype=torch.float64, generator=gen) * 4
    t = (torch.rand(n, dtype=torch.float64, generator=gen) < 0.5).to(torch.float64)

    def ours() -> torch.Tensor:
        return grad(t, z, n)

    def autograd() -> torch.Tensor:
        w = z.detach().requires_grad_(True)
        loss = torch.nn.functional.binary_cross_entropy_with_logits(w, t)  # mean over the N elements
        loss.backward()
        return w.grad

    torch.testing.assert_close(ours(), autograd(), rtol=1e-10, atol=1e-15)
    a, b = interleaved([ours, autograd], repeat)
    return a, b, str(gradient)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    args = parser.parse_args()
    torch.set_num_threads(1)  # one core each, as the comparison runs on a shared 2-core machine
    repeat = 11 if args.quick else 41
    n = 10**6
    ours, theirs, form = bce_with_logits(n, repeat)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"torch {torch.__version__}, symdiff {symdiff.__version__}, 1 thread, load average {load}")
    print()
    print("| workload | symdiff (generated torch) | torch.autograd (forward + backward) | ratio |")
    print("|---|---|---|---|")
    print(f"| BCE with logits, dL/dz_j, N = 10^6 (`{form}`) | {ours * 1e3:.2f} ms | {theirs * 1e3:.2f} ms "
          f"| {ours / theirs:.2f} (goal <= 0.5) |")
    print("| softmax cross-entropy of X W by W (N=4096, D=512, K=100) | - | - | needs matrices (goal <= 1.1) |")
    print("| 2-layer MLP, gradient by each weight matrix | - | - | needs matrices (goal <= 1.1) |")


if __name__ == "__main__":
    main()
