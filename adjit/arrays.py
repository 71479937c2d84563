"""Array programs: a recording whose instructions may apply one op to a block of slots.

Vectorized NumPy code records one instruction per NumPy call (:mod:`adjit.array_tracer`)
rather than one per element. The record is one int64 table of rows
``(kind, opcode, result, length, arg0, arg1, p, q)`` (the kinds and what the
fields mean: :mod:`adjit.array_sweeps`), an int64 ``index`` pool for gathers,
the float64 constant pool, output slots and guards. Row ``i`` writes the
slots right after row ``i - 1``'s (inputs first), so the slots are numbered as
in a scalar tape, where every row has length 1.

The single-point and batched values, gradients, tangents and adjoints run on
the array program itself. Every other consumer (Hessians, sparsity, the
optimizer, files, pictures, the ``@njit`` API) reads its :func:`expand`-ed
scalar program, built on first use: the same function, one scalar row per
element, with the same values to rounding.

:func:`build` validates every index a kernel will follow, as
:func:`adjit.program.build` does for scalar tapes.
"""
from __future__ import annotations

import operator
from typing import NamedTuple

import numpy as np

from . import array_sweeps as K
from . import levels, matrix_rules, ops, tiers
from .errors import TapeError

ELEM, SUM, MATMUL, GATHER = K.ELEM, K.SUM, K.MATMUL, K.GATHER
# matrix instructions (adjit.matrix_rules) run on LAPACK between kernel calls:
# no kernel ever reads a LINALG row (see pieces())
LINALG = K.N_KINDS
N_KINDS = K.N_KINDS + 1
KIND_NAMES = ("elem", "sum", "matmul", "gather", "linalg")
MM_VV, MM_CV, MM_VC = K.MM_VV, K.MM_CV, K.MM_VC
COLUMNS = 8
I64 = np.int64
_MAX_SLOTS = np.iinfo(np.int32).max - 1  # the expanded scalar program indexes in int32
KINDS = np.ascontiguousarray(ops.KIND.astype(np.int64))  # operand kind per opcode


def _frozen(a, dtype) -> np.ndarray:
    a = np.ascontiguousarray(np.asarray(a, dtype=dtype))
    out = np.frombuffer(a.tobytes(), dtype=a.dtype).reshape(a.shape)
    return out


class ArrayProgram(NamedTuple):
    """What the array kernels read, validated by :func:`build`; read-only arrays."""

    n_inputs: int
    n_slots: int
    code: np.ndarray
    index: np.ndarray
    constants: np.ndarray
    outputs: np.ndarray
    guards: np.ndarray

    @property
    def n_ops(self) -> int:
        return self.code.shape[0]

    @property
    def n_outputs(self) -> int:
        return self.outputs.shape[0]


def _ints(a, name: str, ndim: int, cols: int | None = None) -> np.ndarray:
    arr = np.asarray(a)
    if arr.ndim != ndim or (cols is not None and arr.shape[1] != cols):
        raise TapeError(f"array tape field {name!r}: expected {ndim} dimension(s)"
                        + (f" with {cols} columns" if cols else "") + f", got shape {arr.shape}")
    if arr.size and arr.dtype.kind not in "iu":
        raise TapeError(f"array tape field {name!r}: expected integers, got dtype {arr.dtype}")
    return _frozen(arr, I64)


def build(code, index, constants, outputs, n_inputs, guards=None) -> ArrayProgram:
    """The validated array program; raises TapeError naming the first fault."""
    code = _ints(code, "code", 2, COLUMNS)
    index = _ints(index, "index", 1)
    outputs = _ints(outputs, "outputs", 1)
    guards = _ints(np.zeros((0, 2), I64) if guards is None else guards, "guards", 2, 2)
    c = np.asarray(constants)
    if c.ndim != 1 or (c.size and c.dtype.kind not in "iuf"):
        raise TapeError(f"array tape field 'constants': expected a 1-D real array, got "
                        f"shape {c.shape} dtype {c.dtype}")
    constants = _frozen(c, np.float64)
    try:
        n_inputs = operator.index(n_inputs)
    except TypeError:
        raise TapeError(f"n_inputs must be an integer, got {n_inputs!r}") from None
    n_slots = _validate(code, index, len(constants), outputs, guards, n_inputs)
    return ArrayProgram(n_inputs, n_slots, code, index, constants, outputs, guards)


def _validate(code, index, n_const, outputs, guards, n_in) -> int:
    if n_in < 1:
        raise TapeError(f"a tape needs at least one input, got n_inputs={n_in}")
    if n_in > _MAX_SLOTS:
        raise TapeError(f"tape too large: n_inputs={n_in} exceeds the int32 index range")
    if len(outputs) < 1:
        raise TapeError("a tape needs at least one output, got none")
    kind, opc, res, n, a0, a1, p, q = (code[:, k] for k in range(COLUMNS))
    if (n < 0).any() or (n > _MAX_SLOTS).any():
        i = int(np.flatnonzero((n < 0) | (n > _MAX_SLOTS))[0])
        raise TapeError(f"row {i}: block length {n[i]} out of range")
    # every field in int32's range, so that no product of two below overflows int64
    big = np.flatnonzero(((code < -_MAX_SLOTS) | (code > _MAX_SLOTS)).any(axis=1))
    if big.size:
        raise TapeError(f"row {big[0]}: a field out of range (beyond int32)")
    ends = n_in + np.cumsum(n)
    n_slots = int(ends[-1]) if len(ends) else n_in
    if n_slots > _MAX_SLOTS:
        raise TapeError(f"tape too large: {n_slots} slots exceed the int32 index range")
    starts = ends - n
    bad = np.flatnonzero(res != starts)
    if bad.size:
        i = int(bad[0])
        raise TapeError(f"row {i}: writes slots from {res[i]}, expected {starts[i]} (each row "
                        "writes the slots right after the previous row's)")
    bad = np.flatnonzero((kind < 0) | (kind >= N_KINDS))
    if bad.size:
        raise TapeError(f"row {bad[0]}: unknown kind {kind[bad[0]]}")

    def span_ok(lo, step, count, limit):
        """Every lo + j*step, j < count, in [0, limit) (step >= 0)."""
        hi = lo + np.maximum(count - 1, 0) * step
        return (count == 0) | ((lo >= 0) & (step >= 0) & (hi < limit))

    def fail(mask, what):
        bad = np.flatnonzero(~mask)
        if bad.size:
            i = int(bad[0])
            raise TapeError(f"row {i} ({KIND_NAMES[kind[i]]}): {what} out of range")

    elem = kind == ELEM
    fail(~elem | ((opc >= 0) & (opc < ops.N_OPCODES)), "opcode")
    k = np.where(elem & (opc >= 0) & (opc < ops.N_OPCODES), KINDS[np.clip(opc, 0, None)
                                                                 % ops.N_OPCODES], -1)
    fail(~elem | (k != ops.CONST) | span_ok(a0, p, n, n_const), "constant operand")
    fail(~elem | (k == ops.CONST) | span_ok(a0, p, n, res), "operand arg0")
    fail(~elem | (k != ops.VV) | span_ok(a1, q, n, res), "operand arg1")
    fail(~elem | ((k != ops.VC) & (k != ops.CV)) | span_ok(a1, q, n, n_const),
         "constant operand arg1")
    sums = kind == SUM
    fail(~sums | ((q >= 1) & (p >= 0) & (n % np.maximum(q, 1) == 0)), "shape")
    fail(~sums | span_ok(a0, 1, (n // np.maximum(q, 1)) * p * q, res), "operand")
    mm = kind == MATMUL
    fail(~mm | ((q >= 1) & (p >= 0) & (n % np.maximum(q, 1) == 0)
                & (opc >= 0) & (opc <= 2)), "shape or mode")
    m = n // np.maximum(q, 1)
    fail(~mm | span_ok(a0, 1, m * p, np.where(opc == MM_CV, n_const, res)), "operand A")
    fail(~mm | span_ok(a1, 1, p * q, np.where(opc == MM_VC, n_const, res)), "operand B")
    la = kind == LINALG
    fail(~la | ((opc >= 0) & (opc < matrix_rules.N_OPS) & (p >= 0) & (q >= 0)), "op or shape")
    for i in np.flatnonzero(la):
        m, kk = int(p[i]), int(q[i])
        if m * max(m, kk) > _MAX_SLOTS or n[i] != matrix_rules.length(int(opc[i]), m, kk):
            raise TapeError(f"row {i} (linalg {matrix_rules.NAMES[opc[i]]}): {n[i]} results "
                            f"do not fit a {m}x{m} matrix" + (f" and {kk} columns"
                                                             if opc[i] == matrix_rules.SOLVE
                                                             else ""))
        if opc[i] != matrix_rules.SOLVE and kk != 0:
            raise TapeError(f"row {i} (linalg): q must be 0 for {matrix_rules.NAMES[opc[i]]}, "
                            f"got {kk}")
        for lo, hi in matrix_rules.spans(int(opc[i]), int(a0[i]), int(a1[i]), m, kk):
            if hi > lo and (lo < 0 or hi > res[i]):
                raise TapeError(f"row {i} (linalg): operand slots [{lo}, {hi}) out of range")
    ga = kind == GATHER
    fail(~ga | ((a0 >= 0) & (a0 + n <= len(index))), "index range")
    for i in np.flatnonzero(ga & (n > 0)):
        idx = index[a0[i]:a0[i] + n[i]]
        if idx.min() < 0 or idx.max() >= res[i]:
            raise TapeError(f"row {i} (gather): an index names no earlier slot")
    bad = np.flatnonzero((outputs < 0) | (outputs >= n_slots))
    if bad.size:
        raise TapeError(f"output {bad[0]}: slot {outputs[bad[0]]} out of range [0, {n_slots})")
    if len(guards):
        slots, expect = guards[:, 0], guards[:, 1]
        if ((slots < n_in) | (slots >= n_slots)).any() or ((expect != 0) & (expect != 1)).any():
            raise TapeError("guards: each must name an instruction's slot and expect 0 or 1")
        row = np.searchsorted(ends, slots, side="right")
        if not (elem[row] & ops.IS_CONDITION[np.clip(opc[row], 0, ops.N_OPCODES - 1)]).all():
            raise TapeError("guards: each must name a comparison's slot")
    return n_slots


# ---------------------------------------------------------------------------
# The gradient's adjoint sweep: which adjoints are assigned rather than summed.

_PLAN_ROWS = 20_000  # beyond this many rows the plan is not worth its Python loop


def reverse_plan(p: ArrayProgram) -> tuple:
    """``(flags, zero)`` for :func:`adjit.array_sweeps.reverse`. A row's operand
    that is the whole block of an earlier row which no later row reads (and
    which holds no output) takes its adjoint by assignment (flag bit 0 for the
    first operand, 1 for the second); every other block's adjoints, and the
    inputs', start at zero: ``zero`` lists those slot ranges (lo, hi). Most
    intermediates of vectorized code have one reader, so most of the zeroing
    and the reads of zeros go away."""
    code = np.asarray(p.code)
    nrow = len(code)
    flags = np.zeros(nrow, dtype=np.int64)
    if nrow == 0 or nrow > _PLAN_ROWS or (code[:, 0] == LINALG).any():
        return flags, np.array([[0, p.n_slots]], dtype=np.int64)
    starts = code[:, 2]
    ends = starts + code[:, 3]

    def row_of(slot):
        return int(np.searchsorted(ends, slot, side="right"))

    last = np.full(nrow, -1, dtype=np.int64)  # the last row reading each row's block
    whole = {}  # (reader, operand) -> the row whose whole block it reads with stride 1
    touched = {}  # (reader, operand) -> the first and last rows its reads fall in
    for i in range(nrow):
        kind, opc, _, n, a0, a1, pp, qq = (int(v) for v in code[i])
        if n == 0:
            continue
        spans = []
        if kind == ELEM:
            k = KINDS[opc]
            if k != ops.CONST:
                spans.append((0, a0, a0 + (n - 1) * pp, pp))
            if k == ops.VV:
                spans.append((1, a1, a1 + (n - 1) * qq, qq))
        elif kind == SUM:
            spans.append((0, a0, a0 + (n // qq) * pp * qq - 1, 1))
        elif kind == MATMUL:
            m = n // qq
            if opc != MM_CV:
                spans.append((0, a0, a0 + m * pp - 1, 1))
            if opc != MM_VC:
                spans.append((1, a1, a1 + pp * qq - 1, 1))
        else:
            idx = p.index[a0:a0 + n]
            rows = np.unique(np.searchsorted(ends, idx[idx >= p.n_inputs], side="right"))
            last[rows] = i
        for operand, lo, hi, step in spans:
            if hi < lo or hi < p.n_inputs:
                continue
            first, final = row_of(max(lo, p.n_inputs)), row_of(hi)
            last[first:final + 1] = i
            touched[(i, operand)] = (first, final)
            if ((kind == ELEM or (kind == SUM and qq == 1)) and step == 1 and first == final and lo == starts[first]
                    and hi == ends[first] - 1):
                whole[(i, operand)] = first
    held = np.zeros(nrow, dtype=bool)  # rows holding an output: their seed must stay
    outs = np.asarray(p.outputs)
    held[np.searchsorted(ends, outs[outs >= p.n_inputs], side="right")] = True
    assigned = np.zeros(nrow, dtype=bool)
    for (i, operand), j in whole.items():
        if last[j] != i or held[j] or assigned[j]:
            continue
        if operand == 1 and (i, 0) in touched and \
                touched[(i, 0)][0] <= j <= touched[(i, 0)][1]:
            continue  # the first operand's adjoints go into that block first (x * x)
        flags[i] |= 1 << operand
        assigned[j] = True
    zero = [(0, p.n_inputs)]
    for j in np.flatnonzero(~assigned & (code[:, 3] > 0)):
        lo, hi = int(starts[j]), int(ends[j])
        if zero[-1][1] == lo:
            zero[-1] = (zero[-1][0], hi)
        else:
            zero.append((lo, hi))
    return flags, np.array(zero, dtype=np.int64).reshape(-1, 2)


# ---------------------------------------------------------------------------
# Dead code.

def without_dead_rows(p: ArrayProgram) -> ArrayProgram:
    """``p`` without the rows no output or guard depends on, slots renumbered.
    A row that reads a range of slots keeps every row in that range (a stride
    may step over some): so each range read stays the same progression."""
    code = np.array(p.code)
    nrow = len(code)
    if nrow == 0:
        return p
    starts = code[:, 2]
    ends = starts + code[:, 3]

    def rows_of(slots):
        slots = np.asarray(slots, dtype=np.int64)
        slots = slots[slots >= p.n_inputs]
        return np.searchsorted(ends, slots, side="right")

    live = np.zeros(nrow, dtype=bool)
    live[rows_of(p.outputs)] = True
    if len(p.guards):
        live[rows_of(p.guards[:, 0])] = True
    kind, opc, n, a0, a1, pp, qq = (code[:, k] for k in (0, 1, 3, 4, 5, 6, 7))
    for i in range(nrow - 1, -1, -1):
        if not live[i] or n[i] == 0:
            continue
        spans = []
        if kind[i] == ELEM:
            k = KINDS[opc[i]]
            if k != ops.CONST:
                spans.append((a0[i], a0[i] + (n[i] - 1) * pp[i]))
            if k == ops.VV:
                spans.append((a1[i], a1[i] + (n[i] - 1) * qq[i]))
        elif kind[i] == SUM:
            spans.append((a0[i], a0[i] + (n[i] // qq[i]) * pp[i] * qq[i] - 1))
        elif kind[i] == MATMUL:
            m = n[i] // qq[i]
            if opc[i] != MM_CV:
                spans.append((a0[i], a0[i] + m * pp[i] - 1))
            if opc[i] != MM_VC:
                spans.append((a1[i], a1[i] + pp[i] * qq[i] - 1))
        elif kind[i] == LINALG:
            spans.extend((lo, hi - 1) for lo, hi in matrix_rules.spans(
                int(opc[i]), int(a0[i]), int(a1[i]), int(pp[i]), int(qq[i])))
        else:
            live[rows_of(p.index[a0[i]:a0[i] + n[i]])] = True
        for lo, hi in spans:
            if hi < lo or hi < p.n_inputs:
                continue
            first, last = rows_of([max(lo, p.n_inputs), hi])
            live[first:last + 1] = True
    if live.all():
        return p
    keep = np.flatnonzero(live)
    new_len = n[keep]
    new_start = p.n_inputs + np.cumsum(new_len) - new_len
    shift = np.zeros(nrow, dtype=np.int64)  # new slot - old slot, for each kept row
    shift[keep] = new_start - starts[keep]

    def slot(old):
        """The new numbers of live slots (the inputs keep theirs)."""
        old = np.asarray(old, dtype=np.int64)
        rows = np.searchsorted(ends, old, side="right")
        return np.where(old < p.n_inputs, old, old + shift[np.minimum(rows, nrow - 1)])

    out = code[keep].copy()
    out[:, 2] = new_start
    k = np.where(out[:, 0] == ELEM, KINDS[out[:, 1]], -1)
    reads0 = ((out[:, 0] == ELEM) & (k != ops.CONST) & (out[:, 3] > 0)) | (
        (out[:, 0] == SUM) & (out[:, 3] > 0) & (out[:, 6] > 0)) | (
        (out[:, 0] == MATMUL) & (out[:, 1] != MM_CV) & (out[:, 3] > 0) & (out[:, 6] > 0))
    reads1 = ((out[:, 0] == ELEM) & (k == ops.VV) & (out[:, 3] > 0)) | (
        (out[:, 0] == MATMUL) & (out[:, 1] != MM_VC) & (out[:, 3] > 0) & (out[:, 6] > 0))
    reads0 |= (out[:, 0] == LINALG) & (out[:, 6] > 0)
    reads1 |= (out[:, 0] == LINALG) & (out[:, 1] == matrix_rules.SOLVE) & (out[:, 6] > 0) & (
        out[:, 7] > 0)
    out[reads0, 4] = slot(out[reads0, 4])
    out[reads1, 5] = slot(out[reads1, 5])
    pieces, at = [], 0
    for i in np.flatnonzero(out[:, 0] == GATHER):
        idx = p.index[out[i, 4]:out[i, 4] + out[i, 3]]
        pieces.append(slot(idx))
        out[i, 4] = at
        at += len(idx)
    index = np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.int64)
    guards = np.array(p.guards)
    if len(guards):
        guards[:, 0] = slot(guards[:, 0])
    return build(out, index, p.constants, slot(p.outputs), p.n_inputs, guards)


# ---------------------------------------------------------------------------
# Common subexpressions.

#: VV opcodes whose two operands may be swapped without changing a bit (add, mul, ...)
_COMMUTES = np.array([v.op is not None and v.kind == ops.VV and v.op.canonical
                      for v in ops.VARIANTS], dtype=bool)


def _operands(row) -> list:
    """``(column, first, last, step)`` of each slot range a row reads (column
    4 or 5 holds its first slot); a gather's reads are its index entries."""
    kind, opc, _, n, a0, a1, pp, qq = (int(v) for v in row)
    if n == 0:
        return []
    if kind == ELEM:
        k = KINDS[opc]
        out = [] if k == ops.CONST else [(4, a0, a0 + (n - 1) * pp, pp)]
        if k == ops.VV:
            out.append((5, a1, a1 + (n - 1) * qq, qq))
        return out
    if kind == SUM:
        return [(4, a0, a0 + (n // qq) * pp * qq - 1, 1)] if pp else []
    if kind == MATMUL:
        m = n // qq
        out = []
        if opc != MM_CV and pp:
            out.append((4, a0, a0 + m * pp - 1, 1))
        if opc != MM_VC and pp:
            out.append((5, a1, a1 + pp * qq - 1, 1))
        return out
    if kind == LINALG:
        return [(4 + j, lo, hi - 1, 1) for j, (lo, hi) in
                enumerate(matrix_rules.spans(opc, a0, a1, pp, qq)) if hi > lo]
    return []


def _constant_reads(row) -> list:
    """``(operand, first, count, step)`` of each constant-pool range a row reads
    (operand 0 is the one at column 4, 1 at column 5)."""
    kind, opc, _, n, a0, a1, pp, qq = (int(v) for v in row)
    if n == 0:
        return []
    if kind == ELEM:
        k = KINDS[opc]
        if k == ops.CONST:
            return [(0, a0, n, pp)]
        return [(1, a1, n, qq)] if k in (ops.VC, ops.CV) else []
    if kind == MATMUL and pp:
        m = n // qq
        if opc == MM_CV:
            return [(0, a0, m * pp, 1)]
        if opc == MM_VC:
            return [(1, a1, pp * qq, 1)]
    return []


def _digest(a: np.ndarray) -> tuple:
    """A cheap key for an array's values (its ends and sums); equal keys are
    then compared in full."""
    if len(a) <= 8:
        return (a.tobytes(),)
    return (len(a), a[:4].tobytes(), a[-4:].tobytes(), float(np.sum(a, dtype=np.float64)))


def without_common_rows(p: ArrayProgram, rebindable=None) -> ArrayProgram:
    """``p`` with every row that computes what an earlier row computes (the same
    kind, op, shape and operands, once the operands' own duplicates are
    replaced; a commutative op's two operands in either order) replaced by that
    row, then the rows nothing reads any more dropped (:func:`without_dead_rows`).
    A row is replaced only when every range read from its block lies inside
    it, so that each read stays one progression of the same stride.
    ``rebindable`` lists the constant-pool entries data arguments replace at
    call time: a read of those is the same operand only at the same place."""
    code = np.array(p.code)
    nrow = len(code)
    if nrow < 2:
        return p
    n_in = p.n_inputs
    starts = code[:, 2]
    ends = starts + code[:, 3]
    reads = [_operands(code[i]) for i in range(nrow)]
    movable = np.ones(nrow, dtype=bool)
    for ops_i in reads:
        for _, lo, hi, _ in ops_i:
            if hi < n_in:
                continue
            first = int(np.searchsorted(ends, max(lo, n_in), side="right"))
            last = int(np.searchsorted(ends, hi, side="right"))
            if first != last:  # a range over several blocks: those keep their slots
                movable[first:last + 1] = False
    target = np.arange(nrow)  # the row each row's values are read from
    seen: dict = {}
    index = np.asarray(p.index)
    consts = np.asarray(p.constants)
    moving = np.zeros(len(consts), dtype=bool)
    if rebindable is not None and len(rebindable):
        moving[np.asarray(rebindable, dtype=np.int64)] = True
    pieces, at = [], 0
    merged = False
    for i in range(nrow):
        for col, lo, hi, _ in reads[i]:
            if lo >= n_in:
                k = int(np.searchsorted(ends, lo, side="right"))
                t = target[k]
                if t != k:
                    code[i, col] = lo - starts[k] + starts[t]
        kind, opc, n = int(code[i, 0]), int(code[i, 1]), int(code[i, 3])
        data = []  # arrays that must also be equal: gathered slots, constants
        if kind == GATHER:
            idx = index[code[i, 4]:code[i, 4] + n]
            if merged:
                idx = idx.copy()
                big = idx >= n_in
                rows = np.searchsorted(ends, idx[big], side="right")
                idx[big] = idx[big] - starts[rows] + starts[target[rows]]
            code[i, 4] = at
            pieces.append(idx)
            at += n
            data.append(idx)
            key = (kind, n, _digest(idx))
        else:
            ops_key = [(int(code[i, 4]), int(code[i, 6])), (int(code[i, 5]), int(code[i, 7]))]
            for j, lo, count, step in _constant_reads(code[i]):
                # equal constants at other places in the pool are the same operand
                # (unless data arguments may replace them)
                span = slice(lo, lo + (count - 1) * step + 1, step) if step else slice(lo, lo + 1)
                if not moving[span].any():
                    data.append(consts[span])
                    ops_key[j] = (-1, _digest(consts[span]), step)
            if kind == ELEM and _COMMUTES[opc]:
                ops_key.sort(key=repr)
            key = (kind, opc, n, tuple(ops_key), int(code[i, 6]), int(code[i, 7]))
        # (two loads of equal constants are left apart: merging them saves no
        # work, and renumbering every read after them costs more than it saves)
        found = None
        if movable[i] and n > 0 and not (kind == ELEM and opc == 0):
            for j, other in seen.get(key, ()):
                if len(other) == len(data) and all(np.array_equal(u, v)
                                                   for u, v in zip(other, data)):
                    found = j
                    break
        if found is not None:
            target[i] = found
            merged = True
        else:
            seen.setdefault(key, []).append((i, data))
    if (target == np.arange(nrow)).all():
        return p
    shift = starts[target] - starts

    def slot(old):
        old = np.asarray(old, dtype=np.int64)
        rows = np.searchsorted(ends, old, side="right")
        return np.where(old < n_in, old, old + shift[np.minimum(rows, nrow - 1)])

    new_index = np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.int64)
    guards = np.array(p.guards)
    if len(guards):
        guards[:, 0] = slot(guards[:, 0])
    merged = build(code, new_index, p.constants, slot(p.outputs), n_in, guards)
    return without_dead_rows(merged)


# ---------------------------------------------------------------------------
# Constant folding.

def without_constant_rows(p: ArrayProgram, rebindable=None) -> ArrayProgram:
    """``p`` with every row whose operands are all known when it is recorded
    (constant loads, and rows of those) replaced by a constant load of its
    values, computed here (:func:`numpy_rows`) and appended to the pool; then
    the rows nothing reads any more dropped (:func:`without_dead_rows`). Loads
    of the ``rebindable`` entries (data arguments) are not known, and rows
    holding a guarded comparison keep it (the guard names a comparison)."""
    code = np.array(p.code)
    nrow = len(code)
    loads = (code[:, 0] == ELEM) & (code[:, 1] == 0) & (code[:, 3] > 0)
    if not loads.any():
        return p
    consts = np.asarray(p.constants)
    moving = np.zeros(len(consts), dtype=bool)
    if rebindable is not None and len(rebindable):
        moving[np.asarray(rebindable, dtype=np.int64)] = True
    n_in = p.n_inputs
    ends = code[:, 2] + code[:, 3]
    known = np.zeros(nrow, dtype=bool)  # rows whose values are known (whole rows)
    guards = np.asarray(p.guards)
    index = np.asarray(p.index)
    val = None  # the known values by slot, made when a first row folds
    extra: list = []

    def all_known(slots_lo, slots_hi):
        if slots_lo < n_in:
            return False
        a, b = np.searchsorted(ends, [slots_lo, slots_hi], side="right")
        return bool(known[a:b + 1].all())

    for i in range(nrow):
        kind, opc, r, n, a0 = (int(v) for v in code[i, :5])
        if n == 0:
            continue
        if loads[i]:
            step = int(code[i, 6])
            span = slice(a0, a0 + (n - 1) * step + 1, step) if step else slice(a0, a0 + 1)
            known[i] = not moving[span].any()
            if known[i] and val is not None:
                numpy_rows(code[i:i + 1], index, consts, val)
            continue
        if kind == GATHER:
            idx = index[a0:a0 + n]
            if idx.min() < n_in:
                continue
            ready = bool(known[np.searchsorted(ends, idx, side="right")].all())
        else:
            reads = _operands(code[i])
            ready = bool(reads) and all(all_known(lo, hi) for _, lo, hi, _ in reads)
        if not ready or (len(guards) and ((guards[:, 0] >= r) & (guards[:, 0] < r + n)).any()):
            continue
        if val is None:
            val = np.zeros(p.n_slots)
            for j in np.flatnonzero(known[:i]):  # the loads so far (nothing folded yet)
                numpy_rows(code[j:j + 1], index, consts, val)
        try:
            numpy_rows(code[i:i + 1], index, consts, val)
        except np.linalg.LinAlgError:
            continue  # a singular constant matrix: left for evaluation to report
        known[i] = True
        code[i] = (ELEM, 0, r, n, len(consts) + len(extra), 0, 1, 0)
        extra.extend(val[r:r + n].tolist())
    if not extra:
        return p
    folded = build(code, index, np.concatenate([consts, extra]), p.outputs, p.n_inputs,
                   p.guards)
    return without_dead_rows(folded)


# ---------------------------------------------------------------------------
# Fusion: the scalar optimizer's exact rewrites (adjit.optimize), row for row.

_O = ops.OPCODES
_SQDIFF_OF = {_O["sub"]: _O["sqdiff"], _O["sub_vc"]: _O["sqdiff_vc"],
              _O["sub_cv"]: _O["sqdiff_cv"]}


def _row_reads(code, index, n_in, outputs, guards) -> np.ndarray:
    """How many reads touch each row's block: every operand range, gather
    entry, output and guard that overlaps it counts once."""
    ends = code[:, 2] + code[:, 3]
    reads = np.zeros(len(code), dtype=np.int64)

    def mark(lo, hi):
        lo, hi = max(min(lo, hi), n_in), max(lo, hi)
        if hi >= lo:
            a, b = np.searchsorted(ends, [lo, hi], side="right")
            reads[a:b + 1] += 1

    for i in range(len(code)):
        if code[i, 0] == GATHER:
            idx = np.asarray(index[code[i, 4]:code[i, 4] + code[i, 3]])
            idx = idx[idx >= n_in]
            reads += np.bincount(np.searchsorted(ends, idx, side="right"), minlength=len(code))
        else:
            for _, lo, hi, _ in _operands(code[i]):
                mark(lo, hi)
    ends_read = np.concatenate([np.asarray(outputs, dtype=np.int64).ravel(),
                                np.asarray(guards, dtype=np.int64).reshape(-1, 2)[:, 0]])
    ends_read = ends_read[ends_read >= n_in]
    reads += np.bincount(np.searchsorted(ends, ends_read, side="right"), minlength=len(code))
    return reads


def fused_rows(p: ArrayProgram, rebindable=None) -> ArrayProgram:
    """``p`` with the scalar optimizer's exact rewrites made on whole rows:
    ``x * x -> square(x)`` and ``1 / x -> reciprocal(x)``; and, where the inner
    row's block is read by that one row alone, ``square(a - b) -> sqdiff(a, b)``,
    ``square(a) * a -> cube(a)``, ``reciprocal(cube(a)) -> inv_cube(a)`` (the op
    table's fused entries give the same values bit for bit). Each saves a pass
    over memory in every sweep: a Lennard-Jones energy written with pair
    indices loses five of its 21 rows. A ``1`` among the ``rebindable``
    constants (a data argument) is not taken for a number. The rows left
    unread are dropped (:func:`without_dead_rows`)."""
    code = np.array(p.code)
    if len(code) == 0 or len(code) > _PLAN_ROWS:  # a Python loop per row below
        return p
    consts = np.asarray(p.constants)
    moving = np.zeros(len(consts), dtype=bool)
    if rebindable is not None and len(rebindable):
        moving[np.asarray(rebindable, dtype=np.int64)] = True
    elem = (code[:, 0] == ELEM) & (code[:, 3] > 0)
    opc = code[:, 1]
    changed = False
    for i in np.flatnonzero(elem & (opc == _O["mul"]) & (code[:, 4] == code[:, 5])
                            & (code[:, 6] == code[:, 7])):
        code[i] = (ELEM, _O["square"], code[i, 2], code[i, 3], code[i, 4], 0, code[i, 6], 0)
        changed = True
    for i in np.flatnonzero(elem & (opc == _O["div_cv"])):
        n, a1, qq = (int(v) for v in code[i, [3, 5, 7]])
        at = a1 + np.arange(n) * qq if qq else np.array([a1])
        if not moving[at].any() and np.all(consts[at] == 1.0):
            code[i] = (ELEM, _O["reciprocal"], code[i, 2], n, code[i, 4], 0, code[i, 6], 0)
            changed = True
    n_in = p.n_inputs
    reads = _row_reads(code, p.index, n_in, p.outputs, p.guards)
    ends = code[:, 2] + code[:, 3]

    def inner(i, col, op):
        """The row whose whole block is operand ``col`` of row ``i``, when it
        has opcode(s) ``op`` and no other reader; else -1."""
        slot = int(code[i, col])
        if slot < n_in or code[i, col + 2] != 1:
            return -1
        j = int(np.searchsorted(ends, slot, side="right"))
        if code[j, 2] != slot or code[j, 3] != code[i, 3] or not elem[j] or \
                reads[j] != 1 or code[j, 1] not in op:
            return -1
        return j

    for i in np.flatnonzero(elem):
        op = code[i, 1]
        r, n = code[i, 2], code[i, 3]
        if op == _O["square"]:
            j = inner(i, 4, _SQDIFF_OF)
            if j >= 0:
                code[i] = (ELEM, _SQDIFF_OF[code[j, 1]], r, n, *code[j, 4:])
                reads[j] = 0
                changed = True
        elif op == _O["mul"]:
            for col, other in ((4, 5), (5, 4)):
                j = inner(i, col, (_O["square"],))
                if j >= 0 and code[j, 4] == code[i, other] and code[j, 6] == code[i, other + 2]:
                    code[i] = (ELEM, _O["cube"], r, n, code[j, 4], 0, code[j, 6], 0)
                    reads[j] = 0
                    changed = True
                    break
        elif op == _O["reciprocal"]:
            j = inner(i, 4, (_O["cube"],))
            if j >= 0:
                code[i] = (ELEM, _O["inv_cube"], r, n, code[j, 4], 0, code[j, 6], 0)
                reads[j] = 0
                changed = True
    if not changed:
        return p
    return without_dead_rows(build(code, p.index, p.constants, p.outputs, p.n_inputs,
                                   p.guards))


# ---------------------------------------------------------------------------
# The scalar program of the same function.

def _elem_rows(code, slotmap, first):
    """Scalar rows (opcode, arg0, arg1) of every element of the ELEM rows of
    ``code``, in order, and the position of each in the expansion."""
    opc, n, a0, a1, p, q = code[:, 1], code[:, 3], code[:, 4], code[:, 5], code[:, 6], code[:, 7]
    total = int(n.sum())
    row = np.repeat(np.arange(len(code)), n)
    j = np.arange(total, dtype=I64) - np.repeat(np.cumsum(n) - n, n)
    op = opc[row]
    kind = KINDS[op]
    s0 = a0[row] + j * p[row]
    s1 = a1[row] + j * q[row]
    arg0 = np.where(kind == ops.CONST, s0, slotmap[np.where(kind == ops.CONST, 0, s0)])
    arg1 = np.where(kind == ops.VV, slotmap[np.where(kind == ops.VV, s1, 0)],
                    np.where((kind == ops.VC) | (kind == ops.CV), s1, 0))
    return op, arg0, arg1, first[row] + j


def expand(p: ArrayProgram) -> dict:
    """The scalar program of ``p`` (parts for :class:`adjit.Tape`): one row per
    element of an ELEM row, sums and products as chains of ``add`` and ``mul``
    rows in the order the array kernels add, gathers as references to their
    sources' slots."""
    code = p.code
    kind, n, a0, a1, pp, qq = code[:, 0], code[:, 3], code[:, 4], code[:, 5], code[:, 6], code[:, 7]
    m = np.where(qq > 0, n // np.maximum(qq, 1), 0)
    count = np.select(
        [kind == ELEM, kind == GATHER,
         (kind == SUM) & (pp == 1), kind == SUM,
         (kind == MATMUL) & (pp == 0), kind == MATMUL],
        [n, 0, 0, np.where(pp == 0, n, n * (pp - 1)), n, n * (2 * pp - 1)])
    generated = {}
    for i in np.flatnonzero(kind == LINALG):
        rows, results = matrix_rules.scalar_rows(int(code[i, 1]), int(pp[i]), int(qq[i]))
        generated[i] = rows, results
        count[i] = len(rows) + sum(r[0] == "C" for r in results)
    first = p.n_inputs + np.cumsum(count) - count  # first scalar slot of each row's rows
    total = int(count.sum())
    slotmap = np.empty(p.n_slots, dtype=I64)
    slotmap[:p.n_inputs] = np.arange(p.n_inputs)
    # the slot holding each element's final value, in the expansion
    final = np.select([kind == SUM, kind == MATMUL],
                      [first + np.maximum(count - n, 0), first + np.maximum(count - n, 0)],
                      first)
    direct = np.flatnonzero((count > 0) & (n > 0) & (kind != LINALG))
    if direct.size:
        rows = np.repeat(direct, n[direct])
        j = np.arange(int(n[direct].sum())) - np.repeat(np.cumsum(n[direct]) - n[direct],
                                                        n[direct])
        slotmap[code[rows, 2] + j] = final[rows] + j
    consts = np.asarray(p.constants)
    zero = len(consts)  # a 0.0 appended for empty sums and products
    needs_zero = bool(((kind == SUM) | (kind == MATMUL))[count > 0].any()
                      and (pp[(count > 0) & ((kind == SUM) | (kind == MATMUL))] == 0).any())
    extra = []  # the matrix rows' constants, after the 0.0
    out = np.zeros((total, 4), dtype=np.int64)
    elem = np.flatnonzero(kind == ELEM)
    # rows are filled in order; gathers and one-term sums only map slots, and
    # must be mapped before a later row reads them
    for i in np.flatnonzero(kind != ELEM):
        if kind[i] == LINALG:
            _expand_matrix(generated[i], code[i], int(first[i] - p.n_inputs), p.n_inputs,
                           slotmap, out, extra, len(consts) + needs_zero)
        elif kind[i] == GATHER:
            idx = p.index[a0[i]:a0[i] + n[i]]
            slotmap[code[i, 2]:code[i, 2] + n[i]] = slotmap[idx]
        elif kind[i] == SUM and pp[i] == 1:  # one term: the sum is its operand
            slotmap[code[i, 2]:code[i, 2] + n[i]] = slotmap[a0[i] + np.arange(n[i])]
    if elem.size:
        op, arg0, arg1, at = _elem_rows(code[elem], slotmap, first[elem])
        at = at - p.n_inputs
        out[at, 0], out[at, 2], out[at, 3] = op, arg0, arg1
    add, mul, mul_vc = ops.OPCODES["add"], ops.OPCODES["mul"], ops.OPCODES["mul_vc"]
    for i in np.flatnonzero((kind == SUM) | (kind == MATMUL)):
        if count[i] == 0:
            continue
        at = first[i] - p.n_inputs
        L = n[i]
        q, k = qq[i], pp[i]
        if k == 0:  # an empty sum or product: 0.0
            out[at:at + L, 0] = 0
            out[at:at + L, 2] = zero
            continue
        o = np.arange(L)
        if kind[i] == SUM:
            rowo, col = o // q, o % q
            terms = [slotmap[a0[i] + (rowo * k + t) * q + col] for t in range(k)]
            prev = terms[0]
            for t in range(1, k):
                out[at:at + L, 0] = add
                out[at:at + L, 2] = prev
                out[at:at + L, 3] = terms[t]
                prev = p.n_inputs + at + o
                at += L
            continue
        rowo, col = o // q, o % q
        mode = code[i, 1]
        prev = None
        for t in range(k):
            ia = a0[i] + rowo * k + t
            ib = a1[i] + t * q + col
            if mode == MM_VV:
                out[at:at + L, 0], out[at:at + L, 2], out[at:at + L, 3] = mul, slotmap[ia], \
                    slotmap[ib]
            elif mode == MM_CV:
                out[at:at + L, 0], out[at:at + L, 2], out[at:at + L, 3] = mul_vc, slotmap[ib], ia
            else:
                out[at:at + L, 0], out[at:at + L, 2], out[at:at + L, 3] = mul_vc, slotmap[ia], ib
            prod = p.n_inputs + at + o
            at += L
            if prev is None:
                prev = prod
            else:
                out[at:at + L, 0], out[at:at + L, 2], out[at:at + L, 3] = add, prev, prod
                prev = p.n_inputs + at + o
                at += L
    out[:, 1] = np.arange(p.n_inputs, p.n_inputs + total)
    constants = np.append(consts, 0.0) if needs_zero else consts
    if extra:
        constants = np.append(constants, extra)
    guards = np.asarray(p.guards).copy()
    if len(guards):
        guards[:, 0] = slotmap[guards[:, 0]]
    return dict(instructions=out.astype(np.int32), constants=constants,
                outputs=slotmap[np.asarray(p.outputs)].astype(np.int32), n_inputs=p.n_inputs,
                guards=guards.astype(np.int32))


def _expand_matrix(gen, row, at, n_in, slotmap, out, extra, cbase) -> None:
    """Write a LINALG row's scalar rows (:func:`adjit.matrix_rules.scalar_rows`)
    from ``out[at]`` on, constants appended to ``extra``; map its results."""
    rows, results = gen
    a0, a1, r = int(row[4]), int(row[5]), int(row[2])

    def ref(x):
        tag, v = x
        if tag == "A":
            return slotmap[a0 + v]
        if tag == "B":
            return slotmap[a1 + v]
        if tag == "T":
            return n_in + at + v
        extra.append(v)
        return cbase + len(extra) - 1

    opcodes = ops.OPCODES
    for j, (name, x, y) in enumerate(rows):
        out[at + j, 0] = opcodes[name]
        out[at + j, 2] = ref(x)
        out[at + j, 3] = 0 if y is None else ref(y)
    load = at + len(rows)
    for j, x in enumerate(results):
        if x[0] == "C":
            out[load, 0] = ops.OPCODES["const"]
            out[load, 2] = ref(x)
            slotmap[r + j] = n_in + load
            load += 1
        else:
            slotmap[r + j] = ref(x)


# ---------------------------------------------------------------------------
# NumPy evaluation: the tracer's branch values and the no-compile tier.

def _operand(src, lo, step, n):
    if n == 0:
        return src[lo:lo]
    if step == 0:
        return np.full(n, src[lo])
    return src[lo:lo + (n - 1) * step + 1:step]


def numpy_rows(code, index, consts, work, partials=None) -> None:
    """Values of ``code``'s rows into ``work`` with NumPy (and, given
    ``partials = (p0, p1)``, the ELEM rows' partials), as the kernels compute them."""
    with np.errstate(all="ignore"):
        for row in np.asarray(code):
            kind, opc, r, n, a0, a1, p, q = (int(v) for v in row)
            if kind == ELEM:
                k = ops.KIND[opc]
                if k == ops.CONST:
                    work[r:r + n] = _operand(consts, a0, p, n)
                    if partials is not None:
                        partials[0][r:r + n] = 0.0
                    continue
                x0 = _operand(work, a0, p, n)
                x1 = (_operand(work, a1, q, n) if k == ops.VV else
                      _operand(consts, a1, q, n) if k in (ops.VC, ops.CV) else np.zeros(n))
                a, b = (x1, x0) if k == ops.CV else (x0, x1)
                value, first, _ = levels.RULES[opc]
                y = np.broadcast_to(np.asarray(value(a, b)[0], dtype=np.float64), (n,))
                work[r:r + n] = y
                if partials is not None:
                    d0, d1 = first(a, b, y)
                    partials[0][r:r + n] = d0
                    if k == ops.VV:
                        partials[1][r:r + n] = d1
            elif kind == SUM:
                outer = n // q
                work[r:r + n] = work[a0:a0 + outer * p * q].reshape(outer, p, q).sum(
                    axis=1).reshape(-1) if n else 0.0
            elif kind == MATMUL:
                m = n // q
                A = (consts if opc == MM_CV else work)[a0:a0 + m * p].reshape(m, p)
                B = (consts if opc == MM_VC else work)[a1:a1 + p * q].reshape(p, q)
                work[r:r + n] = (A @ B).reshape(-1) if n else 0.0
            elif kind == LINALG:
                matrix_rules.values(row, work)
            else:
                work[r:r + n] = work[index[a0:a0 + n]]


def _numpy_reverse(code, index, consts, work, p0, p1, adj) -> None:
    with np.errstate(all="ignore"):
        for row in np.asarray(code)[::-1]:
            kind, opc, r, n, a0, a1, p, q = (int(v) for v in row)
            if n == 0:
                continue
            g = adj[r:r + n]
            if kind == ELEM:
                k = ops.KIND[opc]
                if k == ops.CONST:
                    continue
                for part, lo, step in ((p0, a0, p),) + (((p1, a1, q),) if k == ops.VV else ()):
                    d = part[r:r + n]
                    v = d * g
                    v = np.where((d == 0.0) | (g == 0.0), 0.0, v)  # azmul
                    if step == 0:
                        adj[lo] += v.sum()
                    else:
                        adj[lo:lo + (n - 1) * step + 1:step] += v
            elif kind == SUM:
                outer = n // q
                view = adj[a0:a0 + outer * p * q].reshape(outer, p, q)
                view += g.reshape(outer, 1, q)
            elif kind == MATMUL:
                m = n // q
                G = g.reshape(m, q)
                A = (consts if opc == MM_CV else work)[a0:a0 + m * p].reshape(m, p)
                B = (consts if opc == MM_VC else work)[a1:a1 + p * q].reshape(p, q)
                if opc != MM_CV:
                    adj[a0:a0 + m * p] += (G @ B.T).reshape(-1)
                if opc != MM_VC:
                    adj[a1:a1 + p * q] += (A.T @ G).reshape(-1)
            elif kind == LINALG:
                matrix_rules.adjoint(row, work, adj)
            else:
                np.add.at(adj, index[a0:a0 + n], g)


def pieces(code) -> tuple:
    """``code``'s rows in order as runs for the kernels, ``(lo, hi)``, and the
    LINALG rows between them (their row numbers): every kernel call takes a
    run, so no kernel reads a matrix row."""
    kind = np.asarray(code)[:, 0]
    out, lo = [], 0
    for i in np.flatnonzero(kind == LINALG).tolist():
        if i > lo:
            out.append((lo, i))
        out.append(i)
        lo = i + 1
    if lo < len(kind):
        out.append((lo, len(kind)))
    return tuple(out)


def run_by_pieces(run, kernel, code, index, consts, work, *bufs, memo=None) -> None:
    """``run(kernel, rows, index, consts, work, *bufs)`` on each run of rows of
    ``code``, a forward kernel (run_values, run_partials, run_second), and the
    LINALG rows' values between them (factorizations into ``memo``)."""
    for piece in pieces(code):
        if type(piece) is tuple:
            run(kernel, code[piece[0]:piece[1]], index, consts, work, *bufs)
        else:
            matrix_rules.values(code[piece], work, memo, piece)


def numpy_reverse(code, index, consts, kinds, flags, work, p0, p1, adj):
    """:func:`adjit.array_sweeps.reverse` with NumPy (every adjoint summed:
    the plans of programs with matrix rows assign none)."""
    _numpy_reverse(code, index, consts, work, p0, p1, adj)


def flip(guards, work) -> int:
    """The first guard whose condition differs from its recorded outcome, or -1."""
    if not len(guards):
        return -1
    bad = np.flatnonzero((work[guards[:, 0]] != 0.0) != (guards[:, 1] != 0))
    return int(bad[0]) if bad.size else -1


def numpy_run_values(code, index, consts, work):
    """:func:`adjit.array_sweeps.run_values` with NumPy."""
    numpy_rows(code, index, consts, work)


def numpy_run_partials(code, index, consts, work, p0, p1):
    """:func:`adjit.array_sweeps.run_partials` with NumPy."""
    numpy_rows(code, index, consts, work, (p0, p1))


def numpy_gradient(code, index, consts, kinds, flags, zero, out, work, p0, p1, adj, g):
    """:func:`adjit.array_sweeps.gradient` with NumPy (every adjoint summed)."""
    adj[:] = 0.0
    adj[out] = 1.0
    _numpy_reverse(code, index, consts, work, p0, p1, adj)
    g[:] = adj[:g.shape[0]]


def numpy_batch_gradient(code, index, consts, kinds, flags, zero, out, guards, xs, work, p0,
                         p1, adj, ys, gs, flips):
    """:func:`adjit.array_sweeps.batch_gradient` with NumPy."""
    for k in range(xs.shape[0]):
        work[:xs.shape[1]] = xs[k]
        numpy_rows(code, index, consts, work, (p0, p1))
        ys[k] = work[out]
        flips[k] = flip(guards, work)
        numpy_gradient(code, index, consts, kinds, flags, zero, out, work, p0, p1, adj, gs[k])


def numpy_forward(code, index, consts, outputs, guards, x, work):
    """Outputs and the first flipped guard at ``x``, with NumPy."""
    work[:x.shape[0]] = x
    numpy_rows(code, index, consts, work)
    return work[outputs].copy(), flip(guards, work)


def numpy_value_and_gradient(code, index, consts, kinds, flags, zero, outputs, guards, x, work,
                             p0, p1, adj):
    """Value, gradient and the first flipped guard at ``x``, with NumPy."""
    work[:x.shape[0]] = x
    numpy_rows(code, index, consts, work, (p0, p1))
    g = np.empty(x.shape[0])
    numpy_gradient(code, index, consts, kinds, flags, zero, outputs[0], work, p0, p1, adj, g)
    return float(work[outputs[0]]), g, flip(guards, work)


def register() -> None:
    """Give :mod:`adjit.tiers` the NumPy equivalents of the array kernels."""
    tiers.EQUIVALENT[K.run_values] = numpy_run_values
    tiers.EQUIVALENT[K.run_partials] = numpy_run_partials
    tiers.EQUIVALENT[K.gradient] = numpy_gradient
    tiers.EQUIVALENT[K.batch_gradient] = numpy_batch_gradient
    tiers.EQUIVALENT[K.reverse] = numpy_reverse


register()
