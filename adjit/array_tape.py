"""A tape whose recording has array instructions (:mod:`adjit.arrays`).

An :class:`ArrayTape` is an :class:`adjit.Tape`: every method works, with the
same arguments and results. Values, gradients, ``jvp``, ``vjp`` and dense
Jacobians, at one point or a batch, run the array kernels
(:mod:`adjit.array_sweeps`) on the array program itself; every other method
(Hessians, sparsity, kinks, files, pictures, the optimizer, the ``@njit``
record) reads the equivalent scalar program, expanded on first use
(:func:`adjit.arrays.expand`) and kept.
"""
from __future__ import annotations

import numpy as np

from . import array_sweeps as K
from . import arrays, branches, folding, matrix_rules, parallel, program, second, signature
from . import tape as tape_module
from .errors import BranchChanged, TapeError
from .optimize import optimize_arrays
from .program import as_float_array, call
from .tape import SETTERS as _TAPE_SETTERS
from .tape import Tape

_CHUNK = 64  # tangent or adjoint columns per sweep in jacobian()


class ArrayTape(Tape):
    """A :class:`adjit.Tape` recorded with array instructions: ``n_ops`` counts
    them (one per NumPy call), :attr:`arrays` is their record, and
    :attr:`program` the scalar program of the same function (built on first use)."""

    __slots__ = ("_arrays", "_hot")

    @property
    def arrays(self) -> arrays.ArrayProgram:
        """The validated array program the array kernels read."""
        return self._arrays

    n_inputs = property(lambda self: self._arrays.n_inputs)
    n_outputs = property(lambda self: self._arrays.outputs.shape[0])
    n_ops = property(lambda self: self._arrays.code.shape[0],
                     doc="array instructions (a scalar instruction counts one)")

    @property
    def n_scalar_ops(self) -> int:
        """Instructions of the expanded scalar program (one per element)."""
        return self._program.instructions.shape[0]

    @property
    def nbytes(self) -> int:
        """Bytes held by the array program's arrays (the expanded scalar
        program, once built, is not counted)."""
        a = self._arrays
        return sum(x.nbytes for x in (a.code, a.index, a.constants, a.outputs, a.guards))

    def __repr__(self):
        return (f"Tape(n_inputs={self.n_inputs}, n_outputs={self.n_outputs}, "
                f"n_ops={self.n_ops} array instructions, "
                f"n_constants={len(self._arrays.constants)}"
                + (f", n_guards={len(self._arrays.guards)}" if len(self._arrays.guards)
                   else "") + ")")

    def op_counts(self) -> dict[str, int]:
        """Array instructions per kind and op name (``"sin[1000]"`` style keys
        are not used: a block of any length counts one), most frequent first."""
        code = self._arrays.code
        names = [arrays.KIND_NAMES[k] if k != arrays.ELEM else arrays.ops.NAMES[o]
                 for k, o in zip(code[:, 0].tolist(), code[:, 1].tolist())]
        counts: dict = {}
        for n in names:
            counts[n] = counts.get(n, 0) + 1
        return dict(sorted(counts.items(), key=lambda kv: -kv[1]))

    # --- input checks on the array program (no expansion) ----------------------
    def _point(self, x) -> np.ndarray:
        return program.point(self._arrays, x)

    def _points(self, xs) -> np.ndarray:
        return program.points(self._arrays, xs)

    def _split(self, x):
        return signature.split_x(self._signature, self._arrays.n_inputs, x)

    def _bound(self, args) -> "ArrayTape":
        c = signature.bind(self._signature, self._arrays.constants, args)
        if c is self._arrays.constants:
            return self
        t = _new(self._arrays._replace(constants=c), self._guard_sources, self._signature,
                 self._state.rebound(c))
        return t

    def _pieces(self):
        """The kernel runs and matrix rows of the program
        (:func:`adjit.arrays.pieces`), or None when it has no matrix rows (every
        kernel then takes the whole program in one call)."""
        def make():
            a = self._arrays
            return (arrays.pieces(a.code) if (a.code[:, 0] == arrays.LINALG).any() else (),)
        return self._state.once("pieces", make)[0] or None

    def _forward(self, kernel, work, *bufs) -> dict:
        """A forward kernel over the program (matrix rows between its runs);
        the matrix rows' factorizations, for the derivative sweeps."""
        a = self._arrays
        memo: dict = {}
        arrays.run_by_pieces(call, kernel, a.code, a.index, a.constants, work, *bufs, memo=memo)
        return memo

    def _sweep(self, kernel, rule, memo, work, *bufs, backwards=False) -> None:
        """A derivative kernel (``kernel(rows, index, consts, kinds, work, *bufs)``)
        over the kernel runs and ``rule(row, work, *bufs, memo, i)`` at the
        matrix rows, in order or backwards."""
        a = self._arrays
        order = self._pieces()
        for piece in (order[::-1] if backwards else order):
            if type(piece) is tuple:
                call(kernel, a.code[piece[0]:piece[1]], a.index, a.constants, arrays.KINDS,
                     work, *bufs)
            else:
                rule(a.code[piece], work, *bufs[-1:] if rule is not matrix_rules.hvp
                     else bufs[-3:], memo, piece)

    def _hot_state(self) -> tuple:
        """``(pieces, flags, zero, head)`` (:meth:`_pieces`, :meth:`_plan`), kept
        in a slot: the hot path of a small gradient reads them at every call.
        ``head``: the batch kernel's arguments before the points, for a program
        with one output and no matrix rows; else None. (Per tape, never per
        thread: a tape bound to other data shares its parent's thread-local
        memory, not its constants.)"""
        h = self._hot
        if h is None:
            a = self._arrays
            pieces = self._pieces()
            flags, zero = self._plan()
            head = None
            if pieces is None and a.outputs.shape[0] == 1:
                head = (a.code, a.index, a.constants, arrays.KINDS, flags, zero,
                        int(a.outputs[0]), a.guards)
            h = (pieces, flags, zero, head)
            _SET_HOT(self, h)
        return h

    def _plan(self) -> tuple:
        """The gradient sweep's (flags, zero) (:func:`adjit.arrays.reverse_plan`),
        made once; shared with the tapes bound to other data."""
        return self._state.once("reverse_plan", arrays.reverse_plan, self._arrays)

    def _work(self, width: int = 0):
        """This thread's (work, p0, p1, adjoints) for the array kernels; with
        ``width``, the last is ``(n_slots, width)`` columns."""
        n = self._arrays.n_slots
        bufs = self._state.arrays("a_work", 4, n)
        if width:
            return bufs[:3] + (self._state.scratch("a_cols", (n, width)),)
        return bufs

    # --- evaluation on the array program ----------------------------------------
    def _values(self, x, work) -> np.ndarray:
        """Outputs at one checked point ``x`` (a flip raises BranchChanged)."""
        a = self._arrays
        work[:a.n_inputs] = x
        if self._pieces() is None:
            call(K.run_values, a.code, a.index, a.constants, work)
        else:
            self._forward(K.run_values, work)
        if len(a.guards):
            self._check(x, work)
        return work[a.outputs]

    def _check(self, x, work) -> None:
        flip = arrays.flip(self._arrays.guards, work)
        if flip >= 0:
            branches.raise_flipped(self, flip, x)

    def gradient(self, x, *args) -> np.ndarray:
        a = self._arrays
        if not args and type(x) is np.ndarray and x.ndim == 1 and self._signature.plain \
                and a.outputs.shape[0] == 1:  # the hot path: one flat point
            return self._value_and_gradient(program.point(a, x),
                                            self._state.arrays("a_work", 4, a.n_slots))[1]
        return Tape.gradient(self, x, *args)

    gradient.__doc__ = Tape.gradient.__doc__

    def _value_and_gradient(self, x, bufs):
        """``(value, gradient)`` at one checked point ``x`` of a single-output
        program: the batch kernel's one call (both sweeps) with the fewest
        Python steps around it, which is most of a small tape's time."""
        pieces, _, _, head = self._hot or self._hot_state()
        if pieces is not None:
            return self._matrix_gradient(x, bufs)
        ys = np.empty(1)
        gs = np.empty((1, x.shape[0]))
        flips = np.empty(1, dtype=np.int64)
        call(K.batch_gradient, *head, x.reshape(1, -1), *bufs, ys, gs, flips)
        if flips[0] >= 0:
            branches.raise_flipped(self, int(flips[0]), x)
        return float(ys[0]), gs[0]

    def _matrix_gradient(self, x, bufs):
        """``(value, gradient)`` at ``x`` of a program with matrix rows: the
        kernels' sweeps over the runs between them, the rows' rules at them."""
        a = self._arrays
        work, p0, p1, adj = bufs
        work[:a.n_inputs] = x
        memo = self._forward(K.run_partials, work, p0, p1)
        if len(a.guards):
            self._check(x, work)
        adj[:] = 0.0
        adj[a.outputs[0]] = 1.0
        flags = np.zeros(len(a.code), dtype=np.int64)
        order = self._pieces()
        for piece in order[::-1]:
            if type(piece) is tuple:
                lo, hi = piece
                call(K.reverse, a.code[lo:hi], a.index, a.constants, arrays.KINDS,
                     flags[lo:hi], work, p0, p1, adj)
            else:
                matrix_rules.adjoint(a.code[piece], work, adj, memo, piece)
        return float(work[a.outputs[0]]), adj[:a.n_inputs].copy()

    def _rows(self, xs, width, one):
        """``one(x, bufs, out_row)`` at each row of ``xs`` into a ``(B, width)``
        result, the rows shared out to threads (each with its own buffers)."""
        a = self._arrays

        def run(rows):
            bufs = self._state.arrays("a_work", 4, a.n_slots)
            out = np.empty((len(rows), width))
            for k in range(len(rows)):
                one(rows[k], bufs, out[k])
            return (out,)
        return parallel.rows(self, run, xs)[0]

    def _flips_of_batch(self, xs):
        """Raise BranchChanged naming the rows of ``xs`` whose branches differ
        (nothing when none does)."""
        a = self._arrays
        work = self._work()[0]
        flips = np.full(len(xs), -1)
        for k, x in enumerate(xs):
            work[:a.n_inputs] = x
            if self._pieces() is None:
                call(K.run_values, a.code, a.index, a.constants, work)
            else:
                self._forward(K.run_values, work)
            flips[k] = arrays.flip(a.guards, work)
        branches.raise_batch_flips(self, flips, xs)

    def forward(self, x, *args) -> np.ndarray:
        if args:
            return self._bound(args).forward(x)
        flat, batch = self._split(x)
        a = self._arrays
        if batch:
            xs = self._points(flat)
            def one(p, bufs, out):
                out[:] = self._values(p, bufs[0])
            try:
                return self._rows(xs, a.outputs.shape[0], one)
            except BranchChanged:
                self._flips_of_batch(xs)
                raise
        return self._values(self._point(flat), self._work()[0]).copy()

    __call__ = forward

    def value_and_gradient(self, x, *args):
        if args:
            return self._bound(args).value_and_gradient(x)
        a = self._arrays
        if a.outputs.shape[0] != 1:
            self._scalar_output("value_and_gradient")
        if type(x) is np.ndarray and x.ndim == 1 and self._signature.plain:
            # the hot path: one flat point
            return self._value_and_gradient(program.point(a, x),
                                            self._state.arrays("a_work", 4, a.n_slots))
        shape = np.shape(x)
        flat, batch = self._split(x)
        if batch and self._pieces() is not None:
            xs = self._points(flat)

            def one(p, bufs, out):
                y, out[1:] = self._matrix_gradient(p, bufs)
                out[0] = y
            try:
                res = self._rows(xs, 1 + a.n_inputs, one)
            except BranchChanged:
                self._flips_of_batch(xs)
                raise
            return res[:, 0].copy(), res[:, 1:].reshape(shape)
        if batch:
            xs = self._points(flat)
            n = a.n_inputs

            flags, zero = self._plan()

            def run(rows):
                work, p0, p1, adj = self._state.arrays("a_work", 4, a.n_slots)
                ys, gs = np.empty(len(rows)), np.empty((len(rows), n))
                flips = np.empty(len(rows), dtype=np.int64)
                call(K.batch_gradient, a.code, a.index, a.constants, arrays.KINDS, flags, zero,
                     a.outputs[0], a.guards, rows, work, p0, p1, adj, ys, gs, flips)
                return ys, gs, flips
            ys, gs, flips = parallel.rows(self, run, xs)
            branches.raise_batch_flips(self, flips, xs)
            return ys, gs.reshape(shape)
        y, g = self._value_and_gradient(self._point(flat), self._work())
        return y, g.reshape(shape)

    def _linearized(self, x, width):
        """Values and partials at ``x`` (flip checked), and a ``(n_slots, width)`` array."""
        a = self._arrays
        work, p0, p1, cols = self._work(width)
        work[:a.n_inputs] = x
        memo = None
        if self._pieces() is None:
            call(K.run_partials, a.code, a.index, a.constants, work, p0, p1)
        else:
            memo = self._forward(K.run_partials, work, p0, p1)
        if len(a.guards):
            self._check(x, work)
        return work[a.outputs], work, p0, p1, cols, memo

    def _tangents(self, x, v2):
        """Outputs and J @ v2 for columns v2 ``(n, p)``."""
        a = self._arrays
        y, work, p0, p1, t, memo = self._linearized(x, v2.shape[1])
        t[:a.n_inputs] = v2
        if memo is None:
            call(K.tangents, a.code, a.index, a.constants, arrays.KINDS, work, p0, p1, t)
        else:
            self._sweep(K.tangents, matrix_rules.tangents, memo, work, p0, p1, t)
        return y, t[a.outputs].copy()

    def _adjoints(self, x, w2):
        """Outputs and w2 @ J for rows w2 ``(q, m)``."""
        a = self._arrays
        y, work, p0, p1, t, memo = self._linearized(x, w2.shape[0])
        t[:] = 0.0
        np.add.at(t, a.outputs, w2.T)
        if memo is None:
            call(K.adjoints, a.code, a.index, a.constants, arrays.KINDS, work, p0, p1, t)
        else:
            self._sweep(K.adjoints, matrix_rules.adjoints, memo, work, p0, p1, t,
                        backwards=True)
        return y, t[:a.n_inputs].T.copy()

    def jvp(self, x, v, *args):
        if args:
            return self._bound(args).jvp(x, v)
        x = self._one(x)
        v2, single = self._directions(v)
        y, jv = self._tangents(x, v2)
        return y, (jv[:, 0] if single else jv)

    def vjp(self, x, w, *args):
        if args:
            return self._bound(args).vjp(x, w)
        shape = np.shape(x)
        x = self._one(x)
        w2, single = self._seeds(w)
        y, wj = self._adjoints(x, w2)
        return y, (wj[0].reshape(shape) if single else wj.reshape((len(w2),) + shape))

    def jacobian(self, x, *args, mode: str = "auto") -> np.ndarray:
        args, mode = self._jacobian_mode(args, mode)
        if args:
            return self._bound(args).jacobian(x, mode=mode)
        flat, batch = self._split(x)
        if batch:
            return np.stack([self.jacobian(p, mode=mode) for p in self._points(flat)]) \
                if len(flat) else np.zeros((0, self.n_outputs, self.n_inputs))
        x = self._point(flat)
        n, m = self.n_inputs, self.n_outputs
        reverse = mode == "reverse" or (mode == "auto" and n > m)
        jac = np.empty((m, n))
        if reverse:
            for lo in range(0, m, _CHUNK):
                hi = min(m, lo + _CHUNK)
                seeds = np.zeros((hi - lo, m))
                seeds[np.arange(hi - lo), np.arange(lo, hi)] = 1.0
                jac[lo:hi] = self._adjoints(x, seeds)[1]
        else:
            for lo in range(0, n, _CHUNK):
                hi = min(n, lo + _CHUNK)
                dirs = np.zeros((n, hi - lo))
                dirs[np.arange(lo, hi), np.arange(hi - lo)] = 1.0
                jac[:, lo:hi] = self._tangents(x, dirs)[1]
        return jac


    def hvp(self, x, v, *args, w=None) -> np.ndarray:
        args, w = self._weights_and_args(args, w)
        if args:
            return self._bound(args).hvp(x, v, w=w)
        flat, batch = self._split(x)
        if batch:
            return Tape.hvp(self, x, v, w=w)
        v = as_float_array(v, None, "v")
        n = self.n_inputs
        ins = self._signature.in_shape
        x = self._point(flat)
        if v.shape in ((n,), ins):
            return _array_hvp(self, x, v.reshape(n, 1), w)[:, 0].reshape(v.shape)
        if v.ndim >= 2 and (v.shape[:-1] == ins or v.shape[:-1] == (n,)):
            return _array_hvp(self, x, v.reshape(n, v.shape[-1]), w)
        raise ValueError(f"v: expected shape ({n},) or ({n}, p)"
                         + (f", or {ins} or {ins + ('p',)}" if ins != (n,) else "")
                         + f", got {v.shape}")

    def optimized(self) -> "ArrayTape":
        """This tape with the array instructions of constants computed
        (:func:`adjit.arrays.without_constant_rows`), each one that repeats an
        earlier one read from that one (:func:`adjit.arrays.without_common_rows`),
        the optimizer's exact fusions made on whole rows
        (:func:`adjit.arrays.fused_rows`: ``square(a - b) -> sqdiff(a, b)`` ...)
        and without the instructions no output or guard needs (the element-level
        optimizer of :meth:`adjit.Tape.optimized` runs on the scalar program,
        :attr:`program`, where Hessians and sparsity use it)."""
        data = [arg.index for arg in self._signature.args if arg.index is not None]
        moving = np.concatenate(data) if data else None
        def build():
            a = arrays.without_constant_rows(self._arrays, moving)
            a = arrays.without_dead_rows(arrays.without_common_rows(a, moving))
            a = arrays.fused_rows(a, moving)  # after the dead rows: they would count as readers
            return _new(a, self._guard_sources, self._signature, program.TapeState())
        return self._state.once("optimized", build)

    def hessian(self, x, *args, w=None) -> np.ndarray:
        """The dense Hessian: by forward-over-reverse with every direction on the
        array program when a traced operand enters a matrix product (the Hessian
        is then dense), else as :meth:`adjit.Tape.hessian` does (exploiting its
        sparsity) on the scalar program."""
        args, w = self._weights_and_args(args, w)
        if args:
            return self._bound(args).hessian(x, w=w)
        code = self._arrays.code
        dense = ((code[:, 0] == arrays.MATMUL) | (code[:, 0] == arrays.LINALG)).any()
        if not dense or self.n_inputs > _DENSE_HESSIAN_MAX:
            return Tape.hessian(self, x, w=w)
        x = self._one(x)
        h = _array_hvp(self, x, np.eye(self.n_inputs), w)
        return 0.5 * (h + h.T)


def _array_hvp(tape: ArrayTape, x, V, w) -> np.ndarray:
    """H @ V ``(n, p)`` at one point by forward-over-reverse on the array program."""
    a = tape._arrays
    w = np.ascontiguousarray(second.weights(tape, w), dtype=np.float64)
    n_slots = a.n_slots
    s = tape._state
    bufs = s.arrays("h_bufs", 7, n_slots)  # work, p0, p1, s00, s01, s11, abar
    p = V.shape[1]
    out = np.empty((a.n_inputs, p))
    chunk = max(1, min(p, _DIRECTION_BYTES // (16 * max(n_slots, 1))))
    for lo in range(0, p, chunk):
        hi = min(p, lo + chunk)
        t = s.scratch("h_t", (n_slots, hi - lo))
        at = s.scratch("h_at", (n_slots, hi - lo))
        work = bufs[0]
        work[:a.n_inputs] = x
        if tape._pieces() is None:
            call(K.run_second, a.code, a.index, a.constants, *bufs[:6])
        else:
            memo = tape._forward(K.run_second, *bufs[:6])
        if len(a.guards):
            tape._check(x, work)
        t[:a.n_inputs] = V[:, lo:hi]
        if tape._pieces() is None:
            call(K.hvp_sweeps, a.code, a.index, a.constants, arrays.KINDS, a.outputs, w,
                 *bufs[:6], t, bufs[6], at)
        else:
            _matrix_hvp_sweeps(tape, memo, w, bufs, t, at)
        out[:, lo:hi] = at[:a.n_inputs]
    return out


def _matrix_hvp_sweeps(tape, memo, w, bufs, t, at) -> None:
    """:func:`adjit.array_sweeps.hvp_sweeps` of a program with matrix rows."""
    a = tape._arrays
    work, p0, p1, s00, s01, s11, abar = bufs
    tape._sweep(K.tangents, matrix_rules.tangents, memo, work, p0, p1, t)
    abar[:] = 0.0
    at[:, :] = 0.0
    np.add.at(abar, a.outputs, w)
    tape._sweep(K.hvp_reverse, matrix_rules.hvp, memo, work, p0, p1, s00, s01, s11, t, abar,
                at, backwards=True)


_DIRECTION_BYTES = 1 << 27  # tangents and their adjoints of one chunk of directions


_DENSE_HESSIAN_MAX = 4096  # inputs up to which a dense Hessian runs on the array program


def _expanded(tape: ArrayTape) -> program.Program:
    """The scalar program of ``tape`` (built once, under the tape's lock)."""
    try:
        return _GET_SLOT(tape)
    except AttributeError:
        pass
    with tape._state.lock:
        try:
            return _GET_SLOT(tape)
        except AttributeError:
            parts = arrays.expand(tape._arrays)
            if not tape._signature.args:  # data arguments: keep the constant pool's layout
                instr = parts["instructions"]
                opt = optimize_arrays(instr[:, 0], instr[:, 2], instr[:, 3], parts["constants"],
                                      parts["outputs"], parts["n_inputs"], parts["guards"])
                if all(opt[4]):  # every guard kept: their order is the array program's
                    parts = dict(parts, instructions=opt[0], constants=opt[1],
                                 outputs=opt[2], guards=opt[3])
            prog = program.build(parts["instructions"], parts["constants"], parts["outputs"],
                                 parts["n_inputs"], parts["guards"],
                                 len(tape._guard_sources))
            _SET_PROGRAM(tape, prog)
            return prog


_GET_SLOT = Tape._program.fget
ArrayTape._program = property(_expanded)
_SET_PROGRAM = _TAPE_SETTERS["_program"]
_SET_ARRAYS = ArrayTape.__dict__["_arrays"].__set__
_SET_HOT = ArrayTape.__dict__["_hot"].__set__
ArrayTape._arrays = property(ArrayTape.__dict__["_arrays"].__get__)


def _new(arrays_program, sources, sig, state) -> ArrayTape:
    t = object.__new__(ArrayTape)
    _TAPE_SETTERS["_guard_sources"](t, tuple(sources))
    _TAPE_SETTERS["_signature"](t, sig)
    _TAPE_SETTERS["_state"](t, state)
    _SET_ARRAYS(t, arrays_program)
    _SET_HOT(t, None)
    return t


def make(code, index, constants, outputs, n_inputs, guards, guard_sources, sig) -> ArrayTape:
    """The validated ArrayTape of a recording."""
    a = arrays.build(code, index, constants, outputs, n_inputs, guards)
    sources = tuple(str(s) for s in guard_sources)
    if len(sources) not in (0, len(a.guards)):
        raise TapeError(f"guard_sources: expected {len(a.guards)} entries, got {len(sources)}")
    return _new(a, sources, tape_module.checked_signature(sig, a), program.TapeState())


def _from_file(code, index, parts) -> ArrayTape:
    """An ArrayTape from the parts of a file or pickle (validated here)."""
    if index is None:
        raise TapeError("damaged tape: array instructions without their index pool")
    return make(code, index, parts["constants"], parts["outputs"], parts["n_inputs"],
                parts["guards"], parts.get("guard_sources", ()), parts.get("signature"))


def _folded(tape: Tape) -> ArrayTape:
    """:meth:`adjit.Tape.folded`."""
    if isinstance(tape, ArrayTape):
        return tape
    if any(arg.where is not None for arg in tape.signature.args):
        raise ValueError("folded(): this tape has data arguments, whose constant pool must "
                         "keep its layout; fold a tape traced without them")
    a = arrays.fused_rows(folding.fold(tape.program))
    return make(a.code, a.index, a.constants, a.outputs, a.n_inputs, a.guards,
                tape.guard_sources, tape.signature)


tape_module.ARRAY_TAPE = _from_file
tape_module.FOLD = _folded
