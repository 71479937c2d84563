"""Drivers on the Tape: the classic examples exactly, forward vs reverse by the
dot-product identity on random graphs with shared subexpressions, batches,
many directions, tape reuse, and validation of tapes."""
import math

import numpy as np
import pytest

import adjit
from adjit import ops
from adjit.errors import TapeError

from support import central_jacobian, lj_energy_and_forces


def f_sin(x):
    return x[0] - np.exp(-2.0 * np.sin(4.0 * x[0]) ** 2)


def f_xy(x):
    return x[0] * x[1] + np.exp(x[0] * x[1])


def test_classic_example_one():
    """d/dx[x − exp(−2 sin²(4x))] at π/16 is 1 + 8/e (sin(π/4)² = 1/2)."""
    x = [math.pi / 16]
    tape = adjit.trace(f_sin, x)
    y, g = tape.value_and_gradient(x)
    assert y == pytest.approx(math.pi / 16 - math.exp(-1.0), rel=1e-15)
    assert g[0] == pytest.approx(1.0 + 8.0 / math.e, rel=1e-15)
    assert tape.jvp(x, [1.0])[1][0] == pytest.approx(1.0 + 8.0 / math.e, rel=1e-15)


def test_classic_example_two():
    """∇(x·y + exp(x·y)) at (1, 2) is (2 + 2e², 1 + e²)."""
    tape = adjit.trace(f_xy, [1.0, 2.0])
    e2 = math.exp(2.0)
    np.testing.assert_allclose(tape.gradient([1.0, 2.0]), [2 + 2 * e2, 1 + e2], rtol=1e-15)
    np.testing.assert_allclose(tape.jacobian([1.0, 2.0], mode="forward"),
                               [[2 + 2 * e2, 1 + e2]], rtol=1e-15)


def random_graph(n_inputs, n_ops, n_outputs, seed):
    """A random expression graph as a Python function: each new node combines
    earlier nodes (so many nodes feed several others: adjoints must sum)."""
    rng = np.random.default_rng(seed)
    unary = [np.sin, np.cos, np.tanh, np.arctan, lambda v: v * v, lambda v: 0.5 * v,
             lambda v: np.exp(0.1 * v), lambda v: np.sqrt(1.0 + v * v)]
    binary = [lambda a, b: a + b, lambda a, b: a - b, lambda a, b: a * b,
              lambda a, b: a / (1.5 + np.cos(b)), lambda a, b: np.hypot(a, b) + 0.1,
              lambda a, b: np.maximum(a, b), lambda a, b: 2.0 - a]
    plan = []
    for k in range(n_ops):
        avail = n_inputs + k
        if rng.random() < 0.4:
            plan.append((0, int(rng.integers(len(unary))), int(rng.integers(avail)), 0))
        else:
            plan.append((1, int(rng.integers(len(binary))), int(rng.integers(avail)),
                         int(rng.integers(avail))))
    outs = rng.choice(n_inputs + n_ops, size=n_outputs, replace=False)

    def f(x):
        nodes = list(x)
        for kind, which, i, j in plan:
            nodes.append(unary[which](nodes[i]) if kind == 0
                         else binary[which](nodes[i], nodes[j]))
        return [nodes[o] for o in outs]
    return f


@pytest.mark.parametrize("seed", range(6))
def test_dot_product_identity_on_random_graphs(seed, rng):
    """wᵀ(J v) = (Jᵀ w)ᵀ v: forward and reverse mode agree on random graphs."""
    n, m = 5, 3
    f = random_graph(n, 60, m, seed)
    x = rng.normal(size=n)
    tape = adjit.trace(f, x)
    for _ in range(3):
        v, w = rng.normal(size=n), rng.normal(size=m)
        _, jv = tape.jvp(x, v)
        _, wj = tape.vjp(x, w)
        assert w @ jv == pytest.approx(wj @ v, rel=1e-12, abs=1e-12)
    jf = tape.jacobian(x, mode="forward")
    jr = tape.jacobian(x, mode="reverse")
    np.testing.assert_allclose(jf, jr, rtol=1e-12, atol=1e-12)
    ref = central_jacobian(lambda z: np.array(f(z), dtype=float), x)
    np.testing.assert_allclose(jf, ref, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("seed", range(4))
def test_gradient_recomputing_partials_equals_stored_partials(seed, rng):
    """gradient() recomputes partials in its adjoint sweep; vjp() sweeps over
    partials stored by the forward pass. On random graphs (shared nodes, every
    kind of op) the two agree bit for bit, and with central differences."""
    f = random_graph(4, 80, 1, 100 + seed)
    x = rng.normal(size=4)
    tape = adjit.trace(lambda z: f(z)[0], x)
    for _ in range(3):
        x = rng.normal(size=4)
        g = tape.gradient(x)
        np.testing.assert_array_equal(g, tape.vjp(x, [1.0])[1])
        np.testing.assert_allclose(g, central_jacobian(lambda z: f(z)[0], x)[0],
                                   rtol=1e-5, atol=1e-6)


def test_shared_subexpression_sums_adjoints():
    """y = s·s + s with s = x0·x1 feeds two ops: dy/dx0 = (2s + 1)·x1."""
    tape = adjit.trace(lambda x: (lambda s: s * s + s)(x[0] * x[1]), [1.0, 1.0])
    x0, x1 = 0.7, -1.3
    s = x0 * x1
    np.testing.assert_allclose(tape.gradient([x0, x1]), [(2 * s + 1) * x1, (2 * s + 1) * x0],
                               rtol=1e-15)


def rosenbrock(x):
    return sum(100.0 * (x[i + 1] - x[i] ** 2) ** 2 + (1.0 - x[i]) ** 2
               for i in range(len(x) - 1))


def rosenbrock_grad(x):
    g = np.zeros_like(x)
    g[:-1] += -400.0 * x[:-1] * (x[1:] - x[:-1] ** 2) - 2.0 * (1.0 - x[:-1])
    g[1:] += 200.0 * (x[1:] - x[:-1] ** 2)
    return g


def check_runs_program(tape, runs, rows, window):
    """What values_runs relies on: ``rows`` are the tape's rows reordered, each
    operand slot written before it is read; ``runs`` cut them into runs of one
    opcode each (neighbours differ), closed by the row (-1, n_ops); and no row
    leaves its window of the tape's order."""
    n_in, n = tape.n_inputs, tape.n_ops
    order = rows[:, 1] - n_in  # row i writes slot n_in + i
    np.testing.assert_array_equal(np.sort(order), np.arange(n))
    np.testing.assert_array_equal(rows, tape.instructions[order])
    written = np.zeros(tape.n_slots, bool)
    written[:n_in] = True
    for op, r, a0, a1 in rows:
        assert not ops.ARG0_IS_SLOT[op] or written[a0]
        assert not ops.ARG1_IS_SLOT[op] or written[a1]
        written[r] = True
    starts = runs[:, 1]
    assert starts[0] == 0 and starts[-1] == n and np.all(np.diff(starts) > 0)
    assert runs[-1, 0] == -1 and np.all(runs[1:-1, 0] != runs[:-2, 0])
    for j in range(len(runs) - 1):
        assert np.all(rows[starts[j]:starts[j + 1], 0] == runs[j, 0])
    np.testing.assert_array_equal(order // window, np.arange(n) // window)


@pytest.mark.parametrize("window", [1, 5, 64, None])
def test_runs_reorder_rows_validly_and_give_the_same_bits(window, rng):
    """cluster_runs on random graphs (shared nodes, all kinds of op), a
    Rosenbrock and an LJ tape, in windows of several sizes: a valid program
    whose values equal the row-by-row sweep's bit for bit."""
    from adjit import sweeps
    tapes = [adjit.trace(lambda z, k=k: random_graph(4, 150, 2, 300 + k)(z), rng.normal(size=4))
             for k in range(3)]
    tapes += [adjit.trace(rosenbrock, rng.uniform(-1, 1, 20)),
              adjit.trace(lambda z: lj_energy_and_forces(5)(z)[0], rng.uniform(0, 2, 15)),
              adjit.trace(lambda z: z[1], [1.0, 2.0])]  # no rows at all
    for tape in tapes:
        args = (tape.instructions, tape.links, tape.n_inputs)
        runs, rows = sweeps.cluster_runs(*args) if window is None else \
            sweeps.cluster_runs(*args, window=window)
        assert runs.dtype == rows.dtype == np.int32
        assert not runs.flags.writeable and not rows.flags.writeable
        check_runs_program(tape, runs, rows, window or sweeps.RUN_WINDOW)
        x = rng.uniform(0.5, 1.5, tape.n_inputs)
        by_runs, by_rows = np.zeros(tape.n_slots + 1), np.zeros(tape.n_slots + 1)
        by_runs[:tape.n_inputs] = by_rows[:tape.n_inputs] = x
        sweeps.values_runs(runs, rows, tape.constants, by_runs)
        sweeps.values(tape.dispatch, tape.instructions, tape.constants, by_rows)
        np.testing.assert_array_equal(by_runs, by_rows)
    with pytest.raises(ValueError, match="window"):
        sweeps.cluster_runs(*args, window=0)


def test_forward_and_gradient_in_runs_against_closed_forms(rng):
    """Tapes whose rows cluster into long runs (loops of sums) take the runs
    path; values and gradients match the closed forms, and the gradient the
    vjp over stored partials bit for bit. Tapes that mix opcodes at random
    keep the row-by-row dispatch."""
    from adjit import sweeps
    atoms = 6
    x = np.array([[i % 2, (i // 2) % 2, i // 4] for i in range(atoms)], float).ravel() * 1.12
    x += rng.uniform(-0.05, 0.05, x.size)
    lj = lj_energy_and_forces(atoms)  # plain Python on floats: energy and closed-form forces
    cases = [(adjit.trace(rosenbrock, np.zeros(30)), rng.uniform(-1, 1, 30), rosenbrock,
              rosenbrock_grad),
             (adjit.trace(lambda z: lj(z)[0], x), x, lambda z: lj(z)[0],
              lambda z: -np.array(lj(list(z))[1:]))]
    for tape, point, f, grad in cases:
        runs, _ = tape._runs()
        assert tape.n_ops >= sweeps.RUN_MIN_MEAN * (len(runs) - 1) > 0  # runs, and long
        y, g = tape.value_and_gradient(point)
        assert tape.forward(point)[0] == y == pytest.approx(f(list(point)), rel=1e-13)
        np.testing.assert_allclose(g, grad(point), rtol=1e-11, atol=1e-11)
        np.testing.assert_array_equal(g, tape.vjp(point, [1.0])[1])
    mixed = adjit.trace(lambda z: random_graph(4, 120, 1, 7)(z)[0], np.ones(4))
    assert len(mixed._runs()[0]) == 0 and mixed._runs()[1] is mixed.instructions
    point = rng.normal(size=4)
    np.testing.assert_array_equal(mixed.gradient(point), mixed.vjp(point, [1.0])[1])


def test_first_calls_from_many_threads_at_once(rng):
    """Threads that call a fresh tape at the same moment may each make its rows
    in runs (a cache filled on first use): every result is still right."""
    from concurrent.futures import ThreadPoolExecutor
    for _ in range(3):
        tape = adjit.trace(rosenbrock, np.zeros(200))
        points = rng.uniform(-1, 1, (16, 200))
        with ThreadPoolExecutor(4) as pool:
            grads = list(pool.map(tape.gradient, points))
            values = list(pool.map(tape.forward, points))
        for x, g, y in zip(points, grads, values):
            np.testing.assert_allclose(g, rosenbrock_grad(x), rtol=1e-12, atol=1e-12)
            assert y[0] == pytest.approx(rosenbrock(list(x)), rel=1e-13)


def test_tape_reuse_equals_fresh_trace(rng):
    """A tape traced at x0 and evaluated at x1 equals a trace made at x1."""
    x0, x1 = rng.normal(size=8), rng.normal(size=8)
    tape = adjit.trace(rosenbrock, x0)
    fresh = adjit.trace(rosenbrock, x1)
    np.testing.assert_array_equal(tape.gradient(x1), fresh.gradient(x1))
    np.testing.assert_allclose(tape.gradient(x1), rosenbrock_grad(x1), rtol=1e-13)
    assert tape.forward(x1)[0] == pytest.approx(rosenbrock(list(x1)), rel=1e-14)


def test_gradient_calls_do_not_leak_into_each_other():
    # The gradient keeps one adjoint vector per tape and thread and relies on
    # the reverse sweep leaving it zero: a non-finite call, a constant
    # instruction and an output that is an input must not disturb the next call.
    f = lambda v: [v[0] * np.log(v[1]) + 3.0 * v[2] ** 2 + 2.5]
    tape = adjit.trace(f, [1.0, 2.0, 3.0])
    ident = adjit.trace(lambda v: v[1], [1.0, 2.0])
    c, add = ops.OPCODES["const"], ops.OPCODES["add"]
    const = adjit.Tape([[c, 2, 0, 0], [add, 3, 1, 2]], [2.0], [3], 2)  # v[1] + 2.0
    exact = lambda x: np.array([np.log(x[1]), x[0] / x[1], 6.0 * x[2]])
    with np.errstate(all="ignore"):
        assert np.isnan(tape.gradient([1.0, -2.0, 3.0])).any()
    for x in ([1.0, 2.0, 3.0], [0.5, 4.0, -1.0], [2.0, 0.5, 0.25]):
        np.testing.assert_allclose(tape.gradient(x), exact(x), rtol=1e-15)
        np.testing.assert_array_equal(ident.gradient(x[:2]), [0.0, 1.0])
        np.testing.assert_array_equal(const.gradient(x[:2]), [0.0, 1.0])
        value, grad = tape.value_and_gradient(x)
        np.testing.assert_allclose(grad, exact(x), rtol=1e-15)


def test_any_point_array_reaches_the_kernels_in_the_one_compiled_type():
    # After the first call, forward and gradient call the compiled entry point
    # directly, without Numba's type dispatch: every other kind of array must
    # still arrive as float64, C-contiguous and writeable, or memory is misread.
    f = lambda v: v[0] * v[1] ** 2 + np.sin(v[2])
    tape = adjit.trace(f, [1.0, 2.0, 3.0])
    exact = lambda x: np.array([x[1] ** 2, 2 * x[0] * x[1], np.cos(x[2])])
    x = np.array([0.5, -1.5, 2.0])
    tape.gradient(x), tape.forward(x)
    readonly = x.copy()
    readonly.flags.writeable = False

    class Sub(np.ndarray):
        pass
    for point in (readonly, x.astype(">f8"), np.repeat(x, 2)[::2], x.view(Sub),
                  x.astype(np.float32).astype(np.float64), [0.5, -1.5, 2.0], (0.5, -1.5, 2)):
        np.testing.assert_allclose(tape.gradient(point), exact(x), rtol=1e-15)
        assert tape.forward(point)[0] == pytest.approx(f(x), rel=1e-15)


@pytest.mark.parametrize("npts", [1, 2, 3, 5, 8, 9, 37])
def test_batches_equal_loops(rng, npts):
    """Batched forward and gradient (blocked kernels) equal single-point calls
    and the closed form, for batches that choose different block widths and
    end in a block that is not full."""
    tape = adjit.trace(rosenbrock, np.zeros(6))
    xs = rng.normal(size=(npts, 6))
    ys = tape.forward(xs)
    gs = tape.gradient(xs)
    assert ys.shape == (npts, 1) and gs.shape == (npts, 6)
    for k in range(npts):
        np.testing.assert_array_equal(ys[k], tape.forward(xs[k]))
        np.testing.assert_array_equal(gs[k], tape.gradient(xs[k]))
        np.testing.assert_allclose(gs[k], rosenbrock_grad(xs[k]), rtol=1e-12, atol=1e-12)
    vals, grads = tape.value_and_gradient(xs)
    np.testing.assert_array_equal(vals, ys[:, 0])
    np.testing.assert_array_equal(grads, gs)


def test_many_directions_equal_single_sweeps(rng):
    f = random_graph(4, 40, 3, 11)
    x = rng.normal(size=4)
    tape = adjit.trace(f, x)
    V = rng.normal(size=(4, 5))
    W = rng.normal(size=(6, 3))
    _, JV = tape.jvp(x, V)
    _, WJ = tape.vjp(x, W)
    for k in range(5):
        np.testing.assert_allclose(JV[:, k], tape.jvp(x, V[:, k])[1], rtol=1e-14, atol=1e-15)
    for k in range(6):
        np.testing.assert_allclose(WJ[k], tape.vjp(x, W[k])[1], rtol=1e-14, atol=1e-15)


def test_jacobian_modes_and_auto_choice(rng):
    """Forward, reverse and auto give one Jacobian, for tall and wide functions
    and for more directions than one sweep chunk holds."""
    tall = adjit.trace(lambda x: [x[0] * x[1], np.sin(x[0]), x[1] ** 3, 2.0], [1.0, 1.0])
    x = np.array([0.3, -0.8])
    expected = np.array([[x[1], x[0]], [np.cos(x[0]), 0.0], [0.0, 3 * x[1] ** 2], [0.0, 0.0]])
    for mode in ("forward", "reverse", "auto"):
        np.testing.assert_allclose(tall.jacobian(x, mode=mode), expected, rtol=1e-15)
    n = 150  # more inputs than one 64-direction chunk
    wide = adjit.trace(lambda x: [np.sum(x * x), np.prod(np.cos(x[:5]))], np.ones(n))
    xw = rng.normal(size=n)
    jf = wide.jacobian(xw, mode="forward")
    np.testing.assert_allclose(jf[0], 2 * xw, rtol=1e-15)
    np.testing.assert_allclose(wide.jacobian(xw, mode="reverse"), jf, rtol=1e-13, atol=1e-15)
    with pytest.raises(ValueError, match="mode"):
        wide.jacobian(xw, mode="sideways")


def test_input_conversion_and_shape_errors():
    tape = adjit.trace(f_xy, [1.0, 2.0])
    e2 = math.exp(2.0)
    for x in ([1, 2], (1.0, 2.0), np.array([1, 2]), np.array([1.0, 2.0], dtype=np.float32)):
        np.testing.assert_allclose(tape.gradient(x), [2 + 2 * e2, 1 + e2], rtol=1e-15)
    with pytest.raises(ValueError, match=r"expected shape \(2,\), got \(3,\)"):
        tape.gradient([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=r"expected shape \(B, 2\)"):
        tape.forward(np.ones((4, 3)))
    with pytest.raises(TypeError, match="complex"):
        tape.forward([1.0 + 1j, 2.0])
    with pytest.raises(TypeError, match="real numbers"):
        tape.forward(["a", "b"])
    with pytest.raises(ValueError, match=r"v: expected shape"):
        tape.jvp([1.0, 2.0], [1.0])
    with pytest.raises(ValueError, match=r"w: expected shape"):
        tape.vjp([1.0, 2.0], [1.0, 1.0])
    vec = adjit.trace(lambda x: [x[0], x[1]], [1.0, 2.0])
    with pytest.raises(ValueError, match="one output"):
        vec.gradient([1.0, 2.0])


def test_nonfinite_values_propagate_like_numpy():
    tape = adjit.trace(lambda x: np.log(x[0]) + np.sqrt(x[1]), [1.0, 1.0])
    with np.errstate(all="ignore"):
        expected = np.log(-1.0) + np.sqrt(4.0)
    assert np.isnan(tape.forward([-1.0, 4.0])[0]) and np.isnan(expected)
    y, g = tape.value_and_gradient([0.0, 4.0])
    assert y == -np.inf and g[0] == np.inf and g[1] == 0.25


def test_tape_is_immutable_and_described():
    tape = adjit.trace(f_xy, [1.0, 2.0], optimize=False)  # as recorded: x0*x1 twice
    with pytest.raises(AttributeError):
        tape.n_inputs = 3
    with pytest.raises(ValueError):
        tape.instructions[0, 0] = 5
    assert "n_ops=4" in repr(tape)
    counts = tape.op_counts()
    assert counts == {"mul": 2, "add": 1, "exp": 1}
    assert "exp" in tape.summary()


def _arrays(tape):
    return (tape.instructions.copy(), tape.constants.copy(), tape.outputs.copy(),
            tape.n_inputs)


@pytest.mark.parametrize("corrupt, message", [
    (lambda i, c, o, n: (i.__setitem__((0, 0), 999), (i, c, o, n))[1], "unknown opcode"),
    (lambda i, c, o, n: (i.__setitem__((0, 0), -1), (i, c, o, n))[1], "unknown opcode"),
    (lambda i, c, o, n: (i.__setitem__((1, 2), 10), (i, c, o, n))[1], "arg0=10 out of range"),
    (lambda i, c, o, n: (i.__setitem__((1, 2), 3), (i, c, o, n))[1], "out of range"),  # itself
    (lambda i, c, o, n: (i.__setitem__((0, 3), -4), (i, c, o, n))[1], "arg1=-4 out of range"),
    (lambda i, c, o, n: (i.__setitem__((2, 1), 7), (i, c, o, n))[1], "writes slot 7"),
    (lambda i, c, o, n: (i, c, np.array([99]), n), "output 0: slot 99"),
    (lambda i, c, o, n: (i, c, np.array([], dtype=np.int32), n), "at least one output"),
    (lambda i, c, o, n: (i, c, o, 0), "at least one input"),
    (lambda i, c, o, n: (i[:, :3], c, o, n), "expected shape"),
    (lambda i, c, o, n: (i.astype(float) + 0.5, c, o, n), "expected integers"),
    (lambda i, c, o, n: (i, np.array(["x"]), o, n), "expected real numbers"),
])
def test_validation_rejects_corruption(corrupt, message):
    """Every index a kernel follows is checked when a Tape is built."""
    tape = adjit.trace(f_xy, [1.0, 2.0])  # mul, mul, exp, add: slots 2..5
    with pytest.raises(TapeError, match=message):
        adjit.Tape(*corrupt(*_arrays(tape)))


def test_constant_index_validated():
    tape = adjit.trace(lambda x: 3.0 * x[0] + 2.0, [1.0])
    i, c, o, n = _arrays(tape)
    assert ops.KIND[i[0, 0]] == ops.VC
    i[0, 3] = len(c)
    with pytest.raises(TapeError, match="constant index arg1"):
        adjit.Tape(i, c, o, n)


def test_no_compile_per_tape_or_input_kind(rng):
    """Every entry kernel keeps a single compiled signature whatever the tape
    and however the point is passed (list, float32, strided, read-only)."""
    from adjit import sweeps
    f = random_graph(3, 30, 2, 5)
    tapes = [adjit.trace(f, np.ones(3)), adjit.trace(rosenbrock, np.ones(3))]
    base = rng.normal(size=6)
    ro = base[:3].copy()
    ro.flags.writeable = False
    points = [list(base[:3]), base[:3].astype(np.float32), base[::2], ro]
    for tape in tapes:
        for x in points:
            tape.forward(x)
            tape.jvp(x, np.ones(3)[::1])
            tape.vjp(x, np.ones((2, tape.n_outputs))[:, ::1])
            tape.jacobian(x)
            tape.jacobian(x, mode="reverse")
            if tape.n_outputs == 1:
                tape.gradient(x)
        xs = np.asfortranarray(rng.normal(size=(5, 3)))
        tape.forward(xs)
        if tape.n_outputs == 1:
            tape.gradient(xs)
    for name in ("forward", "value_and_gradient", "jvp", "vjp", "jacobian", "batch_forward",
                 "batch_value_and_gradient"):
        assert len(getattr(sweeps, name).signatures) <= 1, name
