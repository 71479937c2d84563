"""Function transforms: ``grad(f)`` and friends trace ``f`` on first use and
reuse the tape for every later call with the same number of inputs."""
from __future__ import annotations

import functools

import numpy as np

from .tape import Tape, _as_float_array
from .tracer import trace


class Transform:
    """A derivative of ``f`` that traces ``f`` once per input size.

    ``n_traces`` counts the traces made so far; ``tape_for(x)`` returns the tape
    a call at ``x`` would use.
    """

    def __init__(self, f, method: str, **options):
        if not callable(f):
            raise TypeError(f"expected a callable f, got {type(f).__name__}")
        self.f = f
        self._method = method
        self._options = options
        self._tapes: dict[int, Tape] = {}
        self.n_traces = 0
        functools.update_wrapper(self, f)

    def tape_for(self, x) -> Tape:
        x = self._point(x)
        tape = self._tapes.get(x.shape[0])
        if tape is None:
            tape = trace(self.f, x)
            self.n_traces += 1
            self._tapes[x.shape[0]] = tape
        return tape

    @staticmethod
    def _point(x):
        if type(x) is np.ndarray and x.dtype == np.float64 and x.ndim == 1:
            return x
        x = _as_float_array(x, None, "x")
        if x.ndim != 1:
            raise ValueError(f"x: expected a 1-D array of inputs, got shape {x.shape}")
        return x

    def __call__(self, x, *args, **kwargs):
        if args or kwargs:
            raise TypeError(f"{self._method} transform of {getattr(self.f, '__name__', 'f')}: "
                            "the function takes one array argument; bind other arguments with "
                            "functools.partial or a closure (they are recorded as constants)")
        x = self._point(x)
        return getattr(self.tape_for(x), self._method)(x, **self._options)

    def __repr__(self):
        return f"<adjit.{self._method} of {getattr(self.f, '__name__', self.f)!r}>"


def grad(f) -> Transform:
    """``grad(f)(x)`` is the gradient of the scalar function ``f`` at ``x``."""
    return Transform(f, "gradient")


def value_and_grad(f) -> Transform:
    """``value_and_grad(f)(x)`` is ``(f(x), ∇f(x))`` from one forward and one reverse sweep."""
    return Transform(f, "value_and_gradient")


def jacobian(f, mode: str = "auto") -> Transform:
    """``jacobian(f)(x)`` is the dense ``(m, n)`` Jacobian of ``f`` at ``x``
    (``mode`` as in :meth:`adjit.Tape.jacobian`)."""
    return Transform(f, "jacobian", mode=mode)
