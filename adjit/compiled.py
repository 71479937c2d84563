"""Derivatives callable from users' own ``@njit`` code.

A tape is only arrays, so a Numba-compiled loop (a Newton solver, an
integrator) can evaluate and differentiate it without returning to Python::

    from numba import njit
    from adjit.compiled import value, value_and_gradient, jacobian

    fns = tape.njit_functions()        # the tape as one record
    T, B = fns.tape, fns.buffers()     # B: work arrays (one set per thread)

    @njit
    def newton(T, B, x, y, J):
        for it in range(50):
            flip = jacobian(T, B, x, y, J)    # y = f(x), J = f'(x), in place
            if flip != -1:
                return flip                   # a guard index, or an error code < -1
            x -= np.linalg.solve(J, y)
        ...

``T`` (:attr:`NjitFunctions.tape`, a :class:`NjitTape`) and ``B``
(:meth:`NjitFunctions.buffers`, a :class:`Buffers`) are named tuples of
integers and arrays, read by field name (``T.program.outputs``, ``B.work``);
every function writes into arrays the caller passes, allocates nothing and
returns the index of the first branch guard that went the other way (``-1``
when the tape describes ``f`` at ``x``; see :class:`adjit.BranchChanged`), or
an error code below -1 when an argument does not fit (:data:`ERRORS`:
``BAD_X`` -2, ``BAD_BUFFERS`` -3, ``BAD_ARRAY`` -4, ``SEVERAL_OUTPUTS`` -5),
checked before any array is touched: every dimension of every array, float64,
C-contiguous, writeable where written. From Python, :func:`call` (or
:func:`check` on a returned code) turns a code into ValueError. ``value`` runs the liveness-compacted program
(:func:`adjit.optimize.slot_program`), the derivative functions the full tape.

Why these functions live here and call :mod:`adjit.sweeps`
------------------------------------------------------------
Numba's on-disk cache keys a function on its own file only: a cached function
of this module that calls the kernels of ``sweeps.py`` keeps the kernels it
was compiled with after ``sweeps.py`` changes. Three ways out were weighed:

* not caching this module: always consistent, but each process would link
  and re-optimize the whole switch kernel again (measured 1.4 s for a
  gradient, 5 s for a Jacobian, every process);
* a copy of the switch kernels in this file: doubles the generated code and
  its compile time;
* caching, plus a stamp (chosen). ``ABI`` is a hash of ``sweeps.py``'s source
  and of this module's record format, taken at import; it is frozen into every
  function here when compiled and also carried in the tape record. A function
  compiled against another ``sweeps.py`` sees a different stamp in the record
  and raises instead of running old kernels on a new tape. The first
  :meth:`Tape.njit_functions` call of a process probes every function and
  recompiles (and re-caches) the stale ones, so adjit's own cache heals
  itself.

Users' code that calls these functions and is itself ``@njit(cache=True)``
embeds them, and Numba will not notice when adjit is upgraded: such code then
raises ``adjit.compiled: stale compiled code`` at its first call of an adjit
function (before that function computes anything) instead of running old
kernels. :func:`call` catches exactly that, recompiles the user's function and
calls it again; or delete its ``__pycache__`` entries after upgrading adjit.
"""
from __future__ import annotations

import hashlib
import pathlib
from typing import NamedTuple

import numpy as np
from numba import njit, types
from numba.extending import overload

from . import sweeps
from .optimize import SlotProgram
from .program import Program, immutable

_FORMAT = 5  # version of the records' layout below
ABI = int.from_bytes(hashlib.sha256(
    pathlib.Path(sweeps.__file__).read_bytes() + b"record format %d" % _FORMAT).digest()[:7],
    "little")
_CHUNK = 64  # directions per sweep in jacobian()

#: What the functions return besides a guard index (>= 0) and -1 (every branch
#: as recorded): an argument that does not fit, checked before anything is
#: read or written (shape in every dimension, float64, C-contiguous, and
#: writeable for what the function writes). :func:`check` raises ValueError.
BAD_X = -2
BAD_BUFFERS = -3
BAD_ARRAY = -4
SEVERAL_OUTPUTS = -5
ERRORS = {
    BAD_X: "x must be a float64 C-contiguous vector of length n_inputs",
    BAD_BUFFERS: "the buffers do not fit this tape (shape, float64, C-contiguous, "
                 "writeable); make them with tape.njit_functions().buffers()",
    BAD_ARRAY: "an argument array has the wrong shape, dtype or layout (float64, "
               "C-contiguous; writeable where the function writes)",
    SEVERAL_OUTPUTS: "value_and_gradient needs a tape with one output; use vjp or jacobian",
}


class ValueProgram(NamedTuple):
    """The liveness-compacted program :func:`value` runs
    (:func:`adjit.optimize.slot_program`)."""

    instructions: np.ndarray
    outputs: np.ndarray
    guards: np.ndarray
    dispatch: np.ndarray
    n_work: int


class NjitTape(NamedTuple):
    """The tape as the functions of this module take it: the stamp, the
    tape's :class:`adjit.program.Program` (rows in runs where they pay) and
    the value program. Read by field name only."""

    abi: int
    program: Program
    value: ValueProgram


class Buffers(NamedTuple):
    """Work arrays for one thread (:meth:`NjitFunctions.buffers`)."""

    value_work: np.ndarray  # (n_work + 1,)
    work: np.ndarray  # (n_slots + 1,)
    partials: np.ndarray  # (n_ops, 2)
    vector: np.ndarray  # (n_slots + 1,)
    block: np.ndarray  # (n_slots + 1, chunk)


def _fits(a, writeable):
    """In compiled code :func:`_fits_impl` decides this from the types; this body
    runs only where Numba's JIT is disabled (``NUMBA_DISABLE_JIT=1``)."""
    return (isinstance(a, np.ndarray) and a.dtype == np.float64 and a.flags.c_contiguous
            and (a.flags.writeable or not writeable))


@overload(_fits)
def _fits_impl(a, writeable):
    """Decided when compiling: a float64 C-contiguous array (writeable when
    asked: a read-only one cannot be written anyway, but says the caller
    passed the wrong array)."""
    ok_in = isinstance(a, types.Array) and a.dtype == types.float64 and a.layout == "C"
    ok_out = ok_in and a.mutable
    if ok_out:
        return lambda a, writeable: True
    if ok_in:
        return lambda a, writeable: not writeable
    return lambda a, writeable: False


@njit(cache=True, nogil=True)
def abi():
    """The stamp this module's compiled code was built with."""
    return ABI


# Inlined, not called: the stamp must be frozen into each API function itself,
# or recompiling a stale function would still call a stale cached _check.
@njit(cache=True, nogil=True, inline="always")
def _check(T, B, x):
    """0, or the code of the first argument that does not fit."""
    if T.abi != ABI:
        raise RuntimeError("adjit.compiled: stale compiled code (built against another "
                           "adjit.sweeps); delete the __pycache__ entries of the @njit "
                           "function that calls adjit, or compile it without cache=True")
    P = T.program
    n_slots = P.n_slots
    n_ops = P.instructions.shape[0]
    if not _fits(x, False) or x.ndim != 1 or x.shape[0] != P.n_inputs:
        return BAD_X
    if (not _fits(B.value_work, True) or B.value_work.shape[0] != T.value.n_work + 1
            or not _fits(B.work, True) or B.work.shape[0] != n_slots + 1
            or not _fits(B.partials, True) or B.partials.shape[0] != n_ops
            or B.partials.shape[1] != 2
            or not _fits(B.vector, True) or B.vector.shape[0] != n_slots + 1
            or not _fits(B.block, True) or B.block.shape[0] != n_slots + 1
            or B.block.shape[1] < 1):
        return BAD_BUFFERS
    return 0


@njit(cache=True, nogil=True, inline="always")
def _vector(a, n, writeable):
    return _fits(a, writeable) and a.ndim == 1 and a.shape[0] == n


@njit(cache=True, nogil=True)
def value(T, B, x, y):
    """``y[:] = f(x)``; returns the first flipped guard, -1, or an error code."""
    bad = _check(T, B, x)
    if bad:
        return bad
    V = T.value
    outputs = V.outputs
    if not _vector(y, outputs.shape[0], True):
        return BAD_ARRAY
    work = B.value_work
    sweeps.start(x, work)
    sweeps.values(V.dispatch, V.instructions, T.program.constants, work)
    for j in range(outputs.shape[0]):
        y[j] = work[outputs[j]]
    return sweeps.first_flipped_guard(work, V.guards)


@njit(cache=True, nogil=True)
def value_and_gradient(T, B, x, g):
    """``(f(x), flip)`` of a single-output tape, ``g[:] = ∇f(x)``; flip is the
    first flipped guard, -1, or an error code (the value is then nan)."""
    bad = _check(T, B, x)
    if bad:
        return np.nan, bad
    P = T.program
    outputs = P.outputs
    if outputs.shape[0] != 1:
        return np.nan, SEVERAL_OUTPUTS
    if not _vector(g, x.shape[0], True):
        return np.nan, BAD_ARRAY
    work, a = B.work, B.vector
    n = x.shape[0]
    sweeps.start(x, work)
    if P.runs.shape[0] > 0:
        sweeps.values_runs(P.runs, P.rows, P.constants, work)
    else:
        sweeps.values(P.dispatch, P.instructions, P.constants, work)
    flip = sweeps.first_flipped_guard(work, P.guards)
    a[:] = 0.0  # B.vector is shared with vjp, which leaves it dirty
    a[outputs[0]] = 1.0
    sweeps.adjoint_recompute(P.reverse_dispatch, P.instructions, P.constants, work, a)
    g[:] = a[:n]
    if flip < 0 and sweeps.has_nan(g):
        # zero may have met infinity in the recomputing sweep's plain products:
        # the stored-partials sweep follows azmul (see sweeps.NAN_GRADIENT)
        sweeps.linearize(P.dispatch, P.instructions, P.constants, P.guards, x, work,
                         B.partials)
        a[:] = 0.0
        a[outputs[0]] = 1.0
        sweeps.adjoint1(P.links, B.partials, a)
        g[:] = a[:n]
    return work[outputs[0]], flip


@njit(cache=True, nogil=True)
def jvp(T, B, x, v, y, jv):
    """``y[:] = f(x)``, ``jv[:] = J(x) @ v`` by one tangent sweep; returns flip
    or an error code."""
    bad = _check(T, B, x)
    if bad:
        return bad
    P = T.program
    outputs = P.outputs
    n = x.shape[0]
    m = outputs.shape[0]
    if not (_vector(v, n, False) and _vector(y, m, True) and _vector(jv, m, True)):
        return BAD_ARRAY
    work, partials, t = B.work, B.partials, B.vector
    flip = sweeps.linearize(P.dispatch, P.instructions, P.constants, P.guards, x, work,
                            partials)
    t[:n] = v
    t[t.shape[0] - 1] = 0.0
    sweeps.tangent1(P.links, partials, t)
    for j in range(m):
        y[j] = work[outputs[j]]
        jv[j] = t[outputs[j]]
    return flip


@njit(cache=True, nogil=True)
def vjp(T, B, x, w, y, wj):
    """``y[:] = f(x)``, ``wj[:] = w @ J(x)`` by one adjoint sweep; returns flip
    or an error code."""
    bad = _check(T, B, x)
    if bad:
        return bad
    P = T.program
    outputs = P.outputs
    n = x.shape[0]
    m = outputs.shape[0]
    if not (_vector(w, m, False) and _vector(y, m, True) and _vector(wj, n, True)):
        return BAD_ARRAY
    work, partials, a = B.work, B.partials, B.vector
    flip = sweeps.linearize(P.dispatch, P.instructions, P.constants, P.guards, x, work,
                            partials)
    a[:] = 0.0
    for j in range(m):
        a[outputs[j]] += w[j]
    sweeps.adjoint1(P.links, partials, a)
    wj[:] = a[:n]
    for j in range(m):
        y[j] = work[outputs[j]]
    return flip


@njit(cache=True, nogil=True)
def jacobian(T, B, x, y, jac):
    """``y[:] = f(x)``, ``jac[:, :] = J(x)`` (m, n): one linearization, then tangent
    sweeps over blocks of inputs when n <= m, else adjoint sweeps over blocks
    of outputs; returns flip or an error code."""
    bad = _check(T, B, x)
    if bad:
        return bad
    P = T.program
    outputs = P.outputs
    n = x.shape[0]
    m = outputs.shape[0]
    if not (_vector(y, m, True) and _fits(jac, True) and jac.ndim == 2 and jac.shape[0] == m
            and jac.shape[1] == n):
        return BAD_ARRAY
    links = P.links
    work, partials, t = B.work, B.partials, B.block
    flip = sweeps.linearize(P.dispatch, P.instructions, P.constants, P.guards, x, work,
                            partials)
    chunk = t.shape[1]
    sink = t.shape[0] - 1
    if n <= m:
        for c0 in range(0, n, chunk):
            width = min(chunk, n - c0)
            t[:n] = 0.0
            t[sink] = 0.0
            for k in range(width):
                t[c0 + k, k] = 1.0
            sweeps.tangents(links, partials, t)
            for j in range(m):
                for k in range(width):
                    jac[j, c0 + k] = t[outputs[j], k]
    else:
        for c0 in range(0, m, chunk):
            width = min(chunk, m - c0)
            t[:] = 0.0
            for k in range(width):
                t[outputs[c0 + k], k] += 1.0
            sweeps.adjoints(links, partials, t)
            for k in range(width):
                for i in range(n):
                    jac[c0 + k, i] = t[i, k]
    for j in range(m):
        y[j] = work[outputs[j]]
    return flip


FUNCTIONS = (value, value_and_gradient, jvp, vjp, jacobian)


def check(code, who: str = "adjit.compiled") -> int:
    """``code`` (a guard index or -1) as returned by a function of this module;
    ValueError naming the fault for an error code."""
    code = int(code)
    if code < -1:
        raise ValueError(f"{who}: {ERRORS.get(code, f'error code {code}')}")
    return code


class NjitFunctions(NamedTuple):
    """What :meth:`adjit.Tape.njit_functions` returns: the compiled functions
    (also importable from :mod:`adjit.compiled`), the tape as one record for
    them (:class:`NjitTape`), and sizes."""

    tape: NjitTape
    value: object
    value_and_gradient: object
    jvp: object
    vjp: object
    jacobian: object
    n_inputs: int
    n_outputs: int
    n_slots: int
    n_work: int

    def buffers(self) -> Buffers:
        """Fresh work arrays for one thread (pass the same record to every call)."""
        n_ops = self.n_slots - self.n_inputs
        chunk = max(1, min(_CHUNK, self.n_inputs if self.n_inputs <= self.n_outputs
                           else self.n_outputs))
        return Buffers(np.zeros(self.n_work + 1), np.zeros(self.n_slots + 1),
                       np.zeros((n_ops, 2)), np.zeros(self.n_slots + 1),
                       np.zeros((self.n_slots + 1, chunk)))


_checked = False


def call(fn, *args):
    """``fn(*args)`` from Python, for this module's functions or a user's
    ``@njit(cache=True)`` function that calls them: an error code it returns
    (alone, or as the last item of a tuple) raises ValueError naming the fault
    (:func:`check`); and if ``fn``'s cached code was built against another adjit
    (the stamp check raises), ``fn`` is recompiled and called again (code that
    ``fn`` ran before its first adjit call then runs twice)."""
    try:
        out = fn(*args)
    except RuntimeError as e:
        if "adjit.compiled: stale compiled code" not in str(e):
            raise
        fn.recompile()
        out = fn(*args)
    code = out[-1] if isinstance(out, tuple) and out else out
    if isinstance(code, (int, np.integer)) and not isinstance(code, bool):
        check(code, "adjit.compiled." + getattr(fn, "__name__", "call"))
    return out


def _heal(T, B, x) -> None:
    """Run every function once; recompile (and re-cache) the stale ones."""
    global _checked
    m = len(T.program.outputs)
    n = len(x)
    calls = ((value, (np.empty(m),)), (value_and_gradient, (np.empty(n),)),
             (jvp, (np.zeros(n), np.empty(m), np.empty(m))),
             (vjp, (np.zeros(m), np.empty(m), np.empty(n))),
             (jacobian, (np.empty(m), np.empty((m, n)))))
    for fn, extra in calls:
        for attempt in range(2):
            try:
                fn(T, B, x, *extra)
            except RuntimeError as e:
                if "stale" not in str(e) or attempt:
                    raise
                fn.recompile()
                continue
            break
    _checked = True


def njit_functions(tape) -> NjitFunctions:
    """The tape as one record for the functions of this module (see the module
    docstring)."""
    # The value program again through its validating constructor, from
    # immutable copies: whatever became of the cached one, the kernels read
    # only what was checked here.
    cached = tape.slot_program()
    prog = SlotProgram(immutable(cached.instructions), tape.constants,
                       immutable(cached.outputs), immutable(cached.guards), tape.n_inputs,
                       int(cached.n_work))
    V = ValueProgram(prog.instructions, prog.outputs, prog.guards, immutable(prog.dispatch),
                     int(prog.n_work))
    T = NjitTape(int(ABI), tape.program_in_runs(), V)
    fns = NjitFunctions(T, value, value_and_gradient, jvp, vjp, jacobian, tape.n_inputs,
                        tape.n_outputs, tape.n_slots, prog.n_work)
    if not _checked:
        _heal(T, fns.buffers(), np.zeros(tape.n_inputs))
    return fns
