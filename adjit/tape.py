"""The Tape: a recorded function as validated, immutable typed arrays, and the
evaluation methods (values, directional derivatives, gradients, Jacobians).

Slots ``0 .. n_inputs-1`` hold the inputs; instruction ``i`` writes slot
``n_inputs + i``. An instruction is one row ``(opcode, result, arg0, arg1)`` of
``instructions``; what ``arg0``/``arg1`` name (a slot, a constant, nothing)
depends on the opcode's operand kind in :mod:`adjit.ops`. The row format
leaves room for array-level instructions later (an opcode over a contiguous
block of slots) without changing the sweeps' calling convention.
"""
from __future__ import annotations

import operator
import threading

import numpy as np

from . import ops, parallel, sweeps
from .errors import BranchChanged, TapeError

_INT = np.int32
_MAX_DIRECTIONS = 64  # tangent/adjoint directions per sweep in dense Jacobians
_BLOCK = 16  # most points per block in batched kernels (wider blocks thrash the cache)
_BLOCK_BYTES = 1 << 25  # work memory one block of a batched kernel should stay within


_NO_RUNS = np.zeros((0, 2), _INT)  # a tape whose value sweeps dispatch row by row
_NO_RUNS.flags.writeable = False


def _frozen(a, dtype, name, ndim, cols=None):
    """A read-only C-contiguous copy of ``a`` with the given dtype and rank."""
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
        if arr.size and (arr.min() < np.iinfo(_INT).min or arr.max() > np.iinfo(_INT).max):
            raise TapeError(f"tape field {name!r}: values do not fit in int32")
    elif arr.size and arr.dtype.kind not in "iuf":
        raise TapeError(f"tape field {name!r}: expected real numbers, got dtype {arr.dtype}")
    out = np.array(arr, dtype=dtype, order="C", copy=True)
    out.flags.writeable = False
    return out


class Tape:
    """A function ``f: R^n -> R^m`` recorded as an instruction tape.

    Build one with :func:`adjit.trace`. A Tape is immutable and validated when
    built, so its compiled kernels never see an out-of-range index. Besides its
    recorded arrays (``instructions``, ``constants``, ``outputs``, ``guards``) it
    keeps derived ones: ``links``, the variable operands the derivative
    sweeps follow, ``dispatch``, the opcodes with superinstructions that the
    value kernels switch on (:func:`adjit.sweeps.pair_dispatch`), and
    ``reverse_dispatch``, the same for the gradient's adjoint sweep, which walks
    the rows backwards (:func:`adjit.sweeps.reverse_pair_dispatch`); on first use
    a single-point forward sweep or gradient also makes a copy of the rows
    reordered into runs of one opcode (:func:`adjit.sweeps.cluster_runs`). Evaluation
    methods take ``x`` as anything convertible to a float64 vector of length
    ``n_inputs`` (lists, tuples, integer arrays); batched methods take ``(B, n)``.

    Derivative conventions where a function is not differentiable:
    ``abs`` and ``sign`` have derivative 0 at 0 (``abs``' is ``sign``);
    ``floor``, ``ceil`` and comparisons have derivative 0 everywhere;
    ``sqrt`` and ``cbrt`` at 0 give ``inf``; ``minimum``/``maximum`` at a tie
    give each operand half; ``hypot`` at the origin gives 0; ``a**b`` with
    ``a == 0`` has derivative 0 with respect to ``b``. Non-finite values
    propagate as NumPy's would.
    """

    __slots__ = ("instructions", "constants", "outputs", "guards", "guard_sources",
                 "n_inputs", "n_outputs", "n_ops", "n_slots", "links", "dispatch",
                 "reverse_dispatch", "_program", "_scratch", "__weakref__")

    def __init__(self, instructions, constants, outputs, n_inputs, guards=None,
                 guard_sources=()):
        instructions = _frozen(instructions, _INT, "instructions", 2, 4)
        constants = _frozen(constants, np.float64, "constants", 1)
        outputs = _frozen(outputs, _INT, "outputs", 1)
        guards = _frozen(np.zeros((0, 2), _INT) if guards is None else guards, _INT,
                         "guards", 2, 2)
        try:
            n_inputs = operator.index(n_inputs)  # 2.5 or "2" is a damaged tape, not 2
        except (TypeError, ValueError):
            raise TapeError(f"n_inputs must be an integer, got {n_inputs!r}") from None
        set_ = object.__setattr__
        set_(self, "instructions", instructions)
        set_(self, "constants", constants)
        set_(self, "outputs", outputs)
        set_(self, "guards", guards)
        set_(self, "guard_sources", tuple(str(s) for s in guard_sources))
        set_(self, "n_inputs", n_inputs)
        set_(self, "n_outputs", len(outputs))
        set_(self, "n_ops", len(instructions))
        set_(self, "n_slots", n_inputs + len(instructions))
        _validate(self)
        set_(self, "links", _links(self))
        # what the value kernels switch on (superinstructions: sweeps.pair_dispatch)
        set_(self, "dispatch", sweeps.pair_dispatch(instructions[:, 0]))
        set_(self, "reverse_dispatch", sweeps.reverse_pair_dispatch(instructions[:, 0]))
        set_(self, "_program", None)  # the rows in runs, made on first use: _runs()
        set_(self, "_scratch", threading.local())

    def __reduce__(self):
        from .serialize import reduce  # pickles carry the file format's version
        return reduce(self)

    def _runs(self):
        """``(runs, rows)``: the rows reordered into runs of one opcode for the
        single-point value sweeps (:func:`adjit.sweeps.cluster_runs`), made on
        first use. Where the runs would be too short to pay (fewer than
        ``sweeps.RUN_MIN_MEAN`` rows on average: opcodes mixed at random), an
        empty table and the tape's own rows, and the sweeps use ``dispatch``."""
        program = self._program
        if program is None:
            runs, rows = sweeps.cluster_runs(self.instructions, self.links, self.n_inputs)
            if self.n_ops < sweeps.RUN_MIN_MEAN * (len(runs) - 1):
                runs, rows = _NO_RUNS, self.instructions
            program = (runs, rows)
            object.__setattr__(self, "_program", program)  # a cache: same value every time
        return program

    def _scratch_for(self, width: int = 1, block: int = 0) -> np.ndarray:
        """The float64 scratch buffer the kernels carve their work arrays from,
        kept per tape and per thread (grown, never shrunk) so that repeated
        calls neither allocate nor page-fault. ``width`` tangent/adjoint columns
        at one point, or a ``block`` of points for the batched kernels."""
        buf = self._scratch.__dict__.get("buf")
        w = self.n_slots + 1
        size = 2 * w * block if block else w + 2 * self.n_ops + w * width
        if buf is None or buf.shape[0] < size:
            buf = self._scratch.buf = np.empty(size)
        return buf

    def __setattr__(self, name, value):
        raise AttributeError("a Tape is immutable")

    # --- views of the instruction columns ---------------------------------
    @property
    def opcode(self) -> np.ndarray:
        """int32 opcode of each instruction (see ``adjit.ops.NAMES``)."""
        return self.instructions[:, 0]

    @property
    def result(self) -> np.ndarray:
        """Slot each instruction writes."""
        return self.instructions[:, 1]

    @property
    def arg0(self) -> np.ndarray:
        """First operand: a slot, or a constant index for ``const``."""
        return self.instructions[:, 2]

    @property
    def arg1(self) -> np.ndarray:
        """Second operand: a slot (``vv``), a constant index (``vc``/``cv``), else 0."""
        return self.instructions[:, 3]

    # --- description --------------------------------------------------------
    def __repr__(self):
        return (f"Tape(n_inputs={self.n_inputs}, n_outputs={self.n_outputs}, "
                f"n_ops={self.n_ops}, n_constants={len(self.constants)}"
                + (f", n_guards={len(self.guards)}" if len(self.guards) else "") + ")")

    def op_counts(self) -> dict[str, int]:
        """Number of instructions per opcode name, most frequent first."""
        counts = np.bincount(self.opcode, minlength=ops.N_OPCODES)
        order = np.argsort(-counts, kind="stable")
        return {ops.NAMES[i]: int(counts[i]) for i in order if counts[i]}

    def summary(self) -> str:
        """A short text: sizes, then instruction counts by op."""
        lines = [repr(self), f"  memory: {self.nbytes:,} bytes in arrays"]
        for name, count in self.op_counts().items():
            lines.append(f"  {name:<16}{count:>12,}")
        return "\n".join(lines)

    @property
    def nbytes(self) -> int:
        """Bytes held by the tape's arrays."""
        return sum(a.nbytes for a in (self.instructions, self.constants, self.outputs,
                                      self.guards, self.links))

    # --- input checks -------------------------------------------------------
    def _point(self, x) -> np.ndarray:
        if type(x) is np.ndarray and x.dtype == np.float64 and x.shape == (self.n_inputs,):
            flags = x.flags
            if flags.c_contiguous and flags.writeable:
                return x
        return _kernel_ready(_as_float_array(x, (self.n_inputs,), "x"))

    def _points(self, xs) -> np.ndarray:
        xs = _as_float_array(xs, None, "x")
        if xs.ndim != 2 or xs.shape[1] != self.n_inputs:
            raise ValueError(f"x: expected shape (B, {self.n_inputs}) for a batch of points, "
                             f"got {xs.shape}")
        return _kernel_ready(xs)

    def _flipped(self, flip, x):
        if flip >= 0:
            raise BranchChanged(self, int(flip), x)

    def _block(self, npts: int) -> int:
        """Points per block: a power of two up to 16 whose work arrays, summed over
        the threads that share the last-level cache, stay within ~32 MB
        (measured: 8-16 points per dispatch is fastest while the blocks fit in
        cache; at least 2, as one point per block is the slowest way. Rosenbrock
        n=1e4 on two threads: 8 points per block 1.86 ns/op/point, 16: 2.17)."""
        per_point = 16 * (self.n_slots + 1)  # values and adjoints
        threads = parallel.threads_for(self, npts)
        fit = max(2, min(_BLOCK, _BLOCK_BYTES // threads // per_point))
        block = 1 << (int(fit).bit_length() - 1)
        # A short last block is padded to full width: no wider than the rows
        # each thread gets (8 points as 8, not as 16 of which half are padding).
        rows = -(-npts // threads)
        while block > 2 and block // 2 >= rows:
            block //= 2
        return block

    # --- evaluation -----------------------------------------------------------
    def forward(self, x) -> np.ndarray:
        """Outputs at ``x``: shape ``(m,)``; for ``x`` of shape ``(B, n)``, ``(B, m)``."""
        if type(x) is not np.ndarray or x.ndim != 1:
            if np.ndim(x) == 2:
                return self._forward_batch(x)
        x = self._point(x)
        runs, rows = self._runs()
        if len(runs):
            y, flip = _call(sweeps.forward_runs, runs, rows, self.constants, self.outputs,
                            self.guards, x, self._scratch_for(0))
        else:
            y, flip = _call(sweeps.forward, self.dispatch, self.instructions, self.constants,
                            self.outputs, self.guards, x, self._scratch_for(0))
        if flip >= 0:
            self._flipped(flip, x)
        return y

    def _forward_batch(self, x):
        xs = self._points(x)
        block = self._block(len(xs))

        def run(rows):
            return sweeps.batch_forward(self.instructions, self.constants, self.outputs,
                                        self.guards, rows, block, self._scratch_for(block=block))
        ys, flips = parallel.rows(self, run, xs)
        _batch_flips(self, flips, xs)
        return ys

    __call__ = forward

    def jvp(self, x, v):
        """``(y, J @ v)``: outputs and the Jacobian times ``v`` by one tangent sweep.

        ``v`` has shape ``(n,)`` (result ``(m,)``) or ``(n, p)`` for p directions at
        once (result ``(m, p)``).
        """
        x = self._point(x)
        v = _as_float_array(v, None, "v")
        if v.ndim not in (1, 2) or v.shape[0] != self.n_inputs:
            raise ValueError(f"v: expected shape ({self.n_inputs},) or ({self.n_inputs}, p), "
                             f"got {v.shape}")
        v2 = _kernel_ready(v.reshape(self.n_inputs, -1))
        y, jv, flip = sweeps.jvp(self.dispatch, self.instructions, self.links, self.constants,
                                 self.outputs, self.guards, x, v2,
                                 self._scratch_for(v2.shape[1]))
        if flip >= 0:
            self._flipped(flip, x)
        return y, (jv[:, 0] if v.ndim == 1 else jv)

    def vjp(self, x, w):
        """``(y, w @ J)``: outputs and the vector-Jacobian product by one adjoint sweep.

        ``w`` has shape ``(m,)`` (result ``(n,)``) or ``(q, m)`` for q seeds at once
        (result ``(q, n)``).
        """
        x = self._point(x)
        w = _as_float_array(w, None, "w")
        m = self.n_outputs
        if w.ndim not in (1, 2) or w.shape[-1] != m:
            raise ValueError(f"w: expected shape ({m},) or (q, {m}), got {w.shape}")
        w2 = _kernel_ready(w.reshape(-1, m))
        y, wj, flip = sweeps.vjp(self.dispatch, self.instructions, self.links, self.constants,
                                 self.outputs, self.guards, x, w2,
                                 self._scratch_for(w2.shape[0]))
        if flip >= 0:
            self._flipped(flip, x)
        return y, (wj[0] if w.ndim == 1 else wj)

    def _scalar_output(self, what):
        if self.n_outputs != 1:
            raise ValueError(f"{what} needs a tape with one output; this one has "
                             f"{self.n_outputs}: use jacobian() or vjp()")

    def value_and_gradient(self, x):
        """``(f(x), ∇f(x))`` of a single-output tape, by one forward and one reverse
        sweep. For ``x`` of shape ``(B, n)``: values ``(B,)`` and gradients ``(B, n)``."""
        if self.n_outputs != 1:
            self._scalar_output("value_and_gradient")
        if (type(x) is not np.ndarray or x.ndim != 1) and np.ndim(x) == 2:
            xs = self._points(x)
            block = self._block(len(xs))

            def run(rows):
                return sweeps.batch_value_and_gradient(
                    self.instructions, self.links, self.constants, self.outputs, self.guards,
                    rows, block, self._scratch_for(block=block))
            ys, gs, flips = parallel.rows(self, run, xs)
            _batch_flips(self, flips, xs)
            return ys, gs
        x = self._point(x)
        g = np.empty(self.n_inputs)
        adj = self._scratch.__dict__.get("adj")  # zero between calls (see the kernel)
        if adj is None:
            adj = self._scratch.adj = np.zeros(self.n_slots + 1)
        runs, rows = self._runs()
        if len(runs):
            y, flip = _call(sweeps.value_and_gradient_runs, runs, rows, self.reverse_dispatch,
                            self.instructions, self.constants, self.outputs, self.guards, x,
                            self._scratch_for(0), adj, g)
        else:
            y, flip = _call(sweeps.value_and_gradient, self.dispatch, self.reverse_dispatch,
                            self.instructions, self.constants, self.outputs, self.guards, x,
                            self._scratch_for(0), adj, g)
        if flip >= 0:
            self._flipped(flip, x)
        return y, g

    def gradient(self, x) -> np.ndarray:
        """∇f(x) of a single-output tape: shape ``(n,)``; ``(B, n)`` for a batch."""
        return self.value_and_gradient(x)[1]

    def jacobian(self, x, mode: str = "auto") -> np.ndarray:
        """The dense Jacobian ``(m, n)`` at ``x``.

        ``mode="forward"`` builds it from tangent sweeps (n directions),
        ``"reverse"`` from adjoint sweeps (m seeds), and ``"auto"`` picks forward
        when ``n <= m`` and reverse otherwise: each sweep costs about the same, so
        the cheaper mode is the one with fewer sweeps. Sweeps run up to 64
        directions at a time after a single linearization at ``x``.
        """
        if mode not in ("auto", "forward", "reverse"):
            raise ValueError(f"mode: expected 'auto', 'forward' or 'reverse', got {mode!r}")
        x = self._point(x)
        reverse = mode == "reverse" or (mode == "auto" and self.n_inputs > self.n_outputs)
        width = self.n_outputs if reverse else self.n_inputs
        chunk = max(1, min(width, _MAX_DIRECTIONS, (1 << 24) // (self.n_slots + 1)))
        y, jac, flip = sweeps.jacobian(self.dispatch, self.instructions, self.links,
                                       self.constants, self.outputs, self.guards, x, reverse,
                                       chunk, self._scratch_for(chunk))
        if flip >= 0:
            self._flipped(flip, x)
        return jac


    # --- branches, files, pictures (adjit.branches, adjit.serialize, adjit.display)
    def kinks(self, x) -> list:
        """Piecewise operations sitting exactly at their kink at ``x`` (``abs`` or
        ``sign`` at 0, ``floor``/``ceil`` at an integer, ``minimum``/``maximum``
        at a tie) and comparisons at a tie, as :class:`adjit.branches.Kink` rows;
        empty where every recorded operation is smooth at ``x``."""
        from .branches import kinks
        return kinks(self, x)

    def save(self, path) -> None:
        """Write the tape to ``path`` (exactly that name) in adjit's versioned
        format; read it back with :func:`adjit.load`."""
        from .serialize import save
        save(self, path)

    def to_dot(self) -> str:
        """Graphviz DOT text of the computation graph: inputs, one node per
        instruction (constants folded into its label), outputs."""
        from .display import to_dot
        return to_dot(self)

    def render(self, path) -> str:
        """Draw the graph to ``path`` (format from its suffix: .svg, .png, .pdf)
        with Graphviz's ``dot`` program; returns the path."""
        from .display import render
        return render(self, path)

    # --- seeing the tape ---------------------------------------------------------
    def trace_table(self, x, v=None, w=None):
        """The evaluation trace at ``x`` as ``(rows, text)``: every slot's op,
        operands and value, plus its tangent along ``v`` and adjoint from ``w``
        when given (see :func:`adjit.display.trace_table`)."""
        from .display import trace_table
        return trace_table(self, x, v, w)

    # --- optimization, compact value programs, use from @njit code -------------
    def optimized(self) -> "Tape":
        """This tape through the optimizer (:mod:`adjit.optimize`); ``trace`` does
        this by default, so this is for tapes traced with ``optimize=False``,
        built by hand or loaded."""
        from .optimize import optimize
        return optimize(self)

    def slot_program(self):
        """The tape's instructions with result slots reused once dead, for
        value-only evaluation (:func:`adjit.optimize.slot_program`). forward()
        does not use it: measured on this machine it ran no faster (1.00-1.04x
        on Lennard-Jones 64/256 atoms, chained Rosenbrock n=1e5, kinetics
        400), since the sweep streams the instructions either way; its gain is
        memory (a 457k-op tape computes in 772 slots)."""
        from .optimize import slot_program
        return slot_program(self)

    def njit_functions(self):
        """Value, gradient, JVP, VJP and Jacobian as Numba functions that a user's
        ``@njit`` code can call, with the tape as a tuple of arrays (see
        :mod:`adjit.compiled`)."""
        from .compiled import njit_functions
        return njit_functions(self)

    # --- second order and sparsity (adjit.second, adjit.sparsity) -------------
    def hvp(self, x, v, w=None) -> np.ndarray:
        """Hessian of ``Σ w_i f_i`` at ``x`` times ``v`` by forward over reverse:
        ``(n,)`` for ``v`` of shape ``(n,)``, ``(n, p)`` for ``(n, p)``. ``w``
        defaults to ``[1.0]`` on a single-output tape and is required otherwise."""
        from .second import hvp
        return hvp(self, x, v, w)

    def hessian(self, x, w=None) -> np.ndarray:
        """The dense symmetric ``(n, n)`` Hessian of ``Σ w_i f_i`` at ``x``
        (``w`` as in :meth:`hvp`)."""
        from .second import hessian
        return hessian(self, x, w)

    def jacobian_sparsity(self):
        """Boolean ``scipy.sparse.csr_matrix`` ``(m, n)``: which outputs depend
        on which inputs, structurally (the same at every point)."""
        from .sparsity import jacobian_sparsity
        return jacobian_sparsity(self)

    def hessian_sparsity(self):
        """Boolean symmetric ``csr_matrix`` ``(n, n)``: which inputs interact
        nonlinearly in some output."""
        from .sparsity import hessian_sparsity
        return hessian_sparsity(self)

    def jacobian_coloring(self):
        """The :class:`adjit.sparsity.Coloring` that :meth:`sparse_jacobian`
        uses (``.mode``, ``.colors``, ``.n_colors``); computed once per tape."""
        from .sparsity import jacobian_coloring
        return jacobian_coloring(self)

    def hessian_coloring(self):
        """The star :class:`adjit.sparsity.Coloring` of :meth:`sparse_hessian`."""
        from .sparsity import hessian_coloring
        return hessian_coloring(self)

    def sparse_jacobian(self, x):
        """The Jacobian at ``x`` as a ``csr_matrix`` with the structural pattern,
        from one compressed sweep (one direction per color)."""
        from .sparsity import sparse_jacobian
        return sparse_jacobian(self, x)

    def sparse_hessian(self, x, w=None):
        """The Hessian of ``Σ w_i f_i`` at ``x`` as a symmetric ``csr_matrix``,
        from one forward-over-reverse sweep with one direction per star color."""
        from .sparsity import sparse_hessian
        return sparse_hessian(self, x, w)


def _as_float_array(x, shape, name) -> np.ndarray:
    """``x`` as float64, with a clear error for complex, non-numeric or misshapen input."""
    if np.iscomplexobj(x):
        raise TypeError(f"{name}: complex input is not supported (adjit differentiates real "
                        "functions); pass the real part or split real and imaginary parts")
    # NumPy would turn None into nan and "1.5" into 1.5; both are caller mistakes.
    text = x.dtype.kind in "USV" if isinstance(x, np.ndarray) else isinstance(x, (str, bytes))
    if x is None or text:
        what = x.dtype if isinstance(x, np.ndarray) else type(x).__name__
        raise TypeError(f"{name}: expected an array of real numbers, got {what}")
    try:
        arr = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError) as e:
        raise TypeError(f"{name}: expected an array of real numbers, got "
                        f"{type(x).__name__} ({e})") from None
    if shape is not None and arr.shape != shape:
        raise ValueError(f"{name}: expected shape {shape}, got {arr.shape}")
    return arr


# Small tapes are dominated by the cost of calling a kernel, and Numba's
# dispatcher spends ~0.5 us of a ~3 us gradient working out argument types that
# never change at these call sites: every array is made by the Tape (validated,
# read-only), by _point/_kernel_ready (float64, C-contiguous, writeable) or by
# np.empty. So the first call goes through the dispatcher (which compiles or
# loads the kernel) and later calls go straight to the compiled entry point of
# the overload it chose. Anything unexpected falls back to the dispatcher.
_ENTRY: dict = {}


def _call(kernel, *args):
    """``kernel(*args)`` for a call site whose argument types are fixed."""
    entry = _ENTRY.get(kernel)
    if entry is not None:
        try:
            return entry(*args)
        except SystemError as e:  # Ctrl-C: see parallel.interruptible
            parallel.raise_interrupt(e)
            raise
    out = parallel.interruptible(kernel, *args)
    try:
        sig = tuple(kernel.typeof_pyval(a) for a in args)
        _ENTRY[kernel] = kernel.overloads[sig].entry_point
    except Exception:  # pragma: no cover - another Numba's internals: keep dispatching
        _ENTRY[kernel] = kernel
    return out


def _kernel_ready(a: np.ndarray) -> np.ndarray:
    """C-contiguous and writeable: the one array type the compiled kernels were
    built for (a strided or read-only array would compile a new specialization)."""
    if a.flags.c_contiguous and a.flags.writeable:
        return a
    return np.array(a, order="C", copy=True)


def _batch_flips(tape, flips, xs):
    bad = np.flatnonzero(flips >= 0)
    if bad.size:
        raise BranchChanged(tape, int(flips[bad[0]]), xs[bad[0]], rows=bad)


def _validate(tape: Tape) -> None:
    """Check every index a kernel will follow; raise TapeError naming the fault."""
    n_in, n_ops, n_slots = tape.n_inputs, tape.n_ops, tape.n_slots
    if n_in < 1:
        raise TapeError(f"a tape needs at least one input, got n_inputs={n_in}")
    if tape.n_outputs < 1:
        raise TapeError("a tape needs at least one output, got none")
    if n_slots >= np.iinfo(_INT).max:
        raise TapeError(f"tape too large: {n_slots} slots exceed the int32 index range")
    instr = tape.instructions
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
    n_const = len(tape.constants)
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
    out = tape.outputs
    bad = np.flatnonzero((out < 0) | (out >= n_slots))
    if bad.size:
        raise TapeError(f"output {bad[0]}: slot {out[bad[0]]} out of range [0, {n_slots})")
    g = tape.guards
    if len(g):
        slots, expect = g[:, 0], g[:, 1]
        bad = np.flatnonzero((slots < n_in) | (slots >= n_slots))
        if bad.size:
            raise TapeError(f"guard {bad[0]}: slot {slots[bad[0]]} is not an instruction's "
                            f"result (range [{n_in}, {n_slots}))")
        bad = np.flatnonzero(~ops.IS_CONDITION[opcode[slots - n_in]] | ((expect != 0)
                                                                        & (expect != 1)))
        if bad.size:
            raise TapeError(f"guard {bad[0]}: must name a comparison's slot and expect 0 or 1")
        if len(tape.guard_sources) not in (0, len(g)):
            raise TapeError(f"guard_sources: expected {len(g)} entries, "
                            f"got {len(tape.guard_sources)}")


def _links(tape: Tape) -> np.ndarray:
    """(result, dep0, dep1) per instruction; a non-variable operand names the sink."""
    instr = tape.instructions
    sink = tape.n_slots
    opcode = instr[:, 0]
    links = np.empty((tape.n_ops, 3), dtype=_INT)
    links[:, 0] = instr[:, 1]
    links[:, 1] = np.where(ops.ARG0_IS_SLOT[opcode], instr[:, 2], sink)
    links[:, 2] = np.where(ops.ARG1_IS_SLOT[opcode], instr[:, 3], sink)
    links.flags.writeable = False
    return links
