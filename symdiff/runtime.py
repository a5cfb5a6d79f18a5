"""Run-time helpers for generated code: stable forms and functions a backend lacks.

`symdiff.codegen` copies the source of each helper a function uses into the
generated text (so the text runs without symdiff installed); `lambdify`
executes that same text.  Names are `_<backend>_<function>`: a row of
`symdiff.functions` lists its helpers in its `helpers` column; the others are
structural forms (`logsumexp`, `logsumexp_last`, `real`) codegen asks for by
name.  Each helper is self-contained: it uses only its backend's module
(`np`, `math`, `torch`, `jnp`/`jax`) and its arguments.

Stable by construction: no helper overflows where the true value is a
finite float (sigmoid(-800) is 0, softplus(800) is 800, log-sum-exp of
(1000, 1000) is 1000 + ln 2).

Vectors and matrices: the generated function takes a vector as a 1-D array
and works on it as a column (`_np_column`), checks that the arguments' sizes
agree with the declared dimensions (`_check_sizes`), and returns a vector
1-D again.
"""

from __future__ import annotations

import math


def _whole(n):
    """A sum bound or an index as an int; 2.5 is refused rather than truncated."""
    k = int(n)
    if k != n:
        raise ValueError(f"a sum bound or index must be a whole number, not {n!r}")
    return k


def _position(k):
    """Where x_k sits in an array: k - 1, since indices count from 1; x_0 is refused
    rather than read as the last entry."""
    p = int(k)
    if p != k or p < 1:
        raise IndexError(f"no entry {k!r}: indices are whole numbers from 1")
    return p - 1


def _check_sizes(*declared):
    """Each (argument, its shape, its declared dimensions): one size per dimension
    name, else ValueError (broadcasting would quietly give a wrong shape)."""
    sizes = {}
    for name, shape, dims in declared:
        if len(shape) != len(dims):
            raise ValueError(f"{name} has shape {tuple(shape)}, not {len(dims)} dimensions")
        for dim, size in zip(dims, shape):
            known = sizes.setdefault(dim, size) if isinstance(dim, str) else dim
            if known != size:
                raise ValueError(f"{name} has shape {tuple(shape)}, but {dim} = {known}")


# ------------------------------------------------------------------ math (floats)


def _math_sigmoid(u):
    if u >= 0:
        return 1.0 / (1.0 + math.exp(-u))
    z = math.exp(u)
    return z / (1.0 + z)


def _math_softplus(u):
    return max(u, 0.0) + math.log1p(math.exp(-abs(u)))


def _math_logsumexp(*terms):
    m = max(terms)
    if math.isinf(m):
        return m
    return m + math.log(math.fsum(math.exp(t - m) for t in terms))


def _math_sign(u):
    return float((u > 0) - (u < 0))


def _math_relu(u):
    return max(u, 0.0)


def _math_heaviside(u):
    if u == 0:
        raise ValueError("heaviside(0) is undefined")
    return float(u > 0)


def _math_cot(u):
    return 1.0 / math.tan(u)


def _math_sec(u):
    return 1.0 / math.cos(u)


def _math_csc(u):
    return 1.0 / math.sin(u)


def _math_sech(u):
    a = math.exp(-abs(u))  # never overflows: sech(800) is 0, not 1/cosh(800)'s OverflowError
    return 2.0 * a / (1.0 + a * a)


def _math_csch(u):
    return math.copysign(2.0 * math.exp(-abs(u)) / -math.expm1(-2.0 * abs(u)), u)


# ------------------------------------------------------------------------ NumPy


def _np_real(u):
    """Integer or boolean input as floats: integer powers overflow silently."""
    a = np.asarray(u)
    if a.dtype.kind in "biu":
        return a.astype(np.float64) if a.ndim else float(a)
    return u


def _np_pad(u, k):
    """u with k trailing axes of size 1; a number stays a number, which NumPy broadcasts faster."""
    return np.expand_dims(u, tuple(range(-k, 0))) if np.ndim(u) else u


def _np_sigmoid(u):
    z = np.exp(-np.abs(u))  # never overflows
    return np.where(np.greater_equal(u, 0), 1.0, z) / (1.0 + z)


def _np_softplus(u):
    return np.logaddexp(0.0, u)


def _np_logsumexp(*terms):
    m = terms[0]
    for t in terms[1:]:
        m = np.maximum(m, t)
    m = np.where(np.isfinite(m), m, 0.0)
    return m + np.log(sum(np.exp(t - m) for t in terms))


def _np_logsumexp_last(u):
    m = np.max(u, axis=-1, keepdims=True)
    m = np.where(np.isfinite(m), m, 0.0)
    return np.squeeze(m, -1) + np.log(np.sum(np.exp(u - m), axis=-1))


def _np_column(u):
    """A vector argument (a 1-D array) as a column of floats."""
    a = np.asarray(u)
    a = a.astype(np.float64) if a.dtype.kind in "biu" else a
    if a.ndim != 1:
        raise ValueError(f"a vector is a 1-D array, not one of shape {a.shape}")
    return a[:, None]


def _np_matrix(u):
    """A matrix argument as a 2-D array of floats."""
    a = np.asarray(u)
    a = a.astype(np.float64) if a.dtype.kind in "biu" else a
    if a.ndim != 2:
        raise ValueError(f"a matrix is a 2-D array, not one of shape {a.shape}")
    return a


def _np_softmax(u, axis):
    e = np.exp(u - np.max(u, axis=axis, keepdims=True))  # the largest entry is e^0: no overflow
    return e / np.sum(e, axis=axis, keepdims=True)


def _np_logdet(u):
    """ln det u from the LU factors (no overflow); nan where det u <= 0."""
    sign, value = np.linalg.slogdet(u)
    return np.where(sign > 0, value, np.nan)[()]


def _np_relu(u):
    return np.maximum(u, 0.0)


def _np_heaviside(u):
    return np.heaviside(u, np.nan)  # undefined at 0, as in symdiff.functions


def _np_erf(u):
    return np.vectorize(math.erf, otypes=[float])(u)


def _np_erfc(u):
    return np.vectorize(math.erfc, otypes=[float])(u)


def _np_cot(u):
    return 1.0 / np.tan(u)


def _np_sec(u):
    return 1.0 / np.cos(u)


def _np_csc(u):
    return 1.0 / np.sin(u)


# ---------------------------------------------------------------------- PyTorch


def _torch_real(u):
    """A tensor of floating type: numbers and integer tensors are converted."""
    t = torch.as_tensor(u)
    return t if t.is_floating_point() or t.is_complex() else t.to(torch.get_default_dtype())


def _torch_tensors(*args):
    """The arguments of a torch function of several: numbers become tensors of the
    arrays' floating type (torch.atan2(x, 0.7) is a TypeError)."""
    arrays = [a for a in args if isinstance(a, torch.Tensor) and a.is_floating_point()]
    dtype = arrays[0].dtype if arrays else torch.float64
    for a in arrays[1:]:
        dtype = torch.promote_types(dtype, a.dtype)
    return [a if isinstance(a, torch.Tensor) and a.is_floating_point() else torch.as_tensor(a, dtype=dtype)
            for a in args]


def _torch_column(u):
    """A vector argument (a 1-D tensor or array) as a column of floats."""
    t = torch.as_tensor(u)
    t = t if t.is_floating_point() else t.to(torch.get_default_dtype())
    if t.dim() != 1:
        raise ValueError(f"a vector is a 1-D tensor, not one of shape {tuple(t.shape)}")
    return t[:, None]


def _torch_matrix(u):
    """A matrix argument as a 2-D tensor of floats."""
    t = torch.as_tensor(u)
    t = t if t.is_floating_point() else t.to(torch.get_default_dtype())
    if t.dim() != 2:
        raise ValueError(f"a matrix is a 2-D tensor, not one of shape {tuple(t.shape)}")
    return t


def _torch_overwritable(arrays, scalars):
    """Whether the function may write into the arrays it makes itself: autograd is
    not recording (it may keep them for the backward pass), the arrays share one
    type and the scalars are single numbers, so every result has the type and the
    shape of the array it is written into."""
    tensors = [a for a in (*arrays, *scalars) if isinstance(a, torch.Tensor)]
    if torch.is_grad_enabled() and any(a.requires_grad for a in tensors):
        return False
    return (len({a.dtype for a in arrays}) <= 1 and not any(a.is_complex() for a in tensors)
            and all(isinstance(s, (int, float)) or isinstance(s, torch.Tensor) and s.dim() == 0 for s in scalars))


def _torch_logdet(u):
    """ln det u from the LU factors (no overflow); nan where det u <= 0."""
    sign, value = torch.linalg.slogdet(u)
    return torch.where(sign > 0, value, torch.full_like(value, math.nan))


def _torch_softplus(u):
    # torch.nn.functional.softplus returns u itself above 20: off by e^-20
    return torch.logaddexp(u, torch.zeros_like(u))


def _torch_logsumexp(*terms):
    return torch.logsumexp(torch.stack(torch.broadcast_tensors(*terms)), dim=0)


def _torch_logsumexp_last(u):
    return torch.logsumexp(u, dim=-1)


def _torch_heaviside(u):
    return torch.where(u == 0, torch.full_like(u, math.nan), (u > 0).to(u.dtype))


def _torch_cot(u):
    return 1.0 / torch.tan(u)


def _torch_sec(u):
    return 1.0 / torch.cos(u)


def _torch_csc(u):
    return 1.0 / torch.sin(u)


# -------------------------------------------------------------------------- JAX


def _jax_real(u):
    """An array of floating type: integer input is converted."""
    a = jnp.asarray(u)
    return a if jnp.issubdtype(a.dtype, jnp.inexact) else a.astype(jnp.result_type(float))


def _jax_column(u):
    """A vector argument (a 1-D array) as a column of floats."""
    a = jnp.asarray(u)
    a = a if jnp.issubdtype(a.dtype, jnp.inexact) else a.astype(jnp.result_type(float))
    if a.ndim != 1:
        raise ValueError(f"a vector is a 1-D array, not one of shape {a.shape}")
    return a[:, None]


def _jax_matrix(u):
    """A matrix argument as a 2-D array of floats."""
    a = jnp.asarray(u)
    a = a if jnp.issubdtype(a.dtype, jnp.inexact) else a.astype(jnp.result_type(float))
    if a.ndim != 2:
        raise ValueError(f"a matrix is a 2-D array, not one of shape {a.shape}")
    return a


def _jax_logdet(u):
    """ln det u from the LU factors (no overflow); nan where det u <= 0."""
    sign, value = jnp.linalg.slogdet(u)
    return jnp.where(sign > 0, value, jnp.nan)


def _jax_logsumexp(*terms):
    return jax.nn.logsumexp(jnp.stack(jnp.broadcast_arrays(*terms)), axis=0)


def _jax_logsumexp_last(u):
    return jax.nn.logsumexp(u, axis=-1)


def _jax_heaviside(u):
    return jnp.where(u == 0, jnp.nan, jnp.where(u > 0, 1.0, 0.0))


def _jax_cot(u):
    return 1.0 / jnp.tan(u)


def _jax_sec(u):
    return 1.0 / jnp.cos(u)


def _jax_csc(u):
    return 1.0 / jnp.sin(u)
