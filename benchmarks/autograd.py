"""symdiff's generated torch gradient against torch.autograd, on CPU, in one process.

    pip install -e '.[bench]' torch && python benchmarks/autograd.py [--quick]

The losses, each differentiated with symdiff and lambdified for torch, against
autograd's forward and backward pass of the same loss written with torch's own
stable functions:

- binary cross-entropy with logits over N = 10^6 elements,
  L = -(1/N) sum_i [t_i ln(sigmoid(z_i)) + (1 - t_i) ln(1 - sigmoid(z_i))],
  by z_j (index form; torch's `binary_cross_entropy_with_logits`);
- softmax cross-entropy of X W by W (matrix form, N = 4096, D = 512, K = 100),
  (sum(logsumexp(X*W)) - tr(T^T*X*W))/N with T one-hot (torch's `cross_entropy`);
- a 2-layer MLP, tanh hidden layer (H = 256) and softmax cross-entropy, by both
  weight matrices at once (one generated function returning both gradients,
  `tanh(X W)` and `softmax(tanh(X W) V) - T` computed once).

Both gradients are checked against each other first.  Times are medians of
repeats that take turns (ours, then autograd), so bursts of load on a shared
machine hit both alike; the ratio is symdiff / autograd (below 1: symdiff is
faster).
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
SOFTMAX_CE = "(sum(logsumexp(X*W)) - tr(T^T*X*W))/N"
MLP = "(sum(logsumexp(tanh(X*W)*V)) - tr(T^T*tanh(X*W)*V))/N"


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


def classes(n: int, k: int, gen: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """Labels and their one-hot matrix T."""
    labels = torch.randint(0, k, (n,), generator=gen)
    return labels, torch.nn.functional.one_hot(labels, k).to(torch.float64)


def softmax_cross_entropy(n: int, d: int, k: int, repeat: int) -> tuple[float, float, str, str]:
    shapes = {"X": ("n", "d"), "W": ("d", "k"), "T": ("n", "k"), "N": ()}
    gradient = symdiff.diff(SOFTMAX_CE, "W", shapes=shapes)
    grad = symdiff.lambdify(gradient, ["X", "W", "T", "N"], backend="torch", shapes=shapes)
    gen = torch.Generator().manual_seed(0)
    X = torch.randn(n, d, dtype=torch.float64, generator=gen)
    W = torch.randn(d, k, dtype=torch.float64, generator=gen) * 0.1
    labels, T = classes(n, k, gen)

    def ours() -> torch.Tensor:
        return grad(X, W, T, n)

    def autograd() -> torch.Tensor:
        w = W.detach().requires_grad_(True)
        torch.nn.functional.cross_entropy(X @ w, labels).backward()  # the mean over the N rows
        return w.grad

    torch.testing.assert_close(ours(), autograd(), rtol=1e-10, atol=1e-14)
    a, b = interleaved([ours, autograd], repeat)
    return a, b, str(gradient), grad.source


def mlp(n: int, d: int, h: int, k: int, repeat: int) -> tuple[float, float, str, str]:
    shapes = {"X": ("n", "d"), "W": ("d", "h"), "V": ("h", "k"), "T": ("n", "k"), "N": ()}
    gradients = symdiff.gradient(MLP, ["W", "V"], shapes=shapes)
    grad = symdiff.lambdify(list(gradients.values()), ["X", "W", "V", "T", "N"], backend="torch", shapes=shapes)
    gen = torch.Generator().manual_seed(1)
    X = torch.randn(n, d, dtype=torch.float64, generator=gen)
    W = torch.randn(d, h, dtype=torch.float64, generator=gen) / d**0.5
    V = torch.randn(h, k, dtype=torch.float64, generator=gen) / h**0.5
    labels, T = classes(n, k, gen)

    def ours() -> tuple[torch.Tensor, torch.Tensor]:
        return grad(X, W, V, T, n)

    def autograd() -> tuple[torch.Tensor, torch.Tensor]:
        w, v = W.detach().requires_grad_(True), V.detach().requires_grad_(True)
        torch.nn.functional.cross_entropy(torch.tanh(X @ w) @ v, labels).backward()
        return w.grad, v.grad

    torch.testing.assert_close(ours(), autograd(), rtol=1e-10, atol=1e-14)
    a, b = interleaved([ours, autograd], repeat)
    form = "; ".join(f"by {name}: `{g}`" for name, g in gradients.items())
    return a, b, form, grad.source


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    parser.add_argument("--source", action="store_true", help="print the generated functions too")
    args = parser.parse_args()
    torch.set_num_threads(1)  # one core each, as the comparison runs on a shared 2-core machine
    repeat = 11 if args.quick else 41
    n = 10**6
    ours, theirs, form = bce_with_logits(n, repeat)
    soft = softmax_cross_entropy(4096, 512, 100, repeat)
    net = mlp(4096, 512, 256, 100, repeat)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"torch {torch.__version__}, symdiff {symdiff.__version__}, 1 thread, load average {load}")
    print()
    print("| workload | symdiff (generated torch) | torch.autograd (forward + backward) | ratio |")
    print("|---|---|---|---|")
    print(f"| BCE with logits, dL/dz_j, N = 10^6 (`{form}`) | {ours * 1e3:.2f} ms | {theirs * 1e3:.2f} ms "
          f"| {ours / theirs:.2f} (goal <= 0.5) |")
    print(f"| softmax cross-entropy of X W by W, N=4096, D=512, K=100 (`{soft[2]}`) | {soft[0] * 1e3:.1f} ms "
          f"| {soft[1] * 1e3:.1f} ms | {soft[0] / soft[1]:.2f} (goal <= 1.1) |")
    print(f"| 2-layer tanh MLP, softmax cross-entropy, by W and V at once, N=4096, D=512, H=256, K=100 "
          f"({net[2]}) | {net[0] * 1e3:.1f} ms | {net[1] * 1e3:.1f} ms | {net[0] / net[1]:.2f} (goal <= 1.1) |")
    if args.source:
        for source in (soft[3], net[3]):
            print()
            print(source)


if __name__ == "__main__":
    main()
