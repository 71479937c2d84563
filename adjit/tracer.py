"""Recording: traced scalars and arrays that append instructions to a tape.

The tracer knows nothing about derivatives. A :class:`Tracer` is a slot
number on a :class:`Recorder`; every operator, NumPy ufunc or ``adjit`` math
function applied to it appends one instruction ``(opcode, result, arg0,
arg1)`` and returns a new tracer. Python numbers become entries of a constant
pool and select the operand-kind variant of the op (``mul_vc``, ``sub_cv``),
so constants never occupy variable slots. Operations on constants alone are
folded at once and never recorded.

The function being traced receives a :class:`TracedArray`: a 1-D NumPy object
array of tracers whose ``__array_ufunc__`` routes ufuncs (calls, reductions,
``outer``) through the same recording functions, so ``np.sum``, ``np.dot``,
``np.minimum`` and friends work on it.
"""
from __future__ import annotations

import bisect
import logging
import math
import operator
import os
import sys
from array import array

import numpy as np

from . import array_tape, config, ops, signature, sweeps, tiers
from .errors import TracingError
from .optimize import optimize_arrays
from .program import as_float_array
from .tape import Tape

_OPCODE = ops.OPCODES
_POW_VC = _OPCODE["pow_vc"]
_SQUARE = _OPCODE["square"]
_SCALARS = (int, float, np.integer, np.floating, bool, np.bool_)
_log = logging.getLogger("adjit")

#: Default largest recording (instructions) :func:`trace` makes before it stops
#: with a TracingError: about 1.2 GB while recording, far more once optimized.
MAX_OPS = 10**8
PROGRESS_EVERY = 10**6  # instructions between progress reports


class Recorder:
    """The growing instruction lists of one trace."""

    __slots__ = ("n_inputs", "opcode", "arg0", "arg1", "constants", "_const_index",
                 "guards", "guard_sources", "guard_policy", "x0", "_work", "_consts",
                 "_n_consts", "_evaluated", "limit", "max_ops", "_progress", "_next_report",
                 "offset", "blocks", "block_starts", "index", "n_index", "_done_blocks",
                 "aranges")

    def __init__(self, n_inputs: int, guard_policy: str = "record", x0=None,
                 max_ops: int = MAX_OPS, progress=None):
        self.n_inputs = n_inputs
        # Array instructions (adjit.array_tracer) take blocks of slots between
        # scalar rows: scalar row k writes slot offset + k, where offset counts
        # the inputs and every block's slots recorded before it.
        self.offset = n_inputs
        self.blocks: list = []  # (scalar rows before it, kind, opcode, n, a0, a1, p, q)
        self.block_starts: list = []  # first slot of each block
        self.index: list = []  # gathers' slot-index arrays, in order
        self.n_index = 0
        self._done_blocks = 0
        self.aranges: dict = {}  # id -> slot-index arrays known to be unchanged ranges
        # Every emit compares its result slot with `limit` (one comparison, so
        # recording stays fast) and calls checkpoint() when it is reached: at
        # max_ops, or at the next progress report.
        self.max_ops = max_ops
        self._progress = progress  # None, or a callable(count) reporting progress
        self._next_report = PROGRESS_EVERY if progress is not None else max_ops
        self.limit = n_inputs + min(max_ops, self._next_report)
        # int32 arrays, not lists: 12 bytes per instruction while recording
        self.opcode = array("i")
        self.arg0 = array("i")
        self.arg1 = array("i")
        self.constants: list[float] = []
        self._const_index: dict = {}
        self.guards: list[tuple[int, int]] = []
        self.guard_sources: list[str] = []
        self.guard_policy = guard_policy  # "record" a guard at bool(), or "error"
        # The point being traced and its values so far, evaluated lazily (only
        # when a branch needs a condition's value) and incrementally.
        self.x0 = None if x0 is None else np.array(x0, dtype=np.float64)
        self._work = self._consts = None
        self._evaluated = 0

    def constant(self, value: float) -> int:
        """Index of ``value`` in the constant pool (shared between uses).
        Keyed by the float's bits, so 0.0 and -0.0 stay distinct."""
        if type(value) is not float:
            value = float(value)
        key = value
        if value == 0.0 or value != value:  # -0.0 == 0.0 and nan != nan as dict keys
            key = ("zero", math.copysign(1.0, value)) if value == 0.0 else "nan"
        index = self._const_index.get(key)
        if index is None:
            index = len(self.constants)
            self.constants.append(value)
            self._const_index[key] = index
        return index

    def emit(self, opcode: int, arg0: int, arg1: int = 0) -> "Tracer":
        """Append one instruction; return the tracer of its result slot."""
        codes = self.opcode
        t = _new_tracer(Tracer)
        t._rec = self
        t._slot = slot = self.offset + len(codes)
        if slot >= self.limit:
            self.checkpoint()
        codes.append(opcode)
        self.arg0.append(arg0)
        self.arg1.append(arg1)
        return t

    def emit_block(self, kind: int, opcode: int, n: int, a0: int, a1: int = 0, p: int = 0,
                   q: int = 0, index=None) -> int:
        """Append one array instruction writing ``n`` new slots; its first slot.
        ``index`` (a gather's slot numbers) goes to the index pool, ``a0``
        then being its offset there."""
        start = self.offset + len(self.opcode)
        if index is not None:
            a0 = self.n_index
            # a copy: the slot numbers of a traced array change when it is assigned into
            index = np.array(index, dtype=np.int64)
            self.index.append(index)
            self.n_index += len(index)
        self.blocks.append((len(self.opcode), kind, opcode, n, a0, a1, p, q))
        self.block_starts.append(start)
        self.offset += n
        if start + n >= self.limit:
            self.limit = max(self.limit, start + n)
            self.checkpoint()
        return start

    def constant_block(self, values) -> int:
        """Append float ``values`` to the constant pool as one run (not shared
        with equal scalars); the index of the first."""
        k = len(self.constants)
        self.constants.extend(np.asarray(values, dtype=np.float64).reshape(-1).tolist())
        return k

    def opcode_of(self, slot: int) -> int:
        """The opcode writing ``slot`` (-1 for an input or a non-elementwise block)."""
        if slot < self.n_inputs:
            return -1
        if not self.blocks:
            return self.opcode[slot - self.n_inputs]
        b = bisect.bisect_right(self.block_starts, slot) - 1
        if b < 0:
            return self.opcode[slot - self.n_inputs]
        pos, kind, opcode, n = self.blocks[b][:4]
        start = self.block_starts[b]
        if slot < start + n:
            return opcode if kind == 0 else -1
        return self.opcode[pos + slot - start - n]

    def code(self, rows_from: int = 0, blocks_from: int = 0) -> np.ndarray:
        """The unified array-program rows (adjit.arrays) of the scalar rows from
        ``rows_from`` and the blocks from ``blocks_from`` on, in recording order."""
        rows_to, blocks_to = len(self.opcode), len(self.blocks)
        ns = rows_to - rows_from
        nb = blocks_to - blocks_from
        code = np.zeros((ns + nb, 8), dtype=np.int64)
        if nb:
            blk = np.array(self.blocks[blocks_from:blocks_to], dtype=np.int64).reshape(-1, 8)
            pos = blk[:, 0] - rows_from
            where_b = pos + np.arange(nb)  # each block after the scalar rows before it
        else:
            blk = np.zeros((0, 8), dtype=np.int64)
            where_b = np.zeros(0, dtype=np.int64)
        is_block = np.zeros(ns + nb, dtype=bool)
        is_block[where_b] = True
        srow = np.flatnonzero(~is_block)
        if ns:
            opc = np.frombuffer(self.opcode, dtype=np.int32)[rows_from:rows_to]
            code[srow, 0] = 0
            code[srow, 1] = opc
            code[srow, 3] = 1
            code[srow, 4] = np.frombuffer(self.arg0, dtype=np.int32)[rows_from:rows_to]
            code[srow, 5] = np.frombuffer(self.arg1, dtype=np.int32)[rows_from:rows_to]
        if nb:
            code[where_b, 0] = blk[:, 1]
            code[where_b, 1] = blk[:, 2]
            code[where_b, 3] = blk[:, 3]
            code[where_b, 4:8] = blk[:, 4:8]
        # result slots: the inputs, then every row's block in order
        base = self._slot_at(rows_from, blocks_from)
        code[:, 2] = base + np.cumsum(code[:, 3]) - code[:, 3]
        return code

    def _slot_at(self, rows: int, blocks: int) -> int:
        """The first slot after ``rows`` scalar rows and ``blocks`` blocks."""
        return self.n_inputs + rows + sum(b[3] for b in self.blocks[:blocks])

    def index_pool(self) -> np.ndarray:
        return (np.concatenate(self.index).astype(np.int64) if self.index
                else np.zeros(0, dtype=np.int64))

    def checkpoint(self) -> None:
        """Called by the emitting code when the result slot reaches ``limit``:
        stop past ``max_ops``, report progress, set the next limit."""
        count = len(self.opcode)
        if count >= self.max_ops:
            raise TracingError(
                f"the recording grew past max_ops={self.max_ops:,} instructions (at "
                f"{_caller()}); a loop that never ends, or a bigger function than expected: "
                "pass a larger max_ops to adjit.trace if it is meant")
        if count >= self._next_report:
            self._progress(count)
            self._next_report = count + PROGRESS_EVERY
        self.limit = self.n_inputs + min(self.max_ops, self._next_report)

    def load_constant(self, value: float) -> "Tracer":
        """A slot holding a constant (for outputs that are plain numbers)."""
        return self.emit(0, self.constant(value))

    # --- branches ---------------------------------------------------------
    def branch(self, t: "Tracer") -> bool:
        """``bool(t)``: record a guard on the condition ``t`` (``t != 0`` when ``t``
        is not a comparison) with its outcome at ``x0`` and the user's line."""
        if self.x0 is None or self.guard_policy != "record":
            _no_bool(t)
        slot = t._slot
        code = self.opcode_of(slot)
        if code < 0 or not ops.IS_CONDITION[code]:
            slot = self.emit(_OPCODE["ne_vc"], slot, self.constant(0.0))._slot
        outcome = self.value(slot) != 0.0
        self.guards.append((slot, int(outcome)))
        self.guard_sources.append(_caller())
        return outcome

    def values_of(self, slots) -> np.ndarray:
        """Values at ``x0`` of the slots ``slots`` (an integer array), as :meth:`value`."""
        slots = np.asarray(slots, dtype=np.int64)
        if slots.size == 0:
            return np.zeros(slots.shape)
        self.value(int(slots.max()))  # evaluates every row recorded so far
        work = self._work if self._work is not None else self.x0
        return np.where(slots < self.n_inputs, self.x0[np.minimum(slots, self.n_inputs - 1)],
                        work[slots])

    def value(self, slot: int) -> float:
        """Value of ``slot`` at ``x0``. Runs the compiled value kernel on the
        instructions recorded since the last call only, so a trace with many
        branches stays linear in its length."""
        if self.blocks:
            return self._array_value(slot)
        n_in, done, n = self.n_inputs, self._evaluated, len(self.opcode)
        if done < n:
            if self._work is None:
                self._work = np.empty(max(2 * (n_in + n), 1024))
                self._work[:n_in] = self.x0
                self._consts = np.empty(max(2 * len(self.constants), 64))
                self._n_consts = 0
            self._work = _grown(self._work, n_in + done, n_in + n)
            n_const = len(self.constants)
            self._consts = consts = _grown(self._consts, self._n_consts, n_const)
            consts[self._n_consts:n_const] = self.constants[self._n_consts:n_const]
            self._n_consts = n_const
            # The dtypes and flags of a Tape's arrays, so the cached kernel is reused.
            instr = np.empty((n - done, 4), dtype=np.int32)
            instr[:, 0] = self.opcode[done:n]
            instr[:, 1] = np.arange(n_in + done, n_in + n)
            instr[:, 2] = self.arg0[done:n]
            instr[:, 3] = self.arg1[done:n]
            instr.flags.writeable = False
            view = consts[:n_const]
            view.flags.writeable = False
            code = np.ascontiguousarray(instr[:, 0])  # no superinstructions: run once
            code.flags.writeable = False
            tiers.run(sweeps.values, code, instr, view, self._work)
            self._evaluated = n
        return float(self._work[slot]) if slot >= n_in else float(self.x0[slot])


    def _array_value(self, slot: int) -> float:
        """:meth:`value` of a recording with array instructions: the rows
        recorded since the last call, by the array kernels."""
        from . import array_sweeps, arrays  # arrays also registers the NumPy tier
        n_slots = self.offset + len(self.opcode)
        if self._work is None:
            self._work = np.empty(max(2 * n_slots, 1024))
            self._work[:self.n_inputs] = self.x0
            self._evaluated = self._done_blocks = 0
        if self._work.shape[0] < n_slots:
            self._work = _grown(self._work, self._slot_at(self._evaluated, self._done_blocks),
                                2 * n_slots)
        code = self.code(self._evaluated, self._done_blocks)
        if len(code):
            consts = np.array(self.constants, dtype=np.float64)
            arrays.run_by_pieces(tiers.run, array_sweeps.run_values, code, self.index_pool(),
                                 consts, self._work)
        self._evaluated, self._done_blocks = len(self.opcode), len(self.blocks)
        self._consts = np.zeros(0)  # marks the work vector as the array path's
        return float(self._work[slot]) if slot >= self.n_inputs else float(self.x0[slot])


def _grown(buf: np.ndarray, filled: int, need: int) -> np.ndarray:
    """``buf`` if it holds ``need`` entries, else a copy of its first ``filled``
    entries in a buffer twice as large (amortized O(1) per entry)."""
    if buf.shape[0] >= need:
        return buf
    out = np.empty(2 * need)
    out[:filled] = buf[:filled]
    return out


_new_tracer = object.__new__


def _is_scalar(x) -> bool:
    return isinstance(x, _SCALARS)


def _check_scalar(x, what: str):
    if isinstance(x, (complex, np.complexfloating)):
        raise TracingError(f"{what}: complex numbers are not supported (got {x!r}); "
                           "adjit differentiates real float64 functions")


#: the traced-array types of :mod:`adjit.array_tracer` and its recording of one
#: op over them, ``ARRAY_OP(name, *operands)`` (set by that module, a layer above)
BLOCK_TYPES: tuple = ()
ARRAY_OP = None


def unary(name: str, x):
    """Record the unary op ``name`` on ``x`` (a tracer or a number)."""
    if isinstance(x, Tracer):
        return x._rec.emit(_OPCODE[name], x._slot)
    if BLOCK_TYPES and isinstance(x, BLOCK_TYPES):
        return ARRAY_OP(name, x)
    if _is_scalar(x):
        return ops.fold(name, x)
    if isinstance(x, np.ndarray) or isinstance(x, (list, tuple)):
        return _wrap(_elementwise(name, 1)(x))
    raise TypeError(f"adjit.{name} expects a traced value, a number or an array, "
                    f"got {type(x).__name__}")


def binary(name: str, a, b):
    """Record the binary op ``name`` on ``a``, ``b``, choosing the operand kind."""
    if isinstance(a, Tracer):
        rec = a._rec
        if name == "pow" and _is_scalar(b) and b in _EXACT_POWERS:
            return _EXACT_POWERS[b](a)
        if isinstance(b, Tracer):
            if b._rec is not rec:
                raise TracingError("operands come from two different traces; a traced value "
                                   "belongs to the call of adjit.trace that made it")
            return rec.emit(_OPCODE[name], a._slot, b._slot)
        if _is_scalar(b):
            return rec.emit(_OPCODE[name + "_vc"], a._slot, rec.constant(b))
    elif isinstance(b, Tracer):
        if _is_scalar(a):
            rec = b._rec
            op = ops.OPS[name]
            if "cv" in op.variants:
                return rec.emit(_OPCODE[name + "_cv"], b._slot, rec.constant(a))
            return rec.emit(_OPCODE[name + "_vc"], b._slot, rec.constant(a))  # commutative
    elif _is_scalar(a) and _is_scalar(b):
        return ops.fold(name, a, b)
    if BLOCK_TYPES and (isinstance(a, BLOCK_TYPES) or isinstance(b, BLOCK_TYPES)):
        return ARRAY_OP(name, a, b)
    if isinstance(a, (np.ndarray, list, tuple)) or isinstance(b, (np.ndarray, list, tuple)):
        return _wrap(_elementwise(name, 2)(a, b))
    for x in (a, b):
        _check_scalar(x, f"adjit.{name}")
    raise TypeError(f"adjit.{name} expects traced values, numbers or arrays, "
                    f"got {type(a).__name__} and {type(b).__name__}")


# x**c for these c records as an op that gives the same value, cheaper.
_EXACT_POWERS = {
    1: lambda x: x,
    2: lambda x: x._rec.emit(_OPCODE["square"], x._slot),
    -1: lambda x: x._rec.emit(_OPCODE["reciprocal"], x._slot),
}

_ELEMENTWISE: dict = {}


def _elementwise(name: str, nin: int):
    """A NumPy ufunc over object arrays that records op ``name`` per element;
    being a ufunc it also offers ``reduce``, ``accumulate`` and ``outer``."""
    key = (name, nin)
    f = _ELEMENTWISE.get(key)
    if f is None:
        if nin == 1:
            f = np.frompyfunc(lambda x: unary(name, x), 1, 1)
        else:
            f = np.frompyfunc(lambda x, y: binary(name, x, y), 2, 1)
        _ELEMENTWISE[key] = f
    return f


def where(condition, a, b):
    """``a`` where ``condition`` holds, else ``b`` (elementwise, NumPy rules).

    Records a select whose derivative flows through the chosen side only; no
    derivative flows through the condition. The side not chosen contributes an
    exact zero, but a NaN *tangent* on it still propagates (0 * nan), as in
    JAX: keep both sides finite where possible.
    """
    if BLOCK_TYPES and any(isinstance(v, BLOCK_TYPES) for v in (condition, a, b)):
        return np.where(condition, a, b)
    if any(isinstance(v, (np.ndarray, list, tuple)) for v in (condition, a, b)):
        return _wrap(_WHERE(condition, a, b))
    if not isinstance(condition, Tracer):
        return a if bool(condition) else b
    return binary("add", binary("pick_true", condition, a), binary("pick_false", condition, b))


_WHERE = np.frompyfunc(where, 3, 1)


# NumPy ufuncs that record as ops of the table, and ones handled specially.
_UFUNC_OPS: dict = {}
for _op in ops.TABLE:
    for _u in _op.ufuncs:
        _UFUNC_OPS[_u] = _op.name


def _plain(inputs) -> list:
    """Ufunc inputs as plain (object) arrays, so that applying a ufunc to them
    runs its loops instead of dispatching back to ``__array_ufunc__``: a traced
    scalar beside an array (``np.ones(3) * t``) becomes a 0-d object array."""
    return [np.asarray(x) if isinstance(x, (np.ndarray, Tracer)) else x for x in inputs]


def _record_ufunc(ufunc, method: str, inputs, kwargs):
    """Apply ``ufunc.method`` to traced inputs by recording."""
    name = _UFUNC_OPS.get(ufunc)
    if kwargs.get("out") is not None:
        return _into_out(_record_ufunc(ufunc, method, inputs,
                                       {k: v for k, v in kwargs.items() if k != "out"}),
                         kwargs["out"], f"np.{ufunc.__name__}")
    kwargs = {k: v for k, v in kwargs.items() if k != "out"}
    if method == "reduce" and ufunc.nin == 2 and (name is not None or ufunc in UFUNC_RULES):
        return _ufunc_reduce(ufunc, name, inputs, kwargs)
    if name is None:
        rule = UFUNC_RULES.get(ufunc) or _scipy_rule(ufunc)
        if rule is not None:
            return _apply_rule(ufunc, method, rule, inputs, kwargs)
    if ufunc is np.positive:
        name, inputs = "add", (inputs[0], 0.0)
    if ufunc is _CLIP and method == "__call__" and len(inputs) == 3:
        # NumPy's own definition, minimum(maximum(a, lo), hi), recorded: its
        # object loop would compare tracers and branch
        a, lo, hi = inputs
        return _record_ufunc(np.minimum, method,
                             (_record_ufunc(np.maximum, method, (a, lo), {}), hi), kwargs)
    if ufunc is np.divmod and method == "__call__":
        return (_record_ufunc(np.floor_divide, method, inputs, kwargs),
                _record_ufunc(np.remainder, method, inputs, kwargs))
    if name is None:
        if method == "__call__" and ufunc in _FORBIDDEN_UFUNCS:
            raise TracingError(_FORBIDDEN_UFUNCS[ufunc])
        # Ufuncs outside the table (matmul, ...) run on plain object arrays, whose
        # loops call the tracers' Python operators.
        plain = _plain(inputs)
        try:
            return _wrap(getattr(ufunc, method)(*plain, **kwargs))
        except TracingError:
            raise
        except (TypeError, AttributeError) as e:  # no object loop, no method of its name
            raise TracingError(
                library_hint() + f"{_ufunc_name(ufunc)} is not supported on traced values: it is "
                "neither an op of adjit's table nor a formula of them (NumPy said: "
                f"{e})") from None
    if method == "__call__" and len(inputs) == ufunc.nin and all(
            isinstance(x, Tracer) or _is_scalar(x) for x in inputs):
        return unary(name, inputs[0]) if ufunc.nin == 1 else binary(name, *inputs)
    f = _elementwise(name, ufunc.nin)
    plain = _plain(inputs)
    kwargs.pop("dtype", None)
    return _wrap(getattr(f, method)(*plain, **kwargs))


try:
    from numpy._core.umath import clip as _CLIP
except ImportError:  # pragma: no cover - NumPy 1.x
    from numpy.core.umath import clip as _CLIP

_FORBIDDEN_UFUNCS = {
    np.signbit: "np.signbit of a traced value is not recorded; compare with 0 instead "
                "(x < 0 is a traced condition)",
    np.rint: "np.rint of a traced value is not recorded; np.floor(x + 0.5) is",
    np.trunc: "np.trunc of a traced value is not recorded; use adjit.where(x < 0, "
              "np.ceil(x), np.floor(x))",
}

#: Ufuncs outside the op table recorded by a rule on scalars, ``{ufunc: (nin,
#: rule)}`` (``np.isnan`` as ``x != x``, ``np.logaddexp`` ...), and SciPy's
#: ufuncs by name, ``{"expit": (1, rule)}``: filled by :mod:`adjit.numpy_api`.
UFUNC_RULES: dict = {}
SCIPY_UFUNC_RULES: dict = {}


record_ufunc = _record_ufunc  # for adjit.array_tracer: the scalar recording of a ufunc
UFUNC_OPS = _UFUNC_OPS  # ufunc -> the op table's op it records as


def new_tracer(rec: "Recorder", slot: int) -> "Tracer":
    """The traced scalar of ``slot`` (no instruction: a reference to a slot)."""
    t = _new_tracer(Tracer)
    t._rec = rec
    t._slot = slot
    return t


def _ufunc_name(ufunc) -> str:
    """``np.spacing``, ``scipy.special.psi``: the name a user calls it by."""
    name = getattr(ufunc, "__name__", repr(ufunc))
    special = sys.modules.get("scipy.special")
    if special is not None and getattr(special, name, None) is ufunc:
        return f"scipy.special.{name}"
    return f"np.{name}" if getattr(np, name, None) is ufunc else name


def _scipy_rule(ufunc):
    """The rule of a SciPy ufunc (matched by identity with ``scipy.special``'s
    function of its name: SciPy is not imported here, the caller has done so)."""
    special = sys.modules.get("scipy.special")
    name = getattr(ufunc, "__name__", "")
    if special is not None and getattr(special, name, None) is ufunc:
        return SCIPY_UFUNC_RULES.get(name)
    return None


def _apply_rule(ufunc, method, rule, inputs, kwargs):
    nin, fn = rule
    if method != "__call__":
        raise TracingError(f"{ufunc.__name__}.{method} is not supported on traced values; "
                           f"call {ufunc.__name__} itself")
    if any(k not in ("dtype", "casting") for k in kwargs):
        raise TracingError(f"{ufunc.__name__}(..., {', '.join(kwargs)}=...) is not supported "
                           "on traced values")
    if all(isinstance(x, Tracer) or _is_scalar(x) for x in inputs):
        return fn(*inputs)
    key = ("rule", ufunc)
    f = _ELEMENTWISE.get(key)
    if f is None:
        f = _ELEMENTWISE[key] = np.frompyfunc(fn, nin, 1)
    return _wrap(f(*_plain(inputs)))


def _ufunc_reduce(ufunc, name, inputs, kwargs):
    """``ufunc.reduce`` over any axes (NumPy's object loops of frompyfunc
    ufuncs reduce one axis only), folding the recorded op along each lane."""
    bad = [k for k in kwargs if k not in ("axis", "keepdims", "initial", "dtype", "where")]
    if bad or kwargs.get("where", True) is not True:
        raise TracingError(f"np.{ufunc.__name__}.reduce(..., {', '.join(bad or ['where'])}=...) "
                           "is not supported on traced values")
    if name is None:
        fn = UFUNC_RULES[ufunc][1]
    else:
        def fn(a, b, _name=name):
            return binary(_name, a, b)
    initial = kwargs.get("initial", np._NoValue)
    return reduce_lanes(inputs[0], kwargs.get("axis", 0), kwargs.get("keepdims", False), fn,
                        None if initial is np._NoValue else initial, ufunc.identity,
                        f"np.{ufunc.__name__}")


def normalize_axes(axis, ndim: int, who: str) -> tuple:
    """``axis`` (None, an int or a tuple of ints) as a tuple of axes in
    ``range(ndim)``, NumPy's AxisError for one out of range or repeated."""
    if axis is None:
        return tuple(range(ndim))
    axes = axis if isinstance(axis, tuple) else (axis,)
    out = []
    for a in axes:
        a = operator.index(a)
        if not -ndim <= a < ndim:
            raise np.exceptions.AxisError(a, ndim, who)
        out.append(a % ndim if ndim else a)
    if len(set(out)) != len(out):
        raise ValueError(f"{who}: repeated axis in {axis!r}")
    return tuple(out)


def reduce_lanes(a, axis, keepdims: bool, combine, initial=None, empty=None,
                 who: str = "reduce"):
    """Fold ``combine(acc, v)`` along ``axis`` (None, an int or a tuple) of
    ``a`` with NumPy's reduction shapes (``keepdims``); ``initial`` starts
    each fold, ``empty`` is the result of an empty lane (None: an error, as
    for np.max). Returns a scalar or an array (a TracedArray when traced)."""
    arr = np.asarray(a, dtype=object)
    nd = arr.ndim
    axes = normalize_axes(axis, nd, who)
    moved = np.moveaxis(arr, axes, tuple(range(nd - len(axes), nd)))
    kept = moved.shape[:nd - len(axes)]
    lanes = moved.reshape(math.prod(kept), math.prod(moved.shape[nd - len(axes):]))
    out = np.empty(lanes.shape[0], dtype=object)
    for i, row in enumerate(lanes.tolist()):
        if initial is not None:
            acc = initial
        elif not row:
            if empty is None:
                raise ValueError(f"zero-size array to reduction operation {who} which has "
                                 "no identity")
            acc = empty
        else:
            acc = row[0]
            row = row[1:]
        for v in row:
            acc = combine(acc, v)
        out[i] = acc
    out = out.reshape(kept)
    if keepdims:
        out = out.reshape(tuple(1 if d in axes else n for d, n in enumerate(arr.shape)))
    return _wrap(out)


def _into_out(result, out, who: str):
    """Write ``result`` into the ``out=`` array(s) of a NumPy call, as NumPy
    does; an object array takes traced values, a float array cannot."""
    outs = out if isinstance(out, tuple) else (out,)
    results = result if isinstance(result, tuple) else (result,)
    for o, r in zip(outs, results):
        if o is None:
            continue
        if not (isinstance(o, np.ndarray) and o.dtype == object):
            raise TracingError(f"{who}(..., out=...) would write traced values into an array of "
                               f"dtype {getattr(o, 'dtype', type(o).__name__)}; make the "
                               f"output with np.empty_like(x) / np.zeros_like(x) of a traced "
                               "x (an object array that holds traced values), or use the "
                               "returned value")
        o[...] = r
    got = tuple(o if o is not None else r for o, r in zip(outs, results))
    return got if isinstance(result, tuple) else got[0]


def as_traced(result):
    """A NumPy function's result on traced arrays: object arrays become
    TracedArrays (which may hold plain numbers too: a buffer from
    np.zeros_like(x) stays writable by traced values), 0-d ones their element."""
    if isinstance(result, np.ndarray) and result.dtype == object:
        if result.ndim == 0:
            return result[()]
        return result.view(TracedArray)
    if isinstance(result, tuple) and not hasattr(result, "_fields"):
        return tuple(as_traced(r) for r in result)
    if isinstance(result, list):
        return [as_traced(r) for r in result]
    return result


def plain(x):
    """``x`` with traced arrays (also inside lists and tuples) as plain object
    arrays, so NumPy code run on it uses its object loops, which call the
    tracers' operators, rather than dispatching back to adjit."""
    if isinstance(x, TracedArray):
        return x.view(np.ndarray)
    if isinstance(x, (list, tuple)) and not hasattr(x, "_fields"):
        return type(x)(plain(v) for v in x)
    return x


#: NumPy functions with a recording implementation, ``{np.sum: impl}``, and
#: those that run unchanged on object arrays of tracers (they move elements,
#: or combine them with the tracers' own operators only); ``HINTS`` says what
#: to write instead of a function that is neither. Filled by
#: :mod:`adjit.numpy_api`, a module above this one.
ARRAY_FUNCTIONS: dict = {}
PASS_THROUGH: set = set()
HINTS: dict = {}


def function_name(func) -> str:
    """``np.linalg.solve`` for NumPy's ``solve``."""
    module = getattr(func, "__module__", "") or ""
    name = getattr(func, "__name__", repr(func))
    if module == "numpy" or module.startswith("numpy._"):
        return f"np.{name}"
    if module.startswith("numpy.linalg"):
        return f"np.linalg.{name}"
    if module.startswith("numpy."):
        return "np." + module.split(".", 1)[1].split("._")[0] + "." + name
    return f"{module}.{name}" if module else name


#: What to call instead of a library function that cannot be traced.
LIBRARY_HINTS = {
    "scipy.special.logsumexp": "adjit.logsumexp(a, axis=..., b=...)",
    "scipy.special.softmax": "np.exp(x - adjit.logsumexp(x, axis=..., keepdims=True))",
    "scipy.special.log_softmax": "x - adjit.logsumexp(x, axis=..., keepdims=True)",
}


def library_hint() -> str:
    """When a library function (SciPy's, ...) called by the user's code hit an
    operation that cannot be traced: "scipy.special.logsumexp cannot be
    traced (...); use ...: " naming the library function the user called."""
    frame = sys._getframe(1)
    called = None
    while frame is not None:
        module = frame.f_globals.get("__name__", "")
        if module.split(".")[0] in ("scipy", "sklearn", "statsmodels"):
            called = (module, frame.f_code.co_name)
        elif called is not None and not frame.f_code.co_filename.startswith(_SKIPPED_DIRS):
            break
        frame = frame.f_back
    if called is None:
        return ""
    module, name = called
    public = ".".join(p for p in module.split(".") if not p.startswith("_")) + "." + name
    instead = LIBRARY_HINTS.get(public)
    return (f"{public} cannot be traced (it converts or branches on the values inside); "
            + (f"use {instead} instead. " if instead else "write it with NumPy's functions. ")
            + "Detail: ")


def array_function(func, types, args, kwargs):
    """``__array_function__`` of traced values: an implementation that
    records, NumPy's own code on plain object arrays for the functions known to
    be exact there, else a TracingError naming the function."""
    impl = ARRAY_FUNCTIONS.get(func)
    if impl is not None:
        return impl(*args, **kwargs)
    if func in PASS_THROUGH:
        return as_traced(func._implementation(*plain(args),
                                              **{k: plain(v) for k, v in kwargs.items()}))
    name = function_name(func)
    hint = HINTS.get(name)
    raise TracingError(
        library_hint() + f"{name} is not supported on traced values: adjit records the NumPy "
        "functions it knows to give exact derivatives (reductions, np.where, einsum/matmul/dot, "
        "np.linalg.norm/solve/inv/det/slogdet/cholesky, ... and functions that only move "
        "elements)" + (f"; {hint}" if hint else "; write it with those, with operators and "
                       "ufuncs, or use adjit.where to select"))


def _wrap(result):
    """Object arrays of tracers become TracedArrays, object arrays of plain
    numbers float arrays; scalars pass through."""
    if isinstance(result, np.ndarray) and result.dtype == object:
        if result.ndim == 0:
            return result[()]
        if any(isinstance(v, Tracer) for v in result.flat):
            return result.view(TracedArray)
        return result.astype(np.float64)
    if isinstance(result, tuple):
        return tuple(_wrap(r) for r in result)
    return result


_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep
# NumPy's own frames (np.argmax -> TracedArray.argmax) are not the user's line either
_SKIPPED_DIRS = (_PACKAGE_DIR, os.path.dirname(os.path.abspath(np.__file__)) + os.sep)


def _caller() -> str:
    """file:line of the user's code that triggered a recording event: the
    first frame outside the adjit and NumPy packages."""
    frame = sys._getframe(1)
    while frame is not None and frame.f_code.co_filename.startswith(_SKIPPED_DIRS):
        frame = frame.f_back
    if frame is None:
        return "<unknown>"
    return f"{frame.f_code.co_filename}:{frame.f_lineno}"


class Tracer:
    """A traced scalar: one slot of a recording. Arithmetic records instructions."""

    __slots__ = ("_rec", "_slot")
    __array_priority__ = 1000  # binary ops with ndarrays come to us

    def __repr__(self):
        return f"<traced scalar, slot {self._slot}>"

    # Arithmetic and comparison operators are attached below the class by
    # _operator(): they record with a fast path for the common operand types.

    def __pow__(self, other, modulo=None):
        if modulo is not None:
            raise TracingError("pow(x, y, modulo) has no derivative; modular powers are not "
                               "supported on traced values")
        t = type(other)
        if t is int or t is float:  # the common x**2, x**0.5: skip the generic path
            if other == 2:  # the commonest power: Recorder.emit, inlined
                rec = self._rec
                codes = rec.opcode
                out = _new_tracer(Tracer)
                out._rec = rec
                out._slot = slot = rec.offset + len(codes)
                if slot >= rec.limit:
                    rec.checkpoint()
                codes.append(_SQUARE)
                rec.arg0.append(self._slot)
                rec.arg1.append(0)
                return out
            exact = _EXACT_POWERS.get(other)
            if exact is not None:
                return exact(self)
            rec = self._rec
            return rec.emit(_POW_VC, self._slot, rec.constant(other))
        return binary("pow", self, other) if _operand(other) else NotImplemented

    def __rpow__(self, other):
        return binary("pow", other, self) if _operand(other) else NotImplemented

    def __neg__(self):
        return self._rec.emit(_OPCODE["neg"], self._slot)

    def __pos__(self):
        return self

    def __abs__(self):
        return self._rec.emit(_OPCODE["abs"], self._slot)

    # % and // record ops with Python's own float semantics (a formula such as
    # a - floor(a / b) * b rounds differently and loses huge quotients).
    def __floordiv__(self, other):
        return binary("floordiv", self, other) if _operand(other) else NotImplemented

    def __rfloordiv__(self, other):
        return binary("floordiv", other, self) if _operand(other) else NotImplemented

    def __mod__(self, other):
        return binary("mod", self, other) if _operand(other) else NotImplemented

    def __rmod__(self, other):
        return binary("mod", other, self) if _operand(other) else NotImplemented

    def __divmod__(self, other):
        if not _operand(other):
            return NotImplemented
        return binary("floordiv", self, other), binary("mod", self, other)

    def __rdivmod__(self, other):
        if not _operand(other):
            return NotImplemented
        return binary("floordiv", other, self), binary("mod", other, self)

    __hash__ = object.__hash__

    def __invert__(self):
        return self._rec.emit(_OPCODE["logical_not"], self._slot)

    # --- what would silently drop the derivative ---------------------------
    def __bool__(self):
        return self._rec.branch(self)

    def __float__(self):
        raise TracingError(
            library_hint() + "float() of a traced value would drop its derivative. It "
            "happens in math.exp, math.sin, ... (use np.exp / adjit.exp, which record), and "
            "when a traced value is written into a float array (out = np.zeros(n); "
            "out[i] = x[i]**2, or np.array(values, dtype=float)): make the array with "
            "np.empty_like(x) / np.zeros_like(x) of a traced x, or "
            "np.zeros(n, dtype=object), which hold traced values")

    def __int__(self):
        raise TracingError("int() of a traced value would drop its derivative; use "
                           "np.floor / adjit.floor to keep a traced integer-valued result")

    def __index__(self):
        raise TracingError("a traced value cannot be used as an index or a size: the tape "
                           "records one fixed path; index with Python integers, or select "
                           "with adjit.where")

    def __complex__(self):
        raise TracingError("complex() of a traced value: adjit differentiates real functions")

    def __round__(self, ndigits=None):
        raise TracingError("round() of a traced value would drop its derivative; use "
                           "np.floor(x + 0.5) if a traced rounding is meant")

    def __array__(self, dtype=None, copy=None):
        if dtype is None or np.dtype(dtype) == object:
            arr = np.empty((), dtype=object)
            arr[()] = self
            return arr
        raise TracingError(library_hint() + _NUMERIC_ARRAY.format(dtype=np.dtype(dtype)))

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        return _record_ufunc(ufunc, method, inputs, kwargs)

    def __array_function__(self, func, types, args, kwargs):
        return array_function(func, types, args, kwargs)

    def clip(self, min=None, max=None, out=None, **kwargs):
        """``np.clip`` of a traced scalar, recorded as maximum and minimum."""
        if out is not None:
            raise TracingError("np.clip(..., out=...) cannot write traced values into an "
                               "output array; use the returned value")
        r = self
        if min is not None:
            r = np.maximum(r, min)
        if max is not None:
            r = np.minimum(r, max)
        return r

    # numpy's object-dtype loops call methods of these names
    def sqrt(self):
        return unary("sqrt", self)

    def exp(self):
        return unary("exp", self)

    def log(self):
        return unary("log", self)

    def sin(self):
        return unary("sin", self)

    def cos(self):
        return unary("cos", self)

    def conjugate(self):
        return self


_NUMERIC_ARRAY = (
    "a traced value cannot be converted to a numeric NumPy array (dtype {dtype}): its "
    "derivative would be lost. To fill an array with traced values make it with "
    "np.empty_like(x) / np.zeros_like(x) of a traced x, or np.zeros(n, dtype=object); "
    "x.astype(float) of a traced x is x itself")


def _unary_method(name: str):
    def method(self):
        return self._rec.emit(_OPCODE[name], self._slot)
    return method


# NumPy's object loops (np.tanh on np.array([t0, t1]), a plain object array)
# call a method of the ufunc's name on each element.
for _op in ops.TABLE:
    if _op.arity == 1:
        for _u in _op.ufuncs:
            if not hasattr(Tracer, _u.__name__):
                setattr(Tracer, _u.__name__, _unary_method(_op.name))


def _operator(name: str, reflected: bool):
    """A binary operator method for op ``name``; ``reflected`` for ``other OP self``.

    Tracer-with-tracer and tracer-with-float are the hot paths of recording, so
    they emit directly; everything else goes through :func:`binary`.
    """
    variants = ops.OPS[name].variants
    vv = _OPCODE[name]
    vc = _OPCODE[name + "_vc"]
    cv = _OPCODE[name + "_cv"] if "cv" in variants else vc  # else commutative

    if not reflected:
        def method(self, other):
            t = type(other)
            rec = self._rec
            if t is Tracer and other._rec is rec:  # Recorder.emit, inlined
                codes = rec.opcode
                out = _new_tracer(Tracer)
                out._rec = rec
                out._slot = slot = rec.offset + len(codes)
                if slot >= rec.limit:
                    rec.checkpoint()
                codes.append(vv)
                rec.arg0.append(self._slot)
                rec.arg1.append(other._slot)
                return out
            if t is float or t is int:  # Recorder.emit inlined again: a call costs ~10 %
                k = rec.constant(other)
                codes = rec.opcode
                out = _new_tracer(Tracer)
                out._rec = rec
                out._slot = slot = rec.offset + len(codes)
                if slot >= rec.limit:
                    rec.checkpoint()
                codes.append(vc)
                rec.arg0.append(self._slot)
                rec.arg1.append(k)
                return out
            return binary(name, self, other) if _operand(other) else NotImplemented
    else:
        def method(self, other):
            t = type(other)
            if t is float or t is int:
                rec = self._rec
                k = rec.constant(other)
                codes = rec.opcode
                out = _new_tracer(Tracer)
                out._rec = rec
                out._slot = slot = rec.offset + len(codes)
                if slot >= rec.limit:
                    rec.checkpoint()
                codes.append(cv)
                rec.arg0.append(self._slot)
                rec.arg1.append(k)
                return out
            return binary(name, other, self) if _operand(other) else NotImplemented
    return method


for _name, _dunder, _reflect in [
    ("add", "add", "radd"), ("sub", "sub", "rsub"), ("mul", "mul", "rmul"),
    ("div", "truediv", "rtruediv"), ("lt", "lt", None), ("le", "le", None),
    ("gt", "gt", None), ("ge", "ge", None), ("eq", "eq", None), ("ne", "ne", None),
    ("logical_and", "and", "rand"), ("logical_or", "or", "ror"),
]:
    setattr(Tracer, f"__{_dunder}__", _operator(_name, False))
    if _reflect:
        setattr(Tracer, f"__{_reflect}__", _operator(_name, True))


def _no_bool(t):
    raise TracingError(
        "bool() of a traced value (an `if`, `while`, `and`/`or` on a traced condition) "
        "is not allowed in this recording (it has no input point to decide the branch at, "
        "or branches are switched off); use adjit.where(condition, a, b) to select between "
        "values")


def _operand(x) -> bool:
    """Can ``x`` be the other operand of a traced arithmetic op?"""
    if isinstance(x, (Tracer,) + _SCALARS):
        return True
    if isinstance(x, (complex, np.complexfloating)):
        raise TracingError(f"complex operand {x!r}: adjit differentiates real functions")
    return False


_getitem = np.ndarray.__getitem__
_setitem = np.ndarray.__setitem__


class TracedArray(np.ndarray):
    """A NumPy object array of tracers (and plain numbers); ufuncs on it record
    elementwise, NumPy functions go through :func:`array_function`."""

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        return _record_ufunc(ufunc, method, inputs, kwargs)

    def __array_function__(self, func, types, args, kwargs):
        return array_function(func, types, args, kwargs)

    def __repr__(self):
        return f"TracedArray(shape={self.shape})"

    def __getitem__(self, key):
        try:
            return _getitem(self, key)
        except IndexError:
            if _traced_mask(key):
                raise TracingError(
                    library_hint() + "indexing with a boolean mask computed from traced values "
                    "(x[x > 0]) would fix which elements are kept, and the shape of the "
                    "result; select with np.where(x > 0, x, 0.0) / adjit.where instead (then "
                    "reduce), or assign through the mask: x[x > 0] = 0.0 is a recorded "
                    "select") from None
            raise

    def __setitem__(self, key, value):
        if isinstance(key, np.ndarray) and key.dtype == object and _traced_mask(key):
            _set_where(self, key, value)
        else:
            _setitem(self, key, value)

    def astype(self, dtype, order="K", casting="unsafe", subok=True, copy=True):
        """A copy for dtype object; an error for numeric dtypes, whose arrays
        cannot hold traced values (the derivative would be lost)."""
        dt = np.dtype(dtype)
        if dt == object:
            return self.copy() if copy else self
        if dt.kind == "f":
            raise TracingError(
                f"x.astype({dt}) of a traced array: a {dt} NumPy array cannot hold traced "
                "values, and their derivative would be lost. A traced array already computes "
                "in float64: use x itself; for a buffer to write into, use np.empty_like(x) "
                "or np.zeros_like(x)")
        raise TracingError(f"x.astype({dt}) of a traced array would drop its derivative; "
                           "use np.floor for integer values, comparisons for conditions")

    # The methods that are NumPy functions go through array_function, so they
    # record as np.sum(x, ...) does.
    def sum(self, *args, **kwargs):
        return np.sum(self, *args, **kwargs)

    def prod(self, *args, **kwargs):
        return np.prod(self, *args, **kwargs)

    def mean(self, *args, **kwargs):
        return np.mean(self, *args, **kwargs)

    def std(self, *args, **kwargs):
        return np.std(self, *args, **kwargs)

    def var(self, *args, **kwargs):
        return np.var(self, *args, **kwargs)

    def max(self, *args, **kwargs):
        return np.max(self, *args, **kwargs)

    def min(self, *args, **kwargs):
        return np.min(self, *args, **kwargs)

    def all(self, *args, **kwargs):
        return np.all(self, *args, **kwargs)

    def any(self, *args, **kwargs):
        return np.any(self, *args, **kwargs)

    def cumsum(self, *args, **kwargs):
        return np.cumsum(self, *args, **kwargs)

    def cumprod(self, *args, **kwargs):
        return np.cumprod(self, *args, **kwargs)

    def dot(self, b, out=None):
        return np.dot(self, b, out=out)

    def trace(self, *args, **kwargs):
        return np.trace(self, *args, **kwargs)

    def clip(self, *args, **kwargs):
        return np.clip(self, *args, **kwargs)

    def round(self, *args, **kwargs):
        return np.round(self, *args, **kwargs)

    def nonzero(self):
        return np.nonzero(self)

    def argmax(self, axis=None, out=None, *, keepdims=False):
        """``np.argmax``: as NumPy's on floats (the first NaN, else the first
        largest), decided by guarded comparisons, so that evaluating the tape at a
        point where the answer would differ raises BranchChanged."""
        return _arg_extreme(self, axis, out, keepdims, "argmax")

    def argmin(self, axis=None, out=None, *, keepdims=False):
        """``np.argmin``, as :meth:`argmax`."""
        return _arg_extreme(self, axis, out, keepdims, "argmin")

    def __float__(self):
        raise TracingError("float() of a traced array would drop its derivative")

    def __bool__(self):
        if self.size == 1:
            return bool(self.reshape(-1)[0])
        return super().__bool__()


def _traced_mask(key) -> bool:
    """Is ``key`` (or a part of an index tuple) an array of traced values?"""
    keys = key if isinstance(key, tuple) else (key,)
    return any(isinstance(k, (TracedArray, Tracer)) or (
        isinstance(k, np.ndarray) and k.dtype == object
        and any(isinstance(v, Tracer) for v in k.flat)) for k in keys)


def _set_where(arr, mask, value):
    """``arr[mask] = value`` for a traced boolean mask: a recorded select,
    ``arr = where(mask, value, arr)``, for a scalar value or one that
    broadcasts to the mask's shape."""
    if mask.shape != arr.shape:
        raise TracingError(f"assigning through a traced mask of shape {mask.shape} into an "
                           f"array of shape {arr.shape}: the shapes must be equal; use "
                           "np.where(mask, value, x)")
    if isinstance(value, np.ndarray) and value.ndim and value.shape != arr.shape:
        raise TracingError("x[mask] = values with a traced mask takes a scalar value (or one "
                           "of x's shape): how many elements the mask selects is not fixed; "
                           "use np.where(mask, values, x)")
    _setitem(arr, Ellipsis, _WHERE(mask.view(np.ndarray), plain(value), arr.view(np.ndarray)))


def _arg_extreme(arr, axis, out, keepdims, name):
    # (errors here are ValueErrors: NumPy retries a method that raises TypeError,
    # TracingError's base, on a plain object array, which would branch untraced)
    if out is not None:
        raise ValueError(f"np.{name} of a traced array: out= is not supported")
    if axis is None:
        best = np.intp(_first_extreme(arr.reshape(-1).tolist(), name))
        return np.full((1,) * arr.ndim, best) if keepdims else best
    axis = int(axis)
    if not -arr.ndim <= axis < arr.ndim:
        raise ValueError(f"np.{name}: axis {axis} is out of bounds for an array of "
                         f"dimension {arr.ndim}")
    lanes = np.moveaxis(np.asarray(arr, dtype=object), axis, -1)
    flat = lanes.reshape(-1, lanes.shape[-1])
    best = np.array([_first_extreme(row.tolist(), name) for row in flat], dtype=np.intp)
    best = best.reshape(lanes.shape[:-1])
    return np.expand_dims(best, axis) if keepdims else best


def _first_extreme(vals, name) -> int:
    """NumPy's argmax/argmin of floats: the first NaN, else the first strictly
    better value. Each test is a bool() of a traced condition: a guard, so that
    a point where the answer differs raises BranchChanged."""
    if not vals:
        raise ValueError(f"attempt to get {name} of an empty sequence")
    better = (lambda a, b: a > b) if name == "argmax" else (lambda a, b: a < b)
    best = 0
    for i, v in enumerate(vals):
        if bool(v != v):
            return i
        if i and bool(better(v, vals[best])):
            best = i
    return best


def traced_input(rec: Recorder, start: int = 0, shape=None):
    """The traced array passed to the user's function: slots ``start ..`` in
    ``shape`` (a 1-D array of every input by default; a bare traced scalar for
    shape ``()``)."""
    if shape is None:
        shape = (rec.n_inputs - start,)
    size = int(np.prod(shape, dtype=np.int64))
    arr = np.empty(size, dtype=object)
    for i in range(size):
        t = _new_tracer(Tracer)
        t._rec = rec
        t._slot = start + i
        arr[i] = t
    if shape == ():
        return arr[0]
    return arr.reshape(shape).view(TracedArray)


def trace(f, x0, *args, optimize: bool = True, max_ops: int = MAX_OPS,
          progress=False) -> Tape:
    """Record ``f(x, *args)`` once, on a traced copy of ``x0``, into a :class:`Tape`.

    ``x0`` may have any shape (0-d included): ``f`` receives a traced array of
    that shape (a traced scalar for 0-d) and may index, slice, iterate and
    reshape it, use its operators, NumPy ufuncs and functions, and the
    functions of :mod:`adjit`. It returns a traced scalar or an array (or
    list, tuple) of them of any shape (plain numbers allowed among them);
    ``tape.in_shape`` and ``tape.out_shape`` keep both shapes.

    ``args`` are more positional arguments for ``f``. Each float array (or
    float) among them is *data*: it reaches ``f`` as a traced array whose
    values the tape reads as parameters, never differentiated, so that
    ``tape.gradient(x, *new_args)`` evaluates at new data without a new
    trace. Anything else (ints, strings, integer arrays, callables) is
    *static*: passed to ``f`` as it is, and fixed in the recording. Data
    captured by a closure or a global is NOT an argument: it is read once,
    here, and frozen into the tape as constants.

    The tape records one path through ``f``; see :class:`adjit.Tape` for how it
    is evaluated and differentiated afterwards. With ``optimize`` (the default)
    the recording is optimized first (:mod:`adjit.optimize`: constant folding,
    exact algebraic identities, common subexpressions, dead code), which
    changes no value beyond rounding; ``optimize=False`` keeps every recorded
    instruction, e.g. to inspect exactly what ``f`` did.

    A recording that grows past ``max_ops`` instructions stops with a
    :class:`~adjit.TracingError` (the default, ``MAX_OPS``, is generous).
    ``progress=True`` reports long recordings every million instructions: a
    ``tqdm`` bar when tqdm is installed, else an INFO line on the ``"adjit"``
    logger; ``progress="log"`` always logs.
    """
    if not callable(f):
        raise TypeError(f"trace: expected a callable f, got {type(f).__name__}")
    if type(max_ops) is not int or max_ops < 1:
        raise ValueError(f"max_ops: expected a positive integer, got {max_ops!r}")
    if progress not in (False, True, "log"):
        raise ValueError(f"progress: expected True, False or 'log', got {progress!r}")
    x0 = as_float_array(x0, None, "x0")
    if x0.size == 0:
        raise ValueError(f"x0: expected at least one input, got an empty array of shape "
                         f"{x0.shape}")
    for k, a in enumerate(args):
        if isinstance(a, np.ndarray) and a.dtype.kind == "c" or isinstance(a, complex):
            raise TypeError(f"argument {k + 1}: complex data is not supported (adjit "
                            "differentiates real functions)")
    specs, values = signature.split_args(args)
    n_x = x0.size
    report, close = _reporter(progress)
    rec = Recorder(n_x + values.size, x0=np.concatenate([x0.reshape(-1), values]),
                   max_ops=max_ops, progress=report)
    make_input = traced_input
    if ARRAY_INPUT is not None and config.array_instructions:
        make_input = ARRAY_INPUT
    call_args, start = [], n_x
    for a, (kind, what) in zip(args, specs):
        if kind == "data":
            call_args.append(make_input(rec, start, what))
            start += int(np.prod(what, dtype=np.int64))
        else:
            call_args.append(a)
    try:
        out = f(make_input(rec, 0, x0.shape), *call_args)
        outputs, out_shape = _output_slots(out, rec)
    finally:
        close()
    rec._work = rec._consts = None  # values at x0 for branches (16 bytes a slot): done
    if rec.blocks:
        return _array_tape(rec, outputs, n_x, specs, values,
                           signature.Signature(x0.shape, out_shape, ()), optimize)
    if optimize:
        instructions, constants, outputs, guards, kept = optimize_arrays(
            rec.opcode, rec.arg0, rec.arg1, rec.constants, outputs, rec.n_inputs, rec.guards)
        sources = [s for s, k in zip(rec.guard_sources, kept) if k]
    else:
        instructions = np.empty((len(rec.opcode), 4), dtype=np.int32)
        instructions[:, 0] = np.frombuffer(rec.opcode, dtype=np.int32)
        instructions[:, 1] = np.arange(rec.n_inputs, rec.n_inputs + len(rec.opcode))
        instructions[:, 2] = np.frombuffer(rec.arg0, dtype=np.int32)
        instructions[:, 3] = np.frombuffer(rec.arg1, dtype=np.int32)
        constants, sources = rec.constants, rec.guard_sources
        guards = np.array(rec.guards, dtype=np.int32).reshape(-1, 2)
    parts = dict(instructions=instructions, constants=constants, outputs=outputs,
                 n_inputs=n_x, guards=guards)
    arg_records = ()
    if specs:
        parts, arg_records = signature.to_constants(instructions, constants, outputs, guards,
                                                    n_x, specs, values)
    return Tape(**parts, guard_sources=sources,
                signature=signature.Signature(x0.shape, out_shape, arg_records))


#: the traced input of :func:`trace` when array instructions are on
#: (:func:`adjit.array_tracer.traced_input`, set by that module)
ARRAY_INPUT = None


def _array_tape(rec: Recorder, outputs, n_x: int, specs, values, sig, optimize: bool):
    """The :class:`adjit.array_tape.ArrayTape` of a recording with array
    instructions. Data arguments, recorded as inputs ``n_x ..``, become one
    constant load at the start (its own run of the constant pool), so that new
    data is a new constant pool."""
    code = rec.code()
    constants = np.asarray(rec.constants, dtype=np.float64)
    index = rec.index_pool()
    args = ()
    n_data = rec.n_inputs - n_x
    if specs:
        n_c = len(constants)
        load = np.array([[0, 0, n_x, n_data, n_c, 0, 1, 0]], dtype=np.int64)
        code = np.concatenate([load, code]) if n_data else code
        constants = np.concatenate([constants, np.asarray(values, dtype=np.float64)])
        records, start = [], 0
        for kind, what in specs:
            if kind == "data":
                size = int(np.prod(what, dtype=np.int64))
                records.append(signature.Arg(tuple(what), signature.frozen(np.arange(size)),
                                             signature.frozen(n_c + start + np.arange(size))))
                start += size
            else:
                records.append(signature.Arg(None, None, None, what))
        args = tuple(records)
    guards = np.array(rec.guards, dtype=np.int64).reshape(-1, 2)
    tape = array_tape.make(code, index, constants, np.asarray(outputs, dtype=np.int64), n_x,
                           guards, rec.guard_sources,
                           signature.Signature(sig.in_shape, sig.out_shape, args))
    return tape.optimized() if optimize else tape


def _reporter(progress):
    """``(report(count), close())`` for ``trace``'s ``progress`` argument."""
    if not progress:
        return None, lambda: None
    bar = None
    if progress is True:
        try:
            from tqdm import tqdm
        except ImportError:  # tqdm is optional: log instead
            tqdm = None
        if tqdm is not None:
            bar = tqdm(desc="adjit.trace", unit=" ops", unit_scale=True, leave=False)
    if bar is None:
        def report(count):
            _log.info("adjit.trace: %s instructions recorded", f"{count:,}")
        return report, lambda: None
    shown = [0]

    def report(count):
        bar.update(count - shown[0])
        shown[0] = count
    return report, bar.close


def _output_slots(out, rec: Recorder) -> tuple[list[int], tuple]:
    """The output slots of ``f``'s result and its shape."""
    if hasattr(out, "traced") and hasattr(out, "slots"):  # a traced block: its slots
        if out._rec is not rec:
            raise TracingError("f returned a traced value from another trace")
        return out.slots().reshape(-1).copy(), tuple(out.shape)
    if isinstance(out, Tracer):
        items, shape = [out], ()
    elif _is_scalar(out):
        items, shape = [out], ()
    elif isinstance(out, (list, tuple, np.ndarray)):
        if isinstance(out, np.ndarray):
            arr = out
        else:
            try:
                arr = np.asarray(out, dtype=object)
            except ValueError:  # ragged
                raise TracingError("f returned a ragged sequence (items of different "
                                   "lengths); return a scalar or an array") from None
        items, shape = list(arr.reshape(-1)), arr.shape
    elif out is None:
        raise TracingError("f returned None; it must return a traced scalar or a 1-D "
                           "sequence of them (did you forget `return`?)")
    else:
        raise TracingError(f"f returned a {type(out).__name__}; expected a traced scalar or a "
                           "list, tuple or 1-D array of them")
    if not items:
        raise TracingError("f returned an empty sequence; a tape needs at least one output")
    slots = []
    traced = False
    for item in items:
        if isinstance(item, Tracer):
            if item._rec is not rec:
                raise TracingError("f returned a traced value from another trace")
            slots.append(item._slot)
            traced = True
        elif _is_scalar(item):
            _check_scalar(item, "f's output")
            slots.append(rec.load_constant(float(item))._slot)
        else:
            _check_scalar(item, "f's output")
            raise TracingError(f"f returned an element of type {type(item).__name__}; "
                               "expected traced scalars or numbers")
    if not traced:
        raise TracingError("f returned no traced value: its outputs do not depend on the "
                           "input (did it convert the input to plain numbers?)")
    return slots, shape
