"""Shared test helpers. Compiled kernels are shared by every test through
Numba's on-disk cache, so the suite pays the compile time once."""
import numpy as np
import pytest

from support import central_jacobian  # noqa: F401 - kept importable from here


@pytest.fixture
def rng():
    return np.random.default_rng(20261127)
