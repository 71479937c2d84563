"""Math functions that record on traced values and compute on plain numbers.

Each works on a traced scalar, a traced array (elementwise), a number or a
NumPy array, like the NumPy ufunc of the same name. ``erf`` and ``erfc`` have
no NumPy ufunc; ``asin`` ... ``pow`` are the Python ``math`` spellings.
"""
from __future__ import annotations

from . import ops
from .numpy_api import logsumexp  # noqa: F401  (importing it registers NumPy's API)
from . import array_tracer  # noqa: F401,E402  (importing it turns array instructions on)
from . import array_linalg  # noqa: F401,E402  (np.linalg as matrix instructions)
from . import array_numpy  # noqa: F401,E402  (registers more NumPy functions on traced blocks)
from .tracer import binary, unary, where  # noqa: F401  (where is public here)


def _make(name: str, arity: int, public: str):
    if arity == 1:
        def f(x):
            return unary(name, x)
    else:
        def f(a, b):
            return binary(name, a, b)
    op = ops.OPS[name]
    f.__name__ = f.__qualname__ = public
    f.__doc__ = (f"{op.title[:1].upper() + op.title[1:]}, recorded as the ``{name}`` op "
                 f"when an argument is traced.")
    return f


_PUBLIC = {public: op.name for op in ops.TABLE for public in op.public}  # name -> op

for _public, _name in _PUBLIC.items():
    globals()[_public] = _make(_name, ops.OPS[_name].arity, _public)

__all__ = sorted(_PUBLIC) + ["where", "logsumexp"]
