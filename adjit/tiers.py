"""Which implementation a kernel call runs: the compiled kernel, or, while it
is not compiled yet, an equivalent that needs no compile.

Until the background compile (:mod:`adjit.background`) has put a kernel in
Numba's cache, a call runs its NumPy equivalent (:mod:`adjit.levels`, for the
sweeps over a tape) or, for the other kernels (the optimizer's passes,
sparsity, second order), the kernel's own Python body with its callees'
Python bodies (:func:`pure`), when its arrays are small enough for Python
speed; a larger call compiles the kernel here, after a one-line notice on the
``"adjit"`` logger. Once a kernel is ready, calls go to it and nothing here
runs again: :func:`adjit.program.call` keeps its fast path to the compiled
entry point, and :func:`run` is for call sites whose argument types vary.
"""
from __future__ import annotations

import logging
import types

import numpy as np

from . import background, config
from .errors import interruptible

_log = logging.getLogger("adjit")

#: kernel (Numba dispatcher) -> its NumPy equivalent, filled by adjit.levels
EQUIVALENT: dict = {}

#: most elements in any one array of a call that runs as Python (bigger calls compile)
PURE_LIMIT = 200_000

_PURE: dict = {}
_LOOKED: set = set()  # kernels whose cache index this process has read
_INDEXED: set = set()  # ... and found an entry in


class _Tier:
    #: None until the first kernel call decides; then whether calls may still
    #: go to the no-compile tier (False for good once every kernel is ready)
    active: bool | None = None
    forced = False  # force(True): the tier whatever the cache holds
    noticed = False


_tier = _Tier()


def name(kernel) -> str:
    """``module.qualname`` of a kernel (as the background's markers list them)."""
    f = getattr(kernel, "py_func", kernel)  # a stand-in (tests wrap kernels) names itself
    return f"{f.__module__}.{f.__qualname__}"


def cold(kernel) -> bool:
    """Whether a call of ``kernel`` should not wait for it to compile: the tier
    is on and the kernel is not in the cache yet."""
    active = _tier.active
    if active is None:
        active = _decide()
    if not active or not config.cold_tier:  # the setting may be turned off at any time
        return False
    if _tier.forced:
        return True
    if background.failed():
        _tier.active = False
        return False
    if name(kernel) in background.ready():
        if background.all_ready():
            _tier.active = False
        return False
    if kernel not in _LOOKED:  # a cache filled without markers (the tier was off)
        _LOOKED.add(kernel)
        if _cached(kernel):
            _INDEXED.add(kernel)
    return kernel not in _INDEXED


def force(active: bool | None) -> None:
    """Send every kernel call to the no-compile tier (True), to the compiled
    kernels (False), or decide again from the settings and the cache (None):
    for tests and measurements."""
    _tier.active = active
    _tier.forced = active is True


def no_notice() -> None:
    """No compile notice from this process (the warmup, which compiles on purpose)."""
    _tier.noticed = True


def _decide() -> bool:
    active = bool(config.cold_tier)
    if active:
        try:
            active = not background.all_ready()
            if active:
                background.start()
        except Exception as e:  # pragma: no cover - no usable cache directory
            _log.debug("adjit: no background compile (%s)", e)
            active = False
    _tier.active = active
    return active


def equivalent(kernel, args):
    """What runs in place of ``kernel(*args)`` while it is not compiled: its
    NumPy equivalent, its Python body for a small call, or None (compile)."""
    alt = EQUIVALENT.get(kernel)
    if alt is not None or not hasattr(kernel, "py_func"):
        return alt
    size = 0
    for a in args:
        if isinstance(a, np.ndarray):
            size = max(size, a.size)
        elif isinstance(a, tuple):
            size = max([size] + [v.size for v in a if isinstance(v, np.ndarray)])
    return pure(kernel) if size <= PURE_LIMIT else None


def run(kernel, *args):
    """``kernel(*args)``, by the no-compile tier while the kernel is not ready."""
    if _tier.active is not False and cold(kernel):
        alt = equivalent(kernel, args)
        if alt is not None:
            if alt is EQUIVALENT.get(kernel):
                return alt(*args)
            try:
                with np.errstate(all="ignore"):
                    return alt(*args)
            except Exception as e:  # a kernel body that only works compiled: compile it
                _log.debug("adjit: %s did not run as Python (%r); compiling it", name(kernel), e)
    return compiled(kernel, args)


def compiled(kernel, args):
    """``kernel(*args)`` compiled, with a notice first when it will compile
    rather than load from the cache."""
    if not getattr(kernel, "overloads", True) and not _tier.noticed and not _cached(kernel):
        _tier.noticed = True
        _log.warning("adjit: compiling Numba kernels; this happens once, later processes "
                     "load them from the cache (python -m adjit.warmup compiles them all "
                     "ahead)")
    return interruptible(kernel, *args)


def _cached(kernel) -> bool:
    """Whether Numba's cache holds an entry of ``kernel`` for this source."""
    try:
        return name(kernel) in background.ready() or bool(
            kernel._cache._cache_file._load_index())
    except Exception:  # pragma: no cover - another Numba's internals
        return True


def pure(kernel):
    """``kernel``'s Python body with every kernel it calls replaced by its Python
    body in turn: the kernel run by the interpreter, no compile."""
    f = _PURE.get(kernel)
    if f is not None:
        return f
    from numba.core.registry import CPUDispatcher
    py = kernel.py_func
    scope = dict(py.__globals__)
    f = types.FunctionType(py.__code__, scope, py.__name__, py.__defaults__, py.__closure__)
    _PURE[kernel] = f
    for key, value in list(scope.items()):
        if isinstance(value, CPUDispatcher):
            scope[key] = pure(value)
    return f
