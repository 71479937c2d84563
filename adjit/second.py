"""Second derivatives of a tape: Hessian-vector products and Hessians.

Conventions
-----------
For a tape ``f: R^n -> R^m`` and weights ``w`` of shape ``(m,)``, "the Hessian"
is that of the scalar ``Σ_j w_j f_j(x)``; ``w`` defaults to ``[1.0]`` for a
single-output tape and is required otherwise (a vector function has no single
Hessian). Results are ``(n,)`` for one direction, ``(n, p)`` for p directions,
``(n, n)`` for the Hessian.

Two methods, both from the per-instruction first partials ``p0, p1`` and second
partials ``s00, s01, s11`` that ``sweeps.linearize2`` stores:

* **Forward over reverse** (tangent of the adjoint), for any directions V:
  a tangent sweep ``t = J V`` forwards, then backwards per instruction
  ``ȧ[d0] += p0 ȧ[r] + (s00 t[d0] + s01 t[d1]) ā[r]`` and
  ``ȧ[d1] += p1 ȧ[r] + (s01 t[d0] + s11 t[d1]) ā[r]``, where ``ā`` is the
  ordinary adjoint (computed once: it does not depend on V). Then
  ``ȧ[inputs] = H V``. Many directions go through one sweep.
* **By domains**, for the dense Hessian when intermediates depend on few
  inputs (pair potentials, stencils): with ``∇v`` each slot's gradient kept
  sparsely on its dependency domain (:mod:`adjit.sparsity`),
  ``H = Σ_i ā[r_i] Σ_ab s_ab ∇v_a ∇v_bᵀ`` over the instructions' operands.
  Its cost follows the nonzeros, not ``n_ops × n``.

``hessian`` picks the cheaper by an operation count, once per tape.
"""
from __future__ import annotations

import numpy as np
from numba import njit

from . import branches, parallel, program, sparsity, sweeps, tiers
from .program import as_float_array, call
from .sparsity import domains, linearization, needed_by_nonlinear, scratch, structure

_DIRECTIONS_BYTES = 1 << 25  # work memory for tangents plus their adjoints per chunk
_DOMAIN_LIMIT_PER_SLOT = 32  # domains bigger than this on average: use the sweeps


# ---------------------------------------------------------------------------
# Kernels (they call no njit function of another module: see Numba's cache).


# Zeros stop infinities (azmul, see adjit.sweeps): a zero partial times an
# infinite tangent or adjoint, or a zero one times an infinite partial, is 0.
# These copies keep this module's kernels free of other modules' njit code.
@njit(cache=True, nogil=True, inline="always")
def _az(p, t):
    return 0.0 if (p == 0.0 or t == 0.0) else p * t


@njit(cache=True, nogil=True, inline="always")
def _finite(p):
    return p - p == 0.0


@njit(cache=True, nogil=True)
def _adjoint(links, partials, outputs, w, abar):
    """The adjoint ā of Σ w_j f_j into abar (n_slots + 1,)."""
    abar[:] = 0.0
    for j in range(outputs.shape[0]):
        abar[outputs[j]] += w[j]
    for i in range(links.shape[0] - 1, -1, -1):
        g = abar[np.uint32(links[i, 0])]
        if g != 0.0:
            abar[np.uint32(links[i, 1])] += _az(partials[i, 0], g)
            abar[np.uint32(links[i, 2])] += _az(partials[i, 1], g)


@njit(cache=True, nogil=True)
def _forward_over_reverse(links, partials, second, outputs, w, V, abar, t, adot, out):
    """out (n, p) = H V, in chunks of t.shape[1] directions."""
    n, p = V.shape
    chunk = t.shape[1]
    sink = t.shape[0] - 1
    _adjoint(links, partials, outputs, w, abar)
    for c0 in range(0, p, chunk):
        k = min(chunk, p - c0)
        for s in range(n):
            for c in range(k):
                t[s, c] = V[s, c0 + c]
            for c in range(k, chunk):
                t[s, c] = 0.0
        for c in range(chunk):
            t[sink, c] = 0.0
        # Flat views with unsigned offsets let LLVM vectorize the direction
        # loops (see adjit.sparsity); d0 may equal d1 (x * x): updates add.
        # This tangent loop repeats the compressed tangent loop of
        # adjit.sparsity on purpose:
        # Numba's cache watches a kernel's own file only, so kernels here never
        # call njit code of another module.
        tf = t.reshape(-1)
        af = adot.reshape(-1)
        width = np.uint64(chunk)
        for i in range(links.shape[0]):
            r = np.uint64(links[i, 0]) * width
            d0 = np.uint64(links[i, 1]) * width
            d1 = np.uint64(links[i, 2]) * width
            p0 = partials[i, 0]
            p1 = partials[i, 1]
            nan = False
            for c in range(chunk):
                q = np.uint64(c)
                v = p0 * tf[d0 + q] + p1 * tf[d1 + q]
                nan |= v != v
                tf[r + q] = v
            if nan:
                for c in range(chunk):
                    q = np.uint64(c)
                    tf[r + q] = _az(p0, tf[d0 + q]) + _az(p1, tf[d1 + q])
        # Where every tangent and adjoint is finite, a row with finite coefficients
        # takes plain products; otherwise every product is an azmul.
        clean = True
        for j in range(tf.shape[0]):
            clean &= _finite(tf[j])
        for j in range(abar.shape[0]):
            clean &= _finite(abar[j])
        adot[:] = 0.0
        for i in range(links.shape[0] - 1, -1, -1):
            r = np.uint64(links[i, 0]) * width
            d0 = np.uint64(links[i, 1]) * width
            d1 = np.uint64(links[i, 2]) * width
            p0 = partials[i, 0]
            p1 = partials[i, 1]
            g = abar[links[i, 0]]
            h00 = _az(second[i, 0], g)
            h01 = _az(second[i, 1], g)
            h11 = _az(second[i, 2], g)
            if (clean and _finite(p0) and _finite(p1) and _finite(h00) and _finite(h01)
                    and _finite(h11)):
                for c in range(chunk):
                    q = np.uint64(c)
                    af[d0 + q] += p0 * af[r + q] + h00 * tf[d0 + q] + h01 * tf[d1 + q]
                for c in range(chunk):
                    q = np.uint64(c)
                    af[d1 + q] += p1 * af[r + q] + h01 * tf[d0 + q] + h11 * tf[d1 + q]
            else:
                for c in range(chunk):
                    q = np.uint64(c)
                    af[d0 + q] += (_az(p0, af[r + q]) + _az(h00, tf[d0 + q])
                                   + _az(h01, tf[d1 + q]))
                for c in range(chunk):
                    q = np.uint64(c)
                    af[d1 + q] += (_az(p1, af[r + q]) + _az(h01, tf[d0 + q])
                                   + _az(h11, tf[d1 + q]))
        for s in range(n):
            for c in range(k):
                out[s, c0 + c] = adot[s, c]


@njit(cache=True, nogil=True, inline="always")
def _add_square_block(H, h, gval, idx, lo, hi):
    """H += h * g g^T over one operand's domain (entries lo..hi of idx/gval)."""
    if h != 0.0:
        for s in range(lo, hi):
            hs = _az(h, gval[s])
            row = idx[s]
            for q in range(lo, hi):
                H[row, idx[q]] += _az(hs, gval[q])


@njit(cache=True, nogil=True)
def _hessian_by_domains(links, partials, second, outputs, w, use, need, ptr, idx, gval, abar,
                        H):
    """H (n, n) = Σ_i ā[r_i] Σ_ab s_ab ∇v_a ∇v_bᵀ with gradients kept on domains."""
    n = H.shape[0]
    for s in range(n):
        gval[s] = 1.0  # an input's domain is itself
    for i in range(links.shape[0]):
        if not need[i]:
            continue
        r = links[i, 0]
        a = ptr[links[i, 1]] if use[i, 0] else 0
        ae = ptr[links[i, 1] + 1] if use[i, 0] else 0
        b = ptr[links[i, 2]] if use[i, 1] else 0
        be = ptr[links[i, 2] + 1] if use[i, 1] else 0
        p0 = partials[i, 0]
        p1 = partials[i, 1]
        # r's domain is the sorted union of its operands': walk all three.
        for q in range(ptr[r], ptr[r + 1]):
            x = idx[q]
            v = 0.0
            if a < ae and idx[a] == x:
                v += _az(p0, gval[a])
                a += 1
            if b < be and idx[b] == x:
                v += _az(p1, gval[b])
                b += 1
            gval[q] = v
    _adjoint(links, partials, outputs, w, abar)
    H[:] = 0.0
    for i in range(links.shape[0]):
        g = abar[links[i, 0]]
        if g == 0.0:
            continue
        a0 = ptr[links[i, 1]]
        a1 = ptr[links[i, 1] + 1]
        b0 = ptr[links[i, 2]]
        b1 = ptr[links[i, 2] + 1]
        _add_square_block(H, _az(second[i, 0], g), gval, idx, a0, a1)
        h = _az(second[i, 1], g)
        if h != 0.0:
            for s in range(a0, a1):
                hs = _az(h, gval[s])
                row = idx[s]
                for q in range(b0, b1):
                    v = _az(hs, gval[q])
                    H[row, idx[q]] += v
                    H[idx[q], row] += v
        _add_square_block(H, _az(second[i, 2], g), gval, idx, b0, b1)


# ---------------------------------------------------------------------------
# Drivers.


def weights(tape, w) -> np.ndarray:
    """``w`` as a float64 ``(m,)`` vector; the default only for one output."""
    m = tape.n_outputs
    if w is None:
        if m != 1:
            raise ValueError(f"this tape has {m} outputs: second derivatives need weights w of "
                             f"shape ({m},) to define the scalar Σ w_i f_i whose Hessian is "
                             "meant")
        return np.ones(1)
    return np.array(as_float_array(w, (m,), "w"), order="C")  # writeable: one signature


def _linearize2(tape, x):
    work, partials = linearization(tape, x)
    second = scratch(tape, "second", (tape.program.n_ops, 3))
    flip = tiers.run(sweeps.linearize2, tape.program, x, work, partials, second)
    branches.raise_flipped(tape, flip, x)
    return partials, second


def hvp_block(tape, x, V, w=None) -> np.ndarray:
    """``H @ V`` for ``V`` of shape ``(n, p)``: one linearization, then
    forward-over-reverse sweeps of as many directions as memory allows."""
    x = program.point(tape.program, x)
    w = weights(tape, w)
    V = np.array(V, dtype=np.float64, order="C")  # writeable C array: one kernel signature
    partials, second = _linearize2(tape, x)
    p = V.shape[1]
    rows = tape.n_slots + 1
    chunk = int(max(1, min(p, _DIRECTIONS_BYTES // (16 * rows))))
    t = scratch(tape, "fr_tangents", (rows, chunk))
    adot = scratch(tape, "fr_adjoints", (rows, chunk))
    abar = scratch(tape, "adjoints", (rows,))
    out = np.empty((tape.n_inputs, p))
    tiers.run(_forward_over_reverse, tape.links, partials, second, tape.outputs, w, V,
                  abar, t, adot, out)
    return out


def hvp(tape, x, v, w=None) -> np.ndarray:
    """Hessian (of Σ w_i f_i) times ``v``: ``(n,)`` for ``v`` of shape ``(n,)``,
    ``(n, p)`` for ``(n, p)``."""
    n = tape.n_inputs
    v = as_float_array(v, None, "v")
    if v.ndim not in (1, 2) or v.shape[0] != n:
        raise ValueError(f"v: expected shape ({n},) or ({n}, p), got {v.shape}")
    out = hvp_block(tape, x, v.reshape(n, -1), w)
    return out[:, 0] if v.ndim == 1 else out


def hvp_batch(tape, xs, vs, w=None) -> np.ndarray:
    """Hessian (of Σ w_i f_i) times one direction per point: ``(B, n)`` for
    points ``xs`` and directions ``vs`` of shape ``(B, n)``, in blocks of points
    (:func:`adjit.sweeps.batch_hvp`), threads and interruptible calls as the
    batched gradient; a point whose branch flips raises BranchChanged naming it."""
    xs = program.points(tape.program, xs)
    vs = as_float_array(vs, None, "v")
    if vs.shape != xs.shape:
        raise ValueError(f"v: expected shape {xs.shape} (one direction per point of the "
                         f"batch), got {vs.shape}")
    vs = program.kernel_ready(vs)
    w = weights(tape, w)
    slots = tape.n_slots + 1
    per_block = 4 * slots + 5 * tape.program.n_ops  # values, ā, tangents, their adjoints; partials
    block = parallel.block_size(tape, len(xs), 8 * per_block, _HVP_COST)

    def run(x, v):
        return call(sweeps.batch_hvp, tape.program, x, v, w, block,
                    tape.cache.grown("buf", block * per_block))
    out, flips = parallel.rows(tape, run, xs, vs, cost=_HVP_COST)
    if (flips != -1).any():
        branches.raise_batch_flips(tape, flips, xs)
    return out


_HVP_COST = 4  # sweeps over the tape per point in a batched hvp (for threads and chunks)


def hessian(tape, x, w=None, method=None) -> np.ndarray:
    """The dense ``(n, n)`` Hessian of ``Σ w_i f_i`` at ``x`` (symmetric).

    ``method`` is "domains", "sweeps" (forward over reverse, n directions) or
    None to let an operation count choose, once per tape.
    """
    x = program.point(tape.program, x)
    w = weights(tape, w)
    if method not in (None, "domains", "sweeps"):
        raise ValueError(f"method: expected None, 'domains' or 'sweeps', got {method!r}")
    if method == "domains":
        doms = domains(tape, "hessian")
    elif method == "sweeps":
        doms = None
    else:
        doms = _domains_if_cheaper(tape)
    if doms is None:
        H = hvp_block(tape, x, np.eye(tape.n_inputs), w)
        # Forward over reverse is symmetric only to rounding; make it exact.
        return 0.5 * (H + H.T)
    ptr, idx = doms
    partials, second = _linearize2(tape, x)
    gval = scratch(tape, "domain_gradients", idx.shape)
    abar = scratch(tape, "adjoints", (tape.n_slots + 1,))
    H = np.empty((tape.n_inputs, tape.n_inputs))
    st = structure(tape)
    tiers.run(_hessian_by_domains, tape.links, partials, second, tape.outputs, w, st.use,
                  needed_by_nonlinear(tape), ptr, idx, gval, abar, H)
    return H


def _domains_if_cheaper(tape):
    """The tape's domains when the domain method costs fewer operations than
    n directions of forward over reverse; else None. Decided once per tape."""
    with tape.cache.lock:  # decided once, by one thread
        st = structure(tape)
        if st.hessian_method == "sweeps":
            return None
        if st.hessian_method == "domains":
            return domains(tape, "hessian")
        n = tape.n_inputs
        sweep_cost = 6.0 * tape.program.n_ops * n  # tangent + adjoint work per direction and op
        doms = domains(tape, "hessian",
                       limit=max(1 << 20, _DOMAIN_LIMIT_PER_SLOT * (tape.n_slots + 1)))
        if doms is None:
            st.hessian_method = "sweeps"
            return None
        ptr, idx = doms
        size = np.diff(ptr)
        d0 = size[np.minimum(tape.links[:, 1], tape.n_slots)].astype(np.float64)
        d1 = size[np.minimum(tape.links[:, 2], tape.n_slots)].astype(np.float64)
        nonlinear = st.nonlinear
        pairs = (nonlinear[:, 0] * d0 * d0 + nonlinear[:, 1] * 2 * d0 * d1
                 + nonlinear[:, 2] * d1 * d1).sum()
        gradients = size[n:n + tape.program.n_ops].sum()  # only the needed slots have any
        domain_cost = 3.0 * gradients + 2.0 * pairs + 4.0 * tape.program.n_ops + n * n
        st.hessian_method = "domains" if domain_cost < sweep_cost else "sweeps"
        return doms if st.hessian_method == "domains" else None


def sparse_hessian(tape, x, w=None):
    """The Hessian of ``Σ w_i f_i`` at ``x`` as a ``csr_matrix``: one
    forward-over-reverse sweep with one direction per star color
    (:func:`adjit.sparsity.hessian_coloring`), then direct recovery of each
    entry from the compressed product."""
    coloring = sparsity.hessian_coloring(tape)  # also makes the recovery map
    st = structure(tape)
    pattern = st.hess
    seed = scratch(tape, "star_seed", (tape.n_inputs, coloring.n_colors))
    seed[:] = 0.0
    seed[np.arange(tape.n_inputs), coloring.colors] = 1.0
    compressed = hvp_block(tape, x, seed, w)  # (n, n_colors), C-contiguous
    data = np.empty(pattern.nnz)
    tiers.run(sparsity.take, compressed.reshape(-1), st.hess_where, data)
    return sparsity.csr(data, pattern)
