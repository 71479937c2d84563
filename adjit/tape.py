"""The Tape: the public face of a recorded function. It holds the validated
program record (:mod:`adjit.program`) and evaluates it (values, directional
derivatives, gradients, Jacobians), and delegates to the layers below it for
the rest: second order (:mod:`adjit.second`), sparsity, files, pictures, the
optimizer and the ``@njit`` API, none of which imports this module.

Slots ``0 .. n_inputs-1`` hold the inputs; instruction ``i`` writes slot
``n_inputs + i``. An instruction is one row ``(opcode, result, arg0, arg1)`` of
``instructions``; what ``arg0``/``arg1`` name (a slot, a constant, nothing)
depends on the opcode's operand kind in :mod:`adjit.ops`. The row format
leaves room for array-level instructions later (an opcode over a contiguous
block of slots) without changing the sweeps' calling convention.
"""
from __future__ import annotations

import numpy as np

from . import branches, ops, parallel, program, serialize, signature, sweeps
from .errors import TapeError
from .program import as_float_array, call, kernel_ready

# The layers above the kernels that only some methods need (second order,
# sparsity, the optimizer, pictures, the @njit API) are imported by those
# methods: importing them (and scipy.sparse) at `import adjit` would slow every
# process's start. They are all below this module (see pyproject.toml's
# import-linter contract), so these are imports downwards, never back.

_MAX_DIRECTIONS = 64  # tangent/adjoint directions per sweep in dense Jacobians
_BLOCK = 16  # most points per block in batched kernels (wider blocks thrash the cache)
_BLOCK_BYTES = 1 << 25  # work memory one block of a batched kernel should stay within


_ONE = np.ones(1)  # the seed of a single output

class Tape:
    """A function ``f: R^n -> R^m`` recorded as an instruction tape.

    Build one with :func:`adjit.trace`. A Tape is immutable and validated when
    built, so its compiled kernels never see an out-of-range index: the kernels
    read its :attr:`program` record (:class:`adjit.program.Program`), made at
    construction from private copies whose memory can never be made writeable,
    and a Tape's attributes cannot be set or replaced. Besides its recorded
    arrays (``instructions``, ``constants``, ``outputs``, ``guards``) it keeps
    derived ones: ``links``, the variable operands the derivative sweeps
    follow, ``dispatch``, the opcodes with superinstructions that the value
    kernels switch on (:func:`adjit.sweeps.pair_dispatch`), and
    ``reverse_dispatch``, the same for the gradient's adjoint sweep, which walks
    the rows backwards (:func:`adjit.sweeps.reverse_pair_dispatch`); on first use
    a single-point forward sweep or gradient also makes a copy of the rows
    reordered into runs of one opcode (:func:`adjit.sweeps.cluster_runs`).
    Everything built on first use (runs, sparsity patterns, colorings, the slot
    program, the ``@njit`` record) is built once, under the tape's lock
    (:class:`adjit.program.TapeState`), so a fresh tape may be shared by threads.
    Evaluation methods take ``x`` of the shape it was traced with
    (:attr:`in_shape`) or flat ``(n_inputs,)``, as anything convertible to
    float64 (lists, tuples, integer or boolean arrays; not None, strings or
    masked entries), and return gradients shaped like ``x``; a leading extra
    axis is a batch of points, ``(B,) + in_shape`` or ``(B, n)``. Outputs stay
    flat: ``forward`` gives ``(m,)`` and ``jacobian`` ``(m, n)``.

    A tape traced with data arguments (``adjit.trace(f, x0, *args)``) takes
    them after ``x`` in every evaluation method (``tape.gradient(x, *args)``):
    new data arrays of the traced shapes evaluate at the new data without a
    new trace; omitted trailing arguments keep their traced values; static
    arguments (not float arrays) must equal the traced ones. Derivatives are
    always with respect to ``x`` only.

    Derivative conventions where a function is not differentiable:
    ``abs`` and ``sign`` have derivative 0 at 0 (``abs``' is ``sign``);
    ``floor``, ``ceil`` and comparisons have derivative 0 everywhere;
    ``sqrt`` and ``cbrt`` at 0 give ``inf``; ``minimum``/``maximum`` at a tie
    give each operand half; ``hypot`` at the origin gives 0; ``a**b`` with
    ``a == 0`` has derivative 0 with respect to ``b``. Non-finite values
    propagate as NumPy's would.
    """

    __slots__ = ("_program", "_guard_sources", "_state", "_signature", "__weakref__")

    def __init__(self, instructions, constants, outputs, n_inputs, guards=None,
                 guard_sources=(), signature=None):
        if _is_built(self):
            raise AttributeError("a Tape is immutable")
        sources = tuple(str(s) for s in guard_sources)
        prog = program.build(instructions, constants, outputs, n_inputs, guards, len(sources))
        sig = _checked_signature(signature, prog)
        _SET["_guard_sources"](self, sources)
        _SET["_signature"](self, sig)
        _SET["_state"](self, program.TapeState())
        _SET["_program"](self, prog)

    def __reduce__(self):
        return serialize.reduce(self)  # pickles carry the file format's version

    def __setattr__(self, name, value):
        raise AttributeError("a Tape is immutable")

    def __delattr__(self, name):
        raise AttributeError("a Tape is immutable")

    # --- the record and the per-tape state ------------------------------------
    @property
    def program(self) -> program.Program:
        """The validated record the kernels read (rows dispatched row by row;
        the single-point value sweeps use :meth:`program_in_runs`)."""
        return self._program

    @property
    def cache(self) -> program.TapeState:
        """This tape's lazily built structures, lock and scratch buffers."""
        return self._state

    def program_in_runs(self) -> program.Program:
        """The record with the rows in runs where they pay
        (:func:`adjit.program.with_runs`), made once, on first use."""
        return self._single_point()[0]

    def _single_point(self):
        """``(record, forward kernel, gradient kernel, scratch size)`` of the
        single-point value sweeps: the record in runs where they pay, and the
        kernels that take it so, decided here once."""
        state = self._state
        if state.in_runs is None:
            with state.lock:
                if state.in_runs is None:
                    p = program.with_runs(self._program)
                    state.in_runs = (p, sweeps.forward_runs if p.in_runs else sweeps.forward,
                                     sweeps.value_and_gradient_runs if p.in_runs
                                     else sweeps.value_and_gradient,
                                     program.scratch_size(p, 0))
        return state.in_runs

    def _runs(self):
        """``(runs, rows)`` of :meth:`program_in_runs` (kept for the tests)."""
        p = self.program_in_runs()
        return p.runs, p.rows

    instructions = property(lambda self: self._program.instructions,
                            doc="int32 rows (opcode, result, arg0, arg1), read-only")
    constants = property(lambda self: self._program.constants, doc="float64 constant pool")
    outputs = property(lambda self: self._program.outputs, doc="slot of each output")
    guards = property(lambda self: self._program.guards,
                      doc="(slot, recorded outcome) of each branch guard")
    links = property(lambda self: self._program.links,
                     doc="(result, dep0, dep1) per instruction; a constant operand names "
                         "the sink slot n_slots")
    dispatch = property(lambda self: self._program.dispatch,
                        doc="what the value kernels switch on (sweeps.pair_dispatch)")
    reverse_dispatch = property(lambda self: self._program.reverse_dispatch,
                                doc="the same for the gradient's adjoint sweep")
    guard_sources = property(lambda self: self._guard_sources,
                             doc="file:line of each guard's branch")
    n_inputs = property(lambda self: self._program.n_inputs)
    in_shape = property(lambda self: self._signature.in_shape,
                        doc="shape of x as traced (a flat vector for tapes made by hand)")
    out_shape = property(lambda self: self._signature.out_shape,
                         doc="shape of f's result as traced (forward() returns it flat)")
    signature = property(lambda self: self._signature,
                         doc="in_shape, out_shape and the arguments after x "
                             "(adjit.signature.Signature)")

    @property
    def arg_shapes(self) -> tuple:
        """Shape of each argument after ``x``: a data argument's shape, or None
        for a static one."""
        return tuple(a.shape for a in self._signature.args)

    def data(self) -> tuple:
        """The data arguments the tape was traced with, one array per data
        argument (what evaluations use when they are omitted); NaN marks
        elements the tape never reads."""
        vals = signature.data_values(self._signature.args, self._program.constants)
        out, start = [], 0
        for a in self._signature.args:
            if a.is_data:
                out.append(vals[start:start + a.size].reshape(a.shape))
                start += a.size
        return tuple(out)
    n_outputs = property(lambda self: self._program.outputs.shape[0])
    n_ops = property(lambda self: self._program.instructions.shape[0])
    n_slots = property(lambda self: self._program.n_slots)

    def _scratch_for(self, width: int = 1, block: int = 0) -> np.ndarray:
        """The float64 scratch buffer the kernels carve their work arrays from,
        kept per tape and per thread (grown, never shrunk)."""
        return self._state.grown("buf", program.scratch_size(self._program, width, block))

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

    # --- input checks ------------------------------------------------------
    def _point(self, x) -> np.ndarray:
        return program.point(self._program, x)

    def _points(self, xs) -> np.ndarray:
        return program.points(self._program, xs)

    def _split(self, x):
        """``(x, batch)``: one point as float64 ``(n,)`` or a batch as ``(B, n)``
        (:func:`adjit.signature.split_x`)."""
        return signature.split_x(self._signature, self._program.n_inputs, x)

    def _one(self, x) -> np.ndarray:
        """``x`` as one flat point (a method that takes no batch)."""
        if self._signature.plain:
            return self._point(x)
        flat, batch = self._split(x)
        if batch:
            raise ValueError(f"x: this method takes one point of shape {self.in_shape}, got "
                             f"a batch of shape {np.shape(x)}")
        return self._point(flat)

    def _bound(self, args) -> "Tape":
        """This tape evaluated at the data ``args`` (itself when they are the
        traced ones): the same instructions and structures, another constant
        pool (:func:`adjit.signature.bind`)."""
        c = signature.bind(self._signature, self._program.constants, args)
        if c is self._program.constants:
            return self
        state = self._state
        if state.in_runs is None:
            self._single_point()  # made once on the parent, shared with every binding
        t = _NEW(Tape)
        _SET_SOURCES(t, self._guard_sources)
        _SET_SIGNATURE(t, self._signature)
        _SET_STATE(t, state.rebound(c))
        _SET_PROGRAM(t, program.with_constants(self._program, c))
        return t

    def _flipped(self, flip, x):
        branches.raise_flipped(self, flip, x)

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
    def forward(self, x, *args) -> np.ndarray:
        """Outputs at ``x``, flat: shape ``(m,)``; for a batch of points, ``(B, m)``."""
        if args:
            return self._bound(args).forward(x)
        if type(x) is not np.ndarray or x.ndim != 1 or not self._signature.plain:
            if self._signature.plain:
                if np.ndim(x) == 2:
                    return self._forward_batch(x)
            else:
                x, batch = self._split(x)
                if batch:
                    return self._forward_batch(x)
        state = self._state
        p, kernel, _, size = state.in_runs or self._single_point()
        x = program.point(p, x)
        y, flip = call(kernel, p, x, state.single_point(size, p.n_slots + 1)[0])
        if flip >= 0:
            branches.raise_flipped(self, flip, x)
        return y

    def _forward_batch(self, x):
        xs = self._points(x)
        block = self._block(len(xs))

        def run(rows):
            return call(sweeps.batch_forward, self._program, rows, block,
                        self._scratch_for(block=block))
        ys, flips = parallel.rows(self, run, xs)
        branches.raise_batch_flips(self, flips, xs)
        return ys

    __call__ = forward

    def jvp(self, x, v, *args):
        """``(y, J @ v)``: outputs and the Jacobian times ``v`` by one tangent sweep.

        ``v`` is shaped like ``x`` (or flat ``(n,)``; result ``(m,)``), or has an
        extra last axis of p directions taken at once (result ``(m, p)``).
        """
        if args:
            return self._bound(args).jvp(x, v)
        x = self._one(x)
        v2, single = self._directions(v)
        y, jv, flip = call(sweeps.jvp, self._program, x, v2, self._scratch_for(v2.shape[1]))
        if flip >= 0:
            self._flipped(flip, x)
        return y, (jv[:, 0] if single else jv)

    def vjp(self, x, w, *args):
        """``(y, w @ J)``: outputs and the vector-Jacobian product by one adjoint sweep.

        ``w`` has shape ``(m,)`` (or :attr:`out_shape`; the result is shaped like
        ``x``) or ``(q, m)`` for q seeds at once (result ``(q,) + x.shape``).
        """
        if args:
            return self._bound(args).vjp(x, w)
        shape = np.shape(x)
        x = self._one(x)
        w2, single = self._seeds(w)
        y, wj, flip = call(sweeps.vjp, self._program, x, w2, self._scratch_for(w2.shape[0]))
        if flip >= 0:
            self._flipped(flip, x)
        return y, (wj[0].reshape(shape) if single else wj.reshape((len(w2),) + shape))

    def _jacobian_mode(self, args, mode) -> tuple:
        """``(args, mode)`` of ``jacobian(x, *args, mode=)``, checked; on a tape
        without data arguments ``jacobian(x, "forward")`` still names the mode."""
        if len(args) == 1 and isinstance(args[0], str) and not self._signature.args:
            mode, args = args[0], ()
        if mode not in ("auto", "forward", "reverse"):
            raise ValueError(f"mode: expected 'auto', 'forward' or 'reverse', got {mode!r}")
        return args, mode

    def _directions(self, v) -> tuple:
        """``(V, single)``: jvp's ``v`` as ``(n, p)`` columns, kernel-ready; single
        when ``v`` was one direction (shaped like x, or flat)."""
        v = as_float_array(v, None, "v")
        n = self.n_inputs
        ins = self._signature.in_shape
        if v.shape in ((n,), ins):
            return kernel_ready(v.reshape(n, 1)), True
        if v.ndim >= 1 and (v.shape[:-1] == ins or v.shape[:-1] == (n,)):
            return kernel_ready(v.reshape(n, v.shape[-1])), False
        raise ValueError(f"v: expected shape ({n},) or ({n}, p)"
                         + (f", or {ins} or {ins + ('p',)}" if ins != (n,) else "")
                         + f", got {v.shape}")

    def _seeds(self, w) -> tuple:
        """``(W, single)``: vjp's ``w`` as ``(q, m)`` rows, kernel-ready; single when
        ``w`` was one seed (flat, or shaped like the outputs)."""
        w = as_float_array(w, None, "w")
        m = self.n_outputs
        outs = self._signature.out_shape
        if w.shape in ((m,), outs):
            return kernel_ready(w.reshape(1, m)), True
        if w.ndim >= 1 and (w.shape[1:] == (m,) or (w.shape[1:] == outs and outs != ())):
            return kernel_ready(w.reshape(w.shape[0], m)), False
        raise ValueError(f"w: expected shape ({m},) or (q, {m})"
                         + (f", or {outs}" if outs != (m,) else "") + f", got {w.shape}")

    def _scalar_output(self, what):
        if self.n_outputs != 1:
            raise ValueError(f"{what} needs a tape with one output; this one has "
                             f"{self.n_outputs}: use jacobian() or vjp()")

    def value_and_gradient(self, x, *args):
        """``(f(x), ∇f(x))`` of a single-output tape, by one forward and one reverse
        sweep; the gradient is shaped like ``x``. For a batch of points: values
        ``(B,)`` and gradients ``(B,) + in_shape`` (or ``(B, n)``)."""
        if args:
            return self._bound(args).value_and_gradient(x)
        if self._program.outputs.shape[0] != 1:
            self._scalar_output("value_and_gradient")
        shape = None
        if type(x) is not np.ndarray or x.ndim != 1 or not self._signature.plain:
            if self._signature.plain:
                batch = np.ndim(x) == 2
            else:
                shape = np.shape(x)
                x, batch = self._split(x)
            if batch:
                ys, gs = self._value_and_gradient_batch(x)
                return ys, (gs if shape is None else gs.reshape(shape))
        state = self._state
        p, _, kernel, size = state.in_runs or self._single_point()
        x = program.point(p, x)
        g = np.empty(p.n_inputs)
        scratch, adj = state.single_point(size, p.n_slots + 1)  # adj: zero between calls
        y, flip = call(kernel, p, x, scratch, adj, g)
        if flip != -1:
            if flip >= 0:
                branches.raise_flipped(self, flip, x)
            g = self._gradient_by_partials(x)  # NAN_GRADIENT
        return y, (g if shape is None else g.reshape(shape))

    def _value_and_gradient_batch(self, x):
        xs = self._points(x)
        block = self._block(len(xs))

        def run(rows):
            return call(sweeps.batch_value_and_gradient, self._program, rows, block,
                        self._scratch_for(block=block))
        ys, gs, flips = parallel.rows(self, run, xs)
        if (flips != -1).any():
            branches.raise_batch_flips(self, flips, xs)
            for k in np.flatnonzero(flips == sweeps.NAN_GRADIENT):
                gs[k] = self._gradient_by_partials(xs[k])
        return ys, gs

    def _gradient_by_partials(self, x) -> np.ndarray:
        """The gradient by the sweep over stored partials, which follows azmul:
        for a point where the recomputing sweep met zero times infinity."""
        return self.vjp(x, _ONE)[1].reshape(-1)

    def gradient(self, x, *args) -> np.ndarray:
        """∇f(x) of a single-output tape, shaped like ``x``; ``(B,) + in_shape``
        for a batch of points."""
        return self.value_and_gradient(x, *args)[1]

    def jacobian(self, x, *args, mode: str = "auto") -> np.ndarray:
        """The dense Jacobian ``(m, n)`` at ``x``; ``(B, m, n)`` for a batch of points.

        ``mode="forward"`` builds it from tangent sweeps (n directions),
        ``"reverse"`` from adjoint sweeps (m seeds), and ``"auto"`` picks forward
        when ``n <= m`` and reverse otherwise: each sweep costs about the same, so
        the cheaper mode is the one with fewer sweeps. Sweeps run up to 64
        directions at a time after a single linearization at ``x``.
        """
        args, mode = self._jacobian_mode(args, mode)
        if args:
            return self._bound(args).jacobian(x, mode=mode)
        flat, batch = self._split(x)
        if batch:
            return self._jacobian_batch(self._points(flat), mode)
        x = self._point(flat)
        reverse = mode == "reverse" or (mode == "auto" and self.n_inputs > self.n_outputs)
        width = self.n_outputs if reverse else self.n_inputs
        chunk = max(1, min(width, _MAX_DIRECTIONS, (1 << 24) // (self.n_slots + 1)))
        y, jac, flip = call(sweeps.jacobian, self._program, x, reverse, chunk,
                            self._scratch_for(chunk))
        if flip >= 0:
            self._flipped(flip, x)
        return jac

    # --- branches, files, pictures (adjit.branches, adjit.serialize, adjit.display)
    def kinks(self, x, *args) -> list:
        """Piecewise operations sitting exactly at their kink at ``x`` (``abs`` or
        ``sign`` at 0, ``floor``/``ceil`` at an integer, ``minimum``/``maximum``
        at a tie) and comparisons at a tie, as :class:`adjit.branches.Kink` rows;
        empty where every recorded operation is smooth at ``x``."""
        if args:
            return self._bound(args).kinks(x)
        return branches.kinks(self, self._one(x))

    def save(self, path) -> None:
        """Write the tape to ``path`` (exactly that name) in adjit's versioned
        format; read it back with :func:`adjit.load`."""
        serialize.save(self, path)

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
    def trace_table(self, x, v=None, w=None, *, args=()):
        """The evaluation trace at ``x`` as ``(rows, text)``: every slot's op,
        operands and value, plus its tangent along ``v`` and adjoint from ``w``
        when given (see :func:`adjit.display.trace_table`); ``args`` are data
        arguments."""
        from .display import trace_table
        t = self._bound(args) if args else self
        flat = None if v is None else np.reshape(as_float_array(v, None, "v"), -1)
        return trace_table(t, self._one(x), flat, w)

    # --- optimization, compact value programs, use from @njit code -------------
    def optimized(self) -> "Tape":
        """This tape through the optimizer (:mod:`adjit.optimize`); ``trace`` does
        this by default, so this is for tapes traced with ``optimize=False``,
        built by hand or loaded."""
        from .optimize import optimize
        return self._state.once("optimized", lambda: _optimized(self, optimize))

    def slot_program(self):
        """The tape's instructions with result slots reused once dead, for
        value-only evaluation (:func:`adjit.optimize.slot_program`). forward()
        does not use it: measured on this machine it ran no faster (1.00-1.04x
        on Lennard-Jones 64/256 atoms, chained Rosenbrock n=1e5, kinetics
        400), since the sweep streams the instructions either way; its gain is
        memory (a 457k-op tape computes in 772 slots)."""
        from .optimize import slot_program
        return self._state.once("slot_program", lambda: slot_program(self))

    def folded(self) -> "Tape":
        """The same function with each loop body's repeated rows folded into
        array instructions (TMBad's tape compression, :mod:`adjit.folding`), as
        an :class:`adjit.array_tape.ArrayTape`. Opt-in: it pays where a loop
        reads its inputs in order (a chained Rosenbrock loop's gradient runs
        about twice as fast) and loses where the loop reads them in no even
        order (pair loops: their operands are gathered first); see
        ``perf/README.md``. Measure both on your function. Values agree to
        rounding (sums are reassociated). Tapes with data arguments are not
        folded (ValueError): their constant pool must keep its layout."""
        if FOLD is None:
            raise RuntimeError("adjit.array_tape is not loaded")
        return self._state.once("folded", lambda: FOLD(self))

    def njit_functions(self, *args):
        """Value, gradient, JVP, VJP and Jacobian as Numba functions that a user's
        ``@njit`` code can call, with the tape as one record (see
        :mod:`adjit.compiled`). Data arguments, when given, are bound into the
        record (call again for other data: the functions stay the same)."""
        if args:
            return self._bound(args).njit_functions()
        from .compiled import njit_functions
        return self._state.once("njit_functions", lambda: njit_functions(self))

    # --- second order and sparsity (adjit.second, adjit.sparsity) -------------
    def _weights_and_args(self, args, w):
        """``hvp(x, v, w)`` and ``hessian(x, w)`` took ``w`` positionally before
        data arguments existed; on a tape without arguments they still do."""
        if args and w is None and len(args) == 1 and not self._signature.args:
            return (), args[0]
        return args, w

    def hvp(self, x, v, *args, w=None) -> np.ndarray:
        """Hessian of ``Σ w_i f_i`` at ``x`` times ``v`` by forward over reverse.
        ``v`` shaped like ``x`` (or flat) gives a result of its shape; an extra
        last axis of p directions gives ``(n, p)``. For a batch of points ``x``
        ``(B,) + in_shape`` and ``v`` of the same shape: one product per point,
        shaped like ``v``. ``w`` (keyword; positional on a tape without data
        arguments) defaults to ``[1.0]`` on a single-output tape and is required
        otherwise."""
        args, w = self._weights_and_args(args, w)
        if args:
            return self._bound(args).hvp(x, v, w=w)
        flat, batch = self._split(x)
        v = as_float_array(v, None, "v")
        n = self.n_inputs
        if batch:
            if v.shape != np.shape(x):
                raise ValueError(f"v: expected one direction per point, shape {np.shape(x)} "
                                 f"like x, got {v.shape}")
            return self._hvp_batch(self._points(flat), v.reshape(len(flat), n),
                                   w).reshape(v.shape)
        from .second import hvp
        ins = self._signature.in_shape
        if v.shape == ins and ins != (n,):
            return hvp(self, flat, v.reshape(n), w).reshape(ins)
        if v.ndim >= 2 and v.shape[:-1] == ins and ins != (n,):
            return hvp(self, flat, v.reshape(n, v.shape[-1]), w)
        return hvp(self, flat, v, w)

    def hessian(self, x, *args, w=None) -> np.ndarray:
        """The dense symmetric ``(n, n)`` Hessian of ``Σ w_i f_i`` at ``x``
        (``w`` as in :meth:`hvp`)."""
        args, w = self._weights_and_args(args, w)
        if args:
            return self._bound(args).hessian(x, w=w)
        from .second import hessian
        return hessian(self, self._one(x), w)

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

    def sparse_jacobian(self, x, *args):
        """The Jacobian at ``x`` as a ``csr_matrix`` ``(m, n)`` with the
        structural pattern, from one compressed sweep (one direction per color)."""
        if args:
            return self._bound(args).sparse_jacobian(x)
        from .sparsity import sparse_jacobian
        return sparse_jacobian(self, self._one(x))

    def sparse_hessian(self, x, *args, w=None):
        """The Hessian of ``Σ w_i f_i`` at ``x`` as a symmetric ``csr_matrix``
        ``(n, n)``, from one forward-over-reverse sweep with one direction per
        star color (``w`` as in :meth:`hvp`)."""
        args, w = self._weights_and_args(args, w)
        if args:
            return self._bound(args).sparse_hessian(x, w=w)
        from .second import sparse_hessian
        return sparse_hessian(self, self._one(x), w)

    # --- batches of Jacobians and Hessian-vector products ------------------------
    def _jacobian_batch(self, xs, mode="auto") -> np.ndarray:
        """Jacobians ``(B, m, n)`` at the points ``xs`` (``(B, n)``) in blocked
        kernels (:func:`adjit.sweeps.batch_jacobian`), ``mode`` as in
        :meth:`jacobian`; a point whose branch flips raises
        :class:`adjit.BranchChanged` naming it, as batched gradients do."""
        if mode not in ("auto", "forward", "reverse"):
            raise ValueError(f"mode: expected 'auto', 'forward' or 'reverse', got {mode!r}")
        xs = self._points(xs)
        n, m = self.n_inputs, self.n_outputs
        reverse = mode == "reverse" or (mode == "auto" and n > m)
        width = max(m if reverse else n, 1)
        slots = self.n_slots + 1
        # directions per sweep: at most 64, and their tangents within 32 MB a point;
        # split evenly, so the last sweep carries no idle directions
        chunk = max(1, min(width, _MAX_DIRECTIONS, (1 << 22) // slots))
        chunk = -(-width // -(-width // chunk))
        sweeps_per_point = 1 + -(-width // chunk) * chunk
        per_point = 8 * (slots * (1 + chunk) + 2 * self.n_ops)
        block = parallel.block_size(self, len(xs), per_point, sweeps_per_point)
        size = block * (slots * (1 + chunk) + 2 * self.n_ops)

        def run(rows):
            return call(sweeps.batch_jacobian, self._program, rows, reverse, chunk, block,
                        self._state.grown("buf", size))
        jac, flips = parallel.rows(self, run, xs, cost=sweeps_per_point)
        if (flips != -1).any():
            branches.raise_batch_flips(self, flips, xs)
        return jac

    def _hvp_batch(self, xs, vs, w=None) -> np.ndarray:
        """Hessian-vector products ``(B, n)`` of ``Σ w_i f_i`` at the points ``xs``
        (``(B, n)``) along one direction each, ``vs`` (``(B, n)``), by forward over
        reverse in blocked kernels (:func:`adjit.second.hvp_batch`); ``w`` as in
        :meth:`hvp`."""
        from .second import hvp_batch
        return hvp_batch(self, xs, vs, w)


def _checked_signature(sig, prog) -> signature.Signature:
    """The tape's signature, checked against its program (a flat one when None)."""
    n, m = prog.n_inputs, prog.outputs.shape[0]
    if sig is None:
        return signature.flat(n, m)
    try:
        in_shape = tuple(int(d) for d in sig.in_shape)
        out_shape = tuple(int(d) for d in sig.out_shape)
        args = tuple(sig.args)
    except (AttributeError, TypeError, ValueError) as e:
        raise TapeError(f"tape signature: malformed ({e})") from None
    if int(np.prod(in_shape, dtype=np.int64)) != n or min(in_shape, default=1) < 0:
        raise TapeError(f"tape signature: in_shape {in_shape} does not hold "
                                  f"n_inputs={n} inputs")
    if int(np.prod(out_shape, dtype=np.int64)) != m or min(out_shape, default=1) < 0:
        raise TapeError(f"tape signature: out_shape {out_shape} does not hold "
                                  f"{m} outputs")
    n_c = prog.constants.shape[0]
    for k, a in enumerate(args):
        if not isinstance(a, signature.Arg):
            raise TapeError(f"tape signature: argument {k + 1} is not an Arg record")
        if a.is_data:
            size = a.size
            where, index = np.asarray(a.where), np.asarray(a.index)
            if (where.shape != index.shape or where.ndim != 1
                    or (where.size and (where.min() < 0 or where.max() >= size))
                    or (index.size and (index.min() < 0 or index.max() >= n_c))):
                raise TapeError(f"tape signature: data argument {k + 1} names "
                                          "elements or constants out of range")
    return signature.Signature(in_shape, out_shape, args)


def _optimized(tape, optimize) -> "Tape":
    """``tape`` through the optimizer; data loads become inputs again meanwhile,
    so that nothing is folded about the data."""
    sig = tape.signature
    if not any(a.is_data for a in sig.args):
        return Tape(**optimize(tape), signature=sig)
    parts, n_p = signature.to_inputs(tape.instructions, tape.constants, tape.outputs,
                                     tape.guards, tape.n_inputs, sig.args)
    wide = Tape(**parts, guard_sources=tape.guard_sources)
    opt = optimize(wide)
    specs = [("data", a.shape) if a.is_data else ("static", a.fingerprint) for a in sig.args]
    values = signature.data_values(sig.args, tape.constants)
    new, args = signature.to_constants(opt["instructions"], opt["constants"], opt["outputs"],
                                       opt["guards"], tape.n_inputs, specs, values)
    return Tape(**new, guard_sources=opt["guard_sources"],
                signature=signature.Signature(sig.in_shape, sig.out_shape, args))


#: ``FOLD(tape)`` is :meth:`Tape.folded` (set by :mod:`adjit.array_tape`, a layer above)
FOLD = None

#: ``ARRAY_TAPE(parts)`` builds a tape with array instructions from the parts
#: :mod:`adjit.serialize` reads (set by :mod:`adjit.array_tape`, a layer above)
ARRAY_TAPE = None


def _from_parts(parts: dict, cls=None) -> "Tape":
    """A Tape from the parts :mod:`adjit.serialize` reads (a signature as plain data)."""
    parts = dict(parts)
    raw = parts.pop("signature", None)
    code, index = parts.pop("array_code", None), parts.pop("array_index", None)
    if raw is not None:
        parts["signature"] = signature.Signature(
            tuple(raw["in_shape"]), tuple(raw["out_shape"]),
            tuple(signature.Arg(None if a["shape"] is None else tuple(a["shape"]),
                                None if a["where"] is None else signature.frozen(a["where"]),
                                None if a["index"] is None else signature.frozen(a["index"]),
                                a.get("fingerprint", ""))
                  for a in raw["args"]))
    if code is not None:
        if len(parts["instructions"]):
            raise TapeError("damaged tape: both scalar rows and array instructions")
        return ARRAY_TAPE(code, index, parts)
    return (cls or Tape)(**parts)


def load(path, *, max_inputs: int = serialize.MAX_INPUTS,
         max_ops: int = serialize.MAX_OPS) -> Tape:
    """Read a tape written by :meth:`Tape.save` (or by adjit 0.1.0) from ``path``
    (a path or a binary file object). Raises :class:`~adjit.TapeError` for a
    damaged file, one that is not a tape, one of a newer or unknown format
    version, one with an operation this adjit does not know, or one larger than
    ``max_inputs`` inputs or ``max_ops`` instructions (raise them to load a
    bigger tape you trust)."""
    return _from_parts(serialize.read(path, max_inputs=max_inputs, max_ops=max_ops))


def from_bytes(data, *, max_inputs: int = serialize.MAX_INPUTS,
               max_ops: int = serialize.MAX_OPS) -> Tape:
    """The tape encoded in ``data`` (bytes of a tape file, either format)."""
    return _from_parts(serialize.decode(data, max_inputs=max_inputs, max_ops=max_ops))


serialize.TAPE_CLASS = Tape  # what 0.1.0's pickles, which name no class, rebuild
serialize.REBUILD = lambda cls, parts: _from_parts(parts, cls)


def _is_built(tape) -> bool:
    try:
        _GET_PROGRAM(tape)
    except AttributeError:
        return False
    return True


# No one may replace a Tape's parts, not even with object.__setattr__: each
# slot's descriptor is swapped for a read-only property (the constructor keeps
# the setters), so the record the kernels read is always the validated one.
_SET = {}
for _name in ("_program", "_guard_sources", "_state", "_signature"):
    _slot = Tape.__dict__[_name]
    _SET[_name] = _slot.__set__
    setattr(Tape, _name, property(_slot.__get__))
_GET_PROGRAM = Tape.__dict__["_program"].fget
_SET_SOURCES, _SET_SIGNATURE = _SET["_guard_sources"], _SET["_signature"]
_SET_STATE, _SET_PROGRAM = _SET["_state"], _SET["_program"]
_NEW = object.__new__
#: the slots' setters and the signature check, for the tape classes built on
#: this one (adjit.array_tape)
SETTERS = _SET
checked_signature = _checked_signature
del _name, _slot
