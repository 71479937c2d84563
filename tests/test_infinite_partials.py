"""A zero tangent or adjoint times an infinite partial is zero (CppAD's azmul).

At x0 = 0, sqrt has an infinite derivative. A derivative that does not flow
through that sqrt (with respect to x1, or of an output that does not use it)
must come out as its closed form, not NaN, in every sweep and mode; the
entries that do flow through it are infinite, as the derivative really is.
"""
import numpy as np
import pytest

import adjit

INF = np.inf


def F(x):
    return [np.sqrt(x[0]) + x[1], 2.0 * x[1]]


X = np.array([0.0, 1.0])
J_EXACT = np.array([[INF, 1.0], [0.0, 2.0]])


@pytest.fixture(scope="module")
def tape():
    return adjit.trace(F, [1.0, 1.0])


@pytest.mark.parametrize("mode", ["forward", "reverse", "auto"])
def test_dense_jacobian(tape, mode):
    np.testing.assert_array_equal(tape.jacobian(X, mode=mode), J_EXACT)


def test_jvp_and_vjp_columns_and_rows(tape):
    for j in range(2):
        np.testing.assert_array_equal(tape.jvp(X, np.eye(2)[j])[1], J_EXACT[:, j])
        np.testing.assert_array_equal(tape.vjp(X, np.eye(2)[j])[1], J_EXACT[j])
    np.testing.assert_array_equal(tape.jvp(X, np.eye(2))[1], J_EXACT)
    np.testing.assert_array_equal(tape.vjp(X, np.eye(2))[1], J_EXACT)


def test_sparse_jacobian(tape):
    np.testing.assert_array_equal(tape.sparse_jacobian(X).toarray(), J_EXACT)


def test_second_order():
    t = adjit.trace(lambda x: np.sqrt(x[0]) + x[1] ** 2, [1.0, 1.0])
    H_EXACT = np.array([[-INF, 0.0], [0.0, 2.0]])   # sqrt'' = -x^(-3/2)/4 -> -inf at 0
    np.testing.assert_array_equal(t.hessian(X), H_EXACT)
    np.testing.assert_array_equal(t.sparse_hessian(X).toarray(), H_EXACT)
    np.testing.assert_array_equal(t.hvp(X, np.eye(2)), H_EXACT)
    np.testing.assert_array_equal(t.hvp(X, [0.0, 1.0]), H_EXACT[:, 1])
    np.testing.assert_array_equal(t.gradient(X), [INF, 2.0])


def test_zero_partial_stops_an_infinite_tangent():
    # where(x0 > 0, sqrt(x0), x1): at x0 = 0 the sqrt side is not chosen, so the
    # derivative is (0, 1) although sqrt'(0) = inf; likewise 0 * sqrt(x0) and
    # floor(sqrt(x0)) have derivative 0 there. Same in every mode.
    def g(x):
        return [adjit.where(x[0] > 0.0, np.sqrt(x[0]), x[1]),
                np.floor(np.sqrt(x[0])) + x[1], np.sqrt(np.floor(x[0] + 0.5)) + x[1]]
    t = adjit.trace(g, [1.0, 1.0], optimize=False)
    x = np.array([0.0, 1.0])
    exact = np.array([[0.0, 1.0], [0.0, 1.0], [0.0, 1.0]])
    for mode in ("forward", "reverse"):
        np.testing.assert_array_equal(t.jacobian(x, mode=mode), exact)
    np.testing.assert_array_equal(t.sparse_jacobian(x).toarray(), exact)
    for j in range(2):
        np.testing.assert_array_equal(t.jvp(x, np.eye(2)[j])[1], exact[:, j])
    for i in range(3):
        np.testing.assert_array_equal(t.vjp(x, np.eye(3)[i])[1], exact[i])


def test_gradients_by_the_recomputing_sweeps():
    # The single-point gradient and the batches recompute partials in generated
    # kernels: the same rule holds there, on the runs path and row by row.
    from support import use_runs

    def f(x):
        return adjit.where(x[0] > 0.0, np.sqrt(x[0]), x[1]) + 0.0 * np.sqrt(x[2]) + x[2]

    x = np.array([0.0, 1.0, 0.0])
    exact = np.array([0.0, 1.0, 1.0])
    t = adjit.trace(f, [1.0, 1.0, 1.0], optimize=False)
    for runs in (True, False):
        np.testing.assert_array_equal(use_runs(t, runs).gradient(x), exact)
    np.testing.assert_array_equal(t.gradient(np.tile(x, (5, 1))), np.tile(exact, (5, 1)))
    np.testing.assert_array_equal(t.jacobian(x, mode="reverse")[0], exact)


def test_njit_gradient_follows_the_same_rule():
    def f(x):
        return adjit.where(x[0] > 0.0, np.sqrt(x[0]), x[1]) + 0.0 * np.sqrt(x[2]) + x[2]

    t = adjit.trace(f, [1.0, 1.0, 1.0], optimize=False)
    fns = t.njit_functions()
    T, B = fns.tape, fns.buffers()
    g = np.empty(3)
    value, flip = fns.value_and_gradient(T, B, np.array([0.0, 1.0, 0.0]), g)
    assert flip == -1 and value == 1.0
    np.testing.assert_array_equal(g, [0.0, 1.0, 1.0])
