"""The compiled sweeps over a tape with array instructions (:mod:`adjit.arrays`).

An array program is one int64 table ``code`` of rows

    (kind, opcode, result, length, arg0, arg1, p, q)

each writing the contiguous slots ``result .. result + length - 1`` of a flat
float64 work vector (inputs first). A scalar instruction is an ``ELEM`` row of
length 1. The kinds:

``ELEM``    the op table's ``opcode`` over a block: element ``j`` reads its
            variable operand at ``arg0 + j*p`` and its second operand (a slot or
            a constant, by the opcode's kind) at ``arg1 + j*q``; a stride 0
            repeats one value (NumPy broadcasting of a scalar)
``SUM``     ``r[o*q + i] = sum_k a[arg0 + (o*p + k)*q + i]``: sums over the
            middle axis of an ``(outer, p, q)`` block
``MATMUL``  ``R (m, q) = A (m, p) @ B (p, q)``, row-major at ``arg0``/``arg1``;
            ``opcode`` says which of A, B are constants (``MM_*``)
``GATHER``  ``r[j] = work[index[arg0 + j]]``: indexing, transposes, stacking

Derivatives: one forward sweep stores values and each ELEM row's partials by
result slot (``p0``, ``p1``); the tangent and adjoint sweeps are then branch-free
over them, with the azmul rule of :mod:`adjit.sweeps` (a zero times an infinite
partial is zero). The elementwise loops are generated from the op table by
:mod:`adjit.codegen` (the region between the markers below).

Nothing here checks indices: every array program is validated first
(:func:`adjit.arrays.build`).
"""
from __future__ import annotations

import math  # noqa: F401  the generated rules use math and the op table's helpers

import numpy as np
from numba import njit

from .sweeps import azmul, digamma, lgamma, trigamma  # noqa: F401  used by the rules

ELEM, SUM, MATMUL, GATHER = 0, 1, 2, 3
MM_VV, MM_CV, MM_VC = 0, 1, 2  # matmul: both variables; A constant; B constant
N_KINDS = 4

_KERNEL = dict(cache=True, nogil=True, error_model="numpy")


@njit(**_KERNEL)
def run_values(code, index, consts, work):
    """Values of every row into ``work``; the inputs already set."""
    for i in range(code.shape[0]):
        kind = code[i, 0]
        r = code[i, 2]
        n = code[i, 3]
        if kind == ELEM:
            elem_values(code[i, 1], r, n, code[i, 4], code[i, 6], code[i, 5], code[i, 7],
                        consts, work)
        else:
            _structural(code, i, index, consts, work)


@njit(**_KERNEL)
def run_partials(code, index, consts, work, p0, p1):
    """Values of every row, and the ELEM rows' partials by result slot."""
    for i in range(code.shape[0]):
        kind = code[i, 0]
        r = code[i, 2]
        n = code[i, 3]
        if kind == ELEM:
            elem_partials(code[i, 1], r, n, code[i, 4], code[i, 6], code[i, 5], code[i, 7],
                          consts, work, p0, p1)
        else:
            _structural(code, i, index, consts, work)


@njit(**_KERNEL)
def _structural(code, i, index, consts, work):
    """The value of a SUM, MATMUL or GATHER row."""
    kind = code[i, 0]
    r = code[i, 2]
    n = code[i, 3]
    a0 = code[i, 4]
    a1 = code[i, 5]
    p = code[i, 6]
    q = code[i, 7]
    if kind == SUM:
        if q == 1:
            for o in range(n):
                work[r + o] = _sum(work[a0 + o * p:a0 + (o + 1) * p])
        else:
            for j in range(n):
                work[r + j] = 0.0
            outer = n // q if q > 0 else 0
            for o in range(outer):
                for k in range(p):
                    base = a0 + (o * p + k) * q
                    out = r + o * q
                    for t in range(q):
                        work[out + t] += work[np.uint64(base + t)]
    elif kind == MATMUL:
        m = n // q if q > 0 else 0
        mode = code[i, 1]
        if m == 0 or q == 0:
            return
        if p == 0:
            work[r:r + n] = 0.0
            return
        # BLAS (gemv, gemm), several times faster than a loop here
        out = work[r:r + n].reshape((m, q))
        if mode == MM_CV:
            np.dot(consts[a0:a0 + m * p].reshape((m, p)), work[a1:a1 + p * q].reshape((p, q)),
                   out)
        elif mode == MM_VC:
            np.dot(work[a0:a0 + m * p].reshape((m, p)), consts[a1:a1 + p * q].reshape((p, q)),
                   out)
        else:
            np.dot(work[a0:a0 + m * p].reshape((m, p)), work[a1:a1 + p * q].reshape((p, q)),
                   out)
    else:  # GATHER
        for j in range(n):
            work[r + j] = work[np.uint64(index[a0 + j])]


@njit(**_KERNEL)
def _sum(v):
    """The sum of ``v`` in four interleaved partial sums (a serial sum waits
    on the adder's latency at every element); the tail last."""
    n4 = v.shape[0] // 4 * 4
    s0 = 0.0
    s1 = 0.0
    s2 = 0.0
    s3 = 0.0
    for k in range(0, n4, 4):
        s0 += v[k]
        s1 += v[k + 1]
        s2 += v[k + 2]
        s3 += v[k + 3]
    s = (s0 + s1) + (s2 + s3)
    for k in range(n4, v.shape[0]):
        s += v[k]
    return s


@njit(**_KERNEL)
def _dot(u, v):
    """The dot product of ``u`` and ``v`` in four interleaved partial sums."""
    n4 = u.shape[0] // 4 * 4
    s0 = 0.0
    s1 = 0.0
    s2 = 0.0
    s3 = 0.0
    for k in range(0, n4, 4):
        s0 += u[k] * v[k]
        s1 += u[k + 1] * v[k + 1]
        s2 += u[k + 2] * v[k + 2]
        s3 += u[k + 3] * v[k + 3]
    s = (s0 + s1) + (s2 + s3)
    for k in range(n4, u.shape[0]):
        s += u[k] * v[k]
    return s


@njit(**_KERNEL)
def first_flip(guards, work):
    """The first guard whose condition differs from the recorded outcome, or -1."""
    for g in range(guards.shape[0]):
        holds = work[np.uint64(guards[g, 0])] != 0.0
        if holds != (guards[g, 1] != 0):
            return g
    return -1


@njit(**_KERNEL)
def forward(code, index, consts, outputs, guards, x, work):
    """``(y, flip)`` at one point ``x``."""
    work[:x.shape[0]] = x
    run_values(code, index, consts, work)
    y = np.empty(outputs.shape[0])
    for k in range(outputs.shape[0]):
        y[k] = work[np.uint64(outputs[k])]
    return y, first_flip(guards, work)


@njit(**_KERNEL)
def reverse(code, index, consts, kinds, flags, work, p0, p1, adj):
    """One adjoint sweep: ``adj`` (one per slot) seeded at the outputs,
    accumulated backwards into every operand down to the inputs. ``flags``
    bit 0 (bit 1) of a row: its first (second) operand is the whole block of an
    earlier row that nothing later reads, so its adjoints are assigned, not
    added to zeros (:func:`adjit.arrays.reverse_plan`)."""
    for i in range(code.shape[0] - 1, -1, -1):
        kind = code[i, 0]
        r = code[i, 2]
        n = code[i, 3]
        a0 = code[i, 4]
        a1 = code[i, 5]
        p = code[i, 6]
        q = code[i, 7]
        if kind == ELEM:
            k = kinds[code[i, 1]]
            if k == 0:  # a constant load
                continue
            if flags[i] & 1:
                _assign(adj, p0, r, n, a0)
            else:
                _accumulate(adj, p0, r, n, a0, p)
            if k == 2:  # two variable operands
                if flags[i] & 2:
                    _assign(adj, p1, r, n, a1)
                else:
                    _accumulate(adj, p1, r, n, a1, q)
        elif kind == SUM:
            if q == 1:
                for o in range(n):
                    g = adj[r + o]
                    D = adj[a0 + o * p:a0 + (o + 1) * p]
                    if flags[i] & 1:
                        D[:] = g
                    else:
                        for kk in range(p):
                            D[kk] += g
                continue
            outer = n // q if q > 0 else 0
            for o in range(outer):
                for kk in range(p):
                    base = a0 + (o * p + kk) * q
                    src = r + o * q
                    for t in range(q):
                        adj[np.uint64(base + t)] += adj[src + t]
        elif kind == MATMUL:
            m = n // q if q > 0 else 0
            mode = code[i, 1]
            if q == 1:  # matrix times vector: two axpys per row
                for row in range(m):
                    g = adj[r + row]
                    if g == 0.0:
                        continue
                    lo = a0 + row * p
                    if mode != MM_CV:
                        Bv = consts[a1:a1 + p] if mode == MM_VC else work[a1:a1 + p]
                        DA = adj[lo:lo + p]
                        for kk in range(p):
                            DA[kk] += g * Bv[kk]
                    if mode != MM_VC:
                        Av = consts[lo:lo + p] if mode == MM_CV else work[lo:lo + p]
                        DB = adj[a1:a1 + p]
                        for kk in range(p):
                            DB[kk] += Av[kk] * g
                continue
            for row in range(m):
                src = r + row * q
                for kk in range(p):
                    b = a1 + kk * q
                    ia = np.uint64(a0 + row * p + kk)
                    if mode != MM_CV:  # A is variable: dA[row, kk] = sum_c dR[row, c] B[kk, c]
                        s = 0.0
                        if mode == MM_VC:
                            for c in range(q):
                                s += adj[src + c] * consts[np.uint64(b + c)]
                        else:
                            for c in range(q):
                                s += adj[src + c] * work[np.uint64(b + c)]
                        adj[ia] += s
                    if mode != MM_VC:  # B is variable: dB[kk, c] += A[row, kk] dR[row, c]
                        aik = consts[ia] if mode == MM_CV else work[ia]
                        for c in range(q):
                            adj[np.uint64(b + c)] += aik * adj[src + c]
        else:  # GATHER
            for j in range(n):
                adj[np.uint64(index[a0 + j])] += adj[r + j]


@njit(**_KERNEL)
def _accumulate(adj, part, r, n, a, step):
    """adj[a + j*step] += part[r + j] * adj[r + j], j < n, where a zero on
    either side gives zero (azmul: a zero adjoint never meets an infinite
    partial). Contiguous operands run as a plain loop LLVM vectorizes."""
    if step == 1:
        G = adj[r:r + n]
        P = part[r:r + n]
        D = adj[a:a + n]
        for j in range(n):
            g = G[j]
            d = P[j]
            D[j] += 0.0 if (d == 0.0 or g == 0.0) else d * g
    elif step == 0:
        s = 0.0
        for j in range(n):
            g = adj[r + j]
            d = part[r + j]
            s += 0.0 if (d == 0.0 or g == 0.0) else d * g
        adj[a] += s
    else:
        for j in range(n):
            g = adj[r + j]
            d = part[r + j]
            adj[np.uint64(a + j * step)] += 0.0 if (d == 0.0 or g == 0.0) else d * g


@njit(**_KERNEL)
def _assign(adj, part, r, n, a):
    """adj[a + j] = part[r + j] * adj[r + j] (azmul), j < n: the first and only
    adjoint a block gets."""
    G = adj[r:r + n]
    P = part[r:r + n]
    D = adj[a:a + n]
    for j in range(n):
        g = G[j]
        d = P[j]
        D[j] = 0.0 if (d == 0.0 or g == 0.0) else d * g


@njit(**_KERNEL)
def _zero(adj, zero):
    """Zero the slot ranges ``zero`` (rows lo, hi): the adjoints not assigned."""
    for k in range(zero.shape[0]):
        adj[zero[k, 0]:zero[k, 1]] = 0.0


@njit(**_KERNEL)
def value_and_gradient(code, index, consts, kinds, flags, zero, outputs, guards, x, work, p0,
                       p1, adj):
    """``(y, gradient, flip)`` of a single-output program at ``x``."""
    n_in = x.shape[0]
    work[:n_in] = x
    run_partials(code, index, consts, work, p0, p1)
    y = work[np.uint64(outputs[0])]
    flip = first_flip(guards, work)
    _zero(adj, zero)
    adj[np.uint64(outputs[0])] = 1.0
    reverse(code, index, consts, kinds, flags, work, p0, p1, adj)
    return y, adj[:n_in].copy(), flip


@njit(**_KERNEL)
def batch_value_and_gradient(code, index, consts, kinds, flags, zero, outputs, guards, xs, work,
                             p0, p1, adj):
    """Values ``(B,)``, gradients ``(B, n)`` and flips ``(B,)`` at the rows of ``xs``."""
    npts, n_in = xs.shape
    ys = np.empty(npts)
    gs = np.empty((npts, n_in))
    flips = np.empty(npts, dtype=np.int64)
    out = np.uint64(outputs[0])
    for k in range(npts):
        work[:n_in] = xs[k]
        run_partials(code, index, consts, work, p0, p1)
        ys[k] = work[out]
        flips[k] = first_flip(guards, work)
        _zero(adj, zero)
        adj[out] = 1.0
        reverse(code, index, consts, kinds, flags, work, p0, p1, adj)
        gs[k] = adj[:n_in]
    return ys, gs, flips


@njit(**_KERNEL)
def batch_forward(code, index, consts, outputs, guards, xs, work):
    """Outputs ``(B, m)`` and flips ``(B,)`` at the rows of ``xs``."""
    npts, n_in = xs.shape
    ys = np.empty((npts, outputs.shape[0]))
    flips = np.empty(npts, dtype=np.int64)
    for k in range(npts):
        work[:n_in] = xs[k]
        run_values(code, index, consts, work)
        for m in range(outputs.shape[0]):
            ys[k, m] = work[np.uint64(outputs[m])]
        flips[k] = first_flip(guards, work)
    return ys, flips


@njit(**_KERNEL)
def tangents(code, index, consts, kinds, work, p0, p1, t):
    """Tangents ``t[slot, direction]`` of every row, the inputs' rows seeded."""
    nd = t.shape[1]
    for i in range(code.shape[0]):
        kind = code[i, 0]
        r = code[i, 2]
        n = code[i, 3]
        a0 = code[i, 4]
        a1 = code[i, 5]
        p = code[i, 6]
        q = code[i, 7]
        if kind == ELEM:
            k = kinds[code[i, 1]]
            for j in range(n):
                if k == 0:
                    for d in range(nd):
                        t[r + j, d] = 0.0
                    continue
                q0 = p0[r + j]
                s0 = np.uint64(a0 + j * p)
                if k == 2:
                    q1 = p1[r + j]
                    s1 = np.uint64(a1 + j * q)
                    for d in range(nd):
                        v = q0 * t[s0, d] + q1 * t[s1, d]
                        if v != v:
                            v = azmul(q0, t[s0, d]) + azmul(q1, t[s1, d])
                        t[r + j, d] = v
                else:
                    for d in range(nd):
                        v = q0 * t[s0, d]
                        if v != v:
                            v = azmul(q0, t[s0, d])
                        t[r + j, d] = v
        elif kind == SUM:
            for j in range(n):
                for d in range(nd):
                    t[r + j, d] = 0.0
            outer = n // q if q > 0 else 0
            for o in range(outer):
                for kk in range(p):
                    base = a0 + (o * p + kk) * q
                    for c in range(q):
                        for d in range(nd):
                            t[r + o * q + c, d] += t[np.uint64(base + c), d]
        elif kind == MATMUL:
            _matmul_tangents(i, code, consts, work, t)
        else:  # GATHER
            for j in range(n):
                src = np.uint64(index[a0 + j])
                for d in range(nd):
                    t[r + j, d] = t[src, d]


@njit(**_KERNEL)
def adjoints(code, index, consts, kinds, work, p0, p1, a):
    """Adjoint sweep of several seeds at once: ``a[slot, seed]``, seeded at the
    outputs, accumulated backwards down to the inputs' rows."""
    nd = a.shape[1]
    for i in range(code.shape[0] - 1, -1, -1):
        kind = code[i, 0]
        r = code[i, 2]
        n = code[i, 3]
        a0 = code[i, 4]
        a1 = code[i, 5]
        p = code[i, 6]
        q = code[i, 7]
        if kind == ELEM:
            k = kinds[code[i, 1]]
            if k == 0:
                continue
            for j in range(n):
                q0 = p0[r + j]
                s0 = np.uint64(a0 + j * p)
                for d in range(nd):
                    g = a[r + j, d]
                    if g != 0.0:
                        v = q0 * g
                        if v != v:
                            v = azmul(q0, g)
                        a[s0, d] += v
                if k == 2:
                    q1 = p1[r + j]
                    s1 = np.uint64(a1 + j * q)
                    for d in range(nd):
                        g = a[r + j, d]
                        if g != 0.0:
                            v = q1 * g
                            if v != v:
                                v = azmul(q1, g)
                            a[s1, d] += v
        elif kind == SUM:
            outer = n // q if q > 0 else 0
            for o in range(outer):
                for kk in range(p):
                    base = a0 + (o * p + kk) * q
                    for c in range(q):
                        for d in range(nd):
                            a[np.uint64(base + c), d] += a[r + o * q + c, d]
        elif kind == MATMUL:
            m = n // q if q > 0 else 0
            mode = code[i, 1]
            for row in range(m):
                for kk in range(p):
                    ia = np.uint64(a0 + row * p + kk)
                    b = a1 + kk * q
                    aik = consts[ia] if mode == MM_CV else work[ia]
                    for c in range(q):
                        ib = np.uint64(b + c)
                        bkc = consts[ib] if mode == MM_VC else work[ib]
                        src = r + row * q + c
                        for d in range(nd):
                            g = a[src, d]
                            if mode != MM_CV:
                                a[ia, d] += g * bkc
                            if mode != MM_VC:
                                a[ib, d] += aik * g
        else:  # GATHER
            for j in range(n):
                dst = np.uint64(index[a0 + j])
                for d in range(nd):
                    a[dst, d] += a[r + j, d]


@njit(**_KERNEL)
def run_second(code, index, consts, work, p0, p1, s00, s01, s11):
    """Values of every row, and the ELEM rows' first and second partials by slot."""
    for i in range(code.shape[0]):
        if code[i, 0] == ELEM:
            elem_second(code[i, 1], code[i, 2], code[i, 3], code[i, 4], code[i, 6],
                        code[i, 5], code[i, 7], consts, work, p0, p1, s00, s01, s11)
        else:
            _structural(code, i, index, consts, work)


@njit(**_KERNEL)
def _matmul_tangents(i, code, consts, work, t):
    """Tangents of a MATMUL row: dR = dA B + A dB, the A dB part as one matrix
    product when A is not traced (the common X @ w)."""
    r = code[i, 2]
    n = code[i, 3]
    a0 = code[i, 4]
    a1 = code[i, 5]
    p = code[i, 6]
    q = code[i, 7]
    mode = code[i, 1]
    m = n // q if q > 0 else 0
    nd = t.shape[1]
    t[r:r + n, :] = 0.0
    if mode == MM_CV and m > 0 and p > 0:
        A = consts[a0:a0 + m * p].reshape((m, p))
        tf = t.reshape(t.size)  # 1-D: its slices are contiguous to Numba
        dB = tf[a1 * nd:(a1 + p * q) * nd].reshape((p, q * nd))
        tf[r * nd:(r + n) * nd] = np.dot(A, dB).reshape(n * nd)
        return
    for row in range(m):
        for kk in range(p):
            ia = a0 + row * p + kk
            aik = consts[ia] if mode == MM_CV else work[ia]
            for c in range(q):
                ib = a1 + kk * q + c
                bkc = consts[ib] if mode == MM_VC else work[ib]
                out = r + row * q + c
                for d in range(nd):
                    v = 0.0
                    if mode != MM_CV:
                        v += t[ia, d] * bkc
                    if mode != MM_VC:
                        v += aik * t[ib, d]
                    t[out, d] += v


@njit(**_KERNEL)
def hvp_reverse(code, index, consts, kinds, work, p0, p1, s00, s01, s11, t, abar, at):
    """The adjoint sweep of forward-over-reverse: adjoints ``abar`` (one seed,
    set at the outputs) and their tangents ``at[slot, direction]`` along the
    tangents ``t`` of a forward sweep; ``at`` at the inputs is then H @ V."""
    nd = t.shape[1]
    for i in range(code.shape[0] - 1, -1, -1):
        kind = code[i, 0]
        r = code[i, 2]
        n = code[i, 3]
        a0 = code[i, 4]
        a1 = code[i, 5]
        p = code[i, 6]
        q = code[i, 7]
        if kind == ELEM:
            k = kinds[code[i, 1]]
            if k == 0:
                continue
            for j in range(n):
                g = abar[r + j]
                i0 = a0 + j * p
                d0 = p0[r + j]
                if k == 2:
                    i1 = a1 + j * q
                    d1 = p1[r + j]
                    if g != 0.0:
                        abar[i0] += d0 * g
                        abar[i1] += d1 * g
                        h00 = s00[r + j] * g
                        h01 = s01[r + j] * g
                        h11 = s11[r + j] * g
                        for d in range(nd):
                            ar = at[r + j, d]
                            ta = t[i0, d]
                            tb = t[i1, d]
                            at[i0, d] += azmul(d0, ar) + azmul(h00, ta) + azmul(h01, tb)
                            at[i1, d] += azmul(d1, ar) + azmul(h01, ta) + azmul(h11, tb)
                    else:
                        for d in range(nd):
                            ar = at[r + j, d]
                            if ar != 0.0:
                                at[i0, d] += azmul(d0, ar)
                                at[i1, d] += azmul(d1, ar)
                else:
                    if g != 0.0:
                        abar[i0] += d0 * g
                        h00 = s00[r + j] * g
                        for d in range(nd):
                            ar = at[r + j, d]
                            at[i0, d] += azmul(d0, ar) + azmul(h00, t[i0, d])
                    else:
                        for d in range(nd):
                            ar = at[r + j, d]
                            if ar != 0.0:
                                at[i0, d] += azmul(d0, ar)
        elif kind == SUM:
            outer = n // q if q > 0 else 0
            for o in range(outer):
                for kk in range(p):
                    base = a0 + (o * p + kk) * q
                    for c in range(q):
                        src = r + o * q + c
                        abar[base + c] += abar[src]
                        for d in range(nd):
                            at[base + c, d] += at[src, d]
        elif kind == MATMUL:
            mode = code[i, 1]
            m = n // q if q > 0 else 0
            if mode == MM_CV and m > 0 and p > 0:
                A = consts[a0:a0 + m * p].reshape((m, p))
                G = abar[r:r + n].reshape((m, q))
                abar[a1:a1 + p * q] += np.dot(A.T, G).reshape(p * q)
                af = at.reshape(at.size)
                GT = af[r * nd:(r + n) * nd].reshape((m, q * nd))
                af[a1 * nd:(a1 + p * q) * nd] += np.dot(A.T, GT).reshape(p * q * nd)
                continue
            for row in range(m):
                for kk in range(p):
                    ia = a0 + row * p + kk
                    aik = consts[ia] if mode == MM_CV else work[ia]
                    for c in range(q):
                        ib = a1 + kk * q + c
                        bkc = consts[ib] if mode == MM_VC else work[ib]
                        src = r + row * q + c
                        g = abar[src]
                        if mode != MM_CV:
                            abar[ia] += g * bkc
                        if mode != MM_VC:
                            abar[ib] += aik * g
                        for d in range(nd):
                            gt = at[src, d]
                            if mode != MM_CV:
                                v = gt * bkc
                                if mode == MM_VV:
                                    v += g * t[ib, d]
                                at[ia, d] += v
                            if mode != MM_VC:
                                v = aik * gt
                                if mode == MM_VV:
                                    v += t[ia, d] * g
                                at[ib, d] += v
        else:  # GATHER
            for j in range(n):
                dst = index[a0 + j]
                abar[dst] += abar[r + j]
                for d in range(nd):
                    at[dst, d] += at[r + j, d]


@njit(**_KERNEL)
def hvp(code, index, consts, kinds, outputs, guards, x, w, v, work, p0, p1, s00, s01, s11, t,
        abar, at):
    """``(y, H @ v, flip)``: outputs, and the Hessian of ``w . f`` times the
    columns of ``v`` ``(n, p)``, by one forward sweep with tangents and one
    adjoint sweep with their tangents."""
    n_in = x.shape[0]
    work[:n_in] = x
    run_second(code, index, consts, work, p0, p1, s00, s01, s11)
    flip = first_flip(guards, work)
    t[:n_in, :] = v
    tangents(code, index, consts, kinds, work, p0, p1, t)
    abar[:] = 0.0
    at[:, :] = 0.0
    y = np.empty(outputs.shape[0])
    for k in range(outputs.shape[0]):
        y[k] = work[outputs[k]]
        abar[outputs[k]] += w[k]
    hvp_reverse(code, index, consts, kinds, work, p0, p1, s00, s01, s11, t, abar, at)
    return y, at[:n_in, :].copy(), flip


# ---- BEGIN GENERATED by adjit.codegen from adjit.ops (do not edit) ----
# op table hash: 14c7e438044cb380

@njit(cache=True, nogil=True, error_model="numpy")
def elem_values(op, r, n, i0, s0, i1, s1, consts, work):
    """One elementwise array instruction's values: work[r + j] for j < n."""
    R = work[r:r + n]
    A = work[i0:i0 + n]
    if op == 0:  # const
        for j in range(n):
            work[r + j] = consts[np.uint64(i0 + j * s0)]
    elif op == 1:  # add
        if s0 == 1 and s1 == 1:
            B = work[i1:i1 + n]
            for j in range(n):
                a = A[j]
                b = B[j]
                y = a + b
                R[j] = y
        elif s0 == 1 and s1 == 0:
            bs = work[i1]
            for j in range(n):
                a = A[j]
                b = bs
                y = a + b
                R[j] = y
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                b = work[np.uint64(i1 + j * s1)]
                y = a + b
                work[r + j] = y
    elif op == 2:  # add_vc
        if s0 == 1 and s1 == 1:
            B = consts[i1:i1 + n]
            for j in range(n):
                a = A[j]
                b = B[j]
                y = a + b
                R[j] = y
        elif s0 == 1 and s1 == 0:
            bs = consts[i1]
            for j in range(n):
                a = A[j]
                b = bs
                y = a + b
                R[j] = y
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                b = consts[np.uint64(i1 + j * s1)]
                y = a + b
                work[r + j] = y
    elif op == 3:  # sub
        if s0 == 1 and s1 == 1:
            B = work[i1:i1 + n]
            for j in range(n):
                a = A[j]
                b = B[j]
                y = a - b
                R[j] = y
        elif s0 == 1 and s1 == 0:
            bs = work[i1]
            for j in range(n):
                a = A[j]
                b = bs
                y = a - b
                R[j] = y
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                b = work[np.uint64(i1 + j * s1)]
                y = a - b
                work[r + j] = y
    elif op == 4:  # sub_vc
        if s0 == 1 and s1 == 1:
            B = consts[i1:i1 + n]
            for j in range(n):
                a = A[j]
                b = B[j]
                y = a - b
                R[j] = y
        elif s0 == 1 and s1 == 0:
            bs = consts[i1]
            for j in range(n):
                a = A[j]
                b = bs
                y = a - b
                R[j] = y
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                b = consts[np.uint64(i1 + j * s1)]
                y = a - b
                work[r + j] = y
    elif op == 5:  # sub_cv
        if s0 == 1 and s1 == 1:
            B = consts[i1:i1 + n]
            for j in range(n):
                a = B[j]
                b = A[j]
                y = a - b
                R[j] = y
        elif s0 == 1 and s1 == 0:
            bs = consts[i1]
            for j in range(n):
                a = bs
                b = A[j]
                y = a - b
                R[j] = y
        else:
            for j in range(n):
                a = consts[np.uint64(i1 + j * s1)]
                b = work[np.uint64(i0 + j * s0)]
                y = a - b
                work[r + j] = y
    elif op == 6:  # mul
        if s0 == 1 and s1 == 1:
            B = work[i1:i1 + n]
            for j in range(n):
                a = A[j]
                b = B[j]
                y = a * b
                R[j] = y
        elif s0 == 1 and s1 == 0:
            bs = work[i1]
            for j in range(n):
                a = A[j]
                b = bs
                y = a * b
                R[j] = y
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                b = work[np.uint64(i1 + j * s1)]
                y = a * b
                work[r + j] = y
    elif op == 7:  # mul_vc
        if s0 == 1 and s1 == 1:
            B = consts[i1:i1 + n]
            for j in range(n):
                a = A[j]
                b = B[j]
                y = a * b
                R[j] = y
        elif s0 == 1 and s1 == 0:
            bs = consts[i1]
            for j in range(n):
                a = A[j]
                b = bs
                y = a * b
                R[j] = y
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                b = consts[np.uint64(i1 + j * s1)]
                y = a * b
                work[r + j] = y
    elif op == 8:  # div
        if s0 == 1 and s1 == 1:
            B = work[i1:i1 + n]
            for j in range(n):
                a = A[j]
                b = B[j]
                y = a / b
                R[j] = y
        elif s0 == 1 and s1 == 0:
            bs = work[i1]
            for j in range(n):
                a = A[j]
                b = bs
                y = a / b
                R[j] = y
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                b = work[np.uint64(i1 + j * s1)]
                y = a / b
                work[r + j] = y
    elif op == 9:  # div_vc
        if s0 == 1 and s1 == 1:
            B = consts[i1:i1 + n]
            for j in range(n):
                a = A[j]
                b = B[j]
                y = a / b
                R[j] = y
        elif s0 == 1 and s1 == 0:
            bs = consts[i1]
            for j in range(n):
                a = A[j]
                b = bs
                y = a / b
                R[j] = y
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                b = consts[np.uint64(i1 + j * s1)]
                y = a / b
                work[r + j] = y
    elif op == 10:  # div_cv
        if s0 == 1 and s1 == 1:
            B = consts[i1:i1 + n]
            for j in range(n):
                a = B[j]
                b = A[j]
                y = a / b
                R[j] = y
        elif s0 == 1 and s1 == 0:
            bs = consts[i1]
            for j in range(n):
                a = bs
                b = A[j]
                y = a / b
                R[j] = y
        else:
            for j in range(n):
                a = consts[np.uint64(i1 + j * s1)]
                b = work[np.uint64(i0 + j * s0)]
                y = a / b
                work[r + j] = y
    elif op == 49:  # neg
        if s0 == 1:
            for j in range(n):
                a = A[j]
                y = -a
                R[j] = y
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                y = -a
                work[r + j] = y
    elif op == 55:  # square
        if s0 == 1:
            for j in range(n):
                a = A[j]
                y = a * a
                R[j] = y
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                y = a * a
                work[r + j] = y
    elif op == 56:  # reciprocal
        if s0 == 1:
            for j in range(n):
                a = A[j]
                y = 1.0 / a
                R[j] = y
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                y = 1.0 / a
                work[r + j] = y
    elif op == 80:  # sqdiff
        if s0 == 1 and s1 == 1:
            B = work[i1:i1 + n]
            for j in range(n):
                a = A[j]
                b = B[j]
                y = (a - b) * (a - b)
                R[j] = y
        elif s0 == 1 and s1 == 0:
            bs = work[i1]
            for j in range(n):
                a = A[j]
                b = bs
                y = (a - b) * (a - b)
                R[j] = y
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                b = work[np.uint64(i1 + j * s1)]
                y = (a - b) * (a - b)
                work[r + j] = y
    elif op == 81:  # sqdiff_vc
        if s0 == 1 and s1 == 1:
            B = consts[i1:i1 + n]
            for j in range(n):
                a = A[j]
                b = B[j]
                y = (a - b) * (a - b)
                R[j] = y
        elif s0 == 1 and s1 == 0:
            bs = consts[i1]
            for j in range(n):
                a = A[j]
                b = bs
                y = (a - b) * (a - b)
                R[j] = y
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                b = consts[np.uint64(i1 + j * s1)]
                y = (a - b) * (a - b)
                work[r + j] = y
    elif op == 82:  # sqdiff_cv
        if s0 == 1 and s1 == 1:
            B = consts[i1:i1 + n]
            for j in range(n):
                a = B[j]
                b = A[j]
                y = (a - b) * (a - b)
                R[j] = y
        elif s0 == 1 and s1 == 0:
            bs = consts[i1]
            for j in range(n):
                a = bs
                b = A[j]
                y = (a - b) * (a - b)
                R[j] = y
        else:
            for j in range(n):
                a = consts[np.uint64(i1 + j * s1)]
                b = work[np.uint64(i0 + j * s0)]
                y = (a - b) * (a - b)
                work[r + j] = y
    elif op == 83:  # cube
        if s0 == 1:
            for j in range(n):
                a = A[j]
                y = a * a * a
                R[j] = y
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                y = a * a * a
                work[r + j] = y
    elif op == 84:  # inv_cube
        if s0 == 1:
            for j in range(n):
                a = A[j]
                y = 1.0 / (a * a * a)
                R[j] = y
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                y = 1.0 / (a * a * a)
                work[r + j] = y
    elif op == 11:  # pow
        if s0 == 1 and s1 == 1:
            B = work[i1:i1 + n]
            for j in range(n):
                a = A[j]
                b = B[j]
                y = a ** b
                R[j] = y
        elif s0 == 1 and s1 == 0:
            bs = work[i1]
            for j in range(n):
                a = A[j]
                b = bs
                y = a ** b
                R[j] = y
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                b = work[np.uint64(i1 + j * s1)]
                y = a ** b
                work[r + j] = y
    elif op == 12:  # pow_vc
        if s0 == 1 and s1 == 1:
            B = consts[i1:i1 + n]
            for j in range(n):
                a = A[j]
                b = B[j]
                y = a ** b
                R[j] = y
        elif s0 == 1 and s1 == 0:
            bs = consts[i1]
            for j in range(n):
                a = A[j]
                b = bs
                y = a ** b
                R[j] = y
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                b = consts[np.uint64(i1 + j * s1)]
                y = a ** b
                work[r + j] = y
    elif op == 13:  # pow_cv
        if s0 == 1 and s1 == 1:
            B = consts[i1:i1 + n]
            for j in range(n):
                a = B[j]
                b = A[j]
                y = a ** b
                R[j] = y
        elif s0 == 1 and s1 == 0:
            bs = consts[i1]
            for j in range(n):
                a = bs
                b = A[j]
                y = a ** b
                R[j] = y
        else:
            for j in range(n):
                a = consts[np.uint64(i1 + j * s1)]
                b = work[np.uint64(i0 + j * s0)]
                y = a ** b
                work[r + j] = y
    elif op == 14:  # atan2
        if s0 == 1 and s1 == 1:
            B = work[i1:i1 + n]
            for j in range(n):
                a = A[j]
                b = B[j]
                y = np.arctan2(a, b)
                R[j] = y
        elif s0 == 1 and s1 == 0:
            bs = work[i1]
            for j in range(n):
                a = A[j]
                b = bs
                y = np.arctan2(a, b)
                R[j] = y
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                b = work[np.uint64(i1 + j * s1)]
                y = np.arctan2(a, b)
                work[r + j] = y
    elif op == 15:  # atan2_vc
        if s0 == 1 and s1 == 1:
            B = consts[i1:i1 + n]
            for j in range(n):
                a = A[j]
                b = B[j]
                y = np.arctan2(a, b)
                R[j] = y
        elif s0 == 1 and s1 == 0:
            bs = consts[i1]
            for j in range(n):
                a = A[j]
                b = bs
                y = np.arctan2(a, b)
                R[j] = y
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                b = consts[np.uint64(i1 + j * s1)]
                y = np.arctan2(a, b)
                work[r + j] = y
    elif op == 16:  # atan2_cv
        if s0 == 1 and s1 == 1:
            B = consts[i1:i1 + n]
            for j in range(n):
                a = B[j]
                b = A[j]
                y = np.arctan2(a, b)
                R[j] = y
        elif s0 == 1 and s1 == 0:
            bs = consts[i1]
            for j in range(n):
                a = bs
                b = A[j]
                y = np.arctan2(a, b)
                R[j] = y
        else:
            for j in range(n):
                a = consts[np.uint64(i1 + j * s1)]
                b = work[np.uint64(i0 + j * s0)]
                y = np.arctan2(a, b)
                work[r + j] = y
    elif op == 17:  # hypot
        if s0 == 1 and s1 == 1:
            B = work[i1:i1 + n]
            for j in range(n):
                a = A[j]
                b = B[j]
                y = np.hypot(a, b)
                R[j] = y
        elif s0 == 1 and s1 == 0:
            bs = work[i1]
            for j in range(n):
                a = A[j]
                b = bs
                y = np.hypot(a, b)
                R[j] = y
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                b = work[np.uint64(i1 + j * s1)]
                y = np.hypot(a, b)
                work[r + j] = y
    elif op == 18:  # hypot_vc
        if s0 == 1 and s1 == 1:
            B = consts[i1:i1 + n]
            for j in range(n):
                a = A[j]
                b = B[j]
                y = np.hypot(a, b)
                R[j] = y
        elif s0 == 1 and s1 == 0:
            bs = consts[i1]
            for j in range(n):
                a = A[j]
                b = bs
                y = np.hypot(a, b)
                R[j] = y
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                b = consts[np.uint64(i1 + j * s1)]
                y = np.hypot(a, b)
                work[r + j] = y
    elif op == 19:  # minimum
        if s0 == 1 and s1 == 1:
            B = work[i1:i1 + n]
            for j in range(n):
                a = A[j]
                b = B[j]
                y = a if a < b else (b if b < a else (a if a == b else a + b))
                R[j] = y
        elif s0 == 1 and s1 == 0:
            bs = work[i1]
            for j in range(n):
                a = A[j]
                b = bs
                y = a if a < b else (b if b < a else (a if a == b else a + b))
                R[j] = y
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                b = work[np.uint64(i1 + j * s1)]
                y = a if a < b else (b if b < a else (a if a == b else a + b))
                work[r + j] = y
    elif op == 20:  # minimum_vc
        if s0 == 1 and s1 == 1:
            B = consts[i1:i1 + n]
            for j in range(n):
                a = A[j]
                b = B[j]
                y = a if a < b else (b if b < a else (a if a == b else a + b))
                R[j] = y
        elif s0 == 1 and s1 == 0:
            bs = consts[i1]
            for j in range(n):
                a = A[j]
                b = bs
                y = a if a < b else (b if b < a else (a if a == b else a + b))
                R[j] = y
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                b = consts[np.uint64(i1 + j * s1)]
                y = a if a < b else (b if b < a else (a if a == b else a + b))
                work[r + j] = y
    elif op == 21:  # maximum
        if s0 == 1 and s1 == 1:
            B = work[i1:i1 + n]
            for j in range(n):
                a = A[j]
                b = B[j]
                y = a if a > b else (b if b > a else (a if a == b else a + b))
                R[j] = y
        elif s0 == 1 and s1 == 0:
            bs = work[i1]
            for j in range(n):
                a = A[j]
                b = bs
                y = a if a > b else (b if b > a else (a if a == b else a + b))
                R[j] = y
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                b = work[np.uint64(i1 + j * s1)]
                y = a if a > b else (b if b > a else (a if a == b else a + b))
                work[r + j] = y
    elif op == 22:  # maximum_vc
        if s0 == 1 and s1 == 1:
            B = consts[i1:i1 + n]
            for j in range(n):
                a = A[j]
                b = B[j]
                y = a if a > b else (b if b > a else (a if a == b else a + b))
                R[j] = y
        elif s0 == 1 and s1 == 0:
            bs = consts[i1]
            for j in range(n):
                a = A[j]
                b = bs
                y = a if a > b else (b if b > a else (a if a == b else a + b))
                R[j] = y
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                b = consts[np.uint64(i1 + j * s1)]
                y = a if a > b else (b if b > a else (a if a == b else a + b))
                work[r + j] = y
    elif op == 23:  # lt
        if s0 == 1 and s1 == 1:
            B = work[i1:i1 + n]
            for j in range(n):
                a = A[j]
                b = B[j]
                y = 1.0 if a < b else 0.0
                R[j] = y
        elif s0 == 1 and s1 == 0:
            bs = work[i1]
            for j in range(n):
                a = A[j]
                b = bs
                y = 1.0 if a < b else 0.0
                R[j] = y
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                b = work[np.uint64(i1 + j * s1)]
                y = 1.0 if a < b else 0.0
                work[r + j] = y
    elif op == 24:  # lt_vc
        if s0 == 1 and s1 == 1:
            B = consts[i1:i1 + n]
            for j in range(n):
                a = A[j]
                b = B[j]
                y = 1.0 if a < b else 0.0
                R[j] = y
        elif s0 == 1 and s1 == 0:
            bs = consts[i1]
            for j in range(n):
                a = A[j]
                b = bs
                y = 1.0 if a < b else 0.0
                R[j] = y
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                b = consts[np.uint64(i1 + j * s1)]
                y = 1.0 if a < b else 0.0
                work[r + j] = y
    elif op == 25:  # lt_cv
        if s0 == 1 and s1 == 1:
            B = consts[i1:i1 + n]
            for j in range(n):
                a = B[j]
                b = A[j]
                y = 1.0 if a < b else 0.0
                R[j] = y
        elif s0 == 1 and s1 == 0:
            bs = consts[i1]
            for j in range(n):
                a = bs
                b = A[j]
                y = 1.0 if a < b else 0.0
                R[j] = y
        else:
            for j in range(n):
                a = consts[np.uint64(i1 + j * s1)]
                b = work[np.uint64(i0 + j * s0)]
                y = 1.0 if a < b else 0.0
                work[r + j] = y
    elif op == 26:  # le
        if s0 == 1 and s1 == 1:
            B = work[i1:i1 + n]
            for j in range(n):
                a = A[j]
                b = B[j]
                y = 1.0 if a <= b else 0.0
                R[j] = y
        elif s0 == 1 and s1 == 0:
            bs = work[i1]
            for j in range(n):
                a = A[j]
                b = bs
                y = 1.0 if a <= b else 0.0
                R[j] = y
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                b = work[np.uint64(i1 + j * s1)]
                y = 1.0 if a <= b else 0.0
                work[r + j] = y
    elif op == 27:  # le_vc
        if s0 == 1 and s1 == 1:
            B = consts[i1:i1 + n]
            for j in range(n):
                a = A[j]
                b = B[j]
                y = 1.0 if a <= b else 0.0
                R[j] = y
        elif s0 == 1 and s1 == 0:
            bs = consts[i1]
            for j in range(n):
                a = A[j]
                b = bs
                y = 1.0 if a <= b else 0.0
                R[j] = y
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                b = consts[np.uint64(i1 + j * s1)]
                y = 1.0 if a <= b else 0.0
                work[r + j] = y
    elif op == 28:  # le_cv
        if s0 == 1 and s1 == 1:
            B = consts[i1:i1 + n]
            for j in range(n):
                a = B[j]
                b = A[j]
                y = 1.0 if a <= b else 0.0
                R[j] = y
        elif s0 == 1 and s1 == 0:
            bs = consts[i1]
            for j in range(n):
                a = bs
                b = A[j]
                y = 1.0 if a <= b else 0.0
                R[j] = y
        else:
            for j in range(n):
                a = consts[np.uint64(i1 + j * s1)]
                b = work[np.uint64(i0 + j * s0)]
                y = 1.0 if a <= b else 0.0
                work[r + j] = y
    elif op == 29:  # gt
        if s0 == 1 and s1 == 1:
            B = work[i1:i1 + n]
            for j in range(n):
                a = A[j]
                b = B[j]
                y = 1.0 if a > b else 0.0
                R[j] = y
        elif s0 == 1 and s1 == 0:
            bs = work[i1]
            for j in range(n):
                a = A[j]
                b = bs
                y = 1.0 if a > b else 0.0
                R[j] = y
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                b = work[np.uint64(i1 + j * s1)]
                y = 1.0 if a > b else 0.0
                work[r + j] = y
    elif op == 30:  # gt_vc
        if s0 == 1 and s1 == 1:
            B = consts[i1:i1 + n]
            for j in range(n):
                a = A[j]
                b = B[j]
                y = 1.0 if a > b else 0.0
                R[j] = y
        elif s0 == 1 and s1 == 0:
            bs = consts[i1]
            for j in range(n):
                a = A[j]
                b = bs
                y = 1.0 if a > b else 0.0
                R[j] = y
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                b = consts[np.uint64(i1 + j * s1)]
                y = 1.0 if a > b else 0.0
                work[r + j] = y
    elif op == 31:  # gt_cv
        if s0 == 1 and s1 == 1:
            B = consts[i1:i1 + n]
            for j in range(n):
                a = B[j]
                b = A[j]
                y = 1.0 if a > b else 0.0
                R[j] = y
        elif s0 == 1 and s1 == 0:
            bs = consts[i1]
            for j in range(n):
                a = bs
                b = A[j]
                y = 1.0 if a > b else 0.0
                R[j] = y
        else:
            for j in range(n):
                a = consts[np.uint64(i1 + j * s1)]
                b = work[np.uint64(i0 + j * s0)]
                y = 1.0 if a > b else 0.0
                work[r + j] = y
    elif op == 32:  # ge
        if s0 == 1 and s1 == 1:
            B = work[i1:i1 + n]
            for j in range(n):
                a = A[j]
                b = B[j]
                y = 1.0 if a >= b else 0.0
                R[j] = y
        elif s0 == 1 and s1 == 0:
            bs = work[i1]
            for j in range(n):
                a = A[j]
                b = bs
                y = 1.0 if a >= b else 0.0
                R[j] = y
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                b = work[np.uint64(i1 + j * s1)]
                y = 1.0 if a >= b else 0.0
                work[r + j] = y
    elif op == 33:  # ge_vc
        if s0 == 1 and s1 == 1:
            B = consts[i1:i1 + n]
            for j in range(n):
                a = A[j]
                b = B[j]
                y = 1.0 if a >= b else 0.0
                R[j] = y
        elif s0 == 1 and s1 == 0:
            bs = consts[i1]
            for j in range(n):
                a = A[j]
                b = bs
                y = 1.0 if a >= b else 0.0
                R[j] = y
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                b = consts[np.uint64(i1 + j * s1)]
                y = 1.0 if a >= b else 0.0
                work[r + j] = y
    elif op == 34:  # ge_cv
        if s0 == 1 and s1 == 1:
            B = consts[i1:i1 + n]
            for j in range(n):
                a = B[j]
                b = A[j]
                y = 1.0 if a >= b else 0.0
                R[j] = y
        elif s0 == 1 and s1 == 0:
            bs = consts[i1]
            for j in range(n):
                a = bs
                b = A[j]
                y = 1.0 if a >= b else 0.0
                R[j] = y
        else:
            for j in range(n):
                a = consts[np.uint64(i1 + j * s1)]
                b = work[np.uint64(i0 + j * s0)]
                y = 1.0 if a >= b else 0.0
                work[r + j] = y
    elif op == 35:  # eq
        if s0 == 1 and s1 == 1:
            B = work[i1:i1 + n]
            for j in range(n):
                a = A[j]
                b = B[j]
                y = 1.0 if a == b else 0.0
                R[j] = y
        elif s0 == 1 and s1 == 0:
            bs = work[i1]
            for j in range(n):
                a = A[j]
                b = bs
                y = 1.0 if a == b else 0.0
                R[j] = y
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                b = work[np.uint64(i1 + j * s1)]
                y = 1.0 if a == b else 0.0
                work[r + j] = y
    elif op == 36:  # eq_vc
        if s0 == 1 and s1 == 1:
            B = consts[i1:i1 + n]
            for j in range(n):
                a = A[j]
                b = B[j]
                y = 1.0 if a == b else 0.0
                R[j] = y
        elif s0 == 1 and s1 == 0:
            bs = consts[i1]
            for j in range(n):
                a = A[j]
                b = bs
                y = 1.0 if a == b else 0.0
                R[j] = y
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                b = consts[np.uint64(i1 + j * s1)]
                y = 1.0 if a == b else 0.0
                work[r + j] = y
    elif op == 37:  # eq_cv
        if s0 == 1 and s1 == 1:
            B = consts[i1:i1 + n]
            for j in range(n):
                a = B[j]
                b = A[j]
                y = 1.0 if a == b else 0.0
                R[j] = y
        elif s0 == 1 and s1 == 0:
            bs = consts[i1]
            for j in range(n):
                a = bs
                b = A[j]
                y = 1.0 if a == b else 0.0
                R[j] = y
        else:
            for j in range(n):
                a = consts[np.uint64(i1 + j * s1)]
                b = work[np.uint64(i0 + j * s0)]
                y = 1.0 if a == b else 0.0
                work[r + j] = y
    elif op == 38:  # ne
        if s0 == 1 and s1 == 1:
            B = work[i1:i1 + n]
            for j in range(n):
                a = A[j]
                b = B[j]
                y = 1.0 if a != b else 0.0
                R[j] = y
        elif s0 == 1 and s1 == 0:
            bs = work[i1]
            for j in range(n):
                a = A[j]
                b = bs
                y = 1.0 if a != b else 0.0
                R[j] = y
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                b = work[np.uint64(i1 + j * s1)]
                y = 1.0 if a != b else 0.0
                work[r + j] = y
    elif op == 39:  # ne_vc
        if s0 == 1 and s1 == 1:
            B = consts[i1:i1 + n]
            for j in range(n):
                a = A[j]
                b = B[j]
                y = 1.0 if a != b else 0.0
                R[j] = y
        elif s0 == 1 and s1 == 0:
            bs = consts[i1]
            for j in range(n):
                a = A[j]
                b = bs
                y = 1.0 if a != b else 0.0
                R[j] = y
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                b = consts[np.uint64(i1 + j * s1)]
                y = 1.0 if a != b else 0.0
                work[r + j] = y
    elif op == 40:  # ne_cv
        if s0 == 1 and s1 == 1:
            B = consts[i1:i1 + n]
            for j in range(n):
                a = B[j]
                b = A[j]
                y = 1.0 if a != b else 0.0
                R[j] = y
        elif s0 == 1 and s1 == 0:
            bs = consts[i1]
            for j in range(n):
                a = bs
                b = A[j]
                y = 1.0 if a != b else 0.0
                R[j] = y
        else:
            for j in range(n):
                a = consts[np.uint64(i1 + j * s1)]
                b = work[np.uint64(i0 + j * s0)]
                y = 1.0 if a != b else 0.0
                work[r + j] = y
    elif op == 41:  # logical_and
        if s0 == 1 and s1 == 1:
            B = work[i1:i1 + n]
            for j in range(n):
                a = A[j]
                b = B[j]
                y = 1.0 if (a != 0.0 and b != 0.0) else 0.0
                R[j] = y
        elif s0 == 1 and s1 == 0:
            bs = work[i1]
            for j in range(n):
                a = A[j]
                b = bs
                y = 1.0 if (a != 0.0 and b != 0.0) else 0.0
                R[j] = y
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                b = work[np.uint64(i1 + j * s1)]
                y = 1.0 if (a != 0.0 and b != 0.0) else 0.0
                work[r + j] = y
    elif op == 42:  # logical_and_vc
        if s0 == 1 and s1 == 1:
            B = consts[i1:i1 + n]
            for j in range(n):
                a = A[j]
                b = B[j]
                y = 1.0 if (a != 0.0 and b != 0.0) else 0.0
                R[j] = y
        elif s0 == 1 and s1 == 0:
            bs = consts[i1]
            for j in range(n):
                a = A[j]
                b = bs
                y = 1.0 if (a != 0.0 and b != 0.0) else 0.0
                R[j] = y
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                b = consts[np.uint64(i1 + j * s1)]
                y = 1.0 if (a != 0.0 and b != 0.0) else 0.0
                work[r + j] = y
    elif op == 43:  # logical_or
        if s0 == 1 and s1 == 1:
            B = work[i1:i1 + n]
            for j in range(n):
                a = A[j]
                b = B[j]
                y = 1.0 if (a != 0.0 or b != 0.0) else 0.0
                R[j] = y
        elif s0 == 1 and s1 == 0:
            bs = work[i1]
            for j in range(n):
                a = A[j]
                b = bs
                y = 1.0 if (a != 0.0 or b != 0.0) else 0.0
                R[j] = y
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                b = work[np.uint64(i1 + j * s1)]
                y = 1.0 if (a != 0.0 or b != 0.0) else 0.0
                work[r + j] = y
    elif op == 44:  # logical_or_vc
        if s0 == 1 and s1 == 1:
            B = consts[i1:i1 + n]
            for j in range(n):
                a = A[j]
                b = B[j]
                y = 1.0 if (a != 0.0 or b != 0.0) else 0.0
                R[j] = y
        elif s0 == 1 and s1 == 0:
            bs = consts[i1]
            for j in range(n):
                a = A[j]
                b = bs
                y = 1.0 if (a != 0.0 or b != 0.0) else 0.0
                R[j] = y
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                b = consts[np.uint64(i1 + j * s1)]
                y = 1.0 if (a != 0.0 or b != 0.0) else 0.0
                work[r + j] = y
    elif op == 45:  # pick_true
        if s0 == 1 and s1 == 1:
            B = work[i1:i1 + n]
            for j in range(n):
                a = A[j]
                b = B[j]
                y = b if a != 0.0 else 0.0
                R[j] = y
        elif s0 == 1 and s1 == 0:
            bs = work[i1]
            for j in range(n):
                a = A[j]
                b = bs
                y = b if a != 0.0 else 0.0
                R[j] = y
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                b = work[np.uint64(i1 + j * s1)]
                y = b if a != 0.0 else 0.0
                work[r + j] = y
    elif op == 46:  # pick_true_vc
        if s0 == 1 and s1 == 1:
            B = consts[i1:i1 + n]
            for j in range(n):
                a = A[j]
                b = B[j]
                y = b if a != 0.0 else 0.0
                R[j] = y
        elif s0 == 1 and s1 == 0:
            bs = consts[i1]
            for j in range(n):
                a = A[j]
                b = bs
                y = b if a != 0.0 else 0.0
                R[j] = y
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                b = consts[np.uint64(i1 + j * s1)]
                y = b if a != 0.0 else 0.0
                work[r + j] = y
    elif op == 47:  # pick_false
        if s0 == 1 and s1 == 1:
            B = work[i1:i1 + n]
            for j in range(n):
                a = A[j]
                b = B[j]
                y = b if a == 0.0 else 0.0
                R[j] = y
        elif s0 == 1 and s1 == 0:
            bs = work[i1]
            for j in range(n):
                a = A[j]
                b = bs
                y = b if a == 0.0 else 0.0
                R[j] = y
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                b = work[np.uint64(i1 + j * s1)]
                y = b if a == 0.0 else 0.0
                work[r + j] = y
    elif op == 48:  # pick_false_vc
        if s0 == 1 and s1 == 1:
            B = consts[i1:i1 + n]
            for j in range(n):
                a = A[j]
                b = B[j]
                y = b if a == 0.0 else 0.0
                R[j] = y
        elif s0 == 1 and s1 == 0:
            bs = consts[i1]
            for j in range(n):
                a = A[j]
                b = bs
                y = b if a == 0.0 else 0.0
                R[j] = y
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                b = consts[np.uint64(i1 + j * s1)]
                y = b if a == 0.0 else 0.0
                work[r + j] = y
    elif op == 50:  # logical_not
        if s0 == 1:
            for j in range(n):
                a = A[j]
                y = 1.0 if a == 0.0 else 0.0
                R[j] = y
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                y = 1.0 if a == 0.0 else 0.0
                work[r + j] = y
    elif op == 51:  # abs
        if s0 == 1:
            for j in range(n):
                a = A[j]
                y = np.abs(a)
                R[j] = y
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                y = np.abs(a)
                work[r + j] = y
    elif op == 52:  # sign
        if s0 == 1:
            for j in range(n):
                a = A[j]
                y = np.sign(a)
                R[j] = y
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                y = np.sign(a)
                work[r + j] = y
    elif op == 53:  # floor
        if s0 == 1:
            for j in range(n):
                a = A[j]
                y = np.floor(a)
                R[j] = y
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                y = np.floor(a)
                work[r + j] = y
    elif op == 54:  # ceil
        if s0 == 1:
            for j in range(n):
                a = A[j]
                y = np.ceil(a)
                R[j] = y
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                y = np.ceil(a)
                work[r + j] = y
    elif op == 57:  # sqrt
        if s0 == 1:
            for j in range(n):
                a = A[j]
                y = np.sqrt(a)
                R[j] = y
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                y = np.sqrt(a)
                work[r + j] = y
    elif op == 58:  # cbrt
        if s0 == 1:
            for j in range(n):
                a = A[j]
                y = np.cbrt(a)
                R[j] = y
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                y = np.cbrt(a)
                work[r + j] = y
    elif op == 59:  # exp
        if s0 == 1:
            for j in range(n):
                a = A[j]
                y = np.exp(a)
                R[j] = y
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                y = np.exp(a)
                work[r + j] = y
    elif op == 60:  # expm1
        if s0 == 1:
            for j in range(n):
                a = A[j]
                y = np.expm1(a)
                R[j] = y
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                y = np.expm1(a)
                work[r + j] = y
    elif op == 61:  # log
        if s0 == 1:
            for j in range(n):
                a = A[j]
                y = np.log(a)
                R[j] = y
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                y = np.log(a)
                work[r + j] = y
    elif op == 62:  # log1p
        if s0 == 1:
            for j in range(n):
                a = A[j]
                y = np.log1p(a)
                R[j] = y
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                y = np.log1p(a)
                work[r + j] = y
    elif op == 63:  # log2
        if s0 == 1:
            for j in range(n):
                a = A[j]
                y = np.log2(a)
                R[j] = y
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                y = np.log2(a)
                work[r + j] = y
    elif op == 64:  # log10
        if s0 == 1:
            for j in range(n):
                a = A[j]
                y = np.log10(a)
                R[j] = y
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                y = np.log10(a)
                work[r + j] = y
    elif op == 65:  # sin
        if s0 == 1:
            for j in range(n):
                a = A[j]
                y = np.sin(a)
                R[j] = y
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                y = np.sin(a)
                work[r + j] = y
    elif op == 66:  # cos
        if s0 == 1:
            for j in range(n):
                a = A[j]
                y = np.cos(a)
                R[j] = y
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                y = np.cos(a)
                work[r + j] = y
    elif op == 67:  # tan
        if s0 == 1:
            for j in range(n):
                a = A[j]
                y = np.tan(a)
                R[j] = y
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                y = np.tan(a)
                work[r + j] = y
    elif op == 68:  # arcsin
        if s0 == 1:
            for j in range(n):
                a = A[j]
                y = np.arcsin(a)
                R[j] = y
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                y = np.arcsin(a)
                work[r + j] = y
    elif op == 69:  # arccos
        if s0 == 1:
            for j in range(n):
                a = A[j]
                y = np.arccos(a)
                R[j] = y
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                y = np.arccos(a)
                work[r + j] = y
    elif op == 70:  # arctan
        if s0 == 1:
            for j in range(n):
                a = A[j]
                y = np.arctan(a)
                R[j] = y
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                y = np.arctan(a)
                work[r + j] = y
    elif op == 71:  # sinh
        if s0 == 1:
            for j in range(n):
                a = A[j]
                y = np.sinh(a)
                R[j] = y
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                y = np.sinh(a)
                work[r + j] = y
    elif op == 72:  # cosh
        if s0 == 1:
            for j in range(n):
                a = A[j]
                y = np.cosh(a)
                R[j] = y
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                y = np.cosh(a)
                work[r + j] = y
    elif op == 73:  # tanh
        if s0 == 1:
            for j in range(n):
                a = A[j]
                y = np.tanh(a)
                R[j] = y
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                y = np.tanh(a)
                work[r + j] = y
    elif op == 74:  # arcsinh
        if s0 == 1:
            for j in range(n):
                a = A[j]
                y = np.arcsinh(a)
                R[j] = y
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                y = np.arcsinh(a)
                work[r + j] = y
    elif op == 75:  # arccosh
        if s0 == 1:
            for j in range(n):
                a = A[j]
                y = np.arccosh(a)
                R[j] = y
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                y = np.arccosh(a)
                work[r + j] = y
    elif op == 76:  # arctanh
        if s0 == 1:
            for j in range(n):
                a = A[j]
                y = np.arctanh(a)
                R[j] = y
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                y = np.arctanh(a)
                work[r + j] = y
    elif op == 77:  # erf
        if s0 == 1:
            for j in range(n):
                a = A[j]
                y = math.erf(a)
                R[j] = y
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                y = math.erf(a)
                work[r + j] = y
    elif op == 78:  # erfc
        if s0 == 1:
            for j in range(n):
                a = A[j]
                y = math.erfc(a)
                R[j] = y
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                y = math.erfc(a)
                work[r + j] = y
    elif op == 79:  # lgamma
        if s0 == 1:
            for j in range(n):
                a = A[j]
                y = lgamma(a)
                R[j] = y
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                y = lgamma(a)
                work[r + j] = y
    elif op == 85:  # mod
        if s0 == 1 and s1 == 1:
            B = work[i1:i1 + n]
            for j in range(n):
                a = A[j]
                b = B[j]
                y = a % b
                R[j] = y
        elif s0 == 1 and s1 == 0:
            bs = work[i1]
            for j in range(n):
                a = A[j]
                b = bs
                y = a % b
                R[j] = y
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                b = work[np.uint64(i1 + j * s1)]
                y = a % b
                work[r + j] = y
    elif op == 86:  # mod_vc
        if s0 == 1 and s1 == 1:
            B = consts[i1:i1 + n]
            for j in range(n):
                a = A[j]
                b = B[j]
                y = a % b
                R[j] = y
        elif s0 == 1 and s1 == 0:
            bs = consts[i1]
            for j in range(n):
                a = A[j]
                b = bs
                y = a % b
                R[j] = y
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                b = consts[np.uint64(i1 + j * s1)]
                y = a % b
                work[r + j] = y
    elif op == 87:  # mod_cv
        if s0 == 1 and s1 == 1:
            B = consts[i1:i1 + n]
            for j in range(n):
                a = B[j]
                b = A[j]
                y = a % b
                R[j] = y
        elif s0 == 1 and s1 == 0:
            bs = consts[i1]
            for j in range(n):
                a = bs
                b = A[j]
                y = a % b
                R[j] = y
        else:
            for j in range(n):
                a = consts[np.uint64(i1 + j * s1)]
                b = work[np.uint64(i0 + j * s0)]
                y = a % b
                work[r + j] = y
    elif op == 88:  # floordiv
        if s0 == 1 and s1 == 1:
            B = work[i1:i1 + n]
            for j in range(n):
                a = A[j]
                b = B[j]
                y = a // b
                R[j] = y
        elif s0 == 1 and s1 == 0:
            bs = work[i1]
            for j in range(n):
                a = A[j]
                b = bs
                y = a // b
                R[j] = y
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                b = work[np.uint64(i1 + j * s1)]
                y = a // b
                work[r + j] = y
    elif op == 89:  # floordiv_vc
        if s0 == 1 and s1 == 1:
            B = consts[i1:i1 + n]
            for j in range(n):
                a = A[j]
                b = B[j]
                y = a // b
                R[j] = y
        elif s0 == 1 and s1 == 0:
            bs = consts[i1]
            for j in range(n):
                a = A[j]
                b = bs
                y = a // b
                R[j] = y
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                b = consts[np.uint64(i1 + j * s1)]
                y = a // b
                work[r + j] = y
    elif op == 90:  # floordiv_cv
        if s0 == 1 and s1 == 1:
            B = consts[i1:i1 + n]
            for j in range(n):
                a = B[j]
                b = A[j]
                y = a // b
                R[j] = y
        elif s0 == 1 and s1 == 0:
            bs = consts[i1]
            for j in range(n):
                a = bs
                b = A[j]
                y = a // b
                R[j] = y
        else:
            for j in range(n):
                a = consts[np.uint64(i1 + j * s1)]
                b = work[np.uint64(i0 + j * s0)]
                y = a // b
                work[r + j] = y
    elif op == 91:  # fmod
        if s0 == 1 and s1 == 1:
            B = work[i1:i1 + n]
            for j in range(n):
                a = A[j]
                b = B[j]
                y = np.fmod(a, b)
                R[j] = y
        elif s0 == 1 and s1 == 0:
            bs = work[i1]
            for j in range(n):
                a = A[j]
                b = bs
                y = np.fmod(a, b)
                R[j] = y
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                b = work[np.uint64(i1 + j * s1)]
                y = np.fmod(a, b)
                work[r + j] = y
    elif op == 92:  # fmod_vc
        if s0 == 1 and s1 == 1:
            B = consts[i1:i1 + n]
            for j in range(n):
                a = A[j]
                b = B[j]
                y = np.fmod(a, b)
                R[j] = y
        elif s0 == 1 and s1 == 0:
            bs = consts[i1]
            for j in range(n):
                a = A[j]
                b = bs
                y = np.fmod(a, b)
                R[j] = y
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                b = consts[np.uint64(i1 + j * s1)]
                y = np.fmod(a, b)
                work[r + j] = y
    elif op == 93:  # fmod_cv
        if s0 == 1 and s1 == 1:
            B = consts[i1:i1 + n]
            for j in range(n):
                a = B[j]
                b = A[j]
                y = np.fmod(a, b)
                R[j] = y
        elif s0 == 1 and s1 == 0:
            bs = consts[i1]
            for j in range(n):
                a = bs
                b = A[j]
                y = np.fmod(a, b)
                R[j] = y
        else:
            for j in range(n):
                a = consts[np.uint64(i1 + j * s1)]
                b = work[np.uint64(i0 + j * s0)]
                y = np.fmod(a, b)
                work[r + j] = y
    elif op == 94:  # fmin
        if s0 == 1 and s1 == 1:
            B = work[i1:i1 + n]
            for j in range(n):
                a = A[j]
                b = B[j]
                y = b if a != a else (a if b != b else (a if a < b else (b if b < a else a)))
                R[j] = y
        elif s0 == 1 and s1 == 0:
            bs = work[i1]
            for j in range(n):
                a = A[j]
                b = bs
                y = b if a != a else (a if b != b else (a if a < b else (b if b < a else a)))
                R[j] = y
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                b = work[np.uint64(i1 + j * s1)]
                y = b if a != a else (a if b != b else (a if a < b else (b if b < a else a)))
                work[r + j] = y
    elif op == 95:  # fmin_vc
        if s0 == 1 and s1 == 1:
            B = consts[i1:i1 + n]
            for j in range(n):
                a = A[j]
                b = B[j]
                y = b if a != a else (a if b != b else (a if a < b else (b if b < a else a)))
                R[j] = y
        elif s0 == 1 and s1 == 0:
            bs = consts[i1]
            for j in range(n):
                a = A[j]
                b = bs
                y = b if a != a else (a if b != b else (a if a < b else (b if b < a else a)))
                R[j] = y
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                b = consts[np.uint64(i1 + j * s1)]
                y = b if a != a else (a if b != b else (a if a < b else (b if b < a else a)))
                work[r + j] = y
    elif op == 96:  # fmax
        if s0 == 1 and s1 == 1:
            B = work[i1:i1 + n]
            for j in range(n):
                a = A[j]
                b = B[j]
                y = b if a != a else (a if b != b else (a if a > b else (b if b > a else a)))
                R[j] = y
        elif s0 == 1 and s1 == 0:
            bs = work[i1]
            for j in range(n):
                a = A[j]
                b = bs
                y = b if a != a else (a if b != b else (a if a > b else (b if b > a else a)))
                R[j] = y
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                b = work[np.uint64(i1 + j * s1)]
                y = b if a != a else (a if b != b else (a if a > b else (b if b > a else a)))
                work[r + j] = y
    elif op == 97:  # fmax_vc
        if s0 == 1 and s1 == 1:
            B = consts[i1:i1 + n]
            for j in range(n):
                a = A[j]
                b = B[j]
                y = b if a != a else (a if b != b else (a if a > b else (b if b > a else a)))
                R[j] = y
        elif s0 == 1 and s1 == 0:
            bs = consts[i1]
            for j in range(n):
                a = A[j]
                b = bs
                y = b if a != a else (a if b != b else (a if a > b else (b if b > a else a)))
                R[j] = y
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                b = consts[np.uint64(i1 + j * s1)]
                y = b if a != a else (a if b != b else (a if a > b else (b if b > a else a)))
                work[r + j] = y


@njit(cache=True, nogil=True, error_model="numpy")
def elem_partials(op, r, n, i0, s0, i1, s1, consts, work, p0, p1):
    """One elementwise array instruction's values and partials p0[r + j] (and p1[r + j] for two variable operands)."""
    R = work[r:r + n]
    A = work[i0:i0 + n]
    P0 = p0[r:r + n]
    P1 = p1[r:r + n]
    if op == 0:  # const
        for j in range(n):
            work[r + j] = consts[np.uint64(i0 + j * s0)]
            p0[r + j] = 0.0
    elif op == 1:  # add
        if s0 == 1 and s1 == 1:
            B = work[i1:i1 + n]
            for j in range(n):
                a = A[j]
                b = B[j]
                y = a + b
                R[j] = y
                P0[j] = 1.0
                P1[j] = 1.0
        elif s0 == 1 and s1 == 0:
            bs = work[i1]
            for j in range(n):
                a = A[j]
                b = bs
                y = a + b
                R[j] = y
                P0[j] = 1.0
                P1[j] = 1.0
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                b = work[np.uint64(i1 + j * s1)]
                y = a + b
                work[r + j] = y
                p0[r + j] = 1.0
                p1[r + j] = 1.0
    elif op == 2:  # add_vc
        if s0 == 1 and s1 == 1:
            B = consts[i1:i1 + n]
            for j in range(n):
                a = A[j]
                b = B[j]
                y = a + b
                R[j] = y
                P0[j] = 1.0
        elif s0 == 1 and s1 == 0:
            bs = consts[i1]
            for j in range(n):
                a = A[j]
                b = bs
                y = a + b
                R[j] = y
                P0[j] = 1.0
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                b = consts[np.uint64(i1 + j * s1)]
                y = a + b
                work[r + j] = y
                p0[r + j] = 1.0
    elif op == 3:  # sub
        if s0 == 1 and s1 == 1:
            B = work[i1:i1 + n]
            for j in range(n):
                a = A[j]
                b = B[j]
                y = a - b
                R[j] = y
                P0[j] = 1.0
                P1[j] = -1.0
        elif s0 == 1 and s1 == 0:
            bs = work[i1]
            for j in range(n):
                a = A[j]
                b = bs
                y = a - b
                R[j] = y
                P0[j] = 1.0
                P1[j] = -1.0
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                b = work[np.uint64(i1 + j * s1)]
                y = a - b
                work[r + j] = y
                p0[r + j] = 1.0
                p1[r + j] = -1.0
    elif op == 4:  # sub_vc
        if s0 == 1 and s1 == 1:
            B = consts[i1:i1 + n]
            for j in range(n):
                a = A[j]
                b = B[j]
                y = a - b
                R[j] = y
                P0[j] = 1.0
        elif s0 == 1 and s1 == 0:
            bs = consts[i1]
            for j in range(n):
                a = A[j]
                b = bs
                y = a - b
                R[j] = y
                P0[j] = 1.0
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                b = consts[np.uint64(i1 + j * s1)]
                y = a - b
                work[r + j] = y
                p0[r + j] = 1.0
    elif op == 5:  # sub_cv
        if s0 == 1 and s1 == 1:
            B = consts[i1:i1 + n]
            for j in range(n):
                a = B[j]
                b = A[j]
                y = a - b
                R[j] = y
                P0[j] = -1.0
        elif s0 == 1 and s1 == 0:
            bs = consts[i1]
            for j in range(n):
                a = bs
                b = A[j]
                y = a - b
                R[j] = y
                P0[j] = -1.0
        else:
            for j in range(n):
                a = consts[np.uint64(i1 + j * s1)]
                b = work[np.uint64(i0 + j * s0)]
                y = a - b
                work[r + j] = y
                p0[r + j] = -1.0
    elif op == 6:  # mul
        if s0 == 1 and s1 == 1:
            B = work[i1:i1 + n]
            for j in range(n):
                a = A[j]
                b = B[j]
                y = a * b
                R[j] = y
                P0[j] = b
                P1[j] = a
        elif s0 == 1 and s1 == 0:
            bs = work[i1]
            for j in range(n):
                a = A[j]
                b = bs
                y = a * b
                R[j] = y
                P0[j] = b
                P1[j] = a
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                b = work[np.uint64(i1 + j * s1)]
                y = a * b
                work[r + j] = y
                p0[r + j] = b
                p1[r + j] = a
    elif op == 7:  # mul_vc
        if s0 == 1 and s1 == 1:
            B = consts[i1:i1 + n]
            for j in range(n):
                a = A[j]
                b = B[j]
                y = a * b
                R[j] = y
                P0[j] = b
        elif s0 == 1 and s1 == 0:
            bs = consts[i1]
            for j in range(n):
                a = A[j]
                b = bs
                y = a * b
                R[j] = y
                P0[j] = b
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                b = consts[np.uint64(i1 + j * s1)]
                y = a * b
                work[r + j] = y
                p0[r + j] = b
    elif op == 8:  # div
        if s0 == 1 and s1 == 1:
            B = work[i1:i1 + n]
            for j in range(n):
                a = A[j]
                b = B[j]
                y = a / b
                R[j] = y
                P0[j] = 1.0 / b
                P1[j] = -y / b
        elif s0 == 1 and s1 == 0:
            bs = work[i1]
            for j in range(n):
                a = A[j]
                b = bs
                y = a / b
                R[j] = y
                P0[j] = 1.0 / b
                P1[j] = -y / b
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                b = work[np.uint64(i1 + j * s1)]
                y = a / b
                work[r + j] = y
                p0[r + j] = 1.0 / b
                p1[r + j] = -y / b
    elif op == 9:  # div_vc
        if s0 == 1 and s1 == 1:
            B = consts[i1:i1 + n]
            for j in range(n):
                a = A[j]
                b = B[j]
                y = a / b
                R[j] = y
                P0[j] = 1.0 / b
        elif s0 == 1 and s1 == 0:
            bs = consts[i1]
            for j in range(n):
                a = A[j]
                b = bs
                y = a / b
                R[j] = y
                P0[j] = 1.0 / b
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                b = consts[np.uint64(i1 + j * s1)]
                y = a / b
                work[r + j] = y
                p0[r + j] = 1.0 / b
    elif op == 10:  # div_cv
        if s0 == 1 and s1 == 1:
            B = consts[i1:i1 + n]
            for j in range(n):
                a = B[j]
                b = A[j]
                y = a / b
                R[j] = y
                P0[j] = -y / b
        elif s0 == 1 and s1 == 0:
            bs = consts[i1]
            for j in range(n):
                a = bs
                b = A[j]
                y = a / b
                R[j] = y
                P0[j] = -y / b
        else:
            for j in range(n):
                a = consts[np.uint64(i1 + j * s1)]
                b = work[np.uint64(i0 + j * s0)]
                y = a / b
                work[r + j] = y
                p0[r + j] = -y / b
    elif op == 49:  # neg
        if s0 == 1:
            for j in range(n):
                a = A[j]
                y = -a
                R[j] = y
                P0[j] = -1.0
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                y = -a
                work[r + j] = y
                p0[r + j] = -1.0
    elif op == 55:  # square
        if s0 == 1:
            for j in range(n):
                a = A[j]
                y = a * a
                R[j] = y
                P0[j] = 2.0 * a
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                y = a * a
                work[r + j] = y
                p0[r + j] = 2.0 * a
    elif op == 56:  # reciprocal
        if s0 == 1:
            for j in range(n):
                a = A[j]
                y = 1.0 / a
                R[j] = y
                P0[j] = -y * y
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                y = 1.0 / a
                work[r + j] = y
                p0[r + j] = -y * y
    elif op == 80:  # sqdiff
        if s0 == 1 and s1 == 1:
            B = work[i1:i1 + n]
            for j in range(n):
                a = A[j]
                b = B[j]
                y = (a - b) * (a - b)
                R[j] = y
                P0[j] = 2.0 * (a - b)
                P1[j] = -2.0 * (a - b)
        elif s0 == 1 and s1 == 0:
            bs = work[i1]
            for j in range(n):
                a = A[j]
                b = bs
                y = (a - b) * (a - b)
                R[j] = y
                P0[j] = 2.0 * (a - b)
                P1[j] = -2.0 * (a - b)
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                b = work[np.uint64(i1 + j * s1)]
                y = (a - b) * (a - b)
                work[r + j] = y
                p0[r + j] = 2.0 * (a - b)
                p1[r + j] = -2.0 * (a - b)
    elif op == 81:  # sqdiff_vc
        if s0 == 1 and s1 == 1:
            B = consts[i1:i1 + n]
            for j in range(n):
                a = A[j]
                b = B[j]
                y = (a - b) * (a - b)
                R[j] = y
                P0[j] = 2.0 * (a - b)
        elif s0 == 1 and s1 == 0:
            bs = consts[i1]
            for j in range(n):
                a = A[j]
                b = bs
                y = (a - b) * (a - b)
                R[j] = y
                P0[j] = 2.0 * (a - b)
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                b = consts[np.uint64(i1 + j * s1)]
                y = (a - b) * (a - b)
                work[r + j] = y
                p0[r + j] = 2.0 * (a - b)
    elif op == 82:  # sqdiff_cv
        if s0 == 1 and s1 == 1:
            B = consts[i1:i1 + n]
            for j in range(n):
                a = B[j]
                b = A[j]
                y = (a - b) * (a - b)
                R[j] = y
                P0[j] = -2.0 * (a - b)
        elif s0 == 1 and s1 == 0:
            bs = consts[i1]
            for j in range(n):
                a = bs
                b = A[j]
                y = (a - b) * (a - b)
                R[j] = y
                P0[j] = -2.0 * (a - b)
        else:
            for j in range(n):
                a = consts[np.uint64(i1 + j * s1)]
                b = work[np.uint64(i0 + j * s0)]
                y = (a - b) * (a - b)
                work[r + j] = y
                p0[r + j] = -2.0 * (a - b)
    elif op == 83:  # cube
        if s0 == 1:
            for j in range(n):
                a = A[j]
                y = a * a * a
                R[j] = y
                P0[j] = 3.0 * a * a
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                y = a * a * a
                work[r + j] = y
                p0[r + j] = 3.0 * a * a
    elif op == 84:  # inv_cube
        if s0 == 1:
            for j in range(n):
                a = A[j]
                y = 1.0 / (a * a * a)
                R[j] = y
                P0[j] = -3.0 * y / a
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                y = 1.0 / (a * a * a)
                work[r + j] = y
                p0[r + j] = -3.0 * y / a
    elif op == 11:  # pow
        if s0 == 1 and s1 == 1:
            B = work[i1:i1 + n]
            for j in range(n):
                a = A[j]
                b = B[j]
                y = a ** b
                R[j] = y
                P0[j] = b * a ** (b - 1.0) if b != 0.0 else 0.0
                P1[j] = y * np.log(a) if a != 0.0 else 0.0
        elif s0 == 1 and s1 == 0:
            bs = work[i1]
            for j in range(n):
                a = A[j]
                b = bs
                y = a ** b
                R[j] = y
                P0[j] = b * a ** (b - 1.0) if b != 0.0 else 0.0
                P1[j] = y * np.log(a) if a != 0.0 else 0.0
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                b = work[np.uint64(i1 + j * s1)]
                y = a ** b
                work[r + j] = y
                p0[r + j] = b * a ** (b - 1.0) if b != 0.0 else 0.0
                p1[r + j] = y * np.log(a) if a != 0.0 else 0.0
    elif op == 12:  # pow_vc
        if s0 == 1 and s1 == 1:
            B = consts[i1:i1 + n]
            for j in range(n):
                a = A[j]
                b = B[j]
                y = a ** b
                R[j] = y
                P0[j] = b * a ** (b - 1.0) if b != 0.0 else 0.0
        elif s0 == 1 and s1 == 0:
            bs = consts[i1]
            for j in range(n):
                a = A[j]
                b = bs
                y = a ** b
                R[j] = y
                P0[j] = b * a ** (b - 1.0) if b != 0.0 else 0.0
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                b = consts[np.uint64(i1 + j * s1)]
                y = a ** b
                work[r + j] = y
                p0[r + j] = b * a ** (b - 1.0) if b != 0.0 else 0.0
    elif op == 13:  # pow_cv
        if s0 == 1 and s1 == 1:
            B = consts[i1:i1 + n]
            for j in range(n):
                a = B[j]
                b = A[j]
                y = a ** b
                R[j] = y
                P0[j] = y * np.log(a) if a != 0.0 else 0.0
        elif s0 == 1 and s1 == 0:
            bs = consts[i1]
            for j in range(n):
                a = bs
                b = A[j]
                y = a ** b
                R[j] = y
                P0[j] = y * np.log(a) if a != 0.0 else 0.0
        else:
            for j in range(n):
                a = consts[np.uint64(i1 + j * s1)]
                b = work[np.uint64(i0 + j * s0)]
                y = a ** b
                work[r + j] = y
                p0[r + j] = y * np.log(a) if a != 0.0 else 0.0
    elif op == 14:  # atan2
        if s0 == 1 and s1 == 1:
            B = work[i1:i1 + n]
            for j in range(n):
                a = A[j]
                b = B[j]
                y = np.arctan2(a, b)
                R[j] = y
                P0[j] = (b / np.hypot(a, b)) / np.hypot(a, b)
                P1[j] = -(a / np.hypot(a, b)) / np.hypot(a, b)
        elif s0 == 1 and s1 == 0:
            bs = work[i1]
            for j in range(n):
                a = A[j]
                b = bs
                y = np.arctan2(a, b)
                R[j] = y
                P0[j] = (b / np.hypot(a, b)) / np.hypot(a, b)
                P1[j] = -(a / np.hypot(a, b)) / np.hypot(a, b)
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                b = work[np.uint64(i1 + j * s1)]
                y = np.arctan2(a, b)
                work[r + j] = y
                p0[r + j] = (b / np.hypot(a, b)) / np.hypot(a, b)
                p1[r + j] = -(a / np.hypot(a, b)) / np.hypot(a, b)
    elif op == 15:  # atan2_vc
        if s0 == 1 and s1 == 1:
            B = consts[i1:i1 + n]
            for j in range(n):
                a = A[j]
                b = B[j]
                y = np.arctan2(a, b)
                R[j] = y
                P0[j] = (b / np.hypot(a, b)) / np.hypot(a, b)
        elif s0 == 1 and s1 == 0:
            bs = consts[i1]
            for j in range(n):
                a = A[j]
                b = bs
                y = np.arctan2(a, b)
                R[j] = y
                P0[j] = (b / np.hypot(a, b)) / np.hypot(a, b)
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                b = consts[np.uint64(i1 + j * s1)]
                y = np.arctan2(a, b)
                work[r + j] = y
                p0[r + j] = (b / np.hypot(a, b)) / np.hypot(a, b)
    elif op == 16:  # atan2_cv
        if s0 == 1 and s1 == 1:
            B = consts[i1:i1 + n]
            for j in range(n):
                a = B[j]
                b = A[j]
                y = np.arctan2(a, b)
                R[j] = y
                P0[j] = -(a / np.hypot(a, b)) / np.hypot(a, b)
        elif s0 == 1 and s1 == 0:
            bs = consts[i1]
            for j in range(n):
                a = bs
                b = A[j]
                y = np.arctan2(a, b)
                R[j] = y
                P0[j] = -(a / np.hypot(a, b)) / np.hypot(a, b)
        else:
            for j in range(n):
                a = consts[np.uint64(i1 + j * s1)]
                b = work[np.uint64(i0 + j * s0)]
                y = np.arctan2(a, b)
                work[r + j] = y
                p0[r + j] = -(a / np.hypot(a, b)) / np.hypot(a, b)
    elif op == 17:  # hypot
        if s0 == 1 and s1 == 1:
            B = work[i1:i1 + n]
            for j in range(n):
                a = A[j]
                b = B[j]
                y = np.hypot(a, b)
                R[j] = y
                P0[j] = a / y if y != 0.0 else 0.0
                P1[j] = b / y if y != 0.0 else 0.0
        elif s0 == 1 and s1 == 0:
            bs = work[i1]
            for j in range(n):
                a = A[j]
                b = bs
                y = np.hypot(a, b)
                R[j] = y
                P0[j] = a / y if y != 0.0 else 0.0
                P1[j] = b / y if y != 0.0 else 0.0
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                b = work[np.uint64(i1 + j * s1)]
                y = np.hypot(a, b)
                work[r + j] = y
                p0[r + j] = a / y if y != 0.0 else 0.0
                p1[r + j] = b / y if y != 0.0 else 0.0
    elif op == 18:  # hypot_vc
        if s0 == 1 and s1 == 1:
            B = consts[i1:i1 + n]
            for j in range(n):
                a = A[j]
                b = B[j]
                y = np.hypot(a, b)
                R[j] = y
                P0[j] = a / y if y != 0.0 else 0.0
        elif s0 == 1 and s1 == 0:
            bs = consts[i1]
            for j in range(n):
                a = A[j]
                b = bs
                y = np.hypot(a, b)
                R[j] = y
                P0[j] = a / y if y != 0.0 else 0.0
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                b = consts[np.uint64(i1 + j * s1)]
                y = np.hypot(a, b)
                work[r + j] = y
                p0[r + j] = a / y if y != 0.0 else 0.0
    elif op == 19:  # minimum
        if s0 == 1 and s1 == 1:
            B = work[i1:i1 + n]
            for j in range(n):
                a = A[j]
                b = B[j]
                y = a if a < b else (b if b < a else (a if a == b else a + b))
                R[j] = y
                P0[j] = 1.0 if a < b else (0.5 if a == b else 0.0)
                P1[j] = 1.0 if b < a else (0.5 if a == b else 0.0)
        elif s0 == 1 and s1 == 0:
            bs = work[i1]
            for j in range(n):
                a = A[j]
                b = bs
                y = a if a < b else (b if b < a else (a if a == b else a + b))
                R[j] = y
                P0[j] = 1.0 if a < b else (0.5 if a == b else 0.0)
                P1[j] = 1.0 if b < a else (0.5 if a == b else 0.0)
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                b = work[np.uint64(i1 + j * s1)]
                y = a if a < b else (b if b < a else (a if a == b else a + b))
                work[r + j] = y
                p0[r + j] = 1.0 if a < b else (0.5 if a == b else 0.0)
                p1[r + j] = 1.0 if b < a else (0.5 if a == b else 0.0)
    elif op == 20:  # minimum_vc
        if s0 == 1 and s1 == 1:
            B = consts[i1:i1 + n]
            for j in range(n):
                a = A[j]
                b = B[j]
                y = a if a < b else (b if b < a else (a if a == b else a + b))
                R[j] = y
                P0[j] = 1.0 if a < b else (0.5 if a == b else 0.0)
        elif s0 == 1 and s1 == 0:
            bs = consts[i1]
            for j in range(n):
                a = A[j]
                b = bs
                y = a if a < b else (b if b < a else (a if a == b else a + b))
                R[j] = y
                P0[j] = 1.0 if a < b else (0.5 if a == b else 0.0)
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                b = consts[np.uint64(i1 + j * s1)]
                y = a if a < b else (b if b < a else (a if a == b else a + b))
                work[r + j] = y
                p0[r + j] = 1.0 if a < b else (0.5 if a == b else 0.0)
    elif op == 21:  # maximum
        if s0 == 1 and s1 == 1:
            B = work[i1:i1 + n]
            for j in range(n):
                a = A[j]
                b = B[j]
                y = a if a > b else (b if b > a else (a if a == b else a + b))
                R[j] = y
                P0[j] = 1.0 if a > b else (0.5 if a == b else 0.0)
                P1[j] = 1.0 if b > a else (0.5 if a == b else 0.0)
        elif s0 == 1 and s1 == 0:
            bs = work[i1]
            for j in range(n):
                a = A[j]
                b = bs
                y = a if a > b else (b if b > a else (a if a == b else a + b))
                R[j] = y
                P0[j] = 1.0 if a > b else (0.5 if a == b else 0.0)
                P1[j] = 1.0 if b > a else (0.5 if a == b else 0.0)
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                b = work[np.uint64(i1 + j * s1)]
                y = a if a > b else (b if b > a else (a if a == b else a + b))
                work[r + j] = y
                p0[r + j] = 1.0 if a > b else (0.5 if a == b else 0.0)
                p1[r + j] = 1.0 if b > a else (0.5 if a == b else 0.0)
    elif op == 22:  # maximum_vc
        if s0 == 1 and s1 == 1:
            B = consts[i1:i1 + n]
            for j in range(n):
                a = A[j]
                b = B[j]
                y = a if a > b else (b if b > a else (a if a == b else a + b))
                R[j] = y
                P0[j] = 1.0 if a > b else (0.5 if a == b else 0.0)
        elif s0 == 1 and s1 == 0:
            bs = consts[i1]
            for j in range(n):
                a = A[j]
                b = bs
                y = a if a > b else (b if b > a else (a if a == b else a + b))
                R[j] = y
                P0[j] = 1.0 if a > b else (0.5 if a == b else 0.0)
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                b = consts[np.uint64(i1 + j * s1)]
                y = a if a > b else (b if b > a else (a if a == b else a + b))
                work[r + j] = y
                p0[r + j] = 1.0 if a > b else (0.5 if a == b else 0.0)
    elif op == 23:  # lt
        if s0 == 1 and s1 == 1:
            B = work[i1:i1 + n]
            for j in range(n):
                a = A[j]
                b = B[j]
                y = 1.0 if a < b else 0.0
                R[j] = y
                P0[j] = 0.0
                P1[j] = 0.0
        elif s0 == 1 and s1 == 0:
            bs = work[i1]
            for j in range(n):
                a = A[j]
                b = bs
                y = 1.0 if a < b else 0.0
                R[j] = y
                P0[j] = 0.0
                P1[j] = 0.0
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                b = work[np.uint64(i1 + j * s1)]
                y = 1.0 if a < b else 0.0
                work[r + j] = y
                p0[r + j] = 0.0
                p1[r + j] = 0.0
    elif op == 24:  # lt_vc
        if s0 == 1 and s1 == 1:
            B = consts[i1:i1 + n]
            for j in range(n):
                a = A[j]
                b = B[j]
                y = 1.0 if a < b else 0.0
                R[j] = y
                P0[j] = 0.0
        elif s0 == 1 and s1 == 0:
            bs = consts[i1]
            for j in range(n):
                a = A[j]
                b = bs
                y = 1.0 if a < b else 0.0
                R[j] = y
                P0[j] = 0.0
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                b = consts[np.uint64(i1 + j * s1)]
                y = 1.0 if a < b else 0.0
                work[r + j] = y
                p0[r + j] = 0.0
    elif op == 25:  # lt_cv
        if s0 == 1 and s1 == 1:
            B = consts[i1:i1 + n]
            for j in range(n):
                a = B[j]
                b = A[j]
                y = 1.0 if a < b else 0.0
                R[j] = y
                P0[j] = 0.0
        elif s0 == 1 and s1 == 0:
            bs = consts[i1]
            for j in range(n):
                a = bs
                b = A[j]
                y = 1.0 if a < b else 0.0
                R[j] = y
                P0[j] = 0.0
        else:
            for j in range(n):
                a = consts[np.uint64(i1 + j * s1)]
                b = work[np.uint64(i0 + j * s0)]
                y = 1.0 if a < b else 0.0
                work[r + j] = y
                p0[r + j] = 0.0
    elif op == 26:  # le
        if s0 == 1 and s1 == 1:
            B = work[i1:i1 + n]
            for j in range(n):
                a = A[j]
                b = B[j]
                y = 1.0 if a <= b else 0.0
                R[j] = y
                P0[j] = 0.0
                P1[j] = 0.0
        elif s0 == 1 and s1 == 0:
            bs = work[i1]
            for j in range(n):
                a = A[j]
                b = bs
                y = 1.0 if a <= b else 0.0
                R[j] = y
                P0[j] = 0.0
                P1[j] = 0.0
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                b = work[np.uint64(i1 + j * s1)]
                y = 1.0 if a <= b else 0.0
                work[r + j] = y
                p0[r + j] = 0.0
                p1[r + j] = 0.0
    elif op == 27:  # le_vc
        if s0 == 1 and s1 == 1:
            B = consts[i1:i1 + n]
            for j in range(n):
                a = A[j]
                b = B[j]
                y = 1.0 if a <= b else 0.0
                R[j] = y
                P0[j] = 0.0
        elif s0 == 1 and s1 == 0:
            bs = consts[i1]
            for j in range(n):
                a = A[j]
                b = bs
                y = 1.0 if a <= b else 0.0
                R[j] = y
                P0[j] = 0.0
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                b = consts[np.uint64(i1 + j * s1)]
                y = 1.0 if a <= b else 0.0
                work[r + j] = y
                p0[r + j] = 0.0
    elif op == 28:  # le_cv
        if s0 == 1 and s1 == 1:
            B = consts[i1:i1 + n]
            for j in range(n):
                a = B[j]
                b = A[j]
                y = 1.0 if a <= b else 0.0
                R[j] = y
                P0[j] = 0.0
        elif s0 == 1 and s1 == 0:
            bs = consts[i1]
            for j in range(n):
                a = bs
                b = A[j]
                y = 1.0 if a <= b else 0.0
                R[j] = y
                P0[j] = 0.0
        else:
            for j in range(n):
                a = consts[np.uint64(i1 + j * s1)]
                b = work[np.uint64(i0 + j * s0)]
                y = 1.0 if a <= b else 0.0
                work[r + j] = y
                p0[r + j] = 0.0
    elif op == 29:  # gt
        if s0 == 1 and s1 == 1:
            B = work[i1:i1 + n]
            for j in range(n):
                a = A[j]
                b = B[j]
                y = 1.0 if a > b else 0.0
                R[j] = y
                P0[j] = 0.0
                P1[j] = 0.0
        elif s0 == 1 and s1 == 0:
            bs = work[i1]
            for j in range(n):
                a = A[j]
                b = bs
                y = 1.0 if a > b else 0.0
                R[j] = y
                P0[j] = 0.0
                P1[j] = 0.0
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                b = work[np.uint64(i1 + j * s1)]
                y = 1.0 if a > b else 0.0
                work[r + j] = y
                p0[r + j] = 0.0
                p1[r + j] = 0.0
    elif op == 30:  # gt_vc
        if s0 == 1 and s1 == 1:
            B = consts[i1:i1 + n]
            for j in range(n):
                a = A[j]
                b = B[j]
                y = 1.0 if a > b else 0.0
                R[j] = y
                P0[j] = 0.0
        elif s0 == 1 and s1 == 0:
            bs = consts[i1]
            for j in range(n):
                a = A[j]
                b = bs
                y = 1.0 if a > b else 0.0
                R[j] = y
                P0[j] = 0.0
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                b = consts[np.uint64(i1 + j * s1)]
                y = 1.0 if a > b else 0.0
                work[r + j] = y
                p0[r + j] = 0.0
    elif op == 31:  # gt_cv
        if s0 == 1 and s1 == 1:
            B = consts[i1:i1 + n]
            for j in range(n):
                a = B[j]
                b = A[j]
                y = 1.0 if a > b else 0.0
                R[j] = y
                P0[j] = 0.0
        elif s0 == 1 and s1 == 0:
            bs = consts[i1]
            for j in range(n):
                a = bs
                b = A[j]
                y = 1.0 if a > b else 0.0
                R[j] = y
                P0[j] = 0.0
        else:
            for j in range(n):
                a = consts[np.uint64(i1 + j * s1)]
                b = work[np.uint64(i0 + j * s0)]
                y = 1.0 if a > b else 0.0
                work[r + j] = y
                p0[r + j] = 0.0
    elif op == 32:  # ge
        if s0 == 1 and s1 == 1:
            B = work[i1:i1 + n]
            for j in range(n):
                a = A[j]
                b = B[j]
                y = 1.0 if a >= b else 0.0
                R[j] = y
                P0[j] = 0.0
                P1[j] = 0.0
        elif s0 == 1 and s1 == 0:
            bs = work[i1]
            for j in range(n):
                a = A[j]
                b = bs
                y = 1.0 if a >= b else 0.0
                R[j] = y
                P0[j] = 0.0
                P1[j] = 0.0
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                b = work[np.uint64(i1 + j * s1)]
                y = 1.0 if a >= b else 0.0
                work[r + j] = y
                p0[r + j] = 0.0
                p1[r + j] = 0.0
    elif op == 33:  # ge_vc
        if s0 == 1 and s1 == 1:
            B = consts[i1:i1 + n]
            for j in range(n):
                a = A[j]
                b = B[j]
                y = 1.0 if a >= b else 0.0
                R[j] = y
                P0[j] = 0.0
        elif s0 == 1 and s1 == 0:
            bs = consts[i1]
            for j in range(n):
                a = A[j]
                b = bs
                y = 1.0 if a >= b else 0.0
                R[j] = y
                P0[j] = 0.0
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                b = consts[np.uint64(i1 + j * s1)]
                y = 1.0 if a >= b else 0.0
                work[r + j] = y
                p0[r + j] = 0.0
    elif op == 34:  # ge_cv
        if s0 == 1 and s1 == 1:
            B = consts[i1:i1 + n]
            for j in range(n):
                a = B[j]
                b = A[j]
                y = 1.0 if a >= b else 0.0
                R[j] = y
                P0[j] = 0.0
        elif s0 == 1 and s1 == 0:
            bs = consts[i1]
            for j in range(n):
                a = bs
                b = A[j]
                y = 1.0 if a >= b else 0.0
                R[j] = y
                P0[j] = 0.0
        else:
            for j in range(n):
                a = consts[np.uint64(i1 + j * s1)]
                b = work[np.uint64(i0 + j * s0)]
                y = 1.0 if a >= b else 0.0
                work[r + j] = y
                p0[r + j] = 0.0
    elif op == 35:  # eq
        if s0 == 1 and s1 == 1:
            B = work[i1:i1 + n]
            for j in range(n):
                a = A[j]
                b = B[j]
                y = 1.0 if a == b else 0.0
                R[j] = y
                P0[j] = 0.0
                P1[j] = 0.0
        elif s0 == 1 and s1 == 0:
            bs = work[i1]
            for j in range(n):
                a = A[j]
                b = bs
                y = 1.0 if a == b else 0.0
                R[j] = y
                P0[j] = 0.0
                P1[j] = 0.0
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                b = work[np.uint64(i1 + j * s1)]
                y = 1.0 if a == b else 0.0
                work[r + j] = y
                p0[r + j] = 0.0
                p1[r + j] = 0.0
    elif op == 36:  # eq_vc
        if s0 == 1 and s1 == 1:
            B = consts[i1:i1 + n]
            for j in range(n):
                a = A[j]
                b = B[j]
                y = 1.0 if a == b else 0.0
                R[j] = y
                P0[j] = 0.0
        elif s0 == 1 and s1 == 0:
            bs = consts[i1]
            for j in range(n):
                a = A[j]
                b = bs
                y = 1.0 if a == b else 0.0
                R[j] = y
                P0[j] = 0.0
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                b = consts[np.uint64(i1 + j * s1)]
                y = 1.0 if a == b else 0.0
                work[r + j] = y
                p0[r + j] = 0.0
    elif op == 37:  # eq_cv
        if s0 == 1 and s1 == 1:
            B = consts[i1:i1 + n]
            for j in range(n):
                a = B[j]
                b = A[j]
                y = 1.0 if a == b else 0.0
                R[j] = y
                P0[j] = 0.0
        elif s0 == 1 and s1 == 0:
            bs = consts[i1]
            for j in range(n):
                a = bs
                b = A[j]
                y = 1.0 if a == b else 0.0
                R[j] = y
                P0[j] = 0.0
        else:
            for j in range(n):
                a = consts[np.uint64(i1 + j * s1)]
                b = work[np.uint64(i0 + j * s0)]
                y = 1.0 if a == b else 0.0
                work[r + j] = y
                p0[r + j] = 0.0
    elif op == 38:  # ne
        if s0 == 1 and s1 == 1:
            B = work[i1:i1 + n]
            for j in range(n):
                a = A[j]
                b = B[j]
                y = 1.0 if a != b else 0.0
                R[j] = y
                P0[j] = 0.0
                P1[j] = 0.0
        elif s0 == 1 and s1 == 0:
            bs = work[i1]
            for j in range(n):
                a = A[j]
                b = bs
                y = 1.0 if a != b else 0.0
                R[j] = y
                P0[j] = 0.0
                P1[j] = 0.0
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                b = work[np.uint64(i1 + j * s1)]
                y = 1.0 if a != b else 0.0
                work[r + j] = y
                p0[r + j] = 0.0
                p1[r + j] = 0.0
    elif op == 39:  # ne_vc
        if s0 == 1 and s1 == 1:
            B = consts[i1:i1 + n]
            for j in range(n):
                a = A[j]
                b = B[j]
                y = 1.0 if a != b else 0.0
                R[j] = y
                P0[j] = 0.0
        elif s0 == 1 and s1 == 0:
            bs = consts[i1]
            for j in range(n):
                a = A[j]
                b = bs
                y = 1.0 if a != b else 0.0
                R[j] = y
                P0[j] = 0.0
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                b = consts[np.uint64(i1 + j * s1)]
                y = 1.0 if a != b else 0.0
                work[r + j] = y
                p0[r + j] = 0.0
    elif op == 40:  # ne_cv
        if s0 == 1 and s1 == 1:
            B = consts[i1:i1 + n]
            for j in range(n):
                a = B[j]
                b = A[j]
                y = 1.0 if a != b else 0.0
                R[j] = y
                P0[j] = 0.0
        elif s0 == 1 and s1 == 0:
            bs = consts[i1]
            for j in range(n):
                a = bs
                b = A[j]
                y = 1.0 if a != b else 0.0
                R[j] = y
                P0[j] = 0.0
        else:
            for j in range(n):
                a = consts[np.uint64(i1 + j * s1)]
                b = work[np.uint64(i0 + j * s0)]
                y = 1.0 if a != b else 0.0
                work[r + j] = y
                p0[r + j] = 0.0
    elif op == 41:  # logical_and
        if s0 == 1 and s1 == 1:
            B = work[i1:i1 + n]
            for j in range(n):
                a = A[j]
                b = B[j]
                y = 1.0 if (a != 0.0 and b != 0.0) else 0.0
                R[j] = y
                P0[j] = 0.0
                P1[j] = 0.0
        elif s0 == 1 and s1 == 0:
            bs = work[i1]
            for j in range(n):
                a = A[j]
                b = bs
                y = 1.0 if (a != 0.0 and b != 0.0) else 0.0
                R[j] = y
                P0[j] = 0.0
                P1[j] = 0.0
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                b = work[np.uint64(i1 + j * s1)]
                y = 1.0 if (a != 0.0 and b != 0.0) else 0.0
                work[r + j] = y
                p0[r + j] = 0.0
                p1[r + j] = 0.0
    elif op == 42:  # logical_and_vc
        if s0 == 1 and s1 == 1:
            B = consts[i1:i1 + n]
            for j in range(n):
                a = A[j]
                b = B[j]
                y = 1.0 if (a != 0.0 and b != 0.0) else 0.0
                R[j] = y
                P0[j] = 0.0
        elif s0 == 1 and s1 == 0:
            bs = consts[i1]
            for j in range(n):
                a = A[j]
                b = bs
                y = 1.0 if (a != 0.0 and b != 0.0) else 0.0
                R[j] = y
                P0[j] = 0.0
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                b = consts[np.uint64(i1 + j * s1)]
                y = 1.0 if (a != 0.0 and b != 0.0) else 0.0
                work[r + j] = y
                p0[r + j] = 0.0
    elif op == 43:  # logical_or
        if s0 == 1 and s1 == 1:
            B = work[i1:i1 + n]
            for j in range(n):
                a = A[j]
                b = B[j]
                y = 1.0 if (a != 0.0 or b != 0.0) else 0.0
                R[j] = y
                P0[j] = 0.0
                P1[j] = 0.0
        elif s0 == 1 and s1 == 0:
            bs = work[i1]
            for j in range(n):
                a = A[j]
                b = bs
                y = 1.0 if (a != 0.0 or b != 0.0) else 0.0
                R[j] = y
                P0[j] = 0.0
                P1[j] = 0.0
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                b = work[np.uint64(i1 + j * s1)]
                y = 1.0 if (a != 0.0 or b != 0.0) else 0.0
                work[r + j] = y
                p0[r + j] = 0.0
                p1[r + j] = 0.0
    elif op == 44:  # logical_or_vc
        if s0 == 1 and s1 == 1:
            B = consts[i1:i1 + n]
            for j in range(n):
                a = A[j]
                b = B[j]
                y = 1.0 if (a != 0.0 or b != 0.0) else 0.0
                R[j] = y
                P0[j] = 0.0
        elif s0 == 1 and s1 == 0:
            bs = consts[i1]
            for j in range(n):
                a = A[j]
                b = bs
                y = 1.0 if (a != 0.0 or b != 0.0) else 0.0
                R[j] = y
                P0[j] = 0.0
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                b = consts[np.uint64(i1 + j * s1)]
                y = 1.0 if (a != 0.0 or b != 0.0) else 0.0
                work[r + j] = y
                p0[r + j] = 0.0
    elif op == 45:  # pick_true
        if s0 == 1 and s1 == 1:
            B = work[i1:i1 + n]
            for j in range(n):
                a = A[j]
                b = B[j]
                y = b if a != 0.0 else 0.0
                R[j] = y
                P0[j] = 0.0
                P1[j] = 1.0 if a != 0.0 else 0.0
        elif s0 == 1 and s1 == 0:
            bs = work[i1]
            for j in range(n):
                a = A[j]
                b = bs
                y = b if a != 0.0 else 0.0
                R[j] = y
                P0[j] = 0.0
                P1[j] = 1.0 if a != 0.0 else 0.0
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                b = work[np.uint64(i1 + j * s1)]
                y = b if a != 0.0 else 0.0
                work[r + j] = y
                p0[r + j] = 0.0
                p1[r + j] = 1.0 if a != 0.0 else 0.0
    elif op == 46:  # pick_true_vc
        if s0 == 1 and s1 == 1:
            B = consts[i1:i1 + n]
            for j in range(n):
                a = A[j]
                b = B[j]
                y = b if a != 0.0 else 0.0
                R[j] = y
                P0[j] = 0.0
        elif s0 == 1 and s1 == 0:
            bs = consts[i1]
            for j in range(n):
                a = A[j]
                b = bs
                y = b if a != 0.0 else 0.0
                R[j] = y
                P0[j] = 0.0
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                b = consts[np.uint64(i1 + j * s1)]
                y = b if a != 0.0 else 0.0
                work[r + j] = y
                p0[r + j] = 0.0
    elif op == 47:  # pick_false
        if s0 == 1 and s1 == 1:
            B = work[i1:i1 + n]
            for j in range(n):
                a = A[j]
                b = B[j]
                y = b if a == 0.0 else 0.0
                R[j] = y
                P0[j] = 0.0
                P1[j] = 1.0 if a == 0.0 else 0.0
        elif s0 == 1 and s1 == 0:
            bs = work[i1]
            for j in range(n):
                a = A[j]
                b = bs
                y = b if a == 0.0 else 0.0
                R[j] = y
                P0[j] = 0.0
                P1[j] = 1.0 if a == 0.0 else 0.0
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                b = work[np.uint64(i1 + j * s1)]
                y = b if a == 0.0 else 0.0
                work[r + j] = y
                p0[r + j] = 0.0
                p1[r + j] = 1.0 if a == 0.0 else 0.0
    elif op == 48:  # pick_false_vc
        if s0 == 1 and s1 == 1:
            B = consts[i1:i1 + n]
            for j in range(n):
                a = A[j]
                b = B[j]
                y = b if a == 0.0 else 0.0
                R[j] = y
                P0[j] = 0.0
        elif s0 == 1 and s1 == 0:
            bs = consts[i1]
            for j in range(n):
                a = A[j]
                b = bs
                y = b if a == 0.0 else 0.0
                R[j] = y
                P0[j] = 0.0
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                b = consts[np.uint64(i1 + j * s1)]
                y = b if a == 0.0 else 0.0
                work[r + j] = y
                p0[r + j] = 0.0
    elif op == 50:  # logical_not
        if s0 == 1:
            for j in range(n):
                a = A[j]
                y = 1.0 if a == 0.0 else 0.0
                R[j] = y
                P0[j] = 0.0
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                y = 1.0 if a == 0.0 else 0.0
                work[r + j] = y
                p0[r + j] = 0.0
    elif op == 51:  # abs
        if s0 == 1:
            for j in range(n):
                a = A[j]
                y = np.abs(a)
                R[j] = y
                P0[j] = np.sign(a)
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                y = np.abs(a)
                work[r + j] = y
                p0[r + j] = np.sign(a)
    elif op == 52:  # sign
        if s0 == 1:
            for j in range(n):
                a = A[j]
                y = np.sign(a)
                R[j] = y
                P0[j] = 0.0
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                y = np.sign(a)
                work[r + j] = y
                p0[r + j] = 0.0
    elif op == 53:  # floor
        if s0 == 1:
            for j in range(n):
                a = A[j]
                y = np.floor(a)
                R[j] = y
                P0[j] = 0.0
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                y = np.floor(a)
                work[r + j] = y
                p0[r + j] = 0.0
    elif op == 54:  # ceil
        if s0 == 1:
            for j in range(n):
                a = A[j]
                y = np.ceil(a)
                R[j] = y
                P0[j] = 0.0
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                y = np.ceil(a)
                work[r + j] = y
                p0[r + j] = 0.0
    elif op == 57:  # sqrt
        if s0 == 1:
            for j in range(n):
                a = A[j]
                y = np.sqrt(a)
                R[j] = y
                P0[j] = 0.5 / y
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                y = np.sqrt(a)
                work[r + j] = y
                p0[r + j] = 0.5 / y
    elif op == 58:  # cbrt
        if s0 == 1:
            for j in range(n):
                a = A[j]
                y = np.cbrt(a)
                R[j] = y
                P0[j] = (1.0 / 3.0) / y / y
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                y = np.cbrt(a)
                work[r + j] = y
                p0[r + j] = (1.0 / 3.0) / y / y
    elif op == 59:  # exp
        if s0 == 1:
            for j in range(n):
                a = A[j]
                y = np.exp(a)
                R[j] = y
                P0[j] = y
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                y = np.exp(a)
                work[r + j] = y
                p0[r + j] = y
    elif op == 60:  # expm1
        if s0 == 1:
            for j in range(n):
                a = A[j]
                y = np.expm1(a)
                R[j] = y
                P0[j] = np.exp(a)
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                y = np.expm1(a)
                work[r + j] = y
                p0[r + j] = np.exp(a)
    elif op == 61:  # log
        if s0 == 1:
            for j in range(n):
                a = A[j]
                y = np.log(a)
                R[j] = y
                P0[j] = 1.0 / a
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                y = np.log(a)
                work[r + j] = y
                p0[r + j] = 1.0 / a
    elif op == 62:  # log1p
        if s0 == 1:
            for j in range(n):
                a = A[j]
                y = np.log1p(a)
                R[j] = y
                P0[j] = 1.0 / (1.0 + a)
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                y = np.log1p(a)
                work[r + j] = y
                p0[r + j] = 1.0 / (1.0 + a)
    elif op == 63:  # log2
        if s0 == 1:
            for j in range(n):
                a = A[j]
                y = np.log2(a)
                R[j] = y
                P0[j] = 1.4426950408889634 / a
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                y = np.log2(a)
                work[r + j] = y
                p0[r + j] = 1.4426950408889634 / a
    elif op == 64:  # log10
        if s0 == 1:
            for j in range(n):
                a = A[j]
                y = np.log10(a)
                R[j] = y
                P0[j] = 0.4342944819032518 / a
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                y = np.log10(a)
                work[r + j] = y
                p0[r + j] = 0.4342944819032518 / a
    elif op == 65:  # sin
        if s0 == 1:
            for j in range(n):
                a = A[j]
                y = np.sin(a)
                R[j] = y
                P0[j] = np.cos(a)
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                y = np.sin(a)
                work[r + j] = y
                p0[r + j] = np.cos(a)
    elif op == 66:  # cos
        if s0 == 1:
            for j in range(n):
                a = A[j]
                y = np.cos(a)
                R[j] = y
                P0[j] = -np.sin(a)
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                y = np.cos(a)
                work[r + j] = y
                p0[r + j] = -np.sin(a)
    elif op == 67:  # tan
        if s0 == 1:
            for j in range(n):
                a = A[j]
                y = np.tan(a)
                R[j] = y
                P0[j] = 1.0 + y * y
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                y = np.tan(a)
                work[r + j] = y
                p0[r + j] = 1.0 + y * y
    elif op == 68:  # arcsin
        if s0 == 1:
            for j in range(n):
                a = A[j]
                y = np.arcsin(a)
                R[j] = y
                P0[j] = 1.0 / np.sqrt((1.0 - a) * (1.0 + a))
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                y = np.arcsin(a)
                work[r + j] = y
                p0[r + j] = 1.0 / np.sqrt((1.0 - a) * (1.0 + a))
    elif op == 69:  # arccos
        if s0 == 1:
            for j in range(n):
                a = A[j]
                y = np.arccos(a)
                R[j] = y
                P0[j] = -1.0 / np.sqrt((1.0 - a) * (1.0 + a))
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                y = np.arccos(a)
                work[r + j] = y
                p0[r + j] = -1.0 / np.sqrt((1.0 - a) * (1.0 + a))
    elif op == 70:  # arctan
        if s0 == 1:
            for j in range(n):
                a = A[j]
                y = np.arctan(a)
                R[j] = y
                P0[j] = 1.0 / (1.0 + a * a)
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                y = np.arctan(a)
                work[r + j] = y
                p0[r + j] = 1.0 / (1.0 + a * a)
    elif op == 71:  # sinh
        if s0 == 1:
            for j in range(n):
                a = A[j]
                y = np.sinh(a)
                R[j] = y
                P0[j] = np.cosh(a)
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                y = np.sinh(a)
                work[r + j] = y
                p0[r + j] = np.cosh(a)
    elif op == 72:  # cosh
        if s0 == 1:
            for j in range(n):
                a = A[j]
                y = np.cosh(a)
                R[j] = y
                P0[j] = np.sinh(a)
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                y = np.cosh(a)
                work[r + j] = y
                p0[r + j] = np.sinh(a)
    elif op == 73:  # tanh
        if s0 == 1:
            for j in range(n):
                a = A[j]
                y = np.tanh(a)
                R[j] = y
                P0[j] = 1.0 - y * y if np.abs(a) < 0.5 else (1.0 / np.cosh(a)) ** 2
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                y = np.tanh(a)
                work[r + j] = y
                p0[r + j] = 1.0 - y * y if np.abs(a) < 0.5 else (1.0 / np.cosh(a)) ** 2
    elif op == 74:  # arcsinh
        if s0 == 1:
            for j in range(n):
                a = A[j]
                y = np.arcsinh(a)
                R[j] = y
                P0[j] = 1.0 / np.hypot(a, 1.0)
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                y = np.arcsinh(a)
                work[r + j] = y
                p0[r + j] = 1.0 / np.hypot(a, 1.0)
    elif op == 75:  # arccosh
        if s0 == 1:
            for j in range(n):
                a = A[j]
                y = np.arccosh(a)
                R[j] = y
                P0[j] = 1.0 / (np.sqrt(a - 1.0) * np.sqrt(a + 1.0))
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                y = np.arccosh(a)
                work[r + j] = y
                p0[r + j] = 1.0 / (np.sqrt(a - 1.0) * np.sqrt(a + 1.0))
    elif op == 76:  # arctanh
        if s0 == 1:
            for j in range(n):
                a = A[j]
                y = np.arctanh(a)
                R[j] = y
                P0[j] = 1.0 / ((1.0 - a) * (1.0 + a))
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                y = np.arctanh(a)
                work[r + j] = y
                p0[r + j] = 1.0 / ((1.0 - a) * (1.0 + a))
    elif op == 77:  # erf
        if s0 == 1:
            for j in range(n):
                a = A[j]
                y = math.erf(a)
                R[j] = y
                P0[j] = 1.1283791670955126 * np.exp(-a * a)
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                y = math.erf(a)
                work[r + j] = y
                p0[r + j] = 1.1283791670955126 * np.exp(-a * a)
    elif op == 78:  # erfc
        if s0 == 1:
            for j in range(n):
                a = A[j]
                y = math.erfc(a)
                R[j] = y
                P0[j] = -1.1283791670955126 * np.exp(-a * a)
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                y = math.erfc(a)
                work[r + j] = y
                p0[r + j] = -1.1283791670955126 * np.exp(-a * a)
    elif op == 79:  # lgamma
        if s0 == 1:
            for j in range(n):
                a = A[j]
                y = lgamma(a)
                R[j] = y
                P0[j] = digamma(a)
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                y = lgamma(a)
                work[r + j] = y
                p0[r + j] = digamma(a)
    elif op == 85:  # mod
        if s0 == 1 and s1 == 1:
            B = work[i1:i1 + n]
            for j in range(n):
                a = A[j]
                b = B[j]
                y = a % b
                R[j] = y
                P0[j] = 1.0
                P1[j] = -(a // b)
        elif s0 == 1 and s1 == 0:
            bs = work[i1]
            for j in range(n):
                a = A[j]
                b = bs
                y = a % b
                R[j] = y
                P0[j] = 1.0
                P1[j] = -(a // b)
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                b = work[np.uint64(i1 + j * s1)]
                y = a % b
                work[r + j] = y
                p0[r + j] = 1.0
                p1[r + j] = -(a // b)
    elif op == 86:  # mod_vc
        if s0 == 1 and s1 == 1:
            B = consts[i1:i1 + n]
            for j in range(n):
                a = A[j]
                b = B[j]
                y = a % b
                R[j] = y
                P0[j] = 1.0
        elif s0 == 1 and s1 == 0:
            bs = consts[i1]
            for j in range(n):
                a = A[j]
                b = bs
                y = a % b
                R[j] = y
                P0[j] = 1.0
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                b = consts[np.uint64(i1 + j * s1)]
                y = a % b
                work[r + j] = y
                p0[r + j] = 1.0
    elif op == 87:  # mod_cv
        if s0 == 1 and s1 == 1:
            B = consts[i1:i1 + n]
            for j in range(n):
                a = B[j]
                b = A[j]
                y = a % b
                R[j] = y
                P0[j] = -(a // b)
        elif s0 == 1 and s1 == 0:
            bs = consts[i1]
            for j in range(n):
                a = bs
                b = A[j]
                y = a % b
                R[j] = y
                P0[j] = -(a // b)
        else:
            for j in range(n):
                a = consts[np.uint64(i1 + j * s1)]
                b = work[np.uint64(i0 + j * s0)]
                y = a % b
                work[r + j] = y
                p0[r + j] = -(a // b)
    elif op == 88:  # floordiv
        if s0 == 1 and s1 == 1:
            B = work[i1:i1 + n]
            for j in range(n):
                a = A[j]
                b = B[j]
                y = a // b
                R[j] = y
                P0[j] = 0.0
                P1[j] = 0.0
        elif s0 == 1 and s1 == 0:
            bs = work[i1]
            for j in range(n):
                a = A[j]
                b = bs
                y = a // b
                R[j] = y
                P0[j] = 0.0
                P1[j] = 0.0
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                b = work[np.uint64(i1 + j * s1)]
                y = a // b
                work[r + j] = y
                p0[r + j] = 0.0
                p1[r + j] = 0.0
    elif op == 89:  # floordiv_vc
        if s0 == 1 and s1 == 1:
            B = consts[i1:i1 + n]
            for j in range(n):
                a = A[j]
                b = B[j]
                y = a // b
                R[j] = y
                P0[j] = 0.0
        elif s0 == 1 and s1 == 0:
            bs = consts[i1]
            for j in range(n):
                a = A[j]
                b = bs
                y = a // b
                R[j] = y
                P0[j] = 0.0
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                b = consts[np.uint64(i1 + j * s1)]
                y = a // b
                work[r + j] = y
                p0[r + j] = 0.0
    elif op == 90:  # floordiv_cv
        if s0 == 1 and s1 == 1:
            B = consts[i1:i1 + n]
            for j in range(n):
                a = B[j]
                b = A[j]
                y = a // b
                R[j] = y
                P0[j] = 0.0
        elif s0 == 1 and s1 == 0:
            bs = consts[i1]
            for j in range(n):
                a = bs
                b = A[j]
                y = a // b
                R[j] = y
                P0[j] = 0.0
        else:
            for j in range(n):
                a = consts[np.uint64(i1 + j * s1)]
                b = work[np.uint64(i0 + j * s0)]
                y = a // b
                work[r + j] = y
                p0[r + j] = 0.0
    elif op == 91:  # fmod
        if s0 == 1 and s1 == 1:
            B = work[i1:i1 + n]
            for j in range(n):
                a = A[j]
                b = B[j]
                y = np.fmod(a, b)
                R[j] = y
                P0[j] = 1.0
                P1[j] = -np.rint((a - y) / b)
        elif s0 == 1 and s1 == 0:
            bs = work[i1]
            for j in range(n):
                a = A[j]
                b = bs
                y = np.fmod(a, b)
                R[j] = y
                P0[j] = 1.0
                P1[j] = -np.rint((a - y) / b)
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                b = work[np.uint64(i1 + j * s1)]
                y = np.fmod(a, b)
                work[r + j] = y
                p0[r + j] = 1.0
                p1[r + j] = -np.rint((a - y) / b)
    elif op == 92:  # fmod_vc
        if s0 == 1 and s1 == 1:
            B = consts[i1:i1 + n]
            for j in range(n):
                a = A[j]
                b = B[j]
                y = np.fmod(a, b)
                R[j] = y
                P0[j] = 1.0
        elif s0 == 1 and s1 == 0:
            bs = consts[i1]
            for j in range(n):
                a = A[j]
                b = bs
                y = np.fmod(a, b)
                R[j] = y
                P0[j] = 1.0
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                b = consts[np.uint64(i1 + j * s1)]
                y = np.fmod(a, b)
                work[r + j] = y
                p0[r + j] = 1.0
    elif op == 93:  # fmod_cv
        if s0 == 1 and s1 == 1:
            B = consts[i1:i1 + n]
            for j in range(n):
                a = B[j]
                b = A[j]
                y = np.fmod(a, b)
                R[j] = y
                P0[j] = -np.rint((a - y) / b)
        elif s0 == 1 and s1 == 0:
            bs = consts[i1]
            for j in range(n):
                a = bs
                b = A[j]
                y = np.fmod(a, b)
                R[j] = y
                P0[j] = -np.rint((a - y) / b)
        else:
            for j in range(n):
                a = consts[np.uint64(i1 + j * s1)]
                b = work[np.uint64(i0 + j * s0)]
                y = np.fmod(a, b)
                work[r + j] = y
                p0[r + j] = -np.rint((a - y) / b)
    elif op == 94:  # fmin
        if s0 == 1 and s1 == 1:
            B = work[i1:i1 + n]
            for j in range(n):
                a = A[j]
                b = B[j]
                y = b if a != a else (a if b != b else (a if a < b else (b if b < a else a)))
                R[j] = y
                P0[j] = 0.0 if a != a else (1.0 if b != b else (1.0 if a < b else (0.5 if a == b else 0.0)))
                P1[j] = 1.0 if a != a else (0.0 if b != b else (1.0 if b < a else (0.5 if a == b else 0.0)))
        elif s0 == 1 and s1 == 0:
            bs = work[i1]
            for j in range(n):
                a = A[j]
                b = bs
                y = b if a != a else (a if b != b else (a if a < b else (b if b < a else a)))
                R[j] = y
                P0[j] = 0.0 if a != a else (1.0 if b != b else (1.0 if a < b else (0.5 if a == b else 0.0)))
                P1[j] = 1.0 if a != a else (0.0 if b != b else (1.0 if b < a else (0.5 if a == b else 0.0)))
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                b = work[np.uint64(i1 + j * s1)]
                y = b if a != a else (a if b != b else (a if a < b else (b if b < a else a)))
                work[r + j] = y
                p0[r + j] = 0.0 if a != a else (1.0 if b != b else (1.0 if a < b else (0.5 if a == b else 0.0)))
                p1[r + j] = 1.0 if a != a else (0.0 if b != b else (1.0 if b < a else (0.5 if a == b else 0.0)))
    elif op == 95:  # fmin_vc
        if s0 == 1 and s1 == 1:
            B = consts[i1:i1 + n]
            for j in range(n):
                a = A[j]
                b = B[j]
                y = b if a != a else (a if b != b else (a if a < b else (b if b < a else a)))
                R[j] = y
                P0[j] = 0.0 if a != a else (1.0 if b != b else (1.0 if a < b else (0.5 if a == b else 0.0)))
        elif s0 == 1 and s1 == 0:
            bs = consts[i1]
            for j in range(n):
                a = A[j]
                b = bs
                y = b if a != a else (a if b != b else (a if a < b else (b if b < a else a)))
                R[j] = y
                P0[j] = 0.0 if a != a else (1.0 if b != b else (1.0 if a < b else (0.5 if a == b else 0.0)))
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                b = consts[np.uint64(i1 + j * s1)]
                y = b if a != a else (a if b != b else (a if a < b else (b if b < a else a)))
                work[r + j] = y
                p0[r + j] = 0.0 if a != a else (1.0 if b != b else (1.0 if a < b else (0.5 if a == b else 0.0)))
    elif op == 96:  # fmax
        if s0 == 1 and s1 == 1:
            B = work[i1:i1 + n]
            for j in range(n):
                a = A[j]
                b = B[j]
                y = b if a != a else (a if b != b else (a if a > b else (b if b > a else a)))
                R[j] = y
                P0[j] = 0.0 if a != a else (1.0 if b != b else (1.0 if a > b else (0.5 if a == b else 0.0)))
                P1[j] = 1.0 if a != a else (0.0 if b != b else (1.0 if b > a else (0.5 if a == b else 0.0)))
        elif s0 == 1 and s1 == 0:
            bs = work[i1]
            for j in range(n):
                a = A[j]
                b = bs
                y = b if a != a else (a if b != b else (a if a > b else (b if b > a else a)))
                R[j] = y
                P0[j] = 0.0 if a != a else (1.0 if b != b else (1.0 if a > b else (0.5 if a == b else 0.0)))
                P1[j] = 1.0 if a != a else (0.0 if b != b else (1.0 if b > a else (0.5 if a == b else 0.0)))
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                b = work[np.uint64(i1 + j * s1)]
                y = b if a != a else (a if b != b else (a if a > b else (b if b > a else a)))
                work[r + j] = y
                p0[r + j] = 0.0 if a != a else (1.0 if b != b else (1.0 if a > b else (0.5 if a == b else 0.0)))
                p1[r + j] = 1.0 if a != a else (0.0 if b != b else (1.0 if b > a else (0.5 if a == b else 0.0)))
    elif op == 97:  # fmax_vc
        if s0 == 1 and s1 == 1:
            B = consts[i1:i1 + n]
            for j in range(n):
                a = A[j]
                b = B[j]
                y = b if a != a else (a if b != b else (a if a > b else (b if b > a else a)))
                R[j] = y
                P0[j] = 0.0 if a != a else (1.0 if b != b else (1.0 if a > b else (0.5 if a == b else 0.0)))
        elif s0 == 1 and s1 == 0:
            bs = consts[i1]
            for j in range(n):
                a = A[j]
                b = bs
                y = b if a != a else (a if b != b else (a if a > b else (b if b > a else a)))
                R[j] = y
                P0[j] = 0.0 if a != a else (1.0 if b != b else (1.0 if a > b else (0.5 if a == b else 0.0)))
        else:
            for j in range(n):
                a = work[np.uint64(i0 + j * s0)]
                b = consts[np.uint64(i1 + j * s1)]
                y = b if a != a else (a if b != b else (a if a > b else (b if b > a else a)))
                work[r + j] = y
                p0[r + j] = 0.0 if a != a else (1.0 if b != b else (1.0 if a > b else (0.5 if a == b else 0.0)))


@njit(cache=True, nogil=True, error_model="numpy")
def elem_second(op, r, n, i0, s0, i1, s1, consts, work, p0, p1, s00, s01, s11):
    """One elementwise array instruction's values, partials and second partials."""
    if op == 0:  # const
        for j in range(n):
            work[r + j] = consts[np.uint64(i0 + j * s0)]
            p0[r + j] = 0.0
            s00[r + j] = 0.0
    elif op == 1:  # add
        for j in range(n):
            a = work[np.uint64(i0 + j * s0)]
            b = work[np.uint64(i1 + j * s1)]
            y = a + b
            work[r + j] = y
            p0[r + j] = 1.0
            s00[r + j] = 0.0
            p1[r + j] = 1.0
            s01[r + j] = 0.0
            s11[r + j] = 0.0
    elif op == 2:  # add_vc
        for j in range(n):
            a = work[np.uint64(i0 + j * s0)]
            b = consts[np.uint64(i1 + j * s1)]
            y = a + b
            work[r + j] = y
            p0[r + j] = 1.0
            s00[r + j] = 0.0
    elif op == 3:  # sub
        for j in range(n):
            a = work[np.uint64(i0 + j * s0)]
            b = work[np.uint64(i1 + j * s1)]
            y = a - b
            work[r + j] = y
            p0[r + j] = 1.0
            s00[r + j] = 0.0
            p1[r + j] = -1.0
            s01[r + j] = 0.0
            s11[r + j] = 0.0
    elif op == 4:  # sub_vc
        for j in range(n):
            a = work[np.uint64(i0 + j * s0)]
            b = consts[np.uint64(i1 + j * s1)]
            y = a - b
            work[r + j] = y
            p0[r + j] = 1.0
            s00[r + j] = 0.0
    elif op == 5:  # sub_cv
        for j in range(n):
            a = consts[np.uint64(i1 + j * s1)]
            b = work[np.uint64(i0 + j * s0)]
            y = a - b
            work[r + j] = y
            p0[r + j] = -1.0
            s00[r + j] = 0.0
    elif op == 6:  # mul
        for j in range(n):
            a = work[np.uint64(i0 + j * s0)]
            b = work[np.uint64(i1 + j * s1)]
            y = a * b
            work[r + j] = y
            p0[r + j] = b
            s00[r + j] = 0.0
            p1[r + j] = a
            s01[r + j] = 1.0
            s11[r + j] = 0.0
    elif op == 7:  # mul_vc
        for j in range(n):
            a = work[np.uint64(i0 + j * s0)]
            b = consts[np.uint64(i1 + j * s1)]
            y = a * b
            work[r + j] = y
            p0[r + j] = b
            s00[r + j] = 0.0
    elif op == 8:  # div
        for j in range(n):
            a = work[np.uint64(i0 + j * s0)]
            b = work[np.uint64(i1 + j * s1)]
            y = a / b
            work[r + j] = y
            p0[r + j] = 1.0 / b
            s00[r + j] = 0.0
            p1[r + j] = -y / b
            s01[r + j] = -(1.0 / b) / b
            s11[r + j] = 2.0 * (y / b) / b
    elif op == 9:  # div_vc
        for j in range(n):
            a = work[np.uint64(i0 + j * s0)]
            b = consts[np.uint64(i1 + j * s1)]
            y = a / b
            work[r + j] = y
            p0[r + j] = 1.0 / b
            s00[r + j] = 0.0
    elif op == 10:  # div_cv
        for j in range(n):
            a = consts[np.uint64(i1 + j * s1)]
            b = work[np.uint64(i0 + j * s0)]
            y = a / b
            work[r + j] = y
            p0[r + j] = -y / b
            s00[r + j] = 2.0 * (y / b) / b
    elif op == 11:  # pow
        for j in range(n):
            a = work[np.uint64(i0 + j * s0)]
            b = work[np.uint64(i1 + j * s1)]
            y = a ** b
            work[r + j] = y
            p0[r + j] = b * a ** (b - 1.0) if b != 0.0 else 0.0
            s00[r + j] = (b * a ** (0.5 * b - 1.0)) * ((b - 1.0) * a ** (0.5 * b - 1.0)) if (b != 0.0 and b != 1.0) else 0.0
            p1[r + j] = y * np.log(a) if a != 0.0 else 0.0
            s01[r + j] = a ** (b - 1.0) * (1.0 + b * np.log(a)) if a != 0.0 else 0.0
            s11[r + j] = y * np.log(a) ** 2 if a != 0.0 else 0.0
    elif op == 12:  # pow_vc
        for j in range(n):
            a = work[np.uint64(i0 + j * s0)]
            b = consts[np.uint64(i1 + j * s1)]
            y = a ** b
            work[r + j] = y
            p0[r + j] = b * a ** (b - 1.0) if b != 0.0 else 0.0
            s00[r + j] = (b * a ** (0.5 * b - 1.0)) * ((b - 1.0) * a ** (0.5 * b - 1.0)) if (b != 0.0 and b != 1.0) else 0.0
    elif op == 13:  # pow_cv
        for j in range(n):
            a = consts[np.uint64(i1 + j * s1)]
            b = work[np.uint64(i0 + j * s0)]
            y = a ** b
            work[r + j] = y
            p0[r + j] = y * np.log(a) if a != 0.0 else 0.0
            s00[r + j] = y * np.log(a) ** 2 if a != 0.0 else 0.0
    elif op == 14:  # atan2
        for j in range(n):
            a = work[np.uint64(i0 + j * s0)]
            b = work[np.uint64(i1 + j * s1)]
            y = np.arctan2(a, b)
            work[r + j] = y
            p0[r + j] = (b / np.hypot(a, b)) / np.hypot(a, b)
            s00[r + j] = -2.0 * (a / np.hypot(a, b)) * (b / np.hypot(a, b)) / np.hypot(a, b) / np.hypot(a, b)
            p1[r + j] = -(a / np.hypot(a, b)) / np.hypot(a, b)
            s01[r + j] = (a / np.hypot(a, b) - b / np.hypot(a, b)) * (a / np.hypot(a, b) + b / np.hypot(a, b)) / np.hypot(a, b) / np.hypot(a, b)
            s11[r + j] = 2.0 * (a / np.hypot(a, b)) * (b / np.hypot(a, b)) / np.hypot(a, b) / np.hypot(a, b)
    elif op == 15:  # atan2_vc
        for j in range(n):
            a = work[np.uint64(i0 + j * s0)]
            b = consts[np.uint64(i1 + j * s1)]
            y = np.arctan2(a, b)
            work[r + j] = y
            p0[r + j] = (b / np.hypot(a, b)) / np.hypot(a, b)
            s00[r + j] = -2.0 * (a / np.hypot(a, b)) * (b / np.hypot(a, b)) / np.hypot(a, b) / np.hypot(a, b)
    elif op == 16:  # atan2_cv
        for j in range(n):
            a = consts[np.uint64(i1 + j * s1)]
            b = work[np.uint64(i0 + j * s0)]
            y = np.arctan2(a, b)
            work[r + j] = y
            p0[r + j] = -(a / np.hypot(a, b)) / np.hypot(a, b)
            s00[r + j] = 2.0 * (a / np.hypot(a, b)) * (b / np.hypot(a, b)) / np.hypot(a, b) / np.hypot(a, b)
    elif op == 17:  # hypot
        for j in range(n):
            a = work[np.uint64(i0 + j * s0)]
            b = work[np.uint64(i1 + j * s1)]
            y = np.hypot(a, b)
            work[r + j] = y
            p0[r + j] = a / y if y != 0.0 else 0.0
            s00[r + j] = (b / y) * (b / y) / y if y != 0.0 else 0.0
            p1[r + j] = b / y if y != 0.0 else 0.0
            s01[r + j] = -(a / y) * (b / y) / y if y != 0.0 else 0.0
            s11[r + j] = (a / y) * (a / y) / y if y != 0.0 else 0.0
    elif op == 18:  # hypot_vc
        for j in range(n):
            a = work[np.uint64(i0 + j * s0)]
            b = consts[np.uint64(i1 + j * s1)]
            y = np.hypot(a, b)
            work[r + j] = y
            p0[r + j] = a / y if y != 0.0 else 0.0
            s00[r + j] = (b / y) * (b / y) / y if y != 0.0 else 0.0
    elif op == 19:  # minimum
        for j in range(n):
            a = work[np.uint64(i0 + j * s0)]
            b = work[np.uint64(i1 + j * s1)]
            y = a if a < b else (b if b < a else (a if a == b else a + b))
            work[r + j] = y
            p0[r + j] = 1.0 if a < b else (0.5 if a == b else 0.0)
            s00[r + j] = 0.0
            p1[r + j] = 1.0 if b < a else (0.5 if a == b else 0.0)
            s01[r + j] = 0.0
            s11[r + j] = 0.0
    elif op == 20:  # minimum_vc
        for j in range(n):
            a = work[np.uint64(i0 + j * s0)]
            b = consts[np.uint64(i1 + j * s1)]
            y = a if a < b else (b if b < a else (a if a == b else a + b))
            work[r + j] = y
            p0[r + j] = 1.0 if a < b else (0.5 if a == b else 0.0)
            s00[r + j] = 0.0
    elif op == 21:  # maximum
        for j in range(n):
            a = work[np.uint64(i0 + j * s0)]
            b = work[np.uint64(i1 + j * s1)]
            y = a if a > b else (b if b > a else (a if a == b else a + b))
            work[r + j] = y
            p0[r + j] = 1.0 if a > b else (0.5 if a == b else 0.0)
            s00[r + j] = 0.0
            p1[r + j] = 1.0 if b > a else (0.5 if a == b else 0.0)
            s01[r + j] = 0.0
            s11[r + j] = 0.0
    elif op == 22:  # maximum_vc
        for j in range(n):
            a = work[np.uint64(i0 + j * s0)]
            b = consts[np.uint64(i1 + j * s1)]
            y = a if a > b else (b if b > a else (a if a == b else a + b))
            work[r + j] = y
            p0[r + j] = 1.0 if a > b else (0.5 if a == b else 0.0)
            s00[r + j] = 0.0
    elif op == 23:  # lt
        for j in range(n):
            a = work[np.uint64(i0 + j * s0)]
            b = work[np.uint64(i1 + j * s1)]
            y = 1.0 if a < b else 0.0
            work[r + j] = y
            p0[r + j] = 0.0
            s00[r + j] = 0.0
            p1[r + j] = 0.0
            s01[r + j] = 0.0
            s11[r + j] = 0.0
    elif op == 24:  # lt_vc
        for j in range(n):
            a = work[np.uint64(i0 + j * s0)]
            b = consts[np.uint64(i1 + j * s1)]
            y = 1.0 if a < b else 0.0
            work[r + j] = y
            p0[r + j] = 0.0
            s00[r + j] = 0.0
    elif op == 25:  # lt_cv
        for j in range(n):
            a = consts[np.uint64(i1 + j * s1)]
            b = work[np.uint64(i0 + j * s0)]
            y = 1.0 if a < b else 0.0
            work[r + j] = y
            p0[r + j] = 0.0
            s00[r + j] = 0.0
    elif op == 26:  # le
        for j in range(n):
            a = work[np.uint64(i0 + j * s0)]
            b = work[np.uint64(i1 + j * s1)]
            y = 1.0 if a <= b else 0.0
            work[r + j] = y
            p0[r + j] = 0.0
            s00[r + j] = 0.0
            p1[r + j] = 0.0
            s01[r + j] = 0.0
            s11[r + j] = 0.0
    elif op == 27:  # le_vc
        for j in range(n):
            a = work[np.uint64(i0 + j * s0)]
            b = consts[np.uint64(i1 + j * s1)]
            y = 1.0 if a <= b else 0.0
            work[r + j] = y
            p0[r + j] = 0.0
            s00[r + j] = 0.0
    elif op == 28:  # le_cv
        for j in range(n):
            a = consts[np.uint64(i1 + j * s1)]
            b = work[np.uint64(i0 + j * s0)]
            y = 1.0 if a <= b else 0.0
            work[r + j] = y
            p0[r + j] = 0.0
            s00[r + j] = 0.0
    elif op == 29:  # gt
        for j in range(n):
            a = work[np.uint64(i0 + j * s0)]
            b = work[np.uint64(i1 + j * s1)]
            y = 1.0 if a > b else 0.0
            work[r + j] = y
            p0[r + j] = 0.0
            s00[r + j] = 0.0
            p1[r + j] = 0.0
            s01[r + j] = 0.0
            s11[r + j] = 0.0
    elif op == 30:  # gt_vc
        for j in range(n):
            a = work[np.uint64(i0 + j * s0)]
            b = consts[np.uint64(i1 + j * s1)]
            y = 1.0 if a > b else 0.0
            work[r + j] = y
            p0[r + j] = 0.0
            s00[r + j] = 0.0
    elif op == 31:  # gt_cv
        for j in range(n):
            a = consts[np.uint64(i1 + j * s1)]
            b = work[np.uint64(i0 + j * s0)]
            y = 1.0 if a > b else 0.0
            work[r + j] = y
            p0[r + j] = 0.0
            s00[r + j] = 0.0
    elif op == 32:  # ge
        for j in range(n):
            a = work[np.uint64(i0 + j * s0)]
            b = work[np.uint64(i1 + j * s1)]
            y = 1.0 if a >= b else 0.0
            work[r + j] = y
            p0[r + j] = 0.0
            s00[r + j] = 0.0
            p1[r + j] = 0.0
            s01[r + j] = 0.0
            s11[r + j] = 0.0
    elif op == 33:  # ge_vc
        for j in range(n):
            a = work[np.uint64(i0 + j * s0)]
            b = consts[np.uint64(i1 + j * s1)]
            y = 1.0 if a >= b else 0.0
            work[r + j] = y
            p0[r + j] = 0.0
            s00[r + j] = 0.0
    elif op == 34:  # ge_cv
        for j in range(n):
            a = consts[np.uint64(i1 + j * s1)]
            b = work[np.uint64(i0 + j * s0)]
            y = 1.0 if a >= b else 0.0
            work[r + j] = y
            p0[r + j] = 0.0
            s00[r + j] = 0.0
    elif op == 35:  # eq
        for j in range(n):
            a = work[np.uint64(i0 + j * s0)]
            b = work[np.uint64(i1 + j * s1)]
            y = 1.0 if a == b else 0.0
            work[r + j] = y
            p0[r + j] = 0.0
            s00[r + j] = 0.0
            p1[r + j] = 0.0
            s01[r + j] = 0.0
            s11[r + j] = 0.0
    elif op == 36:  # eq_vc
        for j in range(n):
            a = work[np.uint64(i0 + j * s0)]
            b = consts[np.uint64(i1 + j * s1)]
            y = 1.0 if a == b else 0.0
            work[r + j] = y
            p0[r + j] = 0.0
            s00[r + j] = 0.0
    elif op == 37:  # eq_cv
        for j in range(n):
            a = consts[np.uint64(i1 + j * s1)]
            b = work[np.uint64(i0 + j * s0)]
            y = 1.0 if a == b else 0.0
            work[r + j] = y
            p0[r + j] = 0.0
            s00[r + j] = 0.0
    elif op == 38:  # ne
        for j in range(n):
            a = work[np.uint64(i0 + j * s0)]
            b = work[np.uint64(i1 + j * s1)]
            y = 1.0 if a != b else 0.0
            work[r + j] = y
            p0[r + j] = 0.0
            s00[r + j] = 0.0
            p1[r + j] = 0.0
            s01[r + j] = 0.0
            s11[r + j] = 0.0
    elif op == 39:  # ne_vc
        for j in range(n):
            a = work[np.uint64(i0 + j * s0)]
            b = consts[np.uint64(i1 + j * s1)]
            y = 1.0 if a != b else 0.0
            work[r + j] = y
            p0[r + j] = 0.0
            s00[r + j] = 0.0
    elif op == 40:  # ne_cv
        for j in range(n):
            a = consts[np.uint64(i1 + j * s1)]
            b = work[np.uint64(i0 + j * s0)]
            y = 1.0 if a != b else 0.0
            work[r + j] = y
            p0[r + j] = 0.0
            s00[r + j] = 0.0
    elif op == 41:  # logical_and
        for j in range(n):
            a = work[np.uint64(i0 + j * s0)]
            b = work[np.uint64(i1 + j * s1)]
            y = 1.0 if (a != 0.0 and b != 0.0) else 0.0
            work[r + j] = y
            p0[r + j] = 0.0
            s00[r + j] = 0.0
            p1[r + j] = 0.0
            s01[r + j] = 0.0
            s11[r + j] = 0.0
    elif op == 42:  # logical_and_vc
        for j in range(n):
            a = work[np.uint64(i0 + j * s0)]
            b = consts[np.uint64(i1 + j * s1)]
            y = 1.0 if (a != 0.0 and b != 0.0) else 0.0
            work[r + j] = y
            p0[r + j] = 0.0
            s00[r + j] = 0.0
    elif op == 43:  # logical_or
        for j in range(n):
            a = work[np.uint64(i0 + j * s0)]
            b = work[np.uint64(i1 + j * s1)]
            y = 1.0 if (a != 0.0 or b != 0.0) else 0.0
            work[r + j] = y
            p0[r + j] = 0.0
            s00[r + j] = 0.0
            p1[r + j] = 0.0
            s01[r + j] = 0.0
            s11[r + j] = 0.0
    elif op == 44:  # logical_or_vc
        for j in range(n):
            a = work[np.uint64(i0 + j * s0)]
            b = consts[np.uint64(i1 + j * s1)]
            y = 1.0 if (a != 0.0 or b != 0.0) else 0.0
            work[r + j] = y
            p0[r + j] = 0.0
            s00[r + j] = 0.0
    elif op == 45:  # pick_true
        for j in range(n):
            a = work[np.uint64(i0 + j * s0)]
            b = work[np.uint64(i1 + j * s1)]
            y = b if a != 0.0 else 0.0
            work[r + j] = y
            p0[r + j] = 0.0
            s00[r + j] = 0.0
            p1[r + j] = 1.0 if a != 0.0 else 0.0
            s01[r + j] = 0.0
            s11[r + j] = 0.0
    elif op == 46:  # pick_true_vc
        for j in range(n):
            a = work[np.uint64(i0 + j * s0)]
            b = consts[np.uint64(i1 + j * s1)]
            y = b if a != 0.0 else 0.0
            work[r + j] = y
            p0[r + j] = 0.0
            s00[r + j] = 0.0
    elif op == 47:  # pick_false
        for j in range(n):
            a = work[np.uint64(i0 + j * s0)]
            b = work[np.uint64(i1 + j * s1)]
            y = b if a == 0.0 else 0.0
            work[r + j] = y
            p0[r + j] = 0.0
            s00[r + j] = 0.0
            p1[r + j] = 1.0 if a == 0.0 else 0.0
            s01[r + j] = 0.0
            s11[r + j] = 0.0
    elif op == 48:  # pick_false_vc
        for j in range(n):
            a = work[np.uint64(i0 + j * s0)]
            b = consts[np.uint64(i1 + j * s1)]
            y = b if a == 0.0 else 0.0
            work[r + j] = y
            p0[r + j] = 0.0
            s00[r + j] = 0.0
    elif op == 49:  # neg
        for j in range(n):
            a = work[np.uint64(i0 + j * s0)]
            y = -a
            work[r + j] = y
            p0[r + j] = -1.0
            s00[r + j] = 0.0
    elif op == 50:  # logical_not
        for j in range(n):
            a = work[np.uint64(i0 + j * s0)]
            y = 1.0 if a == 0.0 else 0.0
            work[r + j] = y
            p0[r + j] = 0.0
            s00[r + j] = 0.0
    elif op == 51:  # abs
        for j in range(n):
            a = work[np.uint64(i0 + j * s0)]
            y = np.abs(a)
            work[r + j] = y
            p0[r + j] = np.sign(a)
            s00[r + j] = 0.0
    elif op == 52:  # sign
        for j in range(n):
            a = work[np.uint64(i0 + j * s0)]
            y = np.sign(a)
            work[r + j] = y
            p0[r + j] = 0.0
            s00[r + j] = 0.0
    elif op == 53:  # floor
        for j in range(n):
            a = work[np.uint64(i0 + j * s0)]
            y = np.floor(a)
            work[r + j] = y
            p0[r + j] = 0.0
            s00[r + j] = 0.0
    elif op == 54:  # ceil
        for j in range(n):
            a = work[np.uint64(i0 + j * s0)]
            y = np.ceil(a)
            work[r + j] = y
            p0[r + j] = 0.0
            s00[r + j] = 0.0
    elif op == 55:  # square
        for j in range(n):
            a = work[np.uint64(i0 + j * s0)]
            y = a * a
            work[r + j] = y
            p0[r + j] = 2.0 * a
            s00[r + j] = 2.0
    elif op == 56:  # reciprocal
        for j in range(n):
            a = work[np.uint64(i0 + j * s0)]
            y = 1.0 / a
            work[r + j] = y
            p0[r + j] = -y * y
            s00[r + j] = 2.0 * y * y * y
    elif op == 57:  # sqrt
        for j in range(n):
            a = work[np.uint64(i0 + j * s0)]
            y = np.sqrt(a)
            work[r + j] = y
            p0[r + j] = 0.5 / y
            s00[r + j] = -0.25 / (y * y * y)
    elif op == 58:  # cbrt
        for j in range(n):
            a = work[np.uint64(i0 + j * s0)]
            y = np.cbrt(a)
            work[r + j] = y
            p0[r + j] = (1.0 / 3.0) / y / y
            s00[r + j] = (-2.0 / 9.0) / y / y / y / y / y
    elif op == 59:  # exp
        for j in range(n):
            a = work[np.uint64(i0 + j * s0)]
            y = np.exp(a)
            work[r + j] = y
            p0[r + j] = y
            s00[r + j] = y
    elif op == 60:  # expm1
        for j in range(n):
            a = work[np.uint64(i0 + j * s0)]
            y = np.expm1(a)
            work[r + j] = y
            p0[r + j] = np.exp(a)
            s00[r + j] = np.exp(a)
    elif op == 61:  # log
        for j in range(n):
            a = work[np.uint64(i0 + j * s0)]
            y = np.log(a)
            work[r + j] = y
            p0[r + j] = 1.0 / a
            s00[r + j] = -(1.0 / a) / a
    elif op == 62:  # log1p
        for j in range(n):
            a = work[np.uint64(i0 + j * s0)]
            y = np.log1p(a)
            work[r + j] = y
            p0[r + j] = 1.0 / (1.0 + a)
            s00[r + j] = -(1.0 / (1.0 + a)) / (1.0 + a)
    elif op == 63:  # log2
        for j in range(n):
            a = work[np.uint64(i0 + j * s0)]
            y = np.log2(a)
            work[r + j] = y
            p0[r + j] = 1.4426950408889634 / a
            s00[r + j] = -(1.4426950408889634 / a) / a
    elif op == 64:  # log10
        for j in range(n):
            a = work[np.uint64(i0 + j * s0)]
            y = np.log10(a)
            work[r + j] = y
            p0[r + j] = 0.4342944819032518 / a
            s00[r + j] = -(0.4342944819032518 / a) / a
    elif op == 65:  # sin
        for j in range(n):
            a = work[np.uint64(i0 + j * s0)]
            y = np.sin(a)
            work[r + j] = y
            p0[r + j] = np.cos(a)
            s00[r + j] = -y
    elif op == 66:  # cos
        for j in range(n):
            a = work[np.uint64(i0 + j * s0)]
            y = np.cos(a)
            work[r + j] = y
            p0[r + j] = -np.sin(a)
            s00[r + j] = -y
    elif op == 67:  # tan
        for j in range(n):
            a = work[np.uint64(i0 + j * s0)]
            y = np.tan(a)
            work[r + j] = y
            p0[r + j] = 1.0 + y * y
            s00[r + j] = 2.0 * y * (1.0 + y * y)
    elif op == 68:  # arcsin
        for j in range(n):
            a = work[np.uint64(i0 + j * s0)]
            y = np.arcsin(a)
            work[r + j] = y
            p0[r + j] = 1.0 / np.sqrt((1.0 - a) * (1.0 + a))
            s00[r + j] = a / np.sqrt((1.0 - a) * (1.0 + a)) / ((1.0 - a) * (1.0 + a))
    elif op == 69:  # arccos
        for j in range(n):
            a = work[np.uint64(i0 + j * s0)]
            y = np.arccos(a)
            work[r + j] = y
            p0[r + j] = -1.0 / np.sqrt((1.0 - a) * (1.0 + a))
            s00[r + j] = -a / np.sqrt((1.0 - a) * (1.0 + a)) / ((1.0 - a) * (1.0 + a))
    elif op == 70:  # arctan
        for j in range(n):
            a = work[np.uint64(i0 + j * s0)]
            y = np.arctan(a)
            work[r + j] = y
            p0[r + j] = 1.0 / (1.0 + a * a)
            s00[r + j] = -2.0 * (a / (1.0 + a * a)) / (1.0 + a * a)
    elif op == 71:  # sinh
        for j in range(n):
            a = work[np.uint64(i0 + j * s0)]
            y = np.sinh(a)
            work[r + j] = y
            p0[r + j] = np.cosh(a)
            s00[r + j] = y
    elif op == 72:  # cosh
        for j in range(n):
            a = work[np.uint64(i0 + j * s0)]
            y = np.cosh(a)
            work[r + j] = y
            p0[r + j] = np.sinh(a)
            s00[r + j] = y
    elif op == 73:  # tanh
        for j in range(n):
            a = work[np.uint64(i0 + j * s0)]
            y = np.tanh(a)
            work[r + j] = y
            p0[r + j] = 1.0 - y * y if np.abs(a) < 0.5 else (1.0 / np.cosh(a)) ** 2
            s00[r + j] = -2.0 * y * (1.0 - y * y if np.abs(a) < 0.5 else (1.0 / np.cosh(a)) ** 2)
    elif op == 74:  # arcsinh
        for j in range(n):
            a = work[np.uint64(i0 + j * s0)]
            y = np.arcsinh(a)
            work[r + j] = y
            p0[r + j] = 1.0 / np.hypot(a, 1.0)
            s00[r + j] = -(a / np.hypot(a, 1.0)) / np.hypot(a, 1.0) / np.hypot(a, 1.0)
    elif op == 75:  # arccosh
        for j in range(n):
            a = work[np.uint64(i0 + j * s0)]
            y = np.arccosh(a)
            work[r + j] = y
            p0[r + j] = 1.0 / (np.sqrt(a - 1.0) * np.sqrt(a + 1.0))
            s00[r + j] = -(a / (np.sqrt(a - 1.0) * np.sqrt(a + 1.0))) / (np.sqrt(a - 1.0) * np.sqrt(a + 1.0)) / (np.sqrt(a - 1.0) * np.sqrt(a + 1.0))
    elif op == 76:  # arctanh
        for j in range(n):
            a = work[np.uint64(i0 + j * s0)]
            y = np.arctanh(a)
            work[r + j] = y
            p0[r + j] = 1.0 / ((1.0 - a) * (1.0 + a))
            s00[r + j] = 2.0 * (a / ((1.0 - a) * (1.0 + a))) / ((1.0 - a) * (1.0 + a))
    elif op == 77:  # erf
        for j in range(n):
            a = work[np.uint64(i0 + j * s0)]
            y = math.erf(a)
            work[r + j] = y
            p0[r + j] = 1.1283791670955126 * np.exp(-a * a)
            s00[r + j] = -2.0 * a * 1.1283791670955126 * np.exp(-a * a)
    elif op == 78:  # erfc
        for j in range(n):
            a = work[np.uint64(i0 + j * s0)]
            y = math.erfc(a)
            work[r + j] = y
            p0[r + j] = -1.1283791670955126 * np.exp(-a * a)
            s00[r + j] = 2.0 * a * 1.1283791670955126 * np.exp(-a * a)
    elif op == 79:  # lgamma
        for j in range(n):
            a = work[np.uint64(i0 + j * s0)]
            y = lgamma(a)
            work[r + j] = y
            p0[r + j] = digamma(a)
            s00[r + j] = trigamma(a)
    elif op == 80:  # sqdiff
        for j in range(n):
            a = work[np.uint64(i0 + j * s0)]
            b = work[np.uint64(i1 + j * s1)]
            y = (a - b) * (a - b)
            work[r + j] = y
            p0[r + j] = 2.0 * (a - b)
            s00[r + j] = 2.0
            p1[r + j] = -2.0 * (a - b)
            s01[r + j] = -2.0
            s11[r + j] = 2.0
    elif op == 81:  # sqdiff_vc
        for j in range(n):
            a = work[np.uint64(i0 + j * s0)]
            b = consts[np.uint64(i1 + j * s1)]
            y = (a - b) * (a - b)
            work[r + j] = y
            p0[r + j] = 2.0 * (a - b)
            s00[r + j] = 2.0
    elif op == 82:  # sqdiff_cv
        for j in range(n):
            a = consts[np.uint64(i1 + j * s1)]
            b = work[np.uint64(i0 + j * s0)]
            y = (a - b) * (a - b)
            work[r + j] = y
            p0[r + j] = -2.0 * (a - b)
            s00[r + j] = 2.0
    elif op == 83:  # cube
        for j in range(n):
            a = work[np.uint64(i0 + j * s0)]
            y = a * a * a
            work[r + j] = y
            p0[r + j] = 3.0 * a * a
            s00[r + j] = 6.0 * a
    elif op == 84:  # inv_cube
        for j in range(n):
            a = work[np.uint64(i0 + j * s0)]
            y = 1.0 / (a * a * a)
            work[r + j] = y
            p0[r + j] = -3.0 * y / a
            s00[r + j] = 12.0 * (y / a) / a
    elif op == 85:  # mod
        for j in range(n):
            a = work[np.uint64(i0 + j * s0)]
            b = work[np.uint64(i1 + j * s1)]
            y = a % b
            work[r + j] = y
            p0[r + j] = 1.0
            s00[r + j] = 0.0
            p1[r + j] = -(a // b)
            s01[r + j] = 0.0
            s11[r + j] = 0.0
    elif op == 86:  # mod_vc
        for j in range(n):
            a = work[np.uint64(i0 + j * s0)]
            b = consts[np.uint64(i1 + j * s1)]
            y = a % b
            work[r + j] = y
            p0[r + j] = 1.0
            s00[r + j] = 0.0
    elif op == 87:  # mod_cv
        for j in range(n):
            a = consts[np.uint64(i1 + j * s1)]
            b = work[np.uint64(i0 + j * s0)]
            y = a % b
            work[r + j] = y
            p0[r + j] = -(a // b)
            s00[r + j] = 0.0
    elif op == 88:  # floordiv
        for j in range(n):
            a = work[np.uint64(i0 + j * s0)]
            b = work[np.uint64(i1 + j * s1)]
            y = a // b
            work[r + j] = y
            p0[r + j] = 0.0
            s00[r + j] = 0.0
            p1[r + j] = 0.0
            s01[r + j] = 0.0
            s11[r + j] = 0.0
    elif op == 89:  # floordiv_vc
        for j in range(n):
            a = work[np.uint64(i0 + j * s0)]
            b = consts[np.uint64(i1 + j * s1)]
            y = a // b
            work[r + j] = y
            p0[r + j] = 0.0
            s00[r + j] = 0.0
    elif op == 90:  # floordiv_cv
        for j in range(n):
            a = consts[np.uint64(i1 + j * s1)]
            b = work[np.uint64(i0 + j * s0)]
            y = a // b
            work[r + j] = y
            p0[r + j] = 0.0
            s00[r + j] = 0.0
    elif op == 91:  # fmod
        for j in range(n):
            a = work[np.uint64(i0 + j * s0)]
            b = work[np.uint64(i1 + j * s1)]
            y = np.fmod(a, b)
            work[r + j] = y
            p0[r + j] = 1.0
            s00[r + j] = 0.0
            p1[r + j] = -np.rint((a - y) / b)
            s01[r + j] = 0.0
            s11[r + j] = 0.0
    elif op == 92:  # fmod_vc
        for j in range(n):
            a = work[np.uint64(i0 + j * s0)]
            b = consts[np.uint64(i1 + j * s1)]
            y = np.fmod(a, b)
            work[r + j] = y
            p0[r + j] = 1.0
            s00[r + j] = 0.0
    elif op == 93:  # fmod_cv
        for j in range(n):
            a = consts[np.uint64(i1 + j * s1)]
            b = work[np.uint64(i0 + j * s0)]
            y = np.fmod(a, b)
            work[r + j] = y
            p0[r + j] = -np.rint((a - y) / b)
            s00[r + j] = 0.0
    elif op == 94:  # fmin
        for j in range(n):
            a = work[np.uint64(i0 + j * s0)]
            b = work[np.uint64(i1 + j * s1)]
            y = b if a != a else (a if b != b else (a if a < b else (b if b < a else a)))
            work[r + j] = y
            p0[r + j] = 0.0 if a != a else (1.0 if b != b else (1.0 if a < b else (0.5 if a == b else 0.0)))
            s00[r + j] = 0.0
            p1[r + j] = 1.0 if a != a else (0.0 if b != b else (1.0 if b < a else (0.5 if a == b else 0.0)))
            s01[r + j] = 0.0
            s11[r + j] = 0.0
    elif op == 95:  # fmin_vc
        for j in range(n):
            a = work[np.uint64(i0 + j * s0)]
            b = consts[np.uint64(i1 + j * s1)]
            y = b if a != a else (a if b != b else (a if a < b else (b if b < a else a)))
            work[r + j] = y
            p0[r + j] = 0.0 if a != a else (1.0 if b != b else (1.0 if a < b else (0.5 if a == b else 0.0)))
            s00[r + j] = 0.0
    elif op == 96:  # fmax
        for j in range(n):
            a = work[np.uint64(i0 + j * s0)]
            b = work[np.uint64(i1 + j * s1)]
            y = b if a != a else (a if b != b else (a if a > b else (b if b > a else a)))
            work[r + j] = y
            p0[r + j] = 0.0 if a != a else (1.0 if b != b else (1.0 if a > b else (0.5 if a == b else 0.0)))
            s00[r + j] = 0.0
            p1[r + j] = 1.0 if a != a else (0.0 if b != b else (1.0 if b > a else (0.5 if a == b else 0.0)))
            s01[r + j] = 0.0
            s11[r + j] = 0.0
    elif op == 97:  # fmax_vc
        for j in range(n):
            a = work[np.uint64(i0 + j * s0)]
            b = consts[np.uint64(i1 + j * s1)]
            y = b if a != a else (a if b != b else (a if a > b else (b if b > a else a)))
            work[r + j] = y
            p0[r + j] = 0.0 if a != a else (1.0 if b != b else (1.0 if a > b else (0.5 if a == b else 0.0)))
            s00[r + j] = 0.0


# ---- END GENERATED ----
