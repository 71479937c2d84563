"""Matrix instructions: np.linalg solve, inv, det, slogdet and cholesky on traced
blocks record one LINALG row per matrix (adjit.array_linalg) with their own
rules (adjit.matrix_rules). Every derivative path is checked against central
differences of NumPy's own function, closed forms, forward-vs-reverse
agreement and the dot-product identity; the scalar expansion and the
element-by-element recording (ADJIT_ARRAYS off) must compute the same function.
"""
import os
import pickle

import numpy as np
import pytest

import adjit
from adjit import arrays

RNG = np.random.default_rng(42)
M = 4


def _mat(seed, m=M, spd=False):
    r = np.random.default_rng(seed)
    A = r.normal(size=(m, m))
    if spd:
        return A @ A.T + m * np.eye(m)
    return A + 0.5 * m * np.eye(m) * r.choice([-1, 1])


def _fd_grad(f, x, h=1e-6):
    return np.array([(f(x + h * e) - f(x - h * e)) / (2 * h) for e in np.eye(len(x))])


def _fd_jac(f, x, h=1e-6):
    return np.array([(np.atleast_1d(f(x + h * e)) - np.atleast_1d(f(x - h * e))) / (2 * h)
                     for e in np.eye(len(x))]).T


def _close(a, b, tol):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    scale = max(1.0, float(np.abs(b).max()) if b.size else 1.0)
    assert a.shape == b.shape, (a.shape, b.shape)
    assert np.abs(a - b).max() <= tol * scale, np.abs(a - b).max()


# Each case: a scalar function of x (the traced form also runs on plain NumPy
# arrays, which is the reference), and a point.
def f_solve(x):
    A = x[:M * M].reshape(M, M)
    return np.sum(np.linalg.solve(A, x[M * M:]) ** 3)


def f_solve_matrix(x):
    A = x[:M * M].reshape(M, M)
    B = x[M * M:].reshape(M, 2)
    return np.sum(np.sin(np.linalg.solve(A, B)))


def f_inv(x):
    return np.sum(np.linalg.inv(x.reshape(M, M)) ** 2)


def f_det(x):
    return np.linalg.det(x.reshape(M, M)) ** 2 / 100.0


def f_slogdet(x):
    sign, logabs = np.linalg.slogdet(x.reshape(M, M))
    return sign * logabs ** 2


def f_cholesky(x):
    A = x.reshape(M, M)
    L = np.linalg.cholesky(A @ A.T + M * np.eye(M))
    return np.sum(L ** 3) + np.sum(np.log(np.diagonal(L)))


def f_cholesky_lower_only(x):  # reads the lower triangle of a non-symmetric array
    A = x.reshape(M, M) + M * np.eye(M)
    return np.sum(np.linalg.cholesky(A) ** 2 * np.arange(M * M).reshape(M, M))


def f_cholesky_upper(x):
    A = x.reshape(M, M) + M * np.eye(M)
    return np.sum(np.linalg.cholesky(A, upper=True) ** 3)


def f_constant_matrix(x):  # a traced right-hand side, a constant matrix
    return np.sum(np.linalg.solve(_mat(7), x[:M]) ** 2)


def f_stack(x):  # leading axes: one row per matrix
    A = x[:2 * M * M].reshape(2, M, M)
    return np.sum(np.linalg.det(A)) + np.sum(np.linalg.inv(A)[1])


def f_mixed(x):
    A = x[:M * M].reshape(M, M)
    y = np.linalg.solve(A @ A.T + np.eye(M), np.cos(x[M * M:]))
    return np.sum(y * np.linalg.slogdet(A)[1]) + np.linalg.det(A[:2, :2])


def _spd_point(seed):
    return np.linalg.cholesky(_mat(seed, spd=True)).ravel() * 0.5 + 0.1


CASES = {
    "solve": (f_solve, lambda s: np.concatenate([_mat(s).ravel(), RNG.normal(size=M)])),
    "solve_matrix": (f_solve_matrix,
                     lambda s: np.concatenate([_mat(s).ravel(), RNG.normal(size=2 * M)])),
    "inv": (f_inv, lambda s: _mat(s).ravel()),
    "det": (f_det, lambda s: _mat(s).ravel()),
    "slogdet": (f_slogdet, lambda s: _mat(s).ravel()),
    "cholesky": (f_cholesky, lambda s: _mat(s).ravel()),
    "cholesky_lower_only": (f_cholesky_lower_only, lambda s: np.abs(_mat(s)).ravel() * 0.3),
    "cholesky_upper": (f_cholesky_upper, lambda s: np.abs(_mat(s)).ravel() * 0.3),
    "constant_matrix": (f_constant_matrix, lambda s: RNG.normal(size=M)),
    "stack": (f_stack, lambda s: np.concatenate([_mat(s).ravel(), _mat(s + 1).ravel()])),
    "mixed": (f_mixed, lambda s: np.concatenate([_mat(s).ravel(), RNG.normal(size=M)])),
}


@pytest.fixture(scope="module", params=sorted(CASES))
def case(request):
    f, point = CASES[request.param]
    x = point(3)
    return request.param, f, x, adjit.trace(f, x)


def test_one_matrix_row_per_matrix(case):
    name, f, x, tape = case
    code = tape.arrays.code
    rows = int((code[:, 0] == arrays.LINALG).sum())
    # stack: two determinants and the one inverse of the two that is used
    assert rows == {"stack": 3, "mixed": 3}.get(name, 1)
    assert tape.n_ops < 40  # not M**3 scalar rows


def test_values_match_numpy(case):
    name, f, x, tape = case
    for point in (x, x * 1.05 + 0.01):
        _close(tape.forward(point), np.atleast_1d(f(point)), 1e-12)


def test_gradient_against_central_differences(case):
    name, f, x, tape = case
    for point in (x, x * 0.97 - 0.02):
        _close(tape.gradient(point), _fd_grad(f, point), 1e-6)


def test_forward_and_reverse_agree(case):
    name, f, x, tape = case
    v = RNG.normal(size=len(x))
    w = np.array([0.7])
    y, jv = tape.jvp(x, v)
    _, wj = tape.vjp(x, w)
    assert np.isclose(w @ jv, wj @ v, rtol=1e-10, atol=1e-12)  # w(Jv) = (J^T w) v
    V = RNG.normal(size=(len(x), 3))
    _, JV = tape.jvp(x, V)
    _close(JV, tape.gradient(x)[None, :] @ V, 1e-10)
    _close(tape.jacobian(x, mode="forward"), tape.jacobian(x, mode="reverse"), 1e-10)


def test_hessian_and_hvp_against_differences_of_the_gradient(case):
    name, f, x, tape = case
    H = tape.hessian(x)
    _close(H, _fd_jac(tape.gradient, x, 1e-5), 1e-5)
    _close(H, H.T, 1e-10)
    v = RNG.normal(size=len(x))
    _close(tape.hvp(x, v), H @ v, 1e-9)


def test_batches_match_single_points(case):
    name, f, x, tape = case
    xs = np.stack([x, x * 1.02, x - 0.01])
    ys, gs = tape.value_and_gradient(xs)
    for k in range(3):
        y, g = tape.value_and_gradient(xs[k])
        assert np.isclose(ys[k], y, rtol=1e-14)
        _close(gs[k], g, 1e-14)
    _close(tape.forward(xs)[:, 0], ys, 1e-14)


def test_scalar_expansion_computes_the_same_function(case):
    name, f, x, tape = case
    parts = arrays.expand(tape.arrays)
    scalar = adjit.Tape(**parts, guard_sources=["g"] * len(parts["guards"]))
    for point in (x, x * 1.03 + 0.01):
        _close(scalar.forward(point), np.atleast_1d(f(point)), 1e-10)
        _close(scalar.gradient(point), tape.gradient(point), 1e-9)
    # the Tape methods on the expansion: sparse Hessian, its pattern
    H = tape.hessian(x)
    _close(tape.sparse_hessian(x).toarray(), H, 1e-9)
    # (the dense matrix formulas leave rounding-level entries where terms cancel)
    assert (tape.hessian_sparsity().toarray() >= (np.abs(H) > 1e-12 * np.abs(H).max())).all()


def test_files_pickles_and_dead_rows(case, tmp_path):
    name, f, x, tape = case
    g = tape.gradient(x)
    path = tmp_path / "t.adjit"
    tape.save(path)
    for other in (adjit.load(path), pickle.loads(pickle.dumps(tape)), tape.optimized()):
        _close(other.gradient(x), g, 1e-14)


def test_array_and_element_recordings_agree(case, monkeypatch):
    name, f, x, tape = case
    monkeypatch.setattr(adjit.config, "array_instructions", False)
    scalar = adjit.trace(f, x)
    assert not (getattr(scalar, "arrays", None) is not None)
    _close(tape.gradient(x), scalar.gradient(x), 1e-10)
    _close(tape.hessian(x), scalar.hessian(x), 1e-9)


# --- closed forms ------------------------------------------------------------------------

def test_closed_forms_of_the_classical_rules():
    A = _mat(11)
    b = RNG.normal(size=M)
    Ai = np.linalg.inv(A)
    # d/db sum(solve(A, b) * c) = A^-T c; d/dA = -(A^-T c) x^T
    c = RNG.normal(size=M)
    x = np.concatenate([A.ravel(), b])
    t = adjit.trace(lambda z: np.linalg.solve(z[:M * M].reshape(M, M), z[M * M:]) @ c, x)
    g = t.gradient(x)
    lam = Ai.T @ c
    _close(g[M * M:], lam, 1e-12)
    _close(g[:M * M], -np.outer(lam, Ai @ b).ravel(), 1e-12)
    # d det / dA = det(A) A^-T (Jacobi's formula); d log|det| / dA = A^-T
    t = adjit.trace(lambda z: np.linalg.det(z.reshape(M, M)), A.ravel())
    _close(t.gradient(A.ravel()), (np.linalg.det(A) * Ai.T).ravel(), 1e-11)
    t = adjit.trace(lambda z: np.linalg.slogdet(z.reshape(M, M))[1], A.ravel())
    _close(t.gradient(A.ravel()), Ai.T.ravel(), 1e-12)
    # Hessian of log|det A|: d2/dA_ij dA_kl = -(A^-1)_jk (A^-1)_li
    want = -np.einsum("jk,li->ijkl", Ai, Ai).reshape(M * M, M * M)
    _close(t.hessian(A.ravel()), want, 1e-10)


def test_det_gradient_at_a_singular_matrix_is_the_adjugate():
    A = np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [1.0, 0.0, 1.0]])  # rank 2
    t = adjit.trace(lambda z: np.linalg.det(z.reshape(3, 3)), A.ravel() + np.eye(3).ravel())
    adj = np.array([[np.linalg.det(np.delete(np.delete(A, i, 0), j, 1)) * (-1) ** (i + j)
                     for j in range(3)] for i in range(3)])  # cofactors
    _close(t.gradient(A.ravel()), adj.ravel(), 1e-10)
    assert t.forward(A.ravel())[0] == pytest.approx(0.0, abs=1e-12)


def test_pivoting_changes_between_points():
    # the pivot order at the recording point differs from the one at the
    # evaluation point: LAPACK pivots again, the results stay right
    x0 = np.array([3.0, 1.0, 1.0, 2.0, 1.0, 2.0])
    f = lambda z: np.sum(np.linalg.solve(z[:4].reshape(2, 2), z[4:]) ** 2)  # noqa: E731
    tape = adjit.trace(f, x0)
    x1 = np.array([0.0, 1.0, 1.0, 2.0, 1.0, 2.0])  # a zero where the first pivot was
    _close(tape.forward(x1), [f(x1)], 1e-13)
    _close(tape.gradient(x1), _fd_grad(f, x1), 1e-6)


# --- errors ---------------------------------------------------------------------------------

def test_singular_and_indefinite_matrices_raise_as_numpy():
    sing = np.array([1.0, 2.0, 2.0, 4.0])
    with pytest.raises(np.linalg.LinAlgError):
        adjit.trace(lambda z: np.sum(np.linalg.inv(z.reshape(2, 2))), sing)
    with pytest.raises(np.linalg.LinAlgError):
        adjit.trace(lambda z: np.sum(np.linalg.solve(z.reshape(2, 2), np.ones(2))), sing)
    with pytest.raises(np.linalg.LinAlgError):
        adjit.trace(lambda z: np.sum(np.linalg.cholesky(z.reshape(2, 2))),
                    np.array([1.0, 0.0, 0.0, -1.0]))
    tape = adjit.trace(lambda z: np.sum(np.linalg.inv(z.reshape(2, 2))),
                       np.array([2.0, 0.0, 0.0, 1.0]))
    with pytest.raises(np.linalg.LinAlgError):
        tape.gradient(sing)
    with pytest.raises(np.linalg.LinAlgError, match="square"):
        adjit.trace(lambda z: np.linalg.det(z.reshape(2, 3)), np.ones(6))


@pytest.mark.parametrize("field,value,msg", [
    (3, 99, "results"),     # length that no m x m fits
    (4, 10 ** 6, "out of range"),  # A beyond the slots written so far
    (1, 9, "op or shape"),  # an unknown matrix op
])
def test_damaged_matrix_rows_are_refused(field, value, msg):
    x = _mat(2).ravel()
    tape = adjit.trace(lambda z: np.linalg.det(z.reshape(M, M)), x)
    a = tape.arrays
    code = np.array(a.code)
    i = int(np.flatnonzero(code[:, 0] == arrays.LINALG)[0])
    code[i, field] = value
    with pytest.raises(adjit.TapeError, match=msg):
        arrays.build(code, a.index, a.constants, a.outputs, a.n_inputs, a.guards)


def test_environment_switch_still_records_element_by_element():
    if os.environ.get("ADJIT_ARRAYS") == "0":
        pytest.skip("array instructions are off")
    x = _mat(5).ravel()
    tape = adjit.trace(lambda z: np.linalg.det(z.reshape(M, M)), x)
    assert "linalg" in tape.op_counts()


# --- random compositions ----------------------------------------------------------------

_MATRIX_STEPS = ("solve", "inv", "det", "slogdet", "cholesky", "sin", "square", "matmul",
                 "max", "prod", "cumsum")


def random_matrix_program(seed):
    """A random chain of matrix instructions, elementwise ops and reductions on a
    3x3 matrix and a vector built from x (12,); plain NumPy runs it on floats."""
    rng = np.random.default_rng(seed)
    steps = [str(s) for s in rng.choice(_MATRIX_STEPS, size=int(rng.integers(2, 5)))]

    def f(x):
        A = x[:9].reshape(3, 3) + 3.0 * np.eye(3)
        v = x[9:]
        total = 0.0
        for s in steps:
            if s == "solve":
                v = np.linalg.solve(A, v)
            elif s == "inv":
                A = np.linalg.inv(A) + 2.0 * np.eye(3)
            elif s == "det":
                total = total + 0.1 * np.linalg.det(A)
            elif s == "slogdet":
                total = total + np.linalg.slogdet(A)[1]
            elif s == "cholesky":
                A = np.linalg.cholesky(A @ A.T + np.eye(3)) + np.eye(3)
            elif s == "sin":
                v = np.sin(v) + 0.5 * v
            elif s == "square":
                A = A * A + np.eye(3)
            elif s == "matmul":
                v = A @ v * 0.3
            elif s == "max":
                total = total + np.max(A * v)
            elif s == "prod":
                total = total + np.prod(v)
            else:
                v = np.cumsum(v) * 0.5
        return total + np.sum(v * v) + 0.01 * np.sum(A)
    return f, steps


@pytest.mark.parametrize("seed", range(12))
def test_random_matrix_programs(seed):
    f, steps = random_matrix_program(seed)
    x = np.random.default_rng(seed + 100).uniform(-0.5, 0.5, 12)
    tape = adjit.trace(f, x)
    for point in (x, 0.8 * x + 0.05):
        _close(tape.forward(point), [f(point)], 1e-11)
        _close(tape.gradient(point), _fd_grad(f, point), 1e-6)
    H = tape.hessian(x)
    _close(H, _fd_jac(tape.gradient, x, 1e-5), 1e-5)
    v = np.cos(np.arange(12.0))
    _close(tape.hvp(x, v), H @ v, 1e-9)
    parts = arrays.expand(tape.arrays)
    scalar = adjit.Tape(**parts, guard_sources=["g"] * len(parts["guards"]))
    _close(scalar.gradient(x), tape.gradient(x), 1e-9)


EDGE = {
    "det 1x1": lambda v: np.linalg.det(v[:1].reshape(1, 1)) * v[1],
    "solve 1x1": lambda v: np.sum(np.linalg.solve(v[:1].reshape(1, 1), v[1:])),
    "inv 1x1": lambda v: np.sum(np.linalg.inv(v[:1].reshape(1, 1))) + v[1],
    "cholesky 1x1": lambda v: np.sum(np.linalg.cholesky(v[:1].reshape(1, 1))) * v[1],
    "slogdet 1x1": lambda v: np.linalg.slogdet(v[:1].reshape(1, 1))[1] * v[1],
    "det 0x0": lambda v: np.linalg.det(v[:0].reshape(0, 0)) * v[1],
    "inv 0x0": lambda v: np.sum(np.linalg.inv(v[:0].reshape(0, 0))) + v[1],
    "solve 0x0": lambda v: np.sum(np.linalg.solve(v[:0].reshape(0, 0), v[:0])) + v[1],
    "cholesky 0x0": lambda v: np.sum(np.linalg.cholesky(v[:0].reshape(0, 0))) + v[1],
    "slogdet 0x0": lambda v: np.linalg.slogdet(v[:0].reshape(0, 0))[1] + v[1],
    "empty stack": lambda v: np.sum(np.linalg.det(v[:0].reshape(0, 2, 2))) + v[1],
}


@pytest.mark.parametrize("name", sorted(EDGE))
def test_empty_and_one_by_one_matrices(name):
    f = EDGE[name]
    x = np.array([2.0, 3.0])
    tape = adjit.trace(f, x)
    _close(tape.forward(x), [f(x)], 1e-14)
    _close(tape.gradient(x), _fd_grad(f, x), 1e-7)
    _close(tape.hessian(x), _fd_jac(tape.gradient, x, 1e-5), 1e-6)
