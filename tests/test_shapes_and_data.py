"""Shaped inputs (x of any shape, 0-d included) and data arguments (float
arrays after x, read by the tape as parameters, never differentiated): every
Tape method and transform, against central differences and closed forms at
two points or more; new data through every method without a new trace."""
import io
import pickle

import numpy as np
import pytest

import adjit
from adjit import BranchChanged
from tests.support import central_jacobian


# --- functions that run on plain arrays (the reference) and traced ones ------------

def cluster(P):
    """A pair energy of N points in 3-D, written with rows of a (N, 3) array."""
    e = 0.0
    for i in range(P.shape[0]):
        for j in range(i + 1, P.shape[0]):
            d = P[i] - P[j]
            r2 = d[0] * d[0] + d[1] * d[1] + d[2] * d[2]
            e = e + 1.0 / r2 + np.log(r2)
    return e


def field(P):
    """A (N, 3)-valued function of a (N, 3) array."""
    return np.sin(P) * P[::-1] + P[0, 0] * P


def loss(w, X, y):
    """Least squares with data X (k, p) and y (k,)."""
    e = 0.0
    for i in range(X.shape[0]):
        r = -y[i]
        for j in range(X.shape[1]):
            r = r + X[i, j] * w[j]
        e = e + r * r
    return e


def flat_of(f, shape):
    return lambda v: np.asarray(f(np.reshape(v, shape)), dtype=float).reshape(-1)


@pytest.fixture
def points():
    rng = np.random.default_rng(3)
    base = np.array([[0.0, 0.0, 0.0], [1.1, 0.1, 0.0], [0.2, 1.2, 0.1], [0.1, 0.3, 1.3]])
    return [base + 0.05 * rng.standard_normal(base.shape) for _ in range(3)]


# --- shaped inputs ------------------------------------------------------------------

def test_shaped_input_through_every_tape_method(points):
    tape = adjit.trace(cluster, points[0])
    assert tape.in_shape == (4, 3) and tape.out_shape == () and tape.n_inputs == 12
    fl = flat_of(cluster, (4, 3))
    grad_fd = lambda v: central_jacobian(fl, v)[0]  # noqa: E731
    for P in points[1:]:
        x = P.reshape(-1)
        g_ref = grad_fd(x)
        H_ref = central_jacobian(grad_fd, x, h=1e-4)
        np.testing.assert_allclose(tape.forward(P), [cluster(P)], rtol=1e-13)
        g = tape.gradient(P)
        assert g.shape == (4, 3)
        np.testing.assert_allclose(g.reshape(-1), g_ref, rtol=1e-7, atol=1e-7)
        np.testing.assert_allclose(tape.gradient(x), g.reshape(-1), rtol=1e-15)  # flat x
        y, g2 = tape.value_and_gradient(P)
        assert y == pytest.approx(cluster(P), rel=1e-13) and g2.shape == (4, 3)
        v = np.cos(np.arange(12.0)).reshape(4, 3)
        y, jv = tape.jvp(P, v)
        assert jv.shape == (1,)
        np.testing.assert_allclose(jv, [g_ref @ v.reshape(-1)], rtol=1e-7)
        _, jv2 = tape.jvp(P, np.stack([v, 2 * v], axis=-1))  # p directions, last axis
        np.testing.assert_allclose(jv2, [[g_ref @ v.reshape(-1), 2 * g_ref @ v.reshape(-1)]],
                                   rtol=1e-7)
        _, wj = tape.vjp(P, [2.0])
        assert wj.shape == (4, 3)
        np.testing.assert_allclose(wj.reshape(-1), 2 * g_ref, rtol=1e-7, atol=1e-7)
        J = tape.jacobian(P)
        assert J.shape == (1, 12)
        H = tape.hessian(P)
        assert H.shape == (12, 12)
        np.testing.assert_allclose(H, H_ref, rtol=1e-5, atol=1e-5)
        hv = tape.hvp(P, v)
        assert hv.shape == (4, 3)
        np.testing.assert_allclose(hv.reshape(-1), H @ v.reshape(-1), rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(tape.sparse_hessian(P).toarray(), H, rtol=1e-12, atol=1e-12)
        assert tape.kinks(P) == []
        rows, _ = tape.trace_table(P, v=v)
        assert rows[-1]["tangent"] == pytest.approx(g_ref @ v.reshape(-1), rel=1e-7)


def test_shaped_batches(points):
    tape = adjit.trace(cluster, points[0])
    Ps = np.stack(points)
    G = tape.gradient(Ps)
    assert G.shape == (3, 4, 3)
    for P, g in zip(points, G):
        np.testing.assert_allclose(g, tape.gradient(P), rtol=1e-15)
    np.testing.assert_allclose(tape.gradient(Ps.reshape(3, 12)), G.reshape(3, 12), rtol=1e-15)
    ys = tape.forward(Ps)
    assert ys.shape == (3, 1)
    np.testing.assert_allclose(ys[:, 0], [cluster(P) for P in points], rtol=1e-13)
    Js = tape.jacobian(Ps)
    assert Js.shape == (3, 1, 12)
    np.testing.assert_allclose(Js[:, 0], G.reshape(3, 12), rtol=1e-14)
    Vs = np.sin(np.arange(36.0)).reshape(3, 4, 3)
    HVs = tape.hvp(Ps, Vs)
    assert HVs.shape == (3, 4, 3)
    for P, V, hv in zip(points, Vs, HVs):
        np.testing.assert_allclose(hv, tape.hvp(P, V), rtol=1e-14, atol=1e-14)
    with pytest.raises(ValueError, match=r"\(4, 3\).*\(B, 4, 3\)"):
        tape.gradient(np.zeros((4, 2)))


def test_shaped_outputs_and_jacobians(points):
    tape = adjit.trace(field, points[0])
    assert tape.in_shape == (4, 3) and tape.out_shape == (4, 3)
    fl = flat_of(field, (4, 3))
    for P in points[1:]:
        x = P.reshape(-1)
        J_ref = central_jacobian(fl, x)
        np.testing.assert_allclose(tape.forward(P), field(P).reshape(-1), rtol=1e-14)
        for mode in ("forward", "reverse"):
            np.testing.assert_allclose(tape.jacobian(P, mode=mode), J_ref, rtol=1e-7, atol=1e-8)
        np.testing.assert_allclose(tape.sparse_jacobian(P).toarray(), J_ref, rtol=1e-7,
                                   atol=1e-8)
        W = np.cos(np.arange(12.0)).reshape(4, 3)
        _, wj = tape.vjp(P, W)  # w shaped like the output
        assert wj.shape == (4, 3)
        np.testing.assert_allclose(wj.reshape(-1), W.reshape(-1) @ J_ref, rtol=1e-7, atol=1e-8)
        Jt = adjit.jacobian(field)(P)
        assert Jt.shape == (4, 3, 4, 3)
        np.testing.assert_allclose(Jt.reshape(12, 12), J_ref, rtol=1e-7, atol=1e-8)
        H = tape.hessian(P, w=W.reshape(-1))
        Hf = central_jacobian(lambda v: W.reshape(-1) @ central_jacobian(fl, v, h=1e-5), x,
                              h=1e-4)
        np.testing.assert_allclose(H, Hf, rtol=1e-4, atol=1e-4)


def test_zero_dimensional_input():
    f = lambda x: x ** 3 + np.sin(x)  # noqa: E731
    tape = adjit.trace(f, 0.7)
    assert tape.in_shape == () and tape.out_shape == ()
    for x in (0.7, -1.3):
        g = tape.gradient(x)
        assert np.shape(g) == ()
        assert float(g) == pytest.approx(3 * x * x + np.cos(x), rel=1e-15)
        assert tape.hessian(x)[0, 0] == pytest.approx(6 * x - np.sin(x), rel=1e-14)
        assert float(adjit.grad(f)(x)) == pytest.approx(3 * x * x + np.cos(x), rel=1e-15)
        h = adjit.hessian(f)(x)
        assert np.shape(h) == () and float(h) == pytest.approx(6 * x - np.sin(x), rel=1e-14)
        assert np.shape(adjit.jacobian(f)(x)) == ()
    xs = np.array([0.7, -1.3, 2.0])
    np.testing.assert_allclose(tape.gradient(xs), 3 * xs ** 2 + np.cos(xs), rtol=1e-15)


def test_transform_shapes_follow_jax(points):
    P = points[1]
    fl = flat_of(cluster, (4, 3))
    g = adjit.grad(cluster)(P)
    assert g.shape == (4, 3)
    np.testing.assert_allclose(g.reshape(-1), central_jacobian(fl, P.reshape(-1))[0],
                               rtol=1e-7, atol=1e-7)
    y, g2 = adjit.value_and_grad(cluster)(P)
    assert y == pytest.approx(cluster(P)) and g2.shape == (4, 3)
    H = adjit.hessian(cluster)(P)
    assert H.shape == (4, 3, 4, 3)
    np.testing.assert_allclose(H.reshape(12, 12), adjit.trace(cluster, P).hessian(P),
                               rtol=1e-15)
    J = adjit.jacobian(lambda v: [v[0] * v[1], np.sin(v[0])])(np.array([1.0, 2.0]))
    np.testing.assert_allclose(J, [[2.0, 1.0], [np.cos(1.0), 0.0]], rtol=1e-15)


# --- data arguments ------------------------------------------------------------------

def _data(seed, k=6, p=3):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((k, p)), rng.standard_normal(k)


def test_new_data_through_every_method_without_a_trace():
    calls = []

    def counted(w, X, y):
        calls.append(1)
        return loss(w, X, y)

    X0, y0 = _data(0)
    w = np.array([0.3, -0.2, 0.5])
    tape = adjit.trace(counted, w, X0, y0)
    assert tape.arg_shapes == ((6, 3), (6,)) and len(calls) == 1
    np.testing.assert_allclose(tape.data()[0], X0)
    for seed in (1, 2):
        X, y = _data(seed)
        r = X @ w - y
        g_ref, H_ref = 2 * X.T @ r, 2 * X.T @ X
        assert tape.forward(w, X, y)[0] == pytest.approx(r @ r, rel=1e-13)
        np.testing.assert_allclose(tape.gradient(w, X, y), g_ref, rtol=1e-12)
        yv, gv = tape.value_and_gradient(w, X, y)
        assert yv == pytest.approx(r @ r, rel=1e-13)
        np.testing.assert_allclose(tape.hessian(w, X, y), H_ref, rtol=1e-12)
        np.testing.assert_allclose(tape.sparse_hessian(w, X, y).toarray(), H_ref, rtol=1e-12)
        v = np.array([1.0, 2.0, -1.0])
        np.testing.assert_allclose(tape.hvp(w, v, X, y), H_ref @ v, rtol=1e-12)
        np.testing.assert_allclose(tape.jvp(w, v, X, y)[1], [g_ref @ v], rtol=1e-12)
        np.testing.assert_allclose(tape.vjp(w, [3.0], X, y)[1], 3 * g_ref, rtol=1e-12)
        np.testing.assert_allclose(tape.jacobian(w, X, y), [g_ref], rtol=1e-12)
        np.testing.assert_allclose(tape.sparse_jacobian(w, X, y).toarray(), [g_ref],
                                   rtol=1e-12)
        W = np.stack([w, 2 * w])
        G = tape.gradient(W, X, y)
        np.testing.assert_allclose(G[1], 2 * X.T @ (X @ (2 * w) - y), rtol=1e-12)
        np.testing.assert_allclose(tape.forward(W, X, y)[:, 0],
                                   [r @ r, np.sum((X @ (2 * w) - y) ** 2)], rtol=1e-12)
        assert tape.kinks(w, X, y) == []
        rows, _ = tape.trace_table(w, v=v, args=(X, y))
        assert rows[-1]["value"] == pytest.approx(r @ r, rel=1e-13)
        # omitted trailing data keep the traced values
        np.testing.assert_allclose(tape.gradient(w, X), 2 * X.T @ (X @ w - y0), rtol=1e-12)
    np.testing.assert_allclose(tape.gradient(w), 2 * X0.T @ (X0 @ w - y0), rtol=1e-12)
    assert len(calls) == 1  # never traced again


def test_data_argument_errors():
    X0, y0 = _data(0)
    w = np.zeros(3)
    tape = adjit.trace(loss, w, X0, y0)
    with pytest.raises(ValueError, match=r"argument 1: expected data of shape \(6, 3\)"):
        tape.gradient(w, np.zeros((5, 3)), y0)
    with pytest.raises(TypeError, match="at most 2"):
        tape.gradient(w, X0, y0, y0)
    with pytest.raises(TypeError, match="real numbers"):
        tape.gradient(w, "data", y0)


def test_static_arguments_are_fixed_and_keyed():
    def f(x, n, idx):
        return sum(x[i] ** n for i in idx)

    x = np.array([1.5, -0.5, 2.0])
    idx = np.array([0, 2])
    tape = adjit.trace(f, x, 3, idx)
    assert tape.arg_shapes == (None, None)
    np.testing.assert_allclose(tape.gradient(x, 3, idx), [3 * 1.5 ** 2, 0, 3 * 4.0])
    with pytest.raises(ValueError, match="static"):
        tape.gradient(x, 4, idx)
    with pytest.raises(ValueError, match="static"):
        tape.gradient(x, 3, np.array([0, 1]))
    g = adjit.grad(f)
    np.testing.assert_allclose(g(x, 3, idx), [3 * 1.5 ** 2, 0, 3 * 4.0])
    np.testing.assert_allclose(g(x, 2, idx), [3.0, 0, 4.0])
    np.testing.assert_allclose(g(x, 2, np.array([1])), [0, -1.0, 0])
    assert g.n_traces == 3
    np.testing.assert_allclose(g(x, 3, idx), [3 * 1.5 ** 2, 0, 3 * 4.0])
    assert g.n_traces == 3  # a static value seen before reuses its tape


def test_transforms_with_data_and_argnums():
    X, y = _data(4)
    w = np.array([0.1, 0.2, -0.3])
    g = adjit.grad(loss)
    for seed in (5, 6, 7):
        X, y = _data(seed)
        np.testing.assert_allclose(g(w, X, y), 2 * X.T @ (X @ w - y), rtol=1e-12)
    assert g.n_traces == 1
    r = X @ w - y
    gw, gX, gy = adjit.grad(loss, argnums=(0, 1, 2))(w, X, y)
    np.testing.assert_allclose(gw, 2 * X.T @ r, rtol=1e-12)
    np.testing.assert_allclose(gX, 2 * np.outer(r, w), rtol=1e-12)
    np.testing.assert_allclose(gy, -2 * r, rtol=1e-12)
    np.testing.assert_allclose(adjit.grad(loss, argnums=2)(w, X, y), -2 * r, rtol=1e-12)
    (gX1,) = adjit.grad(loss, argnums=(1,))(w, X, y)
    np.testing.assert_allclose(gX1, 2 * np.outer(r, w), rtol=1e-12)
    value, (gw2, gy2) = adjit.value_and_grad(loss, argnums=(0, 2))(w, X, y)
    assert value == pytest.approx(r @ r)
    np.testing.assert_allclose(gy2, -2 * r, rtol=1e-12)
    H = adjit.hessian(loss)(w, X, y)
    np.testing.assert_allclose(H, 2 * X.T @ X, rtol=1e-12)
    Hb = adjit.hessian(loss, argnums=(0, 2))(w, X, y)
    np.testing.assert_allclose(Hb[0][0], 2 * X.T @ X, rtol=1e-12)
    np.testing.assert_allclose(Hb[0][1], -2 * X.T, rtol=1e-12)
    np.testing.assert_allclose(Hb[1][1], 2 * np.eye(6), rtol=1e-12)
    resid = lambda w, X, y: X @ w - y  # noqa: E731
    J = adjit.jacobian(resid)(w, X, y)
    np.testing.assert_allclose(J, X, rtol=1e-15)
    Jw, Jy = adjit.jacobian(resid, argnums=(0, 2))(w, X, y)
    np.testing.assert_allclose(Jy, -np.eye(6), rtol=1e-15)


def test_data_mutated_in_place_is_seen():
    """The issue's case: obs[:] = new values, then grad(loss)(theta, obs)."""
    t = np.linspace(0.0, 2.0, 7)

    def model_loss(k, obs):
        return sum((np.exp(-k[0] * t[i]) * k[1] - obs[i]) ** 2 for i in range(len(t)))

    k = np.array([0.7, 1.3])
    obs = np.exp(-0.5 * t)
    g = adjit.grad(model_loss)

    def ref(k, obs):
        e = np.exp(-k[0] * t)
        r = e * k[1] - obs
        return np.array([np.sum(2 * r * k[1] * e * -t), np.sum(2 * r * e)])

    np.testing.assert_allclose(g(k, obs), ref(k, obs), rtol=1e-12)
    obs[:] = np.exp(-1.5 * t) + 0.1
    np.testing.assert_allclose(g(k, obs), ref(k, obs), rtol=1e-12)
    assert g.n_traces == 1


def test_a_branch_on_data_flips_like_any_branch():
    def f(x, d):
        return x[0] ** 2 if d[0] > 0 else -(x[0] ** 3)

    x = np.array([2.0])
    tape = adjit.trace(f, x, np.array([1.0]))
    assert tape.gradient(x, np.array([3.0]))[0] == pytest.approx(4.0)
    with pytest.raises(BranchChanged):
        tape.gradient(x, np.array([-1.0]))
    g = adjit.grad(f)
    assert g(x, np.array([1.0]))[0] == pytest.approx(4.0)
    assert g(x, np.array([-1.0]))[0] == pytest.approx(-12.0)
    assert g(x, np.array([2.0]))[0] == pytest.approx(4.0)
    assert g.n_traces == 2


def test_data_are_never_folded_by_the_optimizer():
    def f(x, d):
        c = d[0] * d[1] + 0.0 * d[2]  # data-only arithmetic: must stay recorded
        return x[0] * c + d[2] ** 2

    x = np.array([1.5])
    d0, d1 = np.array([2.0, 3.0, 1.0]), np.array([-1.0, 0.5, 4.0])
    for tape in (adjit.trace(f, x, d0), adjit.trace(f, x, d0, optimize=False).optimized()):
        assert tape.forward(x, d1)[0] == pytest.approx(1.5 * -0.5 + 16.0)
        assert tape.gradient(x, d1)[0] == pytest.approx(-0.5)


def test_tapes_with_data_save_load_and_pickle(tmp_path):
    X, y = _data(8)
    w = np.array([0.5, 0.5, 0.5])
    P = np.arange(6.0).reshape(2, 3) / 7
    tape = adjit.trace(lambda p, X, y: loss(p.reshape(-1)[:3], X, y) + p[1, 2] ** 3, P, X, y)
    X2, y2 = _data(9)
    want = tape.gradient(P, X2, y2)
    path = tmp_path / "t.npz"
    tape.save(path)
    for other in (adjit.load(path), pickle.loads(pickle.dumps(tape))):
        assert other.in_shape == (2, 3) and other.arg_shapes == ((6, 3), (6,))
        np.testing.assert_array_equal(other.gradient(P, X2, y2), want)
        np.testing.assert_array_equal(other.gradient(P), tape.gradient(P))
    del w


def test_solvers_take_args():
    X, y = _data(10, k=8, p=3)
    res = adjit.minimize(loss, np.zeros(3), args=(X, y))
    np.testing.assert_allclose(res.x, np.linalg.lstsq(X, y, rcond=None)[0], rtol=1e-8)
    X2, y2 = _data(11, k=8, p=3)
    res2 = adjit.minimize(res.tape, np.zeros(3), args=(X2, y2), method="BFGS", tol=1e-12)
    np.testing.assert_allclose(res2.x, np.linalg.lstsq(X2, y2, rcond=None)[0], rtol=1e-6)
    A = np.array([[4.0, 1.0], [1.0, 3.0]])

    def F(u, A, b):
        return [A[0, 0] * u[0] + A[0, 1] * u[1] + u[0] ** 3 - b[0],
                A[1, 0] * u[0] + A[1, 1] * u[1] + u[1] ** 3 - b[1]]

    for b in (np.array([1.0, 2.0]), np.array([-3.0, 0.5])):
        sol = adjit.newton(F, np.zeros(2), args=(A, b))
        assert sol.success
        np.testing.assert_allclose(A @ sol.x + sol.x ** 3, b, atol=1e-10)
    # a shaped unknown: x and fun come back in their shapes
    sol = adjit.newton(lambda U: U ** 3 - np.array([[1.0, 8.0], [27.0, 64.0]]),
                       np.ones((2, 2)))
    assert sol.success and sol.x.shape == (2, 2) and sol.fun.shape == (2, 2)
    np.testing.assert_allclose(sol.x, [[1.0, 2.0], [3.0, 4.0]], rtol=1e-10)
    res = adjit.minimize(lambda P: cluster(P), np.array(
        [[0.0, 0.0, 0.0], [1.0, 0.1, 0.0], [0.1, 1.0, 0.1], [0.1, 0.2, 1.0]]), method="BFGS")
    assert res.x.shape == (4, 3)


def _quadratic(x, d):
    return sum((x[i] - d[i]) ** 2 for i in range(len(d)))


def test_transforms_pickle():
    g = adjit.grad(_quadratic)
    d = np.array([1.0, 2.0])
    np.testing.assert_allclose(g(np.zeros(2), d), [-2.0, -4.0])
    h = pickle.loads(pickle.dumps(g))
    assert h.n_traces == 0 and h.tapes == []
    np.testing.assert_allclose(h(np.zeros(2), d), [-2.0, -4.0])
    np.testing.assert_allclose(h(np.ones(2), d), [0.0, -2.0])
    assert h.n_traces == 1
    hh = pickle.loads(pickle.dumps(adjit.hessian(_quadratic, argnums=(0, 1))))
    H = hh(np.zeros(2), d)
    np.testing.assert_allclose(H[0][1], -2 * np.eye(2))


def test_old_call_forms_still_work():
    """Positional w (hvp, hessian, sparse_hessian) and mode (jacobian) on tapes
    without data arguments, and minimize(f, x0, method) as before."""
    tape = adjit.trace(lambda x: [x[0] * x[1], x[0] ** 2], [1.0, 2.0])
    x, w = np.array([1.0, 2.0]), np.array([1.0, 3.0])
    H = np.array([[6.0, 1.0], [1.0, 0.0]])
    np.testing.assert_allclose(tape.hessian(x, w), H)
    np.testing.assert_allclose(tape.hvp(x, [1.0, 0.0], w), H[:, 0])
    np.testing.assert_allclose(tape.sparse_hessian(x, w).toarray(), H)
    np.testing.assert_allclose(tape.jacobian(x, "forward"), [[2.0, 1.0], [2.0, 0.0]])
    res = adjit.minimize(lambda x: (x[0] - 1) ** 2, [0.0], "BFGS")
    assert res.x[0] == pytest.approx(1.0, abs=1e-6)


def test_file_bytes_round_trip_keeps_shapes():
    tape = adjit.trace(field, np.ones((4, 3)))
    buf = io.BytesIO()
    tape.save(buf)
    back = adjit.load(io.BytesIO(buf.getvalue()))
    assert back.in_shape == (4, 3) and back.out_shape == (4, 3)


def test_a_transform_that_keeps_retracing_says_so():
    def f(x):
        return sum(x[i] if x[i] > 0 else -x[i] for i in range(len(x)))

    g = adjit.grad(f, max_tapes=2)
    rng = np.random.default_rng(0)
    with pytest.warns(adjit.RetraceWarning, match="np.where or adjit.where"):
        for _ in range(12):
            x = rng.standard_normal(6)
            np.testing.assert_allclose(g(x), np.sign(x))


def test_njit_functions_bind_data():
    X0, y0 = _data(12)
    w = np.array([0.2, -0.1, 0.4])
    tape = adjit.trace(loss, w, X0, y0)
    X, y = _data(13)
    nf = tape.njit_functions(X, y)
    B = nf.buffers()
    g = np.empty(3)
    value, flip = nf.value_and_gradient(nf.tape, B, w, g)
    assert flip == -1
    assert value == pytest.approx(np.sum((X @ w - y) ** 2), rel=1e-13)
    np.testing.assert_allclose(g, 2 * X.T @ (X @ w - y), rtol=1e-12)
