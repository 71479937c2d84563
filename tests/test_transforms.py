"""Function transforms trace once per input size and reuse the tape."""
import math

import numpy as np
import pytest

import adjit


def f_xy(x):
    return x[0] * x[1] + np.exp(x[0] * x[1])


def test_grad_traces_once_and_reuses(rng):
    g = adjit.grad(f_xy)
    e2 = math.exp(2.0)
    np.testing.assert_allclose(g([1.0, 2.0]), [2 + 2 * e2, 1 + e2], rtol=1e-15)
    for _ in range(5):
        x = rng.normal(size=2)
        s = x[0] * x[1]
        np.testing.assert_allclose(g(x), [(1 + math.exp(s)) * x[1], (1 + math.exp(s)) * x[0]],
                                   rtol=1e-14)
    assert g.n_traces == 1
    assert g.__name__ == "f_xy"


def test_new_input_size_traces_again():
    g = adjit.grad(lambda x: np.sum(x * x))
    np.testing.assert_allclose(g([1.0, 2.0]), [2.0, 4.0])
    np.testing.assert_allclose(g([1.0, 2.0, 3.0]), [2.0, 4.0, 6.0])
    np.testing.assert_allclose(g(np.array([5.0, 6.0])), [10.0, 12.0])
    assert g.n_traces == 2


def test_value_and_grad_and_jacobian():
    vg = adjit.value_and_grad(f_xy)
    y, g = vg([1.0, 2.0])
    assert y == pytest.approx(2 + math.exp(2.0), rel=1e-15)
    jac = adjit.jacobian(lambda x: [x[0] * x[1], x[0] + x[1], np.sin(x[0])])
    np.testing.assert_allclose(jac([2.0, 3.0]), [[3, 2], [1, 1], [math.cos(2.0), 0]],
                               rtol=1e-15)


def test_transform_errors():
    with pytest.raises(TypeError, match="callable"):
        adjit.grad(None)
    g = adjit.grad(f_xy)
    with pytest.raises(TypeError, match="functools.partial"):
        g([1.0, 2.0], 3.0)
    with pytest.raises(ValueError, match="1-D"):
        g(np.ones((2, 2)))
