"""The safety net for array instructions (issue 15): NumPy calls on traced
arrays (ufuncs with broadcasting, reductions, indexing and layout, matrix
products, linear algebra, empty and length-1 blocks) through every derivative
path, against NumPy's own values, central differences, complex steps and
closed forms; array and scalar forms of the same function agree to rounding,
patterns included; and the tape's size follows the number of NumPy calls,
not the number of elements.

Nothing here reads adjit's internals: only the public API (trace, the Tape's
methods, save/load, pickle, the transforms), so the tests hold for scalar
instructions today and for array instructions after the rewrite."""
import io
import pickle

import numpy as np
import pytest

import adjit
from adjit import ops

from support import central_jacobian, njit_results

# --- references and the common check ------------------------------------------------


def _reference(f, shape):
    """f on plain floats as a function of the flat inputs, flat float output."""
    def ref(v):
        with np.errstate(all="ignore"):
            return np.asarray(f(np.reshape(v, shape)), dtype=float).ravel()
    return ref


def _close(actual, desired, rtol, atol=1e-15):
    desired = np.asarray(desired, dtype=float)
    scale = np.max(np.abs(desired), initial=1.0)
    np.testing.assert_allclose(actual, desired, rtol=rtol, atol=atol * scale)


def _fd_hvp(grad, x, v, h=1e-5):
    """Central differences of a gradient function along v (flat result)."""
    return (np.ravel(grad(x + h * v)) - np.ravel(grad(x - h * v))) / (2 * h)


def check_function(f, x, *, seed=0, zero_derivative=False, rtol=1e-6, atol=1e-7,
                   second=True, batch=True):
    """Trace ``f`` at ``x`` and check every first- and second-order path of the
    tape against NumPy and central differences:

    * forward against f on floats;
    * the Jacobian (auto, forward and reverse modes) against central differences;
    * jvp along a random direction and along 3 at once, vjp with random weights,
      both against the difference Jacobian, and the dot-product identity
      w.(J v) = (J^T w).v between them;
    * forward at a second point (the tape is not tied to the traced one), and
      there the Jacobian against central differences too;
    * a weighted sum s = sum(W * f) traced as its own tape: value, gradient,
      the gradient over a batch of two points; with ``second``, hvp and the
      Hessian against differences of the gradient, the sparse Hessian, and the
      Hessian pattern holding every nonzero;
    * ``zero_derivative``: comparisons, whose derivative is 0 by convention:
      the Jacobian is exactly 0.
    Returns the tape of f."""
    x = np.asarray(x, dtype=float)
    shape = x.shape
    ref = _reference(f, shape)
    y = ref(x)
    tape = adjit.trace(f, x)
    assert tape.n_outputs == y.size
    _close(tape.forward(x), y, 1e-13, 1e-15)
    rng = np.random.default_rng(seed)
    W = rng.uniform(0.5, 1.5, y.size)
    v = rng.standard_normal(shape)
    V = rng.standard_normal(shape + (3,))
    x2 = x + 0.01 * rng.standard_normal(shape)
    _close(tape.forward(x2), ref(x2), 1e-13, 1e-15)
    J = tape.jacobian(x)
    if zero_derivative:
        np.testing.assert_array_equal(J, 0.0)
        np.testing.assert_array_equal(tape.vjp(x, W)[1], 0.0)
        return tape
    _close(tape.jacobian(x2), central_jacobian(ref, x2.ravel()), rtol, atol)
    J_fd = central_jacobian(ref, x.ravel())
    _close(J, J_fd, rtol, atol)
    for mode in ("forward", "reverse"):
        _close(tape.jacobian(x, mode=mode), J, 1e-13, 1e-15)
    y1, jv = tape.jvp(x, v)
    _close(y1, y, 1e-13, 1e-15)
    _close(jv, J_fd @ v.ravel(), rtol, atol)
    _, JV = tape.jvp(x, V)
    _close(JV, J_fd @ V.reshape(-1, 3), rtol, atol)
    y2, wj = tape.vjp(x, W)
    _close(y2, y, 1e-13, 1e-15)
    assert np.shape(wj) == shape
    _close(np.ravel(wj), W @ J_fd, rtol, atol)
    lhs, rhs = W @ jv, np.ravel(wj) @ v.ravel()
    assert lhs == pytest.approx(rhs, rel=1e-12, abs=1e-12 * (abs(lhs) + 1.0))

    Ws = W.reshape(np.shape(f(x)))

    def s(u):
        return np.sum(Ws * f(u))

    ts = adjit.trace(s, x)
    assert ts.forward(x)[0] == pytest.approx(W @ y, rel=1e-12, abs=1e-14)
    g = ts.gradient(x)
    assert np.shape(g) == shape
    _close(np.ravel(g), W @ J_fd, rtol, atol)
    if batch:
        G = ts.gradient(np.stack([x, x2]))
        assert G.shape == (2,) + shape
        _close(np.ravel(G[0]), np.ravel(g), 1e-13, 1e-15)
        g2_fd = central_jacobian(_reference(s, shape), x2.ravel())[0]
        _close(np.ravel(G[1]), g2_fd, rtol, atol)
    if second:
        hv = ts.hvp(x, v)
        assert np.shape(hv) == shape
        _close(np.ravel(hv), _fd_hvp(ts.gradient, x, v), 1e-5, 1e-6)
        H = ts.hessian(x)
        n = x.size
        H_fd = np.stack([_fd_hvp(ts.gradient, x, e.reshape(shape)) for e in np.eye(n)], axis=1)
        _close(H, H_fd, 1e-5, 1e-6)
        _close(ts.sparse_hessian(x).toarray(), H, 1e-12, 1e-14)
        pattern = ts.hessian_sparsity().toarray()
        assert pattern[np.abs(H_fd) > 1e-6 * np.max(np.abs(H_fd), initial=1.0)].all()
    return tape


# --- 1. elementwise ops of the op table on traced arrays ----------------------------

UNARY = [(u, op) for op in ops.TABLE if op.arity == 1 for u in op.ufuncs]
BINARY = [(u, op) for op in ops.TABLE if op.arity == 2 for u in op.ufuncs]


def test_the_ufunc_lists_are_numpys_ufuncs():
    """The parametrizations below enumerate real NumPy ufuncs of the right
    arity, enough of them to matter."""
    for u, op in UNARY + BINARY:
        assert isinstance(u, np.ufunc) and u.nin == op.arity, (u, op.name)
    assert len(UNARY) >= 25 and len(BINARY) >= 20


def _draw(op, which, shape, rng):
    """Points in the op's domain; comparisons take small integers, so that
    ties, zeros (logical ops) and both outcomes all occur."""
    if op.compare:
        return rng.integers(-1, 3, size=shape).astype(float)
    lo, hi = op.domain[which]
    return rng.uniform(lo, hi, size=shape)


# (id, shape of x, how f reads x): strided views and 2-D blocks as well as a vector
UNARY_FORMS = [
    ("vector", (5,), lambda v: v),
    ("matrix", (2, 3), lambda v: v),
    ("strided", (2, 4), lambda v: v[:, ::-2]),
]


@pytest.mark.parametrize("ufunc, op", UNARY, ids=[u.__name__ for u, _ in UNARY])
def test_unary_ufunc_on_arrays(ufunc, op):
    rng = np.random.default_rng(sum(map(ord, ufunc.__name__)))
    for _, shape, view in UNARY_FORMS:
        x = _draw(op, 0, shape, rng)
        check_function(lambda v: ufunc(view(v)), x, zero_derivative=op.compare,
                       second=op.smooth)


# (id, shape of a, shape of b, kind): "tt" both traced, read from one x ("()" a
# traced element, a scalar; "0d" a 0-d traced array), "tc" b constant, "ct" a constant
BINARY_FORMS = [
    ("vec_vec", (5,), (5,), "tt"),
    ("mat_mat", (2, 3), (2, 3), "tt"),
    ("vec_elem", (5,), (), "tt"),
    ("elem_vec", (), (5,), "tt"),
    ("vec_float", (5,), (), "tc"),
    ("float_vec", (), (5,), "ct"),
    ("vec_constvec", (5,), (5,), "tc"),
    ("constvec_vec", (5,), (5,), "ct"),
    ("bcast_43_3", (4, 3), (3,), "tt"),
    ("bcast_41_13", (4, 1), (1, 3), "tt"),
    ("bcast_3_0d", (3,), (), "0d"),
    ("bcast_const43_3", (4, 3), (3,), "ct"),
    ("bcast_1_3", (1,), (3,), "tt"),
    ("strided", (2, 4), (2, 4), "st"),
    ("transposed", (3, 2), (2, 3), "tr"),
]


def _part(v, start, shape, zero_d=False):
    """The operand read from the flat traced x at ``start``."""
    if shape == ():
        return v[start:start + 1].reshape(()) if zero_d else v[start]
    size = int(np.prod(shape))
    return v[start:start + size].reshape(shape)


def _binary_case(ufunc, op, form, rng):
    _, sa, sb, kind = form
    A, B = _draw(op, 0, sa, rng), _draw(op, 1, sb, rng)
    if kind in ("st", "tr"):
        # strided and reversed views ([:, ::2] with [::-1, 1::2]), a transposed operand
        na = int(np.prod(sa))
        x = np.concatenate([np.ravel(A), np.ravel(B)])
        if kind == "st":
            return (lambda v: ufunc(_part(v, 0, sa)[:, ::2], _part(v, na, sb)[::-1, 1::2])), x
        return (lambda v: ufunc(_part(v, 0, sa).T, _part(v, na, sb))), x
    if kind in ("tt", "0d"):
        na = int(np.prod(sa))
        x = np.concatenate([np.ravel(A), np.ravel(B)])
        return (lambda v: ufunc(_part(v, 0, sa), _part(v, na, sb, kind == "0d"))), x
    if kind == "tc":
        c = float(B) if sb == () else B
        return (lambda v: ufunc(_part(v, 0, sa), c)), np.ravel(A)
    c = float(A) if sa == () else A
    return (lambda v: ufunc(c, _part(v, 0, sb))), np.ravel(B)


@pytest.mark.parametrize("ufunc, op", BINARY, ids=[u.__name__ for u, _ in BINARY])
def test_binary_ufunc_on_arrays(ufunc, op):
    """Array-array, array-scalar, scalar-array, array-constant and broadcasting
    forms of each binary op against NumPy and central differences."""
    rng = np.random.default_rng(sum(map(ord, ufunc.__name__)))
    for form in BINARY_FORMS:
        f, x = _binary_case(ufunc, op, form, rng)
        try:
            check_function(f, x, zero_derivative=op.compare, second=op.smooth)
        except AssertionError as e:
            raise AssertionError(f"{ufunc.__name__}, form {form[0]}: {e}") from None


def test_operators_on_arrays_record_the_same_ops():
    """Python operators on traced arrays (+ - * / ** unary -, abs, comparisons
    and their reflected forms) against NumPy and differences."""
    rng = np.random.default_rng(5)
    x = rng.uniform(0.5, 2.0, 12)
    C = rng.uniform(0.5, 2.0, (3, 4))

    def f(v):
        M = v.reshape(3, 4)
        r = M[0]
        return np.concatenate([
            (M + r).ravel(), (2.0 - M).ravel(), (M * C).ravel(), (C / M).ravel(),
            (M ** 1.5).ravel(), (2.0 ** M[1]), (M[2] ** M[1]), -M[0], abs(M[1] - 1.2),
            (M[0] > C[0]) * M[1], (1.0 < M[2]) + M[0] % 0.7, M[1] // 0.3 + M[2]])

    check_function(f, x, second=False)


# constants of other dtypes (int, bool, float32, NaN) and the ufuncs' methods
# (outer, reduce, accumulate) on traced arrays
OTHER_FORMS = [
    ("int_array", lambda v: v + np.array([1, 2, 3]) * v[::-1]),
    ("int_exponents", lambda v: v ** np.array([2, 3, -1])),
    ("int_matrix", lambda v: np.array([[1, 2, 3], [0, 1, 0]]) @ v),
    ("bool_array", lambda v: v * (np.array([1.0, 2.0, 0.5]) > 1.0) + v ** 2),
    ("float32", lambda v: v * np.array([2.5, 1.0, 3.0], dtype=np.float32) + np.float32(1.5)),
    ("numpy_scalars", lambda v: v * np.int64(3) - np.int32(2) / v + np.float64(0.5) ** v),
    # (the tracer warns "invalid value" on the NaN constants, which NumPy does not)
    pytest.param("nan_constants", lambda v: np.fmax(v, [np.nan, 1.0, np.nan])
                 * np.fmin([np.nan, 9.0, 0.1], v), id="nan_constants",
                 marks=pytest.mark.filterwarnings("ignore:invalid value:RuntimeWarning")),
    ("outer", lambda v: np.subtract.outer(v, v ** 2)),
    ("reduce_accumulate", lambda v: np.concatenate([[np.add.reduce(v ** 2)],
                                                    np.multiply.accumulate(v),
                                                    np.maximum.accumulate(v[::-1])])),
    ("out_argument", lambda v: np.multiply(v, v[0], out=np.empty_like(v))),
]


@pytest.mark.parametrize("name, f", [pytest.param(*c, id=c[0]) if type(c) is tuple else c
                                     for c in OTHER_FORMS])
def test_constants_of_other_dtypes_and_ufunc_methods(name, f):
    check_function(f, np.array([0.6, 1.7, 1.2]), seed=len(name))


# --- 2. reductions, cumsum, where ---------------------------------------------------

REDUCTIONS = {
    "sum": (np.sum, "sum"), "mean": (np.mean, "mean"), "prod": (np.prod, "prod"),
    "max": (np.max, "max"), "min": (np.min, "min"), "amax": (np.amax, None),
}
AXES = [(None, False), (0, False), (1, False), (-1, False), (None, True), (0, True),
        (1, True), ((0, 1), False)]


@pytest.mark.parametrize("name", list(REDUCTIONS))
def test_reduction_over_all_and_each_axis(name):
    fn, method = REDUCTIONS[name]
    x = np.random.default_rng(len(name)).uniform(0.5, 1.5, (3, 4))
    for axis, keepdims in AXES:
        def f(v):  # the reduction broadcast back over its input
            return np.sin(v) * 0.5 + fn(v, axis=axis, keepdims=True)

        tape = check_function(lambda v: fn(v, axis=axis, keepdims=keepdims), x, second=True)
        assert tape.out_shape == np.shape(fn(x, axis=axis, keepdims=keepdims))
        check_function(f, x, second=False, batch=False)
        if method:
            check_function(lambda v: getattr(v, method)(axis=axis, keepdims=keepdims), x,
                           second=False, batch=False)


@pytest.mark.parametrize("name, axis", [("sum", (-1, 0)), ("mean", -2), ("max", (0, 2)),
                                        ("prod", 1), ("min", None)])
def test_reductions_of_3d_arrays(name, axis):
    fn = REDUCTIONS[name][0]
    x = np.random.default_rng(9).uniform(0.5, 1.5, (2, 3, 4))
    check_function(lambda v: fn(np.sin(v), axis=axis), x, second=False)
    check_function(lambda v: fn(v, axis=axis, keepdims=True) * v, x, second=False,
                   batch=False)


def test_prod_at_zeros():
    """d prod / dx_i is the product of the others, also where some x_j is 0
    (no division by x_i); the Hessian's (i, j) entry is the product of the
    rest. Closed forms, at one zero and at two."""
    def closed(z):
        n = len(z)
        g = np.array([np.prod(np.delete(z, i)) for i in range(n)])
        H = np.array([[np.prod(np.delete(z, [i, j])) if i != j else 0.0 for j in range(n)]
                      for i in range(n)])
        return g, H

    tape = adjit.trace(lambda v: np.prod(v), np.ones(4))
    cols = adjit.trace(lambda v: np.prod(v.reshape(2, 2), axis=0), np.ones(4))
    for z in ([0.0, 2.0, 3.0, 0.5], [0.0, 2.0, 0.0, 0.5], [1.5, -2.0, 3.0, 0.0]):
        z = np.array(z)
        g, H = closed(z)
        _close(tape.gradient(z), g, 1e-13)
        _close(tape.jacobian(z), [g], 1e-13)
        _close(tape.hessian(z), H, 1e-13)
        _close(tape.hvp(z, np.arange(1.0, 5.0)), H @ np.arange(1.0, 5.0), 1e-13)
        _close(tape.gradient(np.stack([z, z[::-1]]))[1], closed(z[::-1])[0], 1e-13)
        J = np.zeros((2, 4))
        J[0, [0, 2]] = z[2], z[0]
        J[1, [1, 3]] = z[3], z[1]
        _close(cols.jacobian(z), J, 1e-13)


def test_where_keeps_the_unchosen_side_out_of_every_derivative():
    """np.where(v > 0, log(v), 0) at v < 0: log gives NaN on the side not
    taken, and the derivative there is that of the constant, 0, by every path
    (the "where-NaN" trap of reverse mode)."""
    def f(v):
        return np.where(v > 0.0, np.log(v), 0.0) + np.where(v > 0.0, np.sqrt(v), v ** 2)

    x = np.array([-1.0, 2.0, -0.5, 0.25])
    pos = x > 0
    with np.errstate(all="ignore"):
        tape = adjit.trace(f, x)
        scalar = adjit.trace(lambda v: np.sum(f(v)), x)
    d = np.where(pos, 1.0 / np.abs(x) + 0.5 / np.sqrt(np.abs(x)), 2.0 * x)
    dd = np.where(pos, -1.0 / x ** 2 - 0.25 / np.abs(x) ** 1.5, 2.0)
    with np.errstate(all="ignore"):
        _close(tape.forward(x), np.where(pos, np.log(np.abs(x)) + np.sqrt(np.abs(x)), x ** 2),
               1e-13)
    _close(tape.jacobian(x), np.diag(d), 1e-13)
    _close(tape.jacobian(x, mode="forward"), np.diag(d), 1e-13)
    _close(tape.sparse_jacobian(x).toarray(), np.diag(d), 1e-13)
    _close(tape.vjp(x, np.ones(4))[1], d, 1e-13)
    _close(tape.jvp(x, np.ones(4))[1], d, 1e-13)
    _close(scalar.gradient(x), d, 1e-13)
    _close(scalar.gradient(np.stack([x, -x]))[0], d, 1e-13)
    _close(scalar.hessian(x), np.diag(dd), 1e-14)
    _close(scalar.hvp(x, np.ones(4)), dd, 1e-14)
    _close(scalar.sparse_hessian(x).toarray(), np.diag(dd), 1e-14)


@pytest.mark.parametrize("fn", [np.max, np.min, np.amax, np.amin])
def test_max_and_min_at_a_tie_give_a_subgradient(fn):
    """Whatever the tie rule, the derivative at a tie is a convex combination
    of the tied elements' (entries >= 0 summing to 1, 0 off the tie)."""
    top = 2.0 if fn in (np.max, np.amax) else -2.0
    x = np.array([[0.5, top, -0.3, top], [top, 1.0, -1.0, 0.0], [0.2, 0.1, top, 0.3]])
    tape = adjit.trace(lambda v: fn(v), x)
    g = tape.gradient(x)
    tied = x == top
    assert np.all(g >= 0.0) and np.all(g[~tied] == 0.0)
    assert g.sum() == pytest.approx(1.0, rel=1e-14)
    tape = adjit.trace(lambda v: fn(v, axis=1), x)
    J = tape.jacobian(x).reshape(3, 3, 4)
    for i in range(3):
        np.testing.assert_allclose(J[i].sum(), 1.0, rtol=1e-14)
        assert np.all(J[i][~tied] == 0.0) and np.all(J[i] >= 0.0)
        assert np.all(J[i][np.arange(3) != i] == 0.0)
    np.testing.assert_array_equal(tape.forward(x), fn(x, axis=1))


@pytest.mark.parametrize("case", ["flat", "axis0", "axis1", "method", "vector"])
def test_cumsum(case):
    x = np.random.default_rng(3).uniform(-1.0, 1.0, (3, 4))
    f = {"flat": lambda v: np.cumsum(v), "axis0": lambda v: np.cumsum(v, axis=0),
         "axis1": lambda v: np.cumsum(v ** 2, axis=1) * v,
         "method": lambda v: v.cumsum(axis=-1),
         "vector": lambda v: np.cumsum(np.sin(v[0])) + v[1, 0]}[case]
    check_function(f, x)


C34 = np.random.default_rng(11).uniform(0.5, 1.5, (3, 4))
WHERE_CASES = [
    ("array_both_sides", lambda v: np.where(v > 1.0, v ** 2, -v)),
    ("traced_vs_traced", lambda v: np.where(v[0] > v[1], v[0] * v[2], np.exp(v[1]))),
    ("scalar_side", lambda v: np.where(v < v[1, 1], v[0, 0] * 3.0, np.sin(v))),
    ("constant_side", lambda v: np.where(v >= C34, 0.5, v * C34)),
    ("constant_condition", lambda v: np.where(C34 > 1.0, v ** 3, v[2])),
    ("combined_condition", lambda v: np.where(np.logical_and(v > 0.8, v < 1.2), v, 1.0 / v)),
    ("broadcast_condition", lambda v: np.where(v[:, :1] > 1.0, v, v[0] ** 2)),
    ("then_reduced", lambda v: np.sum(np.where(v > 1.0, v - 1.0, 0.0) ** 2, axis=0)),
]


@pytest.mark.parametrize("name, f", WHERE_CASES, ids=[c[0] for c in WHERE_CASES])
def test_where_with_a_traced_condition(name, f):
    """np.where records a select, no guard: one tape serves points on either
    side of each condition."""
    rng = np.random.default_rng(len(name))
    x0 = rng.uniform(0.5, 1.5, (3, 4))
    tape = check_function(f, x0, second=False)
    assert len(tape.guards) == 0
    for _ in range(2):
        x = rng.uniform(0.5, 1.5, (3, 4))
        ref = _reference(f, x.shape)
        _close(tape.forward(x), ref(x), 1e-13, 1e-15)
        _close(tape.jacobian(x), central_jacobian(ref, x.ravel()), 1e-6, 1e-7)


# --- 3. indexing and layout ---------------------------------------------------------
# f applied to x of the given shape; each is checked on its values and every
# derivative path, and its Jacobian pattern must be element-level: exactly the
# nonzeros of the difference Jacobian (these functions have no cancellations).

def _setitem_vector(v):
    out = np.zeros_like(v)
    out[1:] = v[:-1] * v[1:]
    out[0] = v[0] ** 2
    out[::3] += np.cos(v[1::3])
    return out


def _setitem_matrix(M):
    out = np.zeros_like(M)
    out[:, 0] = M[:, 1] ** 2
    out[1:, 1:] = M[:-1, :-1] * 2.0
    out[0, 1:] = np.sin(M[2, 1:])
    return out


def _setitem_reversed(v):
    out = np.zeros_like(v)
    out[::-1] = v * np.arange(1.0, 7.0)
    out[[0, 2]] = v[[5, 1]] ** 3
    return out


def _setitem_repeated_index(v):
    # NumPy's rules: a repeated index in an assignment keeps the last value;
    # in an augmented assignment the update applies once, from the last
    out = np.ones_like(v) * v[0]
    out[[1, 1]] = v[[2, 3]]
    out[[4, 4, 0]] += v[[5, 1, 2]] ** 2
    return out


def _constants_into_buffers(v):
    out = np.zeros_like(v.reshape(2, 3))
    out[:, 1:] = v[0]  # a traced scalar broadcast into a block
    out[1] = 2.0  # a constant over traced slots
    out[0, 0] += v[5] ** 2
    return out


def _buffer_of_constants(v):
    out = np.empty_like(v)
    out[:] = np.arange(1.0, 7.0)
    out[::2] *= v[1::2]
    out[-1] /= v[0]
    return out


def _inplace_on_slices(M):
    R = 3.0 * M
    R[1:] -= M[:-1] ** 2
    R[:, ::2] *= M[:, 1::2]
    return R


W23 = np.arange(1.0, 7.0).reshape(2, 3)  # no zero weight: every dependence shows
LAYOUT = [
    ("slice_step", (9,), lambda v: v[1:8:3] * 2.0),
    ("slice_reverse", (6,), lambda v: v[::-1] * np.arange(1.0, 7.0)),
    ("slice_negative_step", (9,), lambda v: v[-2:0:-3] ** 2),
    ("every_other", (8,), lambda v: v[::2] * v[1::2]),
    ("differences", (7,), lambda v: v[1:] - v[:-1] ** 2),
    ("column", (3, 4), lambda M: M[:, 0] * 3.0),
    ("row", (3, 4), lambda M: M[1] ** 2),
    ("ellipsis_newaxis", (3, 4), lambda M: M[..., 1][:, None] * M[None, 0, :2]),
    ("2d_steps", (4, 5), lambda M: M[::2, ::-2] + M[1::2, 1::2][:, :1]),
    ("fancy", (6,), lambda v: v[[3, 0, 0, 5]] * np.array([1.0, 2.0, 3.0, 4.0])),
    ("fancy_2d_index", (6,), lambda v: v[np.array([[0, 1], [4, 4]])] ** 2),
    ("fancy_pairs", (3, 4), lambda M: M[[0, 2, 2], [1, 3, 0]] * 2.0),
    ("fancy_rows_cols", (3, 4), lambda M: M[[2, 0]][:, [3, 1]] + M[:, [0]][:2]),
    ("transpose", (3, 4), lambda M: M.T * np.arange(1.0, 13.0).reshape(4, 3)),
    ("transpose_3d", (24,), lambda v: np.transpose(v.reshape(2, 3, 4), (2, 0, 1))[1:] * 2.0),
    ("reshape_ravel", (3, 4), lambda M: M.reshape(2, 6)[1].ravel() * M.ravel()[:6]),
    ("swapaxes_flatten", (3, 4), lambda M: np.swapaxes(M, 0, 1).flatten()[::2] ** 2),
    ("concatenate", (3, 4), lambda M: np.concatenate([M[0], M[2, ::-1], M[:, 1]]) ** 2),
    ("concatenate_axis1", (3, 4), lambda M: np.concatenate([M[:, :1], M ** 2], axis=1)),
    ("concatenate_constants", (5,), lambda v: np.concatenate([[1.0], v[:2], np.ones(2)]) * v[0]),
    ("stack", (3, 4), lambda M: np.stack([M[0], M[1] * M[2]])),
    ("stack_axis1", (8,), lambda v: np.stack([v[:4], v[4:] ** 2], axis=1)),
    ("hstack_vstack", (6,), lambda v: np.vstack([np.hstack([v[:2], v[5:]]), v[1:4] ** 2])),
    ("broadcast_to", (3,), lambda v: np.broadcast_to(v, (2, 3)) * W23),
    ("element_times_array", (6,), lambda v: v[0] * v[1:] + v[-1]),
    ("element_of_matrix", (3, 4), lambda M: M[1, 2] * M[0] - np.sin(M[2, 0])),
    ("stack_scalars", (4,), lambda v: np.array([v[0] * v[1], v[2]])),
    ("stack_scalars_2d", (4,), lambda v: np.array([[v[0], v[1] ** 2], [v[3], 1.0]]) @ v[:2]),
    ("np_stack_scalars", (4,), lambda v: np.stack([v[3], np.exp(v[0])]) * v[1:3]),
    ("setitem_vector", (6,), _setitem_vector),
    ("setitem_matrix", (3, 4), _setitem_matrix),
    ("setitem_reversed", (6,), _setitem_reversed),
    ("setitem_repeated_index", (6,), _setitem_repeated_index),
    ("inplace_on_slices", (3, 4), _inplace_on_slices),
    ("constants_into_buffers", (6,), _constants_into_buffers),
    ("buffer_of_constants", (6,), _buffer_of_constants),
    ("moveaxis", (24,), lambda v: np.moveaxis(v.reshape(2, 3, 4), 0, -1)[1] ** 2),
    ("split_column_stack", (6,), lambda v: np.column_stack(np.split(v, 3)[1:]) * v[0]),
    ("outer_by_newaxis", (5,), lambda v: v[:, None] - v[None, :] ** 2),
]


@pytest.mark.parametrize("name, shape, f", LAYOUT, ids=[c[0] for c in LAYOUT])
def test_indexing_and_layout(name, shape, f):
    x = np.random.default_rng(len(name)).uniform(0.5, 1.5, shape)
    tape = check_function(f, x)
    J_fd = central_jacobian(_reference(f, shape), x.ravel())
    pattern = tape.jacobian_sparsity().toarray()
    np.testing.assert_array_equal(pattern, np.abs(J_fd) > 1e-9)
    np.testing.assert_allclose(tape.sparse_jacobian(x).toarray(), tape.jacobian(x),
                               rtol=1e-14, atol=1e-15)


# --- 4. matrix products and linear algebra --------------------------------------------

XC = np.random.default_rng(17).standard_normal((4, 3))


def _spd(v):
    A = v[:9].reshape(3, 3)
    return A @ A.T + 3.0 * np.eye(3)


PRODUCTS = [
    ("const_matrix_at_vector", (3,), lambda w: XC @ w),
    ("vector_at_const_matrix", (4,), lambda w: w @ XC),
    ("traced_matrices", (12,), lambda v: v[:6].reshape(2, 3) @ v[6:].reshape(3, 2)),
    ("traced_matrix_vector", (3, 4), lambda M: M @ M[0]),
    ("vector_dot_vector", (6,), lambda v: v[:3] @ v[3:]),
    ("matmul_function", (3, 4), lambda M: np.matmul(M.T, M)),
    ("dot", (3, 4), lambda M: np.dot(M, M[1])),
    ("einsum_ij_j", (3,), lambda w: np.einsum("ij,j->i", XC, w)),
    ("einsum_traced", (3, 4), lambda M: np.einsum("ij,j->i", M, M[2] ** 2)),
    ("einsum_outer_sum", (3, 4), lambda M: np.einsum("ij,ik->jk", M, M)),
    ("least_squares_residual", (3,), lambda w: (XC @ w - 1.0) ** 2),
    ("matrix_chain", (12,), lambda v: v[:4].reshape(2, 2) @ v[4:8].reshape(2, 2)
     @ v[8:].reshape(2, 2)),
    ("batched_matvec", (12,), lambda v: v[:8].reshape(2, 2, 2) @ v[8:10]),
    ("einsum_diagonal", (9,), lambda v: np.einsum("ii->i", v.reshape(3, 3)) * v[:3]),
    ("einsum_frobenius", (6,), lambda v: np.einsum("ij,ij->", v.reshape(2, 3),
                                                   v.reshape(2, 3)[::-1])),
    ("solve_constant_matrix", (3,), lambda v: np.linalg.solve(XC[:3] @ XC[:3].T + np.eye(3),
                                                              v ** 2)),
    ("solve_traced_diagonal", (3,), lambda v: np.linalg.solve(np.diag(v) + 2.0, np.ones(3))),
    ("solve", (12,), lambda v: np.linalg.solve(_spd(v), v[9:])),
    ("solve_matrix", (12,), lambda v: np.linalg.solve(_spd(v), v[:6].reshape(3, 2))),
    ("det", (9,), lambda v: np.linalg.det(_spd(v))),
    ("slogdet", (9,), lambda v: np.linalg.slogdet(_spd(v))[1]),
    ("inv", (9,), lambda v: np.linalg.inv(_spd(v))),
    ("cholesky", (9,), lambda v: np.linalg.cholesky(_spd(v))),
    ("quadratic_form", (12,), lambda v: v[9:] @ np.linalg.solve(_spd(v), v[9:])),
]


@pytest.mark.parametrize("name, shape, f", PRODUCTS, ids=[c[0] for c in PRODUCTS])
def test_matrix_products_and_linear_algebra(name, shape, f):
    x = np.random.default_rng(len(name)).uniform(-1.0, 1.0, shape)
    check_function(f, x, rtol=2e-6, atol=2e-7)


def test_least_squares_derivatives_in_closed_form():
    """||X w - y||^2 written with X @ w: gradient 2 X^T r and Hessian 2 X^T X
    (exact), by every second-order path."""
    y = np.linspace(-1.0, 1.0, 4)
    f = lambda w: np.sum((XC @ w - y) ** 2)  # noqa: E731
    tape = adjit.trace(f, np.zeros(3))
    H = 2 * XC.T @ XC
    for w in (np.array([0.3, -0.2, 1.0]), np.array([-1.0, 2.0, 0.5])):
        g = 2 * XC.T @ (XC @ w - y)
        _close(tape.gradient(w), g, 1e-13, 1e-14)
        _close(tape.hessian(w), H, 1e-13, 1e-14)
        _close(tape.sparse_hessian(w).toarray(), H, 1e-13, 1e-14)
        _close(tape.hvp(w, np.array([1.0, 0.0, 2.0])), H @ [1.0, 0.0, 2.0], 1e-13, 1e-14)
        _close(adjit.hessian(f)(w), H, 1e-13, 1e-14)
        _close(adjit.grad(f)(w), g, 1e-13, 1e-14)


def test_linear_algebra_closed_forms():
    """d/dA log det A = A^-T and d/db (b^T A^-1 b) = 2 A^-1 b, with A SPD from x."""
    rng = np.random.default_rng(2)
    x = rng.uniform(-1.0, 1.0, 12)
    tape = adjit.trace(lambda v: np.linalg.slogdet(_spd(v))[1], x[:9])
    S = _spd(x)
    A = x[:9].reshape(3, 3)
    # d logdet(A A^T + 3I)/dA = 2 S^-1 A
    _close(tape.gradient(x[:9]).reshape(3, 3), 2 * np.linalg.solve(S, A), 1e-12, 1e-14)
    tape = adjit.trace(lambda v: v[9:] @ np.linalg.solve(_spd(v), v[9:]), x)
    _close(tape.gradient(x)[9:], 2 * np.linalg.solve(S, x[9:]), 1e-12, 1e-14)
    tape = adjit.trace(lambda v: np.linalg.det(_spd(v)), x[:9])
    J = tape.gradient(x[:9]).reshape(3, 3)
    _close(J, 2 * np.linalg.det(S) * np.linalg.solve(S, A), 1e-12, 1e-14)


# --- 5. empty and length-1 blocks ------------------------------------------------------

EDGES = [
    ("empty_slice_sum", (4,), lambda v: np.sum(v[2:2]) + np.sum(v ** 2)),
    ("empty_prod", (4,), lambda v: np.prod(v[:0]) * v[1] + np.prod(v[3:])),
    ("empty_concatenate", (4,), lambda v: np.concatenate([v[:0], np.zeros(0), v[1:] * 2.0,
                                                          v[4:]])),
    ("empty_dot", (4,), lambda v: v[:0] @ v[4:] + v[0] * v[1]),
    ("empty_elementwise", (4,), lambda v: np.concatenate([np.sin(v[:0]) * v[4:], v[:1] ** 2])),
    ("empty_stack_reduce", (4,), lambda v: np.sum(np.stack([v[:0], v[3:3]]), axis=0).sum()
     + np.exp(v[2])),
    ("empty_matrix_product", (4,), lambda v: v[:0].reshape(0, 2).T @ v[:0].reshape(0, 2)
     + np.outer(v[:2], v[2:])),
    ("empty_setitem", (4,), lambda v: np.concatenate([_assign_empty(v), [v[1]]])),
    ("length1_vector", (1,), lambda v: np.sin(v) * v[::-1] + np.sum(v) * v),
    ("length1_dot", (1,), lambda v: v @ v + np.concatenate([v, v ** 2]).sum()),
    ("length1_broadcast", (1,), lambda v: v * np.array([1.0, 2.0, 3.0]) + v[0]),
    ("length1_reductions", (1,), lambda v: np.max(v) * np.min(v) + np.mean(v) + np.prod(v)),
    ("length1_cumsum_where", (1,), lambda v: np.cumsum(v) + np.where(v > 0.5, v, -v)),
    ("one_by_one_matmul", (1, 1), lambda M: M @ M.T + M * 2.0),
    ("one_by_one_linalg", (1, 1), lambda M: np.concatenate([
        np.linalg.inv(M).ravel(), [np.linalg.det(M)], np.linalg.solve(M, M[0]),
        np.linalg.cholesky(M * M + 1.0).ravel()])),
    ("row_and_column_blocks", (1, 4), lambda M: M.T @ M[:, :2] + M[0, 3]),
]


def _assign_empty(v):
    out = np.zeros_like(v)
    out[2:2] = v[:0]
    out[1:] = v[1:] ** 2
    return out


@pytest.mark.parametrize("name, shape, f", EDGES, ids=[c[0] for c in EDGES])
def test_empty_and_length1_blocks(name, shape, f):
    x = np.random.default_rng(len(name)).uniform(0.5, 1.5, shape)
    check_function(f, x)


def test_empty_data_argument():
    def f(v, d):
        return np.sum(v ** 2) + np.sum(d * v[:0]) + (d @ d)

    x = np.array([1.0, -2.0, 0.5])
    tape = adjit.trace(f, x, np.zeros(0))
    assert tape.arg_shapes == ((0,),)
    _close(tape.gradient(x, np.zeros(0)), 2 * x, 1e-13)
    assert tape.forward(x)[0] == pytest.approx(x @ x, rel=1e-14)


# --- 6. array and scalar forms of one function agree to rounding ------------------------

def rosen_slices(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def rosen_loop(x):
    s = 0.0
    for i in range(len(x) - 1):
        s = s + 100.0 * (x[i + 1] - x[i] * x[i]) ** 2 + (1.0 - x[i]) ** 2
    return s


def rosen_residual_slices(x):
    return np.concatenate([10.0 * (x[1:] - x[:-1] ** 2), 1.0 - x[:-1]])


def rosen_residual_loop(x):
    n = len(x)
    return [10.0 * (x[i + 1] - x[i] * x[i]) for i in range(n - 1)] + \
        [1.0 - x[i] for i in range(n - 1)]


def rosen_gradient(x):
    """The closed form."""
    g = np.zeros_like(x)
    t = x[1:] - x[:-1] ** 2
    g[:-1] = -400.0 * x[:-1] * t - 2.0 * (1.0 - x[:-1])
    g[1:] += 200.0 * t
    return g


LAM = 2.0


def bratu_slices(U):
    """A 5-point Bratu residual on an n x n grid (zero boundary), with slices."""
    h2 = 1.0 / (U.shape[0] + 1) ** 2
    P = np.pad(U, 1)
    return 4.0 * U - P[:-2, 1:-1] - P[2:, 1:-1] - P[1:-1, :-2] - P[1:-1, 2:] \
        - LAM * h2 * np.exp(U)


def bratu_inplace(U):
    """The same residual, updated in place through slices of a buffer."""
    h2 = 1.0 / (U.shape[0] + 1) ** 2
    R = 4.0 * U - LAM * h2 * np.exp(U)
    R[1:, :] -= U[:-1, :]
    R[:-1, :] -= U[1:, :]
    R[:, 1:] -= U[:, :-1]
    R[:, :-1] -= U[:, 1:]
    return R


def bratu_loop(U):
    n = U.shape[0]
    h2 = 1.0 / (n + 1) ** 2
    out = []
    for i in range(n):
        for j in range(n):
            r = 4.0 * U[i, j]
            if i > 0:
                r = r - U[i - 1, j]
            if i < n - 1:
                r = r - U[i + 1, j]
            if j > 0:
                r = r - U[i, j - 1]
            if j < n - 1:
                r = r - U[i, j + 1]
            out.append(r - LAM * h2 * np.exp(U[i, j]))
    return out


def _agree(a, b, rtol=1e-12):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    assert a.shape == b.shape
    np.testing.assert_allclose(a, b, rtol=rtol, atol=rtol * np.max(np.abs(b), initial=1.0))


def _same_pattern(A, B):
    np.testing.assert_array_equal(A.toarray(), B.toarray())


def _compare_forms(fa, fb, x0, points, scalar_output):
    ta, tb = adjit.trace(fa, x0), adjit.trace(fb, x0)
    assert ta.n_outputs == tb.n_outputs
    _same_pattern(ta.jacobian_sparsity(), tb.jacobian_sparsity())
    _same_pattern(ta.hessian_sparsity(), tb.hessian_sparsity())
    rng = np.random.default_rng(0)
    for x in points:
        v = rng.standard_normal(x.shape)
        w = rng.standard_normal(ta.n_outputs)
        _agree(ta.forward(x), tb.forward(x))
        _agree(ta.jacobian(x), tb.jacobian(x))
        _agree(ta.sparse_jacobian(x).toarray(), tb.jacobian(x))
        _agree(ta.jvp(x, v)[1], tb.jvp(x, v)[1])
        _agree(ta.vjp(x, w)[1], tb.vjp(x, w)[1])
        wh = None if scalar_output else w
        _agree(ta.hessian(x, w=wh), tb.hessian(x, w=wh))
        _agree(ta.sparse_hessian(x, w=wh).toarray(), tb.hessian(x, w=wh))
        _agree(ta.hvp(x, v, w=wh), tb.hvp(x, v, w=wh))
        if scalar_output:
            _agree(ta.gradient(x), tb.gradient(x))
        G = np.stack([x, 1.1 * x])
        _agree(ta.jacobian(G), tb.jacobian(G))
    return ta, tb


def test_rosenbrock_slices_and_loop_agree():
    rng = np.random.default_rng(1)
    points = [rng.uniform(-1.5, 1.5, 8) for _ in range(2)]
    ta, tb = _compare_forms(rosen_slices, rosen_loop, points[0], points, True)
    for x in points:  # and both against the closed form
        _agree(ta.gradient(x), rosen_gradient(x))
        _agree(tb.gradient(x), rosen_gradient(x))
        X = np.stack(points)
        _agree(ta.gradient(X), np.stack([rosen_gradient(p) for p in points]))


def test_many_points_of_a_vectorized_function():
    """A batch large enough to be split in blocks and over threads: every
    row against the closed form."""
    rng = np.random.default_rng(6)
    X = rng.uniform(-1.5, 1.5, (800, 200))
    tape = adjit.trace(rosen_slices, X[0])
    G = tape.gradient(X)
    t = X[:, 1:] - X[:, :-1] ** 2
    want = np.zeros_like(X)
    want[:, :-1] = -400.0 * X[:, :-1] * t - 2.0 * (1.0 - X[:, :-1])
    want[:, 1:] += 200.0 * t
    _close(G, want, 1e-13, 1e-15)
    _close(tape.forward(X)[:, 0], np.sum(100.0 * t ** 2 + (1.0 - X[:, :-1]) ** 2, axis=1),
           1e-13)


@pytest.mark.parametrize("mode", ["forward", "reverse"])
def test_jacobians_wider_than_one_sweep(mode):
    """More than 64 directions (forward) or seeds (reverse): the Jacobian is
    assembled from several sweeps."""
    def f(v):
        return np.concatenate([np.outer(v[:10], v[10:20]).ravel(), np.cumsum(v ** 2)[::7]])

    x = np.random.default_rng(7).uniform(0.5, 1.5, 70)
    tape = adjit.trace(f, x)
    J_fd = central_jacobian(_reference(f, x.shape), x)
    _close(tape.jacobian(x, mode=mode), J_fd, 1e-7, 1e-8)
    _close(tape.jacobian(np.stack([x, x]), mode=mode)[1], J_fd, 1e-7, 1e-8)


def test_rosenbrock_residual_slices_and_loop_agree():
    rng = np.random.default_rng(2)
    points = [rng.uniform(-1.5, 1.5, 8) for _ in range(2)]
    ta, _ = _compare_forms(rosen_residual_slices, rosen_residual_loop, points[0], points, False)
    assert ta.jacobian_coloring().n_colors <= 3  # bidiagonal: a few colors, not n


@pytest.mark.parametrize("form", [bratu_slices, bratu_inplace], ids=["pad", "inplace"])
def test_bratu_stencil_slices_and_loop_agree(form):
    rng = np.random.default_rng(3)
    points = [rng.uniform(0.0, 1.0, (6, 6)) for _ in range(2)]
    loop = lambda U: bratu_loop(U)  # noqa: E731
    ta, tb = _compare_forms(form, loop, points[0], points, False)
    assert ta.jacobian_coloring().n_colors <= max(tb.jacobian_coloring().n_colors, 5)
    for U in points:
        _agree(ta.forward(U), np.ravel(bratu_loop(U)))
        _close(ta.jacobian(U), central_jacobian(_reference(bratu_loop, (6, 6)), U.ravel()),
               1e-7, 1e-9)


# --- 7. a mixed vectorized function through every derivative path -----------------------

N_ATOMS = 4
IU = np.triu_indices(N_ATOMS, 1)


def cluster_energy(P):
    """Pair energy of (N, 3) positions by broadcasting, plus a confinement."""
    d = P[:, None, :] - P[None, :, :]
    r2 = np.sum(d * d, axis=-1)[IU]
    s = 1.0 / r2
    return np.sum(s ** 6 - 2.0 * s ** 3) + 0.1 * np.sum(P * P) + np.sum(P[:, 0] * P[:, 2])


def cluster_terms(P):
    """A vector output: each pair's energy and each atom's confinement."""
    d = P[:, None, :] - P[None, :, :]
    r2 = np.sum(d * d, axis=-1)[IU]
    return np.concatenate([1.0 / r2 ** 6 - 2.0 / r2 ** 3, np.sum(P ** 2, axis=1)])


def _positions(seed):
    base = np.array([[0.0, 0.0, 0.0], [1.1, 0.1, 0.0], [0.2, 1.2, 0.1], [0.1, 0.3, 1.3]])
    return base + 0.05 * np.random.default_rng(seed).standard_normal(base.shape)


def _cs_gradient(f, P):
    """Gradient of a real-analytic NumPy function by the complex step (flat)."""
    x = P.astype(complex).ravel()
    g = np.empty(x.size)
    for i in range(x.size):
        xi = x.copy()
        xi[i] += 1e-30j
        g[i] = f(xi.reshape(P.shape)).imag / 1e-30
    return g


def _cs_hessian(f, P, h=1e-5):
    """Central differences of the complex-step gradient."""
    x = P.ravel()
    cols = []
    for i in range(x.size):
        e = np.zeros(x.size)
        e[i] = h
        cols.append((_cs_gradient(f, (x + e).reshape(P.shape))
                     - _cs_gradient(f, (x - e).reshape(P.shape))) / (2 * h))
    H = np.stack(cols, axis=1)
    return (H + H.T) / 2


@pytest.fixture(scope="module")
def cluster():
    """The tape, two points and their complex-step references."""
    tape = adjit.trace(cluster_energy, _positions(0))
    points = [_positions(1), _positions(2)]
    grads = [_cs_gradient(cluster_energy, P) for P in points]
    hessians = [_cs_hessian(cluster_energy, P) for P in points]
    return tape, points, grads, hessians


def test_mixed_first_order(cluster):
    tape, points, grads, _ = cluster
    assert tape.in_shape == (N_ATOMS, 3) and tape.out_shape == ()
    rng = np.random.default_rng(4)
    for P, g in zip(points, grads):
        e = cluster_energy(P)
        assert tape.forward(P)[0] == pytest.approx(e, rel=1e-13)
        y, g1 = tape.value_and_gradient(P)
        assert y == pytest.approx(e, rel=1e-13) and g1.shape == P.shape
        _close(g1.ravel(), g, 1e-12, 1e-14)
        V = rng.standard_normal(P.shape + (4,))
        _, JV = tape.jvp(P, V)
        _close(JV, [g @ V.reshape(-1, 4)], 1e-12, 1e-14)
        _, wj = tape.vjp(P, [3.0])
        _close(wj.ravel(), 3.0 * g, 1e-12, 1e-14)
        _close(tape.jacobian(P), [g], 1e-12, 1e-14)
        _close(tape.sparse_jacobian(P).toarray(), [g], 1e-12, 1e-14)
        _close(adjit.grad(cluster_energy)(P).ravel(), g, 1e-12, 1e-14)
    G = tape.gradient(np.stack(points))
    assert G.shape == (2, N_ATOMS, 3)
    for Gi, g in zip(G, grads):
        _close(Gi.ravel(), g, 1e-12, 1e-14)
    Y = tape.forward(np.stack(points))
    _close(Y[:, 0], [cluster_energy(P) for P in points], 1e-13)
    # a batch large enough for blocks (and threads where the tape takes them)
    many = [_positions(10 + k) for k in range(40)]
    G = tape.gradient(np.stack(many))
    for Gi, P in zip(G, many):
        _close(Gi.ravel(), _cs_gradient(cluster_energy, P), 1e-12, 1e-14)


def test_mixed_second_order(cluster):
    tape, points, _, hessians = cluster
    rng = np.random.default_rng(5)
    for P, H in zip(points, hessians):
        _close(tape.hessian(P), H, 1e-6, 1e-7)
        _close(tape.sparse_hessian(P).toarray(), H, 1e-6, 1e-7)
        v = rng.standard_normal(P.shape)
        hv = tape.hvp(P, v)
        assert hv.shape == P.shape
        _close(hv.ravel(), H @ v.ravel(), 1e-6, 1e-7)
        Ht = adjit.hessian(cluster_energy)(P)
        assert Ht.shape == (N_ATOMS, 3, N_ATOMS, 3)
        _close(Ht.reshape(12, 12), H, 1e-6, 1e-7)
    Ps = np.stack(points)
    Vs = rng.standard_normal(Ps.shape)
    HV = tape.hvp(Ps, Vs)
    for hv, H, v in zip(HV, hessians, Vs):
        _close(hv.ravel(), H @ v.ravel(), 1e-6, 1e-7)


def test_mixed_vector_output():
    P0 = _positions(0)
    tape = adjit.trace(cluster_terms, P0)
    ref = _reference(cluster_terms, P0.shape)
    for P in (_positions(3), _positions(4)):
        J_cs = np.stack([_cs_gradient(lambda Q, k=k: cluster_terms(Q)[k], P)
                         for k in range(tape.n_outputs)])
        _close(tape.forward(P), ref(P), 1e-13)
        for mode in ("auto", "forward", "reverse"):
            _close(tape.jacobian(P, mode=mode), J_cs, 1e-12, 1e-14)
        _close(tape.sparse_jacobian(P).toarray(), J_cs, 1e-12, 1e-14)
        pattern = tape.jacobian_sparsity().toarray()
        np.testing.assert_array_equal(pattern, J_cs != 0.0)
        w = np.linspace(0.5, 1.5, tape.n_outputs)
        H = _cs_hessian(lambda Q: w @ cluster_terms(Q), P)
        _close(tape.hessian(P, w=w), H, 1e-6, 1e-7)
        _close(tape.sparse_hessian(P, w=w).toarray(), H, 1e-6, 1e-7)
        Js = tape.jacobian(np.stack([P, P0]))
        _close(Js[0], J_cs, 1e-12, 1e-14)
        v = np.sin(np.arange(12.0))
        got = njit_results(tape, P.ravel(), v=v, w=w)  # the @njit API
        _close(got["value"], ref(P), 1e-13)
        _close(got["jacobian"], J_cs, 1e-12, 1e-14)
        _close(got["jvp"], J_cs @ v, 1e-12, 1e-14)
        _close(got["vjp"], w @ J_cs, 1e-12, 1e-14)


def test_mixed_files_copies_and_views(cluster, tmp_path):
    tape, points, grads, _ = cluster
    P = points[0]
    v = np.cos(np.arange(12.0)).reshape(P.shape)
    want = (tape.forward(P), tape.gradient(P), tape.hessian(P), tape.hvp(P, v),
            tape.jacobian(P))

    def results(t):
        return (t.forward(P), t.gradient(P), t.hessian(P), t.hvp(P, v), t.jacobian(P))

    path = tmp_path / "cluster.npz"
    tape.save(path)
    buf = io.BytesIO()
    tape.save(buf)
    for other in (adjit.load(path), adjit.load(io.BytesIO(buf.getvalue())),
                  pickle.loads(pickle.dumps(tape))):
        assert other.in_shape == tape.in_shape and other.n_ops == tape.n_ops
        for a, b in zip(results(other), want):
            np.testing.assert_array_equal(a, b)
    for other in (tape.optimized(), adjit.trace(cluster_energy, P, optimize=False),
                  adjit.trace(cluster_energy, P, optimize=False).optimized()):
        for a, b in zip(results(other), want):
            _close(a, b, 1e-13, 1e-15)
    rows, text = tape.trace_table(P, v=v)
    assert rows[-1]["value"] == pytest.approx(cluster_energy(P), rel=1e-13)
    assert rows[-1]["tangent"] == pytest.approx(grads[0] @ v.ravel(), rel=1e-12)
    assert isinstance(text, str) and text
    dot = tape.to_dot()
    assert dot.lstrip().startswith("digraph")
    fns = tape.njit_functions()
    g = np.empty(12)
    value, flip = fns.value_and_gradient(fns.tape, fns.buffers(), P.ravel(), g)
    assert flip == -1
    assert value == pytest.approx(cluster_energy(P), rel=1e-13)
    _close(g, grads[0], 1e-12, 1e-14)


def test_optimizer_on_array_code():
    """Dead arrays, repeated subexpressions, constant-only array arithmetic:
    optimized and unoptimized tapes agree with NumPy, and the optimizer never
    makes a tape longer."""
    C = np.arange(1.0, 7.0).reshape(2, 3)

    def f(v):
        unused = np.exp(v) * 3.0  # noqa: F841 - dead
        k = (C * 2.0 @ C.T)[0, 1]  # constants only
        return np.sin(v) * np.sin(v) + k * v + np.sin(v) * 0.0 + (v + 0.0) * 1.0

    x = np.linspace(0.3, 1.2, 6).reshape(2, 3)
    ref = _reference(f, x.shape)
    plain = adjit.trace(f, x, optimize=False)
    for tape in (adjit.trace(f, x), plain, plain.optimized()):
        for u in (x, x[::-1] + 0.1):
            _close(tape.forward(u), ref(u), 1e-13, 1e-15)
            _close(tape.jacobian(u), central_jacobian(ref, u.ravel()), 1e-7, 1e-8)
    assert plain.optimized().n_ops <= plain.n_ops


def test_guards_and_kinks_on_array_code():
    """A Python branch on a reduction records a guard: the tape serves points
    on the traced side and raises BranchChanged on the other; adjit.grad traces
    again. Kinks of array ops are found element by element."""
    def f(v):
        if np.max(v) > 1.0:
            return np.sum(v ** 2)
        return np.sum(np.abs(v - 0.5))

    x = np.array([0.2, 1.5, 0.7])
    tape = adjit.trace(f, x)
    assert len(tape.guards) >= 1
    _close(tape.gradient(x + 0.1), 2 * (x + 0.1), 1e-13)
    low = np.array([0.2, 0.9, 0.7])
    with pytest.raises(adjit.BranchChanged):
        tape.gradient(low)
    _close(adjit.grad(f)(low), np.sign(low - 0.5), 1e-13)
    away = np.array([0.2, 0.9, 0.8])
    tape = adjit.trace(lambda v: np.abs(v - 0.5) + np.maximum(v, 0.7), away)
    assert tape.kinks(away) == []
    at = np.array([0.5, 0.7, 0.1])  # abs at 0 in element 0, a tie in element 1
    found = tape.kinks(at)
    assert sorted(k.op for k in found) == ["abs", "maximum"]


# --- 8. data arguments ------------------------------------------------------------------

def lsq_loss(w, X, y):
    r = X @ w - y
    return r @ r + 0.1 * np.sum(w ** 2)


def logistic_loss(w, X, y):
    z = X @ w
    return np.sum(np.log1p(np.exp(-y * z))) + 0.5 * w @ w


def _data(seed, k=7, p=3):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((k, p)), np.sign(rng.standard_normal(k))


def test_data_arguments_least_squares():
    X0, y0 = _data(0)
    w = np.array([0.3, -0.5, 0.8])
    tape = adjit.trace(lsq_loss, w, X0, y0)
    assert tape.arg_shapes == ((7, 3), (7,))
    v = np.array([1.0, -2.0, 0.5])
    for seed in (1, 2):
        X, y = _data(seed)
        r = X @ w - y
        g = 2 * X.T @ r + 0.2 * w
        H = 2 * X.T @ X + 0.2 * np.eye(3)
        assert tape.forward(w, X, y)[0] == pytest.approx(r @ r + 0.1 * w @ w, rel=1e-13)
        _close(tape.gradient(w, X, y), g, 1e-12, 1e-14)
        _close(tape.hessian(w, X, y), H, 1e-12, 1e-14)
        _close(tape.hvp(w, v, X, y), H @ v, 1e-12, 1e-14)
        _close(tape.jvp(w, v, X, y)[1], [g @ v], 1e-12, 1e-14)
        _close(tape.sparse_hessian(w, X, y).toarray(), H, 1e-12, 1e-14)
        W = np.stack([w, -w])
        _close(tape.gradient(W, X, y)[1], 2 * X.T @ (X @ -w - y) - 0.2 * w, 1e-12, 1e-14)


def test_data_arguments_logistic_regression():
    X0, y0 = _data(3, k=9, p=4)
    w = np.array([0.2, -0.1, 0.4, 0.3])
    tape = adjit.trace(logistic_loss, w, X0, y0)
    for seed in (4, 5):
        X, y = _data(seed, k=9, p=4)
        z = X @ w
        s = 1.0 / (1.0 + np.exp(y * z))  # sigma(-y z)
        g = -X.T @ (y * s) + w
        H = X.T @ (X * (s * (1 - s))[:, None]) + np.eye(4)
        assert tape.forward(w, X, y)[0] == pytest.approx(logistic_loss(w, X, y), rel=1e-13)
        _close(tape.gradient(w, X, y), g, 1e-12, 1e-14)
        _close(tape.hessian(w, X, y), H, 1e-12, 1e-14)
        _close(adjit.grad(logistic_loss)(w, X, y), g, 1e-12, 1e-14)


def test_data_arguments_vector_output():
    """A residual X @ w - y with data: its Jacobian is X, whatever the data."""
    X0, y0 = _data(6)
    resid = lambda w, X, y: np.tanh(X @ w) - y  # noqa: E731
    w = np.array([0.1, 0.2, -0.3])
    tape = adjit.trace(resid, w, X0, y0)
    for seed in (7, 8):
        X, y = _data(seed)
        t = np.tanh(X @ w)
        _close(tape.forward(w, X, y), t - y, 1e-13, 1e-15)
        J = (1 - t ** 2)[:, None] * X
        _close(tape.jacobian(w, X, y), J, 1e-12, 1e-14)
        _close(tape.sparse_jacobian(w, X, y).toarray(), J, 1e-12, 1e-14)


# --- 9. the size of the recording follows the number of NumPy calls ---------------------




def _n_ops(f, x0, *args):
    return adjit.trace(f, x0, *args).n_ops



def test_vectorized_rosenbrock_tape_size_does_not_follow_n():
    small = _n_ops(rosen_slices, np.full(1000, 0.5))
    assert small < 50
    x = np.linspace(-1.0, 1.5, 100_000)
    tape = adjit.trace(rosen_slices, x)
    assert abs(tape.n_ops - small) <= 5
    _close(tape.gradient(x), rosen_gradient(x), 1e-13, 1e-15)



def test_stencil_tape_size_does_not_follow_the_grid():
    small = _n_ops(bratu_slices, np.full((6, 6), 0.5))
    assert small < 50
    large = _n_ops(bratu_slices, np.full((200, 200), 0.5))
    assert abs(large - small) <= 5



def test_logistic_regression_tape_size_does_not_follow_the_data():
    X, y = _data(9, k=20, p=10)
    small = _n_ops(logistic_loss, np.zeros(10), X, y)
    assert small < 50
    X, y = _data(9, k=1000, p=200)
    assert abs(_n_ops(logistic_loss, np.zeros(200), X, y) - small) <= 5



def test_mixed_vectorized_tape_size_is_a_few_instructions():
    assert _n_ops(cluster_energy, _positions(0)) < 50
