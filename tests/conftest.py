"""Shared test helpers. Compiled kernels are shared by every test through
Numba's on-disk cache, so the suite pays the compile time once."""
import numpy as np
import pytest


@pytest.fixture
def rng():
    return np.random.default_rng(20261127)


def central_jacobian(f, x, h=1e-6):
    """Jacobian of a plain NumPy function by central differences (m, n)."""
    x = np.asarray(x, dtype=float)
    cols = []
    for i in range(x.size):
        step = h * max(1.0, abs(x[i]))
        xp, xm = x.copy(), x.copy()
        xp[i] += step
        xm[i] -= step
        cols.append((np.atleast_1d(f(xp)) - np.atleast_1d(f(xm))) / (2 * step))
    return np.stack(cols, axis=1)
