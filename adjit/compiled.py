"""Derivatives callable from users' own ``@njit`` code.

A tape is only arrays, so a Numba-compiled loop (a Newton solver, an
integrator) can evaluate and differentiate it without returning to Python::

    from numba import njit
    from adjit.compiled import value, value_and_gradient, jacobian

    fns = tape.njit_functions()        # the tape's arrays, as one tuple
    T, B = fns.tape, fns.buffers()     # B: work arrays (one set per thread)

    @njit
    def newton(T, B, x, y, J):
        for it in range(50):
            jacobian(T, B, x, y, J)    # y = f(x), J = f'(x), in place
            x -= np.linalg.solve(J, y)
        ...

``T`` (:attr:`NjitFunctions.tape`) is a plain tuple of integers and arrays and
``B`` (:meth:`NjitFunctions.buffers`) a tuple of work arrays; every function
writes into arrays the caller passes, allocates nothing and returns the index
of the first branch guard that went the other way (``-1`` when the tape
describes ``f`` at ``x``; see :class:`adjit.BranchChanged`). Each checks the
shapes it is given, so a wrong buffer raises instead of touching memory it
does not own. ``value`` runs the liveness-compacted program
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
  and of this module's tuple format, taken at import; it is frozen into every
  function here when compiled and also carried in the tape tuple. A function
  compiled against another ``sweeps.py`` sees a different stamp in the tuple
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
from numba import njit

from . import sweeps

_FORMAT = 4  # version of the tape tuple's layout below
ABI = int.from_bytes(hashlib.sha256(
    pathlib.Path(sweeps.__file__).read_bytes() + b"tuple format %d" % _FORMAT).digest()[:7],
    "little")

# tape tuple: (ABI, n_inputs, instructions, links, constants, outputs, guards,
#              value-program instructions, its outputs, its guards, its work size,
#              its dispatch stream, the tape's dispatch stream, its reverse dispatch,
#              its runs table and rows in runs (empty table: no runs; Tape._runs))
# buffers:    (value work (n_work + 1,), work (n_slots + 1,), partials (n_ops, 2),
#              one vector (n_slots + 1,), a block of vectors (n_slots + 1, chunk))
_CHUNK = 64  # directions per sweep in jacobian()


@njit(cache=True, nogil=True)
def abi():
    """The stamp this module's compiled code was built with."""
    return ABI


# Inlined, not called: the stamp must be frozen into each API function itself,
# or recompiling a stale function would still call a stale cached _check.
@njit(cache=True, nogil=True, inline="always")
def _check(T, B, x):
    if T[0] != ABI:
        raise RuntimeError("adjit.compiled: stale compiled code (built against another "
                           "adjit.sweeps); delete the __pycache__ entries of the @njit "
                           "function that calls adjit, or compile it without cache=True")
    n = T[1]
    n_slots = n + T[2].shape[0]
    if x.shape[0] != n:
        raise ValueError("adjit.compiled: x has the wrong length for this tape")
    if (B[0].shape[0] != T[10] + 1 or B[1].shape[0] != n_slots + 1
            or B[2].shape[0] != T[2].shape[0] or B[3].shape[0] != n_slots + 1
            or B[4].shape[0] != n_slots + 1 or B[4].shape[1] < 1):
        raise ValueError("adjit.compiled: buffers do not fit this tape; make them with "
                         "tape.njit_functions().buffers()")


@njit(cache=True, nogil=True)
def value(T, B, x, y):
    """``y[:] = f(x)``; returns the first flipped guard or -1."""
    _check(T, B, x)
    outputs = T[8]
    if y.shape[0] != outputs.shape[0]:
        raise ValueError("adjit.compiled.value: y must have one entry per output")
    work = B[0]
    sweeps._start(x, work)
    sweeps.values(T[11], T[7], T[4], work)
    for j in range(outputs.shape[0]):
        y[j] = work[outputs[j]]
    return sweeps.first_flipped_guard(work, T[9])


@njit(cache=True, nogil=True)
def value_and_gradient(T, B, x, g):
    """``(f(x), flip)`` of a single-output tape, ``g[:] = ∇f(x)``."""
    _check(T, B, x)
    outputs = T[5]
    if outputs.shape[0] != 1:
        raise ValueError("adjit.compiled.value_and_gradient: the tape has several outputs; "
                         "use vjp or jacobian")
    if g.shape[0] != x.shape[0]:
        raise ValueError("adjit.compiled.value_and_gradient: g must have the length of x")
    work, a = B[1], B[3]
    n = x.shape[0]
    sweeps._start(x, work)
    if T[14].shape[0] > 0:
        sweeps.values_runs(T[14], T[15], T[4], work)
    else:
        sweeps.values(T[12], T[2], T[4], work)
    flip = sweeps.first_flipped_guard(work, T[6])
    a[:] = 0.0  # B[3] is shared with vjp, which leaves it dirty
    a[outputs[0]] = 1.0
    sweeps.adjoint_recompute(T[13], T[2], T[4], work, a)
    g[:] = a[:n]
    return work[outputs[0]], flip


@njit(cache=True, nogil=True)
def jvp(T, B, x, v, y, jv):
    """``y[:] = f(x)``, ``jv[:] = J(x) @ v`` by one tangent sweep; returns flip."""
    _check(T, B, x)
    outputs = T[5]
    n = x.shape[0]
    if v.shape[0] != n or y.shape[0] != outputs.shape[0] or jv.shape[0] != outputs.shape[0]:
        raise ValueError("adjit.compiled.jvp: v has the length of x, y and jv one entry "
                         "per output")
    work, partials, t = B[1], B[2], B[3]
    flip = sweeps.linearize(T[12], T[2], T[4], T[6], x, work, partials)
    t[:n] = v
    t[t.shape[0] - 1] = 0.0
    sweeps.tangent1(T[3], partials, t)
    for j in range(outputs.shape[0]):
        y[j] = work[outputs[j]]
        jv[j] = t[outputs[j]]
    return flip


@njit(cache=True, nogil=True)
def vjp(T, B, x, w, y, wj):
    """``y[:] = f(x)``, ``wj[:] = w @ J(x)`` by one adjoint sweep; returns flip."""
    _check(T, B, x)
    outputs = T[5]
    n = x.shape[0]
    if w.shape[0] != outputs.shape[0] or y.shape[0] != outputs.shape[0] or wj.shape[0] != n:
        raise ValueError("adjit.compiled.vjp: w and y have one entry per output, wj the "
                         "length of x")
    work, partials, a = B[1], B[2], B[3]
    flip = sweeps.linearize(T[12], T[2], T[4], T[6], x, work, partials)
    a[:] = 0.0
    for j in range(outputs.shape[0]):
        a[outputs[j]] += w[j]
    sweeps.adjoint1(T[3], partials, a)
    wj[:] = a[:n]
    for j in range(outputs.shape[0]):
        y[j] = work[outputs[j]]
    return flip


@njit(cache=True, nogil=True)
def jacobian(T, B, x, y, jac):
    """``y[:] = f(x)``, ``jac[:, :] = J(x)`` (m, n): one linearization, then tangent
    sweeps over blocks of inputs when n <= m, else adjoint sweeps over blocks
    of outputs; returns flip."""
    _check(T, B, x)
    outputs = T[5]
    n = x.shape[0]
    m = outputs.shape[0]
    if y.shape[0] != m or jac.shape[0] != m or jac.shape[1] != n:
        raise ValueError("adjit.compiled.jacobian: y must have shape (m,) and jac (m, n)")
    links = T[3]
    work, partials, t = B[1], B[2], B[4]
    flip = sweeps.linearize(T[12], T[2], T[4], T[6], x, work, partials)
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


class NjitFunctions(NamedTuple):
    """What :meth:`adjit.Tape.njit_functions` returns: the compiled functions
    (also importable from :mod:`adjit.compiled`), the tape as a tuple of arrays
    for them, and sizes."""

    tape: tuple
    value: object
    value_and_gradient: object
    jvp: object
    vjp: object
    jacobian: object
    n_inputs: int
    n_outputs: int
    n_slots: int
    n_work: int

    def buffers(self) -> tuple:
        """Fresh work arrays for one thread (pass the same tuple to every call)."""
        n_ops = self.n_slots - self.n_inputs
        chunk = max(1, min(_CHUNK, self.n_inputs if self.n_inputs <= self.n_outputs
                           else self.n_outputs))
        return (np.zeros(self.n_work + 1), np.zeros(self.n_slots + 1), np.zeros((n_ops, 2)),
                np.zeros(self.n_slots + 1), np.zeros((self.n_slots + 1, chunk)))


_checked = False


def call(fn, *args):
    """``fn(*args)`` for a user's ``@njit(cache=True)`` function that calls this
    module's functions: if its cached code was built against another adjit
    (the stamp check raises), recompile ``fn`` and call it again. Code that
    ``fn`` ran before its first adjit call runs twice in that case."""
    try:
        return fn(*args)
    except RuntimeError as e:
        if "adjit.compiled: stale compiled code" not in str(e):
            raise
        fn.recompile()
        return fn(*args)


def _heal(T, B, x) -> None:
    """Run every function once; recompile (and re-cache) the stale ones."""
    global _checked
    m = len(T[5])
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
            except ValueError:  # value_and_gradient of several outputs: compiled all the same
                pass
            break
    _checked = True


def njit_functions(tape) -> NjitFunctions:
    """The tape as arrays for the functions of this module (see the module docstring)."""
    from .optimize import slot_program
    prog = slot_program(tape)
    T = (np.int64(ABI), np.int64(tape.n_inputs), tape.instructions, tape.links, tape.constants,
         tape.outputs, tape.guards, prog.instructions, prog.outputs, prog.guards,
         np.int64(prog.n_work), prog.dispatch, tape.dispatch, tape.reverse_dispatch,
         *tape._runs())
    fns = NjitFunctions(T, value, value_and_gradient, jvp, vjp, jacobian, tape.n_inputs,
                        tape.n_outputs, tape.n_slots, prog.n_work)
    if not _checked:
        _heal(T, fns.buffers(), np.zeros(tape.n_inputs))
    return fns
