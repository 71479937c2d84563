"""Every public math name of adjit.functions, called on a traced value, gives
NumPy's (or Python math's) value and the derivative of that reference."""
import math

import numpy as np
import pytest

import adjit
from adjit import functions

from support import central_jacobian

# arguments inside each function's domain (arccosh needs > 1)
POINT = {"arccosh": (1.6,), "acosh": (1.6,)}
NAMES = [n for n in functions.__all__ if n not in ("where", "logsumexp")]
BINARY = {n for n in NAMES if getattr(functions, n).__code__.co_argcount == 2}


def reference(name):
    """NumPy's function of that name, else the math module's."""
    return getattr(np, name, None) or getattr(math, name)


def test_the_list_is_complete():
    assert len(NAMES) >= 40 and "where" in functions.__all__
    assert {"arctan2", "hypot", "power", "fmin", "mod", "floor_divide"} <= BINARY
    for name in functions.__all__:
        assert callable(getattr(adjit, name)), name


@pytest.mark.parametrize("name", NAMES)
def test_public_name_on_traced_values(name):
    fn, ref = getattr(functions, name), reference(name)
    x = np.array(POINT.get(name, (0.6, 1.3) if name in BINARY else (0.6,)), dtype=float)

    def f(z):
        return fn(z[0], z[1]) if name in BINARY else fn(z[0])

    def f_ref(z):
        return float(ref(z[0], z[1]) if name in BINARY else ref(z[0]))

    tape = adjit.trace(f, x)
    assert tape.forward(x)[0] == pytest.approx(f_ref(x), rel=1e-15, abs=1e-300)
    for shift in (0.0, 0.05):
        z = x + shift
        assert tape.forward(z)[0] == pytest.approx(f_ref(z), rel=1e-15)
        np.testing.assert_allclose(tape.gradient(z), central_jacobian(f_ref, z)[0], rtol=1e-7,
                                   atol=1e-9)
    # and on plain numbers it is the reference itself
    assert float(f(x)) == pytest.approx(f_ref(x), rel=1e-15)


def test_where_on_traced_values():
    tape = adjit.trace(lambda z: adjit.where(z[0] > z[1], z[0] * z[1], z[1] ** 2), [2.0, 1.0])
    assert tape.forward([2.0, 1.0])[0] == 2.0
    np.testing.assert_array_equal(tape.gradient([3.0, 1.5]), [1.5, 3.0])
    np.testing.assert_array_equal(tape.forward([1.0, 3.0]), [9.0])
    np.testing.assert_array_equal(tape.gradient([1.0, 3.0]), [0.0, 6.0])


@pytest.mark.parametrize("ufunc", [np.fmin, np.fmax, np.fabs, np.float_power, np.absolute,
                                   np.power])
def test_ufunc_aliases_are_traced(ufunc):
    """Every ufunc alias records an op that computes what the ufunc computes."""
    binary = ufunc.nin == 2
    x = np.array([0.7, 1.9]) if binary else np.array([-0.7])
    tape = adjit.trace(lambda z: ufunc(z[0], z[1]) if binary else ufunc(z[0]), x)
    for z in (x, x[::-1].copy() if binary else -x, x + 0.3):
        want = ufunc(*z) if binary else ufunc(z[0])
        assert tape.forward(z)[0] == want
        np.testing.assert_allclose(tape.gradient(z), central_jacobian(
            lambda w: ufunc(*w) if binary else ufunc(w[0]), z)[0], rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("ufunc", [np.fmin, np.fmax])
def test_fmin_fmax_ignore_nan_like_numpy(ufunc):
    tape = adjit.trace(lambda z: ufunc(z[0], z[1]), [1.0, 2.0])
    for z in ([np.nan, 2.0], [1.0, np.nan]):
        assert tape.forward(z)[0] == ufunc(*z)
