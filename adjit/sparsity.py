"""Structural sparsity of a tape, graph coloring, and compressed sparse Jacobians.

Conventions
-----------
* The **domain** of a slot is the sorted set of inputs it depends on through
  structurally nonzero partials (``ops.HAS_P0``/``HAS_P1``). Domains are stored
  CSR-like over slots: ``idx[ptr[s]:ptr[s + 1]]`` for slot ``s`` (inputs first,
  the sink last with an empty domain). Their total size is the sum of domain
  sizes, so they scale to 10^6 inputs when the function is sparse (a PDE
  stencil, a reaction network), unlike dense bit-sets.
* ``jacobian_sparsity`` is the domains of the outputs (or, when those would
  be large, e.g. one output summing every input, the sets of outputs per slot
  propagated backwards 64 at a time as bit masks); ``hessian_sparsity`` the
  union, over every instruction that reaches an output and has a structurally
  nonzero second partial, of the products of its operands' domains. Only the
  slots a question needs get a domain, so a running sum over all inputs does
  not cost a domain per partial sum. Both depend on the tape only, never on
  the point: a structural nonzero may be a numerical zero at some ``x``,
  never the other way round.
* Column coloring: columns of one color share no row (distance-2 coloring of the
  bipartite graph, Curtis-Powell-Reid), so one tangent sweep with one direction
  per color gives every entry. Row coloring is the same for adjoint sweeps.
  The Hessian uses a star coloring (a proper coloring in which every path on
  four vertices uses at least three colors), which allows direct recovery of a
  symmetric matrix from one compressed product per color
  (Gebremedhin, Manne and Pothen, SIAM Review 47, 2005).

Everything structural is computed once per tape and cached (a Tape is
immutable), keyed weakly so that dropping the tape frees it.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from numba import njit

from . import branches, compact, ops, program, sweeps, tiers

# ---------------------------------------------------------------------------
# Kernels. They call no njit function from another module (Numba's cache would
# not see that module change); the drivers below pass arrays between them.


@njit(cache=True, nogil=True)
def _domains(links, use, need, n, ptr, idx, start):
    """Domains of the results of instructions ``start..``, merged from their
    operands' (both sorted); instructions not in ``need`` get an empty domain.
    Returns the first instruction whose domain did not fit in ``idx`` (the
    caller grows it and resumes), or ``n_ops`` when done."""
    n_ops = links.shape[0]
    cap = idx.shape[0]
    for i in range(start, n_ops):
        r = n + i
        pos = ptr[r]
        if not need[i]:
            ptr[r + 1] = pos
            continue
        a = ptr[links[i, 1]] if use[i, 0] else 0
        ae = ptr[links[i, 1] + 1] if use[i, 0] else 0
        b = ptr[links[i, 2]] if use[i, 1] else 0
        be = ptr[links[i, 2] + 1] if use[i, 1] else 0
        if pos + (ae - a) + (be - b) > cap:
            return i
        while a < ae and b < be:
            u = idx[a]
            v = idx[b]
            if u < v:
                idx[pos] = u
                a += 1
            elif v < u:
                idx[pos] = v
                b += 1
            else:
                idx[pos] = u
                a += 1
                b += 1
            pos += 1
        while a < ae:
            idx[pos] = idx[a]
            a += 1
            pos += 1
        while b < be:
            idx[pos] = idx[b]
            b += 1
            pos += 1
        ptr[r + 1] = pos
    return n_ops


@njit(cache=True, nogil=True)
def _live(links, use, outputs, n_slots):
    """Slots some output depends on structurally (backwards reachability)."""
    live = np.zeros(n_slots + 1, dtype=np.bool_)
    for j in range(outputs.shape[0]):
        live[outputs[j]] = True
    for i in range(links.shape[0] - 1, -1, -1):
        if live[links[i, 0]]:
            if use[i, 0]:
                live[links[i, 1]] = True
            if use[i, 1]:
                live[links[i, 2]] = True
    return live


@njit(cache=True, nogil=True)
def _needed_by_nonlinear(links, use, nonlinear, live, n):
    """Instructions whose domain (and gradient) second order needs: operands of
    live nonlinear instructions and, recursively, what those depend on. A sum
    accumulating an energy has a wide domain but only feeds additions."""
    need = np.zeros(links.shape[0] + n + 1, dtype=np.bool_)
    for i in range(links.shape[0] - 1, -1, -1):
        if live[links[i, 0]]:
            if nonlinear[i, 0] or nonlinear[i, 1]:
                need[links[i, 1]] = True
            if nonlinear[i, 2] or nonlinear[i, 1]:
                need[links[i, 2]] = True
        if need[links[i, 0]]:
            if use[i, 0]:
                need[links[i, 1]] = True
            if use[i, 1]:
                need[links[i, 2]] = True
    return need[n:n + links.shape[0]].copy()


@njit(cache=True, nogil=True)
def _reverse_pattern(links, use, outputs, n, start, bits, counts, rows, cols, fill):
    """Jacobian pattern of outputs ``start .. start + 63`` by one backward sweep
    of 64-bit masks (bit j of a slot: output start + j depends on it). With
    ``counts`` None-like (fill < 0) only counts entries per input; else writes
    (row, col) pairs from ``fill``. Returns the new fill."""
    bits[:] = 0
    for j in range(min(64, outputs.shape[0] - start)):
        bits[outputs[start + j]] |= np.uint64(1) << np.uint64(j)
    for i in range(links.shape[0] - 1, -1, -1):
        b = bits[links[i, 0]]
        if b != 0:
            if use[i, 0]:
                bits[links[i, 1]] |= b
            if use[i, 1]:
                bits[links[i, 2]] |= b
    for col in range(n):
        b = bits[col]
        j = 0
        while b != 0:
            if b & np.uint64(1):
                if fill < 0:
                    counts[start + j] += 1
                else:
                    rows[fill] = start + j
                    cols[fill] = col
                    fill += 1
            b >>= np.uint64(1)
            j += 1
    return fill


@njit(cache=True, nogil=True)
def _hessian_pairs(links, nonlinear, live, ptr, idx, rows, cols, start, pos):
    """Emit pairs (a <= b) of inputs that interact nonlinearly, from instruction
    ``start`` on. Returns (next instruction, fill); stops early when full."""
    n_ops = links.shape[0]
    cap = rows.shape[0]
    for i in range(start, n_ops):
        if not live[links[i, 0]]:
            continue
        f00 = nonlinear[i, 0]
        f01 = nonlinear[i, 1]
        f11 = nonlinear[i, 2]
        if not (f00 or f01 or f11):
            continue
        a0 = ptr[links[i, 1]]
        a1 = ptr[links[i, 1] + 1]
        b0 = ptr[links[i, 2]]
        b1 = ptr[links[i, 2] + 1]
        na = a1 - a0
        nb = b1 - b0
        need = (na * na if f00 else 0) + (2 * na * nb if f01 else 0) + (nb * nb if f11 else 0)
        if pos + need > cap:
            return i, pos
        for which in range(3):
            if which == 0:
                if not f00:
                    continue
                p0, p1, q0, q1 = a0, a1, a0, a1
            elif which == 1:
                if not f01:
                    continue
                p0, p1, q0, q1 = a0, a1, b0, b1
            else:
                if not f11:
                    continue
                p0, p1, q0, q1 = b0, b1, b0, b1
            for s in range(p0, p1):
                u = idx[s]
                for t in range(q0, q1):
                    v = idx[t]
                    rows[pos] = min(u, v)
                    cols[pos] = max(u, v)
                    pos += 1
    return n_ops, pos


@njit(cache=True, nogil=True)
def _gather_domains(ptr, idx, slots):
    """CSR (indptr, indices) whose row j is the domain of ``slots[j]``."""
    m = slots.shape[0]
    indptr = np.empty(m + 1, dtype=np.int64)
    indptr[0] = 0
    for j in range(m):
        s = slots[j]
        indptr[j + 1] = indptr[j] + ptr[s + 1] - ptr[s]
    indices = np.empty(indptr[m], dtype=np.int32)
    for j in range(m):
        s = slots[j]
        q = indptr[j]
        for k in range(ptr[s], ptr[s + 1]):
            indices[q] = idx[k]
            q += 1
    return indptr, indices


@njit(cache=True, nogil=True, inline="always")
def _first_allowed(forbid, mark):
    """The smallest color that the vertex being colored (``mark``) may take."""
    c = 0
    while forbid[c] == mark:
        c += 1
    return c


@njit(cache=True, nogil=True)
def _color_distance2(rptr, ridx, cptr, cidx, order):
    """Greedy coloring of the columns so that no two columns of one color
    share a row, visiting columns in ``order``. Returns (colors, n_colors)."""
    ncol = cptr.shape[0] - 1
    color = np.full(ncol, -1, dtype=np.int32)
    forbid = np.full(ncol + 1, -1, dtype=np.int64)
    n_colors = 0
    for j in order:
        for q in range(cptr[j], cptr[j + 1]):
            i = cidx[q]
            for s in range(rptr[i], rptr[i + 1]):
                c = color[ridx[s]]
                if c >= 0:
                    forbid[c] = j
        c = _first_allowed(forbid, j)
        color[j] = c
        n_colors = max(n_colors, c + 1)
    return color, n_colors


@njit(cache=True, nogil=True)
def _color_star(ptr, adj, order):
    """Greedy star coloring of a symmetric graph (no self loops).

    Coloring v with c must not create a two-colored path on four vertices
    through v. With v at an end, v-w-x-y: forbid color(x) when some neighbor
    y != w of x has w's color. With v inside, u-v-w-x: forbid color(x) when
    another neighbor u of v has w's color. Plus the proper-coloring rule.
    """
    n = ptr.shape[0] - 1
    color = np.full(n, -1, dtype=np.int32)
    forbid = np.full(n + 1, -1, dtype=np.int64)
    stamp = np.full(n + 1, -1, dtype=np.int64)
    count = np.zeros(n + 1, dtype=np.int64)
    n_colors = 0
    for v in order:
        for q in range(ptr[v], ptr[v + 1]):
            c = color[adj[q]]
            if c >= 0:
                forbid[c] = v
                if stamp[c] != v:
                    stamp[c] = v
                    count[c] = 1
                else:
                    count[c] += 1
        for q in range(ptr[v], ptr[v + 1]):
            w = adj[q]
            cw = color[w]
            if cw < 0:
                continue
            for s in range(ptr[w], ptr[w + 1]):
                x = adj[s]
                cx = color[x]
                if x == v or cx < 0 or forbid[cx] == v:
                    continue
                if count[cw] >= 2:
                    forbid[cx] = v
                    continue
                for t in range(ptr[x], ptr[x + 1]):
                    y = adj[t]
                    if y != w and color[y] == cw:
                        forbid[cx] = v
                        break
        c = _first_allowed(forbid, v)
        color[v] = c
        n_colors = max(n_colors, c + 1)
    return color, n_colors


@njit(cache=True, nogil=True)
def _star_recovery(ptr, adj, color, p, hptr, hidx):
    """For each stored entry (i, j) of the Hessian, its flat index in the
    compressed product B (n, p) = H @ S: B[i, color j] when j is the only
    neighbor of i with that color, else B[j, color i] (star coloring
    guarantees one of the two)."""
    n = ptr.shape[0] - 1
    where = np.empty(hidx.shape[0], dtype=np.int64)
    stamp = np.full(p, -1, dtype=np.int64)
    count = np.zeros(p, dtype=np.int64)
    for i in range(n):
        for q in range(ptr[i], ptr[i + 1]):
            c = color[adj[q]]
            if stamp[c] != i:
                stamp[c] = i
                count[c] = 1
            else:
                count[c] += 1
        for k in range(hptr[i], hptr[i + 1]):
            j = hidx[k]
            if j == i:
                where[k] = i * p + color[i]
            elif stamp[color[j]] == i and count[color[j]] == 1:
                where[k] = i * p + color[j]
            else:
                where[k] = j * p + color[i]
    return where


# The compressed sweeps index a flat view with unsigned offsets: Numba then
# drops its negative-index wraparound, and LLVM's loop vectorizer turns the
# row update into SIMD (Numba leaves the SLP vectorizer off, so unrolled
# straight-line code would stay scalar). Rows are padded to a multiple of
# _LANES columns so the vector loop needs no remainder.
_LANES = 4


# Zeros stop infinities (azmul, see adjit.sweeps): a zero partial times an
# infinite tangent or adjoint, or a zero one times an infinite partial, is 0.
# These copies keep this module's kernels free of other modules' njit code.
@njit(cache=True, nogil=True, inline="always")
def _az(p, t):
    return 0.0 if (p == 0.0 or t == 0.0) else p * t


@njit(cache=True, nogil=True, inline="always")
def _adjoint_column(f, d, r, p, q):
    """f[d + k] += p * f[r + k] for k < q, skipping p == 0, azmul where p is
    not finite."""
    if p == 0.0:
        return
    if p - p == 0.0:
        for c in range(q):
            k = np.uint64(c)
            f[d + k] += p * f[r + k]
    else:
        for c in range(q):
            k = np.uint64(c)
            f[d + k] += _az(p, f[r + k])


@njit(cache=True, nogil=True)
def _compressed_tangents(links, partials, colors, n, t, where, pos, data):
    """Seed one tangent direction per color, sweep, and decompress:
    ``data[pos[k]] = t.flat[where[k]]``. ``t`` is (n_slots + 1, padded colors)."""
    p = t.shape[1]
    sink = t.shape[0] - 1
    for s in range(n):
        for c in range(p):
            t[s, c] = 0.0
        t[s, colors[s]] = 1.0
    for c in range(p):
        t[sink, c] = 0.0
    f = t.reshape(-1)
    width = np.uint64(p)
    for i in range(links.shape[0]):
        r = np.uint64(links[i, 0]) * width
        d0 = np.uint64(links[i, 1]) * width
        d1 = np.uint64(links[i, 2]) * width
        p0 = partials[i, 0]
        p1 = partials[i, 1]
        nan = False
        for c in range(p):
            k = np.uint64(c)
            v = p0 * f[d0 + k] + p1 * f[d1 + k]
            nan |= v != v
            f[r + k] = v
        if nan:
            for c in range(p):
                k = np.uint64(c)
                f[r + k] = _az(p0, f[d0 + k]) + _az(p1, f[d1 + k])
    for k in range(where.shape[0]):
        data[pos[k]] = f[where[k]]


@njit(cache=True, nogil=True)
def _compressed_adjoints(links, partials, seeds, colors, a, where, pos, data):
    """Seed adjoint ``colors[j]`` at slot ``seeds[j]`` (the outputs of one row
    color), sweep backwards, and decompress: ``data[pos[k]] = a.flat[where[k]]``.
    ``a`` is (n_slots + 1, padded colors)."""
    q = a.shape[1]
    a[:] = 0.0
    for j in range(seeds.shape[0]):
        a[seeds[j], colors[j]] += 1.0
    f = a.reshape(-1)
    width = np.uint64(q)
    for i in range(links.shape[0] - 1, -1, -1):
        r = np.uint64(links[i, 0]) * width
        d0 = np.uint64(links[i, 1]) * width
        d1 = np.uint64(links[i, 2]) * width
        p0 = partials[i, 0]
        p1 = partials[i, 1]
        # d0 may equal d1: the two passes then simply add.
        _adjoint_column(f, d0, r, p0, q)
        _adjoint_column(f, d1, r, p1, q)
    for k in range(where.shape[0]):
        data[pos[k]] = f[where[k]]


@njit(cache=True, nogil=True)
def take(flat, where, data):
    for k in range(where.shape[0]):
        data[k] = flat[where[k]]


# ---------------------------------------------------------------------------
# Per-tape structure, computed lazily and cached.


@dataclass(frozen=True, eq=False)  # eq would compare arrays elementwise
class Coloring:
    """A coloring of a tape's Jacobian or Hessian.

    ``mode`` is ``"forward"`` (columns colored, one tangent direction per color),
    ``"reverse"`` (rows colored, one adjoint seed per color), ``"mixed"`` (the
    few dense ``rows`` by one adjoint each, the other rows by column colors) or
    ``"star"`` (Hessian, symmetric). ``colors[k]`` is the color of column (row)
    ``k``; ``n_colors`` counts all directions, so it is the cost in sweeps.
    """

    mode: str
    colors: np.ndarray
    n_colors: int
    rows: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    def seed(self) -> np.ndarray:
        """The 0/1 seed matrix ``(len(colors), n_colors)``: column c sums the
        columns (rows) of color c."""
        s = np.zeros((len(self.colors), self.n_colors))
        s[np.arange(len(self.colors)), self.colors] = 1.0
        return s


class Structure:
    """What sparsity work has been done for one tape (kept in the tape's
    :class:`adjit.program.TapeState`; filled under its lock)."""

    def __init__(self, tape):
        opcode = tape.opcode
        sink = tape.n_slots
        use = np.empty((tape.program.n_ops, 2), dtype=np.bool_)
        use[:, 0] = ops.HAS_P0[opcode] & (tape.links[:, 1] != sink)
        use[:, 1] = ops.HAS_P1[opcode] & (tape.links[:, 2] != sink)
        self.use = use
        nonlinear = np.empty((tape.program.n_ops, 3), dtype=np.bool_)
        nonlinear[:, 0] = ops.HAS_S00[opcode]
        nonlinear[:, 1] = ops.HAS_S01[opcode]
        nonlinear[:, 2] = ops.HAS_S11[opcode]
        self.nonlinear = nonlinear
        self.domains = {}  # kind -> (ptr, idx), see domains()
        self.domains_over = {}  # kind -> a size those domains are known to exceed
        self.needed_by_nonlinear = None  # per instruction, see needed_by_nonlinear()
        self.hessian_method = None  # "domains" or "sweeps", see adjit.second
        self.jac = None  # csr pattern (m, n)
        self.jac_coloring = None
        self.jac_plan = None  # the compressed sweeps, see _jacobian_plan
        self.hess = None  # csr pattern (n, n)
        self.hess_coloring = None
        self.hess_where = None


def scratch(tape, name: str, shape: tuple) -> np.ndarray:
    """A float64 work array kept per tape and per thread (beside the Tape's own
    scratch), so repeated calls neither allocate nor page-fault."""
    return tape.cache.scratch("derivatives:" + name, shape)


def linearization(tape, x):
    """(work, partials) buffers for ``sweeps.linearize`` at this tape's size."""
    return (scratch(tape, "work", (tape.n_slots + 1,)),
            scratch(tape, "partials", (tape.program.n_ops, 2)))


def structure(tape) -> Structure:
    """The tape's :class:`Structure`, made once."""
    return tape.cache.once("sparsity", lambda: Structure(tape))


_structure = structure  # the name the tests know


# Each lazily built part of a Structure is built under the tape's lock (an
# RLock: the builders call each other), so that threads sharing a fresh tape
# never see a part half made (a coloring published before its plan).


def domains(tape, kind: str = "hessian", limit=None):
    """``(ptr, idx)``: the domain of slot s is ``idx[ptr[s]:ptr[s + 1]]`` (sorted
    input indices); slots run over inputs, instruction results, then the sink.

    Only the slots a question needs get their domain, the rest an empty one:
    ``kind="jacobian"`` the slots some output depends on, ``"hessian"`` the
    operands of nonlinear instructions and what they depend on. With
    ``limit``, give up and return None once the domains would hold more than
    ``limit`` entries (for callers that only want them if cheap).
    """
    with tape.cache.lock:
        st = structure(tape)
        if kind not in ("jacobian", "hessian"):
            raise ValueError(f"kind: expected 'jacobian' or 'hessian', got {kind!r}")
        got = st.domains.get(kind)
        if got is not None:
            return got
        over = st.domains_over.get(kind)
        if limit is not None and over is not None and limit <= over:
            return None  # known to hold more than over >= limit entries
        n, n_slots = tape.n_inputs, tape.n_slots
        live = tiers.run(_live, tape.links, st.use, tape.outputs, n_slots)
        need = live[n:n_slots] if kind == "jacobian" else needed_by_nonlinear(tape)
        ptr = np.zeros(n_slots + 2, dtype=np.int64)
        ptr[: n + 1] = np.arange(n + 1)
        cap = max(4 * (n_slots + 1), 1024)
        if limit is not None:
            cap = max(min(cap, limit), n)
        idx = np.empty(cap, dtype=np.int32)
        idx[:n] = np.arange(n)
        start = 0
        while True:
            start = tiers.run(_domains, tape.links, st.use, need, n, ptr, idx, start)
            if start == tape.program.n_ops:
                break
            if limit is not None and idx.shape[0] >= limit:
                st.domains_over[kind] = idx.shape[0]
                return None
            # Grow outside the kernel: amortized doubling, no allocation per op.
            size = 2 * idx.shape[0] if limit is None else min(2 * idx.shape[0], limit)
            bigger = np.empty(size, dtype=np.int32)
            bigger[: ptr[n + start]] = idx[: ptr[n + start]]
            idx = bigger
        ptr[n_slots + 1] = ptr[n_slots]  # the sink's domain is empty
        st.domains[kind] = (ptr, idx[: ptr[-1]])
        return st.domains[kind]


def needed_by_nonlinear(tape) -> np.ndarray:
    """Per instruction: is its result's gradient needed by second order?"""
    with tape.cache.lock:
        st = structure(tape)
        if st.needed_by_nonlinear is None:
            live = tiers.run(_live, tape.links, st.use, tape.outputs, tape.n_slots)
            st.needed_by_nonlinear = tiers.run(_needed_by_nonlinear, tape.links, st.use, st.nonlinear, live,
                                                          tape.n_inputs)
        return st.needed_by_nonlinear


def jacobian_sparsity(tape) -> sp.csr_matrix:
    """Boolean ``(m, n)`` pattern of the Jacobian: entry (i, j) is stored when
    output i depends structurally on input j."""
    return _bool_csr(_jacobian_pattern(tape))


def _jacobian_pattern(tape) -> sp.csr_matrix:
    with tape.cache.lock:
        st = structure(tape)
        if st.jac is None and compact.worth_it(tape):
            # many declared inputs, few read: work over slots of the read ones only
            small, used = compact.compact(tape)
            pat = _jacobian_pattern(small)
            st.jac = _pattern(pat.indptr, used[pat.indices], (tape.n_outputs, tape.n_inputs))
        if st.jac is None:
            m, n = tape.n_outputs, tape.n_inputs
            # Input sets per slot, forwards, cost their total size; output sets of
            # 64 at a time, backwards, cost n_ops per 64 outputs. Try the first
            # within what the second would cost (a long sum makes it quadratic).
            budget = max(1 << 22, 4 * (tape.n_slots + 1), (m // 64 + 1) * tape.program.n_ops)
            doms = domains(tape, "jacobian", limit=budget)
            if doms is not None:
                indptr, indices = tiers.run(_gather_domains, doms[0], doms[1], tape.outputs)
            else:
                indptr, indices = _reverse_jacobian_pattern(tape)
            st.jac = _pattern(indptr, indices, (m, n))
        return st.jac


def _reverse_jacobian_pattern(tape):
    """CSR (indptr, indices) of the Jacobian pattern by backward bit-set sweeps."""
    with tape.cache.lock:
        st = structure(tape)
        m, n = tape.n_outputs, tape.n_inputs
        bits = np.empty(tape.n_slots + 1, dtype=np.uint64)
        counts = np.zeros(m, dtype=np.int64)
        empty = np.empty(0, dtype=np.int64)
        for start in range(0, m, 64):
            tiers.run(_reverse_pattern, tape.links, st.use, tape.outputs, n, start, bits, counts, empty,
                             empty, -1)
        rows = np.empty(counts.sum(), dtype=np.int64)
        cols = np.empty(counts.sum(), dtype=np.int64)
        fill = 0
        for start in range(0, m, 64):
            fill = tiers.run(_reverse_pattern, tape.links, st.use, tape.outputs, n, start, bits, counts,
                                    rows, cols, fill)
        order = np.lexsort((cols, rows))  # columns come out sorted per block; rows interleave
        indptr = np.zeros(m + 1, dtype=np.int64)
        np.cumsum(counts, out=indptr[1:])
        return indptr, cols[order].astype(np.int32)


def hessian_sparsity(tape) -> sp.csr_matrix:
    """Boolean symmetric ``(n, n)`` pattern of the Hessian of any weighted sum of
    the outputs: inputs i and j interact when some instruction that reaches an
    output combines them nonlinearly (a product, a nonlinear function of a sum)."""
    return _bool_csr(_hessian_pattern(tape))


def _hessian_pattern(tape) -> sp.csr_matrix:
    with tape.cache.lock:
        st = structure(tape)
        if st.hess is None:
            n = tape.n_inputs
            ptr, idx = domains(tape, "hessian")
            live = tiers.run(_live, tape.links, st.use, tape.outputs, tape.n_slots)
            cap = max(1024, 4 * tape.program.n_ops)
            rows = np.empty(cap, dtype=np.int32)
            cols = np.empty(cap, dtype=np.int32)
            start, pos = 0, 0
            parts = []
            while True:
                start, pos = tiers.run(_hessian_pairs, tape.links, st.nonlinear, live, ptr, idx, rows, cols,
                                            start, pos)
                if start == tape.program.n_ops:
                    break
                if pos == 0:  # one instruction alone needs more room
                    cap *= 4
                    rows = np.empty(cap, dtype=np.int32)
                    cols = np.empty(cap, dtype=np.int32)
                    continue
                # Full: keep the distinct pairs so far, then go on from `start`.
                parts.append(_distinct(rows[:pos].astype(np.int64) * n + cols[:pos]))
                pos = 0
            parts.append(_distinct(rows[:pos].astype(np.int64) * n + cols[:pos]))
            keys = _distinct(np.concatenate(parts))
            r, c = keys // n, keys % n
            off = r != c
            r, c = np.concatenate([r, c[off]]), np.concatenate([c, r[off]])
            m = sp.csr_matrix((np.ones(r.size, dtype=np.int8), (r, c)), shape=(n, n))
            m.sum_duplicates()
            m.sort_indices()
            st.hess = _pattern(m.indptr.astype(np.int64), m.indices.astype(np.int32), (n, n))
        return st.hess


def _distinct(keys: np.ndarray) -> np.ndarray:
    """Sorted distinct values. (np.unique of NumPy 2.4 hashes first, which is
    ~50x slower than sorting on millions of int64 keys.)"""
    keys = np.sort(keys)
    if keys.size:
        keys = keys[np.concatenate(([True], keys[1:] != keys[:-1]))]
    return keys


def _pattern(indptr, indices, shape) -> sp.csr_matrix:
    """A CSR pattern whose data are zeros (only its structure is used)."""
    if indices.shape[0] < np.iinfo(np.int32).max and max(shape) < np.iinfo(np.int32).max:
        indptr, indices = indptr.astype(np.int32), indices.astype(np.int32)
    m = sp.csr_matrix((np.zeros(indices.shape[0]), indices, indptr), shape=shape)
    m.has_sorted_indices = True
    return m


def _bool_csr(pattern) -> sp.csr_matrix:
    return sp.csr_matrix((np.ones(pattern.nnz, dtype=bool), pattern.indices.copy(),
                          pattern.indptr.copy()), shape=pattern.shape)


def _largest_first(degree) -> np.ndarray:
    return np.argsort(-np.asarray(degree, dtype=np.int64), kind="stable").astype(np.int64)


def _color_columns(pattern: sp.csr_matrix):
    csc = pattern.tocsc()
    csc.sort_indices()
    rowlen = np.diff(pattern.indptr)
    # Largest first by an upper bound of the column's degree in the
    # column-intersection graph: the summed lengths of the rows it touches.
    degree = np.add.reduceat(np.append(rowlen[csc.indices], 0), csc.indptr[:-1]) \
        if csc.nnz else np.zeros(pattern.shape[1], dtype=np.int64)
    degree[np.diff(csc.indptr) == 0] = 0
    colors, k = tiers.run(_color_distance2, pattern.indptr.astype(np.int64),
                                 pattern.indices.astype(np.int32),
                                 csc.indptr.astype(np.int64), csc.indices.astype(np.int32),
                                 _largest_first(degree))
    return colors, int(k)


def _padded(k: int) -> int:
    return -(-k // _LANES) * _LANES


def jacobian_coloring(tape) -> Coloring:
    """The coloring ``sparse_jacobian`` uses, with the fewest directions of:
    columns (forward), rows (reverse), or the densest rows by adjoints and the
    rest by columns (mixed: an arrowhead needs 2 + a few instead of n).
    Ties go to forward, whose sweep is cheapest."""
    with tape.cache.lock:
        st = structure(tape)
        if st.jac_coloring is None:
            pattern = _jacobian_pattern(tape)
            m = pattern.shape[0]
            col, kc = _color_columns(pattern)
            transposed = pattern.T.tocsr()
            transposed.sort_indices()
            row, kr = _color_columns(transposed)
            kc, kr = max(kc, 1), max(kr, 1)
            best = (kc, 0, "forward", col, None)
            if kr < kc:
                best = (kr, 1, "reverse", row, None)
            # Peel off the 1, 2, 4, ... longest rows while that could still pay.
            by_length = np.argsort(-np.diff(pattern.indptr), kind="stable")
            k = 1
            while k < min(best[0], m):
                dense = np.sort(by_length[:k])
                rest = np.ones(m, dtype=bool)
                rest[dense] = False
                sub = pattern[rest]
                sub.sort_indices()
                colors, kk = _color_columns(sub)
                if k + kk < best[0]:
                    best = (k + kk, 2, "mixed", colors, dense)
                k *= 2
            n_colors, _, mode, colors, dense = best
            coloring = Coloring(mode, colors, n_colors) if dense is None else \
                Coloring(mode, colors, n_colors, dense.astype(np.int64))
            st.jac_plan = _jacobian_plan(tape, pattern, coloring)
            st.jac_coloring = coloring
        return st.jac_coloring


def _jacobian_plan(tape, pattern, coloring):
    """The compressed sweeps of ``coloring``: (kind, seeds, colors, width,
    where, pos) each, decompressing ``data[pos] = sweep.flat[where]``."""
    rows = np.repeat(np.arange(pattern.shape[0], dtype=np.int64), np.diff(pattern.indptr))
    cols = pattern.indices.astype(np.int64)
    outputs = tape.outputs.astype(np.int64)
    everything = np.arange(pattern.nnz, dtype=np.int64)
    if coloring.mode == "forward":
        width = _padded(coloring.n_colors)
        return [("forward", None, coloring.colors, width,
                 outputs[rows] * width + coloring.colors[cols], everything)]
    if coloring.mode == "reverse":
        width = _padded(coloring.n_colors)
        return [("reverse", tape.outputs.copy(), coloring.colors, width,
                 cols * width + coloring.colors[rows], everything)]
    dense = coloring.rows
    in_dense = np.zeros(pattern.shape[0], dtype=bool)
    in_dense[dense] = True
    slot_of_row = np.full(pattern.shape[0], -1, dtype=np.int64)
    slot_of_row[dense] = np.arange(len(dense))
    fwd = ~in_dense[rows]
    wf = _padded(coloring.n_colors - len(dense))
    wr = _padded(len(dense))
    return [("forward", None, coloring.colors, wf,
             outputs[rows[fwd]] * wf + coloring.colors[cols[fwd]], everything[fwd]),
            ("reverse", tape.outputs[dense].copy(), np.arange(len(dense), dtype=np.int32), wr,
             cols[~fwd] * wr + slot_of_row[rows[~fwd]], everything[~fwd])]


def hessian_coloring(tape) -> Coloring:
    """Star coloring of the Hessian pattern (mode ``"star"``)."""
    with tape.cache.lock:
        st = structure(tape)
        if st.hess_coloring is None:
            pattern = _hessian_pattern(tape)
            n = tape.n_inputs
            rows = np.repeat(np.arange(n), np.diff(pattern.indptr))
            off = rows != pattern.indices  # the graph has no self loops
            aptr = np.zeros(n + 1, dtype=np.int64)
            np.cumsum(np.bincount(rows[off], minlength=n), out=aptr[1:])
            aidx = pattern.indices[off].astype(np.int32)  # rows stay sorted
            colors, k = tiers.run(_color_star, aptr, aidx, _largest_first(np.diff(aptr)))
            k = max(int(k), 1)
            st.hess_where = tiers.run(_star_recovery, aptr, aidx, colors, k, pattern.indptr.astype(np.int64),
                                           pattern.indices.astype(np.int32))
            st.hess_coloring = Coloring("star", colors, k)
        return st.hess_coloring


# ---------------------------------------------------------------------------
# Compressed evaluation.


def sparse_jacobian(tape, x) -> sp.csr_matrix:
    """The Jacobian at ``x`` as a ``csr_matrix`` with the structural pattern,
    from one linearization and one compressed sweep (see ``jacobian_coloring``)."""
    P = tape.program
    x = program.point(P, x)
    plan = jacobian_plan(tape)
    pattern = structure(tape).jac
    work, partials = linearization(tape, x)
    flip = tiers.run(sweeps.linearize, P.dispatch, P.instructions, P.constants, P.guards,
                         x, work, partials)
    branches.raise_flipped(tape, flip, x)
    data = np.empty(pattern.nnz)
    for kind, seeds, colors, width, where, pos in plan:
        t = scratch(tape, "sparse_" + kind, (tape.n_slots + 1, width))
        if kind == "forward":
            tiers.run(_compressed_tangents, tape.links, partials, colors, tape.n_inputs, t,
                          where, pos, data)
        else:
            tiers.run(_compressed_adjoints, tape.links, partials, seeds, colors, t, where,
                          pos, data)
    return _csr(data, pattern)


def jacobian_plan(tape):
    """The compressed sweeps of :func:`sparse_jacobian` (made with the coloring)."""
    st = structure(tape)
    if st.jac_plan is None:
        jacobian_coloring(tape)  # publishes the plan with the coloring, under the lock
    return st.jac_plan


def csr(data, pattern) -> sp.csr_matrix:
    """A new matrix with the ``pattern``'s structure and ``data``."""
    return _csr(data, pattern)


def _csr(data, pattern) -> sp.csr_matrix:
    """A new matrix with the pattern's structure (its own copies of the index
    arrays, so a caller modifying it cannot corrupt the cached pattern)."""
    if _FAST_CSR:
        # scipy's constructor re-validates the structure (~20 µs, as much as a
        # small sweep); the pattern was validated once when it was built.
        m = sp.csr_matrix.__new__(sp.csr_matrix)
        m.__dict__.update(pattern.__dict__)
        m.data = data
        m.indices = pattern.indices.copy()
        m.indptr = pattern.indptr.copy()
        return m
    m = sp.csr_matrix((data, pattern.indices.copy(), pattern.indptr.copy()),
                      shape=pattern.shape)
    m.has_sorted_indices = True
    return m


def _probe_fast_csr() -> bool:
    """Does copying a matrix's attributes make a valid csr_matrix in this scipy?"""
    global _FAST_CSR
    try:
        _FAST_CSR = True
        pattern = _pattern(np.array([0, 1, 2], np.int64), np.array([1, 0], np.int32), (2, 2))
        m = _csr(np.array([2.0, 3.0]), pattern)
        m.check_format(full_check=True)
        ok = (m.shape == (2, 2) and m.nnz == 2 and (m @ np.ones(2)).tolist() == [2.0, 3.0]
              and m.toarray().tolist() == [[0.0, 2.0], [3.0, 0.0]])
    except Exception:  # noqa: BLE001 - any failure means: use the constructor
        ok = False
    _FAST_CSR = ok
    return ok


_FAST_CSR = False
_probe_fast_csr()
