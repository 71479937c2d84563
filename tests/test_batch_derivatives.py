"""Batched Jacobians and Hessian-vector products (issue 14): ``tape.jacobian(xs)``
with xs of shape (B, n) gives (B, m, n) and ``tape.hvp(xs, vs, w)`` gives (B, n),
each in blocked kernels. References: central differences of the plain NumPy
function (Jacobians) and of its analytic gradient (Hessian-vector products),
and the single-point methods, which the batched kernels must match to rounding
at every point, including where zero meets infinity (azmul)."""
import numpy as np
import pytest

import adjit
from adjit import parallel
from perf.workloads import BUNDLE_X0, bundle_scalar
from support import central_jacobian


def bundle(x):
    """perf's bundle-adjustment reprojection residual, 15 inputs -> 2 outputs,
    written with NumPy's functions (traced, and the plain reference)."""
    return bundle_scalar(x, np)


def tall(x):
    """2 inputs -> 7 outputs (m > n): a constant output and outputs that are inputs."""
    return [x[0] * x[1], np.sin(x[0]) * np.exp(x[1]), 5.0, x[1], x[0] / (1.0 + x[1] ** 2),
            np.hypot(x[0], x[1]), x[0]]


def wide(x):
    """70 inputs -> 3 outputs (n > m, more inputs than one sweep's 64 directions)."""
    s = sum(np.sin(x[i]) * x[i + 1] for i in range(69))
    return [s, x[3] * x[60] - x[69], np.tanh(sum(x[i] ** 2 for i in range(0, 70, 7)))]


def many_out(x):
    """3 inputs -> 70 outputs (m > 64: reverse mode needs two chunks of seeds)."""
    return [np.cos(k * x[0]) * x[1] + x[2] ** (1 + k % 3) for k in range(70)]


CASES = {
    "bundle": (bundle, BUNDLE_X0, 0.01),
    "tall": (tall, np.array([0.7, -0.4]), 0.5),
    "wide": (wide, np.linspace(-1.0, 1.0, 70), 0.3),
    "many_out": (many_out, np.array([0.3, 1.2, 0.8]), 0.3),
}


def _points(x0, spread, count, rng):
    return x0 + spread * np.maximum(np.abs(x0), 0.1) * rng.uniform(-1.0, 1.0,
                                                                    (count, x0.size))


def _fd(f, x):
    return central_jacobian(lambda z: np.array(f(z), dtype=float), x)


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("mode", ["forward", "reverse", "auto"])
def test_batched_jacobians_match_single_points_and_differences(name, mode, rng):
    f, x0, spread = CASES[name]
    tape = adjit.trace(f, x0)
    xs = _points(x0, spread, 37, rng)  # more than two blocks, a short last one
    jac = tape.jacobian(xs, mode=mode)
    assert jac.shape == (37, tape.n_outputs, tape.n_inputs)
    for k, x in enumerate(xs):
        np.testing.assert_allclose(jac[k], tape.jacobian(x, mode=mode), rtol=1e-13,
                                   atol=1e-13)
    for k in (0, 17, 36):
        scale = max(1.0, np.abs(jac[k]).max())
        np.testing.assert_allclose(jac[k], _fd(f, xs[k]), rtol=1e-6, atol=1e-6 * scale)


def test_forward_and_reverse_agree_at_many_points(rng):
    tape = adjit.trace(bundle, BUNDLE_X0)
    xs = _points(BUNDLE_X0, 0.02, 500, rng)
    fwd = tape.jacobian(xs, mode="forward")
    rev = tape.jacobian(xs, mode="reverse")
    np.testing.assert_allclose(fwd, rev, rtol=1e-11, atol=1e-11 * np.abs(fwd).max())


def test_constant_outputs_and_outputs_that_are_inputs(rng):
    tape = adjit.trace(tall, np.array([0.7, -0.4]))
    xs = rng.normal(size=(9, 2))
    for mode in ("forward", "reverse"):
        jac = tape.jacobian(xs, mode=mode)
        np.testing.assert_array_equal(jac[:, 2], 0.0)  # the constant 5.0
        np.testing.assert_array_equal(jac[:, 3], np.tile([0.0, 1.0], (9, 1)))  # x[1]
        np.testing.assert_array_equal(jac[:, 6], np.tile([1.0, 0.0], (9, 1)))  # x[0]


def test_one_point_and_an_empty_batch():
    tape = adjit.trace(bundle, BUNDLE_X0)
    jac = tape.jacobian(BUNDLE_X0[None, :])
    assert jac.shape == (1, 2, 15)
    np.testing.assert_array_equal(jac[0], tape.jacobian(BUNDLE_X0))
    assert tape.jacobian(np.empty((0, 15))).shape == (0, 2, 15)
    v = np.linspace(-1.0, 1.0, 15)
    w = np.array([0.5, -2.0])
    hv = tape.hvp(BUNDLE_X0[None, :], v[None, :], w)
    assert hv.shape == (1, 15)
    np.testing.assert_allclose(hv[0], tape.hvp(BUNDLE_X0, v, w), rtol=1e-13, atol=1e-13)
    assert tape.hvp(np.empty((0, 15)), np.empty((0, 15)), w).shape == (0, 15)


def test_zero_times_infinity_as_the_single_point_sweeps():
    """sqrt(x0) + x1 at x0 = 0: d/dx1 is 1 (not NaN) and d/dx0 is inf; a
    select's untaken sqrt branch passes no derivative at 0 (azmul)."""
    def f(x):
        return [np.sqrt(x[0]) + x[1], adjit.where(x[0] > 0.0, np.sqrt(x[0]), 0.0) * x[1],
                x[1] * np.sqrt(x[0]) ** 2]

    tape = adjit.trace(f, np.array([1.0, 2.0]), optimize=False)
    xs = np.array([[0.0, 2.0], [1.0, 2.0], [0.0, -3.0], [4.0, 0.0], [0.0, 0.0]])
    for mode in ("forward", "reverse"):
        jac = tape.jacobian(xs, mode=mode)
        for k, x in enumerate(xs):
            np.testing.assert_array_equal(jac[k], tape.jacobian(x, mode=mode))
        assert jac[0, 0, 1] == 1.0 and jac[0, 0, 0] == np.inf
    scalar = adjit.trace(lambda x: np.sqrt(x[0]) * x[1] + x[1] ** 3, np.array([1.0, 2.0]),
                         optimize=False)
    vs = np.array([[0.0, 1.0], [1.0, 1.0], [0.0, 1.0], [1.0, 0.0], [0.0, 1.0]])
    hv = scalar.hvp(xs, vs)
    for k in range(len(xs)):
        np.testing.assert_array_equal(hv[k], scalar.hvp(xs[k], vs[k]))


def _bundle_weighted_gradient(x, w):
    """Gradient of w · bundle(x) by central differences of the residuals."""
    return w @ _fd(bundle, x)


def test_batched_hvp_matches_single_points_and_differences_of_gradients(rng):
    tape = adjit.trace(bundle, BUNDLE_X0)
    xs = _points(BUNDLE_X0, 0.01, 41, rng)
    vs = rng.normal(size=xs.shape)
    w = np.array([0.3, -0.7])
    hv = tape.hvp(xs, vs, w)
    assert hv.shape == xs.shape
    for k in range(len(xs)):
        np.testing.assert_allclose(hv[k], tape.hvp(xs[k], vs[k], w), rtol=1e-12,
                                   atol=1e-12 * np.abs(hv[k]).max())
    # against differences of the exact gradient along v (the gradient by the vjp,
    # itself checked against differences above), at a few points
    for k in (0, 20, 40):
        x, v = xs[k], vs[k]
        eps = 1e-6
        fd = (tape.vjp(x + eps * v, w)[1] - tape.vjp(x - eps * v, w)[1]) / (2 * eps)
        np.testing.assert_allclose(hv[k], fd, rtol=1e-5, atol=1e-5 * np.abs(fd).max())
        np.testing.assert_allclose(tape.vjp(x, w)[1], _bundle_weighted_gradient(x, w),
                                   rtol=1e-6, atol=1e-6 * np.abs(hv[k]).max())


def test_batched_hvp_of_a_closed_form(rng):
    """f = Σ x_i^3 + x_0 x_1 exp(x_2): H v in closed form."""
    tape = adjit.trace(lambda x: np.sum(x ** 3) + x[0] * x[1] * np.exp(x[2]), np.ones(4))
    xs = rng.normal(size=(50, 4))
    vs = rng.normal(size=(50, 4))
    got = tape.hvp(xs, vs)
    for x, v, g in zip(xs, vs, got):
        e = np.exp(x[2])
        H = np.diag(6.0 * x)
        H[0, 1] = H[1, 0] = e
        H[0, 2] = H[2, 0] = x[1] * e
        H[1, 2] = H[2, 1] = x[0] * e
        H[2, 2] += x[0] * x[1] * e
        np.testing.assert_allclose(g, H @ v, rtol=1e-12, atol=1e-12)


def _branchy(x):
    return [x[0] * 2.0 if x[0] < 0.5 else x[0], x[1] * x[0]]


def test_a_flipped_branch_names_its_point_as_the_batched_gradient():
    tape = adjit.trace(_branchy, np.array([0.0, 1.0]))
    xs = np.column_stack([np.linspace(-1.0, 1.0, 41), np.ones(41)])  # x0 >= 0.5 flips
    first = int(np.flatnonzero(xs[:, 0] >= 0.5)[0])
    for call in (lambda: tape.jacobian(xs), lambda: tape.jacobian(xs, mode="reverse"),
                 lambda: tape.hvp(xs, np.ones_like(xs), np.array([1.0, 1.0]))):
        with pytest.raises(adjit.BranchChanged) as info:
            call()
        np.testing.assert_array_equal(info.value.x, xs[first])
        np.testing.assert_array_equal(info.value.rows, np.flatnonzero(xs[:, 0] >= 0.5))
    # the same rows the batched gradient reports
    scalar = adjit.trace(lambda x: _branchy(x)[0], np.array([0.0, 1.0]))
    with pytest.raises(adjit.BranchChanged) as grad_info:
        scalar.gradient(xs)
    np.testing.assert_array_equal(grad_info.value.rows, info.value.rows)


def test_batches_larger_than_a_thread_chunk(rng, monkeypatch):
    """Split into several calls on three threads: the same numbers as one serial
    call, and a flip reported by its row in the whole batch."""
    tape = adjit.trace(bundle, BUNDLE_X0)
    xs = _points(BUNDLE_X0, 0.01, 3001, rng)
    vs = rng.normal(size=xs.shape)
    w = np.array([1.0, 2.0])
    monkeypatch.setattr(parallel, "THREADS", 1)
    serial = (tape.jacobian(xs), tape.jacobian(xs, mode="forward"), tape.hvp(xs, vs, w))
    monkeypatch.setattr(parallel, "THREADS", 3)
    monkeypatch.setattr(parallel, "MIN_WORK", 1)
    monkeypatch.setattr(parallel, "CHUNK_WORK", 1 << 14)  # calls of a few hundred rows
    spans = parallel._chunks(tape, len(xs), 3, 5)
    assert len(spans) > 3
    threaded = (tape.jacobian(xs), tape.jacobian(xs, mode="forward"), tape.hvp(xs, vs, w))
    for a, b in zip(serial, threaded):
        np.testing.assert_array_equal(a, b)
    branchy = adjit.trace(_branchy, np.array([0.0, 1.0]))
    ys = np.column_stack([np.full(3001, -1.0), np.ones(3001)])
    ys[[2500, 2999], 0] = 0.75
    with pytest.raises(adjit.BranchChanged) as info:
        branchy.jacobian(ys)
    np.testing.assert_array_equal(info.value.rows, [2500, 2999])


def test_bad_shapes_are_clear_value_errors():
    tape = adjit.trace(bundle, BUNDLE_X0)
    xs = np.tile(BUNDLE_X0, (4, 1))
    with pytest.raises(ValueError, match=r"\(B, 15\)"):
        tape.jacobian(np.ones((4, 14)))
    with pytest.raises(ValueError, match="mode"):
        tape.jacobian(xs, mode="sideways")
    with pytest.raises(ValueError, match=r"v: expected.*\(4, 15\)"):
        tape.hvp(xs, np.ones((4, 14)), np.ones(2))
    with pytest.raises(ValueError, match=r"v: expected.*\(4, 15\)"):
        tape.hvp(xs, np.ones(15), np.ones(2))
    with pytest.raises(ValueError, match="w"):
        tape.hvp(xs, xs, np.ones(3))
    with pytest.raises(ValueError, match="weights"):
        tape.hvp(xs, xs)
    with pytest.raises(ValueError):
        tape.jacobian(np.ones((2, 4, 15)))


def test_batches_with_new_data_and_shaped_points(rng):
    """A data argument read by the batched kernels (residuals r = A @ x - b with
    A, b data: J = A and H of Σ w_i r_i² = 2 Aᵀ diag(w) A, in closed form), and
    points of shape (2, 2) in a batch (B, 2, 2)."""
    def residuals(x, A, b):
        return [np.dot(A[i], x) ** 2 - b[i] for i in range(3)]

    A0, b0 = rng.normal(size=(3, 4)), rng.normal(size=3)
    tape = adjit.trace(residuals, np.ones(4), A0, b0)
    xs = rng.normal(size=(21, 4))
    vs = rng.normal(size=(21, 4))
    w = np.array([1.0, -2.0, 0.5])
    for A in (A0, rng.normal(size=(3, 4))):
        jac = tape.jacobian(xs, A, b0)
        hv = tape.hvp(xs, vs, A, b0, w=w)
        for k, (x, v) in enumerate(zip(xs, vs)):
            np.testing.assert_allclose(jac[k], 2.0 * (A @ x)[:, None] * A, rtol=1e-12)
            np.testing.assert_allclose(hv[k], 2.0 * A.T @ (w * (A @ v)), rtol=1e-12,
                                       atol=1e-12)
    shaped = adjit.trace(lambda P: [P[0, 0] * P[1, 1], np.sin(P[0, 1]) - P[1, 0]],
                         np.ones((2, 2)))
    Ps = rng.normal(size=(5, 2, 2))
    jac = shaped.jacobian(Ps)
    for k, P in enumerate(Ps):
        np.testing.assert_allclose(jac[k].reshape(-1),
                                   np.asarray(shaped.jacobian(P)).reshape(-1), rtol=1e-14)
        np.testing.assert_allclose(
            np.asarray(shaped.jacobian(P)).reshape(2, 4),
            [[P[1, 1], 0.0, 0.0, P[0, 0]], [0.0, np.cos(P[0, 1]), -1.0, 0.0]], rtol=1e-14)
