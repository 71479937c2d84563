"""Recording: what a traced function may do, and the errors for what would
silently lose derivatives."""
import math

import numpy as np
import pytest

import adjit
from adjit import ops
from adjit.errors import TracingError


def grad_at(f, x):
    x = np.asarray(x, dtype=float)
    return adjit.trace(f, x).gradient(x)


def test_indexing_slicing_iteration_unpacking(rng):
    x = rng.normal(size=5)

    def f(v):
        a, b, *rest = v  # unpacking
        total = 0.0
        for t in v[1:-1]:  # slicing, iteration
            total = total + t * t
        return a * b + v[-1] * len(v) + total + rest[0]

    g = grad_at(f, x)
    expected = np.array([x[1], x[0] + 2 * x[1], 2 * x[2] + 1.0, 2 * x[3], 5.0])
    np.testing.assert_allclose(g, expected, rtol=1e-15)


def test_numpy_functions_on_traced_arrays(rng):
    x = rng.uniform(0.5, 1.5, size=6)
    w = rng.normal(size=6)
    cases = [
        (lambda v: np.sum(v * v), 2 * x),
        (lambda v: np.dot(v, w), w),
        (lambda v: v @ w, w),
        (lambda v: np.prod(v), np.prod(x) / x),
        (lambda v: np.sum(np.exp(v)), np.exp(x)),
        (lambda v: np.sum(np.minimum(v, 1.0)), (x < 1.0).astype(float)),
        (lambda v: np.max(v), (x == x.max()).astype(float)),
        (lambda v: np.mean(np.sin(v)), np.cos(x) / 6),
        (lambda v: np.sum(v[1:] * v[:-1]), np.r_[x[1], x[2:] + x[:-2], x[-2]]),
        (lambda v: np.linalg.norm(v), x / np.linalg.norm(x)),
        (lambda v: np.sum(np.arctan2(v, 2.0)), 2.0 / (x * x + 4.0)),
    ]
    for f, expected in cases:
        np.testing.assert_allclose(grad_at(f, x), expected, rtol=1e-13)


def test_traced_scalar_beside_a_plain_array(rng):
    # A traced scalar meeting a float array (or a traced array) in a ufunc once
    # recursed forever: the elementwise loop dispatched back to the tracer.
    x = rng.uniform(0.5, 1.5, size=3)
    c = np.array([1.0, 2.0, 3.0])
    f = lambda v: (np.sum(np.sin(v) * v[0]) + np.sum(c * v[1]) + np.sum(v[2] - c)
                   + np.sum(np.maximum(c, v[2])) + np.sum(np.arctan2(v[0], c)))
    a, b, d = x
    expected = [np.sum(np.sin(x)) + a * np.cos(a) + np.sum(c / (a * a + c * c)),
                a * np.cos(b) + c.sum(),
                a * np.cos(d) + 3.0 + np.sum(d > c)]
    np.testing.assert_allclose(grad_at(f, x), expected, rtol=1e-13)


def test_operators_and_powers():
    x = np.array([1.7, 0.6])
    f = lambda v: (v[0] ** 3 + v[0] ** 2.5 + v[0] ** v[1] + 2.0 ** v[1] + 1 / v[0] - v[1] / 3
                   + abs(-v[0]) + (-v[1]) ** 2 + v[0] ** -1 + v[0] ** 1 + v[0] ** 2)
    a, b = x
    expected = [3 * a**2 + 2.5 * a**1.5 + b * a ** (b - 1) - 1 / a**2 + 1 - 1 / a**2 + 1 + 2 * a,
                a**b * math.log(a) + 2.0**b * math.log(2.0) - 1 / 3 + 2 * b]
    np.testing.assert_allclose(grad_at(f, x), expected, rtol=1e-14)
    assert adjit.trace(f, x).forward(x)[0] == pytest.approx(f(x), rel=1e-15)


def test_python_math_aliases_and_adjit_functions(rng):
    x = rng.uniform(0.2, 0.8, size=2)
    pairs = [("asin", "arcsin"), ("acos", "arccos"), ("atan", "arctan"), ("asinh", "arcsinh"),
             ("atanh", "arctanh")]
    for alias, name in pairs:
        g1 = grad_at(lambda v: getattr(adjit, alias)(v[0]), x)
        g2 = grad_at(lambda v: getattr(np, name)(v[0]), x)
        np.testing.assert_array_equal(g1, g2)
    g = grad_at(lambda v: adjit.atan2(v[0], v[1]) + adjit.pow(v[0], v[1]), x)
    a, b = x
    np.testing.assert_allclose(g, [b / (a * a + b * b) + b * a ** (b - 1),
                                   -a / (a * a + b * b) + a**b * math.log(a)], rtol=1e-14)
    np.testing.assert_allclose(grad_at(lambda v: adjit.acosh(v[0] + 1.0), x)[0],
                               1 / math.sqrt((a + 1) ** 2 - 1), rtol=1e-14)


def test_adjit_functions_on_plain_numbers_and_arrays():
    assert adjit.sin(0.5) == pytest.approx(math.sin(0.5), rel=1e-16)
    assert adjit.erf(0.3) == pytest.approx(math.erf(0.3), rel=1e-16)
    out = adjit.exp(np.array([0.0, 1.0]))
    assert out.dtype == np.float64
    np.testing.assert_allclose(out, [1.0, math.e], rtol=1e-16)
    np.testing.assert_allclose(adjit.hypot(np.array([3.0]), 4.0), [5.0])


def test_constants_do_not_take_variable_slots():
    """Numbers mixed with tracers become constant operands (vc/cv variants).
    (Recorded as is: the optimizer would make 1/x a reciprocal and x/4 x*0.25.)"""
    tape = adjit.trace(lambda v: 2.0 * v[0] + 3.0 - 1.0 / v[0] + v[0] / 4.0, [1.0],
                       optimize=False)
    kinds = {ops.KIND_NAMES[ops.KIND[c]] for c in tape.opcode}
    assert kinds <= {"vc", "cv", "vv"}
    assert "const" not in kinds
    assert len(tape.constants) == 4  # 2, 3, 1, 4 (pooled)
    folded = adjit.trace(lambda v: v[0] * (2.0 * 3.0 + math.pi), [1.0])
    assert folded.n_ops == 1


def test_outputs_may_mix_constants_and_repeat():
    tape = adjit.trace(lambda v: [v[0], 2.0, v[0] * v[1], v[0]], [1.0, 2.0])
    x = np.array([3.0, 5.0])
    np.testing.assert_array_equal(tape.forward(x), [3.0, 2.0, 15.0, 3.0])
    np.testing.assert_array_equal(tape.jacobian(x),
                                  [[1, 0], [0, 0], [5.0, 3.0], [1, 0]])
    arr_out = adjit.trace(lambda v: np.sin(v), [0.0, 1.0])
    assert arr_out.n_outputs == 2


@pytest.mark.parametrize("f, message", [
    (lambda v: float(v[0]), "float()"),
    (lambda v: math.exp(v[0]), "np.exp"),
    (lambda v: int(v[0]), "int()"),
    (lambda v: [1.0, 2.0][v[0]], "index"),
    (lambda v: None, "returned None"),
    (lambda v: [], "empty"),
    (lambda v: 3.0, "no traced value"),
    (lambda v: "x", "returned a str"),
    (lambda v: [v[0], [v[1], v[0]]], "type list"),
    (lambda v: v[0] * 1j, "complex"),
    (lambda v: round(v[0]), "round()"),
])
def test_tracing_errors_say_what_to_do(f, message):
    with pytest.raises(TracingError, match=message if message != "float()" else r"float\(\)"):
        adjit.trace(f, [1.0, 2.0])


def test_comparisons_record_traced_conditions():
    def f(v):
        c = v[0] < v[1]
        assert isinstance(c, adjit.tracer.Tracer)
        return adjit.where(c, v[0] * v[0], v[1])

    tape = adjit.trace(f, [1.0, 2.0])
    np.testing.assert_array_equal(tape.gradient([1.0, 2.0]), [2.0, 0.0])
    np.testing.assert_array_equal(tape.gradient([3.0, 2.0]), [0.0, 1.0])
    np.testing.assert_array_equal(tape.forward([3.0, 2.0]), [2.0])


def test_where_on_arrays_and_side_not_taken_is_exact():
    def f(v):
        safe = adjit.where(v > 0.0, v, 1.0)
        return np.sum(adjit.where(v > 0.0, np.log(safe), 0.0))

    tape = adjit.trace(f, [1.0, 2.0, 3.0])
    x = np.array([-1.0, 2.0, 0.5])
    assert tape.forward(x)[0] == pytest.approx(math.log(2.0) + math.log(0.5), rel=1e-15)
    np.testing.assert_array_equal(tape.gradient(x), [0.0, 0.5, 2.0])


def test_trace_argument_errors():
    with pytest.raises(TypeError, match="callable"):
        adjit.trace(3.0, [1.0])
    with pytest.raises(ValueError, match="at least one input"):
        adjit.trace(lambda v: v, [])
    with pytest.raises(ValueError, match="at least one input"):
        adjit.trace(lambda v: v, np.ones((2, 0)))
    with pytest.raises(TypeError, match="complex"):
        adjit.trace(lambda v: v[0], [1j])


def test_tracers_from_two_traces_do_not_mix():
    saved = []
    adjit.trace(lambda v: saved.append(v[0]) or v[0], [1.0])
    with pytest.raises(TracingError, match="different traces"):
        adjit.trace(lambda v: v[0] + saved[0], [1.0])


# --- np.clip, np.argmax, size limit and progress ------------------------------------

def test_clip_records_minimum_and_maximum_without_branches():
    lo, hi = -0.5, 1.0

    def f(x):
        return np.clip(x * 2.0, lo, hi)

    tape = adjit.trace(f, [3.0, 4.0, -2.0])  # every element clipped when traced
    assert len(tape.guards) == 0
    assert set(tape.op_counts()) <= {"mul_vc", "maximum_vc", "minimum_vc"}
    rng = np.random.default_rng(5)
    for x in rng.uniform(-2.0, 2.0, (5, 3)):
        y = 2.0 * x
        np.testing.assert_array_equal(tape.forward(x), np.minimum(np.maximum(y, lo), hi))
        inside = (y > lo) & (y < hi)
        np.testing.assert_array_equal(tape.jacobian(x), np.diag(np.where(inside, 2.0, 0.0)))
    # one bound, array bounds, a traced scalar, lo > hi (NumPy gives hi)
    x = np.array([0.2, -3.0, 5.0])
    t = adjit.trace(lambda v: np.clip(v, None, 1.0), x)
    np.testing.assert_array_equal(t.forward(x), [0.2, -3.0, 1.0])
    t = adjit.trace(lambda v: np.clip(v, [0.0, -1.0, 0.0], [1.0, 0.0, 4.0]), x)
    np.testing.assert_array_equal(t.forward(x), [0.2, -1.0, 4.0])
    t = adjit.trace(lambda v: np.clip(v[0] * v[1], -0.1, 0.1) + v[2], x)
    np.testing.assert_array_equal(t.forward(x), [-0.1 + 5.0])
    np.testing.assert_array_equal(t.gradient([0.1, 0.5, 1.0]), [0.5, 0.1, 1.0])
    t = adjit.trace(lambda v: np.clip(v, 2.0, 1.0), x)
    np.testing.assert_array_equal(t.forward(x), [1.0, 1.0, 1.0])


@pytest.mark.parametrize("which", ["argmax", "argmin"])
def test_argmax_and_argmin_follow_numpy_with_nan_and_guard_the_choice(which):
    def f(x):
        return x[int(getattr(np, which)(x))] * 3.0

    rng = np.random.default_rng(11)
    x0 = np.array([0.3, 2.0, -1.0, 2.0, 0.5])
    tape = adjit.trace(f, x0)
    points = list(rng.normal(size=(30, 5)))
    points += [x0, [0.3, np.nan, 5.0, np.nan, 1.0], [np.nan] * 5, [1.0, 2.0, 2.0, 2.0, np.nan]]
    checked = flipped = 0
    for p in map(np.asarray, points):
        want = 3.0 * p[getattr(np, which)(p)]  # NumPy's choice: first NaN, first extreme
        try:
            got = tape.forward(p)[0]
        except adjit.BranchChanged:
            flipped += 1
            got = adjit.trace(f, p).forward(p)[0]  # traced there, it is right there
        np.testing.assert_array_equal(got, want)
        checked += 1
    assert checked == len(points) and 0 < flipped < checked
    # traced at a point with NaN: the first NaN, as NumPy
    p = np.array([1.0, np.nan, 7.0, np.nan])
    t = adjit.trace(lambda x: getattr(np, which)(x) * 1.0 + x[0], p)
    np.testing.assert_array_equal(t.forward(p), [1.0 + 1.0])
    with pytest.raises(adjit.BranchChanged):
        t.forward([1.0, 0.0, 7.0, np.nan])
    # along an axis, row by row
    q = np.array([[1.0, 5.0, 2.0], [np.nan, 0.0, 9.0]])
    t = adjit.trace(lambda x: getattr(np, which)(x.reshape(2, 3), axis=1) * 1.0 + x[0], q.ravel())
    np.testing.assert_array_equal(t.forward(q.ravel()), getattr(np, which)(q, axis=1) + 1.0)


def test_guard_source_names_the_users_line_not_numpys():
    tape = adjit.trace(lambda x: x[int(np.argmax(x))], [1.0, 2.0])
    assert all(s.startswith(__file__) for s in tape.guard_sources)


def test_recording_past_max_ops_stops_with_a_clear_error():
    def runaway(x):
        s = x[0]
        while True:  # never ends unless the recording is stopped
            s = s * 1.5 + x[1]

    with pytest.raises(TracingError, match="max_ops=1,000"):
        adjit.trace(runaway, [1.0, 2.0], max_ops=1000)

    def f(x):
        s = x[0]
        for _ in range(50):
            s = np.sin(s) * x[1] + 0.5
        return s
    assert adjit.trace(f, [1.0, 2.0], max_ops=150, optimize=False).n_ops == 150
    with pytest.raises(TracingError, match="max_ops=149"):
        adjit.trace(f, [1.0, 2.0], max_ops=149)
    for bad in (0, 2.5, "10"):
        with pytest.raises(ValueError, match="max_ops"):
            adjit.trace(f, [1.0, 2.0], max_ops=bad)


def test_progress_reports_long_recordings(monkeypatch, caplog):
    from adjit import tracer
    monkeypatch.setattr(tracer, "PROGRESS_EVERY", 100)

    def f(x):
        s = x[0]
        for _ in range(260):
            s = s * x[1]
        return s
    with caplog.at_level("INFO", logger="adjit"):
        tape = adjit.trace(f, [1.0, 1.0], progress="log", optimize=False)
    lines = [r.getMessage() for r in caplog.records if r.name == "adjit"]
    assert lines == ["adjit.trace: 100 instructions recorded",
                     "adjit.trace: 200 instructions recorded"]
    assert tape.n_ops == 260
    x = [1.1, 0.99]
    np.testing.assert_allclose(adjit.trace(f, x, progress=True).forward(x), [1.1 * 0.99**260],
                               rtol=1e-13)
    with pytest.raises(ValueError, match="progress"):
        adjit.trace(f, x, progress="bar")
