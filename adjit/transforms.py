"""Function transforms: ``grad(f)`` and friends trace ``f`` on first use and
reuse the tape for every later call with the same number of inputs.

A function with data-dependent branches gives one tape per path. A call whose
point takes another path makes the tape raise :class:`~adjit.BranchChanged`;
the transform then tries the other tapes it holds for that input size, most
recently used first, and traces ``f`` again at the point only when none fits.
Tapes are keyed by their guards' outcomes and kept in a small least-recently
used cache, so a function alternating between two branches is traced twice.
A function with many paths (a loop whose count depends on ``x``) is re-traced
whenever it leaves the paths held; such a call first tries each held tape
(one forward sweep each), so keep ``max_tapes`` small.
"""
from __future__ import annotations

import functools
import threading
from collections import OrderedDict

import numpy as np

from .errors import BranchChanged
from .program import as_float_array
from .tape import Tape
from .tracer import trace

#: tapes (paths through f) a transform keeps per input size by default
MAX_TAPES = 8


def _key(tape: Tape):
    """A tape's path: which conditions it branched on and which way."""
    return tape.n_inputs, tape.guard_sources, tape.guards.tobytes()


class Transform:
    """A derivative of ``f`` that traces ``f`` once per input size and path.

    ``n_traces`` counts the traces made so far; ``tape_for(x)`` returns the tape
    a call at ``x`` would use (tracing if none fits); ``tapes`` lists the cached
    tapes, least recently used first. ``max_tapes`` bounds the cache.
    """

    def __init__(self, f, method: str, max_tapes: int = MAX_TAPES, **options):
        if not callable(f):
            raise TypeError(f"expected a callable f, got {type(f).__name__}")
        if int(max_tapes) < 1:
            raise ValueError(f"max_tapes: expected at least 1, got {max_tapes}")
        self.f = f
        self._method = method
        self._options = options
        self.max_tapes = int(max_tapes)
        self._tapes: OrderedDict = OrderedDict()  # _key(tape) -> tape, LRU first
        self._lock = threading.Lock()  # guards _tapes and n_traces, not evaluation
        # (n_inputs, key, bound method) of the last tape that served a call: tried
        # first, without locks or lookups, since most calls take the same path.
        self._last = None
        self.n_traces = 0
        functools.update_wrapper(self, f)

    @property
    def tapes(self) -> list[Tape]:
        with self._lock:
            return list(self._tapes.values())

    def _candidates(self, n: int) -> list:
        with self._lock:
            return [(k, t) for k, t in reversed(self._tapes.items()) if k[0] == n]

    def _used(self, key) -> None:
        with self._lock:
            if key in self._tapes:
                self._tapes.move_to_end(key)

    def _trace(self, x) -> Tape:
        tape = trace(self.f, x)
        with self._lock:
            last = self._last
            if last is not None and last[1] in self._tapes:  # the fast path bypasses _used
                self._tapes.move_to_end(last[1])
            self.n_traces += 1
            self._tapes[_key(tape)] = tape
            self._tapes.move_to_end(_key(tape))
            while len(self._tapes) > self.max_tapes:
                self._tapes.popitem(last=False)
        return tape

    def _run(self, x, call):
        """``call(tape)`` with the first cached tape whose branches hold at ``x``,
        else with a fresh trace at ``x``."""
        for key, tape in self._candidates(x.shape[0]):
            try:
                result = call(tape)
            except BranchChanged:
                continue
            self._used(key)
            self._remember(key, tape)
            return result
        tape = self._trace(x)
        result = call(tape)
        self._remember(_key(tape), tape)
        return result

    def _remember(self, key, tape) -> None:
        method = getattr(tape, self._method)
        if self._options:
            method = functools.partial(method, **self._options)
        self._last = (tape.n_inputs, key, method)

    def tape_for(self, x) -> Tape:
        x = self._point(x)
        return self._run(x, lambda tape: (tape.forward(x), tape)[1])

    @staticmethod
    def _point(x):
        if type(x) is np.ndarray and x.dtype == np.float64 and x.ndim == 1:
            return x
        x = as_float_array(x, None, "x")
        if x.ndim != 1:
            raise ValueError(f"x: expected a 1-D array of inputs, got shape {x.shape}")
        return x

    def __call__(self, x, *args, **kwargs):
        if args or kwargs:
            raise TypeError(f"{self._method} transform of {getattr(self.f, '__name__', 'f')}: "
                            "the function takes one array argument; bind other arguments with "
                            "functools.partial or a closure (they are recorded as constants)")
        x = self._point(x)
        last = self._last
        if last is not None and last[0] == x.shape[0]:
            try:
                return last[2](x)
            except BranchChanged:
                pass  # another path: look through the cache, or trace
        method, options = self._method, self._options
        return self._run(x, lambda tape: getattr(tape, method)(x, **options))

    def __repr__(self):
        return f"<adjit.{self._method} of {getattr(self.f, '__name__', self.f)!r}>"


def grad(f, *, max_tapes: int = MAX_TAPES) -> Transform:
    """``grad(f)(x)`` is the gradient of the scalar function ``f`` at ``x``."""
    return Transform(f, "gradient", max_tapes)


def value_and_grad(f, *, max_tapes: int = MAX_TAPES) -> Transform:
    """``value_and_grad(f)(x)`` is ``(f(x), ∇f(x))`` from one forward and one reverse sweep."""
    return Transform(f, "value_and_gradient", max_tapes)


def jacobian(f, mode: str = "auto", *, max_tapes: int = MAX_TAPES) -> Transform:
    """``jacobian(f)(x)`` is the dense ``(m, n)`` Jacobian of ``f`` at ``x``
    (``mode`` as in :meth:`adjit.Tape.jacobian`)."""
    return Transform(f, "jacobian", max_tapes, mode=mode)


def hessian(f, *, max_tapes: int = MAX_TAPES) -> Transform:
    """``hessian(f)(x)`` is the dense ``(n, n)`` Hessian of the scalar function ``f``
    at ``x`` (see :meth:`adjit.Tape.hessian`)."""
    return Transform(f, "hessian", max_tapes)
