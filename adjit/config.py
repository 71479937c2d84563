"""adjit's settings: read once from the environment, changeable at run time.

``cold_tier`` (environment ``ADJIT_COLD_TIER``, default on): before Numba's
compiled kernels are in the cache, evaluate with NumPy (:mod:`adjit.levels`)
while a background process compiles them (:mod:`adjit.background`), and switch
to the kernels once they are ready. ``ADJIT_COLD_TIER=0`` (or setting
``adjit.config.cold_tier = False``, at any time) compiles on first use
instead, in the calling process, as adjit 0.1.0 did.

``array_instructions`` (environment ``ADJIT_ARRAYS``, default on): NumPy calls on
traced arrays record array instructions; see below.
"""
from __future__ import annotations

import os


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name, "").strip().lower()
    if value in ("0", "false", "no", "off"):
        return False
    if value in ("1", "true", "yes", "on"):
        return True
    return default


cold_tier: bool = _flag("ADJIT_COLD_TIER", True)

#: ``array_instructions`` (environment ``ADJIT_ARRAYS``, default on): a NumPy
#: call on traced arrays records one array instruction (:mod:`adjit.array_tracer`);
#: off, every element records a scalar instruction, as before array instructions.
array_instructions: bool = _flag("ADJIT_ARRAYS", True)
