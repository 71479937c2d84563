"""prod, max, min, cumsum, cumprod, einsum and their relatives on traced arrays
(adjit.array_numpy): values against NumPy, every derivative path against central
differences, the dot-product identity and the scalar form of the same function
(``adjit.config.array_instructions = False``, one scalar instruction per
element); the tie convention of the trees by closed forms; and the tape's size
growing with log2 of the reduced length at most, never with the number of
elements."""
import contextlib
import math

import numpy as np
import pytest

import adjit
from adjit import config

from support import central_jacobian


@contextlib.contextmanager
def scalar_form():
    """Trace element by element, as without array instructions."""
    saved = config.array_instructions
    config.array_instructions = False
    try:
        yield
    finally:
        config.array_instructions = saved


def _close(actual, desired, rtol, atol=1e-13):
    desired = np.asarray(desired, dtype=float)
    scale = np.max(np.abs(desired), initial=1.0)
    np.testing.assert_allclose(actual, desired, rtol=rtol, atol=atol * scale)


def _reference(f, shape):
    def ref(v):
        return np.asarray(f(np.reshape(v, shape)), dtype=float).ravel()
    return ref


def _fd_hvp(grad, x, v, h=1e-5):
    return (np.ravel(grad(x + h * v)) - np.ravel(grad(x - h * v))) / (2 * h)


def check(f, x, *, scalar=True, seed=0, max_rows=None):
    """The array tape of f at x against NumPy (two points), its Jacobian (three
    modes), jvp and vjp against central differences and each other (the
    dot-product identity); a weighted sum's gradient, hvp and Hessian against
    differences of the gradient; with ``scalar``, every one of them against
    the scalar form's tape. ``max_rows`` bounds the array tape's length (far
    below the element count: the call did not fall back to scalar rows).
    Returns the array tape."""
    x = np.asarray(x, dtype=float)
    shape = x.shape
    ref = _reference(f, shape)
    rng = np.random.default_rng(seed)
    tape = adjit.trace(f, x)
    if max_rows is not None:
        assert tape.n_ops <= max_rows
    y = ref(x)
    _close(tape.forward(x), y, 1e-12)
    x2 = x + 1e-3 * rng.uniform(0.2, 0.8, shape)
    _close(tape.forward(x2), ref(x2), 1e-12)
    J_fd = central_jacobian(ref, x.ravel())
    J = tape.jacobian(x)
    _close(J, J_fd, 1e-6, 1e-8)
    for mode in ("forward", "reverse"):
        _close(tape.jacobian(x, mode=mode), J, 1e-13)
    v = rng.standard_normal(shape)
    W = rng.uniform(0.5, 1.5, y.size)
    _, jv = tape.jvp(x, v)
    _, wj = tape.vjp(x, W)
    _close(jv, J_fd @ v.ravel(), 1e-6, 1e-8)
    _close(np.ravel(wj), W @ J_fd, 1e-6, 1e-8)
    assert W @ np.ravel(jv) == pytest.approx(np.ravel(wj) @ v.ravel(), rel=1e-12, abs=1e-12)

    Ws = W.reshape(np.shape(f(x)))

    def s(u):
        return np.sum(Ws * f(u))

    ts = adjit.trace(s, x)
    g = ts.gradient(x)
    _close(np.ravel(g), W @ J_fd, 1e-6, 1e-8)
    G = ts.gradient(np.stack([x2, x]))
    _close(G[1], g, 1e-13)
    _close(np.ravel(G[0]), central_jacobian(_reference(s, shape), x2.ravel())[0], 1e-6, 1e-8)
    hv = ts.hvp(x, v)
    _close(np.ravel(hv), _fd_hvp(ts.gradient, x, v), 1e-5, 1e-6)
    H = ts.hessian(x)
    _close(np.ravel(H @ v.ravel()), np.ravel(hv), 1e-10, 1e-12)
    if scalar:
        with scalar_form():
            plain = adjit.trace(f, x)
            plain_s = adjit.trace(s, x)
        _close(plain.forward(x2), tape.forward(x2), 1e-12)
        _close(plain.jacobian(x), J, 1e-12)
        _close(plain_s.gradient(x), g, 1e-12)
        _close(plain_s.hvp(x, v), hv, 1e-10, 1e-12)
        _close(plain_s.hessian(x), H, 1e-10, 1e-12)
    return tape


def _distinct(shape, seed=0, lo=0.6, hi=1.4):
    """Values in [lo, hi], all at least (hi - lo)/(3n) apart: no tie within a
    difference step, products of modest size."""
    n = math.prod(shape)
    rng = np.random.default_rng(seed)
    u = (rng.permutation(n) + rng.uniform(0.3, 0.7, n)) / n
    return (lo + (hi - lo) * u).reshape(shape)


# --- reductions ---------------------------------------------------------------------

REDUCTIONS = [
    ("prod", lambda v: np.prod(v)),
    ("prod_axis0", lambda v: np.prod(v, axis=0)),
    ("prod_axis-1_keepdims", lambda v: np.prod(v, axis=-1, keepdims=True)),
    ("prod_axes02", lambda v: np.prod(v, axis=(0, 2))),
    ("prod_initial", lambda v: np.prod(v, axis=1, initial=1.5)),
    ("prod_method", lambda v: v.prod(1)),
    ("max", lambda v: np.max(v)),
    ("amax_axis1", lambda v: np.amax(v, axis=1)),
    ("max_axes-1-3_keepdims", lambda v: np.max(v, axis=(-1, -3), keepdims=True)),
    ("max_initial", lambda v: np.max(v, axis=2, initial=1.0)),
    ("max_method", lambda v: v.max(axis=0)),
    ("min", lambda v: np.min(v)),
    ("amin_axis2", lambda v: np.amin(v, 2)),
    ("min_axes01_keepdims", lambda v: np.min(v, (0, 1), None, True)),
    ("min_initial", lambda v: np.min(v, axis=0, initial=0.9)),
    ("min_method", lambda v: v.min(axis=(1, 2))),
    ("ptp", lambda v: np.ptp(v, axis=1)),
    ("max_axis_empty_tuple", lambda v: np.max(v, axis=())),
    ("var", lambda v: np.var(v)),
    ("var_axis1_ddof", lambda v: np.var(v, axis=1, ddof=1)),
    ("std_axes_keepdims", lambda v: np.std(v, axis=(0, -1), keepdims=True)),
    ("std_correction", lambda v: np.std(v, -1, correction=1.5)),
    ("var_method", lambda v: v.var(axis=0)),
    ("std_method", lambda v: v.std(axis=(0, 2), ddof=1)),
    ("maximum_reduce", lambda v: np.maximum.reduce(v)),
    ("minimum_reduce_axis_keepdims", lambda v: np.minimum.reduce(v, axis=(1, 2), keepdims=True)),
    ("multiply_reduce_initial", lambda v: np.multiply.reduce(v, axis=-1, initial=2.0)),
    ("prod_of_max", lambda v: np.prod(np.max(v, axis=1) * v[:, 0], axis=-1)),
]


@pytest.mark.parametrize("f", [f for _, f in REDUCTIONS], ids=[k for k, _ in REDUCTIONS])
def test_reductions(f):
    check(f, _distinct((3, 5, 4)), max_rows=14)  # 60 elements


@pytest.mark.parametrize("name", ["nanmax", "nanmin"])
def test_nan_reductions(name):
    """No scalar form to compare with (np.nanmax is not recorded element by
    element): NumPy and differences only; a NaN is skipped, its derivative 0."""
    func = getattr(np, name)
    check(lambda v: func(v, axis=1), _distinct((3, 5)), scalar=False, max_rows=6)
    x = np.array([1.0, np.nan, 2.0, 0.5])
    tape = adjit.trace(func, x)
    assert tape.forward(x)[0] == func(x)
    g = np.zeros(4)
    g[2 if name == "nanmax" else 3] = 1.0
    np.testing.assert_array_equal(tape.gradient(x), g)


def test_ties_split_by_halves():
    """The tree pairs element j with j + k//2 and carries an odd last one; each
    tie splits 0.5/0.5. So: max [1,3,3,2] -> [0,1/2,1/2,0]; four equal values
    1/4 each; three equal values 1/4, 1/4, 1/2; a tie with initial gives it half."""
    def grad(f, x):
        return adjit.trace(f, np.asarray(x, dtype=float)).gradient(np.asarray(x, float))

    np.testing.assert_array_equal(grad(np.max, [1, 3, 3, 2]), [0, 0.5, 0.5, 0])
    np.testing.assert_array_equal(grad(np.min, [1, 3, 3, 1]), [0.5, 0, 0, 0.5])
    np.testing.assert_array_equal(grad(np.max, [3, 3, 3, 3]), [0.25] * 4)
    np.testing.assert_array_equal(grad(np.max, [5, 5, 5]), [0.25, 0.25, 0.5])
    np.testing.assert_array_equal(grad(lambda v: np.max(v, initial=2.0), [1, 2]), [0, 0.5])
    g = grad(lambda v: np.max(v, axis=0).sum(), np.full((8, 3), 2.0))
    np.testing.assert_array_equal(g, np.full((8, 3), 1 / 8))
    with scalar_form():  # folds left to right: the last tie weighs most
        np.testing.assert_array_equal(grad(np.max, [3, 3, 3, 3]), [1 / 8, 1 / 8, 1 / 4, 1 / 2])
        np.testing.assert_array_equal(grad(np.max, [5, 5, 5]), [0.25, 0.25, 0.5])


def test_nan_propagates_as_in_numpy():
    x = np.array([1.0, 2.0, 0.5, 3.0])
    for func in (np.max, np.min, np.prod):
        tape = adjit.trace(lambda v, func=func: func(v, axis=0), x)
        for u in ([1.0, np.nan, 2.0, 0.5], [np.nan, 1.0, 2.0, 0.5], [1.0, 2.0, 0.5, np.nan]):
            assert np.isnan(tape.forward(np.array(u))[0]) and np.isnan(func(np.array(u)))


def test_prod_with_zeros_is_exact():
    """No division: the derivative of a product with a zero factor is the
    product of the others (closed form)."""
    x = np.array([2.0, 0.0, 3.0, 0.5, 1.5])
    g = adjit.trace(np.prod, x).gradient(x)
    np.testing.assert_array_equal(g, [0.0, 2 * 3 * 0.5 * 1.5, 0, 0, 0])
    x = np.array([2.0, 0.0, 3.0, 0.0])
    np.testing.assert_array_equal(adjit.trace(np.prod, x).gradient(x), 0.0)


def test_empty_and_length_one():
    """Length-1 lanes cost nothing; empty lanes are NumPy's: the identity or
    initial where it has one, NumPy's error where it has none."""
    x = _distinct((4, 3))
    tape = check(lambda v: np.max(v[:, :1], axis=1), x)
    assert tape.n_ops == 0
    check(lambda v: np.prod(v[:, :0], axis=1) * v[:, 0], x)
    check(lambda v: np.max(v[:, :0], axis=1, initial=2.0) + v[:, 0], x)
    for func in (np.max, np.min, np.amax, np.amin):
        with pytest.raises(ValueError, match="zero-size array"):
            func(np.ones((4, 0)), axis=1)
        with pytest.raises(ValueError, match="zero-size array"):
            adjit.trace(lambda v, func=func: func(v[:, :0], axis=1), x)
    with pytest.raises(np.exceptions.AxisError):
        adjit.trace(lambda v: np.max(v, axis=2), x)
    with pytest.raises(np.exceptions.AxisError):
        adjit.trace(lambda v: np.prod(v, axis=-3), x)


def test_results_are_new_arrays():
    """A reduction or scan over length-1 lanes records nothing, yet its result
    is a new array, as NumPy's: assigning into it leaves the input alone."""
    def f(v):
        m = np.max(v, axis=1)
        m[0] = 0.0
        c = np.cumsum(v, axis=1)
        c[1] = 5.0
        p = v[:1].prod(axis=0)
        p[0] = 2.0
        return v.sum() + m.sum() + c.sum() + p.sum()

    check(f, _distinct((4, 1)))


def test_unsupported_arguments_fall_back():
    """where=, dtype=, out=, a traced initial: the scalar form's answer (or its
    error), never a different number."""
    x = _distinct((3, 4))
    with pytest.raises(adjit.TracingError, match="where"):
        adjit.trace(lambda v: np.max(v, axis=1, where=np.array([True, False, True, True]),
                                     initial=0.0), x)
    with pytest.raises(adjit.TracingError, match="dtype"):
        adjit.trace(lambda v: np.prod(v, dtype=np.float32), x)

    def into_out(v):
        out = np.empty_like(v[0])
        np.max(v, axis=0, out=out)
        return out

    check(into_out, x)
    check(lambda v: np.max(v[1:], axis=0, initial=v[0, 0]), x)
    check(lambda v: np.var(v, axis=0, mean=np.mean(v, axis=0, keepdims=True)), x)


# --- scans --------------------------------------------------------------------------

SCANS = [
    ("cumsum", lambda v: np.cumsum(v)),
    ("cumsum_axis0", lambda v: np.cumsum(v, axis=0)),
    ("cumsum_axis-1", lambda v: np.cumsum(v, axis=-1)),
    ("cumsum_method", lambda v: v.cumsum(1)),
    ("cumsum_squared", lambda v: np.cumsum(v * v, axis=2) * v),
    ("cumprod", lambda v: np.cumprod(v)),
    ("cumprod_axis1", lambda v: np.cumprod(v, axis=1)),
    ("cumprod_method", lambda v: v.cumprod(axis=-3)),
    ("add_accumulate", lambda v: np.add.accumulate(v)),
    ("multiply_accumulate_axis", lambda v: np.multiply.accumulate(v, axis=2)),
]


@pytest.mark.parametrize("f", [f for _, f in SCANS], ids=[k for k, _ in SCANS])
def test_scans(f):
    check(f, _distinct((3, 5, 2)), max_rows=14)  # 30 elements


def test_scan_lengths():
    """Every length from 1 to 9 along the axis (powers of two and not), and
    length 0 (NumPy's empty result)."""
    for n in range(1, 10):
        x = _distinct((n, 2), seed=n)
        check(lambda v: np.cumsum(v, axis=0), x)
        check(lambda v: np.cumprod(v, axis=0), x)
        check(lambda v: np.cumsum(v[:, 1]), x)
    x = _distinct((3,))
    check(lambda v: np.concatenate([np.cumsum(v[:0]), v]), x)


# --- contractions -------------------------------------------------------------------

_C34 = np.linspace(-1.0, 1.0, 12).reshape(3, 4)

CONTRACTIONS = [
    ("matmul", (3, 4), lambda v: np.einsum("ij,kj->ik", v, v)),
    ("matmul_const", (3, 4), lambda v: np.einsum("ij,jk", v.T, _C34)),
    ("const_matmul", (3, 4), lambda v: np.einsum("ij,jk->ik", _C34, v.T)),
    ("rowwise_dot", (3, 4), lambda v: np.einsum("ij,ij->i", v, v)),
    ("hadamard", (3, 4), lambda v: np.einsum("ij,ij->ij", v, _C34)),
    ("full_dot", (3, 4), lambda v: np.einsum("ij,ij", v, v)),
    ("trace", (4, 4), lambda v: np.einsum("ii", v)),
    ("diagonal", (4, 4), lambda v: np.einsum("ii->i", v) * v[0]),
    ("transpose", (3, 4), lambda v: np.einsum("ji", v) * 2.0),
    ("sum_axis", (3, 4), lambda v: np.einsum("ij->j", v)),
    ("sum_all", (3, 4), lambda v: np.einsum("ij->", v * v)),
    ("outer", (3, 4), lambda v: np.einsum("i,j->ij", v[0], v[1])),
    ("three", (3, 4), lambda v: np.einsum("ij,jk,k->i", v, v.T, v[:, 0])),
    ("batched", (2, 3, 4), lambda v: np.einsum("bij,bkj->bik", v, v)),
    ("batched_matmul", (2, 3, 3), lambda v: np.einsum("...ij,...jk->...ik", v, v)),
    ("batch_keep_summed", (2, 3, 4), lambda v: np.einsum("bij,bij,b->bj", v, v, v[:, 0, 0])),
    ("repeated_in_two", (3, 3), lambda v: np.einsum("ii,ij->j", v, v)),
    ("ellipsis", (2, 3, 4), lambda v: np.einsum("...ij,j->...i", v, v[0, 0])),
    ("ellipsis_implicit", (2, 3, 4), lambda v: np.einsum("...j,...j", v, v)),
    ("ellipsis_broadcast", (2, 3, 4), lambda v: np.einsum("...j,...j->...", v, v[:1])),
    ("uppercase", (3, 4), lambda v: np.einsum("aB,cB", v, v)),
    ("tensordot_int", (2, 3, 4), lambda v: np.tensordot(v, v.transpose(1, 2, 0), axes=2)),
    ("tensordot_pairs", (2, 3, 4), lambda v: np.tensordot(v, v, axes=([0, 2], [0, 2]))),
    ("tensordot_const", (2, 3, 4), lambda v: np.tensordot(v, _C34, axes=([-2, -1], [0, 1]))),
    ("tensordot_zero", (2, 3, 2), lambda v: np.tensordot(v[0], v[1], axes=0)),
    ("inner", (2, 3, 4), lambda v: np.inner(v, v[0])),
    ("outer_fn", (3, 4), lambda v: np.outer(v, v[0])),
    ("vdot", (3, 4), lambda v: np.vdot(v, v.T.T * 2.0)),
    ("trace_fn", (3, 4), lambda v: np.trace(v)),
    ("trace_offset_axes", (2, 3, 4), lambda v: np.trace(v, 1, 2, 1)),
    ("trace_method", (4, 4), lambda v: v.trace(offset=-1)),
    ("diag_of_vector", (3, 4), lambda v: np.diag(v[0]) @ v.T),
    ("diag_above", (3, 4), lambda v: np.diag(v[1], 2) * 2.0),
    ("diag_below", (3, 4), lambda v: np.diag(v[2], k=-1) + 1.0),
    ("diag_of_matrix", (3, 4), lambda v: np.diag(v, 1) * v[0, :3]),
    ("diagflat", (2, 2), lambda v: np.diagflat(v) * 3.0),
    ("matmul_3d_2d", (2, 3, 4), lambda v: v @ _C34.T),
    ("matmul_3d_3d", (2, 3, 4), lambda v: v @ v.transpose(0, 2, 1)),
    ("matmul_broadcast", (2, 3, 4), lambda v: np.matmul(v[:1], v.transpose(0, 2, 1))),
    ("matmul_1d_3d", (2, 3, 4), lambda v: v[0, 0, :3] @ v),
    ("matmul_3d_1d", (2, 3, 4), lambda v: v @ v[1, 1]),
    ("matmul_const_3d", (3, 4), lambda v: np.stack([_C34.T, _C34.T]) @ v),
    ("dot_3d", (2, 3, 4), lambda v: np.dot(v, v[0].T)),
    ("dot_3d_vector", (2, 3, 4), lambda v: np.dot(v, v[1, 1])),
]


@pytest.mark.parametrize("shape, f", [(s, f) for _, s, f in CONTRACTIONS],
                         ids=[k for k, _, _ in CONTRACTIONS])
def test_contractions(shape, f):
    check(f, np.random.default_rng(len(shape)).standard_normal(shape), max_rows=6)


def test_contractions_that_fall_back():
    """The sublist form, a traced scalar operand, a length-1 label broadcast
    (NumPy's einsum broadcasts it): the scalar form, same values. Bad
    subscripts and shapes: NumPy's errors."""
    x = np.random.default_rng(1).standard_normal((3, 4))
    check(lambda v: np.einsum(v, [0, 1], v, [0, 1], [0]), x)
    check(lambda v: np.einsum("i,->i", v[0], v[1, 1]), x)
    check(lambda v: np.einsum("ij,j->i", v, v[0, :1]), x)
    for bad in ("ij,jk->ik", "ij->iij", "ij,j->q", "i->"):
        with pytest.raises(ValueError):
            np.einsum(bad, x, x[0]) if bad.count(",") else np.einsum(bad, x)
        with pytest.raises(ValueError):
            adjit.trace(lambda v, bad=bad: np.einsum(bad, v, v[0]) if bad.count(",")
                        else np.einsum(bad, v), x)
    with pytest.raises(ValueError):
        adjit.trace(lambda v: np.tensordot(v, v, axes=([0], [1])), x)


# --- the tape's size ----------------------------------------------------------------

def _n_ops(f, shape):
    return adjit.trace(f, _distinct(shape)).n_ops


LOG_COST = [
    # (id, f, shape at n, rows per level): a reduction level is an op and the
    # gathers of its two operands (3); a scan level an op on the way up, one on
    # the way down and the gathers of the interleaved partial scans (4; 6 when
    # odd lengths beside another axis gather the pairs too)
    ("prod", lambda v: np.prod(v), lambda n: (n,), 3),
    ("max_axis1", lambda v: np.max(v, axis=1), lambda n: (3, n), 3),
    ("min_axis0", lambda v: v.min(axis=0), lambda n: (n, 3), 3),
    ("prod_axes", lambda v: np.prod(v, axis=(0, 2)), lambda n: (n // 4, 2, 4), 3),
    ("cumsum", lambda v: np.cumsum(v), lambda n: (n,), 4),
    ("cumsum_axis1", lambda v: np.cumsum(v, axis=1), lambda n: (2, n), 4),
    ("cumprod_axis0", lambda v: np.cumprod(v, axis=0), lambda n: (n - 3, 2), 6),
]


@pytest.mark.parametrize("f, shape, per_level", [(f, s, c) for _, f, s, c in LOG_COST],
                         ids=[k for k, _, _, _ in LOG_COST])
def test_rows_grow_with_log2_of_the_length(f, shape, per_level):
    """16x more elements: at most ``per_level`` rows more for each of the 4
    extra levels; far fewer rows than elements."""
    small, large = _n_ops(f, shape(64)), _n_ops(f, shape(1024))
    assert large - small <= per_level * 4
    assert large <= per_level * math.log2(1024) + 6
    assert large * 20 < 1024


@pytest.mark.parametrize("f", [
    lambda v: np.einsum("ij,kj->ik", v, v), lambda v: np.einsum("ij,ij->i", v, v),
    lambda v: np.einsum("ij,jk,k->i", v, v.T, v[:, 0]), lambda v: np.tensordot(v, v, 2),
    lambda v: np.outer(v[0], v[1]), lambda v: np.trace(v), lambda v: np.inner(v, v),
    lambda v: np.einsum("ii", v), lambda v: np.var(v, axis=0), lambda v: np.std(v),
    lambda v: v @ v.reshape(4, -1, v.shape[1]).transpose(0, 2, 1),
], ids=["matmul", "rowwise", "three", "tensordot", "outer", "trace", "inner", "einsum_trace",
        "var", "std", "batched_matmul"])
def test_constant_cost_at_every_size(f):
    small, large = _n_ops(f, (8, 8)), _n_ops(f, (32, 32))
    assert small == large <= 8


def _random_einsum(rng):
    """A random einsum over labels a..d (sizes 2..3): 1 to 3 operands of 0 to 3
    labels (repeats allowed), read from one traced x or made constant, and an
    explicit output of some labels or the implicit one."""
    sizes = dict(zip("abcd", rng.integers(2, 4, 4).tolist()))
    specs = ["".join(rng.choice(list("abcd"), rng.integers(1, 4))) for _ in range(
        rng.integers(1, 4))]
    used = sorted(set("".join(specs)))
    if rng.random() < 0.7:
        out = "".join(rng.permutation(used)[:rng.integers(0, len(used) + 1)])
        subscripts = ",".join(specs) + "->" + out
    else:
        subscripts = ",".join(specs)
    shapes = [tuple(sizes[c] for c in s) for s in specs]
    const = [bool(rng.random() < 0.3) and k > 0 for k in range(len(specs))]
    consts = [np.linspace(-1, 1, math.prod(s)).reshape(s) for s in shapes]
    n = sum(math.prod(s) for s in shapes)

    def f(v):
        args, k = [], 0
        for s, c, C in zip(shapes, const, consts):
            size = math.prod(s)
            args.append(C if c else v[k:k + size].reshape(s))
            k += size
        return np.einsum(subscripts, *args) + v[0]  # a traced term even with no traced operand

    return subscripts, f, n


def test_random_einsums_agree_with_numpy_and_the_scalar_form():
    rng = np.random.default_rng(15)
    for _ in range(40):
        subscripts, f, n = _random_einsum(rng)
        x = rng.standard_normal(n)
        tape = adjit.trace(f, x)
        with scalar_form():
            plain = adjit.trace(f, x)
        ref = _reference(f, x.shape)
        _close(tape.forward(x), ref(x), 1e-12)
        J = tape.jacobian(x)
        _close(J, plain.jacobian(x), 1e-12)
        _close(J, central_jacobian(ref, x), 1e-6, 1e-8)
        assert tape.n_ops <= 12, subscripts


def test_random_reductions_agree_with_numpy_and_the_scalar_form():
    rng = np.random.default_rng(16)
    for _ in range(30):
        shape = tuple(rng.integers(1, 5, rng.integers(1, 4)).tolist())
        nd = len(shape)
        axis = [None, int(rng.integers(-nd, nd)),
                tuple(int(a) for a in rng.permutation(nd)[:rng.integers(0, nd + 1)])][
            rng.integers(0, 3)]
        keepdims = bool(rng.random() < 0.5)
        func = [np.prod, np.max, np.min, np.cumsum, np.cumprod][rng.integers(0, 5)]
        if func in (np.cumsum, np.cumprod):
            def f(v, func=func, axis=axis if not isinstance(axis, tuple) else None):
                return func(v, axis=axis)
        else:
            def f(v, func=func, axis=axis, keepdims=keepdims):
                return func(v, axis=axis, keepdims=keepdims)
        x = _distinct(shape, seed=int(rng.integers(1000)))
        tape = adjit.trace(f, x)
        with scalar_form():
            plain = adjit.trace(f, x)
        ref = _reference(f, shape)
        _close(tape.forward(x), ref(x), 1e-12)
        _close(tape.jacobian(x), plain.jacobian(x), 1e-12)
        _close(tape.jacobian(x), central_jacobian(ref, x.ravel()), 1e-6, 1e-8)
