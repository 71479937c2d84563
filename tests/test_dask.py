"""adjit.dask: tapes over dask arrays on a two-process LocalCluster.

The property throughout is agreement with one process: every block's result
equals, bit for bit, what the same tape gives for the whole batch in this
process, because each row is computed by the same kernel on the same numbers
wherever it runs. Derivatives themselves are checked against central
differences and closed forms, solves against closed-form roots.
"""
import os
import pickle
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("dask.distributed")
cloudpickle = pytest.importorskip("cloudpickle")

import dask  # noqa: E402

import adjit  # noqa: E402
import adjit.dask as ad  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def f_scalar(x):
    return (1.0 - x[0]) ** 2 + 10.0 * (x[1] - x[0] ** 2) ** 2 + np.sin(x[2]) * np.exp(x[3])


def f_vector(x):
    return [x[0] * x[1] - np.cos(x[2]), x[1] ** 3 + x[3], np.tanh(x[0] + x[3])]


def f_branch(x):
    if x[0] > 0.0:
        return x[0] * x[1] + x[2] * x[3]
    return x[0] - x[1]


def F_root(x):
    """Roots at x0 = ±sqrt(2), x1 = cbrt(x0)."""
    return [x[0] * x[0] - 2.0, x[1] * x[1] * x[1] - x[0]]


def F_guarded(x):
    """F_root, raising for a far start and re-tracing across x0 = 0."""
    if x[0] > 50.0:
        raise ValueError("start too far")
    if x[0] < 0.0:
        return [x[0] * x[0] - 2.0, x[1] * x[1] * x[1] - x[0]]
    return [2.0 - x[0] * x[0], x[1] * x[1] * x[1] - x[0]]


def rosenbrock(x):
    return (1.0 - x[0]) ** 2 + 100.0 * (x[1] - x[0] ** 2) ** 2


RNG = np.random.default_rng(17)
X = RNG.uniform(-1.0, 1.0, (1000, 4))
TAPE = adjit.trace(f_scalar, X[0])
VTAPE = adjit.trace(f_vector, X[0])


@pytest.fixture(scope="module")
def client():
    # Workers import this test module (cloudpickle sends module-level functions by
    # reference) from the same sys.path, and load adjit's kernels from its cache.
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        with distributed.Client(cluster) as c:
            yield c


def central_gradient(f, x, h=1e-6):
    g = np.empty_like(x)
    for i in range(len(x)):
        e = np.zeros_like(x)
        e[i] = h
        g[i] = (np.asarray(f(x + e)) - np.asarray(f(x - e))) / (2 * h)
    return g


# --- derivatives over a dask array --------------------------------------------------

def test_gradient_and_forward_equal_the_single_process_batch_bitwise(client):
    Xd = da.from_array(X, chunks=(96, 2))  # uneven blocks; split along the inputs too
    G = ad.gradient(TAPE, Xd)
    assert isinstance(G, da.Array) and G.shape == X.shape and G.dtype == np.float64
    assert G.chunks == (Xd.chunks[0], (4,))
    g = G.compute()
    assert np.array_equal(g, TAPE.gradient(X))
    for k in (0, 500, 999):
        np.testing.assert_allclose(g[k], central_gradient(f_scalar, X[k]), rtol=1e-6, atol=1e-7)
    y = ad.forward(VTAPE, Xd)
    assert y.shape == (1000, 3)
    ys = y.compute()
    assert np.array_equal(ys, VTAPE.forward(X))
    np.testing.assert_allclose(ys[7], f_vector(X[7]), rtol=1e-15)


def test_jacobian_and_hvp_match_each_point(client):
    Xd = da.from_array(X[:200], chunks=64)
    J = ad.jacobian(VTAPE, Xd)
    assert J.shape == (200, 3, 4) and J.chunks[0] == Xd.chunks[0]
    j = J.compute()
    assert np.array_equal(j, np.stack([VTAPE.jacobian(x) for x in X[:200]]))
    for k in (3, 150):
        rows = [central_gradient(lambda x, i=i: f_vector(x)[i], X[k]) for i in range(3)]
        np.testing.assert_allclose(j[k], np.stack(rows), rtol=1e-6, atol=1e-7)
    V = RNG.normal(size=(200, 4))
    H = ad.hvp(TAPE, Xd, da.from_array(V, chunks=50)).compute()  # V chunked unlike X
    assert np.array_equal(H, np.stack([TAPE.hvp(x, v) for x, v in zip(X[:200], V)]))
    for k in (0, 199):  # H v by central differences of the tape's gradient
        h = 1e-5
        ref = (TAPE.gradient(X[k] + h * V[k]) - TAPE.gradient(X[k] - h * V[k])) / (2 * h)
        np.testing.assert_allclose(H[k], ref, rtol=1e-6, atol=1e-6)
    w = np.array([0.5, -1.0, 2.0])
    Hw = ad.hvp(VTAPE, Xd, da.from_array(V, chunks=64), w=w).compute()
    assert np.array_equal(Hw[5], VTAPE.hvp(X[5], V[5], w))


def pair_energy(p):
    d = p[0] - p[1]
    return (d * d).sum() + (p[2] * p[0]).sum() ** 2


def test_shaped_points_give_the_shapes_of_the_single_process_batch(client):
    x0 = RNG.uniform(size=(3, 3))
    tape = adjit.trace(pair_energy, x0)
    P = RNG.uniform(size=(50, 3, 3))
    V = RNG.uniform(size=(50, 9))  # flat directions for shaped points
    Pd = da.from_array(P, chunks=(16, 2, 3))
    G = ad.gradient(tape, Pd)
    assert G.shape == (50, 3, 3) and np.array_equal(G.compute(), tape.gradient(P))
    np.testing.assert_allclose(G[7].compute().ravel(),
                               central_gradient(lambda x: pair_energy(x.reshape(3, 3)),
                                                P[7].ravel()), rtol=1e-6, atol=1e-7)
    assert np.array_equal(ad.forward(tape, Pd).compute(), tape.forward(P))
    assert np.array_equal(ad.jacobian(tape, Pd).compute(), tape.jacobian(P))
    assert np.array_equal(ad.hvp(tape, Pd, V).compute(), tape.hvp(P, V.reshape(P.shape)))


def test_without_a_client_the_tape_is_one_object_in_the_graph():
    """No distributed client: the threaded scheduler, the tape stored once in the
    graph however many blocks there are."""
    from perf.workloads import make
    w = make("lj", 12)
    big = adjit.trace(w.f, w.x0)
    Xs = w.x0 + np.random.default_rng(1).uniform(-0.02, 0.02, (64, w.x0.size))
    Xd = da.from_array(Xs, chunks=4)
    small = adjit.trace(lambda x: x[0] * x[1], w.x0)

    def graph_bytes(tape):
        with dask.config.set(scheduler="threads"):  # the module's client is not used
            G = ad.gradient(tape, Xd)  # 16 blocks
        return len(cloudpickle.dumps(dict(G.__dask_graph__()))), G

    (with_big, G), (with_small, _) = graph_bytes(big), graph_bytes(small)
    tape_bytes = len(pickle.dumps(big)) - len(pickle.dumps(small))
    assert tape_bytes > 5000 and with_big - with_small < 1.5 * tape_bytes
    with dask.config.set(scheduler="threads"):
        assert np.array_equal(G.compute(), big.gradient(Xs))


def test_with_a_client_the_tape_is_scattered_not_in_the_graph(client):
    G = ad.gradient(TAPE, da.from_array(X, chunks=100))
    graph = cloudpickle.dumps(dict(G.__dask_graph__()))
    assert pickle.dumps(TAPE) not in graph
    def scattered():  # string keys but the computations' final ones (still releasing)
        return {k for k in client.who_has()
                if isinstance(k, str) and not k.startswith("finalize-")}
    before = scattered()
    assert before  # the tape, on the workers
    G2 = ad.gradient(TAPE, da.from_array(X, chunks=250))
    assert np.array_equal(G2.compute(), G.compute())
    assert scattered() == before  # the second call scattered nothing new


def test_input_errors(client):
    with pytest.raises(ValueError, match=r"shape \(B, 4\)"):
        ad.gradient(TAPE, da.zeros((10, 3)))
    with pytest.raises(ValueError, match="one output"):
        ad.gradient(VTAPE, da.zeros((10, 4)))
    with pytest.raises(TypeError, match="complex"):
        ad.gradient(TAPE, da.zeros((10, 4), dtype=complex))
    with pytest.raises(TypeError, match="adjit.Tape"):
        ad.forward(f_scalar, da.zeros((10, 4)))
    with pytest.raises(ValueError, match="rows"):
        ad.hvp(TAPE, da.zeros((10, 4)), da.zeros((9, 4)))
    with pytest.raises(ValueError, match="w is required"):
        ad.hvp(VTAPE, da.zeros((10, 4)), da.zeros((10, 4)))
    # integers convert; a NumPy array is accepted as one block
    assert np.array_equal(ad.gradient(TAPE, np.ones((3, 4), dtype=int)).compute(),
                          TAPE.gradient(np.ones((3, 4))))


# --- branches -----------------------------------------------------------------------

def test_a_flipped_branch_raises_as_in_one_process(client):
    """A tape cannot re-trace (it has no function): the batch raises BranchChanged,
    rows numbered in the whole batch, as tape.gradient(X) does here."""
    Xs = np.abs(X[:400])
    Xs[[130, 170, 171], 0] *= -1.0  # all in the second block of 100
    tape = adjit.trace(f_branch, Xs[0])
    with pytest.raises(adjit.BranchChanged) as here:
        tape.gradient(Xs)
    with pytest.raises(adjit.BranchChanged) as there:
        ad.gradient(tape, da.from_array(Xs, chunks=100)).compute()
    for a, b in ((here.value, there.value),):
        assert (a.guard, a.source) == (b.guard, b.source)
        assert np.array_equal(a.rows, b.rows) and np.array_equal(a.x, b.x)
    assert list(there.value.rows) == [130, 170, 171]
    with pytest.raises(adjit.BranchChanged) as jac_here:
        tape.jacobian(Xs)
    with pytest.raises(adjit.BranchChanged) as jac:
        ad.jacobian(tape, da.from_array(Xs, chunks=100)).compute()
    assert np.array_equal(jac.value.x, jac_here.value.x) and jac.value.guard == a.guard
    # batch Jacobians in one process name the point; the rows are found for it here
    assert jac.value.rows[0] == 130


# --- many solves --------------------------------------------------------------------

def test_solve_many_newton_rows_report_their_own_status(client):
    starts = np.abs(RNG.normal(size=(30, 2))) + 0.5
    starts[4] = [0.0, 0.0]        # singular Jacobian at the start
    starts[11] = [np.nan, 1.0]    # non-finite residual
    starts[20] = [-3.0, -1.0]     # the other root
    sols = ad.solve_many(F_root, da.from_array(starts, chunks=8), tol=1e-12)
    x, ok, status, nit, msg = dask.compute(*sols)
    assert x.shape == (30, 2) and ok.dtype == bool and msg.dtype == object
    good = np.setdiff1d(np.arange(30), [4, 11])
    assert ok[good].all() and (status[good] == 0).all() and (nit[good] > 0).all()
    root = np.sign(starts[good, :1]) * np.sqrt(2.0)
    np.testing.assert_allclose(x[good], np.hstack([root, np.cbrt(root)]), rtol=1e-12)
    assert (ok[4], status[4]) == (False, adjit.solvers.SINGULAR) and "singular" in msg[4]
    assert (ok[11], status[11]) == (False, adjit.solvers.NONFINITE)
    for k in good:  # the same numbers as adjit.newton in this process
        ref = adjit.newton(F_root, starts[k], tol=1e-12)
        assert np.array_equal(x[k], ref.x) and nit[k] == ref.nit


def test_solve_many_retraces_flipped_branches_and_keeps_the_rest(client):
    starts = np.array([[1.0, 1.0], [-1.5, -1.0], [2.0, 1.0], [80.0, 1.0], [-0.7, -0.5],
                       [1.2, 0.9]])
    sols = ad.solve_many(F_guarded, da.from_array(starts, chunks=3), maxiter=3)
    x, ok, status, nit, msg = dask.compute(*sols)
    assert (status[3], ok[3]) == (ad.EXCEPTION, False) and msg[3] == "ValueError: start too far"
    assert np.isnan(x[3]).all()
    for k in (0, 1, 2, 4, 5):
        ref = adjit.newton(F_guarded, starts[k], maxiter=3)
        assert np.array_equal(x[k], ref.x, equal_nan=True)
        assert (ok[k], status[k], nit[k], msg[k]) == (ref.success, ref.status, ref.nit,
                                                      ref.message)
    assert not ok.all() and (status[[0, 1, 2, 4, 5]] >= 0).all()


TRACES = []


def F_data(x, a, b):
    """Root x0 = sqrt(a), x1 = cbrt(x0) + b for a > 0 (and a start with x0 > 0)."""
    TRACES.append(1)
    return [x[0] * x[0] - a, (x[1] - b) ** 3 - x[0]]


def test_solve_many_passes_each_rows_data_and_traces_once_per_block():
    a = np.linspace(0.5, 9.0, 24)
    b = np.linspace(-1.0, 1.0, 24)
    starts = np.column_stack([np.sqrt(a) + 0.3, b + 0.5])
    TRACES.clear()
    with dask.config.set(scheduler="synchronous"):  # in this process: traces counted
        sols = ad.solve_many(F_data, da.from_array(starts, chunks=8),
                             args=(a, da.from_array(b, chunks=5)), tol=1e-13)
        x, ok, status, nit, msg = dask.compute(*sols)
    assert ok.all(), msg
    np.testing.assert_allclose(x[:, 0], np.sqrt(a), rtol=1e-13)
    np.testing.assert_allclose(x[:, 1], np.cbrt(np.sqrt(a)) + b, rtol=1e-12, atol=1e-13)
    assert len(TRACES) == 3  # one trace per block of 8 rows, not one per row
    for k in (0, 13):
        ref = adjit.newton(F_data, starts[k], args=(a[k], b[k]), tol=1e-13)
        assert np.array_equal(x[k], ref.x)
    with pytest.raises(ValueError, match="24 rows"):
        ad.solve_many(F_data, starts, args=(a[:5], b))
    with pytest.raises(TypeError, match="per-row arrays"):
        ad.solve_many(F_data, starts, args=[a, b])


def test_solve_many_minimize(client):
    starts = RNG.uniform(-1.5, 1.5, (12, 2))
    sols = ad.solve_many(rosenbrock, da.from_array(starts, chunks=5), method="minimize",
                         algorithm="BFGS", options={"gtol": 1e-10})
    x, ok, status, nit, msg = dask.compute(*sols)
    np.testing.assert_allclose(x[ok], 1.0, atol=1e-6)
    assert ok.sum() >= 10
    with pytest.raises(ValueError, match="'newton' or 'minimize'"):
        ad.solve_many(rosenbrock, starts, method="bfgs")


# --- processes ----------------------------------------------------------------------

def _slow_copy(block):
    time.sleep(0.15)
    return block.copy()


def test_a_killed_worker_is_retried_and_the_result_is_complete(client):
    Xs = RNG.uniform(-1.0, 1.0, (2400, 4))
    slow = da.from_array(Xs, chunks=100).map_blocks(_slow_copy, dtype=np.float64)
    future = client.compute(ad.gradient(TAPE, slow))
    pids = client.run(os.getpid)
    deadline = time.monotonic() + 30
    while (not any(client.processing().values())) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)  # some blocks done, others running
    assert not future.done()
    victim = sorted(pids)[0]
    os.kill(pids[victim], signal.SIGKILL)
    g = future.result(timeout=120)
    assert np.array_equal(g, TAPE.gradient(Xs))
    assert victim not in client.run(os.getpid) or client.run(os.getpid)[victim] != pids[victim]


# --- packaging ----------------------------------------------------------------------

def _python(code):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=env, timeout=120)


def test_import_adjit_does_not_import_dask():
    run = _python("import sys, adjit; adjit.trace(lambda x: x[0] * x[1], [1.0, 2.0]); "
                  "assert 'dask' not in sys.modules, 'dask imported'")
    assert run.returncode == 0, run.stderr


def test_without_dask_the_import_error_says_how_to_install():
    run = _python("import sys; sys.modules['dask'] = None\n"
                  "try:\n import adjit.dask\nexcept ImportError as e:\n print(e)")
    assert run.returncode == 0, run.stderr
    assert 'pip install "adjit[dask]"' in run.stdout
