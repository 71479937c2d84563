"""The optimizer on array programs: rows that repeat an earlier row are read from
it (adjit.arrays.without_common_rows), then dead rows go. The optimized tape
must compute the same function (values, gradients, Hessians against the
unoptimized tape and central differences) with fewer rows."""
import numpy as np
import pytest

import adjit
from adjit import arrays
from conftest import central_jacobian
from test_array_programs import _x, random_program


def _kinds(tape):
    return tape.op_counts()


def twice(x):
    a = np.sin(x) * np.cos(x)
    b = np.cos(x) * np.sin(x)  # the same products, operands swapped
    M = x.reshape(2, 3)
    return np.sum(a + b) + np.sum(M.T @ M) + np.sum(M.T @ M) + np.sum(np.exp(x[1:]) *
                                                                      np.exp(x[1:]))


def dets(x):
    A = x[:4].reshape(2, 2) + 3.0 * np.eye(2)
    return np.linalg.det(A) * np.linalg.det(A) + np.sum(np.linalg.solve(A, x[4:]))


@pytest.mark.parametrize("f,fewer", [(twice, ["sin", "cos", "mul", "matmul", "exp"]),
                                     (dets, ["linalg"])])
def test_repeated_rows_are_computed_once(f, fewer):
    x = _x(4)
    raw = adjit.trace(f, x, optimize=False)
    opt = raw.optimized()
    assert opt.n_ops < raw.n_ops
    before, after = _kinds(raw), _kinds(opt)
    for name in fewer:
        assert after.get(name, 0) < before[name], (name, before, after)
    for point in (x, 0.5 - x):
        np.testing.assert_allclose(opt.forward(point), np.atleast_1d(f(point)), rtol=1e-13)
        np.testing.assert_allclose(opt.gradient(point), central_jacobian(f, point)[0],
                                   rtol=1e-6, atol=1e-8)
        np.testing.assert_allclose(opt.hessian(point), raw.hessian(point), rtol=1e-12,
                                   atol=1e-12)
    assert adjit.trace(f, x).n_ops == opt.n_ops  # trace optimizes by default


def test_a_block_read_across_rows_keeps_its_slots():
    # scalar rows read as one vector by a sum: a duplicate among them stays,
    # so that the sum still reads one contiguous range
    def f(x):
        s = [x[0] * x[1], x[2] * x[3], x[0] * x[1]]
        v = np.array(s)
        return np.sum(v * x[:3]) + s[2] * x[5]
    x = _x(7)
    opt = adjit.trace(f, x)
    np.testing.assert_allclose(opt.forward(x), [f(x)], rtol=1e-14)
    np.testing.assert_allclose(opt.gradient(x), central_jacobian(f, x)[0], rtol=1e-6)


@pytest.mark.parametrize("seed", range(16))
def test_random_programs_keep_their_function(seed):
    f, _ = random_program(seed, vector=seed % 2 == 1)
    x = _x(seed)

    def g(v):  # the random program twice: every row has a twin
        return np.sum(np.atleast_1d(f(v))) + 0.5 * np.sum(np.atleast_1d(f(v)))
    raw = adjit.trace(g, x, optimize=False)
    opt = raw.optimized()
    assert opt.n_ops <= raw.n_ops
    for point in (x, 0.7 * x - 0.1):
        np.testing.assert_allclose(opt.forward(point), raw.forward(point), rtol=1e-13,
                                   atol=1e-13)
        np.testing.assert_allclose(opt.jacobian(point), raw.jacobian(point), rtol=1e-12,
                                   atol=1e-12)
    code = opt.arrays.code
    # no two rows left that are the same instruction on the same operands
    keys = {tuple(r) for r in code[:, [0, 1, 3, 4, 5, 6, 7]].tolist()
            if r[0] != arrays.GATHER and r[2] > 0}
    assert len(keys) == int(((code[:, 0] != arrays.GATHER) & (code[:, 3] > 0)).sum())


def test_data_arguments_are_never_merged_with_equal_constants():
    # the data traced with equal the constant block: merged, a new c would
    # silently change the constant too
    def f(x, c):
        y = np.concatenate([x, c])
        z = np.concatenate([x, np.ones(3)])
        return np.sum(y ** 2) + np.sum(z ** 3)
    x = np.array([0.3, -0.2, 0.5])
    tape = adjit.trace(f, x, np.ones(3))
    c = np.array([2.0, -1.0, 0.5])
    np.testing.assert_allclose(tape.forward(x, c), [f(x, c)], rtol=1e-14)
    np.testing.assert_allclose(tape.gradient(x, c), 2 * x + 3 * x ** 2, rtol=1e-14)


def test_rows_of_constants_are_computed_when_traced():
    def f(x):
        z = np.concatenate([x, np.linspace(0.1, 0.3, 3)])  # a block of constant slots
        w = np.exp(z[3:]) * 2.0  # computed from constants alone: folded
        return np.sum(z[:3] * w) + np.sum(np.sin(z) * z)
    x = np.array([0.3, -0.2, 0.5])
    raw = adjit.trace(f, x, optimize=False)
    opt = adjit.trace(f, x)
    assert "exp" in raw.op_counts() and "exp" not in opt.op_counts()
    for point in (x, -2.0 * x):
        np.testing.assert_allclose(opt.forward(point), [f(point)], rtol=1e-14)
        np.testing.assert_allclose(opt.gradient(point), raw.gradient(point), rtol=1e-14)
        np.testing.assert_allclose(opt.gradient(point), central_jacobian(f, point)[0],
                                   rtol=1e-6)


def test_constant_rows_fold_across_several_loads():
    # two constant blocks loaded apart, the first folded before the second is
    # loaded, and a row of both: each must be computed from its own values
    def f(x):
        z = np.concatenate([x, np.array([0.5, 1.5])])
        u = np.exp(z[3:])  # folded from the first load
        y = np.concatenate([x * u[0], np.array([2.0, -1.0])])
        w = y[3:] * u  # both loads: folded too
        return np.sum(x * w[0]) + np.sum(y[:3] * w[1]) + np.sum(np.sin(z))
    x = np.array([0.3, -0.2, 0.5])
    raw = adjit.trace(f, x, optimize=False)
    opt = adjit.trace(f, x)
    assert opt.n_ops < raw.n_ops
    for point in (x, 1.5 * x):
        np.testing.assert_allclose(opt.forward(point), [f(point)], rtol=1e-14)
        np.testing.assert_allclose(opt.gradient(point), central_jacobian(f, point)[0],
                                   rtol=1e-6)


# --- fusion of whole rows (arrays.fused_rows) ----------------------------------------

def lj_pairs(x):
    """A Lennard-Jones energy written with pair indices, as vectorized code is."""
    i, j = np.triu_indices(x.shape[0] // 3, 1)
    dx, dy, dz = (x[3 * i + c] - x[3 * j + c] for c in range(3))
    r2 = dx * dx + dy * dy + dz * dz
    s6 = 1.0 / (r2 * r2 * r2)
    return 4.0 * np.sum(s6 * s6 - s6)


def lj_closed_gradient(x):
    pos = x.reshape(-1, 3)
    d = pos[:, None, :] - pos[None, :, :]
    r2 = np.sum(d * d, axis=-1)
    np.fill_diagonal(r2, 1.0)
    dphi = 4.0 * (-6.0 * r2 ** -7 + 3.0 * r2 ** -4)
    np.fill_diagonal(dphi, 0.0)
    return (2.0 * np.einsum("ij,ijk->ik", dphi, d)).ravel()


def _lattice(atoms):
    g = np.stack(np.meshgrid(*[np.arange(3)] * 3, indexing="ij"), -1).reshape(-1, 3)[:atoms]
    return (1.12 * g + np.random.default_rng(atoms).uniform(-0.05, 0.05, g.shape)).ravel()


def test_pair_energy_fuses_into_sqdiff_cube_and_inv_cube():
    x = _lattice(8)
    raw = adjit.trace(lj_pairs, x, optimize=False)
    opt = adjit.trace(lj_pairs, x)
    counts = opt.op_counts()
    assert counts.get("sqdiff") == 3 and counts.get("inv_cube") == 1, counts
    assert "cube" not in counts and "reciprocal" not in counts and "mul" not in counts
    assert opt.n_ops <= raw.n_ops - 5
    for point in (x, x[::-1].copy()):
        np.testing.assert_array_equal(opt.forward(point), raw.forward(point))  # same bits
        np.testing.assert_allclose(opt.gradient(point), lj_closed_gradient(point),
                                   rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(opt.gradient(point), raw.gradient(point), rtol=1e-13,
                                   atol=1e-13)
        np.testing.assert_allclose(opt.hessian(point), raw.hessian(point), rtol=1e-11,
                                   atol=1e-11)
    xs = x + 0.01 * np.random.default_rng(0).standard_normal((5, x.size))
    np.testing.assert_allclose(opt.gradient(xs), raw.gradient(xs), rtol=1e-13, atol=1e-13)
    # the folded scalar loop fuses the same way
    def loop(v):
        e = 0.0
        for a in range(v.shape[0] // 3):
            for b in range(a + 1, v.shape[0] // 3):
                d = [v[3 * a + c] - v[3 * b + c] for c in range(3)]
                r2 = d[0] * d[0] + d[1] * d[1] + d[2] * d[2]
                s6 = 1.0 / (r2 * r2 * r2)
                e = e + (s6 * s6 - s6)
        return 4.0 * e
    folded = adjit.trace(loop, x).folded()
    assert {"sqdiff", "inv_cube"} <= set(folded.op_counts())
    np.testing.assert_allclose(folded.gradient(x), lj_closed_gradient(x), rtol=1e-12,
                               atol=1e-12)


@pytest.mark.parametrize("f, kept", [
    # the difference is an output too: it stays a row, and the square reads it
    (lambda x: np.concatenate([x[1:] - x[:-1], (x[1:] - x[:-1]) ** 2]), "sub"),
    # the square is read twice: no cube
    (lambda x: np.sum(x * x * x + x * x), "square"),
    # 1 / cube read by another row too
    (lambda x: (lambda c: np.sum(1.0 / c + c))(x * x * x), "cube"),
])
def test_an_inner_row_read_elsewhere_is_not_fused_away(f, kept):
    x = np.linspace(0.6, 1.4, 6)
    opt = adjit.trace(f, x)
    assert kept in opt.op_counts()
    raw = adjit.trace(f, x, optimize=False)
    np.testing.assert_array_equal(opt.forward(x), raw.forward(x))
    np.testing.assert_allclose(opt.jacobian(x), central_jacobian(f, x), rtol=1e-6, atol=1e-8)


def test_a_data_argument_equal_to_one_is_not_taken_for_a_number():
    def f(x, c):
        return np.sum(c / x)
    x = np.linspace(0.5, 1.5, 4)
    tape = adjit.trace(f, x, np.ones(4))
    assert "reciprocal" not in tape.op_counts()
    c = np.array([2.0, 3.0, 0.5, 1.0])
    np.testing.assert_allclose(tape.forward(x, c), [f(x, c)], rtol=1e-14)
    np.testing.assert_allclose(tape.gradient(x, c), -c / x ** 2, rtol=1e-14)
    # a constant one is
    assert "reciprocal" in adjit.trace(lambda v: np.sum(1.0 / v), x).op_counts()


def test_fusion_keeps_values_bit_for_bit_at_the_edges():
    # zeros, infinities and NaN through the fused ops give exactly the unfused values
    def f(x):
        d = x[1:] - x[:-1]
        return np.concatenate([d * d, 1.0 / (x * x * x)])
    x = np.array([0.0, 0.0, np.inf, -1e-120, 3.0, np.nan, -2.0])
    with np.errstate(all="ignore"):
        raw = adjit.trace(f, np.linspace(1, 2, 7), optimize=False)
        opt = adjit.trace(f, np.linspace(1, 2, 7))
        assert {"sqdiff", "inv_cube"} <= set(opt.op_counts())
        np.testing.assert_array_equal(opt.forward(x), raw.forward(x))
        np.testing.assert_array_equal(opt.forward(x), f(x))
