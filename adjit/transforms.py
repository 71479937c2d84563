"""Function transforms: ``grad(f)`` and friends trace ``f`` on first use and
reuse the tape for every later call of the same kind.

``f(x, *args)`` may take more positional arguments. The ones named by
``argnums`` (default 0, ``x``) are differentiated; every other float array
(or float) is *data*, a parameter of the tape, so a call with new data of the
same shape reuses the tape without a new trace; anything else (ints,
strings, integer arrays, callables) is *static* and part of the cache key: a
new static value means a new trace. The shapes JAX gives: ``grad`` is shaped
like the argument, ``jacobian`` is ``out.shape + x.shape``, ``hessian``
``x.shape + x.shape``; with a tuple ``argnums`` a tuple (of tuples for the
Hessian) comes back.

A function with data-dependent branches gives one tape per path. A call whose
point takes another path makes the tape raise :class:`~adjit.BranchChanged`;
the transform then tries the other tapes it holds for that kind of call, most
recently used first, and traces ``f`` again at the point only when none fits.
Tapes are kept in a small least-recently used cache, so a function
alternating between two branches is traced twice. A function with many paths
(a loop whose count depends on ``x``) is re-traced whenever it leaves the
paths held; such a call first tries each held tape (one forward sweep each),
so keep ``max_tapes`` small.

Transforms pickle (the function by reference, as pickle does; the tapes and
the lock are dropped and rebuilt on first use).
"""
from __future__ import annotations

import functools
import threading
import warnings
from collections import OrderedDict

import numpy as np

from . import signature
from .errors import BranchChanged, RetraceWarning
from .program import as_float_array
from .tape import Tape
from .tracer import trace

#: tapes (paths through f) a transform keeps per kind of call by default
MAX_TAPES = 8

_METHODS = ("gradient", "value_and_gradient", "jacobian", "hessian")


def _path(tape: Tape):
    """A tape's path: which conditions it branched on and which way."""
    return tape.guard_sources, tape.guards.tobytes()


class Transform:
    """A derivative of ``f`` that traces ``f`` once per kind of call and path.

    ``n_traces`` counts the traces made so far; ``tape_for(x, *args)`` returns
    the tape a call would use (tracing if none fits); ``tapes`` lists the cached
    tapes, least recently used first. ``max_tapes`` bounds the cache.
    """

    def __init__(self, f, method: str, max_tapes: int = MAX_TAPES, argnums=0, **options):
        if not callable(f):
            raise TypeError(f"expected a callable f, got {type(f).__name__}")
        if method not in _METHODS:
            raise ValueError(f"method: expected one of {_METHODS}, got {method!r}")
        if int(max_tapes) < 1:
            raise ValueError(f"max_tapes: expected at least 1, got {max_tapes}")
        self.f = f
        self._method = method
        self._options = options
        self.max_tapes = int(max_tapes)
        self.argnums = _argnums(argnums)
        self._tuple = isinstance(argnums, tuple)
        self._setup()
        functools.update_wrapper(self, f)

    def _setup(self):
        self._tapes: OrderedDict = OrderedDict()  # (call key, path) -> tape, LRU first
        self._lock = threading.Lock()  # guards _tapes and n_traces, not evaluation
        # (call key, cache key, bound method, tape) of the last tape that served a
        # call: tried first, without locks or lookups, since most calls take the
        # same path.
        self._last = None
        self.n_traces = 0

    # --- pickling: the function and options; no tapes, no lock ----------------
    def __getstate__(self):
        return {k: v for k, v in self.__dict__.items()
                if k not in ("_tapes", "_lock", "_last", "n_traces")}

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._setup()

    @property
    def tapes(self) -> list[Tape]:
        with self._lock:
            return list(self._tapes.values())

    # --- the tape cache ---------------------------------------------------------
    def _candidates(self, call_key) -> list:
        with self._lock:
            return [(k, t) for k, t in reversed(self._tapes.items()) if k[0] == call_key]

    def _used(self, key) -> None:
        with self._lock:
            if key in self._tapes:
                self._tapes.move_to_end(key)

    def _trace(self, call_key, shapes, x, rest) -> Tape:
        f = self.f
        if self.argnums != (0,):
            f = functools.partial(_call_with, self.f, self.argnums, shapes)
        tape = trace(f, x, *rest)
        key = (call_key, _path(tape))
        with self._lock:
            last = self._last
            if last is not None and last[1] in self._tapes:  # the fast path bypasses _used
                self._tapes.move_to_end(last[1])
            self.n_traces += 1
            self._tapes[key] = tape
            self._tapes.move_to_end(key)
            while len(self._tapes) > self.max_tapes:
                self._tapes.popitem(last=False)
            thrashing = self.n_traces == 2 * self.max_tapes + 1 and len(tape.guards)
        if thrashing:
            lines = ", ".join(sorted(set(tape.guard_sources))[:3]) or "its branches"
            warnings.warn(
                f"{self!r} has traced f {self.n_traces} times: a branch on a traced value "
                f"({lines}) takes new paths from call to call, and each new path costs a "
                "trace. Write branch-free selects with np.where or adjit.where (recorded, "
                "no guard), or raise max_tapes if the paths are few.",
                RetraceWarning, stacklevel=4)
        return tape

    def _run(self, call_key, shapes, x, rest, call):
        """``(call(tape), tape)`` with the first cached tape whose branches hold
        at ``x``, else with a fresh trace at ``x``."""
        for key, tape in self._candidates(call_key):
            try:
                result = call(tape)
            except BranchChanged:
                continue
            self._used(key)
            self._remember(call_key, key, tape)
            return result, tape
        tape = self._trace(call_key, shapes, x, rest)
        result = call(tape)
        self._remember(call_key, (call_key, _path(tape)), tape)
        return result, tape

    def _remember(self, call_key, key, tape) -> None:
        method = getattr(tape, self._method)
        if self._options:
            method = functools.partial(method, **self._options)
        self._last = (call_key, key, method, tape)

    # --- arguments ----------------------------------------------------------------
    def _inputs(self, args):
        """``(x, rest, shapes, call key)``: the differentiated input (one array;
        flat when several arguments are differentiated), the other arguments,
        the differentiated arguments' shapes, and the key of this kind of call
        (shapes, data shapes, static values)."""
        nums = self.argnums
        if max(nums) >= len(args):
            raise TypeError(f"{self!r}: argnums {nums if self._tuple else nums[0]} names "
                            f"argument {max(nums)}, but the call passes {len(args)}")
        if nums == (0,):
            x = _array(args[0], "x")
            rest = args[1:]
            shapes = (x.shape,)
        else:
            diff = [_array(args[k], f"argument {k}") for k in nums]
            shapes = tuple(d.shape for d in diff)
            x = np.concatenate([d.reshape(-1) for d in diff]) if len(diff) > 1 else diff[0]
            rest = tuple(a for k, a in enumerate(args) if k not in nums)
        if not rest:
            return x, rest, shapes, shapes
        key = (shapes, tuple(("data", np.shape(a)) if signature.is_data(a)
                             else signature.fingerprint(a) for a in rest))
        return x, rest, shapes, key

    def tape_for(self, x, *args) -> Tape:
        """The tape a call ``transform(x, *args)`` uses (tracing if none fits)."""
        x, rest, shapes, key = self._inputs((x,) + args)
        return self._run(key, shapes, x, rest, lambda tape: tape.forward(x, *rest))[1]

    def __call__(self, *args, **kwargs):
        last = self._last
        if (len(args) == 1 and last is not None and type(args[0]) is np.ndarray
                and args[0].dtype == np.float64 and last[0] == (args[0].shape,)
                and self._method != "jacobian" and self._method != "hessian"
                and self.argnums == (0,) and not self._tuple and not kwargs):
            # the hot path of an optimizer: one float64 point, the last tape
            try:
                return last[2](args[0])  # already shaped like x
            except BranchChanged:
                pass
        if kwargs:
            raise TypeError(f"{self!r}: keyword arguments are not traced; pass them "
                            "positionally (float arrays are data, other values static) or "
                            "bind them with functools.partial (recorded as constants)")
        if not args:
            raise TypeError(f"{self!r}: expected the point x as the first argument")
        x, rest, shapes, key = self._inputs(args)
        last = self._last
        if last is not None and last[0] == key:
            try:
                return self._shaped(last[2](x, *rest), shapes, last[3])
            except BranchChanged:
                pass  # another path: look through the cache, or trace
        method, options = self._method, self._options
        result, tape = self._run(key, shapes, x, rest,
                                 lambda tape: getattr(tape, method)(x, *rest, **options))
        return self._shaped(result, shapes, tape)

    def _shaped(self, result, shapes, tape):
        """The tape method's result in JAX's shapes, split per argument."""
        method = self._method
        if method == "gradient":
            return self._split(result, shapes)
        if method == "value_and_gradient":
            y, g = result
            return y, self._split(g, shapes)
        if method == "jacobian":
            out_shape = tape.out_shape
            parts = _pieces(result, shapes, axis=1)
            parts = [p.reshape(out_shape + s) for p, s in zip(parts, shapes)]
            return tuple(parts) if self._tuple else parts[0]
        rows = _pieces(result, shapes, axis=0)
        blocks = [[b.reshape(si + sj) for b, sj in zip(_pieces(r, shapes, axis=1), shapes)]
                  for r, si in zip(rows, shapes)]
        return tuple(tuple(row) for row in blocks) if self._tuple else blocks[0][0]

    def _split(self, g, shapes):
        if len(shapes) == 1:  # the tape gives it shaped like the argument
            return (g,) if self._tuple else g
        return tuple(p.reshape(s) for p, s in zip(_pieces(g.reshape(-1), shapes, axis=0),
                                                   shapes))

    def __repr__(self):
        return f"<adjit.{self._method} of {getattr(self.f, '__name__', self.f)!r}>"


def _pieces(a, shapes, axis):
    """``a`` cut along ``axis`` into one piece per differentiated argument."""
    sizes = [int(np.prod(s, dtype=np.int64)) for s in shapes]
    if len(sizes) == 1:
        return [a]
    return np.split(a, np.cumsum(sizes)[:-1], axis=axis)


def _call_with(f, argnums, shapes, flat, *rest):
    """``f`` called with the differentiated arguments cut from ``flat`` (one
    traced vector, or the traced array itself for a single argument) and the
    rest in their places."""
    if len(shapes) == 1:
        diff = [flat]
    else:
        sizes = [int(np.prod(s, dtype=np.int64)) for s in shapes]
        ends = np.cumsum(sizes)
        diff = [(flat[e - z:e].reshape(s) if s != () else flat[e - 1])
                for e, z, s in zip(ends, sizes, shapes)]
    args, it_d, it_r = [], iter(diff), iter(rest)
    for k in range(len(argnums) + len(rest)):
        args.append(next(it_d) if k in argnums else next(it_r))
    return f(*args)


def _array(a, what):
    if type(a) is np.ndarray and a.dtype == np.float64:
        return a
    return as_float_array(a, None, what)


def _argnums(argnums) -> tuple:
    if isinstance(argnums, (int, np.integer)) and not isinstance(argnums, bool):
        nums = (int(argnums),)
    elif isinstance(argnums, tuple) and argnums and all(
            isinstance(k, (int, np.integer)) and not isinstance(k, bool) for k in argnums):
        nums = tuple(int(k) for k in argnums)
    else:
        raise TypeError(f"argnums: expected an int or a non-empty tuple of ints, got {argnums!r}")
    if min(nums) < 0 or len(set(nums)) != len(nums):
        raise ValueError(f"argnums: expected distinct non-negative positions, got {argnums!r}")
    return nums


def grad(f, argnums=0, *, max_tapes: int = MAX_TAPES) -> Transform:
    """``grad(f)(x, *args)`` is the gradient of the scalar function ``f`` with
    respect to argument ``argnums`` (shaped like it), or a tuple of gradients
    for a tuple ``argnums``."""
    return Transform(f, "gradient", max_tapes, argnums)


def value_and_grad(f, argnums=0, *, max_tapes: int = MAX_TAPES) -> Transform:
    """``value_and_grad(f)(x, *args)`` is ``(f(x, *args), gradient)`` from one
    forward and one reverse sweep (the gradient as :func:`grad` gives it)."""
    return Transform(f, "value_and_gradient", max_tapes, argnums)


def jacobian(f, argnums=0, mode: str = "auto", *, max_tapes: int = MAX_TAPES) -> Transform:
    """``jacobian(f)(x, *args)`` is the dense Jacobian of ``f``, of shape
    ``out.shape + x.shape`` (``mode`` as in :meth:`adjit.Tape.jacobian`); a
    tuple of them for a tuple ``argnums``."""
    if isinstance(argnums, str):  # jacobian(f, "forward"), as before argnums
        argnums, mode = 0, argnums
    return Transform(f, "jacobian", max_tapes, argnums, mode=mode)


def hessian(f, argnums=0, *, max_tapes: int = MAX_TAPES) -> Transform:
    """``hessian(f)(x, *args)`` is the dense Hessian of the scalar function
    ``f``, of shape ``x.shape + x.shape`` (see :meth:`adjit.Tape.hessian`); for
    a tuple ``argnums``, a tuple of tuples of blocks ``H[i][j]`` of shape
    ``args[i].shape + args[j].shape``."""
    return Transform(f, "hessian", max_tapes, argnums)
