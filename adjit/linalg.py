"""Small dense linear algebra on traced values, recorded as scalar instructions.

``np.linalg.solve``, ``inv``, ``det`` and ``slogdet`` run Gaussian
elimination with partial pivoting (LAPACK's choice: the first largest
``|a|`` in the column); ``cholesky`` runs the Cholesky-Banachiewicz loop on the
lower triangle, as NumPy reads it. A pivot choice, a zero pivot (a singular
matrix) and a non-positive Cholesky diagonal are decided by ``bool()`` of
traced comparisons: guards, like any branch, so evaluating the tape where the
pivot order differs raises BranchChanged (``adjit.grad`` re-traces). Stacks of
matrices (leading axes) are solved one by one. ``norm`` covers the vector
ords (1, 2, inf, -inf, 0, p) and the matrix ones without a singular value
decomposition ('fro', 1, -1, inf, -inf).

The instruction count grows as n**3: meant for the small matrices of a model
(a later issue records them as array instructions with their own rules).
"""
from __future__ import annotations

import math
from collections import namedtuple

import numpy as np

from .errors import TracingError
from .tracer import Tracer, as_traced, normalize_axes, plain

LinAlgError = np.linalg.LinAlgError
SlogdetResult = namedtuple("SlogdetResult", ["sign", "logabsdet"])


def _obj(a) -> np.ndarray:
    return np.asarray(plain(a), dtype=object)


def _is_zero(v) -> bool:
    """A constant exact zero (its elimination step changes nothing)."""
    return not isinstance(v, Tracer) and v == 0.0


def check_square(A: np.ndarray) -> np.ndarray:
    """``A`` when it is a stack of square matrices, else NumPy's LinAlgError."""
    if A.ndim < 2:
        raise LinAlgError(f"{A.ndim}-dimensional array given. Array must be at least "
                          "two-dimensional")
    if A.shape[-1] != A.shape[-2]:
        raise LinAlgError("Last 2 dimensions of the array must be square")
    return A


def _square(a) -> np.ndarray:
    return check_square(_obj(a))


def _eliminate(rows, n, singular: bool):
    """LU with partial pivoting of ``rows`` (lists; columns past ``n`` are
    right-hand sides, carried along) in place. Returns the number of row
    swaps, or None at a zero pivot when not ``singular`` ("raise" is the
    caller's)."""
    swaps = 0
    for k in range(n):
        p = k
        best = abs(rows[k][k])
        for i in range(k + 1, n):
            cand = abs(rows[i][k])
            if bool(cand > best):  # a guard when traced
                p, best = i, cand
        if p != k:
            rows[k], rows[p] = rows[p], rows[k]
            swaps += 1
        piv = rows[k][k]
        if bool(piv == 0.0):  # the whole column is zero: singular
            if singular:
                raise LinAlgError("Singular matrix")
            return None
        top = rows[k]
        for i in range(k + 1, n):
            row = rows[i]
            if _is_zero(row[k]):
                continue
            f = row[k] / piv
            for j in range(k + 1, len(row)):
                if not _is_zero(top[j]):
                    row[j] = row[j] - f * top[j]
    return swaps


def _solve1(A, B):
    n = len(A)
    rows = [list(a) + list(b) for a, b in zip(A, B)]
    _eliminate(rows, n, True)
    k = len(B[0])
    x = [[0.0] * k for _ in range(n)]
    for c in range(k):
        for i in range(n - 1, -1, -1):
            s = rows[i][n + c]
            for j in range(i + 1, n):
                if not _is_zero(rows[i][j]):
                    s = s - rows[i][j] * x[j][c]
            x[i][c] = s / rows[i][i]
    return x


def _batched(A, fn, tail):
    """``fn`` on each matrix of the stack ``A``; results of shape ``tail``."""
    batch = A.shape[:-2]
    out = np.empty(batch + tail, dtype=object)
    for idx in np.ndindex(batch):
        out[idx] = fn(A[idx].tolist())
    return out


def solve(a, b):
    """``np.linalg.solve(a, b)``: ``b`` of shape (M,) is a vector, otherwise
    (..., M, K) (NumPy 2's rule)."""
    A = _square(a)
    B = _obj(b)
    vector = B.ndim == 1
    if vector:
        B = B[:, None]
    n = A.shape[-1]
    if B.shape[-2] != n:
        raise ValueError(f"np.linalg.solve: b has {B.shape[-2]} rows, a is {n} x {n}")
    batch = np.broadcast_shapes(A.shape[:-2], B.shape[:-2])
    A = np.broadcast_to(A, batch + A.shape[-2:])
    B = np.broadcast_to(B, batch + B.shape[-2:])
    out = np.empty(batch + B.shape[-2:], dtype=object)
    for idx in np.ndindex(batch):
        out[idx] = _solve1(A[idx].tolist(), B[idx].tolist())
    if vector:
        out = out[..., 0]
    return as_traced(out)


def inv(a):
    """``np.linalg.inv``: the solution of ``a @ X = I``."""
    A = _square(a)
    n = A.shape[-1]
    eye = np.eye(n).tolist()
    return as_traced(_batched(A, lambda m: _solve1(m, eye), (n, n)))


def _lu_diag(m):
    """(swaps, diagonal of U) of one matrix, or (None, None) when singular."""
    n = len(m)
    rows = [list(r) for r in m]
    swaps = _eliminate(rows, n, False)
    if swaps is None:
        return None, None
    return swaps, [rows[i][i] for i in range(n)]


def _det1(m):
    swaps, diag = _lu_diag(m)
    if swaps is None:
        return 0.0
    d = -1.0 if swaps % 2 else 1.0
    for u in diag:
        d = d * u
    return d


def det(a):
    """``np.linalg.det``: the product of U's diagonal, signed by the row
    swaps; 0.0 (no derivative) at an exactly singular matrix."""
    A = _square(a)
    return as_traced(_batched(A, _det1, ()))


def slogdet(a):
    """``np.linalg.slogdet``: ``(sign, log|det|)`` from U's diagonal;
    ``(0.0, -inf)`` at an exactly singular matrix, as NumPy."""
    A = _square(a)
    signs = np.empty(A.shape[:-2], dtype=object)
    logs = np.empty(A.shape[:-2], dtype=object)
    for idx in np.ndindex(A.shape[:-2]):
        swaps, diag = _lu_diag(A[idx].tolist())
        if swaps is None:
            signs[idx], logs[idx] = 0.0, -math.inf
            continue
        s, total = (-1.0 if swaps % 2 else 1.0), 0.0
        for u in diag:
            s = s * np.sign(u)
            total = total + np.log(abs(u))
        signs[idx], logs[idx] = s, total
    return SlogdetResult(as_traced(signs), as_traced(logs))


def _cholesky1(m):
    n = len(m)
    L = [[0.0] * n for _ in range(n)]
    for j in range(n):
        s = m[j][j]
        for k in range(j):
            s = s - L[j][k] * L[j][k]
        if not bool(s > 0.0):  # a guard when traced
            raise LinAlgError("Matrix is not positive definite")
        d = np.sqrt(s)
        L[j][j] = d
        for i in range(j + 1, n):
            s = m[i][j]
            for k in range(j):
                s = s - L[i][k] * L[j][k]
            L[i][j] = s / d
    return L


def cholesky(a, /, *, upper=False):
    """``np.linalg.cholesky``: lower ``L`` with ``a = L @ L.T`` from ``a``'s
    lower triangle (``upper=True``: ``U`` with ``a = U.T @ U`` from the upper
    triangle, as NumPy reads it)."""
    A = _square(a)
    if upper:
        A = np.swapaxes(A, -1, -2)
    n = A.shape[-1]
    L = _batched(A, _cholesky1, (n, n))
    return as_traced(np.swapaxes(L, -1, -2).copy() if upper else L)


def norm(x, ord=None, axis=None, keepdims=False):
    """``np.linalg.norm`` with NumPy's choice of vector or matrix norm."""
    X = as_traced(_obj(x)) if np.ndim(x) else x
    nd = np.ndim(x)
    if axis is None:
        if ord is None or (ord in ("f", "fro") and nd == 2) or (ord == 2 and nd == 1):
            r = np.sqrt(np.sum(np.square(X)))
            return _keep(r, tuple(range(nd)), nd) if keepdims else r
        if nd not in (1, 2):
            raise ValueError("Improper number of dimensions to norm.")
        axis = tuple(range(nd))
    axes = normalize_axes(axis, nd, "np.linalg.norm")
    if len(axes) == 1:
        r = _vector_norm(X, ord, axes[0])
    elif len(axes) == 2:
        r = _matrix_norm(X, ord, *axes)
    else:
        raise ValueError("Improper number of dimensions to norm.")
    return _keep(r, axes, nd) if keepdims else r


def _keep(r, axes, nd):
    shape = list(np.shape(r))
    for a in sorted(axes):
        shape.insert(a, 1)
    return as_traced(_obj(r).reshape(shape))


def _vector_norm(X, ord, axis):
    if ord is None or ord == 2:
        return np.sqrt(np.sum(np.square(X), axis=axis))
    if isinstance(ord, str):
        raise ValueError(f"Invalid norm order '{ord}' for vectors")
    A = np.abs(X)
    if ord == math.inf:
        return np.max(A, axis=axis)
    if ord == -math.inf:
        return np.min(A, axis=axis)
    if ord == 0:
        return np.sum(np.not_equal(X, 0.0), axis=axis)
    if ord == 1:
        return np.sum(A, axis=axis)
    return np.sum(A ** float(ord), axis=axis) ** (1.0 / float(ord))


def _matrix_norm(X, ord, row, col):
    if ord is None or ord in ("fro", "f"):
        return np.sqrt(np.sum(np.square(X), axis=(row, col)))
    if ord in (1, -1):
        if col > row:
            col -= 1
        sums = np.sum(np.abs(X), axis=row)
        return np.max(sums, axis=col) if ord == 1 else np.min(sums, axis=col)
    if ord in (math.inf, -math.inf):
        if row > col:
            row -= 1
        sums = np.sum(np.abs(X), axis=col)
        return np.max(sums, axis=row) if ord > 0 else np.min(sums, axis=row)
    if ord in (2, -2, "nuc"):
        raise TracingError(f"np.linalg.norm(..., ord={ord!r}) of a traced matrix needs a "
                           "singular value decomposition, which is not recorded; 'fro', 1, "
                           "-1, inf and -inf are")
    raise ValueError(f"Invalid norm order {ord!r} for matrices")
