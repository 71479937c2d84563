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
        g([1.0, 2.0], scale=3.0)  # keywords are not traced
    with pytest.raises(TypeError, match="argnums"):
        adjit.grad(f_xy, argnums=(0, 0.5))
    with pytest.raises(TypeError, match="names argument 1"):
        adjit.grad(f_xy, argnums=1)([1.0, 2.0])
    with pytest.raises(ValueError, match="one output"):  # a (2,)-valued f has no gradient
        g(np.ones((2, 2)))


@pytest.mark.parametrize("mode", ["auto", "forward", "reverse"])
def test_jacobian_transform_modes(mode, rng):
    """Every mode gives the closed form, for more outputs than inputs and fewer."""
    tall = adjit.jacobian(lambda x: [x[0] * x[1], np.sin(x[0]), x[1] ** 3], mode=mode)
    wide = adjit.jacobian(lambda x: [x[0] * x[1] * x[2]], mode=mode)
    for _ in range(2):
        a, b, c = rng.uniform(-2, 2, 3)
        np.testing.assert_allclose(tall([a, b]), [[b, a], [math.cos(a), 0], [0, 3 * b * b]],
                                   rtol=1e-15)
        np.testing.assert_allclose(wide([a, b, c]), [[b * c, a * c, a * b]], rtol=1e-15)
    assert tall.n_traces == wide.n_traces == 1
    bad = adjit.jacobian(lambda x: [x[0]], mode="sideways")
    with pytest.raises(ValueError, match="mode"):
        bad([1.0])


def test_hessian_transform_retraces_where_a_branch_flips():
    def f(x):
        if x[0] > 0:
            return x[0] ** 3 * x[1]
        return np.sin(x[0]) * x[1] ** 2

    h = adjit.hessian(f)
    np.testing.assert_allclose(h([2.0, 3.0]), [[36.0, 12.0], [12.0, 0.0]], rtol=1e-15)
    a, b = -0.5, 1.5
    np.testing.assert_allclose(h([a, b]), [[-math.sin(a) * b * b, 2 * b * math.cos(a)],
                                           [2 * b * math.cos(a), 2 * math.sin(a)]], rtol=1e-14)
    assert h.n_traces == 2
    # both tapes are kept: going back does not trace again
    np.testing.assert_allclose(h([1.0, 1.0]), [[6.0, 3.0], [3.0, 0.0]], rtol=1e-15)
    assert h.n_traces == 2
