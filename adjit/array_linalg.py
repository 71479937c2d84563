"""``np.linalg`` on traced blocks: one matrix instruction per matrix.

``np.linalg.solve``, ``inv``, ``det``, ``slogdet`` and ``cholesky`` called on
a :class:`adjit.array_tracer.TracedBlock` record one ``LINALG`` row per matrix
of the stack (:mod:`adjit.matrix_rules` holds their values and derivative
rules), instead of the O(m^3) scalar rows of :mod:`adjit.linalg`.

The LU-based ones record ``A`` with its rows in the order LAPACK's partial
pivoting picks at the recording point (``P A``, with ``P``'s sign or
permutation applied afterwards by moves or a sign flip). The compiled
evaluation pivots again at every point, so nothing here is a guard; the
order only matters to the scalar expansion (:func:`adjit.arrays.expand`),
which eliminates without pivoting and so divides by the recording point's
pivots. A matrix singular at the recording point raises
``numpy.linalg.LinAlgError`` as NumPy does; so does Cholesky of a matrix
that is not positive definite.

Operands that are not traced blocks or constants (``x0`` unknown, object
arrays mixing kinds) go to :mod:`adjit.linalg` unchanged.
"""
from __future__ import annotations

import warnings
from collections import namedtuple

import numpy as np

from . import array_tracer, arrays, linalg, matrix_rules
from .array_tracer import FUNCTIONS

LinAlgError = np.linalg.LinAlgError
SlogdetResult = namedtuple("SlogdetResult", ["sign", "logabsdet"])


def _slots(rec, x):
    """The slot numbers of a stack of square matrices (NumPy's errors otherwise)."""
    return linalg.check_square(array_tracer.slots_of(rec, x))


def _rec_of(*xs):
    rec = array_tracer.find_rec(xs)
    if rec is None or rec.x0 is None:
        return None
    return rec


def _pivots(rec, S):
    """The row order LAPACK's partial pivoting picks for the matrix of slots
    ``S`` at the recording point, its parity, and whether it is singular there."""
    from scipy.linalg import lu_factor
    m = S.shape[0]
    A = rec.values_of(S)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lu, piv = lu_factor(A, check_finite=False)
    perm = np.arange(m)
    for i, p in enumerate(piv):
        perm[i], perm[p] = perm[p], perm[i]
    odd = int(np.count_nonzero(piv != np.arange(m))) % 2 == 1
    return perm, odd, bool((np.diagonal(lu) == 0.0).any())


def _row(rec, op, S, B=None):
    """Emit one LINALG row on the matrix of slots ``S`` (and ``B``); its slots."""
    m = S.shape[0]
    k = 0 if B is None else B.shape[1]
    a0 = array_tracer.contiguous(rec, S) if m else 0
    a1 = array_tracer.contiguous(rec, B) if B is not None and B.size else 0
    n = matrix_rules.length(op, m, k)
    start = rec.emit_block(arrays.LINALG, op, n, a0, a1, m, k)
    return np.arange(start, start + n, dtype=np.int64)


def _stack(shape):
    return np.ndindex(shape) if shape else [()]


def solve(a, b):
    """``np.linalg.solve(a, b)``: ``b`` of shape (M,) is a vector, otherwise
    (..., M, K) (NumPy 2's rule); one solve row per matrix."""
    rec = _rec_of(a, b)
    if rec is None:
        return NotImplemented
    S = _slots(rec, a)
    Bs = array_tracer.slots_of(rec, b)
    vector = Bs.ndim == 1
    if vector:
        Bs = Bs[:, None]
    if Bs.ndim < 2:
        raise ValueError("np.linalg.solve: b must be at least one-dimensional")
    m = S.shape[-1]
    if Bs.shape[-2] != m:
        raise ValueError(f"np.linalg.solve: b has {Bs.shape[-2]} rows, a is {m} x {m}")
    batch = np.broadcast_shapes(S.shape[:-2], Bs.shape[:-2])
    S = np.broadcast_to(S, batch + S.shape[-2:])
    Bs = np.broadcast_to(Bs, batch + Bs.shape[-2:])
    out = np.empty(batch + Bs.shape[-2:], dtype=np.int64)
    for idx in _stack(batch):
        perm, _, singular = _pivots(rec, S[idx])
        if singular:
            raise LinAlgError("Singular matrix")
        out[idx] = _row(rec, matrix_rules.SOLVE, S[idx][perm], Bs[idx][perm]).reshape(
            Bs.shape[-2:])
    if vector:
        out = out[..., 0]
    return array_tracer.wrap_slots(rec, out)


def inv(a):
    """``np.linalg.inv``: one inverse row per matrix."""
    rec = _rec_of(a)
    if rec is None:
        return NotImplemented
    S = _slots(rec, a)
    m = S.shape[-1]
    out = np.empty(S.shape, dtype=np.int64)
    for idx in _stack(S.shape[:-2]):
        perm, _, singular = _pivots(rec, S[idx])
        if singular:
            raise LinAlgError("Singular matrix")
        Y = _row(rec, matrix_rules.INV, S[idx][perm]).reshape(m, m)
        res = np.empty((m, m), dtype=np.int64)
        res[:, perm] = Y  # inv(A) = inv(P A) P
        out[idx] = res
    return array_tracer.wrap_slots(rec, out)


def _signed(rec, slot, odd):
    t = array_tracer.wrap_slots(rec, np.int64(slot))
    return -t if odd else t


def det(a):
    """``np.linalg.det``: one determinant row per matrix (the adjugate is
    its gradient, at a singular matrix too)."""
    rec = _rec_of(a)
    if rec is None:
        return NotImplemented
    S = _slots(rec, a)
    res = np.empty(S.shape[:-2], dtype=object)
    for idx in _stack(S.shape[:-2]):
        perm, odd, _ = _pivots(rec, S[idx])
        res[idx] = _signed(rec, _row(rec, matrix_rules.DET, S[idx][perm])[0], odd)
    return _gather_scalars(rec, res)


def slogdet(a):
    """``np.linalg.slogdet``: ``(sign, log|det|)`` from one row per matrix
    (the sign's derivative is 0)."""
    rec = _rec_of(a)
    if rec is None:
        return NotImplemented
    S = _slots(rec, a)
    signs = np.empty(S.shape[:-2], dtype=object)
    logs = np.empty(S.shape[:-2], dtype=object)
    for idx in _stack(S.shape[:-2]):
        perm, odd, _ = _pivots(rec, S[idx])
        r = _row(rec, matrix_rules.SLOGDET, S[idx][perm])
        signs[idx] = _signed(rec, r[0], odd)
        logs[idx] = array_tracer.wrap_slots(rec, r[1])
    return SlogdetResult(_gather_scalars(rec, signs), _gather_scalars(rec, logs))


def _gather_scalars(rec, res):
    """A traced scalar for a 0-d stack, else a traced block of the scalars."""
    if res.ndim == 0:
        return res[()]
    return array_tracer.wrap_slots(rec, array_tracer.slots_of(rec, res))


def cholesky(a, /, *, upper=False):
    """``np.linalg.cholesky``: one row per matrix, lower ``L`` with
    ``a = L @ L.T`` from ``a``'s lower triangle (``upper=True``: ``U`` with
    ``a = U.T @ U`` from the upper triangle, as NumPy reads it)."""
    rec = _rec_of(a)
    if rec is None:
        return NotImplemented
    S = _slots(rec, a)
    if upper:
        S = np.swapaxes(S, -1, -2)
    m = S.shape[-1]
    out = np.empty(S.shape, dtype=np.int64)
    for idx in _stack(S.shape[:-2]):
        A = rec.values_of(S[idx])
        np.linalg.cholesky(np.tril(A) + np.tril(A, -1).T)  # LinAlgError, as NumPy's
        out[idx] = _row(rec, matrix_rules.CHOLESKY, S[idx]).reshape(m, m)
    if upper:
        out = np.swapaxes(out, -1, -2)
    return array_tracer.wrap_slots(rec, out)


FUNCTIONS.update({np.linalg.solve: solve, np.linalg.inv: inv, np.linalg.det: det,
                  np.linalg.slogdet: slogdet, np.linalg.cholesky: cholesky})
