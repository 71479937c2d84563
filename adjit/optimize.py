"""The tape optimizer: one linear pass that makes a recorded tape smaller and
cheaper without changing what it computes, run by :func:`adjit.trace` by default.

One forward pass over the instructions, with a hash table of the
instructions emitted so far (CppAD's ``optimize``, CasADi's CSE), then one
backward pass:

* **constant folding** -- an op whose operands are all constants becomes a
  constant, computed by :func:`adjit.ops.fold` (the tracer's own folding rule);
  constant operands select the ``vc``/``cv`` variants, never a slot;
* **exact identities** -- rewrites that give the same bits for every input,
  including ``-0.0``, ``inf`` and ``nan``:
  ``x*1 -> x``, ``x*-1 -> -x``, ``x/1 -> x``, ``x/-1 -> -x``, ``x-0 -> x``,
  ``-0-x -> -x``, ``x+(-0) -> x``, ``-(-x) -> x``, ``x+(-y) -> x-y``,
  ``(-x)+y -> y-x``, ``x-(-y) -> x+y``, ``(-x)*(-y) -> x*y``, ``x*x -> square(x)``,
  ``1/x -> reciprocal(x)``, ``x**1 -> x``, ``x**0 -> 1`` (also for nan, as
  IEEE ``pow`` does), ``where`` on a constant condition -> the chosen side.
  ``x+0`` (which maps ``-0.0`` to ``+0.0``) is dropped only where ``x`` cannot
  be ``-0.0`` (a light sign-of-zero analysis: ``abs``, ``square``, ``exp``,
  comparisons, sums with a nonzero constant, ... never give ``-0.0``), which
  covers the ``0 + x`` that Python's ``sum()`` starts with;
* **strength reduction** -- ``x/c -> x*(1/c)`` when ``c`` is a power of two
  (exact), ``x**2 -> square(x)``, ``x**-1 -> reciprocal(x)`` (as the tracer
  records them), integer powers ``3 <= n <= 8`` by repeated squaring
  (``x**3 -> square(x)*x``, ``x**6 -> square(square(x)*x)``) and ``x**-3 ->
  inv_cube(x)``, which agree with ``pow`` to rounding (a few ulp, not bit for
  bit; ``x**-3`` gives 0 where ``x**3`` overflows but ``x**-3`` would be a
  subnormal, beyond ``|x| > 5.6e102``). Other negative powers stay ``pow``: as a
  reciprocal of a product their derivative would overflow in between (``-y*y``)
  long before the true one does. And
  ``x**0.5 -> sqrt(x)``, which differs from ``pow`` at two points only:
  ``sqrt(-0.0)`` is ``-0.0`` where ``pow(-0.0, 0.5)`` is ``+0.0``, and
  ``sqrt(-inf)`` is ``nan`` where ``pow(-inf, 0.5)`` is ``+inf``;
* **common subexpressions** -- an instruction equal to one already emitted
  (same opcode, same operands after the rewrites) reuses its slot; operands of
  commutative ops (``+ * hypot == != and or``) are sorted first and
  ``c < x`` becomes ``x > c``, so ``a*b`` and ``b*a`` meet. ``minimum`` and
  ``maximum`` are not reordered: at a tie of ``-0.0`` and ``+0.0`` their
  result depends on the order;
* **dead code** -- instructions that reach no output and no branch guard are
  dropped, and so are constants no instruction uses;
* **fusion** -- a single-use intermediate merges into its reader:
  ``square(a - b) -> sqdiff(a, b)`` (also with a constant ``a`` or ``b``) and
  ``square(a) * a -> cube(a)`` and ``1/cube(a) -> inv_cube(a)`` (the r**-6 of
  pair potentials from r**2), the same bits with one instruction instead of
  two (:func:`_fuse`);
* **scheduling** -- instructions are reordered as late as possible (ALAP),
  which interleaves independent chains so that the sweeps overlap them
  instead of waiting on each store-to-load round trip (the adjoint sweep of
  a loop-shaped tape runs 1.5-2x faster), unless that would keep many more
  values alive at once than the recorded order (:func:`_reschedule`).

Outputs (also repeated ones, and outputs that are inputs) and branch guards
are remapped; a guarded comparison is always kept. Everything is linear in
the tape's length: the passes are Numba kernels over the tape's arrays, and
return to Python only to fold a constant (rare: the tracer folds operations
on Python numbers itself).

:func:`slot_program` is the second half of the module: liveness-based slot
allocation for value-only evaluation (a work vector of the size of the
largest set of simultaneously live values rather than the whole tape).

The kernels take the op table's facts (operand kinds, variants, ...) as
array arguments instead of freezing them as globals, so a kernel cached on
disk stays correct when :mod:`adjit.ops` changes (Numba's cache only watches
this file).
"""
from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numba import njit

from . import compact, ops, sweeps, tiers
from .errors import TapeError

# ---------------------------------------------------------------------------
# Facts about the op table, as arrays the kernels take as arguments.

_UNARY_V, _VV_V, _VC_V, _CV_V = 0, 1, 2, 3
_BASE_NAMES = [op.name for op in ops.TABLE]
_BASE_INDEX = {name: i for i, name in enumerate(_BASE_NAMES)}

OP_KIND = ops.KIND.astype(np.int64)
OP_BASE = np.array([-1 if v.op is None else _BASE_INDEX[v.op.name] for v in ops.VARIANTS],
                   dtype=np.int64)
BASE_VARIANT = np.full((len(ops.TABLE), 4), -1, dtype=np.int64)
for _v in ops.VARIANTS:
    if _v.op is not None:
        _col = {ops.UNARY: _UNARY_V, ops.VV: _VV_V, ops.VC: _VC_V, ops.CV: _CV_V}[_v.kind]
        BASE_VARIANT[_BASE_INDEX[_v.op.name], _col] = _v.opcode

# f(a, b) == g(b, a): g is f's swap. Used to move a constant operand to the
# right (the only side some ops have a variant for) and to put c < x as x > c.
_SWAPS = {op.name: op.swap for op in ops.TABLE if op.swap}
BASE_SWAP = np.array([_BASE_INDEX[_SWAPS[n]] if n in _SWAPS else -1 for n in _BASE_NAMES],
                     dtype=np.int64)
# Commutative bit for bit, so CSE may sort their operands. minimum/maximum
# are not: minimum(-0.0, 0.0) is -0.0 but minimum(0.0, -0.0) is 0.0.
_CANONICAL = {op.name for op in ops.TABLE if op.canonical}
BASE_CANON = np.array([n in _CANONICAL for n in _BASE_NAMES], dtype=np.int64)
# Ops whose result is never -0.0 whatever the operands (for dropping x + 0).
_NEVER_NEG_ZERO = {op.name for op in ops.TABLE if op.never_neg_zero}
OP_NONNEG_ZERO = np.array([v.op is not None and (v.op.name in _NEVER_NEG_ZERO or v.op.compare)
                           for v in ops.VARIANTS], dtype=np.int64)
# The ops the rewrite rules name, by base index (order: see the _R* below).
RULE_BASES = np.array([_BASE_INDEX[n] for n in (
    "add", "sub", "mul", "div", "pow", "neg", "pick_true", "pick_false", "square",
    "reciprocal", "sqrt", "inv_cube")], dtype=np.int64)
(_RADD, _RSUB, _RMUL, _RDIV, _RPOW, _RNEG, _RPICKT, _RPICKF, _RSQUARE, _RRECIP, _RSQRT,
 _RINV_CUBE) = range(12)

_SMALLEST_NORMAL = 2.2250738585072014e-308
_LARGEST_INVERTIBLE_POW2 = 2.0 ** 1022  # 1/c stays normal, so x*(1/c) == x/c exactly

# ---------------------------------------------------------------------------
# Hash tables: open addressing over int64 keys, linear probing. A table entry
# is an index + 1 into the array that holds the keys (0: empty).


@njit(cache=True, nogil=True)
def _mix(h, mask):
    h = (h ^ (h >> 31)) * 0x7FB5D329728EA185
    h = h ^ (h >> 27)
    return h & mask


@njit(cache=True, nogil=True)
def _const_index(v, consts, cbits, ctab, ctr):
    """Index of float ``v`` in the constant pool, appending it if new.
    Keyed by bits, so 0.0 and -0.0 stay distinct."""
    n = ctr[1]
    consts[n] = v
    key = cbits[n]
    mask = ctab.shape[0] - 1
    h = _mix(key, mask)
    while True:
        e = ctab[h]
        if e == 0:
            ctab[h] = n + 1
            ctr[1] = n + 1
            return n
        if cbits[e - 1] == key:
            return e - 1
        h = (h + 1) & mask


@njit(cache=True, nogil=True)
def _pool(constants, consts, cbits, ctab, ctr):
    """Enter a recorded constant pool; returns each entry's index (duplicates merge)."""
    cmap = np.empty(constants.shape[0], dtype=np.int64)
    for k in range(constants.shape[0]):
        cmap[k] = _const_index(constants[k], consts, cbits, ctab, ctr)
    return cmap


# The helpers below are inlined into the pass (Numba IR inlining): a call
# per instruction would cost more in argument passing than the work itself.


@njit(cache=True, nogil=True, inline="always")
def _emit(op, a0, a1, n_in, code, ttab, ctr, nz, consts, cbits, facts):
    """Slot of instruction (op, a0, a1): an equal one emitted before, else a new one."""
    mask = ttab.shape[0] - 1
    h = _mix(op * 1000003 + a0 * 0x9E3779B1 + a1 * 0x632BE5AB, mask)
    while True:
        e = ttab[h]
        if e == 0:
            break
        j = e - 1
        if code[j, 0] == op and code[j, 1] == a0 and code[j, 2] == a1:
            return n_in + j
        h = (h + 1) & mask
    j = ctr[0]
    ctr[0] = j + 1
    code[j, 0] = op
    code[j, 1] = a0
    code[j, 2] = a1
    ttab[h] = j + 1
    # Can the result be -0.0? (x + y is -0.0 only when both are -0.0; x - y only
    # when x is -0.0 and y is +0.0; both in round-to-nearest.)
    kind = facts.kind[op]
    base = facts.base[op]
    rules = facts.rules
    safe = facts.nonneg_zero[op] != 0
    if base == rules[_RADD]:
        if kind == 2:
            safe = nz[a0] != 0 or nz[a1] != 0
        else:
            safe = nz[a0] != 0 or not (consts[a1] == 0.0 and cbits[a1] < 0)
    elif base == rules[_RSUB]:
        if kind == 2:
            safe = nz[a0] != 0
        elif kind == 3:
            safe = nz[a0] != 0 or not (consts[a1] == 0.0 and cbits[a1] >= 0)
        else:
            safe = not (consts[a1] == 0.0 and cbits[a1] < 0)
    elif kind == 0:
        safe = not (consts[a0] == 0.0 and cbits[a0] < 0)
    nz[n_in + j] = 1 if safe else 0
    return n_in + j


@njit(cache=True, nogil=True, inline="always")
def _generic(base, A, B, arity, n_in, code, ttab, ctr, nz, consts, cbits, facts):
    """Emit base op on operands A, B (slot >= 0, or constant -(k+1)); at least
    one is a slot. Returns the result's slot, or -1 for an impossible form."""
    variant = facts.variant
    op = -1
    x = A
    y = 0
    if arity == 1:
        op = variant[base, _UNARY_V]
    elif A < 0:  # constant left operand: prefer x OP' c, the form CSE compares
        x = B
        y = -A - 1
        swap = facts.swap[base]
        op = variant[swap, _VC_V] if swap >= 0 else variant[base, _CV_V]
    elif B < 0:
        y = -B - 1
        op = variant[base, _VC_V]
    else:
        y = B
        if facts.commutes[base] != 0 and A > B:
            x = B
            y = A
        op = variant[base, _VV_V]
    if op < 0:
        return -1
    return _emit(op, x, y, n_in, code, ttab, ctr, nz, consts, cbits, facts)


@njit(cache=True, nogil=True, inline="always")
def _is_op(s, base, n_in, code, facts):
    return s >= n_in and facts.base[code[s - n_in, 0]] == base


@njit(cache=True, nogil=True)
def _forward_pass(opcode, arg0, arg1, n_in, cmap, slot_of, code, ttab, ctr, nz, consts, cbits,
                  ctab, facts, start, pending, has_pending, request):
    """Rewrite instructions start.. into ``code``; slot_of[old slot] is the new
    slot (>= 0) or constant -(k+1). Returns the index of an instruction whose
    operands are all constant (``request`` holds them; the caller folds it and
    calls again with the value pending), -(i+1) for an unsupported form at
    instruction i, or len(opcode) when done."""
    kind_of = facts.kind
    base_of = facts.base
    swap_of = facts.swap
    r = facts.rules
    ADD, SUB, MUL, DIV, POW, NEG = r[_RADD], r[_RSUB], r[_RMUL], r[_RDIV], r[_RPOW], r[_RNEG]
    i = start
    if has_pending:
        slot_of[n_in + i] = -_const_index(pending, consts, cbits, ctab, ctr) - 1
        i += 1
    n = opcode.shape[0]
    while i < n:
        op = opcode[i]
        kind = kind_of[op]
        if kind == 0:
            slot_of[n_in + i] = -cmap[arg0[i]] - 1
            i += 1
            continue
        base = base_of[op]
        A = slot_of[arg0[i]]
        B = 0
        arity = 2
        if kind == 1:
            arity = 1
        elif kind == 2:
            B = slot_of[arg1[i]]
        elif kind == 3:
            B = -cmap[arg1[i]] - 1
        else:  # cv: the formula's a is the constant
            B = A
            A = -cmap[arg1[i]] - 1
        if A < 0 and (arity == 1 or B < 0):
            request[0] = consts[-A - 1]
            request[1] = consts[-B - 1] if arity == 2 else 0.0
            return i

        # Rewrite rules: each either settles the result (an existing slot or a
        # constant) or rewrites (base, A, B), possibly for another round.
        s = 0
        done = False
        power = 0  # x**n, 3 <= n <= 8: a product chain
        for _ in range(3):
            if arity == 1:
                if base == NEG and _is_op(A, NEG, n_in, code, facts):
                    s = code[A - n_in, 1]  # -(-x) = x
                    done = True
                break
            if base == r[_RPICKT] or base == r[_RPICKF]:
                if A < 0:  # where() on a constant condition
                    done = True
                    if (consts[-A - 1] != 0.0) == (base == r[_RPICKT]):
                        s = B
                    else:
                        s = -_const_index(0.0, consts, cbits, ctab, ctr) - 1
                break
            if A < 0 and swap_of[base] == base:  # commutative: constant to the right
                A, B = B, A
            if B < 0:
                c = consts[-B - 1]
                neg_zero = c == 0.0 and cbits[-B - 1] < 0
                if base == ADD:
                    if neg_zero or (c == 0.0 and nz[A] != 0):
                        s = A
                        done = True
                elif base == SUB:
                    if c == 0.0 and not neg_zero:
                        s = A
                        done = True
                elif base == MUL or base == DIV:
                    if c == 1.0:
                        s = A
                        done = True
                    elif c == -1.0:
                        base, B, arity = NEG, 0, 1
                        continue
                    elif base == DIV:
                        m, _ = math.frexp(c)
                        if (abs(m) == 0.5 and abs(c) >= _SMALLEST_NORMAL
                                and abs(c) <= _LARGEST_INVERTIBLE_POW2):
                            B = -_const_index(1.0 / c, consts, cbits, ctab, ctr) - 1
                            base = MUL
                elif base == POW:
                    if c == 1.0:
                        s = A
                        done = True
                    elif c == 0.0:
                        s = -_const_index(1.0, consts, cbits, ctab, ctr) - 1
                        done = True
                    elif c == 2.0:
                        base, B, arity = r[_RSQUARE], 0, 1
                    elif c == -1.0:
                        base, B, arity = r[_RRECIP], 0, 1
                    elif c == 0.5:
                        base, B, arity = r[_RSQRT], 0, 1
                    elif c == -3.0:
                        base, B, arity = r[_RINV_CUBE], 0, 1
                    elif c == math.floor(c) and 3.0 <= c <= 8.0:
                        power = int(c)
            elif A < 0:
                c = consts[-A - 1]
                if base == SUB and c == 0.0 and cbits[-A - 1] < 0:  # -0 - x = -x
                    base, A, B, arity = NEG, B, 0, 1
                    continue
                if base == DIV and c == 1.0:
                    base, A, B, arity = r[_RRECIP], B, 0, 1
            else:  # two slots
                if base == ADD:
                    if _is_op(B, NEG, n_in, code, facts):  # x + (-y) = x - y
                        base, B = SUB, code[B - n_in, 1]
                    elif _is_op(A, NEG, n_in, code, facts):  # (-x) + y = y - x
                        base, A, B = SUB, B, code[A - n_in, 1]
                elif base == SUB:
                    if _is_op(B, NEG, n_in, code, facts):  # x - (-y) = x + y
                        base, B = ADD, code[B - n_in, 1]
                elif base == MUL:
                    if _is_op(A, NEG, n_in, code, facts) and _is_op(B, NEG, n_in, code, facts):
                        A, B = code[A - n_in, 1], code[B - n_in, 1]  # (-x)(-y) = xy
                    if A == B:
                        base, B, arity = r[_RSQUARE], 0, 1
            break
        if not done and power != 0:
            # Left-to-right binary powering: square for each further bit of n,
            # times x where the bit is set (x**6 = square(square(x) * x)); the
            # fusion pass then makes a cube of square(x) * x.
            k = power
            top_bit = 1
            while top_bit * 2 <= k:
                top_bit *= 2
            s = A
            top_bit //= 2
            while top_bit > 0:
                s = _generic(r[_RSQUARE], s, 0, 1, n_in, code, ttab, ctr, nz, consts, cbits,
                             facts)
                if k & top_bit:
                    s = _generic(MUL, s, A, 2, n_in, code, ttab, ctr, nz, consts, cbits, facts)
                top_bit //= 2
        elif not done:
            s = _generic(base, A, B, arity, n_in, code, ttab, ctr, nz, consts, cbits, facts)
            if s == -1:
                return -(i + 1)
        slot_of[n_in + i] = s
        i += 1
    return n


@njit(cache=True, nogil=True)
def _constant_outputs(out_slots, n_in, code, ttab, ctr, nz, consts, cbits, facts):
    """Give each constant output a slot: a const load (shared by equal constants)."""
    for k in range(out_slots.shape[0]):
        if out_slots[k] < 0:
            out_slots[k] = _emit(0, -out_slots[k] - 1, 0, n_in, code, ttab, ctr, nz, consts,
                                 cbits, facts)


@njit(cache=True, nogil=True)
def _renumber(keep, n_in):
    """(new slot of each slot, -1 where not kept; instructions kept): inputs
    stay, kept instructions close ranks."""
    new_slot = np.empty(n_in + keep.shape[0], dtype=np.int64)
    for s in range(n_in):
        new_slot[s] = s
    m = 0
    for j in range(keep.shape[0]):
        if keep[j]:
            new_slot[n_in + j] = n_in + m
            m += 1
        else:
            new_slot[n_in + j] = -1
    return new_slot, m


@njit(cache=True, nogil=True)
def _move_rows(instr, new_slot, n_in, m, kind_of):
    """The m instructions new_slot keeps, each at its new row with its result
    and variable operands renumbered (constant operands stay)."""
    out = np.empty((m, 4), dtype=instr.dtype)
    for i in range(instr.shape[0]):
        j = new_slot[n_in + i] - n_in
        if j < 0:
            continue
        op = instr[i, 0]
        kind = kind_of[op]
        out[j, 0] = op
        out[j, 1] = n_in + j
        out[j, 2] = instr[i, 2] if kind == 0 else new_slot[instr[i, 2]]
        out[j, 3] = new_slot[instr[i, 3]] if kind == 2 else instr[i, 3]
    return out


@njit(cache=True, nogil=True)
def _finish(code, n_emit, n_in, n_const, out_slots, guard_slots, kind_of):
    """Dead-code elimination and renumbering of the emitted instructions and
    the constants they use. Returns (instructions, which constants are used,
    the new slot of each emitted slot)."""
    live = np.zeros(n_emit, dtype=np.bool_)
    for s in out_slots:
        if s >= n_in:
            live[s - n_in] = True
    for s in guard_slots:
        live[s - n_in] = True
    used_const = np.zeros(n_const, dtype=np.bool_)
    for j in range(n_emit - 1, -1, -1):
        if not live[j]:
            continue
        kind = kind_of[code[j, 0]]
        if kind == 0:
            used_const[code[j, 1]] = True
            continue
        if code[j, 1] >= n_in:
            live[code[j, 1] - n_in] = True
        if kind == 2:
            if code[j, 2] >= n_in:
                live[code[j, 2] - n_in] = True
        elif kind >= 3:
            used_const[code[j, 2]] = True
    new_const = np.full(n_const, -1, dtype=np.int64)
    kept = 0
    for k in range(n_const):
        if used_const[k]:
            new_const[k] = kept
            kept += 1
    new_slot, m = _renumber(live, n_in)
    instr = np.empty((m, 4), dtype=np.int32)
    i = 0
    for j in range(n_emit):
        if not live[j]:
            continue
        op = code[j, 0]
        kind = kind_of[op]
        instr[i, 0] = op
        instr[i, 1] = n_in + i
        if kind == 0:
            instr[i, 2] = new_const[code[j, 1]]
            instr[i, 3] = 0
        else:
            instr[i, 2] = new_slot[code[j, 1]]
            if kind == 2:
                instr[i, 3] = new_slot[code[j, 2]]
            elif kind >= 3:
                instr[i, 3] = new_const[code[j, 2]]
            else:
                instr[i, 3] = 0
        i += 1
    return instr, used_const, new_slot


#: opcodes the fusion rules read and write, in the order of the _F* below
FUSE_OPCODES = np.array([ops.OPCODES[n] for n in (
    "sub", "sub_vc", "sub_cv", "square", "mul", "sqdiff", "sqdiff_vc", "sqdiff_cv", "cube",
    "reciprocal", "inv_cube")], dtype=np.int64)
(_FSUB, _FSUB_VC, _FSUB_CV, _FSQUARE, _FMUL, _FSQD, _FSQD_VC, _FSQD_CV, _FCUBE, _FRECIP,
 _FINV_CUBE) = range(11)


@njit(cache=True, nogil=True)
def _fuse(instr, n_in, out_slots, guard_slots, kind_of, fop):
    """Fuse an instruction with a single-use operand into one fused instruction:
    ``square(a - b) -> sqdiff(a, b)`` (also with a constant a or b) and
    ``square(a) * a -> cube(a)``, ``reciprocal(cube(a)) -> inv_cube(a)``. Each
    fused op computes the same value bits as the pair (partials to rounding).
    Returns (instructions, the new slot of each old slot, -1 if fused away).

    Why: a tape interpreter pays per instruction (dispatch, a store and a
    reload of the intermediate, two partials and an adjoint update), so one
    instruction for two is up to twice as fast; squared differences are the
    bulk of least squares, distances and Rosenbrock-like objectives."""
    n = instr.shape[0]
    uses = np.zeros(n_in + n, dtype=np.int64)
    for i in range(n):
        kind = kind_of[instr[i, 0]]
        if kind != 0:
            uses[instr[i, 2]] += 1
            if kind == 2:
                uses[instr[i, 3]] += 1
    for s in out_slots:
        uses[s] += 1  # outputs and guarded conditions must stay slots
    for s in guard_slots:
        uses[s] += 1
    out = instr  # rewritten in place: the caller's fresh array from _finish
    dead = np.zeros(n, dtype=np.bool_)
    for i in range(n):
        op = out[i, 0]
        if op == fop[_FSQUARE]:
            s = out[i, 2]
            if s >= n_in and uses[s] == 1:
                j = s - n_in
                inner = out[j, 0]
                fused = -1
                if inner == fop[_FSUB]:
                    fused = fop[_FSQD]
                elif inner == fop[_FSUB_VC]:
                    fused = fop[_FSQD_VC]
                elif inner == fop[_FSUB_CV]:
                    fused = fop[_FSQD_CV]
                if fused >= 0:  # same operand layout as the sub's
                    out[i, 0] = fused
                    out[i, 2] = out[j, 2]
                    out[i, 3] = out[j, 3]
                    dead[j] = True
        elif op == fop[_FRECIP]:
            s = out[i, 2]
            if s >= n_in and uses[s] == 1 and out[s - n_in, 0] == fop[_FCUBE]:
                out[i, 0] = fop[_FINV_CUBE]
                out[i, 2] = out[s - n_in, 2]
                dead[s - n_in] = True
        elif op == fop[_FMUL]:
            for side in range(2):
                p = out[i, 2 + side]
                q = out[i, 3 - side]
                if (p >= n_in and uses[p] == 1 and out[p - n_in, 0] == fop[_FSQUARE]
                        and out[p - n_in, 2] == q):
                    out[i, 0] = fop[_FCUBE]
                    out[i, 2] = q
                    out[i, 3] = 0
                    dead[p - n_in] = True
                    break
    new_slot, m = _renumber(~dead, n_in)
    if m == n:
        return out, new_slot
    return _move_rows(out, new_slot, n_in, m, kind_of), new_slot


@njit(cache=True, nogil=True)
def _schedule(instr, n_in, kind_of):
    """Reorder instructions as late as possible (ALAP): stably by decreasing
    height, the longest path from an instruction to a result nobody reads.
    Returns (instructions, the new slot of each old slot).

    Why: a tape in recording order is a chain of dependent instructions
    (``t = x - y; u = t*t; s = s + u`` ...), each reading a value its
    predecessor just stored, so the sweeps run at the latency of a
    store-to-load round trip rather than at the rate the core can issue them.
    Instructions of one height are mutually independent, and ALAP interleaves
    the next few chains (loop iterations) so that the core overlaps them; the
    adjoint sweep, which walks this order backwards, gains the most. Unlike
    sorting by depth (ASAP) it never pulls work far ahead of its use, so a
    running sum (a chain by itself) stays interleaved with the work feeding it,
    and a regular loop keeps a regular opcode sequence, which the dispatch's
    branch predictor needs (a shuffled one costs several times more per
    instruction). Any decreasing-height order is topological: a reader is
    strictly lower than what it reads."""
    n = instr.shape[0]
    height = np.zeros(n, dtype=np.int64)
    top = 0
    for i in range(n - 1, -1, -1):
        kind = kind_of[instr[i, 0]]
        if kind == 0:
            continue
        h = height[i] + 1
        a = instr[i, 2] - n_in
        if a >= 0 and height[a] < h:
            height[a] = h
            top = max(top, h)
        if kind == 2:
            b = instr[i, 3] - n_in
            if b >= 0 and height[b] < h:
                height[b] = h
                top = max(top, h)
    # Counting sort by top - height (stable): linear in the tape's length.
    start = np.zeros(top + 2, dtype=np.int64)
    for i in range(n):
        start[top - height[i] + 1] += 1
    for h in range(1, top + 2):
        start[h] += start[h - 1]
    new_slot = np.empty(n_in + n, dtype=np.int64)
    for s in range(n_in):
        new_slot[s] = s
    for i in range(n):
        k = top - height[i]
        new_slot[n_in + i] = n_in + start[k]
        start[k] += 1
    return _move_rows(instr, new_slot, n_in, n, kind_of), new_slot


_POW_OPCODES = np.array([ops.OPCODES["pow"], ops.OPCODES["pow_vc"]], dtype=np.int32)


class Facts(NamedTuple):
    """The op table's facts as the kernels read them (by field name): per
    opcode its operand kind and base op, and a result that is never -0.0; per
    base op its variants, its swapped form for a constant left operand, and
    whether it commutes; the base ops of the rewrite rules (``_R*``)."""

    kind: np.ndarray
    base: np.ndarray
    variant: np.ndarray
    swap: np.ndarray
    commutes: np.ndarray
    nonneg_zero: np.ndarray
    rules: np.ndarray


_FACTS = Facts(OP_KIND, OP_BASE, BASE_VARIANT, BASE_SWAP, BASE_CANON, OP_NONNEG_ZERO, RULE_BASES)


def _pow2_at_least(n: int) -> int:
    return 1 << max(4, int(n - 1).bit_length())


@njit(cache=True, nogil=True)
def _compose(new_slot, inner):
    """new_slot followed by inner (-1 stays -1)."""
    out = np.empty_like(new_slot)
    for k in range(new_slot.shape[0]):
        s = new_slot[k]
        out[k] = inner[s] if s >= 0 else -1
    return out


@njit(cache=True, nogil=True)
def _reschedule(instr, new_slot, n_in, out_slots, g_slots, kind_of):
    """The ALAP order of :func:`_schedule`, unless it would keep many more
    values alive at once than the recorded order does: then locality is worth
    more than overlap (a residual vector's many short chains, all pushed to
    the end, would spread every read across the whole tape)."""
    if instr.shape[0] < 2:
        return instr, new_slot
    late, order = _schedule(instr, n_in, kind_of)
    outs = new_slot[out_slots]
    guards = new_slot[g_slots]
    live_now = _peak_live(instr, n_in, outs, guards, kind_of)
    live_late = _peak_live(late, n_in, order[outs], order[guards], kind_of)
    if live_late > live_now + live_now // 2 + 16:
        return instr, new_slot
    return late, _compose(new_slot, order)


@njit(cache=True, nogil=True)
def _last_reads(instr, n_in, outputs, guard_slots, kind_of):
    """For each slot, the last instruction reading it: -1 if none, n_ops for
    outputs and guarded conditions (alive to the end)."""
    n = instr.shape[0]
    last = np.full(n_in + n, -1, dtype=np.int64)
    for i in range(n):
        kind = kind_of[instr[i, 0]]
        if kind != 0:
            last[instr[i, 2]] = i
            if kind == 2:
                last[instr[i, 3]] = i
    for s in outputs:
        last[s] = n
    for s in guard_slots:
        last[s] = n
    return last


@njit(cache=True, nogil=True)
def _peak_live(instr, n_in, outputs, guard_slots, kind_of):
    """The work slots :func:`_allocate` would use (the most values alive at
    once, at least n_in), counted without building its program: the optimizer
    compares two orders by it, and each temporary array costs page faults."""
    n = instr.shape[0]
    last = _last_reads(instr, n_in, outputs, guard_slots, kind_of)
    live = 0
    for s in range(n_in):
        if last[s] != -1:
            live += 1
    peak = n_in
    for i in range(n):
        kind = kind_of[instr[i, 0]]
        if kind != 0:
            a0 = instr[i, 2]
            if last[a0] == i:
                live -= 1
            if kind == 2:
                a1 = instr[i, 3]
                if last[a1] == i and a1 != a0:
                    live -= 1
        live += 1
        if live > peak:
            peak = live
        if last[n_in + i] == -1:
            live -= 1
    return peak


@njit(cache=True, nogil=True)
def _finish_all(code, n_emit, n_in, n_const, out_slots, g_slots, kind_of, fop, schedule):
    """Dead code, fusion, scheduling: (instructions, constants used, the new
    slot of each emitted slot). One compiled entry rather than four, because
    a new process loads each cached kernel separately (~10 ms apiece)."""
    instr, used, new_slot = _finish(code, n_emit, n_in, n_const, out_slots, g_slots, kind_of)
    instr, fused = _fuse(instr, n_in, new_slot[out_slots], new_slot[g_slots], kind_of, fop)
    new_slot = _compose(new_slot, fused)
    if schedule:
        instr, new_slot = _reschedule(instr, new_slot, n_in, out_slots, g_slots, kind_of)
    return instr, used, new_slot


def optimize_arrays(opcode, arg0, arg1, constants, outputs, n_inputs, guards=None,
                    schedule=True):
    """Optimize a recording given as arrays (or lists): instruction columns
    ``opcode``, ``arg0``, ``arg1`` (arrays, lists or ``array('i')``; instruction i
    writes slot n_inputs + i),
    the constant pool, output slots and ``(slot, outcome)`` guards.

    Returns ``(instructions, constants, outputs, guards, kept)`` in the form
    :class:`adjit.Tape` takes; ``kept`` marks which guards remain (a guard on
    a comparison that folded to its recorded outcome is dropped).
    ``schedule=False`` keeps the recorded instruction order (no ALAP pass).
    """
    # int32 and contiguous, as the recorder keeps them: one compiled specialization
    opcode, arg0, arg1 = (np.ascontiguousarray(a, dtype=np.int32) for a in (opcode, arg0, arg1))
    constants = np.asarray(constants, dtype=np.float64)
    outputs = np.asarray(outputs, dtype=np.int64)
    guards = np.zeros((0, 2), np.int64) if guards is None else np.asarray(guards, np.int64)
    guards = guards.reshape(-1, 2)
    n_in, n_ops, n_c = int(n_inputs), len(opcode), len(constants)

    # Each instruction emits at most one, except x**n, which emits up to four
    # (n = 7: square, mul, square, mul).
    n_pow = int(np.count_nonzero(np.isin(opcode, _POW_OPCODES)))
    cap_emit = n_ops + 3 * n_pow + len(outputs) + 1
    code = np.empty((cap_emit, 3), dtype=np.int32)
    ttab = np.zeros(_pow2_at_least(2 * cap_emit), dtype=np.int32)  # load factor <= 1/2
    cap_c = n_c + n_ops + len(outputs) + 2
    consts = np.empty(cap_c)
    cbits = consts.view(np.int64)
    ctab = np.zeros(_pow2_at_least(2 * cap_c), dtype=np.int32)
    ctr = np.zeros(2, dtype=np.int64)
    nz = np.zeros(n_in + cap_emit, dtype=np.uint8)
    slot_of = np.empty(n_in + n_ops, dtype=np.int64)
    slot_of[:n_in] = np.arange(n_in)
    cmap = tiers.run(_pool, constants, consts, cbits, ctab, ctr)
    request = np.zeros(2)

    i, pending, has_pending = 0, 0.0, False
    while True:
        i = tiers.run(_forward_pass, opcode, arg0, arg1, n_in, cmap, slot_of, code, ttab, ctr, nz, consts,
                          cbits, ctab, _FACTS, i, pending, has_pending, request)
        if i == n_ops:
            break
        if i < 0:
            j = -i - 1
            raise TapeError(f"instruction {j} ({ops.NAMES[opcode[j]]}): cannot be rewritten "
                            "with a constant operand in this position")
        name = ops.VARIANTS[opcode[i]].op.name
        pending, has_pending = ops.fold(name, request[0], request[1]), True

    # Constant outputs need a slot: a const load (shared by equal constants).
    out_slots = slot_of[outputs]
    if np.any(out_slots < 0):
        tiers.run(_constant_outputs, out_slots, n_in, code, ttab, ctr, nz, consts, cbits, _FACTS)
    # Guards: a guarded comparison that folded to a constant is settled.
    g_slots = slot_of[guards[:, 0]] if len(guards) else np.zeros(0, np.int64)
    kept = np.ones(len(guards), dtype=bool)
    for k in np.flatnonzero(g_slots < 0):
        value = consts[-g_slots[k] - 1]
        if value != guards[k, 1]:
            raise TapeError(f"guard {k}: its comparison is constant ({value}) and contradicts "
                            f"the recorded outcome {guards[k, 1]}")
        kept[k] = False
    g_slots = g_slots[kept]

    instr, used, new_slot = tiers.run(_finish_all, code, int(ctr[0]), n_in, int(ctr[1]), out_slots,
                                        g_slots, OP_KIND, FUSE_OPCODES, bool(schedule))
    outs, gs = new_slot[out_slots].astype(np.int32), new_slot[g_slots].astype(np.int32)
    new_guards = np.empty((len(gs), 2), dtype=np.int32)
    new_guards[:, 0] = gs
    new_guards[:, 1] = guards[kept, 1]
    return instr, consts[: ctr[1]][used], outs, new_guards, kept


def optimize(tape) -> dict:
    """The parts of an optimized copy of ``tape`` (see the module docstring):
    the keyword arguments of :class:`adjit.Tape`, which validates them."""
    if compact.worth_it(tape):  # slot maps over the inputs read, not all declared
        small, used = compact.compact(tape)
        return compact.expand_parts(type(tape)(**optimize(small)), used, tape.n_inputs)
    instr, consts, outs, guards, kept = optimize_arrays(
        tape.opcode, tape.arg0, tape.arg1, tape.constants, tape.outputs, tape.n_inputs,
        tape.guards)
    sources = tuple(s for s, k in zip(tape.guard_sources, kept) if k) \
        if tape.guard_sources else ()
    return dict(instructions=instr, constants=consts, outputs=outs, n_inputs=tape.n_inputs,
                guards=guards, guard_sources=sources)


# ---------------------------------------------------------------------------
# Liveness-based slot allocation for value-only evaluation.


@njit(cache=True, nogil=True)
def _allocate(instr, n_in, outputs, guard_slots, kind_of):
    """Reassign result slots so that a slot is reused once its value is dead.
    Returns (instructions in the same row format, the work slot of each tape
    slot at its last write, work slots used). Inputs keep slots 0..n_in-1 (and are reused after their
    last read); outputs and guarded conditions stay live to the end."""
    n_ops = instr.shape[0]
    n_slots = n_in + n_ops
    last = _last_reads(instr, n_in, outputs, guard_slots, kind_of)
    where = np.empty(n_slots, dtype=np.int64)
    free = np.empty(n_slots, dtype=np.int64)  # a stack: the last freed is reused first
    n_free = 0
    for s in range(n_in - 1, -1, -1):
        where[s] = s
        if last[s] == -1:
            free[n_free] = s
            n_free += 1
    n_work = n_in
    out = np.empty((n_ops, 4), dtype=np.int32)
    for i in range(n_ops):
        op = instr[i, 0]
        kind = kind_of[op]
        a0 = instr[i, 2]
        a1 = instr[i, 3]
        out[i, 0] = op
        out[i, 2] = a0
        out[i, 3] = a1
        if kind != 0:
            out[i, 2] = where[a0]
            # Kernels read the operands before writing the result, so the
            # result may take the slot of an operand read for the last time.
            if last[a0] == i:
                free[n_free] = where[a0]
                n_free += 1
            if kind == 2:
                out[i, 3] = where[a1]
                if last[a1] == i and a1 != a0:
                    free[n_free] = where[a1]
                    n_free += 1
        if n_free > 0:
            n_free -= 1
            w = free[n_free]
        else:
            w = n_work
            n_work += 1
        r = n_in + i
        where[r] = w
        out[i, 1] = w
        if last[r] == -1:  # nobody reads it
            free[n_free] = w
            n_free += 1
    return out, where, n_work


class SlotProgram:
    """A tape's instructions with reused result slots, for value-only sweeps.

    ``instructions`` has the tape's row format ``(opcode, result, arg0, arg1)``
    but results go to any of ``n_work`` slots, so ``sweeps.values`` and
    ``sweeps.forward`` (given its ``dispatch``) run it unchanged on a work
    vector of ``n_work + 1`` entries (the last one is the sink the entry
    points clear). Derivative
    sweeps need every intermediate value and keep using the full tape.
    Validated on construction (:func:`check_program`).
    """

    __slots__ = ("instructions", "constants", "outputs", "guards", "n_inputs", "n_work",
                 "dispatch")

    def __init__(self, instructions, constants, outputs, guards, n_inputs, n_work):
        self.instructions = instructions
        self.constants = constants
        self.outputs = outputs
        self.guards = guards
        self.n_inputs = n_inputs
        self.n_work = n_work
        check_program(self)
        self.dispatch = sweeps.pair_dispatch(instructions[:, 0])

    def __repr__(self):
        return (f"SlotProgram(n_ops={len(self.instructions)}, n_inputs={self.n_inputs}, "
                f"n_work={self.n_work})")


def slot_program(tape) -> SlotProgram:
    """Liveness-based slot allocation of ``tape`` for value-only evaluation
    (CasADi and ADOL-C do this): one linear pass; the work vector shrinks from
    ``n_slots`` to the largest number of values alive at once."""
    guards = tape.guards
    instr, where, n_work = tiers.run(_allocate, tape.instructions, tape.n_inputs, tape.outputs,
                                     guards[:, 0].copy(), OP_KIND)
    outs = where[tape.outputs].astype(np.int32)
    g = np.empty_like(guards)
    g[:, 0] = where[guards[:, 0]]
    g[:, 1] = guards[:, 1]
    for a in (instr, outs, g):
        a.flags.writeable = False
    return SlotProgram(instr, tape.constants, outs, g, tape.n_inputs, int(n_work))


@njit(cache=True, nogil=True)
def _check_program(instr, n_in, n_work, n_const, outputs, guard_slots, kind_of, n_opcodes):
    """(code, index) of the first fault of a slot program, (0, -1) if none."""
    written = np.zeros(n_work, dtype=np.bool_)
    written[:n_in] = True
    for i in range(instr.shape[0]):
        op = instr[i, 0]
        if op < 0 or op >= n_opcodes:
            return 1, i
        kind = kind_of[op]
        a0 = instr[i, 2]
        a1 = instr[i, 3]
        if kind == 0:
            if a0 < 0 or a0 >= n_const:
                return 2, i
        else:
            if a0 < 0 or a0 >= n_work or not written[a0]:
                return 3, i
            if kind == 2:
                if a1 < 0 or a1 >= n_work or not written[a1]:
                    return 3, i
            elif kind >= 3:
                if a1 < 0 or a1 >= n_const:
                    return 2, i
        r = instr[i, 1]
        if r < 0 or r >= n_work:
            return 4, i
        written[r] = True
    for k in range(outputs.shape[0]):
        if outputs[k] < 0 or outputs[k] >= n_work or not written[outputs[k]]:
            return 5, k
    for k in range(guard_slots.shape[0]):
        if guard_slots[k] < 0 or guard_slots[k] >= n_work or not written[guard_slots[k]]:
            return 6, k
    return 0, -1


_PROGRAM_FAULTS = {
    1: "instruction {}: unknown opcode",
    2: "instruction {}: constant index out of range",
    3: "instruction {}: operand slot out of range, or read before any instruction wrote it",
    4: "instruction {}: result slot out of range",
    5: "output {}: slot out of range or never written",
    6: "guard {}: slot out of range or never written",
}


def check_program(p: SlotProgram) -> None:
    """Raise TapeError unless every index of a slot program is safe for the
    kernels: opcodes known, constants and slots in range, and every slot read
    (operands, outputs, guards) an input or written by an earlier instruction.
    (That a slot still holds the *right* value when read is the allocator's
    promise, which the tests check against the full tape.)"""
    instr = p.instructions
    n_in, n_work = int(p.n_inputs), int(p.n_work)
    if not (isinstance(instr, np.ndarray) and instr.ndim == 2 and instr.shape[1] == 4
            and instr.dtype == np.int32):
        raise TapeError("slot program: instructions must be an int32 array of rows of 4")
    if n_in < 1 or n_work < n_in or n_work >= np.iinfo(np.int32).max:
        raise TapeError(f"slot program: bad sizes n_inputs={n_in}, n_work={n_work}")
    guards = np.asarray(p.guards)
    if guards.ndim != 2 or guards.shape[1] != 2:
        raise TapeError("slot program: guards must have shape (n, 2)")
    code, where = tiers.run(_check_program, instr, n_in, n_work, len(p.constants),
                                 np.asarray(p.outputs, np.int64),
                                 np.ascontiguousarray(guards[:, 0], np.int64), OP_KIND,
                                 ops.N_OPCODES)
    if code:
        raise TapeError("slot program: " + _PROGRAM_FAULTS[code].format(where))
