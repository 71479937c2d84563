"""NumPy's API on traced arrays (adjit.numpy_api, adjit.linalg): each function
against NumPy's or SciPy's own value on floats at two points or more, its
derivatives against central differences of that reference; everyday idioms;
and the errors, which name the function and what to write instead."""
import math

import numpy as np
import pytest
import scipy.special as sp

import adjit
from adjit.errors import TracingError

from support import central_jacobian

W = np.random.default_rng(7).normal(size=(3, 4))


def M34(v):
    return v.reshape(3, 4)


def sq(v):
    """A well-conditioned 3x3 matrix from the first 9 inputs."""
    return v[:9].reshape(3, 3) + 2.0 * np.eye(3)


def spd(v):
    A = v[:9].reshape(3, 3)
    return A @ A.T + np.eye(3)


def pivoting(v):
    """A matrix whose elimination swaps rows (its first column grows downwards)."""
    return v[:9].reshape(3, 3) * np.array([[0.1], [1.0], [3.0]])


def _flat(r) -> list:
    """A function's result (scalar, array of any shape, list or tuple of them)
    as a flat list, the outputs of a tape."""
    parts = r if isinstance(r, (list, tuple)) else [r]
    return [e for p in parts for e in np.asarray(p, dtype=object).ravel().tolist()]


def _out(f):
    def ref(v):
        with np.errstate(all="ignore"):  # the side np.where does not take
            return np.array(_flat(f(v)), dtype=float)
    return ref


def _traced(f):
    return lambda v: _flat(f(v))


def _buffer(v):
    out = np.zeros_like(v)
    for i in range(len(v)):
        out[i] = v[i] ** 2
    out += 1.0
    out[1:4] *= v[4:7]
    out -= np.full_like(v, 0.5)
    return out


def _ones_buffer(v):
    out = np.ones_like(M34(v))
    out[0] = np.sin(M34(v)[1])
    out[:, 1] = M34(v)[:, 2] ** 3
    return out


def _empty_buffer(v):
    out = np.empty_like(v)
    out[:] = v * 2.0
    out[::2] = np.exp(v[::2])
    return out


def _object_buffer(v):
    out = np.zeros(6, dtype=object)
    for i in range(6):
        out[i] = v[i] * v[i + 1]
    return np.tanh(out)


def _mask_assign(v):
    u = v.copy()
    u[u > 1.0] = 0.0
    return u


def _mask_assign_list(v):
    u = M34(v).copy()
    mask = np.array([[t > 1.0 for t in row] for row in M34(v)])  # a plain object array
    u[mask] = 2.0 * v[0]
    return u


def _copyto(v):
    out = np.empty_like(v)
    np.copyto(out, np.sqrt(v))
    return out


def _out_arg(v):
    out = np.empty_like(M34(v))
    np.multiply(M34(v), 3.0, out=out)
    np.sum(M34(v), axis=0, out=out[0])
    return out


def _float_or_traced(name):
    """scipy's ufunc on floats; the same call is recorded on traced values."""
    return getattr(sp, name)


# (id, function of the flat inputs, reference on floats or None for the same
# function, guard-free: its tape is valid wherever the inputs move)
CASES = [
    # reductions, with axes, keepdims, ddof, weights
    ("sum", lambda v: np.sum(M34(v)), None, True),
    ("sum_axis0", lambda v: M34(v).sum(axis=0), None, True),
    ("sum_axes_keepdims", lambda v: np.sum(v.reshape(2, 3, 2), axis=(0, 2), keepdims=True),
     None, True),
    ("sum_initial", lambda v: np.sum(M34(v), axis=1, initial=2.0), None, True),
    ("prod", lambda v: np.prod(M34(v), axis=0), None, True),
    ("prod_method", lambda v: M34(v).prod(), None, True),
    ("max", lambda v: np.max(M34(v), axis=1), None, True),
    ("amax_keepdims", lambda v: np.amax(M34(v), axis=0, keepdims=True), None, True),
    ("min", lambda v: M34(v).min(), None, True),
    ("amin_axis", lambda v: np.amin(M34(v), axis=-1), None, True),
    ("mean", lambda v: np.mean(M34(v)), None, True),
    ("mean_axis0", lambda v: np.mean(M34(v), axis=0), None, True),
    ("mean_method_keepdims", lambda v: M34(v).mean(axis=1, keepdims=True), None, True),
    ("std", lambda v: np.std(M34(v)), None, True),
    ("std_axis_ddof", lambda v: np.std(M34(v), axis=0, ddof=1), None, True),
    ("var", lambda v: M34(v).var(axis=1), None, True),
    ("var_ddof_tuple", lambda v: np.var(v.reshape(2, 3, 2), axis=(0, 2), ddof=1), None, True),
    ("average", lambda v: np.average(M34(v)), None, True),
    ("average_weights_axis", lambda v: np.average(M34(v), axis=1, weights=[1.0, 2.0, 3.0, 4.0]),
     None, True),
    ("average_weights_full", lambda v: np.average(M34(v), weights=W ** 2), None, True),
    ("average_traced_weights", lambda v: np.average(v[:6], weights=v[6:]), None, True),
    ("ptp", lambda v: np.ptp(M34(v), axis=1), None, True),
    ("cov", lambda v: np.cov(M34(v)), None, True),
    ("cov_rowvar_ddof_y", lambda v: np.cov(v[:6].reshape(3, 2), v[6:].reshape(3, 2),
                                           rowvar=False, ddof=0), None, True),
    ("corrcoef", lambda v: np.corrcoef(M34(v)), None, True),
    ("linspace", lambda v: np.linspace(v[0], v[1] + 1.0, 5), None, True),
    ("nan_to_num", lambda v: np.nan_to_num(np.log(v - 1.0), neginf=-5.0), None, True),
    ("cumsum", lambda v: np.cumsum(M34(v), axis=1), None, True),
    ("cumsum_flat", lambda v: M34(v).cumsum(), None, True),
    ("cumprod", lambda v: np.cumprod(M34(v), axis=0), None, True),
    ("diff", lambda v: np.diff(M34(v), axis=0), None, True),
    ("diff_n2_prepend", lambda v: np.diff(v, n=2, prepend=0.0), None, True),
    ("add_reduce_axes", lambda v: np.add.reduce(v.reshape(2, 3, 2), axis=(0, 1)), None, True),
    ("maximum_reduce", lambda v: np.maximum.reduce(M34(v), axis=None), None, True),
    # selection
    ("where", lambda v: np.where(M34(v) > 1.0, M34(v) ** 2, -M34(v)), None, True),
    ("where_scalar", lambda v: np.where(v[0] > v[1], v[0] * v[2], v[1]), None, True),
    ("where_isfinite", lambda v: np.where(np.isfinite(np.log(v - 1.0)), v, 0.0), None, True),
    ("where_isnan", lambda v: np.where(np.isnan(np.sqrt(v - 1.0)), -v, v), None, True),
    ("where_isinf", lambda v: np.where(np.isinf(1.0 / (v - v[0])), 1.0, v), None, True),
    ("select", lambda v: np.select([v < 0.8, v < 1.2], [v ** 2, np.sin(v)], v), None, True),
    ("clip", lambda v: np.clip(M34(v), 0.8, 1.2), None, True),
    ("clip_method", lambda v: M34(v).clip(max=1.1), None, True),
    ("interp", lambda v: np.interp(v, [0.6, 0.9, 1.2, 1.4], [1.0, -2.0, 0.5, 3.0]), None, True),
    ("interp_left_right", lambda v: np.interp(v, [0.7, 1.0, 1.3], [1.0, 2.0, 0.0], left=-1.0,
                                              right=5.0), None, True),
    ("interp_traced_fp", lambda v: np.interp(np.linspace(0.0, 1.0, 7), [0.0, 0.3, 0.8, 1.0],
                                             v[:4]), None, True),
    ("sort", lambda v: np.sort(M34(v), axis=1), None, False),
    ("argmax_take", lambda v: v[np.argmax(v[:6])] * v[np.argmin(v[6:]) + 6], None, False),
    # products
    ("einsum", lambda v: np.einsum("ij,kj->ik", M34(v), W), None, True),
    ("einsum_trace", lambda v: np.einsum("ii", sq(v)), None, True),
    ("einsum_bilinear", lambda v: np.einsum("i,ij,j", v[:3], M34(v), v[4:8]), None, True),
    ("matmul", lambda v: M34(v) @ W.T, None, True),
    ("matmul_traced", lambda v: np.matmul(M34(v), M34(v).T), None, True),
    ("matmul_batch", lambda v: v.reshape(3, 2, 2) @ v.reshape(3, 2, 2), None, True),
    ("dot", lambda v: np.dot(M34(v), v[:4]), None, True),
    ("dot_method", lambda v: M34(v).dot(W.T), None, True),
    ("outer", lambda v: np.outer(v[:3], v[3:6]), None, True),
    ("trace", lambda v: np.trace(sq(v)), None, True),
    ("trapezoid", lambda v: np.trapezoid(v[:6] ** 2, v[6:].cumsum()), None, True),
    ("pad", lambda v: np.pad(M34(v), ((1, 0), (0, 2)), constant_values=0.5), None, True),
    ("vdot_inner", lambda v: np.vdot(v[:6], v[6:]) + np.inner(v[:3], v[3:6]), None, True),
    ("tensordot_kron_cross", lambda v: np.r_[np.tensordot(M34(v), W, axes=([1], [1])).ravel(),
                                              np.kron(v[:2], v[2:4]), np.cross(v[:3], v[3:6])],
     None, True),
    # linear algebra
    ("solve", lambda v: np.linalg.solve(sq(v), v[9:]), None, False),
    ("solve_matrix_rhs", lambda v: np.linalg.solve(sq(v), M34(v)[:, :2]), None, False),
    ("solve_pivoting", lambda v: np.linalg.solve(pivoting(v), v[9:]), None, False),
    ("solve_batch", lambda v: np.linalg.solve(np.stack([sq(v), spd(v)]),
                                              np.stack([M34(v)[:, :1], M34(v)[:, 1:2]])),
     None, False),
    ("inv", lambda v: np.linalg.inv(sq(v)), None, False),
    ("inv_pivoting", lambda v: np.linalg.inv(pivoting(v)), None, False),
    ("det", lambda v: np.linalg.det(pivoting(v)), None, False),
    ("det_batch", lambda v: np.linalg.det(v[:8].reshape(2, 2, 2)), None, False),
    ("slogdet", lambda v: np.linalg.slogdet(pivoting(v) - 1.0)[1], None, False),
    ("slogdet_sign", lambda v: np.linalg.slogdet(pivoting(v) - 1.0)[0] * v[0], None, False),
    ("cholesky", lambda v: np.linalg.cholesky(spd(v)), None, False),
    ("cholesky_upper", lambda v: np.linalg.cholesky(spd(v), upper=True), None, False),
    ("norm", lambda v: np.linalg.norm(v), None, True),
    ("norm_axis", lambda v: np.linalg.norm(M34(v), axis=1), None, True),
    ("norm_fro", lambda v: np.linalg.norm(M34(v), "fro"), None, True),
    ("norm_keepdims", lambda v: np.linalg.norm(M34(v), axis=0, keepdims=True), None, True),
    ("norm_ords", lambda v: [np.linalg.norm(v - 1.0, o) for o in (1, 2, 3, 0.5, np.inf,
                                                                -np.inf, 0)], None, True),
    ("norm_matrix_ords", lambda v: [np.linalg.norm(M34(v) - 1.0, o)
                                    for o in (1, -1, np.inf, -np.inf)], None, True),
    ("norm_axes_tuple", lambda v: np.linalg.norm(v.reshape(3, 2, 2), axis=(1, 2)), None, True),
    # SciPy (and NumPy ufuncs outside the op table)
    ("logsumexp", lambda v: adjit.logsumexp(v), lambda v: sp.logsumexp(v), True),
    ("logsumexp_axis", lambda v: adjit.logsumexp(M34(v) * 30.0, axis=1),
     lambda v: sp.logsumexp(M34(v) * 30.0, axis=1), True),
    ("logsumexp_b_keepdims", lambda v: adjit.logsumexp(M34(v), axis=0, b=W ** 2, keepdims=True),
     lambda v: sp.logsumexp(M34(v), axis=0, b=W ** 2, keepdims=True), True),
    ("logsumexp_sign", lambda v: adjit.logsumexp(v[:4], b=[1.0, -2.0, 1.0, 0.5],
                                                 return_sign=True),
     lambda v: sp.logsumexp(v[:4], b=[1.0, -2.0, 1.0, 0.5], return_sign=True), True),
    ("expit", lambda v: sp.expit(40.0 * (v - 1.0)), None, True),
    ("xlogy", lambda v: sp.xlogy(v[:6], v[6:]), None, True),
    ("xlog1py", lambda v: sp.xlog1py(v[:6], v[6:] - 1.0), None, True),
    ("gammaln", lambda v: sp.gammaln(3.0 * v - 2.0), None, True),
    ("erf_erfc", lambda v: np.r_[sp.erf(v - 1.0), sp.erfc(v)], None, True),
    ("log1p_expm1_cbrt", lambda v: np.r_[sp.log1p(v), sp.expm1(v), sp.cbrt(v - 1.0)], None,
     True),
    ("exp2_exp10", lambda v: np.r_[sp.exp2(v), sp.exp10(v), np.exp2(v)], None, True),
    ("logit_ndtr", lambda v: np.r_[sp.logit(v / 2.0), sp.ndtr(v - 1.0)], None, True),
    ("logaddexp", lambda v: np.r_[np.logaddexp(v[:6], 3.0 * v[6:]),
                                  np.logaddexp2(v[:6], v[6:])], None, True),
    ("degrees", lambda v: np.r_[np.deg2rad(v), np.rad2deg(v), np.radians(v), np.degrees(v)],
     None, True),
    # buffers, in-place updates, out=
    ("zeros_like", _buffer, None, True),
    ("ones_like", _ones_buffer, None, True),
    ("empty_like", _empty_buffer, None, True),
    ("object_buffer", _object_buffer, lambda v: np.tanh(v[:6] * v[1:7]), True),
    ("mask_assign", _mask_assign, None, True),
    ("mask_assign_plain_mask", _mask_assign_list, None, True),
    ("type_questions", lambda v: v * (2.0 if np.isrealobj(v) and not np.iscomplexobj(v)
                                      else 1.0), None, True),
    ("copyto", _copyto, None, True),
    ("out_argument", _out_arg, None, True),
    # moving elements (run by NumPy on object arrays)
    ("shapes", lambda v: np.concatenate([np.transpose(M34(v)).ravel(),
                                         np.stack([v[:2], v[2:4]], axis=1).ravel(),
                                         np.take(v, [3, 1, 1]), np.flip(v)[:3],
                                         np.roll(v, 2)[:3], np.tril(sq(v)).ravel(),
                                         np.diag(sq(v)), np.swapaxes(M34(v), 0, 1)[1],
                                         np.repeat(v[:2], 2), np.tile(v[:2], 2),
                                         np.hstack([v[:1], v[5:6]]), np.append(v[:1], 3.0)]),
     None, True),
]


def _points(rng):
    return [rng.uniform(0.6, 1.4, 12), rng.uniform(0.6, 1.4, 12)]


@pytest.mark.parametrize("name, f, ref, guard_free", CASES, ids=[c[0] for c in CASES])
def test_function_against_numpy_and_differences(name, f, ref, guard_free, rng):
    ref = _out(ref or f)
    x0, x1 = _points(rng)
    f = _traced(f)
    tape0 = adjit.trace(f, x0)
    if guard_free:
        assert len(tape0.guards) == 0, f"{name}: recorded guards"
    for x in (x0, x1):
        tape = tape0 if guard_free else adjit.trace(f, x)
        want = ref(x.copy())
        np.testing.assert_allclose(tape.forward(x), want, rtol=1e-12, atol=1e-13)
        J = tape.jacobian(x)
        np.testing.assert_allclose(J, central_jacobian(ref, x), rtol=1e-6, atol=1e-6)


def test_matrix_instructions_pivot_again_at_every_point(rng):
    """On traced arrays np.linalg.solve is one matrix instruction: LAPACK picks
    its pivots at each point, so a point with another pivot order needs no new
    trace (no guard)."""
    x0 = rng.uniform(0.6, 1.4, 12)
    f = lambda v: np.sum(np.linalg.solve(pivoting(v), v[9:]))  # noqa: E731
    tape = adjit.trace(f, x0)
    assert len(tape.guards) == 0
    x2 = x0.copy()
    x2[0] = 50.0  # the first column's largest entry moves to row 0
    for x in (x0 + 1e-3, x2):
        np.testing.assert_allclose(tape.forward(x), f(x), rtol=1e-12)
        np.testing.assert_allclose(tape.gradient(x), central_jacobian(f, x)[0], rtol=1e-6)


def test_guarded_functions_keep_their_tape_while_the_pivots_stay(rng, monkeypatch):
    """Recorded element by element, a tape of np.linalg.solve evaluated at a
    nearby point (same pivot order) agrees with NumPy; where the pivot order
    differs it raises BranchChanged, and adjit.grad traces again and gives the
    right gradient."""
    monkeypatch.setattr(adjit.config, "array_instructions", False)
    x0 = rng.uniform(0.6, 1.4, 12)
    f = lambda v: np.sum(np.linalg.solve(pivoting(v), v[9:]))  # noqa: E731
    tape = adjit.trace(f, x0)
    assert len(tape.guards) > 0
    x1 = x0 + 1e-3
    np.testing.assert_allclose(tape.forward(x1), f(x1), rtol=1e-12)
    x2 = x0.copy()
    x2[0] = 50.0  # the first column's largest entry moves to row 0
    with pytest.raises(adjit.BranchChanged):
        tape.forward(x2)
    np.testing.assert_allclose(adjit.grad(f)(x2), central_jacobian(f, x2)[0], rtol=1e-6)


def test_where_and_interp_never_retrace(rng):
    """np.where on a traced condition and np.interp record selects, not guards:
    one tape serves points on either side of every condition and knot."""
    f = lambda v: np.sum(np.where(v > 1.0, v ** 2, -v)) + np.sum(  # noqa: E731
        np.interp(v, [0.5, 0.9, 1.1, 1.6], [0.0, 1.0, -1.0, 2.0]))
    tape = adjit.trace(f, np.full(4, 0.7))
    assert len(tape.guards) == 0
    for x in (rng.uniform(0.0, 2.0, 4), rng.uniform(0.0, 2.0, 4)):
        np.testing.assert_allclose(tape.forward(x), f(x), rtol=1e-13)
        np.testing.assert_allclose(tape.gradient(x), central_jacobian(f, x)[0], rtol=1e-6,
                                   atol=1e-8)


def test_expit_xlogy_gammaln_at_their_edges():
    """expit far out on both sides, xlogy at x == 0, gammaln below 0: SciPy's values
    and finite derivatives (no overflow inside the recorded formula)."""
    x = np.array([-800.0, -30.0, 0.0, 30.0, 800.0])
    tape = adjit.trace(lambda v: sp.expit(v), x)
    np.testing.assert_allclose(tape.forward(x), sp.expit(x), rtol=1e-15)
    d = sp.expit(x) * sp.expit(-x)
    np.testing.assert_allclose(np.diag(tape.jacobian(x)), d, rtol=1e-14)
    tape = adjit.trace(lambda v: sp.xlogy(v[0], v[1]), [0.0, 2.0])
    np.testing.assert_array_equal(tape.forward([0.0, 0.0]), [0.0])
    np.testing.assert_allclose(tape.gradient([0.0, 2.0]), [math.log(2.0), 0.0])
    z = np.array([-2.5, -0.3, 0.5, 7.0])
    tape = adjit.trace(lambda v: sp.gammaln(v), z)
    np.testing.assert_allclose(tape.forward(z), sp.gammaln(z), rtol=1e-14)
    np.testing.assert_allclose(np.diag(tape.jacobian(z)), sp.digamma(z), rtol=1e-13)


# --- everyday idioms ---------------------------------------------------------------------


def _newton_sqrt(v):
    # a while loop with a convergence test: each test is a guard
    y = v[0]
    while abs(y * y - v[1]) > 1e-13 * v[1]:
        y = 0.5 * (y + v[1] / y)
    return y


def _gradient_descent(v):
    p = np.zeros_like(v[:2])
    for _ in range(20):
        g = 2.0 * (p - v[:2]) + 0.1 * p
        p = p - 0.2 * g
    return p


def _softmax_xent(v):
    logits = M34(v)
    logp = logits - adjit.logsumexp(logits, axis=1, keepdims=True)
    return -np.mean(logp[np.arange(3), [0, 2, 1]])


def _ref_softmax_xent(v):
    logits = M34(v)
    logp = logits - sp.logsumexp(logits, axis=1, keepdims=True)
    return -np.mean(logp[np.arange(3), [0, 2, 1]])


def _standardize(v):
    X = M34(v)
    return ((X - X.mean(axis=0)) / X.std(axis=0)).ravel()


def _pairwise(v):
    P = v.reshape(4, 3)
    d = P[:, None, :] - P[None, :, :]
    r2 = np.sum(d ** 2, axis=-1) + np.eye(4)
    return np.sum(np.triu(1.0 / r2, k=1))


def _lsq(v):
    A = np.c_[np.ones(6), v[:6]]
    coef = np.linalg.solve(A.T @ A, A.T @ v[6:])
    return coef


def _gaussian_nll(v):
    mu, log_s = v[0], v[1]
    data = np.array([0.3, 1.2, 0.8, 1.9])
    z = (data - mu) / np.exp(log_s)
    return 0.5 * np.sum(z ** 2) + len(data) * log_s


def _mvn_logpdf(v):
    S = spd(v)
    L = np.linalg.cholesky(S)
    r = v[9:] - 1.0
    z = np.linalg.solve(L, r)
    return -0.5 * z @ z - np.sum(np.log(np.diag(L)))


def _loop_update(v):
    s = np.zeros_like(v[:3])
    for i in range(4):
        s += v[3 * i:3 * i + 3] * (i + 1)
    s *= 0.5
    return s


def _rk4(v):
    y, k = v[0], v[1]
    h = 0.1
    for _ in range(10):
        f = lambda t: -k * t ** 3  # noqa: E731
        a = f(y)
        b = f(y + h / 2 * a)
        c = f(y + h / 2 * b)
        d = f(y + h * c)
        y = y + h / 6 * (a + 2 * b + 2 * c + d)
    return y


IDIOMS = [
    ("sum of squares", lambda v: np.sum(v ** 2)),
    ("row sums", lambda v: M34(v).sum(axis=1)),
    ("column means", lambda v: np.mean(M34(v), axis=0)),
    ("std of all", lambda v: np.std(v)),
    ("sample variance", lambda v: np.var(v, ddof=1)),
    ("standardize columns", _standardize),
    ("relu by where", lambda v: np.sum(np.where(v > 1.0, v - 1.0, 0.0))),
    ("huber loss", lambda v: np.sum(np.where(np.abs(v - 1) < 0.2, 0.5 * (v - 1) ** 2,
                                             0.2 * (np.abs(v - 1) - 0.1)))),
    ("einsum quadratic form", lambda v: np.einsum("i,ij,j->", v[:3], sq(v), v[9:])),
    ("matrix product", lambda v: (M34(v) @ M34(v).T).ravel()),
    ("matvec", lambda v: M34(v) @ np.arange(4.0)),
    ("vector norm", lambda v: np.linalg.norm(v - 1.0)),
    ("row norms", lambda v: np.linalg.norm(M34(v), axis=1)),
    ("linear solve", lambda v: np.linalg.solve(sq(v), v[9:])),
    ("least squares", _lsq),
    ("log det", lambda v: np.linalg.slogdet(spd(v))[1]),
    ("inverse", lambda v: np.linalg.inv(sq(v))[0]),
    ("gaussian log pdf", _mvn_logpdf),
    ("cumulative sum", lambda v: np.cumsum(v)[-3:]),
    ("running product", lambda v: np.cumprod(v[:5])),
    ("finite differences", lambda v: np.diff(v, 2)),
    ("fancy indexing", lambda v: v[[0, 3, 3, 7]] * v[np.array([1, 2, 5, 11])]),
    ("2-D fancy indexing", lambda v: M34(v)[[0, 2], [1, 3]]),
    ("slicing with steps", lambda v: v[::3] - v[1::3]),
    ("logsumexp", lambda v: adjit.logsumexp(v * 5.0)),
    ("softmax cross-entropy", _softmax_xent, _ref_softmax_xent),
    ("in-place updates", _loop_update),
    ("zeros_like buffer", _buffer),
    ("while loop to convergence", _newton_sqrt),
    ("gradient descent steps", _gradient_descent),
    ("pairwise distances", _pairwise),
    ("gaussian negative log-likelihood", _gaussian_nll),
    ("RK4 integration", _rk4),
    ("max and argmax", lambda v: np.max(v) + v[np.argmax(v)]),
    ("clip", lambda v: np.sum(np.clip(v, 0.8, 1.2) ** 2)),
    ("outer product", lambda v: np.outer(v[:3], v[3:5]).ravel()),
    ("trace", lambda v: np.trace(M34(v)[:, :3] @ M34(v)[:, 1:])),
    ("weighted average", lambda v: np.average(v, weights=np.arange(1.0, 13.0))),
    ("stack and reshape", lambda v: np.stack([v[:4], v[4:8] ** 2]).T.reshape(-1)),
    ("interpolate a table", lambda v: np.interp(v, [0.5, 1.0, 1.5], [0.0, 2.0, 1.0])),
    ("sigmoid", lambda v: sp.expit(v - 1.0)),
    ("log-gamma likelihood", lambda v: np.sum(sp.gammaln(v + 1.0) - v * np.log(v))),
]


@pytest.mark.parametrize("idiom", IDIOMS, ids=[i[0] for i in IDIOMS])
def test_everyday_numpy_idioms(idiom, rng):
    """Code as people write it, traced as written, against central differences
    of the same code run on floats (SciPy's logsumexp in the reference)."""
    name, f = idiom[0], idiom[1]
    ref = _out(idiom[2] if len(idiom) > 2 else f)
    assert len(IDIOMS) >= 30
    x = rng.uniform(0.6, 1.4, 12)
    if name == "while loop to convergence":
        x[:2] = [1.0, 2.0]
    tape = adjit.trace(_traced(f), x)
    np.testing.assert_allclose(tape.forward(x), ref(x.copy()), rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(tape.jacobian(x), central_jacobian(ref, x), rtol=1e-6,
                               atol=1e-6)


# --- errors --------------------------------------------------------------------------------


def _float_buffer(v):
    out = np.zeros(3)
    out[0] = v[0] ** 2
    return out


def _float_inplace(v):
    out = np.zeros(3)
    out += v[:3]
    return out


@pytest.mark.parametrize("f, words", [
    (lambda v: np.sum(v[v > 1.0]), ["boolean mask", "np.where"]),
    (lambda v: M34(v)[M34(v) > 1.0], ["boolean mask", "np.where"]),
    (_float_buffer, ["float array", "np.empty_like", "np.zeros_like"]),
    (_float_inplace, ["np.add", "float64", "np.empty_like"]),
    (lambda v: np.array(v, dtype=float), ["float array", "np.empty_like"]),
    (lambda v: v.astype(int), ["astype", "int64"]),
    (lambda v: v.astype(float), ["astype", "float64", "np.empty_like"]),
    (lambda v: np.round(v), ["np.round", "np.floor"]),
    (lambda v: np.unique(v), ["np.unique"]),
    (lambda v: np.isclose(v, 1.0), ["np.isclose"]),
    (lambda v: np.median(v), ["np.median", "np.sort"]),
    (lambda v: np.histogram(v), ["np.histogram"]),
    (lambda v: np.linalg.eigh(spd(v)), ["np.linalg.eigh"]),
    (lambda v: np.linalg.svd(M34(v)), ["np.linalg.svd"]),
    (lambda v: np.linalg.norm(M34(v), 2), ["np.linalg.norm", "singular value"]),
    (lambda v: np.nonzero(v > 1.0), ["np.nonzero", "np.where"]),
    (lambda v: np.interp(0.5, v[:3], [0.0, 1.0, 2.0]), ["np.interp", "knots"]),
    (lambda v: sp.logsumexp(v), ["scipy.special.logsumexp", "adjit.logsumexp"]),
    (lambda v: np.sum(v, where=v > 0), ["np.sum", "where"]),
    (lambda v: np.rint(v), ["np.rint", "np.floor"]),
    (lambda v: sp.psi(v), ["scipy.special.psi", "not supported"]),
    (lambda v: np.spacing(v), ["np.spacing", "not supported"]),
])
def test_errors_name_the_function_and_what_to_write(f, words):
    with pytest.raises(TracingError) as info:
        adjit.trace(f, np.linspace(0.6, 1.4, 12))
    for w in words:
        assert w in str(info.value), (w, str(info.value))


def test_singular_and_indefinite_matrices_raise_numpys_errors():
    with pytest.raises(np.linalg.LinAlgError, match="Singular"):
        adjit.trace(lambda v: np.linalg.solve(np.outer(v[:2], v[:2]), v[2:]), [1.0, 2.0, 3.0, 4.0])
    with pytest.raises(np.linalg.LinAlgError, match="positive definite"):
        adjit.trace(lambda v: np.linalg.cholesky(np.diag(v) - 2.0), [1.0, 2.0])
    tape = adjit.trace(lambda v: np.linalg.det(np.outer(v[:2], v[:2])) + v[0], [1.0, 2.0])
    assert tape.forward([1.0, 2.0])[0] == 1.0
