"""Data-dependent branches: guards, flips (single and batched), ties, source
lines, re-tracing transforms with their LRU cache, and kinks.

References are closed forms of each branch, plain Python evaluation of the
same function, and fresh traces at the new point."""
import operator

import numpy as np
import pytest

import adjit
from adjit import BranchChanged

COMPARE = {"lt": operator.lt, "le": operator.le, "gt": operator.gt, "ge": operator.ge,
           "eq": operator.eq, "ne": operator.ne}
REFLECT = {"lt": "gt", "le": "ge", "gt": "lt", "ge": "le", "eq": "eq", "ne": "ne"}
POINTS = (0.0, 1.0, 2.0)  # below, at and above the threshold 1.0


def _piecewise(cmp, form):
    """f(x) = x0**2 * x1 if cmp(...) else 3*x0 + x1, with the comparison written
    as variable-constant ("vc"), constant-variable ("cv") or variable-variable
    ("vv", threshold in x[1] == 1.0)."""
    def f(x):
        if form == "vc":
            c = cmp(x[0], 1.0)
        elif form == "cv":
            c = cmp(1.0, x[0])
        else:
            c = cmp(x[0], x[1])
        if c:
            return x[0] ** 2 * x[1]
        return 3.0 * x[0] + x[1]
    return f


def _holds(cmp, form, x0):
    return cmp(1.0, x0) if form == "cv" else cmp(x0, 1.0)


def _grad_ref(taken, x):
    return np.array([2 * x[0] * x[1], x[0] ** 2]) if taken else np.array([3.0, 1.0])


@pytest.mark.parametrize("form", ["vc", "cv", "vv"])
@pytest.mark.parametrize("name", sorted(COMPARE))
def test_flip_detected_for_each_comparison(name, form):
    cmp = COMPARE[name]
    f = _piecewise(cmp, form)
    for t0 in POINTS:
        tape = adjit.trace(f, [t0, 1.0])
        assert len(tape.guards) == 1
        recorded = _holds(cmp, form, t0)
        for e in POINTS:
            x = np.array([e, 1.0])
            if _holds(cmp, form, e) == recorded:
                np.testing.assert_allclose(tape.gradient(x), _grad_ref(recorded, x))
                np.testing.assert_allclose(tape.forward(x), [f(x)])
                continue
            with pytest.raises(BranchChanged) as info:
                tape.gradient(x)
            err = info.value
            assert err.guard == 0 and err.rows is None
            # Python reflects `1.0 < x` into `x > 1.0`
            assert err.recorded == recorded and err.op == (REFLECT[name] if form == "cv" else name)
            assert err.tie == (e == 1.0)  # on the threshold: operands equal
            assert ("tie" in str(err)) == (e == 1.0)
            np.testing.assert_array_equal(err.x, x)
            for method in ("forward", "jacobian"):
                with pytest.raises(BranchChanged):
                    getattr(tape, method)(x)
            with pytest.raises(BranchChanged):
                tape.jvp(x, [1.0, 0.0])
            with pytest.raises(BranchChanged):
                tape.vjp(x, [1.0])


@pytest.mark.parametrize("name", sorted(COMPARE))
def test_batch_reports_the_rows_that_flip(name):
    cmp = COMPARE[name]
    f = _piecewise(cmp, "vc")
    xs = np.array([[e, 1.5] for e in np.linspace(-1.0, 3.0, 41)])  # includes 1.0
    for t0 in POINTS:
        tape = adjit.trace(f, [t0, 1.5])
        recorded = cmp(t0, 1.0)
        flipped = np.flatnonzero([cmp(x[0], 1.0) != recorded for x in xs])
        same = np.setdiff1d(np.arange(len(xs)), flipped)
        for method in ("forward", "value_and_gradient"):
            if flipped.size:
                with pytest.raises(BranchChanged) as info:
                    getattr(tape, method)(xs)
                np.testing.assert_array_equal(info.value.rows, flipped)
                np.testing.assert_array_equal(info.value.x, xs[flipped[0]])
            ys, gs = tape.value_and_gradient(xs[same])
            np.testing.assert_allclose(ys, [f(x) for x in xs[same]])
            np.testing.assert_allclose(gs, [_grad_ref(recorded, x) for x in xs[same]])


def _line_of(marker):
    """Line number of the line containing ``marker`` in this file."""
    with open(__file__) as fh:
        hits = [i + 1 for i, line in enumerate(fh) if marker in line and "_line_of" not in line]
    assert len(hits) == 1, marker
    return hits[0]


def test_guard_sources_name_the_users_line():
    def f(x):
        s = x[0]
        if x[0] > 0.0 and x[1] > 0.0:  # MARK-and
            s = s * x[1]
        while s < 10.0:  # MARK-while
            s = s * 2.0
        return max(s, x[1])  # MARK-max

    x0 = np.array([1.5, 2.0])
    tape = adjit.trace(f, x0)
    # 1.5*2 = 3 -> 6 -> 12: three tests of the while condition (two true, one false)
    want = ([_line_of("MARK-" + "and")] * 2 + [_line_of("MARK-" + "while")] * 3
            + [_line_of("MARK-" + "max")])
    assert tape.guard_sources == tuple(f"{__file__}:{n}" for n in want)
    np.testing.assert_array_equal(tape.guards[:, 1], [1, 1, 1, 1, 0, 0])
    assert tape.forward(x0)[0] == f(x0)


def test_loop_count_depends_on_the_input():
    def f(x):
        s = x[0]
        while s < 10.0:
            s = s * 1.5 + x[1]
        return s

    def plain(x):  # (value, iterations) in plain floats
        s, k = x[0], 0
        while s < 10.0:
            s, k = s * 1.5 + x[1], k + 1
        return s, k

    x0 = np.array([1.0, 0.5])
    tape = adjit.trace(f, x0)
    assert len(tape.guards) == plain(x0)[1] + 1
    rng = np.random.default_rng(1)
    outcomes = set()
    for x in x0 + rng.uniform(-0.6, 0.6, size=(40, 2)):
        y, k = plain(x)
        if k == plain(x0)[1]:
            assert tape.forward(x)[0] == pytest.approx(y, rel=1e-14)
            outcomes.add("same")
        else:
            with pytest.raises(BranchChanged):
                tape.forward(x)
            outcomes.add("flip")
    assert outcomes == {"same", "flip"}


def test_flips_detected_on_the_runs_path():
    """A long loop of sums takes the value sweeps in runs (rows reordered):
    its guards are still checked after the sweep, by forward and gradient,
    and agree with the plain-Python branch and closed-form gradient."""
    n = 40

    def f(x):
        s = sum((x[i + 1] - x[i]) ** 2 for i in range(n - 1))
        return s * x[0] if x[n - 1] > 0.5 else s - x[0]

    def plain(x):  # value, gradient, branch taken
        s = float(np.sum(np.diff(x) ** 2))
        ds = np.zeros(n)
        ds[:-1] -= 2 * np.diff(x)
        ds[1:] += 2 * np.diff(x)
        if x[n - 1] > 0.5:
            g = ds * x[0]
            g[0] += s
            return s * x[0], g, True
        g = ds.copy()
        g[0] -= 1.0
        return s - x[0], g, False

    rng = np.random.default_rng(5)
    x0 = rng.uniform(0.6, 1.0, n)
    tape = adjit.trace(f, x0)
    assert len(tape._runs()[0]) > 0 and len(tape.guards) == 1
    outcomes = set()
    for x in rng.uniform(0.0, 1.0, (30, n)):
        y, g, taken = plain(x)
        if taken:
            assert tape.forward(x)[0] == pytest.approx(y, rel=1e-13)
            value, grad = tape.value_and_gradient(x)
            assert value == pytest.approx(y, rel=1e-13)
            np.testing.assert_allclose(grad, g, rtol=1e-12, atol=1e-12)
            outcomes.add("same")
        else:
            for call in (tape.forward, tape.gradient):
                with pytest.raises(BranchChanged):
                    call(x)
            outcomes.add("flip")
    assert outcomes == {"same", "flip"}


def test_truthiness_of_a_number_and_of_a_one_element_array():
    def f(x):
        s = x[0] * 0.0 + x[1]  # a traced value that is not a comparison
        if s:
            return np.sin(x[0])
        return np.cos(x[0])

    tape = adjit.trace(f, [0.3, 1.0])
    assert tape.gradient([0.5, 2.0])[0] == pytest.approx(np.cos(0.5))
    with pytest.raises(BranchChanged):
        tape.gradient([0.5, 0.0])

    def g(x):
        return x[0] * 2.0 if (x[:1] > 1.0) else x[0] * 3.0  # size-1 traced array

    tape = adjit.trace(g, [2.0, 0.0])
    assert tape.gradient([3.0, 0.0])[0] == 2.0
    with pytest.raises(BranchChanged):
        tape.gradient([0.0, 0.0])


def test_guard_values_come_from_incremental_evaluation():
    """Every instruction is evaluated once during a trace with many branches
    (never the whole recording again at each guard)."""
    from adjit import sweeps, tracer
    rows = []

    class Counting:
        def __getattr__(self, name):
            return getattr(sweeps, name)

        @staticmethod
        def values(code, instr, consts, work):
            rows.append(instr.shape[0])
            assert instr.dtype == np.int32 and not instr.flags.writeable
            assert instr.flags.c_contiguous and not consts.flags.writeable
            assert code.dtype == np.int32 and not code.flags.writeable
            return sweeps.values(code, instr, consts, work)

    def f(x):
        s = x[0]
        for i in range(300):
            s = np.sin(s) + x[1]
            if s > 0.5:
                s = s * 0.9
        return s

    mp = pytest.MonkeyPatch()
    mp.setattr(tracer, "sweeps", Counting())
    try:
        tape = adjit.trace(f, [0.3, 0.7])
    finally:
        mp.undo()
    assert len(tape.guards) == 300
    assert sum(rows) <= tape.n_ops and len(rows) == 300
    # and the recorded outcomes are those of plain Python at x0
    s, outcomes = 0.3, []
    for i in range(300):
        s = np.sin(s) + 0.7
        outcomes.append(s > 0.5)
        if s > 0.5:
            s = s * 0.9
    np.testing.assert_array_equal(tape.guards[:, 1], outcomes)
    assert tape.forward([0.3, 0.7])[0] == pytest.approx(s, rel=1e-13)


def test_where_records_no_guard():
    f = lambda x: adjit.where(x[0] < 1.0, x[0] ** 2, 3.0 * x[0])  # noqa: E731
    tape = adjit.trace(f, [0.5])
    assert len(tape.guards) == 0
    assert tape.gradient([0.5])[0] == pytest.approx(1.0)
    assert tape.gradient([2.0])[0] == pytest.approx(3.0)


# --- transforms ----------------------------------------------------------------

def _relu_sq(x):
    if x[0] > 0.0:
        return x[0] ** 2 + x[1]
    return -x[0] + 2.0 * x[1]


def _relu_sq_grad(x):
    return np.array([2 * x[0], 1.0]) if x[0] > 0 else np.array([-1.0, 2.0])


def test_grad_retraces_and_caches_both_branches():
    g = adjit.grad(_relu_sq)
    for k in range(20):
        x = np.array([(-1.0) ** k * (1.0 + 0.1 * k), 0.3])
        np.testing.assert_allclose(g(x), _relu_sq_grad(x))
    assert g.n_traces == 2
    assert len(g.tapes) == 2


def test_value_and_grad_and_jacobian_retrace():
    vg = adjit.value_and_grad(_relu_sq)
    jac = adjit.jacobian(lambda x: [_relu_sq(x), x[1] * 2.0])
    for x in ([1.0, 2.0], [-1.0, 2.0], [3.0, 1.0], [-2.0, 0.0]):
        y, gr = vg(x)
        assert y == pytest.approx(_relu_sq(np.asarray(x)))
        np.testing.assert_allclose(gr, _relu_sq_grad(x))
        np.testing.assert_allclose(jac(x), [_relu_sq_grad(x), [0.0, 2.0]])
    assert vg.n_traces == 2 and jac.n_traces == 2


def test_cache_is_bounded_and_least_recently_used():
    def f(x):  # three paths
        if x[0] < 0.0:
            return -x[0]
        if x[0] < 1.0:
            return x[0] ** 2
        return np.sqrt(x[0])

    ref = {-0.5: -1.0, 0.5: 1.0, 4.0: 0.25}
    g = adjit.grad(f, max_tapes=2)
    for x in (-0.5, 0.5, 4.0):  # 3 traces, -0.5's tape evicted
        assert g([x])[0] == pytest.approx(ref[x])
    assert g.n_traces == 3 and len(g.tapes) == 2
    assert g([4.0])[0] == pytest.approx(ref[4.0]) and g.n_traces == 3
    assert g([-0.5])[0] == pytest.approx(ref[-0.5]) and g.n_traces == 4  # was evicted
    assert g([4.0])[0] == pytest.approx(ref[4.0]) and g.n_traces == 4  # recently used
    assert g([0.5])[0] == pytest.approx(ref[0.5]) and g.n_traces == 5  # 0.5 was LRU
    g3 = adjit.grad(f, max_tapes=3)
    for k in range(12):
        x = (-0.5, 0.5, 4.0)[k % 3]
        assert g3([x])[0] == pytest.approx(ref[x])
    assert g3.n_traces == 3
    with pytest.raises(ValueError):
        adjit.grad(f, max_tapes=0)


def test_transforms_from_threads():
    from concurrent.futures import ThreadPoolExecutor
    g = adjit.grad(_relu_sq)
    xs = [np.array([(-1.0) ** k * (0.5 + 0.01 * k), 0.2]) for k in range(200)]
    with ThreadPoolExecutor(4) as pool:
        got = list(pool.map(g, xs))
    for x, gr in zip(xs, got):
        np.testing.assert_allclose(gr, _relu_sq_grad(x))
    assert len(g.tapes) == 2  # threads may both trace a path once; the cache keeps one


def test_tape_for_returns_a_tape_valid_at_x():
    g = adjit.grad(_relu_sq)
    for x in ([1.0, 0.0], [-1.0, 0.0]):
        tape = g.tape_for(x)
        fresh = adjit.trace(_relu_sq, x)
        np.testing.assert_array_equal(tape.instructions, fresh.instructions)
        np.testing.assert_array_equal(tape.guards, fresh.guards)


# --- kinks ----------------------------------------------------------------------

def test_kinks_reports_piecewise_ops_at_their_kink():
    def f(x):
        return (np.abs(x[0]) + np.maximum(x[1], 2.0) + np.floor(x[2])
                + adjit.where(x[0] < x[1], x[0], x[1]))

    tape = adjit.trace(f, [1.0, 3.0, 0.5])
    assert tape.kinks([1.0, 3.0, 0.5]) == []
    found = {k.op: k for k in tape.kinks([0.0, 2.0, 3.0])}
    assert set(found) == {"abs", "maximum", "floor"}
    assert found["abs"].operands == (0.0,)
    assert found["maximum"].operands == (2.0, 2.0)
    found = tape.kinks([2.0, 2.0, 0.5])
    assert [k.op for k in found] == ["maximum", "lt"] and found[1].guard is None


def test_kinks_name_the_guard_at_a_tie():
    tape = adjit.trace(_relu_sq, [1.0, 0.0])
    (k,) = tape.kinks([0.0, 0.0])
    assert (k.op, k.guard, k.operands) == ("gt", 0, (0.0, 0.0))
    assert k.source == tape.guard_sources[0] and k.source.startswith(__file__)


def test_no_x0_means_no_branches():
    from adjit.tracer import Recorder, traced_input
    rec = Recorder(1)
    x = traced_input(rec)
    with pytest.raises(adjit.TracingError, match="adjit.where"):
        bool(x[0] < 1.0)


@pytest.mark.parametrize("name,f,at,off", [
    ("abs", lambda x: np.abs(x[0]) * x[1], [0.0, 2.0], [0.5, 2.0]),
    ("sign", lambda x: np.sign(x[0]) + x[1], [0.0, 2.0], [-0.5, 2.0]),
    ("floor", lambda x: np.floor(x[0]) * x[1], [3.0, 2.0], [3.5, 2.0]),
    ("ceil", lambda x: np.ceil(x[0]) * x[1], [-2.0, 2.0], [-2.5, 2.0]),
    ("minimum", lambda x: np.minimum(x[0], x[1]), [1.5, 1.5], [1.0, 1.5]),
    ("maximum", lambda x: np.maximum(x[0], x[1]), [1.5, 1.5], [1.0, 1.5]),
    ("lt", lambda x: adjit.where(np.less(x[0], x[1]), x[0], x[1]), [1.0, 1.0], [1.0, 2.0]),
    ("le", lambda x: adjit.where(np.less_equal(x[0], x[1]), x[0], x[1]), [1.0, 1.0],
     [1.0, 2.0]),
    ("gt", lambda x: adjit.where(np.greater(x[0], x[1]), x[0], x[1]), [1.0, 1.0], [1.0, 2.0]),
    ("ge", lambda x: adjit.where(np.greater_equal(x[0], x[1]), x[0], x[1]), [1.0, 1.0],
     [1.0, 2.0]),
    ("eq", lambda x: adjit.where(np.equal(x[0], x[1]), x[0], x[1]), [1.0, 1.0], [1.0, 2.0]),
    ("ne", lambda x: adjit.where(np.not_equal(x[0], x[1]), x[0], x[1]), [1.0, 1.0],
     [1.0, 2.0]),
])
def test_kinks_of_every_kind(name, f, at, off):
    """Each kink kind is reported exactly at its kink (operands named), and not
    next to it."""
    tape = adjit.trace(f, off)
    assert tape.kinks(off) == []
    found = tape.kinks(at)
    assert [k.op for k in found] == [name], found
    (k,) = found
    np.testing.assert_array_equal(k.operands[0], at[0])
