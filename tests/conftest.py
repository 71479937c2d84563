"""Shared test helpers. Compiled kernels are shared by every test through
Numba's on-disk cache, so the suite pays the compile time once."""
import os

# The suite runs the compiled kernels (test_cold_start.py runs both tiers).
os.environ.setdefault("ADJIT_COLD_TIER", "0")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from support import central_jacobian  # noqa: F401 - kept importable from here


@pytest.fixture
def rng():
    return np.random.default_rng(20261127)
