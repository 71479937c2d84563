"""Every opcode through every kernel path, driven by the op table.

For each opcode (``adjit.ops.VARIANTS``: every op in every operand kind, and the
constant load) a tape is built by hand, one row per test point, so the
optimizer cannot rewrite the op away: the "vector" tape has one output per
row, the "scalar" tape sums the rows into one output. Both are evaluated by
every path that runs a kernel (forward on the runs and the row-by-row paths,
with and without superinstructions; tangents and adjoints with one and several
directions; the recomputing gradient; batches at several block sizes; dense
Jacobians both ways; Hessians and HVPs by both second-order methods; sparse
Jacobians and Hessians; the @njit API) and compared with references that owe
nothing to the table's partial rules: values from the table's value rule, and
first and second partials from mpmath differences of the value rule at 40
digits (``support.mp_partials``). Tolerances are tight enough that any one
kernel's partial for any one opcode made 1.0001x wrong fails (see
``python -m tests.mutants``). Kernel paths that must agree are compared bit
for bit. The adjacent-pair superinstructions get their own test.
"""
import functools

import numpy as np
import pytest

import adjit
from adjit import codegen, ops
from adjit.tape import Tape

from support import (SECOND_ORDER_METHODS, forced_block, has_pairs, hessian_by, mp_partials,
                     njit_results, op_points, use_pairs, use_runs)

RTOL1 = 1e-9  # first derivatives against the mpmath reference
RTOL2 = 1e-8  # second derivatives
ATOL = 1e-12
BLOCKS = (1, 3, 16, 17)
N_BATCH = 20
VARIANTS = ops.VARIANTS
IDS = [v.name for v in VARIANTS]
ADD = ops.OPCODES["add"]
SQUARE = ops.OPCODES["square"]
MUL = ops.OPCODES["mul"]


class Case:
    """One opcode's tapes, points and references."""

    def __init__(self, variant):
        self.variant = v = variant
        op = v.op
        self.kind = v.kind
        if op is None:  # the constant load
            p0 = p1 = [(c, 0.0) for c in (-2.5, 0.0, 1.75)]  # constants: in the tape
        else:
            p0 = op_points(op, seed=0)
            rng = np.random.default_rng(1 + v.opcode)
            (alo, ahi), (blo, bhi) = op.domain
            # second point set: the variable operands redrawn, constants kept
            p1 = []
            for a, b in p0:
                if self.kind in (ops.UNARY, ops.VC, ops.VV):
                    a = float(rng.uniform(alo, ahi))
                if self.kind in (ops.CV, ops.VV):
                    b = float(rng.uniform(blo, bhi))
                p1.append((a, b))
        self.points = (p0, p1)
        self.k = len(p0)
        self.vector = self._tape(p0, scalar=False)
        self.scalar = self._tape(p0, scalar=True)
        self.x = [self._x(p) for p in self.points]
        self.ref = [self._reference(p) for p in self.points]

    # the tapes: one row per point ------------------------------------------------------
    def _n(self):
        return 2 * self.k if self.kind == ops.VV else self.k

    def _var(self, i):
        """The first input of point i."""
        return 2 * i if self.kind == ops.VV else i

    def _x(self, pts):
        if self.kind == ops.VV:
            return np.array([c for p in pts for c in p])
        if self.kind == ops.CV:
            return np.array([b for _, b in pts])
        return np.array([a for a, _ in pts])

    def _tape(self, pts, scalar):
        k, n, code = self.k, self._n(), self.variant.opcode
        rows, consts = [], []
        for i, (a, b) in enumerate(pts):
            if self.kind == ops.CONST:
                consts.append(a)
                rows.append([code, n + i, i, 0])
            elif self.kind == ops.UNARY:
                rows.append([code, n + i, i, 0])
            elif self.kind == ops.VV:
                rows.append([code, n + i, 2 * i, 2 * i + 1])
            else:  # vc: the constant is b; cv: the constant is a
                consts.append(b if self.kind == ops.VC else a)
                rows.append([code, n + i, i, i])
        outputs = [n + i for i in range(k)]
        if scalar:  # the sum over i of f_i + f_i**2 + f_i * u_i, u_i = (its first
            # input)**2: the second-order sweeps then see each op's first partials
            # (through the square) and its value (through the product), not only
            # its second partials
            terms = list(outputs)
            for i in range(k):
                rows.append([SQUARE, n + len(rows), n + i, 0])
                terms.append(n + len(rows) - 1)
                rows.append([SQUARE, n + len(rows), self._var(i), 0])
                rows.append([MUL, n + len(rows), n + i, n + len(rows) - 1])
                terms.append(n + len(rows) - 1)
            last = terms[0]
            for t in terms[1:]:
                rows.append([ADD, n + len(rows), last, t])
                last = n + len(rows) - 1
            outputs = [last]
        return Tape(rows, consts, outputs, n)

    # references -------------------------------------------------------------------------
    def _reference(self, pts):
        """The vector tape's values (k,) and Jacobian J (k, n); the scalar tape's
        value, gradient (n,) and Hessian (n, n), NaN where undefined."""
        k, n = self.k, self._n()
        vals, J, H = np.empty(k), np.zeros((k, n)), np.zeros((n, n))
        op = self.variant.op
        for i, (a, b) in enumerate(pts):
            if op is None:
                vals[i] = a
                continue
            with np.errstate(all="ignore"):
                vals[i] = float(ops.python_rule(op, "value")(a, b))
            d0, d1, d00, d01, d11 = _partials(op.name, a, b)
            if self.kind == ops.VV:
                J[i, 2 * i], J[i, 2 * i + 1] = d0, d1
                H[2 * i, 2 * i], H[2 * i + 1, 2 * i + 1] = d00, d11
                H[2 * i, 2 * i + 1] = H[2 * i + 1, 2 * i] = d01
            elif self.kind == ops.CV:
                J[i, i], H[i, i] = d1, d11
            else:
                J[i, i], H[i, i] = d0, d00
        # the scalar tape: sum of f_i + f_i**2 + f_i u_i, u_i = x[var_i]**2.
        # H holds each f_i'' in its own block: weight them by 1 + 2 f_i + u_i
        x = self._x(pts)
        var = np.array([self._var(i) for i in range(k)])
        u = x[var] ** 2
        du = np.zeros((k, n))  # row i: the gradient of u_i
        du[np.arange(k), var] = 2.0 * x[var]
        weight = np.ones(n)
        for i in range(k):
            cols = slice(2 * i, 2 * i + 2) if self.kind == ops.VV else slice(i, i + 1)
            weight[cols] = 1.0 + 2.0 * vals[i] + u[i]
        H = weight[:, None] * H + 2.0 * J.T @ J + J.T @ du + du.T @ J
        H[var, var] += 2.0 * vals
        value = (vals + vals ** 2 + vals * u).sum()
        grad = J.T @ (1.0 + 2.0 * vals + u) + du.T @ vals
        return vals, J, value, grad, H


@functools.lru_cache(maxsize=None)
def _partials(name, a, b):
    return mp_partials(ops.OPS[name], a, b)


@functools.lru_cache(maxsize=None)
def case(name):
    return Case(VARIANTS[ops.OPCODES[name]])


def close(actual, expected, rtol, what):
    """actual == expected to rtol, skipping entries the reference leaves NaN."""
    expected = np.asarray(expected, dtype=float)
    actual = np.asarray(actual, dtype=float)
    mask = ~np.isnan(expected)
    np.testing.assert_allclose(actual[mask], expected[mask], rtol=rtol, atol=ATOL,
                               err_msg=what)


def _batch(c):
    """N_BATCH points alternating between the two point sets, and the index
    of the set each row comes from."""
    which = np.array([(b * 7 // 3) % 2 for b in range(N_BATCH)])
    return np.stack([c.x[s] for s in which]), which


# --- values, tangents, adjoints, Jacobians -----------------------------------------------


@pytest.mark.parametrize("name", IDS)
def test_forward_on_every_path(name):
    c = case(name)
    t = c.vector
    for s in (0, 1):
        x = c.x[s]
        y = use_runs(t, True).forward(x)
        np.testing.assert_allclose(y, c.ref[s][0], rtol=1e-14, atol=0, err_msg="runs")
        # the row-by-row kernels compute the same bits
        np.testing.assert_array_equal(use_pairs(use_runs(t, False), False).forward(x), y)
        np.testing.assert_array_equal(use_pairs(t, True).forward(x), y)


@pytest.mark.parametrize("name", IDS)
def test_tangents_and_adjoints(name):
    c = case(name)
    t = c.vector
    rng = np.random.default_rng(7)
    n, m = t.n_inputs, t.n_outputs
    for pairs in (False, True):
        t = use_pairs(c.vector, pairs)
        for s in (0, 1):
            x, (vals, J, *_) = c.x[s], c.ref[s]
            v, V = rng.normal(size=n), rng.normal(size=(n, 3))
            w, W = rng.normal(size=m), rng.normal(size=(2, m))
            y, jv = t.jvp(x, v)
            np.testing.assert_allclose(y, vals, rtol=1e-14, atol=0)
            close(jv, J @ v, RTOL1, "jvp, 1 direction")
            close(t.jvp(x, V)[1], J @ V, RTOL1, "jvp, 3 directions")
            close(t.vjp(x, w)[1], w @ J, RTOL1, "vjp, 1 seed")
            close(t.vjp(x, W)[1], W @ J, RTOL1, "vjp, 2 seeds")
            close(t.jacobian(x, mode="forward"), J, RTOL1, "jacobian forward")
            close(t.jacobian(x, mode="reverse"), J, RTOL1, "jacobian reverse")
            close(t.sparse_jacobian(x).toarray(), J, RTOL1, "sparse jacobian")


@pytest.mark.parametrize("name", IDS)
def test_gradient_on_every_path(name):
    c = case(name)
    t = c.scalar
    for s in (0, 1):
        x, (_, _, val, grad, _) = c.x[s], c.ref[s]
        v0, g0 = use_runs(t, True).value_and_gradient(x)
        assert v0 == pytest.approx(val, rel=1e-13, abs=1e-14, nan_ok=True)
        close(g0, grad, RTOL1, "gradient, runs path")
        for pairs in (False, True):
            v1, g1 = use_pairs(use_runs(t, False), pairs).value_and_gradient(x)
            np.testing.assert_array_equal(v1, v0)
            np.testing.assert_array_equal(g1, g0)


@pytest.mark.parametrize("block", BLOCKS)
@pytest.mark.parametrize("name", IDS)
def test_batches_at_every_block_size(name, block):
    c = case(name)
    X, which = _batch(c)
    with forced_block(block):
        Y = c.vector.forward(X)
        ys, G = c.scalar.value_and_gradient(X)
    for s in (0, 1):
        rows = which == s
        vals, _, val, grad, _ = c.ref[s]
        np.testing.assert_allclose(Y[rows], np.broadcast_to(vals, Y[rows].shape), rtol=1e-14,
                                   atol=0, err_msg="batch forward")
        close(ys[rows], np.full(rows.sum(), val), 1e-13, "batch value")
        close(G[rows], np.broadcast_to(grad, G[rows].shape), RTOL1, "batch gradient")


# --- second order ---------------------------------------------------------------------


@pytest.mark.parametrize("name", IDS)
def test_hessians_by_both_methods_and_sparse(name):
    c = case(name)
    t = c.scalar
    rng = np.random.default_rng(3)
    for s in (0, 1):
        x, H = c.x[s], c.ref[s][4]
        by = {m: hessian_by(t, x, m) for m in SECOND_ORDER_METHODS}
        for m, Hm in by.items():
            close(Hm, H, RTOL2, f"hessian by {m}")
        close(t.sparse_hessian(x).toarray(), H, RTOL2, "sparse hessian")
        ok = ~np.isnan(H).any(axis=0)  # directions whose products are defined
        v = np.where(ok, rng.normal(size=t.n_inputs), 0.0)
        V = np.where(ok[:, None], rng.normal(size=(t.n_inputs, 2)), 0.0)
        Hz = np.where(np.isnan(H), 0.0, H)
        rows = ~np.isnan(H).any(axis=1)
        close(t.hvp(x, v)[rows], (Hz @ v)[rows], RTOL2, "hvp, 1 direction")
        close(t.hvp(x, V)[rows], (Hz @ V)[rows], RTOL2, "hvp, 2 directions")


@pytest.mark.parametrize("name", IDS)
def test_batched_jacobians_and_hvps(name):
    """Jacobians both ways and Hessian-vector products at a batch of points, by
    the blocked kernels that store partials (block_partials, block_second)."""
    c = case(name)
    X, which = _batch(c)
    rng = np.random.default_rng(11)
    V = rng.normal(size=X.shape)
    for s in (0, 1):  # directions whose products are defined
        V[which == s] *= ~np.isnan(c.ref[s][4]).any(axis=0)
    jf, jr = c.vector.jacobian(X, mode="forward"), c.vector.jacobian(X, mode="reverse")
    hv = c.scalar.hvp(X, V)
    for k, s in enumerate(which):
        J, H = c.ref[s][1], c.ref[s][4]
        close(jf[k], J, RTOL1, "batch jacobian forward")
        close(jr[k], J, RTOL1, "batch jacobian reverse")
        rows = ~np.isnan(H).any(axis=1)
        close(hv[k][rows], (np.where(np.isnan(H), 0.0, H) @ V[k])[rows], RTOL2, "batch hvp")


# --- the @njit API ----------------------------------------------------------------------


@pytest.mark.parametrize("name", IDS)
def test_njit_api(name):
    c = case(name)
    x, (vals, J, val, grad, _) = c.x[0], c.ref[0]
    rng = np.random.default_rng(5)
    v, w = rng.normal(size=c.vector.n_inputs), rng.normal(size=c.vector.n_outputs)
    got = njit_results(c.vector, x, v, w)
    np.testing.assert_allclose(got["value"], vals, rtol=1e-14, atol=0)
    close(got["jvp"], J @ v, RTOL1, "njit jvp")
    close(got["vjp"], w @ J, RTOL1, "njit vjp")
    close(got["jacobian"], J, RTOL1, "njit jacobian")
    got_val, g = njit_results(c.scalar, x)["value_and_gradient"]
    assert got_val == pytest.approx(val, rel=1e-13, abs=1e-14, nan_ok=True)
    close(g, grad, RTOL1, "njit gradient")


# --- traced: the op reached through NumPy and the tracer --------------------------------

TRACED = [v for v in VARIANTS if v.op is not None and v.op.ufuncs]


@pytest.mark.parametrize("name", [v.name for v in TRACED])
def test_traced_through_its_ufunc(name):
    c = case(name)
    uf = c.variant.op.ufuncs[0]
    pts, x, (vals, J, *_) = c.points[0], c.x[0], c.ref[0]
    kind, k = c.kind, c.k

    def f(z):
        if kind == ops.UNARY:
            return [uf(z[i]) for i in range(k)]
        if kind == ops.VV:
            return [uf(z[2 * i], z[2 * i + 1]) for i in range(k)]
        if kind == ops.VC:
            return [uf(z[i], pts[i][1]) for i in range(k)]
        return [uf(pts[i][0], z[i]) for i in range(k)]

    t = adjit.trace(f, x)
    np.testing.assert_allclose(t.forward(x), vals, rtol=1e-14, atol=0)
    close(t.jacobian(x), J, RTOL1, "traced jacobian")


# --- superinstructions ---------------------------------------------------------------------

PAIRS = codegen.pairs()
_PAIR_POINTS = np.array([[1.3, 0.7], [0.6, 1.9], [2.1, 1.1]])


def _pair_row(v, result, arg0):
    """A row of variant v whose variable operand is slot arg0; the other
    operand is input 1 (vv) or constant 0 (vc, cv)."""
    return [v.opcode, result, arg0, 1 if v.kind == ops.VV else 0]


@pytest.mark.parametrize("first,second", PAIRS, ids=[f"{a.name}-{b.name}" for a, b in PAIRS])
def test_superinstruction_pairs(first, second):
    """Adjacent rows run through the paired kernels give the same bits as one
    row at a time (each checked against references above), forwards (values,
    linearization) and backwards (the recomputing gradient)."""
    rows = [_pair_row(first, 2, 0), _pair_row(second, 3, 2)]
    paired = Tape(rows, [1.25], [3], 2)
    single = use_pairs(Tape(rows, [1.25], [3], 2), False)
    use_runs(paired, False)
    use_runs(single, False)
    assert has_pairs(paired) and not has_pairs(single)
    assert (paired.program.reverse_dispatch != paired.instructions[:, 0]).any()
    for x in _PAIR_POINTS:
        np.testing.assert_array_equal(paired.forward(x), single.forward(x))
        vp, gp = paired.value_and_gradient(x)
        vs, gs = single.value_and_gradient(x)
        np.testing.assert_array_equal(vp, vs)
        np.testing.assert_array_equal(gp, gs)
        np.testing.assert_array_equal(paired.jacobian(x), single.jacobian(x))
        for a, b in zip(paired.jvp(x, [1.0, -0.5]), single.jvp(x, [1.0, -0.5])):
            np.testing.assert_array_equal(a, b)  # values and tangents of the linearization
    # and the pair's gradient is right: differences of the single-row forward
    x = _PAIR_POINTS[0]
    h = 1e-5
    fd = [(single.forward(x + h * e)[0] - single.forward(x - h * e)[0]) / (2 * h)
          for e in np.eye(2)]
    np.testing.assert_allclose(paired.gradient(x), fd, rtol=1e-6, atol=1e-8)


def test_every_opcode_is_on_the_tapes_above():
    """Each opcode's tapes hold that opcode on every point (the optimizer never
    saw them), with random and special points from its table entry."""
    for v in VARIANTS:
        c = case(v.name)
        assert (c.vector.opcode == v.opcode).sum() == c.k >= 3, v.name
        assert (c.scalar.opcode[: c.k] == v.opcode).all(), v.name
        if v.op is not None:
            assert c.k >= 3 + len(v.op.special), v.name
