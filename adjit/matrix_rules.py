"""Matrix instructions: ``np.linalg`` calls as one row each, with their own rules.

A ``LINALG`` row of an array program (:mod:`adjit.arrays`) is

    (LINALG, op, result, length, arg0, arg1, m, k)

with ``A`` the ``(m, m)`` block at ``arg0`` (row-major slots) and, for ``solve``,
``B`` the ``(m, k)`` block at ``arg1``. Its results:

``solve``     ``X = A^-1 B``, ``(m, k)``
``inv``       ``Y = A^-1``, ``(m, m)``
``det``       ``det A``, one slot
``slogdet``   ``sign(det A), log|det A|``, two slots (the sign's derivative is 0)
``cholesky``  ``L``, ``(m, m)`` lower triangular, of the symmetric matrix whose
              lower triangle is A's (NumPy reads only that triangle)

They run on LAPACK (SciPy's ``lu_factor``/``lu_solve``, NumPy's Cholesky)
between the compiled sweeps over the rows around them, at O(m^3) work and
O(m^2) memory instead of O(m^3) scalar rows. The rules are the classical ones
(Giles 2008, "Collected matrix derivative results"; Murray 2016 for
Cholesky): forward ``dX = A^-1 (dB - dA X)``, reverse ``B_bar = A^-T X_bar``,
``A_bar = -B_bar X^T`` (the adjoint of a solve is a solve with the transpose),
``d det = det tr(A^-1 dA)``, ``dL = L Phi(L^-1 dS L^-T)``, and for Hessians
their own derivatives along a tangent (forward-over-reverse).

A singular matrix raises ``numpy.linalg.LinAlgError`` where NumPy's function
would (``solve``, ``inv``; ``cholesky`` of a matrix that is not positive
definite); ``det`` of a singular matrix is 0 with the adjugate as its gradient.
"""
from __future__ import annotations

import numpy as np

SOLVE, INV, DET, SLOGDET, CHOLESKY = range(5)
NAMES = ("solve", "inv", "det", "slogdet", "cholesky")
N_OPS = len(NAMES)
LinAlgError = np.linalg.LinAlgError


def length(op: int, m: int, k: int) -> int:
    """The number of slots a row of ``op`` writes."""
    return (m * k, m * m, 1, 2, m * m)[op]


def spans(op: int, a0: int, a1: int, m: int, k: int) -> list:
    """The slot ranges ``(lo, hi)`` a row reads: A's, and B's for ``solve``."""
    out = [(a0, a0 + m * m)]
    if op == SOLVE:
        out.append((a1, a1 + m * k))
    return out


def _fields(row):
    _, op, r, n, a0, a1, m, k = (int(v) for v in row)
    return op, r, n, a0, a1, m, k


_LAPACK = []


def _lapack():
    """SciPy's LAPACK wrappers (imported on first use: most tapes have no matrix rows)."""
    if not _LAPACK:
        from scipy.linalg import lapack
        _LAPACK.append(lapack)
    return _LAPACK[0]


def _lu(A):
    """LAPACK's LU with partial pivoting (getrf): ``(lu, piv)``."""
    lu, piv, _ = _lapack().dgetrf(A)
    return lu, piv


def _singular(lu) -> bool:
    return bool((np.diagonal(lu) == 0.0).any())


def _lu_solve(f, B, trans=0):
    """A^-1 B (``trans=1``: A^-T B) from A's LU (getrs)."""
    return _lapack().dgetrs(f[0], f[1], B, trans=trans)[0]


def _tri_solve(L, B, trans=0):
    """L^-1 B (``trans=1``: L^-T B), L lower triangular (trtrs)."""
    return _lapack().dtrtrs(L, B, lower=1, trans=trans)[0]


def _det_of(f) -> float:
    lu, piv = f
    swaps = int(np.count_nonzero(piv != np.arange(len(piv))))
    d = float(np.prod(np.diagonal(lu)))
    return -d if swaps % 2 else d


def _sym_lower(A):
    """The symmetric matrix of A's lower triangle (what Cholesky reads)."""
    return np.tril(A) + np.tril(A, -1).swapaxes(-1, -2)


def _phi(M):
    """The lower triangle of M with its diagonal halved."""
    out = np.tril(M)
    d = np.diagonal(out, axis1=-2, axis2=-1)
    out[..., np.arange(M.shape[-1]), np.arange(M.shape[-1])] = 0.5 * d
    return out


def _to_lower(G):
    """The adjoint of A's lower triangle from the adjoint G of the symmetric
    matrix it stands for (each off-diagonal entry stands for two)."""
    out = np.tril(G + G.swapaxes(-1, -2), -1)
    idx = np.arange(G.shape[-1])
    out[..., idx, idx] = G[..., idx, idx]
    return out


def _tri_inv(L):
    return _lapack().dtrtri(L, lower=1)[0]


def _sandwich(L, P):
    """L^-T P L^-1 by two triangular solves."""
    Y = _tri_solve(L, np.ascontiguousarray(P.T), trans=1).T  # P L^-1
    return _tri_solve(L, np.ascontiguousarray(Y), trans=1)


def _adjugate(A):
    """adj(A) = det(A) A^-1, also where A is singular (by the SVD)."""
    U, s, Vt = np.linalg.svd(A)
    m = len(s)
    cof = np.array([np.prod(np.delete(s, i)) for i in range(m)]) if m else s
    sign = np.linalg.det(U) * np.linalg.det(Vt)
    return sign * (Vt.T * cof) @ U.T


# ---------------------------------------------------------------------------
# Values.

def values(row, work, memo: dict | None = None, key=None) -> None:
    """The row's results into ``work``; its factorization into ``memo[key]``
    for the derivative rules."""
    op, r, n, a0, a1, m, k = _fields(row)
    A = work[a0:a0 + m * m].reshape(m, m)
    out = work[r:r + n]
    if m == 0:
        if op == DET:
            out[:] = 1.0
        elif op == SLOGDET:
            out[:] = (1.0, 0.0)
        return
    fact = None
    if op == CHOLESKY:
        L, info = _lapack().dpotrf(A, lower=1, clean=1)  # reads the lower triangle
        if info != 0:
            raise LinAlgError("Matrix is not positive definite")
        out[:] = L.reshape(-1)
        fact = L
    else:
        fact = _lu(A)
        if op == SOLVE:
            if _singular(fact[0]):
                raise LinAlgError("Singular matrix")
            out[:] = _lu_solve(fact, work[a1:a1 + m * k].reshape(m, k)).reshape(-1)
        elif op == INV:
            if _singular(fact[0]):
                raise LinAlgError("Singular matrix")
            out[:] = _lu_solve(fact, np.eye(m)).reshape(-1)
        elif op == DET:
            out[0] = _det_of(fact)
        else:
            d = np.diagonal(fact[0])
            sign = np.sign(_det_of(fact)) if not (d == 0).any() else 0.0
            with np.errstate(divide="ignore"):
                out[:] = (sign, float(np.sum(np.log(np.abs(d)))))
    if memo is not None:
        memo[key] = fact


def _factor(row, work, memo, key):
    f = None if memo is None else memo.get(key)
    if f is None:
        scratch = {}
        op, r, n = _fields(row)[:3]
        saved = work[r:r + n].copy()
        values(row, work, scratch, 0)
        work[r:r + n] = saved
        f = scratch.get(0)
    return f


def _inv_t(f):
    """A^-T from A's LU ``f`` (LinAlgError if A is singular)."""
    if _singular(f[0]):
        raise LinAlgError("Singular matrix")
    return _lu_solve(f, np.eye(f[0].shape[0]), trans=1)


def _det_gradient(row, work, f):
    """d det / dA (the transposed adjugate)."""
    op, r, n, a0, a1, m, k = _fields(row)
    if _singular(f[0]):
        return _adjugate(work[a0:a0 + m * m].reshape(m, m)).T
    return _det_of(f) * _inv_t(f)


# ---------------------------------------------------------------------------
# Tangents and adjoints of several directions or seeds: t[slot, d].

def _cols(t, lo, shape):
    """``t[lo:lo+size]`` as ``(nd,) + shape`` (a copy)."""
    nd = t.shape[1]
    size = int(np.prod(shape))
    return np.moveaxis(t[lo:lo + size].reshape(shape + (nd,)), -1, 0)


def _put(t, lo, arr, add=False):
    nd = t.shape[1]
    flat = np.moveaxis(arr, 0, -1).reshape(-1, nd)
    if add:
        t[lo:lo + flat.shape[0]] += flat
    else:
        t[lo:lo + flat.shape[0]] = flat


def tangents(row, work, t, memo=None, key=None) -> None:
    """The row's tangents ``t[result..]`` from its operands' (every column)."""
    op, r, n, a0, a1, m, k = _fields(row)
    if m == 0 or t.shape[1] == 0:
        t[r:r + n] = 0.0
        return
    f = _factor(row, work, memo, key)
    dA = _cols(t, a0, (m, m))
    if op == SOLVE:
        X = work[r:r + n].reshape(m, k)
        rhs = _cols(t, a1, (m, k)) - dA @ X  # (nd, m, k)
        nd = rhs.shape[0]
        sol = _lu_solve(f, np.moveaxis(rhs, 0, -1).reshape(m, k * nd)).reshape(m, k, nd)
        t[r:r + n] = sol.reshape(m * k, nd)
    elif op == INV:
        Y = work[r:r + n].reshape(m, m)
        _put(t, r, -(Y @ dA @ Y))
    elif op == DET:
        G = _det_gradient(row, work, f)
        t[r] = np.einsum("ij,dij->d", G, dA)
    elif op == SLOGDET:
        G = _inv_t(f)
        t[r] = 0.0
        t[r + 1] = np.einsum("ij,dij->d", G, dA)
    else:
        L = f
        out = np.empty_like(dA)
        for d in range(dA.shape[0]):
            X = _tri_solve(L, _sym_lower(dA[d]))  # L^-1 dS
            M = _tri_solve(L, np.ascontiguousarray(X.T))  # L^-1 dS L^-T (symmetric)
            out[d] = L @ _phi(M)
        _put(t, r, out)


def adjoints(row, work, a, memo=None, key=None) -> None:
    """Add the row's adjoints ``a[result..]`` (every column) into its operands'."""
    op, r, n, a0, a1, m, k = _fields(row)
    if m == 0 or a.shape[1] == 0:
        return
    f = _factor(row, work, memo, key)
    if op == SOLVE:
        X = work[r:r + n].reshape(m, k)
        nd = a.shape[1]
        Xb = a[r:r + n].reshape(m, k * nd)
        Z = _lu_solve(f, Xb, trans=1).reshape(m, k, nd)  # B's adjoint
        a[a1:a1 + m * k] += Z.reshape(m * k, nd)
        _put(a, a0, -np.einsum("ikd,jk->dij", Z, X), add=True)
    elif op == INV:
        Y = work[r:r + n].reshape(m, m)
        Yb = _cols(a, r, (m, m))
        _put(a, a0, -(Y.T @ Yb @ Y.T), add=True)
    elif op in (DET, SLOGDET):
        G = _det_gradient(row, work, f) if op == DET else _inv_t(f)
        g = a[r] if op == DET else a[r + 1]
        a[a0:a0 + m * m] += np.outer(G.reshape(-1), g)
    else:
        L = f
        Lb = np.tril(_cols(a, r, (m, m)))
        out = np.empty_like(Lb)
        for d in range(Lb.shape[0]):
            G = _sandwich(L, _phi(L.T @ Lb[d]))
            out[d] = _to_lower(0.5 * (G + G.T))
        _put(a, a0, out, add=True)


def adjoint(row, work, adj, memo=None, key=None) -> None:
    """:func:`adjoints` of one seed (``adj`` one per slot)."""
    a = adj.reshape(-1, 1)
    adjoints(row, work, a, memo, key)


def hvp(row, work, t, abar, at, memo=None, key=None) -> None:
    """Forward-over-reverse: add the row's adjoint ``abar[result..]`` into its
    operands' and the tangents of that adjoint, ``at`` (every column), along
    the tangents ``t`` of the forward sweep."""
    op, r, n, a0, a1, m, k = _fields(row)
    if m == 0:
        return
    f = _factor(row, work, memo, key)
    nd = t.shape[1]
    dA = _cols(t, a0, (m, m))
    if op == SOLVE:
        X = work[r:r + n].reshape(m, k)
        dX = _cols(t, r, (m, k))
        Xb = abar[r:r + n].reshape(m, k)
        dXb = _cols(at, r, (m, k))
        Z = _lu_solve(f, Xb, trans=1)
        abar[a1:a1 + m * k] += Z.reshape(-1)
        abar[a0:a0 + m * m] += (-Z @ X.T).reshape(-1)
        rhs = dXb - dA.swapaxes(-1, -2) @ Z  # (nd, m, k)
        dZ = np.moveaxis(_lu_solve(f, np.moveaxis(rhs, 0, -1).reshape(m, k * nd), trans=1)
                         .reshape(m, k, nd), -1, 0)
        _put(at, a1, dZ, add=True)
        _put(at, a0, -(dZ @ X.T) - Z @ dX.swapaxes(-1, -2), add=True)
    elif op == INV:
        Y = work[r:r + n].reshape(m, m)
        dY = _cols(t, r, (m, m))
        Yb = abar[r:r + n].reshape(m, m)
        dYb = _cols(at, r, (m, m))
        abar[a0:a0 + m * m] += (-(Y.T @ Yb @ Y.T)).reshape(-1)
        dYt = dY.swapaxes(-1, -2)
        _put(at, a0, -(dYt @ Yb @ Y.T + Y.T @ dYb @ Y.T + Y.T @ Yb @ dYt), add=True)
    elif op in (DET, SLOGDET):
        Gi = _inv_t(f)  # A^-T
        dGi = -(Gi @ dA.swapaxes(-1, -2) @ Gi)
        if op == DET:
            y = work[r]
            g, dg, dy = abar[r], at[r], t[r]
            abar[a0:a0 + m * m] += (g * y * Gi).reshape(-1)
            _put(at, a0, (dg * y + g * dy)[:, None, None] * Gi + g * y * dGi, add=True)
        else:
            g, dg = abar[r + 1], at[r + 1]
            abar[a0:a0 + m * m] += (g * Gi).reshape(-1)
            _put(at, a0, dg[:, None, None] * Gi + g * dGi, add=True)
    else:
        L = f
        Li = _tri_inv(L)
        Lb = np.tril(abar[r:r + n].reshape(m, m))
        dL = _cols(t, r, (m, m))
        dLb = np.tril(_cols(at, r, (m, m)))
        P = _phi(L.T @ Lb)
        G = Li.T @ P @ Li
        abar[a0:a0 + m * m] += _to_lower(0.5 * (G + G.T)).reshape(-1)
        dLi = -(Li @ dL @ Li)
        dP = _phi(dL.swapaxes(-1, -2) @ Lb + L.T @ dLb)
        dG = dLi.swapaxes(-1, -2) @ P @ Li + Li.T @ dP @ Li + Li.T @ P @ dLi
        _put(at, a0, _to_lower(0.5 * (dG + dG.swapaxes(-1, -2))), add=True)


# ---------------------------------------------------------------------------
# The scalar program of a row (for the consumers of the expanded program).

class _Emitter:
    """Scalar rows over references: ("A", i), ("B", i) the operands'
    elements, ("T", j) the j-th row emitted, ("C", v) a constant. Constants
    fold, and a product with a constant 0 is 0 (an identity's zeros cost no
    rows)."""

    def __init__(self):
        self.rows = []

    def _new(self, name, a, b=None):
        self.rows.append((name, a, b))
        return ("T", len(self.rows) - 1)

    def sub(self, a, b):
        if b[0] == "C":
            if a[0] == "C":
                return ("C", a[1] - b[1])
            return a if b[1] == 0.0 else self._new("sub_vc", a, b)
        if a[0] == "C":
            return self._new("neg", b) if a[1] == 0.0 else self._new("sub_cv", b, a)
        return self._new("sub", a, b)

    def mul(self, a, b):
        if a[0] == "C" and b[0] == "C":
            return ("C", a[1] * b[1])
        if a[0] == "C":
            a, b = b, a
        if b[0] == "C":
            if b[1] == 0.0:
                return ("C", 0.0)
            return a if b[1] == 1.0 else self._new("mul_vc", a, b)
        return self._new("mul", a, b)

    def div(self, a, b):
        if a[0] == "C" and b[0] == "C":
            return ("C", a[1] / b[1])
        if b[0] == "C":
            return self._new("div_vc", a, b)
        if a[0] == "C":
            return ("C", 0.0) if a[1] == 0.0 else self._new("div_cv", b, a)
        return self._new("div", a, b)

    def unary(self, name, a):
        return self._new(name, a)


def _eliminate(e, U, rhs):
    """Gaussian elimination of U (in its row order) carrying the columns of
    ``rhs`` along, in place."""
    m = len(U)
    for kk in range(m):
        piv = U[kk][kk]
        for i in range(kk + 1, m):
            if U[i][kk] == ("C", 0.0):
                continue
            f = e.div(U[i][kk], piv)
            for j in range(kk + 1, m):
                U[i][j] = e.sub(U[i][j], e.mul(f, U[kk][j]))
            for c in range(len(rhs[i])):
                rhs[i][c] = e.sub(rhs[i][c], e.mul(f, rhs[kk][c]))


def scalar_rows(op: int, m: int, k: int):
    """The scalar rows of a row of ``op`` (``(name, ref, ref)``; see
    :class:`_Emitter`) and the reference of each of its results, in order.
    The elimination runs in the operand's row order, without pivoting: the
    tracer records ``A`` with its rows already in LAPACK's pivot order at the
    recording point, so the expansion divides by the same pivots there."""
    e = _Emitter()
    U = [[("A", i * m + j) for j in range(m)] for i in range(m)]
    if op == CHOLESKY:
        L = [[("C", 0.0)] * m for _ in range(m)]
        for i in range(m):
            for j in range(i + 1):
                s = U[i][j]
                for kk in range(j):
                    s = e.sub(s, e.mul(L[i][kk], L[j][kk]))
                L[i][j] = e.unary("sqrt", s) if i == j else e.div(s, L[j][j])
        return e.rows, [L[i][j] for i in range(m) for j in range(m)]
    if op in (SOLVE, INV):
        rhs = ([[("B", i * k + c) for c in range(k)] for i in range(m)] if op == SOLVE else
               [[("C", float(i == c)) for c in range(m)] for i in range(m)])
        cols = len(rhs[0]) if m else 0
        _eliminate(e, U, rhs)
        X = [[None] * cols for _ in range(m)]
        for i in range(m - 1, -1, -1):
            for c in range(cols):
                s = rhs[i][c]
                for j in range(i + 1, m):
                    s = e.sub(s, e.mul(U[i][j], X[j][c]))
                X[i][c] = e.div(s, U[i][i])
        return e.rows, [X[i][c] for i in range(m) for c in range(cols)]
    _eliminate(e, U, [[] for _ in range(m)])
    diag = [U[i][i] for i in range(m)]
    if op == DET:
        d = ("C", 1.0)
        for u in diag:
            d = e.mul(d, u)
        return e.rows, [d]
    sign, logabs = ("C", 1.0), ("C", 0.0)
    for u in diag:
        sign = e.mul(sign, e.unary("sign", u))
        lg = e.unary("log", e.unary("abs", u))
        logabs = lg if logabs == ("C", 0.0) else e._new("add", logabs, lg)
    return e.rows, [sign, logabs]
