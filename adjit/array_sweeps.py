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
        _gather(work, index, r, n, a0)


@njit(**_KERNEL)
def _gather(work, index, r, n, a0):
    """work[r + j] = work[index[a0 + j]], j < n, through views (no index
    arithmetic in the loop: about twice as fast)."""
    I = index[a0:a0 + n]
    D = work[r:r + n]
    for j in range(n):
        D[j] = work[I[j]]


@njit(**_KERNEL)
def _scatter_add(adj, index, r, n, a0):
    """adj[index[a0 + j]] += adj[r + j], j < n, a run of equal indices summed in
    a register first: a pair list ``x[i]`` repeats each ``i`` for all its
    partners, and adding to one address element after element waits on the
    previous add each time (four times slower)."""
    if n == 0:
        return
    I = index[a0:a0 + n]
    G = adj[r:r + n]
    cur = I[0]
    s = 0.0
    for j in range(n):
        t = I[j]
        if t != cur:
            adj[cur] += s
            s = 0.0
            cur = t
        s += G[j]
    adj[cur] += s


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
            _scatter_add(adj, index, r, n, a0)


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
def gradient(code, index, consts, kinds, flags, zero, out, work, p0, p1, adj, g):
    """The adjoint sweep of a gradient after :func:`run_partials`: seed output slot
    ``out``, sweep, and copy the inputs' adjoints into ``g``. (The sweeps that
    hold the generated loops, run_values, run_partials and run_second, are
    called on their own from Python: every kernel calling one would compile
    its thousands of loops again.)"""
    _zero(adj, zero)
    adj[out] = 1.0
    reverse(code, index, consts, kinds, flags, work, p0, p1, adj)
    g[:] = adj[:g.shape[0]]


@njit(**_KERNEL)
def batch_gradient(code, index, consts, kinds, flags, zero, out, guards, xs, work, p0, p1, adj,
                   ys, gs, flips):
    """Values ``ys``, gradients ``gs`` and the first flipped guard (or -1)
    ``flips`` at the rows of ``xs``, one point after another (the only kernel
    besides the single-point ones that calls :func:`run_partials`: a batch pays
    no Python per point)."""
    n_in = xs.shape[1]
    for k in range(xs.shape[0]):
        work[:n_in] = xs[k]
        run_partials(code, index, consts, work, p0, p1)
        ys[k] = work[out]
        flips[k] = -1
        for g in range(guards.shape[0]):
            if (work[guards[g, 0]] != 0.0) != (guards[g, 1] != 0):
                flips[k] = g
                break
        gradient(code, index, consts, kinds, flags, zero, out, work, p0, p1, adj, gs[k])


@njit(**_KERNEL)
def hvp_sweeps(code, index, consts, kinds, outputs, w, work, p0, p1, s00, s01, s11, t, abar,
               at):
    """Forward-over-reverse after :func:`run_second`, the inputs' tangents set in
    ``t``: tangents, then the adjoints (``w`` at the outputs) and their tangents;
    ``at`` at the inputs is then H @ V."""
    tangents(code, index, consts, kinds, work, p0, p1, t)
    abar[:] = 0.0
    at[:, :] = 0.0
    for k in range(outputs.shape[0]):
        abar[outputs[k]] += w[k]
    hvp_reverse(code, index, consts, kinds, work, p0, p1, s00, s01, s11, t, abar, at)


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
            if p == 1 and k != 0 and (k != 2 or q <= 1):
                if nd == 1:
                    _tangent1(t.reshape(t.shape[0]), p0, p1, r, n, a0, a1, q, k == 2)
                else:
                    _tangents_rows(t, p0, p1, r, n, a0, a1, q, k == 2)
                continue
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
def _tangent1(tf, p0, p1, r, n, a0, a1, q, two):
    """One direction's tangents of an ELEM row whose variable operand is
    contiguous (and the second, if variable, contiguous or one slot)."""
    R = tf[r:r + n]
    A = tf[a0:a0 + n]
    P0 = p0[r:r + n]
    if not two:
        for j in range(n):
            R[j] = azmul(P0[j], A[j])
        return
    P1 = p1[r:r + n]
    if q == 1:
        B = tf[a1:a1 + n]
        for j in range(n):
            R[j] = azmul(P0[j], A[j]) + azmul(P1[j], B[j])
    else:
        b = tf[a1]
        for j in range(n):
            R[j] = azmul(P0[j], A[j]) + azmul(P1[j], b)


@njit(**_KERNEL)
def _tangents_rows(t, p0, p1, r, n, a0, a1, q, two):
    """:func:`_tangent1` for several directions: each element's row of
    tangents is a contiguous loop (azmul as a select)."""
    nd = t.shape[1]
    for j in range(n):
        dst = t[r + j]
        src = t[a0 + j]
        q0 = p0[r + j]
        if two:
            q1 = p1[r + j]
            srcb = t[a1 + j * q]
            for d in range(nd):
                dst[d] = azmul(q0, src[d]) + azmul(q1, srcb[d])
        else:
            for d in range(nd):
                dst[d] = azmul(q0, src[d])


@njit(**_KERNEL)
def _hvp_reverse_rows(abar, at, t, p0, p1, s00, s01, s11, r, n, a0, a1, q, two):
    """:func:`_hvp_reverse1` for several directions: each element's rows of
    tangents and adjoint tangents as contiguous loops."""
    nd = t.shape[1]
    for j in range(n):
        g = abar[r + j]
        d0 = p0[r + j]
        h00 = azmul(s00[r + j], g)
        ATr = at[r + j]
        ATa = at[a0 + j]
        Ta = t[a0 + j]
        abar[a0 + j] += azmul(d0, g)
        if two:
            i1 = a1 + j * q
            d1 = p1[r + j]
            h01 = azmul(s01[r + j], g)
            h11 = azmul(s11[r + j], g)
            abar[i1] += azmul(d1, g)
            ATb = at[i1]
            Tb = t[i1]
            for d in range(nd):
                ar = ATr[d]
                ta = Ta[d]
                tb = Tb[d]
                ATa[d] += azmul(d0, ar) + azmul(h00, ta) + azmul(h01, tb)
                ATb[d] += azmul(d1, ar) + azmul(h01, ta) + azmul(h11, tb)
        else:
            for d in range(nd):
                ATa[d] += azmul(d0, ATr[d]) + azmul(h00, Ta[d])


@njit(**_KERNEL)
def _hvp_reverse1(abar, af, tf, p0, p1, s00, s01, s11, r, n, a0, a1, q, two):
    """:func:`hvp_reverse` of one ELEM row for one direction, its variable
    operand contiguous (the second, if variable, contiguous or one slot)."""
    G = abar[r:r + n]
    GT = af[r:r + n]
    D0 = p0[r:r + n]
    H00 = s00[r:r + n]
    A0 = abar[a0:a0 + n]
    TA = tf[a0:a0 + n]
    ATA = af[a0:a0 + n]
    if not two:
        for j in range(n):
            g = G[j]
            A0[j] += azmul(D0[j], g)
            ATA[j] += azmul(D0[j], GT[j]) + azmul(azmul(H00[j], g), TA[j])
        return
    D1 = p1[r:r + n]
    H01 = s01[r:r + n]
    H11 = s11[r:r + n]
    if q == 1:
        A1 = abar[a1:a1 + n]
        TB = tf[a1:a1 + n]
        ATB = af[a1:a1 + n]
        for j in range(n):
            g = G[j]
            ar = GT[j]
            ta = TA[j]
            tb = TB[j]
            h00 = azmul(H00[j], g)
            h01 = azmul(H01[j], g)
            h11 = azmul(H11[j], g)
            A0[j] += azmul(D0[j], g)
            A1[j] += azmul(D1[j], g)
            ATA[j] += azmul(D0[j], ar) + azmul(h00, ta) + azmul(h01, tb)
            ATB[j] += azmul(D1[j], ar) + azmul(h01, ta) + azmul(h11, tb)
        return
    tb = tf[a1]
    sb = 0.0
    stb = 0.0
    for j in range(n):
        g = G[j]
        ar = GT[j]
        ta = TA[j]
        h00 = azmul(H00[j], g)
        h01 = azmul(H01[j], g)
        h11 = azmul(H11[j], g)
        A0[j] += azmul(D0[j], g)
        sb += azmul(D1[j], g)
        ATA[j] += azmul(D0[j], ar) + azmul(h00, ta) + azmul(h01, tb)
        stb += azmul(D1[j], ar) + azmul(h01, ta) + azmul(h11, tb)
    abar[a1] += sb
    af[a1] += stb


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
        if q == 1 and nd == p and _is_identity(dB):
            # X @ w with every input direction at once (a dense Hessian): the
            # tangents are X itself, no product needed
            tf[r * nd:(r + n) * nd] = A.reshape(n * nd)
            return
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
def _is_identity(M):
    """Whether the square matrix M is exactly the identity."""
    for i in range(M.shape[0]):
        for j in range(M.shape[1]):
            if M[i, j] != (1.0 if i == j else 0.0):
                return False
    return True


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
            if p == 1 and (k != 2 or q <= 1):
                if nd == 1:
                    _hvp_reverse1(abar, at.reshape(at.shape[0]), t.reshape(t.shape[0]), p0, p1,
                                  s00, s01, s11, r, n, a0, a1, q, k == 2)
                else:
                    _hvp_reverse_rows(abar, at, t, p0, p1, s00, s01, s11, r, n, a0, a1, q,
                                      k == 2)
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


# ---- BEGIN GENERATED by adjit.codegen from adjit.ops (do not edit) ----
# op table hash: cefd8be963738321

#: operand kind of each opcode (adjit.ops.KIND)
KIND = np.array([0, 2, 3, 2, 3, 4, 2, 3, 2, 3, 4, 2, 3, 4, 2, 3, 4, 2, 3, 2, 3, 2, 3, 2, 3, 4, 2, 3, 4, 2, 3, 4, 2, 3, 4, 2, 3, 4, 2, 3, 4, 2, 3, 2, 3, 2, 3, 2, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 3, 4, 1, 1, 2, 3, 4, 2, 3, 4, 2, 3, 4, 2, 3, 2, 3], dtype=np.int64)


@njit(cache=True, nogil=True, error_model="numpy")
def scalar_value(op, a, b):
    """One element's value (the rules of the op table)."""
    if op == 1:  # add
        y = a + b
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 2:  # add_vc
        y = a + b
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 3:  # sub
        y = a - b
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 4:  # sub_vc
        y = a - b
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 5:  # sub_cv
        y = a - b
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 6:  # mul
        y = a * b
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 7:  # mul_vc
        y = a * b
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 8:  # div
        y = a / b
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 9:  # div_vc
        y = a / b
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 10:  # div_cv
        y = a / b
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 11:  # pow
        y = a ** b
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 12:  # pow_vc
        y = a ** b
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 13:  # pow_cv
        y = a ** b
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 14:  # atan2
        y = np.arctan2(a, b)
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 15:  # atan2_vc
        y = np.arctan2(a, b)
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 16:  # atan2_cv
        y = np.arctan2(a, b)
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 17:  # hypot
        y = np.hypot(a, b)
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 18:  # hypot_vc
        y = np.hypot(a, b)
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 19:  # minimum
        y = a if a < b else (b if b < a else (a if a == b else a + b))
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 20:  # minimum_vc
        y = a if a < b else (b if b < a else (a if a == b else a + b))
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 21:  # maximum
        y = a if a > b else (b if b > a else (a if a == b else a + b))
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 22:  # maximum_vc
        y = a if a > b else (b if b > a else (a if a == b else a + b))
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 23:  # lt
        y = 1.0 if a < b else 0.0
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 24:  # lt_vc
        y = 1.0 if a < b else 0.0
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 25:  # lt_cv
        y = 1.0 if a < b else 0.0
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 26:  # le
        y = 1.0 if a <= b else 0.0
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 27:  # le_vc
        y = 1.0 if a <= b else 0.0
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 28:  # le_cv
        y = 1.0 if a <= b else 0.0
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 29:  # gt
        y = 1.0 if a > b else 0.0
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 30:  # gt_vc
        y = 1.0 if a > b else 0.0
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 31:  # gt_cv
        y = 1.0 if a > b else 0.0
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 32:  # ge
        y = 1.0 if a >= b else 0.0
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 33:  # ge_vc
        y = 1.0 if a >= b else 0.0
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 34:  # ge_cv
        y = 1.0 if a >= b else 0.0
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 35:  # eq
        y = 1.0 if a == b else 0.0
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 36:  # eq_vc
        y = 1.0 if a == b else 0.0
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 37:  # eq_cv
        y = 1.0 if a == b else 0.0
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 38:  # ne
        y = 1.0 if a != b else 0.0
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 39:  # ne_vc
        y = 1.0 if a != b else 0.0
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 40:  # ne_cv
        y = 1.0 if a != b else 0.0
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 41:  # logical_and
        y = 1.0 if (a != 0.0 and b != 0.0) else 0.0
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 42:  # logical_and_vc
        y = 1.0 if (a != 0.0 and b != 0.0) else 0.0
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 43:  # logical_or
        y = 1.0 if (a != 0.0 or b != 0.0) else 0.0
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 44:  # logical_or_vc
        y = 1.0 if (a != 0.0 or b != 0.0) else 0.0
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 45:  # pick_true
        y = b if a != 0.0 else 0.0
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 46:  # pick_true_vc
        y = b if a != 0.0 else 0.0
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 47:  # pick_false
        y = b if a == 0.0 else 0.0
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 48:  # pick_false_vc
        y = b if a == 0.0 else 0.0
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 49:  # neg
        y = -a
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 50:  # logical_not
        y = 1.0 if a == 0.0 else 0.0
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 51:  # abs
        y = np.abs(a)
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 52:  # sign
        y = np.sign(a)
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 53:  # floor
        y = np.floor(a)
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 54:  # ceil
        y = np.ceil(a)
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 55:  # square
        y = a * a
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 56:  # reciprocal
        y = 1.0 / a
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 57:  # sqrt
        y = np.sqrt(a)
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 58:  # cbrt
        y = np.cbrt(a)
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 59:  # exp
        y = np.exp(a)
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 60:  # expm1
        y = np.expm1(a)
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 61:  # log
        y = np.log(a)
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 62:  # log1p
        y = np.log1p(a)
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 63:  # log2
        y = np.log2(a)
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 64:  # log10
        y = np.log10(a)
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 65:  # sin
        y = np.sin(a)
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 66:  # cos
        y = np.cos(a)
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 67:  # tan
        y = np.tan(a)
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 68:  # arcsin
        y = np.arcsin(a)
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 69:  # arccos
        y = np.arccos(a)
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 70:  # arctan
        y = np.arctan(a)
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 71:  # sinh
        y = np.sinh(a)
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 72:  # cosh
        y = np.cosh(a)
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 73:  # tanh
        y = np.tanh(a)
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 74:  # arcsinh
        y = np.arcsinh(a)
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 75:  # arccosh
        y = np.arccosh(a)
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 76:  # arctanh
        y = np.arctanh(a)
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 77:  # erf
        y = math.erf(a)
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 78:  # erfc
        y = math.erfc(a)
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 79:  # lgamma
        y = lgamma(a)
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 80:  # sqdiff
        y = (a - b) * (a - b)
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 81:  # sqdiff_vc
        y = (a - b) * (a - b)
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 82:  # sqdiff_cv
        y = (a - b) * (a - b)
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 83:  # cube
        y = a * a * a
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 84:  # inv_cube
        y = 1.0 / (a * a * a)
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 85:  # mod
        y = a % b
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 86:  # mod_vc
        y = a % b
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 87:  # mod_cv
        y = a % b
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 88:  # floordiv
        y = a // b
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 89:  # floordiv_vc
        y = a // b
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 90:  # floordiv_cv
        y = a // b
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 91:  # fmod
        y = np.fmod(a, b)
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 92:  # fmod_vc
        y = np.fmod(a, b)
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 93:  # fmod_cv
        y = np.fmod(a, b)
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 94:  # fmin
        y = b if a != a else (a if b != b else (a if a < b else (b if b < a else a)))
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 95:  # fmin_vc
        y = b if a != a else (a if b != b else (a if a < b else (b if b < a else a)))
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 96:  # fmax
        y = b if a != a else (a if b != b else (a if a > b else (b if b > a else a)))
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 97:  # fmax_vc
        y = b if a != a else (a if b != b else (a if a > b else (b if b > a else a)))
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    return 0.0, 0.0, 0.0, 0.0, 0.0, 0.0


@njit(cache=True, nogil=True, error_model="numpy")
def scalar_partials(op, a, b):
    """One element's value and partials (the rules of the op table)."""
    if op == 1:  # add
        y = a + b
        return y, 1.0, 1.0, 0.0, 0.0, 0.0
    elif op == 2:  # add_vc
        y = a + b
        return y, 1.0, 0.0, 0.0, 0.0, 0.0
    elif op == 3:  # sub
        y = a - b
        return y, 1.0, -1.0, 0.0, 0.0, 0.0
    elif op == 4:  # sub_vc
        y = a - b
        return y, 1.0, 0.0, 0.0, 0.0, 0.0
    elif op == 5:  # sub_cv
        y = a - b
        return y, -1.0, 0.0, 0.0, 0.0, 0.0
    elif op == 6:  # mul
        y = a * b
        return y, b, a, 0.0, 0.0, 0.0
    elif op == 7:  # mul_vc
        y = a * b
        return y, b, 0.0, 0.0, 0.0, 0.0
    elif op == 8:  # div
        y = a / b
        return y, 1.0 / b, -y / b, 0.0, 0.0, 0.0
    elif op == 9:  # div_vc
        y = a / b
        return y, 1.0 / b, 0.0, 0.0, 0.0, 0.0
    elif op == 10:  # div_cv
        y = a / b
        return y, -y / b, 0.0, 0.0, 0.0, 0.0
    elif op == 11:  # pow
        y = a ** b
        return y, b * a ** (b - 1.0) if b != 0.0 else 0.0, y * np.log(a) if a != 0.0 else 0.0, 0.0, 0.0, 0.0
    elif op == 12:  # pow_vc
        y = a ** b
        return y, b * a ** (b - 1.0) if b != 0.0 else 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 13:  # pow_cv
        y = a ** b
        return y, y * np.log(a) if a != 0.0 else 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 14:  # atan2
        y = np.arctan2(a, b)
        return y, (b / np.hypot(a, b)) / np.hypot(a, b), -(a / np.hypot(a, b)) / np.hypot(a, b), 0.0, 0.0, 0.0
    elif op == 15:  # atan2_vc
        y = np.arctan2(a, b)
        return y, (b / np.hypot(a, b)) / np.hypot(a, b), 0.0, 0.0, 0.0, 0.0
    elif op == 16:  # atan2_cv
        y = np.arctan2(a, b)
        return y, -(a / np.hypot(a, b)) / np.hypot(a, b), 0.0, 0.0, 0.0, 0.0
    elif op == 17:  # hypot
        y = np.hypot(a, b)
        return y, a / y if y != 0.0 else 0.0, b / y if y != 0.0 else 0.0, 0.0, 0.0, 0.0
    elif op == 18:  # hypot_vc
        y = np.hypot(a, b)
        return y, a / y if y != 0.0 else 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 19:  # minimum
        y = a if a < b else (b if b < a else (a if a == b else a + b))
        return y, 1.0 if a < b else (0.5 if a == b else 0.0), 1.0 if b < a else (0.5 if a == b else 0.0), 0.0, 0.0, 0.0
    elif op == 20:  # minimum_vc
        y = a if a < b else (b if b < a else (a if a == b else a + b))
        return y, 1.0 if a < b else (0.5 if a == b else 0.0), 0.0, 0.0, 0.0, 0.0
    elif op == 21:  # maximum
        y = a if a > b else (b if b > a else (a if a == b else a + b))
        return y, 1.0 if a > b else (0.5 if a == b else 0.0), 1.0 if b > a else (0.5 if a == b else 0.0), 0.0, 0.0, 0.0
    elif op == 22:  # maximum_vc
        y = a if a > b else (b if b > a else (a if a == b else a + b))
        return y, 1.0 if a > b else (0.5 if a == b else 0.0), 0.0, 0.0, 0.0, 0.0
    elif op == 23:  # lt
        y = 1.0 if a < b else 0.0
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 24:  # lt_vc
        y = 1.0 if a < b else 0.0
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 25:  # lt_cv
        y = 1.0 if a < b else 0.0
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 26:  # le
        y = 1.0 if a <= b else 0.0
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 27:  # le_vc
        y = 1.0 if a <= b else 0.0
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 28:  # le_cv
        y = 1.0 if a <= b else 0.0
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 29:  # gt
        y = 1.0 if a > b else 0.0
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 30:  # gt_vc
        y = 1.0 if a > b else 0.0
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 31:  # gt_cv
        y = 1.0 if a > b else 0.0
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 32:  # ge
        y = 1.0 if a >= b else 0.0
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 33:  # ge_vc
        y = 1.0 if a >= b else 0.0
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 34:  # ge_cv
        y = 1.0 if a >= b else 0.0
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 35:  # eq
        y = 1.0 if a == b else 0.0
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 36:  # eq_vc
        y = 1.0 if a == b else 0.0
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 37:  # eq_cv
        y = 1.0 if a == b else 0.0
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 38:  # ne
        y = 1.0 if a != b else 0.0
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 39:  # ne_vc
        y = 1.0 if a != b else 0.0
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 40:  # ne_cv
        y = 1.0 if a != b else 0.0
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 41:  # logical_and
        y = 1.0 if (a != 0.0 and b != 0.0) else 0.0
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 42:  # logical_and_vc
        y = 1.0 if (a != 0.0 and b != 0.0) else 0.0
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 43:  # logical_or
        y = 1.0 if (a != 0.0 or b != 0.0) else 0.0
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 44:  # logical_or_vc
        y = 1.0 if (a != 0.0 or b != 0.0) else 0.0
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 45:  # pick_true
        y = b if a != 0.0 else 0.0
        return y, 0.0, 1.0 if a != 0.0 else 0.0, 0.0, 0.0, 0.0
    elif op == 46:  # pick_true_vc
        y = b if a != 0.0 else 0.0
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 47:  # pick_false
        y = b if a == 0.0 else 0.0
        return y, 0.0, 1.0 if a == 0.0 else 0.0, 0.0, 0.0, 0.0
    elif op == 48:  # pick_false_vc
        y = b if a == 0.0 else 0.0
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 49:  # neg
        y = -a
        return y, -1.0, 0.0, 0.0, 0.0, 0.0
    elif op == 50:  # logical_not
        y = 1.0 if a == 0.0 else 0.0
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 51:  # abs
        y = np.abs(a)
        return y, np.sign(a), 0.0, 0.0, 0.0, 0.0
    elif op == 52:  # sign
        y = np.sign(a)
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 53:  # floor
        y = np.floor(a)
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 54:  # ceil
        y = np.ceil(a)
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 55:  # square
        y = a * a
        return y, 2.0 * a, 0.0, 0.0, 0.0, 0.0
    elif op == 56:  # reciprocal
        y = 1.0 / a
        return y, -y * y, 0.0, 0.0, 0.0, 0.0
    elif op == 57:  # sqrt
        y = np.sqrt(a)
        return y, 0.5 / y, 0.0, 0.0, 0.0, 0.0
    elif op == 58:  # cbrt
        y = np.cbrt(a)
        return y, (1.0 / 3.0) / y / y, 0.0, 0.0, 0.0, 0.0
    elif op == 59:  # exp
        y = np.exp(a)
        return y, y, 0.0, 0.0, 0.0, 0.0
    elif op == 60:  # expm1
        y = np.expm1(a)
        return y, np.exp(a), 0.0, 0.0, 0.0, 0.0
    elif op == 61:  # log
        y = np.log(a)
        return y, 1.0 / a, 0.0, 0.0, 0.0, 0.0
    elif op == 62:  # log1p
        y = np.log1p(a)
        return y, 1.0 / (1.0 + a), 0.0, 0.0, 0.0, 0.0
    elif op == 63:  # log2
        y = np.log2(a)
        return y, 1.4426950408889634 / a, 0.0, 0.0, 0.0, 0.0
    elif op == 64:  # log10
        y = np.log10(a)
        return y, 0.4342944819032518 / a, 0.0, 0.0, 0.0, 0.0
    elif op == 65:  # sin
        y = np.sin(a)
        return y, np.cos(a), 0.0, 0.0, 0.0, 0.0
    elif op == 66:  # cos
        y = np.cos(a)
        return y, -np.sin(a), 0.0, 0.0, 0.0, 0.0
    elif op == 67:  # tan
        y = np.tan(a)
        return y, 1.0 + y * y, 0.0, 0.0, 0.0, 0.0
    elif op == 68:  # arcsin
        y = np.arcsin(a)
        return y, 1.0 / np.sqrt((1.0 - a) * (1.0 + a)), 0.0, 0.0, 0.0, 0.0
    elif op == 69:  # arccos
        y = np.arccos(a)
        return y, -1.0 / np.sqrt((1.0 - a) * (1.0 + a)), 0.0, 0.0, 0.0, 0.0
    elif op == 70:  # arctan
        y = np.arctan(a)
        return y, 1.0 / (1.0 + a * a), 0.0, 0.0, 0.0, 0.0
    elif op == 71:  # sinh
        y = np.sinh(a)
        return y, np.cosh(a), 0.0, 0.0, 0.0, 0.0
    elif op == 72:  # cosh
        y = np.cosh(a)
        return y, np.sinh(a), 0.0, 0.0, 0.0, 0.0
    elif op == 73:  # tanh
        y = np.tanh(a)
        return y, 1.0 - y * y if np.abs(a) < 0.5 else (1.0 / np.cosh(a)) ** 2, 0.0, 0.0, 0.0, 0.0
    elif op == 74:  # arcsinh
        y = np.arcsinh(a)
        return y, 1.0 / np.hypot(a, 1.0), 0.0, 0.0, 0.0, 0.0
    elif op == 75:  # arccosh
        y = np.arccosh(a)
        return y, 1.0 / (np.sqrt(a - 1.0) * np.sqrt(a + 1.0)), 0.0, 0.0, 0.0, 0.0
    elif op == 76:  # arctanh
        y = np.arctanh(a)
        return y, 1.0 / ((1.0 - a) * (1.0 + a)), 0.0, 0.0, 0.0, 0.0
    elif op == 77:  # erf
        y = math.erf(a)
        return y, 1.1283791670955126 * np.exp(-a * a), 0.0, 0.0, 0.0, 0.0
    elif op == 78:  # erfc
        y = math.erfc(a)
        return y, -1.1283791670955126 * np.exp(-a * a), 0.0, 0.0, 0.0, 0.0
    elif op == 79:  # lgamma
        y = lgamma(a)
        return y, digamma(a), 0.0, 0.0, 0.0, 0.0
    elif op == 80:  # sqdiff
        y = (a - b) * (a - b)
        return y, 2.0 * (a - b), -2.0 * (a - b), 0.0, 0.0, 0.0
    elif op == 81:  # sqdiff_vc
        y = (a - b) * (a - b)
        return y, 2.0 * (a - b), 0.0, 0.0, 0.0, 0.0
    elif op == 82:  # sqdiff_cv
        y = (a - b) * (a - b)
        return y, -2.0 * (a - b), 0.0, 0.0, 0.0, 0.0
    elif op == 83:  # cube
        y = a * a * a
        return y, 3.0 * a * a, 0.0, 0.0, 0.0, 0.0
    elif op == 84:  # inv_cube
        y = 1.0 / (a * a * a)
        return y, -3.0 * y / a, 0.0, 0.0, 0.0, 0.0
    elif op == 85:  # mod
        y = a % b
        return y, 1.0, -(a // b), 0.0, 0.0, 0.0
    elif op == 86:  # mod_vc
        y = a % b
        return y, 1.0, 0.0, 0.0, 0.0, 0.0
    elif op == 87:  # mod_cv
        y = a % b
        return y, -(a // b), 0.0, 0.0, 0.0, 0.0
    elif op == 88:  # floordiv
        y = a // b
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 89:  # floordiv_vc
        y = a // b
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 90:  # floordiv_cv
        y = a // b
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 91:  # fmod
        y = np.fmod(a, b)
        return y, 1.0, -np.rint((a - y) / b), 0.0, 0.0, 0.0
    elif op == 92:  # fmod_vc
        y = np.fmod(a, b)
        return y, 1.0, 0.0, 0.0, 0.0, 0.0
    elif op == 93:  # fmod_cv
        y = np.fmod(a, b)
        return y, -np.rint((a - y) / b), 0.0, 0.0, 0.0, 0.0
    elif op == 94:  # fmin
        y = b if a != a else (a if b != b else (a if a < b else (b if b < a else a)))
        return y, 0.0 if a != a else (1.0 if b != b else (1.0 if a < b else (0.5 if a == b else 0.0))), 1.0 if a != a else (0.0 if b != b else (1.0 if b < a else (0.5 if a == b else 0.0))), 0.0, 0.0, 0.0
    elif op == 95:  # fmin_vc
        y = b if a != a else (a if b != b else (a if a < b else (b if b < a else a)))
        return y, 0.0 if a != a else (1.0 if b != b else (1.0 if a < b else (0.5 if a == b else 0.0))), 0.0, 0.0, 0.0, 0.0
    elif op == 96:  # fmax
        y = b if a != a else (a if b != b else (a if a > b else (b if b > a else a)))
        return y, 0.0 if a != a else (1.0 if b != b else (1.0 if a > b else (0.5 if a == b else 0.0))), 1.0 if a != a else (0.0 if b != b else (1.0 if b > a else (0.5 if a == b else 0.0))), 0.0, 0.0, 0.0
    elif op == 97:  # fmax_vc
        y = b if a != a else (a if b != b else (a if a > b else (b if b > a else a)))
        return y, 0.0 if a != a else (1.0 if b != b else (1.0 if a > b else (0.5 if a == b else 0.0))), 0.0, 0.0, 0.0, 0.0
    return 0.0, 0.0, 0.0, 0.0, 0.0, 0.0


@njit(cache=True, nogil=True, error_model="numpy")
def scalar_second(op, a, b):
    """One element's value, partials and second partials (the rules of the op table)."""
    if op == 1:  # add
        y = a + b
        return y, 1.0, 1.0, 0.0, 0.0, 0.0
    elif op == 2:  # add_vc
        y = a + b
        return y, 1.0, 0.0, 0.0, 0.0, 0.0
    elif op == 3:  # sub
        y = a - b
        return y, 1.0, -1.0, 0.0, 0.0, 0.0
    elif op == 4:  # sub_vc
        y = a - b
        return y, 1.0, 0.0, 0.0, 0.0, 0.0
    elif op == 5:  # sub_cv
        y = a - b
        return y, -1.0, 0.0, 0.0, 0.0, 0.0
    elif op == 6:  # mul
        y = a * b
        return y, b, a, 0.0, 1.0, 0.0
    elif op == 7:  # mul_vc
        y = a * b
        return y, b, 0.0, 0.0, 0.0, 0.0
    elif op == 8:  # div
        y = a / b
        return y, 1.0 / b, -y / b, 0.0, -(1.0 / b) / b, 2.0 * (y / b) / b
    elif op == 9:  # div_vc
        y = a / b
        return y, 1.0 / b, 0.0, 0.0, 0.0, 0.0
    elif op == 10:  # div_cv
        y = a / b
        return y, -y / b, 0.0, 2.0 * (y / b) / b, 0.0, 0.0
    elif op == 11:  # pow
        y = a ** b
        return y, b * a ** (b - 1.0) if b != 0.0 else 0.0, y * np.log(a) if a != 0.0 else 0.0, ((b * a ** (0.5 * b - 1.0)) * ((b - 1.0) * a ** (0.5 * b - 1.0)) if a > 0.0 else b * (b - 1.0) * a ** (b - 2.0)) if (b != 0.0 and b != 1.0) else 0.0, a ** (b - 1.0) * (1.0 + b * np.log(a)) if a != 0.0 else 0.0, y * np.log(a) ** 2 if a != 0.0 else 0.0
    elif op == 12:  # pow_vc
        y = a ** b
        return y, b * a ** (b - 1.0) if b != 0.0 else 0.0, 0.0, ((b * a ** (0.5 * b - 1.0)) * ((b - 1.0) * a ** (0.5 * b - 1.0)) if a > 0.0 else b * (b - 1.0) * a ** (b - 2.0)) if (b != 0.0 and b != 1.0) else 0.0, 0.0, 0.0
    elif op == 13:  # pow_cv
        y = a ** b
        return y, y * np.log(a) if a != 0.0 else 0.0, 0.0, y * np.log(a) ** 2 if a != 0.0 else 0.0, 0.0, 0.0
    elif op == 14:  # atan2
        y = np.arctan2(a, b)
        return y, (b / np.hypot(a, b)) / np.hypot(a, b), -(a / np.hypot(a, b)) / np.hypot(a, b), -2.0 * (a / np.hypot(a, b)) * (b / np.hypot(a, b)) / np.hypot(a, b) / np.hypot(a, b), (a / np.hypot(a, b) - b / np.hypot(a, b)) * (a / np.hypot(a, b) + b / np.hypot(a, b)) / np.hypot(a, b) / np.hypot(a, b), 2.0 * (a / np.hypot(a, b)) * (b / np.hypot(a, b)) / np.hypot(a, b) / np.hypot(a, b)
    elif op == 15:  # atan2_vc
        y = np.arctan2(a, b)
        return y, (b / np.hypot(a, b)) / np.hypot(a, b), 0.0, -2.0 * (a / np.hypot(a, b)) * (b / np.hypot(a, b)) / np.hypot(a, b) / np.hypot(a, b), 0.0, 0.0
    elif op == 16:  # atan2_cv
        y = np.arctan2(a, b)
        return y, -(a / np.hypot(a, b)) / np.hypot(a, b), 0.0, 2.0 * (a / np.hypot(a, b)) * (b / np.hypot(a, b)) / np.hypot(a, b) / np.hypot(a, b), 0.0, 0.0
    elif op == 17:  # hypot
        y = np.hypot(a, b)
        return y, a / y if y != 0.0 else 0.0, b / y if y != 0.0 else 0.0, (b / y) * (b / y) / y if y != 0.0 else 0.0, -(a / y) * (b / y) / y if y != 0.0 else 0.0, (a / y) * (a / y) / y if y != 0.0 else 0.0
    elif op == 18:  # hypot_vc
        y = np.hypot(a, b)
        return y, a / y if y != 0.0 else 0.0, 0.0, (b / y) * (b / y) / y if y != 0.0 else 0.0, 0.0, 0.0
    elif op == 19:  # minimum
        y = a if a < b else (b if b < a else (a if a == b else a + b))
        return y, 1.0 if a < b else (0.5 if a == b else 0.0), 1.0 if b < a else (0.5 if a == b else 0.0), 0.0, 0.0, 0.0
    elif op == 20:  # minimum_vc
        y = a if a < b else (b if b < a else (a if a == b else a + b))
        return y, 1.0 if a < b else (0.5 if a == b else 0.0), 0.0, 0.0, 0.0, 0.0
    elif op == 21:  # maximum
        y = a if a > b else (b if b > a else (a if a == b else a + b))
        return y, 1.0 if a > b else (0.5 if a == b else 0.0), 1.0 if b > a else (0.5 if a == b else 0.0), 0.0, 0.0, 0.0
    elif op == 22:  # maximum_vc
        y = a if a > b else (b if b > a else (a if a == b else a + b))
        return y, 1.0 if a > b else (0.5 if a == b else 0.0), 0.0, 0.0, 0.0, 0.0
    elif op == 23:  # lt
        y = 1.0 if a < b else 0.0
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 24:  # lt_vc
        y = 1.0 if a < b else 0.0
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 25:  # lt_cv
        y = 1.0 if a < b else 0.0
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 26:  # le
        y = 1.0 if a <= b else 0.0
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 27:  # le_vc
        y = 1.0 if a <= b else 0.0
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 28:  # le_cv
        y = 1.0 if a <= b else 0.0
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 29:  # gt
        y = 1.0 if a > b else 0.0
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 30:  # gt_vc
        y = 1.0 if a > b else 0.0
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 31:  # gt_cv
        y = 1.0 if a > b else 0.0
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 32:  # ge
        y = 1.0 if a >= b else 0.0
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 33:  # ge_vc
        y = 1.0 if a >= b else 0.0
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 34:  # ge_cv
        y = 1.0 if a >= b else 0.0
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 35:  # eq
        y = 1.0 if a == b else 0.0
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 36:  # eq_vc
        y = 1.0 if a == b else 0.0
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 37:  # eq_cv
        y = 1.0 if a == b else 0.0
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 38:  # ne
        y = 1.0 if a != b else 0.0
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 39:  # ne_vc
        y = 1.0 if a != b else 0.0
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 40:  # ne_cv
        y = 1.0 if a != b else 0.0
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 41:  # logical_and
        y = 1.0 if (a != 0.0 and b != 0.0) else 0.0
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 42:  # logical_and_vc
        y = 1.0 if (a != 0.0 and b != 0.0) else 0.0
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 43:  # logical_or
        y = 1.0 if (a != 0.0 or b != 0.0) else 0.0
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 44:  # logical_or_vc
        y = 1.0 if (a != 0.0 or b != 0.0) else 0.0
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 45:  # pick_true
        y = b if a != 0.0 else 0.0
        return y, 0.0, 1.0 if a != 0.0 else 0.0, 0.0, 0.0, 0.0
    elif op == 46:  # pick_true_vc
        y = b if a != 0.0 else 0.0
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 47:  # pick_false
        y = b if a == 0.0 else 0.0
        return y, 0.0, 1.0 if a == 0.0 else 0.0, 0.0, 0.0, 0.0
    elif op == 48:  # pick_false_vc
        y = b if a == 0.0 else 0.0
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 49:  # neg
        y = -a
        return y, -1.0, 0.0, 0.0, 0.0, 0.0
    elif op == 50:  # logical_not
        y = 1.0 if a == 0.0 else 0.0
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 51:  # abs
        y = np.abs(a)
        return y, np.sign(a), 0.0, 0.0, 0.0, 0.0
    elif op == 52:  # sign
        y = np.sign(a)
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 53:  # floor
        y = np.floor(a)
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 54:  # ceil
        y = np.ceil(a)
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 55:  # square
        y = a * a
        return y, 2.0 * a, 0.0, 2.0, 0.0, 0.0
    elif op == 56:  # reciprocal
        y = 1.0 / a
        return y, -y * y, 0.0, 2.0 * y * y * y, 0.0, 0.0
    elif op == 57:  # sqrt
        y = np.sqrt(a)
        return y, 0.5 / y, 0.0, -0.25 / (y * y * y), 0.0, 0.0
    elif op == 58:  # cbrt
        y = np.cbrt(a)
        return y, (1.0 / 3.0) / y / y, 0.0, (-2.0 / 9.0) / y / y / y / y / y, 0.0, 0.0
    elif op == 59:  # exp
        y = np.exp(a)
        return y, y, 0.0, y, 0.0, 0.0
    elif op == 60:  # expm1
        y = np.expm1(a)
        return y, np.exp(a), 0.0, np.exp(a), 0.0, 0.0
    elif op == 61:  # log
        y = np.log(a)
        return y, 1.0 / a, 0.0, -(1.0 / a) / a, 0.0, 0.0
    elif op == 62:  # log1p
        y = np.log1p(a)
        return y, 1.0 / (1.0 + a), 0.0, -(1.0 / (1.0 + a)) / (1.0 + a), 0.0, 0.0
    elif op == 63:  # log2
        y = np.log2(a)
        return y, 1.4426950408889634 / a, 0.0, -(1.4426950408889634 / a) / a, 0.0, 0.0
    elif op == 64:  # log10
        y = np.log10(a)
        return y, 0.4342944819032518 / a, 0.0, -(0.4342944819032518 / a) / a, 0.0, 0.0
    elif op == 65:  # sin
        y = np.sin(a)
        return y, np.cos(a), 0.0, -y, 0.0, 0.0
    elif op == 66:  # cos
        y = np.cos(a)
        return y, -np.sin(a), 0.0, -y, 0.0, 0.0
    elif op == 67:  # tan
        y = np.tan(a)
        return y, 1.0 + y * y, 0.0, 2.0 * y * (1.0 + y * y), 0.0, 0.0
    elif op == 68:  # arcsin
        y = np.arcsin(a)
        return y, 1.0 / np.sqrt((1.0 - a) * (1.0 + a)), 0.0, a / np.sqrt((1.0 - a) * (1.0 + a)) / ((1.0 - a) * (1.0 + a)), 0.0, 0.0
    elif op == 69:  # arccos
        y = np.arccos(a)
        return y, -1.0 / np.sqrt((1.0 - a) * (1.0 + a)), 0.0, -a / np.sqrt((1.0 - a) * (1.0 + a)) / ((1.0 - a) * (1.0 + a)), 0.0, 0.0
    elif op == 70:  # arctan
        y = np.arctan(a)
        return y, 1.0 / (1.0 + a * a), 0.0, -2.0 * (a / (1.0 + a * a)) / (1.0 + a * a), 0.0, 0.0
    elif op == 71:  # sinh
        y = np.sinh(a)
        return y, np.cosh(a), 0.0, y, 0.0, 0.0
    elif op == 72:  # cosh
        y = np.cosh(a)
        return y, np.sinh(a), 0.0, y, 0.0, 0.0
    elif op == 73:  # tanh
        y = np.tanh(a)
        return y, 1.0 - y * y if np.abs(a) < 0.5 else (1.0 / np.cosh(a)) ** 2, 0.0, -2.0 * y * (1.0 - y * y if np.abs(a) < 0.5 else (1.0 / np.cosh(a)) ** 2), 0.0, 0.0
    elif op == 74:  # arcsinh
        y = np.arcsinh(a)
        return y, 1.0 / np.hypot(a, 1.0), 0.0, -(a / np.hypot(a, 1.0)) / np.hypot(a, 1.0) / np.hypot(a, 1.0), 0.0, 0.0
    elif op == 75:  # arccosh
        y = np.arccosh(a)
        return y, 1.0 / (np.sqrt(a - 1.0) * np.sqrt(a + 1.0)), 0.0, -(a / (np.sqrt(a - 1.0) * np.sqrt(a + 1.0))) / (np.sqrt(a - 1.0) * np.sqrt(a + 1.0)) / (np.sqrt(a - 1.0) * np.sqrt(a + 1.0)), 0.0, 0.0
    elif op == 76:  # arctanh
        y = np.arctanh(a)
        return y, 1.0 / ((1.0 - a) * (1.0 + a)), 0.0, 2.0 * (a / ((1.0 - a) * (1.0 + a))) / ((1.0 - a) * (1.0 + a)), 0.0, 0.0
    elif op == 77:  # erf
        y = math.erf(a)
        return y, 1.1283791670955126 * np.exp(-a * a), 0.0, -2.0 * a * 1.1283791670955126 * np.exp(-a * a), 0.0, 0.0
    elif op == 78:  # erfc
        y = math.erfc(a)
        return y, -1.1283791670955126 * np.exp(-a * a), 0.0, 2.0 * a * 1.1283791670955126 * np.exp(-a * a), 0.0, 0.0
    elif op == 79:  # lgamma
        y = lgamma(a)
        return y, digamma(a), 0.0, trigamma(a), 0.0, 0.0
    elif op == 80:  # sqdiff
        y = (a - b) * (a - b)
        return y, 2.0 * (a - b), -2.0 * (a - b), 2.0, -2.0, 2.0
    elif op == 81:  # sqdiff_vc
        y = (a - b) * (a - b)
        return y, 2.0 * (a - b), 0.0, 2.0, 0.0, 0.0
    elif op == 82:  # sqdiff_cv
        y = (a - b) * (a - b)
        return y, -2.0 * (a - b), 0.0, 2.0, 0.0, 0.0
    elif op == 83:  # cube
        y = a * a * a
        return y, 3.0 * a * a, 0.0, 6.0 * a, 0.0, 0.0
    elif op == 84:  # inv_cube
        y = 1.0 / (a * a * a)
        return y, -3.0 * y / a, 0.0, 12.0 * (y / a) / a, 0.0, 0.0
    elif op == 85:  # mod
        y = a % b
        return y, 1.0, -(a // b), 0.0, 0.0, 0.0
    elif op == 86:  # mod_vc
        y = a % b
        return y, 1.0, 0.0, 0.0, 0.0, 0.0
    elif op == 87:  # mod_cv
        y = a % b
        return y, -(a // b), 0.0, 0.0, 0.0, 0.0
    elif op == 88:  # floordiv
        y = a // b
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 89:  # floordiv_vc
        y = a // b
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 90:  # floordiv_cv
        y = a // b
        return y, 0.0, 0.0, 0.0, 0.0, 0.0
    elif op == 91:  # fmod
        y = np.fmod(a, b)
        return y, 1.0, -np.rint((a - y) / b), 0.0, 0.0, 0.0
    elif op == 92:  # fmod_vc
        y = np.fmod(a, b)
        return y, 1.0, 0.0, 0.0, 0.0, 0.0
    elif op == 93:  # fmod_cv
        y = np.fmod(a, b)
        return y, -np.rint((a - y) / b), 0.0, 0.0, 0.0, 0.0
    elif op == 94:  # fmin
        y = b if a != a else (a if b != b else (a if a < b else (b if b < a else a)))
        return y, 0.0 if a != a else (1.0 if b != b else (1.0 if a < b else (0.5 if a == b else 0.0))), 1.0 if a != a else (0.0 if b != b else (1.0 if b < a else (0.5 if a == b else 0.0))), 0.0, 0.0, 0.0
    elif op == 95:  # fmin_vc
        y = b if a != a else (a if b != b else (a if a < b else (b if b < a else a)))
        return y, 0.0 if a != a else (1.0 if b != b else (1.0 if a < b else (0.5 if a == b else 0.0))), 0.0, 0.0, 0.0, 0.0
    elif op == 96:  # fmax
        y = b if a != a else (a if b != b else (a if a > b else (b if b > a else a)))
        return y, 0.0 if a != a else (1.0 if b != b else (1.0 if a > b else (0.5 if a == b else 0.0))), 1.0 if a != a else (0.0 if b != b else (1.0 if b > a else (0.5 if a == b else 0.0))), 0.0, 0.0, 0.0
    elif op == 97:  # fmax_vc
        y = b if a != a else (a if b != b else (a if a > b else (b if b > a else a)))
        return y, 0.0 if a != a else (1.0 if b != b else (1.0 if a > b else (0.5 if a == b else 0.0))), 0.0, 0.0, 0.0, 0.0
    return 0.0, 0.0, 0.0, 0.0, 0.0, 0.0


@njit(cache=True, nogil=True, error_model="numpy")
def elem_values(op, r, n, i0, s0, i1, s1, consts, work):
    """One elementwise array instruction's values: work[r + j] for j < n."""
    if op == 0:
        for j in range(n):
            work[r + j] = consts[np.uint64(i0 + j * s0)]
        return
    if s0 == 1:
        R = work[r:r + n]
        A = work[i0:i0 + n]
        if op == 1:  # add
            if s1 == 1:
                B = work[i1:i1 + n]
                for j in range(n):
                    a = A[j]
                    b = B[j]
                    y = a + b
                    R[j] = y
                return
            if s1 == 0:
                bs = work[i1]
                for j in range(n):
                    a = A[j]
                    b = bs
                    y = a + b
                    R[j] = y
                return
        elif op == 2:  # add_vc
            if s1 == 1:
                B = consts[i1:i1 + n]
                for j in range(n):
                    a = A[j]
                    b = B[j]
                    y = a + b
                    R[j] = y
                return
            if s1 == 0:
                bs = consts[i1]
                for j in range(n):
                    a = A[j]
                    b = bs
                    y = a + b
                    R[j] = y
                return
        elif op == 3:  # sub
            if s1 == 1:
                B = work[i1:i1 + n]
                for j in range(n):
                    a = A[j]
                    b = B[j]
                    y = a - b
                    R[j] = y
                return
            if s1 == 0:
                bs = work[i1]
                for j in range(n):
                    a = A[j]
                    b = bs
                    y = a - b
                    R[j] = y
                return
        elif op == 4:  # sub_vc
            if s1 == 1:
                B = consts[i1:i1 + n]
                for j in range(n):
                    a = A[j]
                    b = B[j]
                    y = a - b
                    R[j] = y
                return
            if s1 == 0:
                bs = consts[i1]
                for j in range(n):
                    a = A[j]
                    b = bs
                    y = a - b
                    R[j] = y
                return
        elif op == 5:  # sub_cv
            if s1 == 1:
                B = consts[i1:i1 + n]
                for j in range(n):
                    a = B[j]
                    b = A[j]
                    y = a - b
                    R[j] = y
                return
            if s1 == 0:
                bs = consts[i1]
                for j in range(n):
                    a = bs
                    b = A[j]
                    y = a - b
                    R[j] = y
                return
        elif op == 6:  # mul
            if s1 == 1:
                B = work[i1:i1 + n]
                for j in range(n):
                    a = A[j]
                    b = B[j]
                    y = a * b
                    R[j] = y
                return
            if s1 == 0:
                bs = work[i1]
                for j in range(n):
                    a = A[j]
                    b = bs
                    y = a * b
                    R[j] = y
                return
        elif op == 7:  # mul_vc
            if s1 == 1:
                B = consts[i1:i1 + n]
                for j in range(n):
                    a = A[j]
                    b = B[j]
                    y = a * b
                    R[j] = y
                return
            if s1 == 0:
                bs = consts[i1]
                for j in range(n):
                    a = A[j]
                    b = bs
                    y = a * b
                    R[j] = y
                return
        elif op == 8:  # div
            if s1 == 1:
                B = work[i1:i1 + n]
                for j in range(n):
                    a = A[j]
                    b = B[j]
                    y = a / b
                    R[j] = y
                return
            if s1 == 0:
                bs = work[i1]
                for j in range(n):
                    a = A[j]
                    b = bs
                    y = a / b
                    R[j] = y
                return
        elif op == 9:  # div_vc
            if s1 == 1:
                B = consts[i1:i1 + n]
                for j in range(n):
                    a = A[j]
                    b = B[j]
                    y = a / b
                    R[j] = y
                return
            if s1 == 0:
                bs = consts[i1]
                for j in range(n):
                    a = A[j]
                    b = bs
                    y = a / b
                    R[j] = y
                return
        elif op == 10:  # div_cv
            if s1 == 1:
                B = consts[i1:i1 + n]
                for j in range(n):
                    a = B[j]
                    b = A[j]
                    y = a / b
                    R[j] = y
                return
            if s1 == 0:
                bs = consts[i1]
                for j in range(n):
                    a = bs
                    b = A[j]
                    y = a / b
                    R[j] = y
                return
        elif op == 49:  # neg
            for j in range(n):
                a = A[j]
                y = -a
                R[j] = y
            return
        elif op == 55:  # square
            for j in range(n):
                a = A[j]
                y = a * a
                R[j] = y
            return
        elif op == 56:  # reciprocal
            for j in range(n):
                a = A[j]
                y = 1.0 / a
                R[j] = y
            return
        elif op == 80:  # sqdiff
            if s1 == 1:
                B = work[i1:i1 + n]
                for j in range(n):
                    a = A[j]
                    b = B[j]
                    y = (a - b) * (a - b)
                    R[j] = y
                return
            if s1 == 0:
                bs = work[i1]
                for j in range(n):
                    a = A[j]
                    b = bs
                    y = (a - b) * (a - b)
                    R[j] = y
                return
        elif op == 81:  # sqdiff_vc
            if s1 == 1:
                B = consts[i1:i1 + n]
                for j in range(n):
                    a = A[j]
                    b = B[j]
                    y = (a - b) * (a - b)
                    R[j] = y
                return
            if s1 == 0:
                bs = consts[i1]
                for j in range(n):
                    a = A[j]
                    b = bs
                    y = (a - b) * (a - b)
                    R[j] = y
                return
        elif op == 82:  # sqdiff_cv
            if s1 == 1:
                B = consts[i1:i1 + n]
                for j in range(n):
                    a = B[j]
                    b = A[j]
                    y = (a - b) * (a - b)
                    R[j] = y
                return
            if s1 == 0:
                bs = consts[i1]
                for j in range(n):
                    a = bs
                    b = A[j]
                    y = (a - b) * (a - b)
                    R[j] = y
                return
        elif op == 83:  # cube
            for j in range(n):
                a = A[j]
                y = a * a * a
                R[j] = y
            return
        elif op == 84:  # inv_cube
            for j in range(n):
                a = A[j]
                y = 1.0 / (a * a * a)
                R[j] = y
            return
        elif op == 11:  # pow
            if s1 == 1:
                B = work[i1:i1 + n]
                for j in range(n):
                    a = A[j]
                    b = B[j]
                    y = a ** b
                    R[j] = y
                return
            if s1 == 0:
                bs = work[i1]
                for j in range(n):
                    a = A[j]
                    b = bs
                    y = a ** b
                    R[j] = y
                return
        elif op == 12:  # pow_vc
            if s1 == 1:
                B = consts[i1:i1 + n]
                for j in range(n):
                    a = A[j]
                    b = B[j]
                    y = a ** b
                    R[j] = y
                return
            if s1 == 0:
                bs = consts[i1]
                for j in range(n):
                    a = A[j]
                    b = bs
                    y = a ** b
                    R[j] = y
                return
        elif op == 13:  # pow_cv
            if s1 == 1:
                B = consts[i1:i1 + n]
                for j in range(n):
                    a = B[j]
                    b = A[j]
                    y = a ** b
                    R[j] = y
                return
            if s1 == 0:
                bs = consts[i1]
                for j in range(n):
                    a = bs
                    b = A[j]
                    y = a ** b
                    R[j] = y
                return
        elif op == 19:  # minimum
            if s1 == 1:
                B = work[i1:i1 + n]
                for j in range(n):
                    a = A[j]
                    b = B[j]
                    y = a if a < b else (b if b < a else (a if a == b else a + b))
                    R[j] = y
                return
            if s1 == 0:
                bs = work[i1]
                for j in range(n):
                    a = A[j]
                    b = bs
                    y = a if a < b else (b if b < a else (a if a == b else a + b))
                    R[j] = y
                return
        elif op == 20:  # minimum_vc
            if s1 == 1:
                B = consts[i1:i1 + n]
                for j in range(n):
                    a = A[j]
                    b = B[j]
                    y = a if a < b else (b if b < a else (a if a == b else a + b))
                    R[j] = y
                return
            if s1 == 0:
                bs = consts[i1]
                for j in range(n):
                    a = A[j]
                    b = bs
                    y = a if a < b else (b if b < a else (a if a == b else a + b))
                    R[j] = y
                return
        elif op == 21:  # maximum
            if s1 == 1:
                B = work[i1:i1 + n]
                for j in range(n):
                    a = A[j]
                    b = B[j]
                    y = a if a > b else (b if b > a else (a if a == b else a + b))
                    R[j] = y
                return
            if s1 == 0:
                bs = work[i1]
                for j in range(n):
                    a = A[j]
                    b = bs
                    y = a if a > b else (b if b > a else (a if a == b else a + b))
                    R[j] = y
                return
        elif op == 22:  # maximum_vc
            if s1 == 1:
                B = consts[i1:i1 + n]
                for j in range(n):
                    a = A[j]
                    b = B[j]
                    y = a if a > b else (b if b > a else (a if a == b else a + b))
                    R[j] = y
                return
            if s1 == 0:
                bs = consts[i1]
                for j in range(n):
                    a = A[j]
                    b = bs
                    y = a if a > b else (b if b > a else (a if a == b else a + b))
                    R[j] = y
                return
        elif op == 23:  # lt
            if s1 == 1:
                B = work[i1:i1 + n]
                for j in range(n):
                    a = A[j]
                    b = B[j]
                    y = 1.0 if a < b else 0.0
                    R[j] = y
                return
            if s1 == 0:
                bs = work[i1]
                for j in range(n):
                    a = A[j]
                    b = bs
                    y = 1.0 if a < b else 0.0
                    R[j] = y
                return
        elif op == 24:  # lt_vc
            if s1 == 1:
                B = consts[i1:i1 + n]
                for j in range(n):
                    a = A[j]
                    b = B[j]
                    y = 1.0 if a < b else 0.0
                    R[j] = y
                return
            if s1 == 0:
                bs = consts[i1]
                for j in range(n):
                    a = A[j]
                    b = bs
                    y = 1.0 if a < b else 0.0
                    R[j] = y
                return
        elif op == 25:  # lt_cv
            if s1 == 1:
                B = consts[i1:i1 + n]
                for j in range(n):
                    a = B[j]
                    b = A[j]
                    y = 1.0 if a < b else 0.0
                    R[j] = y
                return
            if s1 == 0:
                bs = consts[i1]
                for j in range(n):
                    a = bs
                    b = A[j]
                    y = 1.0 if a < b else 0.0
                    R[j] = y
                return
        elif op == 26:  # le
            if s1 == 1:
                B = work[i1:i1 + n]
                for j in range(n):
                    a = A[j]
                    b = B[j]
                    y = 1.0 if a <= b else 0.0
                    R[j] = y
                return
            if s1 == 0:
                bs = work[i1]
                for j in range(n):
                    a = A[j]
                    b = bs
                    y = 1.0 if a <= b else 0.0
                    R[j] = y
                return
        elif op == 27:  # le_vc
            if s1 == 1:
                B = consts[i1:i1 + n]
                for j in range(n):
                    a = A[j]
                    b = B[j]
                    y = 1.0 if a <= b else 0.0
                    R[j] = y
                return
            if s1 == 0:
                bs = consts[i1]
                for j in range(n):
                    a = A[j]
                    b = bs
                    y = 1.0 if a <= b else 0.0
                    R[j] = y
                return
        elif op == 28:  # le_cv
            if s1 == 1:
                B = consts[i1:i1 + n]
                for j in range(n):
                    a = B[j]
                    b = A[j]
                    y = 1.0 if a <= b else 0.0
                    R[j] = y
                return
            if s1 == 0:
                bs = consts[i1]
                for j in range(n):
                    a = bs
                    b = A[j]
                    y = 1.0 if a <= b else 0.0
                    R[j] = y
                return
        elif op == 29:  # gt
            if s1 == 1:
                B = work[i1:i1 + n]
                for j in range(n):
                    a = A[j]
                    b = B[j]
                    y = 1.0 if a > b else 0.0
                    R[j] = y
                return
            if s1 == 0:
                bs = work[i1]
                for j in range(n):
                    a = A[j]
                    b = bs
                    y = 1.0 if a > b else 0.0
                    R[j] = y
                return
        elif op == 30:  # gt_vc
            if s1 == 1:
                B = consts[i1:i1 + n]
                for j in range(n):
                    a = A[j]
                    b = B[j]
                    y = 1.0 if a > b else 0.0
                    R[j] = y
                return
            if s1 == 0:
                bs = consts[i1]
                for j in range(n):
                    a = A[j]
                    b = bs
                    y = 1.0 if a > b else 0.0
                    R[j] = y
                return
        elif op == 31:  # gt_cv
            if s1 == 1:
                B = consts[i1:i1 + n]
                for j in range(n):
                    a = B[j]
                    b = A[j]
                    y = 1.0 if a > b else 0.0
                    R[j] = y
                return
            if s1 == 0:
                bs = consts[i1]
                for j in range(n):
                    a = bs
                    b = A[j]
                    y = 1.0 if a > b else 0.0
                    R[j] = y
                return
        elif op == 32:  # ge
            if s1 == 1:
                B = work[i1:i1 + n]
                for j in range(n):
                    a = A[j]
                    b = B[j]
                    y = 1.0 if a >= b else 0.0
                    R[j] = y
                return
            if s1 == 0:
                bs = work[i1]
                for j in range(n):
                    a = A[j]
                    b = bs
                    y = 1.0 if a >= b else 0.0
                    R[j] = y
                return
        elif op == 33:  # ge_vc
            if s1 == 1:
                B = consts[i1:i1 + n]
                for j in range(n):
                    a = A[j]
                    b = B[j]
                    y = 1.0 if a >= b else 0.0
                    R[j] = y
                return
            if s1 == 0:
                bs = consts[i1]
                for j in range(n):
                    a = A[j]
                    b = bs
                    y = 1.0 if a >= b else 0.0
                    R[j] = y
                return
        elif op == 34:  # ge_cv
            if s1 == 1:
                B = consts[i1:i1 + n]
                for j in range(n):
                    a = B[j]
                    b = A[j]
                    y = 1.0 if a >= b else 0.0
                    R[j] = y
                return
            if s1 == 0:
                bs = consts[i1]
                for j in range(n):
                    a = bs
                    b = A[j]
                    y = 1.0 if a >= b else 0.0
                    R[j] = y
                return
        elif op == 45:  # pick_true
            if s1 == 1:
                B = work[i1:i1 + n]
                for j in range(n):
                    a = A[j]
                    b = B[j]
                    y = b if a != 0.0 else 0.0
                    R[j] = y
                return
            if s1 == 0:
                bs = work[i1]
                for j in range(n):
                    a = A[j]
                    b = bs
                    y = b if a != 0.0 else 0.0
                    R[j] = y
                return
        elif op == 46:  # pick_true_vc
            if s1 == 1:
                B = consts[i1:i1 + n]
                for j in range(n):
                    a = A[j]
                    b = B[j]
                    y = b if a != 0.0 else 0.0
                    R[j] = y
                return
            if s1 == 0:
                bs = consts[i1]
                for j in range(n):
                    a = A[j]
                    b = bs
                    y = b if a != 0.0 else 0.0
                    R[j] = y
                return
        elif op == 47:  # pick_false
            if s1 == 1:
                B = work[i1:i1 + n]
                for j in range(n):
                    a = A[j]
                    b = B[j]
                    y = b if a == 0.0 else 0.0
                    R[j] = y
                return
            if s1 == 0:
                bs = work[i1]
                for j in range(n):
                    a = A[j]
                    b = bs
                    y = b if a == 0.0 else 0.0
                    R[j] = y
                return
        elif op == 48:  # pick_false_vc
            if s1 == 1:
                B = consts[i1:i1 + n]
                for j in range(n):
                    a = A[j]
                    b = B[j]
                    y = b if a == 0.0 else 0.0
                    R[j] = y
                return
            if s1 == 0:
                bs = consts[i1]
                for j in range(n):
                    a = A[j]
                    b = bs
                    y = b if a == 0.0 else 0.0
                    R[j] = y
                return
        elif op == 51:  # abs
            for j in range(n):
                a = A[j]
                y = np.abs(a)
                R[j] = y
            return
        elif op == 57:  # sqrt
            for j in range(n):
                a = A[j]
                y = np.sqrt(a)
                R[j] = y
            return
        elif op == 59:  # exp
            for j in range(n):
                a = A[j]
                y = np.exp(a)
                R[j] = y
            return
        elif op == 60:  # expm1
            for j in range(n):
                a = A[j]
                y = np.expm1(a)
                R[j] = y
            return
        elif op == 61:  # log
            for j in range(n):
                a = A[j]
                y = np.log(a)
                R[j] = y
            return
        elif op == 62:  # log1p
            for j in range(n):
                a = A[j]
                y = np.log1p(a)
                R[j] = y
            return
        elif op == 65:  # sin
            for j in range(n):
                a = A[j]
                y = np.sin(a)
                R[j] = y
            return
        elif op == 66:  # cos
            for j in range(n):
                a = A[j]
                y = np.cos(a)
                R[j] = y
            return
        elif op == 73:  # tanh
            for j in range(n):
                a = A[j]
                y = np.tanh(a)
                R[j] = y
            return
    k = KIND[op]
    for j in range(n):
        v = work[np.uint64(i0 + j * s0)]
        c = consts[np.uint64(i1 + j * s1)] if (k == 3 or k == 4) else (work[np.uint64(i1 + j * s1)] if k == 2 else 0.0)
        if k == 4:
            y, d0, d1, d00, d01, d11 = scalar_value(op, c, v)
        else:
            y, d0, d1, d00, d01, d11 = scalar_value(op, v, c)
        work[r + j] = y


@njit(cache=True, nogil=True, error_model="numpy")
def elem_partials(op, r, n, i0, s0, i1, s1, consts, work, p0, p1):
    """One elementwise array instruction's values and partials p0[r + j] (and p1[r + j] for two variable operands)."""
    if op == 0:
        for j in range(n):
            work[r + j] = consts[np.uint64(i0 + j * s0)]
            p0[r + j] = 0.0
        return
    if s0 == 1:
        R = work[r:r + n]
        A = work[i0:i0 + n]
        P0 = p0[r:r + n]
        P1 = p1[r:r + n]
        if op == 1:  # add
            if s1 == 1:
                B = work[i1:i1 + n]
                for j in range(n):
                    a = A[j]
                    b = B[j]
                    y = a + b
                    R[j] = y
                    P0[j] = 1.0
                    P1[j] = 1.0
                return
            if s1 == 0:
                bs = work[i1]
                for j in range(n):
                    a = A[j]
                    b = bs
                    y = a + b
                    R[j] = y
                    P0[j] = 1.0
                    P1[j] = 1.0
                return
        elif op == 2:  # add_vc
            if s1 == 1:
                B = consts[i1:i1 + n]
                for j in range(n):
                    a = A[j]
                    b = B[j]
                    y = a + b
                    R[j] = y
                    P0[j] = 1.0
                return
            if s1 == 0:
                bs = consts[i1]
                for j in range(n):
                    a = A[j]
                    b = bs
                    y = a + b
                    R[j] = y
                    P0[j] = 1.0
                return
        elif op == 3:  # sub
            if s1 == 1:
                B = work[i1:i1 + n]
                for j in range(n):
                    a = A[j]
                    b = B[j]
                    y = a - b
                    R[j] = y
                    P0[j] = 1.0
                    P1[j] = -1.0
                return
            if s1 == 0:
                bs = work[i1]
                for j in range(n):
                    a = A[j]
                    b = bs
                    y = a - b
                    R[j] = y
                    P0[j] = 1.0
                    P1[j] = -1.0
                return
        elif op == 4:  # sub_vc
            if s1 == 1:
                B = consts[i1:i1 + n]
                for j in range(n):
                    a = A[j]
                    b = B[j]
                    y = a - b
                    R[j] = y
                    P0[j] = 1.0
                return
            if s1 == 0:
                bs = consts[i1]
                for j in range(n):
                    a = A[j]
                    b = bs
                    y = a - b
                    R[j] = y
                    P0[j] = 1.0
                return
        elif op == 5:  # sub_cv
            if s1 == 1:
                B = consts[i1:i1 + n]
                for j in range(n):
                    a = B[j]
                    b = A[j]
                    y = a - b
                    R[j] = y
                    P0[j] = -1.0
                return
            if s1 == 0:
                bs = consts[i1]
                for j in range(n):
                    a = bs
                    b = A[j]
                    y = a - b
                    R[j] = y
                    P0[j] = -1.0
                return
        elif op == 6:  # mul
            if s1 == 1:
                B = work[i1:i1 + n]
                for j in range(n):
                    a = A[j]
                    b = B[j]
                    y = a * b
                    R[j] = y
                    P0[j] = b
                    P1[j] = a
                return
            if s1 == 0:
                bs = work[i1]
                for j in range(n):
                    a = A[j]
                    b = bs
                    y = a * b
                    R[j] = y
                    P0[j] = b
                    P1[j] = a
                return
        elif op == 7:  # mul_vc
            if s1 == 1:
                B = consts[i1:i1 + n]
                for j in range(n):
                    a = A[j]
                    b = B[j]
                    y = a * b
                    R[j] = y
                    P0[j] = b
                return
            if s1 == 0:
                bs = consts[i1]
                for j in range(n):
                    a = A[j]
                    b = bs
                    y = a * b
                    R[j] = y
                    P0[j] = b
                return
        elif op == 8:  # div
            if s1 == 1:
                B = work[i1:i1 + n]
                for j in range(n):
                    a = A[j]
                    b = B[j]
                    y = a / b
                    R[j] = y
                    P0[j] = 1.0 / b
                    P1[j] = -y / b
                return
            if s1 == 0:
                bs = work[i1]
                for j in range(n):
                    a = A[j]
                    b = bs
                    y = a / b
                    R[j] = y
                    P0[j] = 1.0 / b
                    P1[j] = -y / b
                return
        elif op == 9:  # div_vc
            if s1 == 1:
                B = consts[i1:i1 + n]
                for j in range(n):
                    a = A[j]
                    b = B[j]
                    y = a / b
                    R[j] = y
                    P0[j] = 1.0 / b
                return
            if s1 == 0:
                bs = consts[i1]
                for j in range(n):
                    a = A[j]
                    b = bs
                    y = a / b
                    R[j] = y
                    P0[j] = 1.0 / b
                return
        elif op == 10:  # div_cv
            if s1 == 1:
                B = consts[i1:i1 + n]
                for j in range(n):
                    a = B[j]
                    b = A[j]
                    y = a / b
                    R[j] = y
                    P0[j] = -y / b
                return
            if s1 == 0:
                bs = consts[i1]
                for j in range(n):
                    a = bs
                    b = A[j]
                    y = a / b
                    R[j] = y
                    P0[j] = -y / b
                return
        elif op == 49:  # neg
            for j in range(n):
                a = A[j]
                y = -a
                R[j] = y
                P0[j] = -1.0
            return
        elif op == 55:  # square
            for j in range(n):
                a = A[j]
                y = a * a
                R[j] = y
                P0[j] = 2.0 * a
            return
        elif op == 56:  # reciprocal
            for j in range(n):
                a = A[j]
                y = 1.0 / a
                R[j] = y
                P0[j] = -y * y
            return
        elif op == 80:  # sqdiff
            if s1 == 1:
                B = work[i1:i1 + n]
                for j in range(n):
                    a = A[j]
                    b = B[j]
                    y = (a - b) * (a - b)
                    R[j] = y
                    P0[j] = 2.0 * (a - b)
                    P1[j] = -2.0 * (a - b)
                return
            if s1 == 0:
                bs = work[i1]
                for j in range(n):
                    a = A[j]
                    b = bs
                    y = (a - b) * (a - b)
                    R[j] = y
                    P0[j] = 2.0 * (a - b)
                    P1[j] = -2.0 * (a - b)
                return
        elif op == 81:  # sqdiff_vc
            if s1 == 1:
                B = consts[i1:i1 + n]
                for j in range(n):
                    a = A[j]
                    b = B[j]
                    y = (a - b) * (a - b)
                    R[j] = y
                    P0[j] = 2.0 * (a - b)
                return
            if s1 == 0:
                bs = consts[i1]
                for j in range(n):
                    a = A[j]
                    b = bs
                    y = (a - b) * (a - b)
                    R[j] = y
                    P0[j] = 2.0 * (a - b)
                return
        elif op == 82:  # sqdiff_cv
            if s1 == 1:
                B = consts[i1:i1 + n]
                for j in range(n):
                    a = B[j]
                    b = A[j]
                    y = (a - b) * (a - b)
                    R[j] = y
                    P0[j] = -2.0 * (a - b)
                return
            if s1 == 0:
                bs = consts[i1]
                for j in range(n):
                    a = bs
                    b = A[j]
                    y = (a - b) * (a - b)
                    R[j] = y
                    P0[j] = -2.0 * (a - b)
                return
        elif op == 83:  # cube
            for j in range(n):
                a = A[j]
                y = a * a * a
                R[j] = y
                P0[j] = 3.0 * a * a
            return
        elif op == 84:  # inv_cube
            for j in range(n):
                a = A[j]
                y = 1.0 / (a * a * a)
                R[j] = y
                P0[j] = -3.0 * y / a
            return
        elif op == 11:  # pow
            if s1 == 1:
                B = work[i1:i1 + n]
                for j in range(n):
                    a = A[j]
                    b = B[j]
                    y = a ** b
                    R[j] = y
                    P0[j] = b * a ** (b - 1.0) if b != 0.0 else 0.0
                    P1[j] = y * np.log(a) if a != 0.0 else 0.0
                return
            if s1 == 0:
                bs = work[i1]
                for j in range(n):
                    a = A[j]
                    b = bs
                    y = a ** b
                    R[j] = y
                    P0[j] = b * a ** (b - 1.0) if b != 0.0 else 0.0
                    P1[j] = y * np.log(a) if a != 0.0 else 0.0
                return
        elif op == 12:  # pow_vc
            if s1 == 1:
                B = consts[i1:i1 + n]
                for j in range(n):
                    a = A[j]
                    b = B[j]
                    y = a ** b
                    R[j] = y
                    P0[j] = b * a ** (b - 1.0) if b != 0.0 else 0.0
                return
            if s1 == 0:
                bs = consts[i1]
                for j in range(n):
                    a = A[j]
                    b = bs
                    y = a ** b
                    R[j] = y
                    P0[j] = b * a ** (b - 1.0) if b != 0.0 else 0.0
                return
        elif op == 13:  # pow_cv
            if s1 == 1:
                B = consts[i1:i1 + n]
                for j in range(n):
                    a = B[j]
                    b = A[j]
                    y = a ** b
                    R[j] = y
                    P0[j] = y * np.log(a) if a != 0.0 else 0.0
                return
            if s1 == 0:
                bs = consts[i1]
                for j in range(n):
                    a = bs
                    b = A[j]
                    y = a ** b
                    R[j] = y
                    P0[j] = y * np.log(a) if a != 0.0 else 0.0
                return
        elif op == 19:  # minimum
            if s1 == 1:
                B = work[i1:i1 + n]
                for j in range(n):
                    a = A[j]
                    b = B[j]
                    y = a if a < b else (b if b < a else (a if a == b else a + b))
                    R[j] = y
                    P0[j] = 1.0 if a < b else (0.5 if a == b else 0.0)
                    P1[j] = 1.0 if b < a else (0.5 if a == b else 0.0)
                return
            if s1 == 0:
                bs = work[i1]
                for j in range(n):
                    a = A[j]
                    b = bs
                    y = a if a < b else (b if b < a else (a if a == b else a + b))
                    R[j] = y
                    P0[j] = 1.0 if a < b else (0.5 if a == b else 0.0)
                    P1[j] = 1.0 if b < a else (0.5 if a == b else 0.0)
                return
        elif op == 20:  # minimum_vc
            if s1 == 1:
                B = consts[i1:i1 + n]
                for j in range(n):
                    a = A[j]
                    b = B[j]
                    y = a if a < b else (b if b < a else (a if a == b else a + b))
                    R[j] = y
                    P0[j] = 1.0 if a < b else (0.5 if a == b else 0.0)
                return
            if s1 == 0:
                bs = consts[i1]
                for j in range(n):
                    a = A[j]
                    b = bs
                    y = a if a < b else (b if b < a else (a if a == b else a + b))
                    R[j] = y
                    P0[j] = 1.0 if a < b else (0.5 if a == b else 0.0)
                return
        elif op == 21:  # maximum
            if s1 == 1:
                B = work[i1:i1 + n]
                for j in range(n):
                    a = A[j]
                    b = B[j]
                    y = a if a > b else (b if b > a else (a if a == b else a + b))
                    R[j] = y
                    P0[j] = 1.0 if a > b else (0.5 if a == b else 0.0)
                    P1[j] = 1.0 if b > a else (0.5 if a == b else 0.0)
                return
            if s1 == 0:
                bs = work[i1]
                for j in range(n):
                    a = A[j]
                    b = bs
                    y = a if a > b else (b if b > a else (a if a == b else a + b))
                    R[j] = y
                    P0[j] = 1.0 if a > b else (0.5 if a == b else 0.0)
                    P1[j] = 1.0 if b > a else (0.5 if a == b else 0.0)
                return
        elif op == 22:  # maximum_vc
            if s1 == 1:
                B = consts[i1:i1 + n]
                for j in range(n):
                    a = A[j]
                    b = B[j]
                    y = a if a > b else (b if b > a else (a if a == b else a + b))
                    R[j] = y
                    P0[j] = 1.0 if a > b else (0.5 if a == b else 0.0)
                return
            if s1 == 0:
                bs = consts[i1]
                for j in range(n):
                    a = A[j]
                    b = bs
                    y = a if a > b else (b if b > a else (a if a == b else a + b))
                    R[j] = y
                    P0[j] = 1.0 if a > b else (0.5 if a == b else 0.0)
                return
        elif op == 23:  # lt
            if s1 == 1:
                B = work[i1:i1 + n]
                for j in range(n):
                    a = A[j]
                    b = B[j]
                    y = 1.0 if a < b else 0.0
                    R[j] = y
                    P0[j] = 0.0
                    P1[j] = 0.0
                return
            if s1 == 0:
                bs = work[i1]
                for j in range(n):
                    a = A[j]
                    b = bs
                    y = 1.0 if a < b else 0.0
                    R[j] = y
                    P0[j] = 0.0
                    P1[j] = 0.0
                return
        elif op == 24:  # lt_vc
            if s1 == 1:
                B = consts[i1:i1 + n]
                for j in range(n):
                    a = A[j]
                    b = B[j]
                    y = 1.0 if a < b else 0.0
                    R[j] = y
                    P0[j] = 0.0
                return
            if s1 == 0:
                bs = consts[i1]
                for j in range(n):
                    a = A[j]
                    b = bs
                    y = 1.0 if a < b else 0.0
                    R[j] = y
                    P0[j] = 0.0
                return
        elif op == 25:  # lt_cv
            if s1 == 1:
                B = consts[i1:i1 + n]
                for j in range(n):
                    a = B[j]
                    b = A[j]
                    y = 1.0 if a < b else 0.0
                    R[j] = y
                    P0[j] = 0.0
                return
            if s1 == 0:
                bs = consts[i1]
                for j in range(n):
                    a = bs
                    b = A[j]
                    y = 1.0 if a < b else 0.0
                    R[j] = y
                    P0[j] = 0.0
                return
        elif op == 26:  # le
            if s1 == 1:
                B = work[i1:i1 + n]
                for j in range(n):
                    a = A[j]
                    b = B[j]
                    y = 1.0 if a <= b else 0.0
                    R[j] = y
                    P0[j] = 0.0
                    P1[j] = 0.0
                return
            if s1 == 0:
                bs = work[i1]
                for j in range(n):
                    a = A[j]
                    b = bs
                    y = 1.0 if a <= b else 0.0
                    R[j] = y
                    P0[j] = 0.0
                    P1[j] = 0.0
                return
        elif op == 27:  # le_vc
            if s1 == 1:
                B = consts[i1:i1 + n]
                for j in range(n):
                    a = A[j]
                    b = B[j]
                    y = 1.0 if a <= b else 0.0
                    R[j] = y
                    P0[j] = 0.0
                return
            if s1 == 0:
                bs = consts[i1]
                for j in range(n):
                    a = A[j]
                    b = bs
                    y = 1.0 if a <= b else 0.0
                    R[j] = y
                    P0[j] = 0.0
                return
        elif op == 28:  # le_cv
            if s1 == 1:
                B = consts[i1:i1 + n]
                for j in range(n):
                    a = B[j]
                    b = A[j]
                    y = 1.0 if a <= b else 0.0
                    R[j] = y
                    P0[j] = 0.0
                return
            if s1 == 0:
                bs = consts[i1]
                for j in range(n):
                    a = bs
                    b = A[j]
                    y = 1.0 if a <= b else 0.0
                    R[j] = y
                    P0[j] = 0.0
                return
        elif op == 29:  # gt
            if s1 == 1:
                B = work[i1:i1 + n]
                for j in range(n):
                    a = A[j]
                    b = B[j]
                    y = 1.0 if a > b else 0.0
                    R[j] = y
                    P0[j] = 0.0
                    P1[j] = 0.0
                return
            if s1 == 0:
                bs = work[i1]
                for j in range(n):
                    a = A[j]
                    b = bs
                    y = 1.0 if a > b else 0.0
                    R[j] = y
                    P0[j] = 0.0
                    P1[j] = 0.0
                return
        elif op == 30:  # gt_vc
            if s1 == 1:
                B = consts[i1:i1 + n]
                for j in range(n):
                    a = A[j]
                    b = B[j]
                    y = 1.0 if a > b else 0.0
                    R[j] = y
                    P0[j] = 0.0
                return
            if s1 == 0:
                bs = consts[i1]
                for j in range(n):
                    a = A[j]
                    b = bs
                    y = 1.0 if a > b else 0.0
                    R[j] = y
                    P0[j] = 0.0
                return
        elif op == 31:  # gt_cv
            if s1 == 1:
                B = consts[i1:i1 + n]
                for j in range(n):
                    a = B[j]
                    b = A[j]
                    y = 1.0 if a > b else 0.0
                    R[j] = y
                    P0[j] = 0.0
                return
            if s1 == 0:
                bs = consts[i1]
                for j in range(n):
                    a = bs
                    b = A[j]
                    y = 1.0 if a > b else 0.0
                    R[j] = y
                    P0[j] = 0.0
                return
        elif op == 32:  # ge
            if s1 == 1:
                B = work[i1:i1 + n]
                for j in range(n):
                    a = A[j]
                    b = B[j]
                    y = 1.0 if a >= b else 0.0
                    R[j] = y
                    P0[j] = 0.0
                    P1[j] = 0.0
                return
            if s1 == 0:
                bs = work[i1]
                for j in range(n):
                    a = A[j]
                    b = bs
                    y = 1.0 if a >= b else 0.0
                    R[j] = y
                    P0[j] = 0.0
                    P1[j] = 0.0
                return
        elif op == 33:  # ge_vc
            if s1 == 1:
                B = consts[i1:i1 + n]
                for j in range(n):
                    a = A[j]
                    b = B[j]
                    y = 1.0 if a >= b else 0.0
                    R[j] = y
                    P0[j] = 0.0
                return
            if s1 == 0:
                bs = consts[i1]
                for j in range(n):
                    a = A[j]
                    b = bs
                    y = 1.0 if a >= b else 0.0
                    R[j] = y
                    P0[j] = 0.0
                return
        elif op == 34:  # ge_cv
            if s1 == 1:
                B = consts[i1:i1 + n]
                for j in range(n):
                    a = B[j]
                    b = A[j]
                    y = 1.0 if a >= b else 0.0
                    R[j] = y
                    P0[j] = 0.0
                return
            if s1 == 0:
                bs = consts[i1]
                for j in range(n):
                    a = bs
                    b = A[j]
                    y = 1.0 if a >= b else 0.0
                    R[j] = y
                    P0[j] = 0.0
                return
        elif op == 45:  # pick_true
            if s1 == 1:
                B = work[i1:i1 + n]
                for j in range(n):
                    a = A[j]
                    b = B[j]
                    y = b if a != 0.0 else 0.0
                    R[j] = y
                    P0[j] = 0.0
                    P1[j] = 1.0 if a != 0.0 else 0.0
                return
            if s1 == 0:
                bs = work[i1]
                for j in range(n):
                    a = A[j]
                    b = bs
                    y = b if a != 0.0 else 0.0
                    R[j] = y
                    P0[j] = 0.0
                    P1[j] = 1.0 if a != 0.0 else 0.0
                return
        elif op == 46:  # pick_true_vc
            if s1 == 1:
                B = consts[i1:i1 + n]
                for j in range(n):
                    a = A[j]
                    b = B[j]
                    y = b if a != 0.0 else 0.0
                    R[j] = y
                    P0[j] = 0.0
                return
            if s1 == 0:
                bs = consts[i1]
                for j in range(n):
                    a = A[j]
                    b = bs
                    y = b if a != 0.0 else 0.0
                    R[j] = y
                    P0[j] = 0.0
                return
        elif op == 47:  # pick_false
            if s1 == 1:
                B = work[i1:i1 + n]
                for j in range(n):
                    a = A[j]
                    b = B[j]
                    y = b if a == 0.0 else 0.0
                    R[j] = y
                    P0[j] = 0.0
                    P1[j] = 1.0 if a == 0.0 else 0.0
                return
            if s1 == 0:
                bs = work[i1]
                for j in range(n):
                    a = A[j]
                    b = bs
                    y = b if a == 0.0 else 0.0
                    R[j] = y
                    P0[j] = 0.0
                    P1[j] = 1.0 if a == 0.0 else 0.0
                return
        elif op == 48:  # pick_false_vc
            if s1 == 1:
                B = consts[i1:i1 + n]
                for j in range(n):
                    a = A[j]
                    b = B[j]
                    y = b if a == 0.0 else 0.0
                    R[j] = y
                    P0[j] = 0.0
                return
            if s1 == 0:
                bs = consts[i1]
                for j in range(n):
                    a = A[j]
                    b = bs
                    y = b if a == 0.0 else 0.0
                    R[j] = y
                    P0[j] = 0.0
                return
        elif op == 51:  # abs
            for j in range(n):
                a = A[j]
                y = np.abs(a)
                R[j] = y
                P0[j] = np.sign(a)
            return
        elif op == 57:  # sqrt
            for j in range(n):
                a = A[j]
                y = np.sqrt(a)
                R[j] = y
                P0[j] = 0.5 / y
            return
        elif op == 59:  # exp
            for j in range(n):
                a = A[j]
                y = np.exp(a)
                R[j] = y
                P0[j] = y
            return
        elif op == 60:  # expm1
            for j in range(n):
                a = A[j]
                y = np.expm1(a)
                R[j] = y
                P0[j] = np.exp(a)
            return
        elif op == 61:  # log
            for j in range(n):
                a = A[j]
                y = np.log(a)
                R[j] = y
                P0[j] = 1.0 / a
            return
        elif op == 62:  # log1p
            for j in range(n):
                a = A[j]
                y = np.log1p(a)
                R[j] = y
                P0[j] = 1.0 / (1.0 + a)
            return
        elif op == 65:  # sin
            for j in range(n):
                a = A[j]
                y = np.sin(a)
                R[j] = y
                P0[j] = np.cos(a)
            return
        elif op == 66:  # cos
            for j in range(n):
                a = A[j]
                y = np.cos(a)
                R[j] = y
                P0[j] = -np.sin(a)
            return
        elif op == 73:  # tanh
            for j in range(n):
                a = A[j]
                y = np.tanh(a)
                R[j] = y
                P0[j] = 1.0 - y * y if np.abs(a) < 0.5 else (1.0 / np.cosh(a)) ** 2
            return
    k = KIND[op]
    for j in range(n):
        v = work[np.uint64(i0 + j * s0)]
        c = consts[np.uint64(i1 + j * s1)] if (k == 3 or k == 4) else (work[np.uint64(i1 + j * s1)] if k == 2 else 0.0)
        if k == 4:
            y, d0, d1, d00, d01, d11 = scalar_partials(op, c, v)
        else:
            y, d0, d1, d00, d01, d11 = scalar_partials(op, v, c)
        work[r + j] = y
        p0[r + j] = d0
        p1[r + j] = d1


@njit(cache=True, nogil=True, error_model="numpy")
def elem_second(op, r, n, i0, s0, i1, s1, consts, work, p0, p1, s00, s01, s11):
    """One elementwise array instruction's values, partials and second partials s00[r + j] (and s01, s11 for two variable operands)."""
    if op == 0:
        for j in range(n):
            work[r + j] = consts[np.uint64(i0 + j * s0)]
            p0[r + j] = 0.0
            s00[r + j] = 0.0
        return
    if s0 == 1:
        R = work[r:r + n]
        A = work[i0:i0 + n]
        P0 = p0[r:r + n]
        P1 = p1[r:r + n]
        S00 = s00[r:r + n]
        S01 = s01[r:r + n]
        S11 = s11[r:r + n]
        if op == 1:  # add
            if s1 == 1:
                B = work[i1:i1 + n]
                for j in range(n):
                    a = A[j]
                    b = B[j]
                    y = a + b
                    R[j] = y
                    P0[j] = 1.0
                    P1[j] = 1.0
                    S00[j] = 0.0
                    S01[j] = 0.0
                    S11[j] = 0.0
                return
            if s1 == 0:
                bs = work[i1]
                for j in range(n):
                    a = A[j]
                    b = bs
                    y = a + b
                    R[j] = y
                    P0[j] = 1.0
                    P1[j] = 1.0
                    S00[j] = 0.0
                    S01[j] = 0.0
                    S11[j] = 0.0
                return
        elif op == 2:  # add_vc
            if s1 == 1:
                B = consts[i1:i1 + n]
                for j in range(n):
                    a = A[j]
                    b = B[j]
                    y = a + b
                    R[j] = y
                    P0[j] = 1.0
                    S00[j] = 0.0
                return
            if s1 == 0:
                bs = consts[i1]
                for j in range(n):
                    a = A[j]
                    b = bs
                    y = a + b
                    R[j] = y
                    P0[j] = 1.0
                    S00[j] = 0.0
                return
        elif op == 3:  # sub
            if s1 == 1:
                B = work[i1:i1 + n]
                for j in range(n):
                    a = A[j]
                    b = B[j]
                    y = a - b
                    R[j] = y
                    P0[j] = 1.0
                    P1[j] = -1.0
                    S00[j] = 0.0
                    S01[j] = 0.0
                    S11[j] = 0.0
                return
            if s1 == 0:
                bs = work[i1]
                for j in range(n):
                    a = A[j]
                    b = bs
                    y = a - b
                    R[j] = y
                    P0[j] = 1.0
                    P1[j] = -1.0
                    S00[j] = 0.0
                    S01[j] = 0.0
                    S11[j] = 0.0
                return
        elif op == 4:  # sub_vc
            if s1 == 1:
                B = consts[i1:i1 + n]
                for j in range(n):
                    a = A[j]
                    b = B[j]
                    y = a - b
                    R[j] = y
                    P0[j] = 1.0
                    S00[j] = 0.0
                return
            if s1 == 0:
                bs = consts[i1]
                for j in range(n):
                    a = A[j]
                    b = bs
                    y = a - b
                    R[j] = y
                    P0[j] = 1.0
                    S00[j] = 0.0
                return
        elif op == 5:  # sub_cv
            if s1 == 1:
                B = consts[i1:i1 + n]
                for j in range(n):
                    a = B[j]
                    b = A[j]
                    y = a - b
                    R[j] = y
                    P0[j] = -1.0
                    S00[j] = 0.0
                return
            if s1 == 0:
                bs = consts[i1]
                for j in range(n):
                    a = bs
                    b = A[j]
                    y = a - b
                    R[j] = y
                    P0[j] = -1.0
                    S00[j] = 0.0
                return
        elif op == 6:  # mul
            if s1 == 1:
                B = work[i1:i1 + n]
                for j in range(n):
                    a = A[j]
                    b = B[j]
                    y = a * b
                    R[j] = y
                    P0[j] = b
                    P1[j] = a
                    S00[j] = 0.0
                    S01[j] = 1.0
                    S11[j] = 0.0
                return
            if s1 == 0:
                bs = work[i1]
                for j in range(n):
                    a = A[j]
                    b = bs
                    y = a * b
                    R[j] = y
                    P0[j] = b
                    P1[j] = a
                    S00[j] = 0.0
                    S01[j] = 1.0
                    S11[j] = 0.0
                return
        elif op == 7:  # mul_vc
            if s1 == 1:
                B = consts[i1:i1 + n]
                for j in range(n):
                    a = A[j]
                    b = B[j]
                    y = a * b
                    R[j] = y
                    P0[j] = b
                    S00[j] = 0.0
                return
            if s1 == 0:
                bs = consts[i1]
                for j in range(n):
                    a = A[j]
                    b = bs
                    y = a * b
                    R[j] = y
                    P0[j] = b
                    S00[j] = 0.0
                return
        elif op == 8:  # div
            if s1 == 1:
                B = work[i1:i1 + n]
                for j in range(n):
                    a = A[j]
                    b = B[j]
                    y = a / b
                    R[j] = y
                    P0[j] = 1.0 / b
                    P1[j] = -y / b
                    S00[j] = 0.0
                    S01[j] = -(1.0 / b) / b
                    S11[j] = 2.0 * (y / b) / b
                return
            if s1 == 0:
                bs = work[i1]
                for j in range(n):
                    a = A[j]
                    b = bs
                    y = a / b
                    R[j] = y
                    P0[j] = 1.0 / b
                    P1[j] = -y / b
                    S00[j] = 0.0
                    S01[j] = -(1.0 / b) / b
                    S11[j] = 2.0 * (y / b) / b
                return
        elif op == 9:  # div_vc
            if s1 == 1:
                B = consts[i1:i1 + n]
                for j in range(n):
                    a = A[j]
                    b = B[j]
                    y = a / b
                    R[j] = y
                    P0[j] = 1.0 / b
                    S00[j] = 0.0
                return
            if s1 == 0:
                bs = consts[i1]
                for j in range(n):
                    a = A[j]
                    b = bs
                    y = a / b
                    R[j] = y
                    P0[j] = 1.0 / b
                    S00[j] = 0.0
                return
        elif op == 10:  # div_cv
            if s1 == 1:
                B = consts[i1:i1 + n]
                for j in range(n):
                    a = B[j]
                    b = A[j]
                    y = a / b
                    R[j] = y
                    P0[j] = -y / b
                    S00[j] = 2.0 * (y / b) / b
                return
            if s1 == 0:
                bs = consts[i1]
                for j in range(n):
                    a = bs
                    b = A[j]
                    y = a / b
                    R[j] = y
                    P0[j] = -y / b
                    S00[j] = 2.0 * (y / b) / b
                return
        elif op == 49:  # neg
            for j in range(n):
                a = A[j]
                y = -a
                R[j] = y
                P0[j] = -1.0
                S00[j] = 0.0
            return
        elif op == 55:  # square
            for j in range(n):
                a = A[j]
                y = a * a
                R[j] = y
                P0[j] = 2.0 * a
                S00[j] = 2.0
            return
        elif op == 56:  # reciprocal
            for j in range(n):
                a = A[j]
                y = 1.0 / a
                R[j] = y
                P0[j] = -y * y
                S00[j] = 2.0 * y * y * y
            return
        elif op == 80:  # sqdiff
            if s1 == 1:
                B = work[i1:i1 + n]
                for j in range(n):
                    a = A[j]
                    b = B[j]
                    y = (a - b) * (a - b)
                    R[j] = y
                    P0[j] = 2.0 * (a - b)
                    P1[j] = -2.0 * (a - b)
                    S00[j] = 2.0
                    S01[j] = -2.0
                    S11[j] = 2.0
                return
            if s1 == 0:
                bs = work[i1]
                for j in range(n):
                    a = A[j]
                    b = bs
                    y = (a - b) * (a - b)
                    R[j] = y
                    P0[j] = 2.0 * (a - b)
                    P1[j] = -2.0 * (a - b)
                    S00[j] = 2.0
                    S01[j] = -2.0
                    S11[j] = 2.0
                return
        elif op == 81:  # sqdiff_vc
            if s1 == 1:
                B = consts[i1:i1 + n]
                for j in range(n):
                    a = A[j]
                    b = B[j]
                    y = (a - b) * (a - b)
                    R[j] = y
                    P0[j] = 2.0 * (a - b)
                    S00[j] = 2.0
                return
            if s1 == 0:
                bs = consts[i1]
                for j in range(n):
                    a = A[j]
                    b = bs
                    y = (a - b) * (a - b)
                    R[j] = y
                    P0[j] = 2.0 * (a - b)
                    S00[j] = 2.0
                return
        elif op == 82:  # sqdiff_cv
            if s1 == 1:
                B = consts[i1:i1 + n]
                for j in range(n):
                    a = B[j]
                    b = A[j]
                    y = (a - b) * (a - b)
                    R[j] = y
                    P0[j] = -2.0 * (a - b)
                    S00[j] = 2.0
                return
            if s1 == 0:
                bs = consts[i1]
                for j in range(n):
                    a = bs
                    b = A[j]
                    y = (a - b) * (a - b)
                    R[j] = y
                    P0[j] = -2.0 * (a - b)
                    S00[j] = 2.0
                return
        elif op == 83:  # cube
            for j in range(n):
                a = A[j]
                y = a * a * a
                R[j] = y
                P0[j] = 3.0 * a * a
                S00[j] = 6.0 * a
            return
        elif op == 84:  # inv_cube
            for j in range(n):
                a = A[j]
                y = 1.0 / (a * a * a)
                R[j] = y
                P0[j] = -3.0 * y / a
                S00[j] = 12.0 * (y / a) / a
            return
        elif op == 11:  # pow
            if s1 == 1:
                B = work[i1:i1 + n]
                for j in range(n):
                    a = A[j]
                    b = B[j]
                    y = a ** b
                    R[j] = y
                    P0[j] = b * a ** (b - 1.0) if b != 0.0 else 0.0
                    P1[j] = y * np.log(a) if a != 0.0 else 0.0
                    S00[j] = ((b * a ** (0.5 * b - 1.0)) * ((b - 1.0) * a ** (0.5 * b - 1.0)) if a > 0.0 else b * (b - 1.0) * a ** (b - 2.0)) if (b != 0.0 and b != 1.0) else 0.0
                    S01[j] = a ** (b - 1.0) * (1.0 + b * np.log(a)) if a != 0.0 else 0.0
                    S11[j] = y * np.log(a) ** 2 if a != 0.0 else 0.0
                return
            if s1 == 0:
                bs = work[i1]
                for j in range(n):
                    a = A[j]
                    b = bs
                    y = a ** b
                    R[j] = y
                    P0[j] = b * a ** (b - 1.0) if b != 0.0 else 0.0
                    P1[j] = y * np.log(a) if a != 0.0 else 0.0
                    S00[j] = ((b * a ** (0.5 * b - 1.0)) * ((b - 1.0) * a ** (0.5 * b - 1.0)) if a > 0.0 else b * (b - 1.0) * a ** (b - 2.0)) if (b != 0.0 and b != 1.0) else 0.0
                    S01[j] = a ** (b - 1.0) * (1.0 + b * np.log(a)) if a != 0.0 else 0.0
                    S11[j] = y * np.log(a) ** 2 if a != 0.0 else 0.0
                return
        elif op == 12:  # pow_vc
            if s1 == 1:
                B = consts[i1:i1 + n]
                for j in range(n):
                    a = A[j]
                    b = B[j]
                    y = a ** b
                    R[j] = y
                    P0[j] = b * a ** (b - 1.0) if b != 0.0 else 0.0
                    S00[j] = ((b * a ** (0.5 * b - 1.0)) * ((b - 1.0) * a ** (0.5 * b - 1.0)) if a > 0.0 else b * (b - 1.0) * a ** (b - 2.0)) if (b != 0.0 and b != 1.0) else 0.0
                return
            if s1 == 0:
                bs = consts[i1]
                for j in range(n):
                    a = A[j]
                    b = bs
                    y = a ** b
                    R[j] = y
                    P0[j] = b * a ** (b - 1.0) if b != 0.0 else 0.0
                    S00[j] = ((b * a ** (0.5 * b - 1.0)) * ((b - 1.0) * a ** (0.5 * b - 1.0)) if a > 0.0 else b * (b - 1.0) * a ** (b - 2.0)) if (b != 0.0 and b != 1.0) else 0.0
                return
        elif op == 13:  # pow_cv
            if s1 == 1:
                B = consts[i1:i1 + n]
                for j in range(n):
                    a = B[j]
                    b = A[j]
                    y = a ** b
                    R[j] = y
                    P0[j] = y * np.log(a) if a != 0.0 else 0.0
                    S00[j] = y * np.log(a) ** 2 if a != 0.0 else 0.0
                return
            if s1 == 0:
                bs = consts[i1]
                for j in range(n):
                    a = bs
                    b = A[j]
                    y = a ** b
                    R[j] = y
                    P0[j] = y * np.log(a) if a != 0.0 else 0.0
                    S00[j] = y * np.log(a) ** 2 if a != 0.0 else 0.0
                return
        elif op == 19:  # minimum
            if s1 == 1:
                B = work[i1:i1 + n]
                for j in range(n):
                    a = A[j]
                    b = B[j]
                    y = a if a < b else (b if b < a else (a if a == b else a + b))
                    R[j] = y
                    P0[j] = 1.0 if a < b else (0.5 if a == b else 0.0)
                    P1[j] = 1.0 if b < a else (0.5 if a == b else 0.0)
                    S00[j] = 0.0
                    S01[j] = 0.0
                    S11[j] = 0.0
                return
            if s1 == 0:
                bs = work[i1]
                for j in range(n):
                    a = A[j]
                    b = bs
                    y = a if a < b else (b if b < a else (a if a == b else a + b))
                    R[j] = y
                    P0[j] = 1.0 if a < b else (0.5 if a == b else 0.0)
                    P1[j] = 1.0 if b < a else (0.5 if a == b else 0.0)
                    S00[j] = 0.0
                    S01[j] = 0.0
                    S11[j] = 0.0
                return
        elif op == 20:  # minimum_vc
            if s1 == 1:
                B = consts[i1:i1 + n]
                for j in range(n):
                    a = A[j]
                    b = B[j]
                    y = a if a < b else (b if b < a else (a if a == b else a + b))
                    R[j] = y
                    P0[j] = 1.0 if a < b else (0.5 if a == b else 0.0)
                    S00[j] = 0.0
                return
            if s1 == 0:
                bs = consts[i1]
                for j in range(n):
                    a = A[j]
                    b = bs
                    y = a if a < b else (b if b < a else (a if a == b else a + b))
                    R[j] = y
                    P0[j] = 1.0 if a < b else (0.5 if a == b else 0.0)
                    S00[j] = 0.0
                return
        elif op == 21:  # maximum
            if s1 == 1:
                B = work[i1:i1 + n]
                for j in range(n):
                    a = A[j]
                    b = B[j]
                    y = a if a > b else (b if b > a else (a if a == b else a + b))
                    R[j] = y
                    P0[j] = 1.0 if a > b else (0.5 if a == b else 0.0)
                    P1[j] = 1.0 if b > a else (0.5 if a == b else 0.0)
                    S00[j] = 0.0
                    S01[j] = 0.0
                    S11[j] = 0.0
                return
            if s1 == 0:
                bs = work[i1]
                for j in range(n):
                    a = A[j]
                    b = bs
                    y = a if a > b else (b if b > a else (a if a == b else a + b))
                    R[j] = y
                    P0[j] = 1.0 if a > b else (0.5 if a == b else 0.0)
                    P1[j] = 1.0 if b > a else (0.5 if a == b else 0.0)
                    S00[j] = 0.0
                    S01[j] = 0.0
                    S11[j] = 0.0
                return
        elif op == 22:  # maximum_vc
            if s1 == 1:
                B = consts[i1:i1 + n]
                for j in range(n):
                    a = A[j]
                    b = B[j]
                    y = a if a > b else (b if b > a else (a if a == b else a + b))
                    R[j] = y
                    P0[j] = 1.0 if a > b else (0.5 if a == b else 0.0)
                    S00[j] = 0.0
                return
            if s1 == 0:
                bs = consts[i1]
                for j in range(n):
                    a = A[j]
                    b = bs
                    y = a if a > b else (b if b > a else (a if a == b else a + b))
                    R[j] = y
                    P0[j] = 1.0 if a > b else (0.5 if a == b else 0.0)
                    S00[j] = 0.0
                return
        elif op == 23:  # lt
            if s1 == 1:
                B = work[i1:i1 + n]
                for j in range(n):
                    a = A[j]
                    b = B[j]
                    y = 1.0 if a < b else 0.0
                    R[j] = y
                    P0[j] = 0.0
                    P1[j] = 0.0
                    S00[j] = 0.0
                    S01[j] = 0.0
                    S11[j] = 0.0
                return
            if s1 == 0:
                bs = work[i1]
                for j in range(n):
                    a = A[j]
                    b = bs
                    y = 1.0 if a < b else 0.0
                    R[j] = y
                    P0[j] = 0.0
                    P1[j] = 0.0
                    S00[j] = 0.0
                    S01[j] = 0.0
                    S11[j] = 0.0
                return
        elif op == 24:  # lt_vc
            if s1 == 1:
                B = consts[i1:i1 + n]
                for j in range(n):
                    a = A[j]
                    b = B[j]
                    y = 1.0 if a < b else 0.0
                    R[j] = y
                    P0[j] = 0.0
                    S00[j] = 0.0
                return
            if s1 == 0:
                bs = consts[i1]
                for j in range(n):
                    a = A[j]
                    b = bs
                    y = 1.0 if a < b else 0.0
                    R[j] = y
                    P0[j] = 0.0
                    S00[j] = 0.0
                return
        elif op == 25:  # lt_cv
            if s1 == 1:
                B = consts[i1:i1 + n]
                for j in range(n):
                    a = B[j]
                    b = A[j]
                    y = 1.0 if a < b else 0.0
                    R[j] = y
                    P0[j] = 0.0
                    S00[j] = 0.0
                return
            if s1 == 0:
                bs = consts[i1]
                for j in range(n):
                    a = bs
                    b = A[j]
                    y = 1.0 if a < b else 0.0
                    R[j] = y
                    P0[j] = 0.0
                    S00[j] = 0.0
                return
        elif op == 26:  # le
            if s1 == 1:
                B = work[i1:i1 + n]
                for j in range(n):
                    a = A[j]
                    b = B[j]
                    y = 1.0 if a <= b else 0.0
                    R[j] = y
                    P0[j] = 0.0
                    P1[j] = 0.0
                    S00[j] = 0.0
                    S01[j] = 0.0
                    S11[j] = 0.0
                return
            if s1 == 0:
                bs = work[i1]
                for j in range(n):
                    a = A[j]
                    b = bs
                    y = 1.0 if a <= b else 0.0
                    R[j] = y
                    P0[j] = 0.0
                    P1[j] = 0.0
                    S00[j] = 0.0
                    S01[j] = 0.0
                    S11[j] = 0.0
                return
        elif op == 27:  # le_vc
            if s1 == 1:
                B = consts[i1:i1 + n]
                for j in range(n):
                    a = A[j]
                    b = B[j]
                    y = 1.0 if a <= b else 0.0
                    R[j] = y
                    P0[j] = 0.0
                    S00[j] = 0.0
                return
            if s1 == 0:
                bs = consts[i1]
                for j in range(n):
                    a = A[j]
                    b = bs
                    y = 1.0 if a <= b else 0.0
                    R[j] = y
                    P0[j] = 0.0
                    S00[j] = 0.0
                return
        elif op == 28:  # le_cv
            if s1 == 1:
                B = consts[i1:i1 + n]
                for j in range(n):
                    a = B[j]
                    b = A[j]
                    y = 1.0 if a <= b else 0.0
                    R[j] = y
                    P0[j] = 0.0
                    S00[j] = 0.0
                return
            if s1 == 0:
                bs = consts[i1]
                for j in range(n):
                    a = bs
                    b = A[j]
                    y = 1.0 if a <= b else 0.0
                    R[j] = y
                    P0[j] = 0.0
                    S00[j] = 0.0
                return
        elif op == 29:  # gt
            if s1 == 1:
                B = work[i1:i1 + n]
                for j in range(n):
                    a = A[j]
                    b = B[j]
                    y = 1.0 if a > b else 0.0
                    R[j] = y
                    P0[j] = 0.0
                    P1[j] = 0.0
                    S00[j] = 0.0
                    S01[j] = 0.0
                    S11[j] = 0.0
                return
            if s1 == 0:
                bs = work[i1]
                for j in range(n):
                    a = A[j]
                    b = bs
                    y = 1.0 if a > b else 0.0
                    R[j] = y
                    P0[j] = 0.0
                    P1[j] = 0.0
                    S00[j] = 0.0
                    S01[j] = 0.0
                    S11[j] = 0.0
                return
        elif op == 30:  # gt_vc
            if s1 == 1:
                B = consts[i1:i1 + n]
                for j in range(n):
                    a = A[j]
                    b = B[j]
                    y = 1.0 if a > b else 0.0
                    R[j] = y
                    P0[j] = 0.0
                    S00[j] = 0.0
                return
            if s1 == 0:
                bs = consts[i1]
                for j in range(n):
                    a = A[j]
                    b = bs
                    y = 1.0 if a > b else 0.0
                    R[j] = y
                    P0[j] = 0.0
                    S00[j] = 0.0
                return
        elif op == 31:  # gt_cv
            if s1 == 1:
                B = consts[i1:i1 + n]
                for j in range(n):
                    a = B[j]
                    b = A[j]
                    y = 1.0 if a > b else 0.0
                    R[j] = y
                    P0[j] = 0.0
                    S00[j] = 0.0
                return
            if s1 == 0:
                bs = consts[i1]
                for j in range(n):
                    a = bs
                    b = A[j]
                    y = 1.0 if a > b else 0.0
                    R[j] = y
                    P0[j] = 0.0
                    S00[j] = 0.0
                return
        elif op == 32:  # ge
            if s1 == 1:
                B = work[i1:i1 + n]
                for j in range(n):
                    a = A[j]
                    b = B[j]
                    y = 1.0 if a >= b else 0.0
                    R[j] = y
                    P0[j] = 0.0
                    P1[j] = 0.0
                    S00[j] = 0.0
                    S01[j] = 0.0
                    S11[j] = 0.0
                return
            if s1 == 0:
                bs = work[i1]
                for j in range(n):
                    a = A[j]
                    b = bs
                    y = 1.0 if a >= b else 0.0
                    R[j] = y
                    P0[j] = 0.0
                    P1[j] = 0.0
                    S00[j] = 0.0
                    S01[j] = 0.0
                    S11[j] = 0.0
                return
        elif op == 33:  # ge_vc
            if s1 == 1:
                B = consts[i1:i1 + n]
                for j in range(n):
                    a = A[j]
                    b = B[j]
                    y = 1.0 if a >= b else 0.0
                    R[j] = y
                    P0[j] = 0.0
                    S00[j] = 0.0
                return
            if s1 == 0:
                bs = consts[i1]
                for j in range(n):
                    a = A[j]
                    b = bs
                    y = 1.0 if a >= b else 0.0
                    R[j] = y
                    P0[j] = 0.0
                    S00[j] = 0.0
                return
        elif op == 34:  # ge_cv
            if s1 == 1:
                B = consts[i1:i1 + n]
                for j in range(n):
                    a = B[j]
                    b = A[j]
                    y = 1.0 if a >= b else 0.0
                    R[j] = y
                    P0[j] = 0.0
                    S00[j] = 0.0
                return
            if s1 == 0:
                bs = consts[i1]
                for j in range(n):
                    a = bs
                    b = A[j]
                    y = 1.0 if a >= b else 0.0
                    R[j] = y
                    P0[j] = 0.0
                    S00[j] = 0.0
                return
        elif op == 45:  # pick_true
            if s1 == 1:
                B = work[i1:i1 + n]
                for j in range(n):
                    a = A[j]
                    b = B[j]
                    y = b if a != 0.0 else 0.0
                    R[j] = y
                    P0[j] = 0.0
                    P1[j] = 1.0 if a != 0.0 else 0.0
                    S00[j] = 0.0
                    S01[j] = 0.0
                    S11[j] = 0.0
                return
            if s1 == 0:
                bs = work[i1]
                for j in range(n):
                    a = A[j]
                    b = bs
                    y = b if a != 0.0 else 0.0
                    R[j] = y
                    P0[j] = 0.0
                    P1[j] = 1.0 if a != 0.0 else 0.0
                    S00[j] = 0.0
                    S01[j] = 0.0
                    S11[j] = 0.0
                return
        elif op == 46:  # pick_true_vc
            if s1 == 1:
                B = consts[i1:i1 + n]
                for j in range(n):
                    a = A[j]
                    b = B[j]
                    y = b if a != 0.0 else 0.0
                    R[j] = y
                    P0[j] = 0.0
                    S00[j] = 0.0
                return
            if s1 == 0:
                bs = consts[i1]
                for j in range(n):
                    a = A[j]
                    b = bs
                    y = b if a != 0.0 else 0.0
                    R[j] = y
                    P0[j] = 0.0
                    S00[j] = 0.0
                return
        elif op == 47:  # pick_false
            if s1 == 1:
                B = work[i1:i1 + n]
                for j in range(n):
                    a = A[j]
                    b = B[j]
                    y = b if a == 0.0 else 0.0
                    R[j] = y
                    P0[j] = 0.0
                    P1[j] = 1.0 if a == 0.0 else 0.0
                    S00[j] = 0.0
                    S01[j] = 0.0
                    S11[j] = 0.0
                return
            if s1 == 0:
                bs = work[i1]
                for j in range(n):
                    a = A[j]
                    b = bs
                    y = b if a == 0.0 else 0.0
                    R[j] = y
                    P0[j] = 0.0
                    P1[j] = 1.0 if a == 0.0 else 0.0
                    S00[j] = 0.0
                    S01[j] = 0.0
                    S11[j] = 0.0
                return
        elif op == 48:  # pick_false_vc
            if s1 == 1:
                B = consts[i1:i1 + n]
                for j in range(n):
                    a = A[j]
                    b = B[j]
                    y = b if a == 0.0 else 0.0
                    R[j] = y
                    P0[j] = 0.0
                    S00[j] = 0.0
                return
            if s1 == 0:
                bs = consts[i1]
                for j in range(n):
                    a = A[j]
                    b = bs
                    y = b if a == 0.0 else 0.0
                    R[j] = y
                    P0[j] = 0.0
                    S00[j] = 0.0
                return
        elif op == 51:  # abs
            for j in range(n):
                a = A[j]
                y = np.abs(a)
                R[j] = y
                P0[j] = np.sign(a)
                S00[j] = 0.0
            return
        elif op == 57:  # sqrt
            for j in range(n):
                a = A[j]
                y = np.sqrt(a)
                R[j] = y
                P0[j] = 0.5 / y
                S00[j] = -0.25 / (y * y * y)
            return
        elif op == 59:  # exp
            for j in range(n):
                a = A[j]
                y = np.exp(a)
                R[j] = y
                P0[j] = y
                S00[j] = y
            return
        elif op == 60:  # expm1
            for j in range(n):
                a = A[j]
                y = np.expm1(a)
                R[j] = y
                P0[j] = np.exp(a)
                S00[j] = np.exp(a)
            return
        elif op == 61:  # log
            for j in range(n):
                a = A[j]
                y = np.log(a)
                R[j] = y
                P0[j] = 1.0 / a
                S00[j] = -(1.0 / a) / a
            return
        elif op == 62:  # log1p
            for j in range(n):
                a = A[j]
                y = np.log1p(a)
                R[j] = y
                P0[j] = 1.0 / (1.0 + a)
                S00[j] = -(1.0 / (1.0 + a)) / (1.0 + a)
            return
        elif op == 65:  # sin
            for j in range(n):
                a = A[j]
                y = np.sin(a)
                R[j] = y
                P0[j] = np.cos(a)
                S00[j] = -y
            return
        elif op == 66:  # cos
            for j in range(n):
                a = A[j]
                y = np.cos(a)
                R[j] = y
                P0[j] = -np.sin(a)
                S00[j] = -y
            return
        elif op == 73:  # tanh
            for j in range(n):
                a = A[j]
                y = np.tanh(a)
                R[j] = y
                P0[j] = 1.0 - y * y if np.abs(a) < 0.5 else (1.0 / np.cosh(a)) ** 2
                S00[j] = -2.0 * y * (1.0 - y * y if np.abs(a) < 0.5 else (1.0 / np.cosh(a)) ** 2)
            return
    k = KIND[op]
    for j in range(n):
        v = work[np.uint64(i0 + j * s0)]
        c = consts[np.uint64(i1 + j * s1)] if (k == 3 or k == 4) else (work[np.uint64(i1 + j * s1)] if k == 2 else 0.0)
        if k == 4:
            y, d0, d1, d00, d01, d11 = scalar_second(op, c, v)
        else:
            y, d0, d1, d00, d01, d11 = scalar_second(op, v, c)
        work[r + j] = y
        p0[r + j] = d0
        p1[r + j] = d1
        s00[r + j] = d00
        s01[r + j] = d01
        s11[r + j] = d11


# ---- END GENERATED ----
