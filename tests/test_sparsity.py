"""Sparsity patterns, colorings and compressed sparse Jacobians/Hessians.

References are independent of the sparse machinery: dense Jacobians and
Hessians at random points (a structural pattern must cover every nonzero),
brute-force checks of the coloring definitions, and known stencil patterns.
"""
import itertools

import numpy as np
import pytest
import scipy.sparse as sp

import adjit
from adjit import sparsity


def stencil(x):
    n = len(x)
    return [(x[i - 1] if i else 0.0) - 2 * x[i] + (x[i + 1] if i < n - 1 else 0.0)
            + np.exp(x[i]) for i in range(n)]


def chained(x):
    return sum(100.0 * (x[i + 1] - x[i] ** 2) ** 2 + (1 - x[i]) ** 2 for i in range(len(x) - 1))


def arrowhead(x):
    return x[0] * sum(x[i] ** 2 for i in range(1, len(x))) + np.sin(x[1]) * x[2]


def random_sparse(seed, n=12, m=10, terms=25):
    """A random function whose outputs each mix a few inputs nonlinearly, with
    a traced condition in the mix."""
    rng = np.random.default_rng(seed)
    plan = [[(rng.integers(n), rng.integers(n), rng.integers(4)) for _ in range(3)]
            for _ in range(m)]

    def f(x):
        out = []
        for row in plan:
            s = 0.0
            for i, j, k in row:
                s = s + [x[i] * x[j], np.sin(x[i]) + x[j], np.exp(x[i] - x[j]),
                         adjit.where(x[i] > 0.2, x[j] ** 2, x[i])][k]
            out.append(s)
        return out
    return f, n


CASES = {"stencil": (stencil, 15), "random0": random_sparse(0), "random1": random_sparse(1),
         "random2": random_sparse(2), "dense2": (lambda x: [np.sum(x * x), np.prod(x)], 7)}


@pytest.mark.parametrize("name", sorted(CASES))
def test_jacobian_pattern_covers_dense(name, rng):
    f, n = CASES[name]
    tape = adjit.trace(f, rng.uniform(-1, 1, n))
    pattern = tape.jacobian_sparsity()
    assert pattern.dtype == bool and pattern.shape == (tape.n_outputs, n)
    for _ in range(4):
        x = rng.uniform(-1, 1, n)
        J = tape.jacobian(x)
        assert not np.any((J != 0) & ~pattern.toarray())


def test_jacobian_pattern_of_stencil_is_exact():
    tape = adjit.trace(stencil, np.zeros(6))
    expected = (np.abs(np.subtract.outer(np.arange(6), np.arange(6))) <= 1)
    np.testing.assert_array_equal(tape.jacobian_sparsity().toarray(), expected)


def test_conditions_carry_no_dependence():
    tape = adjit.trace(lambda x: [adjit.where(x[0] > x[1], x[2], 0.0)], np.zeros(3))
    np.testing.assert_array_equal(tape.jacobian_sparsity().toarray(), [[False, False, True]])


@pytest.mark.parametrize("f,n", [(chained, 8), (arrowhead, 7), (lambda x: x[0] * x[1]
                                 + np.exp(x[2]) + x[3], 4)])
def test_hessian_pattern_covers_dense_and_is_symmetric(f, n, rng):
    tape = adjit.trace(f, rng.uniform(-1, 1, n))
    pattern = tape.hessian_sparsity().toarray()
    np.testing.assert_array_equal(pattern, pattern.T)
    for _ in range(3):
        H = tape.hessian(rng.uniform(-1, 1, n))
        assert not np.any((H != 0) & ~pattern)


def test_hessian_pattern_known():
    tape = adjit.trace(lambda x: x[0] * x[1] + np.exp(x[2]) + 3.0 * x[3], np.zeros(4))
    expected = np.zeros((4, 4), bool)
    expected[0, 1] = expected[1, 0] = expected[2, 2] = True
    np.testing.assert_array_equal(tape.hessian_sparsity().toarray(), expected)
    band = adjit.trace(chained, np.zeros(6)).hessian_sparsity().toarray()
    np.testing.assert_array_equal(band, np.abs(np.subtract.outer(np.arange(6),
                                                                 np.arange(6))) <= 1)


def test_hessian_pattern_ignores_dead_code():
    tape = adjit.trace(lambda x: (x[0] * x[1], x[0] + x[1])[1], np.zeros(2))
    assert tape.hessian_sparsity().nnz == 0


@pytest.mark.parametrize("name", sorted(CASES))
def test_jacobian_coloring_is_valid(name, rng):
    f, n = CASES[name]
    tape = adjit.trace(f, rng.uniform(-1, 1, n))
    coloring = tape.jacobian_coloring()
    P = tape.jacobian_sparsity().toarray()
    if coloring.mode == "reverse":
        P = P.T
    if coloring.mode == "mixed":  # the dense rows go by adjoints, one each
        P = np.delete(P, coloring.rows, axis=0)
    assert coloring.colors.shape == (P.shape[1],)
    assert coloring.n_colors == coloring.colors.max() + 1 + len(coloring.rows)
    for c in range(coloring.n_colors):
        # Columns of one color share no row: every row has at most one of them.
        assert P[:, coloring.colors == c].sum(axis=1).max(initial=0) <= 1
    assert tape.jacobian_coloring() is coloring  # cached per tape


def test_arrowhead_jacobian_peels_the_dense_row(rng):
    n = 30

    def f(x):  # row 0 and column 0 dense: one-sided colorings need n colors
        return [np.sum(x * x)] + [x[0] * x[i] + np.sin(x[i]) for i in range(1, n)]
    tape = adjit.trace(f, np.ones(n))
    coloring = tape.jacobian_coloring()
    assert coloring.mode == "mixed" and list(coloring.rows) == [0]
    assert coloring.n_colors <= 3
    x = rng.uniform(-1, 1, n)
    np.testing.assert_allclose(tape.sparse_jacobian(x).toarray(), tape.jacobian(x),
                               rtol=1e-14, atol=1e-14)


def test_stencil_needs_three_colors():
    assert adjit.trace(stencil, np.zeros(30)).jacobian_coloring().n_colors == 3


def _is_star_coloring(A, colors):
    n = A.shape[0]
    for i, j in zip(*np.nonzero(A)):
        if colors[i] == colors[j]:
            return False
    # No path on four vertices with two colors.
    for a in range(n):
        for b in np.nonzero(A[a])[0]:
            for c in np.nonzero(A[b])[0]:
                if c == a or colors[c] != colors[a]:
                    continue
                for d in np.nonzero(A[c])[0]:
                    if d != b and d != a and colors[d] == colors[b]:
                        return False
    return True


@pytest.mark.parametrize("seed", range(6))
def test_star_coloring_definition(seed):
    rng = np.random.default_rng(seed)
    n = 25
    A = np.triu(rng.random((n, n)) < 0.12, 1)
    A = A | A.T
    ptr = np.concatenate([[0], np.cumsum(A.sum(1))]).astype(np.int64)
    adj = np.concatenate([np.nonzero(r)[0] for r in A]).astype(np.int32)
    colors, k = sparsity._color_star(ptr, adj, np.arange(n, dtype=np.int64))
    assert _is_star_coloring(A, colors)
    assert k == colors.max() + 1


@pytest.mark.parametrize("name", sorted(CASES))
def test_sparse_jacobian_equals_dense(name, rng):
    f, n = CASES[name]
    tape = adjit.trace(f, rng.uniform(-1, 1, n))
    for _ in range(3):
        x = rng.uniform(-1, 1, n)
        S = tape.sparse_jacobian(x)
        assert sp.isspmatrix_csr(S) and S.shape == (tape.n_outputs, n)
        np.testing.assert_array_equal(S.indices, tape.jacobian_sparsity().indices)
        np.testing.assert_allclose(S.toarray(), tape.jacobian(x), rtol=1e-14, atol=1e-14)


def test_reverse_mode_is_used_when_rows_are_fewer(rng):
    tape = adjit.trace(CASES["dense2"][0], np.ones(7))
    assert tape.jacobian_coloring().mode == "reverse"
    assert tape.jacobian_coloring().n_colors == 2


@pytest.mark.parametrize("f,n", [(chained, 9), (arrowhead, 8), (stencil, 6)])
def test_sparse_hessian_equals_dense(f, n, rng):
    tape = adjit.trace(f, rng.uniform(-1, 1, n))
    w = rng.standard_normal(tape.n_outputs) if tape.n_outputs > 1 else None
    for _ in range(3):
        x = rng.uniform(-1, 1, n)
        S = tape.sparse_hessian(x, w)
        H = tape.hessian(x, w)
        np.testing.assert_allclose(S.toarray(), H, rtol=1e-13, atol=1e-13)
        assert not np.any((H != 0) & ~tape.hessian_sparsity().toarray())
    coloring = tape.hessian_coloring()
    assert coloring.mode == "star" and coloring.n_colors < n


def test_banded_hessian_uses_few_colors():
    coloring = adjit.trace(chained, np.zeros(40)).hessian_coloring()
    assert coloring.n_colors <= 3


def test_domains_scale_to_many_inputs():
    n = 20000
    tape = adjit.trace(lambda x: [x[i] * x[(i + 1) % n] for i in range(n)], np.zeros(n))
    P = tape.jacobian_sparsity()
    assert P.nnz == 2 * n
    x = np.linspace(-1, 1, n)
    J = tape.sparse_jacobian(x)
    i = 123
    assert J[i, i] == x[i + 1] and J[i, i + 1] == x[i]


def test_one_compiled_signature_per_kernel(rng):
    """Every kernel of the second-order and sparsity modules sees one array
    type per argument, whatever the caller passes (lists, read-only arrays)."""
    from numba.core.registry import CPUDispatcher

    from adjit import second
    x = rng.uniform(0.5, 1.0, 6)
    for f in (chained, lambda x: [x[0] * x[1], np.sum(x * x)]):
        tape = adjit.trace(f, x)
        w = None if tape.n_outputs == 1 else np.ones(tape.n_outputs)
        ro = x.copy()
        ro.flags.writeable = False
        for point in (list(x), ro, x):
            tape.sparse_jacobian(point)
            tape.sparse_hessian(point, w)
            tape.hvp(point, ro, w)
            tape.hvp(point, np.ones((6, 4))[:, ::2], w)  # a strided v
            for method in ("domains", "sweeps"):
                second.hessian(tape, point, w, method=method)
    for module in (second, sparsity):
        for name, obj in vars(module).items():
            if isinstance(obj, CPUDispatcher):
                assert len(obj.signatures) <= 1, (module.__name__, name, obj.signatures)


def test_returned_matrices_are_valid_and_independent(rng):
    tape = adjit.trace(stencil, np.zeros(10))
    x = rng.uniform(-1, 1, 10)
    A = tape.sparse_jacobian(x)
    A.check_format(full_check=True)
    A.indices[:] = 0  # vandalize the first result: the cached pattern must not care
    A.data[:] = 0.0
    B = tape.sparse_jacobian(x)
    np.testing.assert_allclose(B.toarray(), tape.jacobian(x), rtol=1e-14)
    H = tape.sparse_hessian(x, np.ones(10))
    H.check_format(full_check=True)
    np.testing.assert_allclose((H @ np.ones(10)), tape.hessian(x, np.ones(10)).sum(1),
                               rtol=1e-14)


def test_domains_limit_gives_up_then_computes():
    tape = adjit.trace(lambda x: [np.sum(x * x) * x[i] for i in range(40)], np.ones(40))
    assert sparsity.domains(tape, "jacobian", limit=500) is None  # ~40 * 80 entries needed
    assert sparsity.domains(tape, "jacobian", limit=400) is None
    ptr, idx = sparsity.domains(tape, "jacobian")
    assert ptr[-1] == idx.shape[0] > 500


def grid_energy(N):
    """½|∇u|² - Σ e^u on an N×N grid: one long sum over every input."""
    def E(u):
        U = np.zeros((N + 2, N + 2), dtype=object)
        U[1:-1, 1:-1] = u.reshape(N, N)
        dx = U[1:, 1:-1] - U[:-1, 1:-1]
        dy = U[1:-1, 1:] - U[1:-1, :-1]
        return 0.5 * (np.sum(dx * dx) + np.sum(dy * dy)) - np.sum(np.exp(U[1:-1, 1:-1]))
    return E


def test_long_sums_stay_linear_in_size(rng):
    """The energy's running sum depends on every input; patterns must not keep
    a domain per partial sum (quadratic), and still be exact."""
    N = 60
    tape = adjit.trace(grid_energy(N), np.zeros(N * N))
    J = tape.jacobian_sparsity()
    assert J.shape == (1, N * N) and J.nnz == N * N
    H = tape.hessian_sparsity()
    one = sp.diags([np.ones(N - 1), np.ones(N), np.ones(N - 1)], [-1, 0, 1])
    stencil5 = (sp.kronsum(one, one) != 0)
    assert (H != stencil5).nnz == 0
    coloring = tape.hessian_coloring()
    assert coloring.n_colors <= 7
    x = rng.uniform(-0.5, 0.5, N * N)
    S = tape.sparse_hessian(x)
    # Closed form: the 5-point Laplacian (Dirichlet) minus diag(e^u).
    lap = -sp.kronsum(sp.diags([-np.ones(N - 1), 2 * np.ones(N), -np.ones(N - 1)],
                               [-1, 0, 1]), sp.diags([-np.ones(N - 1), 2 * np.ones(N),
                                                      -np.ones(N - 1)], [-1, 0, 1]))
    expected = -lap - sp.diags(np.exp(x))
    assert abs(S - expected).max() < 1e-12


def test_reverse_pattern_matches_forward(rng):
    f, n = CASES["random1"]
    tape = adjit.trace(f, np.zeros(n))
    indptr, indices = sparsity._reverse_jacobian_pattern(tape)
    P = tape.jacobian_sparsity()
    np.testing.assert_array_equal(indptr, P.indptr)
    np.testing.assert_array_equal(indices, P.indices)
