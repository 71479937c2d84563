"""The program record: a recorded function as validated, immutable typed arrays,
the one value every kernel entry point reads (by field name), and what the
layers above share to call the kernels: input checks, scratch memory and the
per-tape cache.

Layering: this module sits on :mod:`adjit.ops` and :mod:`adjit.sweeps`;
second order, sparsity, files, pictures, the optimizer, branches and the
``@njit`` API work on a :class:`Program` (and a :class:`TapeState`), and the
public :class:`adjit.Tape` sits above them all and delegates to them.

Slots ``0 .. n_inputs-1`` hold the inputs; instruction ``i`` writes slot
``n_inputs + i``. An instruction is one row ``(opcode, result, arg0, arg1)``;
what ``arg0``/``arg1`` name (a slot, a constant, nothing) depends on the
opcode's operand kind in :mod:`adjit.ops`.
"""
from __future__ import annotations

import operator
import threading
from typing import NamedTuple

import numpy as np

from . import levels, ops, sweeps, tiers  # noqa: F401  levels: the no-compile tier
from .errors import TapeError, raise_interrupt

INT = np.int32


def immutable(a: np.ndarray) -> np.ndarray:
    """A C-contiguous copy of ``a`` whose memory is an immutable ``bytes``
    object: no one holding it (or a view of it) can make it writeable again,
    so what the kernels were validated against cannot change under them."""
    a = np.ascontiguousarray(a)
    out = np.frombuffer(a.tobytes(), dtype=a.dtype).reshape(a.shape)
    assert not out.flags.writeable
    return out


_NO_RUNS = immutable(np.zeros((0, 2), INT))  # a program dispatched row by row


class Program(NamedTuple):
    """What the kernels read, validated at construction (:func:`build`). Every
    array is read-only for good (:func:`immutable`).

    ``instructions`` (n_ops, 4) rows; ``links`` (n_ops, 3) the variable
    operands the derivative sweeps follow (a non-variable operand names the
    sink slot ``n_slots``); ``constants``; ``outputs`` (slots); ``guards``
    (slot, recorded outcome); ``dispatch`` and ``reverse_dispatch``, the
    opcodes with superinstructions that the value kernels and the gradient's
    adjoint sweep switch on (:func:`adjit.sweeps.pair_dispatch`); ``runs`` and
    ``rows``, the rows reordered into runs of one opcode for the single-point
    value sweeps (:func:`adjit.sweeps.cluster_runs`): an empty ``runs`` table
    means "row by row" (and ``rows`` is ``instructions``).
    """

    n_inputs: int
    n_slots: int
    instructions: np.ndarray
    links: np.ndarray
    constants: np.ndarray
    outputs: np.ndarray
    guards: np.ndarray
    dispatch: np.ndarray
    reverse_dispatch: np.ndarray
    runs: np.ndarray
    rows: np.ndarray

    @property
    def n_ops(self) -> int:
        return self.instructions.shape[0]

    @property
    def n_outputs(self) -> int:
        return self.outputs.shape[0]

    @property
    def in_runs(self) -> bool:
        """Whether the single-point value sweeps take the rows in runs: the one
        place this is decided is :func:`with_runs`."""
        return self.runs.shape[0] > 0


def _array(a, dtype, name, ndim, cols=None) -> np.ndarray:
    """``a`` as an immutable C-contiguous array of the given dtype and rank."""
    try:
        arr = np.asarray(a)
    except Exception as e:  # pragma: no cover - exotic array-likes
        raise TapeError(f"tape field {name!r}: cannot make an array ({e})") from None
    if arr.ndim != ndim or (cols is not None and arr.shape[1] != cols):
        want = f"({'n' if ndim else ''}{', %d' % cols if cols else ''})" if ndim else "()"
        raise TapeError(f"tape field {name!r}: expected shape {want}, got {arr.shape}")
    if np.dtype(dtype).kind == "i":
        if arr.size and arr.dtype.kind not in "iu":
            raise TapeError(f"tape field {name!r}: expected integers, got dtype {arr.dtype}")
        if arr.size and (arr.min() < np.iinfo(INT).min or arr.max() > np.iinfo(INT).max):
            raise TapeError(f"tape field {name!r}: values do not fit in int32")
    elif arr.size and arr.dtype.kind not in "iuf":
        raise TapeError(f"tape field {name!r}: expected real numbers, got dtype {arr.dtype}")
    return immutable(np.asarray(arr, dtype=dtype))


def build(instructions, constants, outputs, n_inputs, guards=None,
          n_guard_sources: int = 0) -> Program:
    """The validated program record of a recording (runs not yet decided:
    :func:`with_runs`). Raises TapeError naming the first fault."""
    instructions = _array(instructions, INT, "instructions", 2, 4)
    constants = _array(constants, np.float64, "constants", 1)
    outputs = _array(outputs, INT, "outputs", 1)
    guards = _array(np.zeros((0, 2), INT) if guards is None else guards, INT, "guards", 2, 2)
    try:
        n_inputs = operator.index(n_inputs)  # 2.5 or "2" is a damaged tape, not 2
    except (TypeError, ValueError):
        raise TapeError(f"n_inputs must be an integer, got {n_inputs!r}") from None
    _validate(instructions, constants, outputs, guards, n_inputs, n_guard_sources)
    links = immutable(_links(instructions, n_inputs))
    opcodes = instructions[:, 0]
    return Program(n_inputs, n_inputs + len(instructions), instructions, links, constants,
                   outputs, guards, immutable(sweeps.pair_dispatch(opcodes)),
                   immutable(sweeps.reverse_pair_dispatch(opcodes)), _NO_RUNS, instructions)


def with_constants(p: Program, constants: np.ndarray) -> Program:
    """``p`` reading another constant pool of the same length (new data
    arguments; see :mod:`adjit.signature`), without a second validation."""
    return _NEW_PROGRAM(Program, (*p[:4], constants, *p[5:]))


_NEW_PROGRAM = tuple.__new__


def with_runs(p: Program) -> Program:
    """``p`` with its rows in runs of one opcode (:func:`adjit.sweeps.cluster_runs`)
    where the runs are long enough to pay (at least ``sweeps.RUN_MIN_MEAN``
    rows on average), else ``p`` itself, dispatched row by row."""
    runs, rows = sweeps.cluster_runs(p.instructions, p.links, p.n_inputs)
    if p.n_ops < sweeps.RUN_MIN_MEAN * (len(runs) - 1):
        return p
    return p._replace(runs=immutable(runs), rows=immutable(rows))


def _validate(instr, constants, outputs, guards, n_in, n_guard_sources) -> None:
    """Check every index a kernel will follow; raise TapeError naming the fault."""
    n_ops = len(instr)
    n_slots = n_in + n_ops
    if n_in < 1:
        raise TapeError(f"a tape needs at least one input, got n_inputs={n_in}")
    if len(outputs) < 1:
        raise TapeError("a tape needs at least one output, got none")
    if n_slots >= np.iinfo(INT).max:
        raise TapeError(f"tape too large: {n_slots} slots exceed the int32 index range")
    opcode, result, arg0, arg1 = instr.T
    bad = np.flatnonzero((opcode < 0) | (opcode >= ops.N_OPCODES))
    if bad.size:
        i = bad[0]
        raise TapeError(f"instruction {i}: unknown opcode {opcode[i]} "
                        f"(known: 0..{ops.N_OPCODES - 1})")
    bad = np.flatnonzero(result != np.arange(n_in, n_slots, dtype=np.int64))
    if bad.size:
        i = bad[0]
        raise TapeError(f"instruction {i}: writes slot {result[i]}, expected slot {n_in + i} "
                        "(instruction i writes slot n_inputs + i)")
    kind = ops.KIND[opcode]
    n_const = len(constants)
    # arg0 names an earlier slot for every kind but const, where it names a constant.
    is_const = kind == ops.CONST
    bad = np.flatnonzero(np.where(is_const, (arg0 < 0) | (arg0 >= n_const),
                                  (arg0 < 0) | (arg0 >= result)))
    if bad.size:
        i = bad[0]
        what = "constant index" if is_const[i] else "operand slot"
        limit = n_const if is_const[i] else result[i]
        raise TapeError(f"instruction {i} ({ops.NAMES[opcode[i]]}): {what} arg0={arg0[i]} "
                        f"out of range [0, {limit})")
    slot1 = ops.ARG1_IS_SLOT[opcode]
    const1 = ops.ARG1_IS_CONSTANT[opcode]
    bad = np.flatnonzero((slot1 & ((arg1 < 0) | (arg1 >= result)))
                         | (const1 & ((arg1 < 0) | (arg1 >= n_const))))
    if bad.size:
        i = bad[0]
        what = "operand slot" if slot1[i] else "constant index"
        limit = result[i] if slot1[i] else n_const
        raise TapeError(f"instruction {i} ({ops.NAMES[opcode[i]]}): {what} arg1={arg1[i]} "
                        f"out of range [0, {limit})")
    bad = np.flatnonzero((outputs < 0) | (outputs >= n_slots))
    if bad.size:
        raise TapeError(f"output {bad[0]}: slot {outputs[bad[0]]} out of range [0, {n_slots})")
    if len(guards):
        slots, expect = guards[:, 0], guards[:, 1]
        bad = np.flatnonzero((slots < n_in) | (slots >= n_slots))
        if bad.size:
            raise TapeError(f"guard {bad[0]}: slot {slots[bad[0]]} is not an instruction's "
                            f"result (range [{n_in}, {n_slots}))")
        bad = np.flatnonzero(~ops.IS_CONDITION[opcode[slots - n_in]] | ((expect != 0)
                                                                        & (expect != 1)))
        if bad.size:
            raise TapeError(f"guard {bad[0]}: must name a comparison's slot and expect 0 or 1")
        if n_guard_sources not in (0, len(guards)):
            raise TapeError(f"guard_sources: expected {len(guards)} entries, "
                            f"got {n_guard_sources}")


def _links(instr: np.ndarray, n_inputs: int) -> np.ndarray:
    """(result, dep0, dep1) per instruction; a non-variable operand names the sink."""
    sink = n_inputs + len(instr)
    opcode = instr[:, 0]
    links = np.empty((len(instr), 3), dtype=INT)
    links[:, 0] = instr[:, 1]
    links[:, 1] = np.where(ops.ARG0_IS_SLOT[opcode], instr[:, 2], sink)
    links[:, 2] = np.where(ops.ARG1_IS_SLOT[opcode], instr[:, 3], sink)
    return links


# ---------------------------------------------------------------------------
# Per-tape state: every lazily built structure and the scratch memory.


class TapeState:
    """Everything a tape builds on first use, in one place: derived structures
    (the record in runs, sparsity patterns, colorings, plans, the slot program,
    the ``@njit`` record ...) built once under the tape's lock, and scratch
    buffers kept per thread."""

    __slots__ = ("lock", "_built", "_local", "in_runs", "_parent")

    #: What :meth:`once` builds that follows the tape's structure alone (not its
    #: constants), so a tape bound to new data shares it with its parent.
    STRUCTURAL = frozenset({"sparsity", "reverse_plan"})

    def __init__(self):
        self.lock = threading.RLock()
        self._built = {}
        self._local = threading.local()
        #: the record with its rows in runs once made (see Tape.program_in_runs),
        #: kept in a slot too: the single-point sweeps read it on every call
        self.in_runs = None
        self._parent = None

    def rebound(self, constants) -> "TapeState":
        """The state of the same tape evaluated with another constant pool (new
        data arguments): it shares the lock, the scratch memory and every
        structural result with this one; the record in runs gets ``constants``."""
        child = TapeState.__new__(TapeState)
        child.lock = self.lock
        child._built = {}
        child._local = self._local
        child._parent = self
        runs = self.in_runs
        child.in_runs = None if runs is None else (with_constants(runs[0], constants),
                                                   *runs[1:])
        return child

    def once(self, key, build, *args):
        """``build(*args)``, computed once per tape (under the lock: a second
        thread asking meanwhile waits and gets the same object; a failed build
        publishes nothing)."""
        if self._parent is not None and key in self.STRUCTURAL:
            return self._parent.once(key, build, *args)
        value = self._built.get(key)
        if value is None:
            with self.lock:
                value = self._built.get(key)
                if value is None:
                    value = build(*args)
                    self._built[key] = value
        return value

    def scratch(self, name: str, shape: tuple) -> np.ndarray:
        """A float64 work array kept per tape, per thread and per name (so
        repeated calls neither allocate nor page-fault); contents undefined."""
        store = self._local.__dict__
        buf = store.get(name)
        if buf is None or buf.shape != shape:
            buf = store[name] = np.empty(shape)
        return buf

    def single_point(self, size: int, n_adjoints: int):
        """This thread's ``(scratch, adjoints)`` for the single-point forward and
        gradient kernels: a flat buffer of ``size`` entries, and ``n_adjoints``
        zeros that the gradient kernel leaves zero again (one lookup: these
        calls take a couple of microseconds on a small tape)."""
        pair = self._local.__dict__.get("single")
        if pair is None:
            pair = self._local.__dict__["single"] = (np.empty(size), np.zeros(n_adjoints))
        return pair

    def arrays(self, name: str, count: int, size: int) -> tuple:
        """This thread's ``count`` float64 work arrays of ``size`` entries kept
        under ``name`` (one lookup for all of them); contents undefined."""
        got = self._local.__dict__.get(name)
        if got is None or got[0].shape[0] != size:
            got = self._local.__dict__[name] = tuple(np.empty(size) for _ in range(count))
        return got

    def grown(self, name: str, size: int) -> np.ndarray:
        """A per-thread flat float64 buffer of at least ``size`` entries, grown
        (never shrunk): the kernels carve their work arrays from it."""
        buf = self._local.__dict__.get(name)
        if buf is None or buf.shape[0] < size:
            buf = self._local.__dict__[name] = np.empty(size)
        return buf


def scratch_size(p: Program, width: int = 1, block: int = 0) -> int:
    """Entries of the flat scratch buffer the entry points carve: ``width``
    tangent/adjoint columns at one point, or a ``block`` of points for the
    batched kernels (values and adjoints)."""
    w = p.n_slots + 1
    return 2 * w * block if block else w + 2 * p.n_ops + w * width


# ---------------------------------------------------------------------------
# Input checks: everything reaching a kernel is float64, C-contiguous, writeable.


def as_float_array(x, shape, name) -> np.ndarray:
    """``x`` as float64, with a clear error for complex, non-numeric, masked or
    misshapen input (booleans and integers convert)."""
    if np.ma.isMaskedArray(x):
        if np.ma.getmaskarray(x).any():
            raise ValueError(f"{name}: expected real numbers, got a masked array with "
                             f"{int(np.ma.getmaskarray(x).sum())} masked entries (fill them "
                             "first, e.g. x.filled(value))")
        x = np.ma.getdata(x)
    if np.iscomplexobj(x):
        raise TypeError(f"{name}: complex input is not supported (adjit differentiates real "
                        "functions); pass the real part or split real and imaginary parts")
    if not isinstance(x, np.ndarray):
        # NumPy would turn None into nan and "1.5" into 1.5; both are caller mistakes.
        if x is None or isinstance(x, (str, bytes)):
            raise TypeError(f"{name}: expected an array of real numbers, got "
                            f"{type(x).__name__}")
        try:
            x = np.asarray(x)
        except (TypeError, ValueError) as e:
            raise TypeError(f"{name}: expected an array of real numbers, got "
                            f"{type(x).__name__} ({e})") from None
    if x.dtype.kind not in "biuf":
        raise TypeError(f"{name}: expected an array of real numbers (float, int or bool), "
                        f"got an array of dtype {x.dtype}"
                        + (" (holding None, strings or other objects)" if x.dtype.kind in "OUSV"
                           else ""))
    arr = np.asarray(x, dtype=np.float64)
    if shape is not None and arr.shape != shape:
        raise ValueError(f"{name}: expected shape {shape}, got {arr.shape}")
    return arr


def kernel_ready(a: np.ndarray) -> np.ndarray:
    """C-contiguous and writeable: the one array type the compiled kernels were
    built for (a strided or read-only array would compile a new specialization)."""
    if a.flags.c_contiguous and a.flags.writeable:
        return a
    return np.array(a, order="C", copy=True)


def point(p: Program, x) -> np.ndarray:
    """``x`` checked as one point of ``p``: float64 ``(n_inputs,)``, kernel-ready."""
    if type(x) is np.ndarray and x.dtype == np.float64 and x.shape == (p.n_inputs,):
        flags = x.flags
        if flags.c_contiguous and flags.writeable:
            return x
    return kernel_ready(as_float_array(x, (p.n_inputs,), "x"))


def points(p: Program, xs) -> np.ndarray:
    """``xs`` checked as a batch ``(B, n_inputs)`` of points, kernel-ready."""
    xs = as_float_array(xs, None, "x")
    if xs.ndim != 2 or xs.shape[1] != p.n_inputs:
        raise ValueError(f"x: expected shape (B, {p.n_inputs}) for a batch of points, "
                         f"got {xs.shape}")
    return kernel_ready(xs)


# Small tapes are dominated by the cost of calling a kernel, and Numba's
# dispatcher spends ~0.5 us of a ~3 us gradient working out argument types that
# never change at these call sites: every array is made by the program record
# (validated, read-only), by point/kernel_ready (float64, C-contiguous,
# writeable) or by np.empty. So the first call goes through the dispatcher
# (which compiles or loads the kernel) and later calls go straight to the
# compiled entry point of the overload it chose. Anything unexpected falls back
# to the dispatcher.
_ENTRY: dict = {}


def call(kernel, *args):
    """``kernel(*args)`` for a call site whose argument types are fixed."""
    entry = _ENTRY.get(kernel)
    if entry is not None:
        try:
            return entry(*args)
        except SystemError as e:  # Ctrl-C: see errors.interruptible
            raise_interrupt(e)
            raise
    if tiers.cold(kernel):  # not compiled yet: the no-compile tier (adjit.levels)
        return tiers.run(kernel, *args)
    out = tiers.compiled(kernel, args)
    try:
        sig = tuple(kernel.typeof_pyval(a) for a in args)
        _ENTRY[kernel] = kernel.overloads[sig].entry_point
    except Exception:  # pragma: no cover - another Numba's internals: keep dispatching
        _ENTRY[kernel] = kernel
    return out
