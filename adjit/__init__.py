"""adjit: record a Python function once, differentiate it many times at compiled speed.

>>> import numpy as np, adjit
>>> tape = adjit.trace(lambda x: x[0] * x[1] + np.exp(x[0] * x[1]), [1.0, 2.0])
>>> tape.gradient([1.0, 2.0])           # (2 + 2e², 1 + e²)
array([16.7781122 ,  8.3890561 ])
"""
from . import numba_cache as _numba_cache
_numba_cache.configure()  # before any @njit(cache=True) kernel is defined
from .errors import BranchChanged, RetraceWarning, TapeError, TracingError  # noqa: E402
from .functions import *  # noqa: F401,F403  sin, cos, ..., erf, where
from .functions import __all__ as _functions
from .tape import Tape, load
from .tracer import trace
from .transforms import grad, hessian, jacobian, value_and_grad
from .version import __version__



def __getattr__(name):
    # The solvers import scipy.optimize and scipy.linalg (a quarter of a second);
    # load them on first use so that `import adjit` stays quick.
    if name in ("newton", "minimize"):
        from . import solvers
        return getattr(solvers, name)
    raise AttributeError(f"module 'adjit' has no attribute {name!r}")


__all__ = ["trace", "Tape", "load", "grad", "value_and_grad", "jacobian", "hessian",
           "newton", "minimize", "TracingError", "TapeError", "BranchChanged",
           "RetraceWarning", *_functions]
