"""The everyday helpers of vectorized code on traced arrays (adjit.array_numpy):
np.diff, np.linalg.norm, np.average, np.triu/np.tril, np.cross, np.kron,
np.trapezoid, np.polyval, np.dot with a scalar, and np.where with a constant
mask. Each is checked by ``check`` of test_array_reductions (values against
NumPy, every derivative path against central differences and the scalar form
of the same function) and by its tape's length, which must not grow with the
number of elements (the call did not fall back to one row per element)."""
import numpy as np
import pytest

import adjit

from test_array_reductions import check

rng = np.random.default_rng(11)
W5 = rng.uniform(0.5, 1.5, 5)
P3 = rng.uniform(0.5, 1.5, 3)
M = rng.uniform(-1.0, 1.0, (4, 4)) > 0.0
TRAPZ = getattr(np, "trapezoid", None) or np.trapz

# (id, f, shape of x): x drawn in [0.5, 1.5], away from every kink
HELPERS = [
    ("diff", lambda x: np.diff(x), (7,)),
    ("diff_n2_axis0", lambda x: np.diff(x, n=2, axis=0), (5, 3)),
    ("diff_prepend_append", lambda x: np.diff(x, prepend=0.5, append=[2.0, 3.0]), (6,)),
    ("diff_prepend_array", lambda x: np.diff(x, axis=1, prepend=np.ones((4, 1))), (4, 3)),
    ("diff_method_chain", lambda x: np.sum(np.diff(x) ** 2), (9,)),
    ("norm", lambda x: np.linalg.norm(x), (6,)),
    ("norm_fro", lambda x: np.linalg.norm(x, "fro"), (3, 4)),
    ("norm_matrix_default", lambda x: np.linalg.norm(x), (3, 4)),
    ("norm_rows", lambda x: np.linalg.norm(x, axis=1), (5, 3)),
    ("norm_rows_keepdims", lambda x: x / np.linalg.norm(x, axis=-1, keepdims=True), (5, 3)),
    ("norm_1", lambda x: np.linalg.norm(x, 1), (6,)),
    ("norm_inf", lambda x: np.linalg.norm(x - 1.0, np.inf, axis=0), (4, 3)),
    ("norm_-inf", lambda x: np.linalg.norm(x, -np.inf), (6,)),
    ("norm_p3", lambda x: np.linalg.norm(x, 3, axis=1), (4, 3)),
    ("norm_two_axes", lambda x: np.linalg.norm(x, axis=(0, 2)), (2, 3, 4)),
    ("average", lambda x: np.average(x), (3, 4)),
    ("average_weights", lambda x: np.average(x, weights=x[::-1] ** 2), (6,)),
    ("average_axis_1d_weights", lambda x: np.average(x, axis=0, weights=W5), (5, 3)),
    ("average_returned", lambda x: np.stack(np.average(x, axis=1, weights=x + 1.0,
                                                       returned=True)), (3, 4)),
    ("triu", lambda x: np.triu(x), (4, 4)),
    ("triu_k1", lambda x: np.triu(x, 1) @ x, (4, 4)),
    ("tril_k-1_stack", lambda x: np.tril(x, -1), (2, 3, 4)),
    ("where_constant_mask", lambda x: np.where(M, x, -x ** 2), (4, 4)),
    ("where_constant_scalar", lambda x: np.where(M, x, 2.0), (4, 4)),
    ("cross", lambda x: np.cross(x[:3], x[3:]), (6,)),
    ("cross_rows", lambda x: np.cross(x, x[::-1]), (5, 3)),
    ("cross_constant", lambda x: np.cross(x, P3), (4, 3)),
    ("cross_axis0", lambda x: np.cross(x, x ** 2, axis=0), (3, 4)),
    ("kron", lambda x: np.kron(x[:2], x[2:]), (5,)),
    ("kron_matrices", lambda x: np.kron(x, np.array([[1.0, 2.0], [3.0, 4.0]])), (2, 3)),
    ("trapezoid", lambda x: TRAPZ(x), (7,)),
    ("trapezoid_x", lambda x: TRAPZ(x ** 2, np.cumsum(x)), (7,)),
    ("trapezoid_axis0_dx", lambda x: TRAPZ(x, dx=0.25, axis=0), (5, 3)),
    ("polyval", lambda x: np.polyval([1.5, -2.0, 0.5, 3.0], x), (6,)),
    ("polyval_traced_coefficients", lambda x: np.polyval(x[:3], x[3:]), (7,)),
    ("dot_scalar", lambda x: np.dot(2.5, x) + np.dot(x, 0.5), (4,)),
]


@pytest.mark.parametrize("f, shape", [(f, s) for _, f, s in HELPERS],
                         ids=[k for k, _, _ in HELPERS])
def test_helpers(f, shape):
    x = np.random.default_rng(len(shape)).uniform(0.5, 1.5, shape)
    check(f, x, max_rows=24)


LENGTHS = [
    lambda x: np.sum(np.diff(x) ** 2),
    lambda x: np.sum(np.linalg.norm(x.reshape(-1, 3), axis=1)),
    lambda x: TRAPZ(x ** 2),
    lambda x: np.sum(np.cross(x.reshape(-1, 3), np.ones(3))),
    lambda x: np.average(x, weights=x),
]


@pytest.mark.parametrize("f", LENGTHS)
def test_tape_length_does_not_follow_the_elements(f):
    small = adjit.trace(f, np.linspace(0.5, 1.5, 30))
    large = adjit.trace(f, np.linspace(0.5, 1.5, 3000))
    assert large.n_ops == small.n_ops


def test_constant_mask_selects_slots_without_instructions():
    x = np.linspace(0.5, 1.5, 16).reshape(4, 4)
    assert adjit.trace(lambda v: np.triu(v), x, optimize=False).n_ops <= 1
    assert adjit.trace(lambda v: np.where(M, v, v.T), x, optimize=False).n_ops == 0


def test_norm_at_zero_has_a_zero_subgradient():
    tape = adjit.trace(lambda v: np.linalg.norm(v, axis=1), np.ones((2, 3)))
    x = np.array([[0.0, 0.0, 0.0], [3.0, 0.0, 4.0]])
    J = tape.jacobian(x)
    np.testing.assert_array_equal(J[0], 0.0)
    np.testing.assert_allclose(J[1], [0, 0, 0, 0.6, 0.0, 0.8], atol=1e-15)


@pytest.mark.parametrize("f, err, match", [
    (lambda v: np.diff(v, n=-1), ValueError, "non-negative"),
    (lambda v: np.average(v, weights=np.zeros(4)), ZeroDivisionError, "sum to zero"),
    (lambda v: np.average(v.reshape(2, 2), weights=np.ones(2)), TypeError, "Axis must"),
    (lambda v: np.average(v.reshape(2, 2), axis=0, weights=np.ones(3)), ValueError, "consistent"),
    (lambda v: np.linalg.norm(v, axis=3), np.exceptions.AxisError, "axis"),
])
def test_bad_arguments_raise_as_numpy_does(f, err, match):
    with pytest.raises(err, match=match):
        f(np.ones(4))  # NumPy's own error
    with pytest.raises(err, match=match):
        adjit.trace(f, np.ones(4))


@pytest.mark.parametrize("ord", [2, -2, "nuc"])
def test_matrix_norms_that_need_an_svd_say_so(ord):
    with pytest.raises(adjit.TracingError, match="singular value"):
        adjit.trace(lambda v: np.linalg.norm(v.reshape(2, 2), ord), np.ones(4))


@pytest.mark.parametrize("f", [
    lambda v: np.linalg.norm(v.reshape(2, 2), 1),  # a maximum of column sums
    lambda v: np.linalg.norm(v.reshape(2, 2), -np.inf),
    lambda v: np.linalg.norm(v, 0),
    lambda v: np.cross(v[:2], v[2:]),  # 2-vectors
    lambda v: np.triu(v),  # 1-D: NumPy makes a matrix
    lambda v: np.polyval(np.poly1d([1.0, 2.0]), v),
])
def test_what_the_helpers_leave_falls_back_to_scalar_rows(f):
    x = np.array([0.7, 1.3, 0.9, 1.1])
    with np.errstate(all="ignore"), __import__("warnings").catch_warnings():
        __import__("warnings").simplefilter("ignore")
        want = np.asarray(f(x), dtype=float)
        tape = adjit.trace(f, x)
        np.testing.assert_allclose(tape.forward(x), want.ravel(), rtol=1e-12)
