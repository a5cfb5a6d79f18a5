"""What the matrix tests share: symdiff's derivative of a corpus case, the
case's random values for a draw, and the comparison with the oracle.
(`matrix_corpus` stays independent of symdiff; this module calls it.)"""

from __future__ import annotations

from typing import Any

import numpy as np

import symdiff
from support.matrix_corpus import Case, draw_sizes, draw_values, rng_for

TOL = 1e-5  # as the oracle's own test (float64)


def derivative(case: Case) -> Any:
    """symdiff's gradient, Jacobian or Hessian of the case, as its `kind` says."""
    call = {"gradient": symdiff.diff, "jacobian": symdiff.jacobian, "hessian": symdiff.hessian}[case.kind]
    return call(case.text, case.wrt, shapes=case.shapes, symmetric=case.symmetric)


def case_values(case: Case, draw: int) -> dict[str, Any]:
    """The case's values for one draw; draw 0 gives every dimension a different size."""
    rng = rng_for(case, draw)
    return draw_values(case, draw_sizes(case, rng, distinct=draw == 0), rng)


def close(got: Any, want: Any) -> bool:
    """Same shape and equal within TOL, relative to the size of `want`."""
    got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    scale = max(float(np.max(np.abs(want))), 1e-12)
    return got.shape == want.shape and bool(np.allclose(got, want, rtol=TOL, atol=TOL * scale))
