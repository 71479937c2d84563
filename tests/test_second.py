"""Hessians and Hessian-vector products, against closed forms and against
central differences of the gradient; both methods (domains, sweeps)."""
import math

import numpy as np
import pytest

import adjit
from adjit import second

METHODS = ["domains", "sweeps"]


def mixed(x):
    a, b, c, d = x[0], x[1], x[2], x[3]
    return a * a * b + np.sin(b * c) + np.exp(a) * c + d * d * d


def mixed_hessian(x):
    a, b, c, d = x
    H = np.zeros((4, 4))
    H[0, 0] = 2 * b + np.exp(a) * c
    H[0, 1] = H[1, 0] = 2 * a
    H[0, 2] = H[2, 0] = np.exp(a)
    H[1, 1] = -np.sin(b * c) * c * c
    H[1, 2] = H[2, 1] = np.cos(b * c) - np.sin(b * c) * b * c
    H[2, 2] = -np.sin(b * c) * b * b
    H[3, 3] = 6 * d
    return H


def rosenbrock(x):
    return sum(100.0 * (x[i + 1] - x[i] ** 2) ** 2 + (1 - x[i]) ** 2 for i in range(len(x) - 1))


def rosenbrock_hessian(x):
    n = len(x)
    H = np.zeros((n, n))
    for i in range(n - 1):
        H[i, i] += 1200 * x[i] ** 2 - 400 * x[i + 1] + 2
        H[i + 1, i + 1] += 200
        H[i, i + 1] += -400 * x[i]
        H[i + 1, i] += -400 * x[i]
    return H


# Functions over many ops of the table, on domains where they are smooth.
SMOOTH = {
    "quotients": lambda x: x[0] / x[1] + x[2] ** x[1] + 3.0 / (x[0] * x[2]),
    "transcendental": lambda x: np.log(x[0] * x[1]) * np.tanh(x[2]) + np.arctan2(x[1], x[0])
    + np.sqrt(x[2] + x[1]) * np.cbrt(x[0]),
    "trig": lambda x: np.sin(x[0]) * np.cos(x[1] * x[2]) + np.tan(0.3 * x[0])
    + np.arcsin(0.2 * x[1]) * np.arccos(0.1 * x[2]),
    "hyperbolic": lambda x: np.sinh(0.5 * x[0]) * np.cosh(x[1]) + np.arcsinh(x[2] * x[0])
    + np.arctanh(0.2 * x[1]) + np.arccosh(1.5 + x[2]) + np.hypot(x[0], x[1]),
    "special": lambda x: adjit.erf(x[0] * x[1]) + adjit.erfc(0.5 * x[2]) + np.expm1(x[0] * x[2])
    + np.log1p(x[1]) + np.log2(x[0]) * np.log10(x[2]) + np.square(x[1] - x[2]) / x[0],
    "powers": lambda x: (x[0] * x[1]) ** 1.5 + 2.0 ** x[2] + x[1] ** -2 + np.reciprocal(x[2]),
}


def fd_hessian(grad, x, h=1e-3):
    """Five-point differences of a gradient, column by column: truncation
    O(h**4), so each entry is good to about 1e-10 relative."""
    n = len(x)
    cols = [(8 * (grad(x + h * e) - grad(x - h * e)) - (grad(x + 2 * h * e)
                                                        - grad(x - 2 * h * e))) / (12 * h)
            for e in np.eye(n)]
    return np.array(cols).T


def assert_entries_close(H, ref, rtol, atol=1e-12):
    """Every entry within rtol of its own reference value (not of max|H|)."""
    H, ref = np.asarray(H), np.asarray(ref)
    bad = np.abs(H - ref) > rtol * np.abs(ref) + atol
    assert not bad.any(), (np.argwhere(bad)[:5], H[bad][:5], ref[bad][:5])


@pytest.mark.parametrize("method", METHODS)
def test_closed_form_mixed(method, rng):
    tape = adjit.trace(mixed, np.zeros(4))
    for _ in range(3):
        x = rng.uniform(-1, 1, 4)
        np.testing.assert_allclose(second.hessian(tape, x, method=method), mixed_hessian(x),
                                   rtol=1e-13, atol=1e-13)


@pytest.mark.parametrize("method", METHODS)
def test_closed_form_rosenbrock(method, rng):
    x = rng.uniform(-2, 2, 7)
    tape = adjit.trace(rosenbrock, x)
    np.testing.assert_allclose(second.hessian(tape, x, method=method), rosenbrock_hessian(x),
                               rtol=1e-13, atol=1e-10)


@pytest.mark.parametrize("name", sorted(SMOOTH))
def test_against_differences_of_gradient(name, rng):
    x = rng.uniform(0.4, 0.9, 3)
    tape = adjit.trace(SMOOTH[name], x)
    H_fd = fd_hessian(tape.gradient, x)  # the first-order sweeps: another code path
    for method in METHODS:
        assert_entries_close(second.hessian(tape, x, method=method), H_fd, rtol=1e-7,
                             atol=1e-9)


def test_auto_hessian_equals_both_methods(rng):
    x = rng.uniform(0.4, 0.9, 3)
    tape = adjit.trace(SMOOTH["transcendental"], x)
    H = tape.hessian(x)
    for method in METHODS:
        np.testing.assert_allclose(second.hessian(tape, x, method=method), H, rtol=1e-12,
                                   atol=1e-12)


def test_hvp_matches_hessian(rng):
    x = rng.uniform(0.4, 0.9, 3)
    tape = adjit.trace(SMOOTH["hyperbolic"], x)
    H = tape.hessian(x)
    v = rng.standard_normal(3)
    np.testing.assert_allclose(tape.hvp(x, v), H @ v, rtol=1e-12, atol=1e-12)
    V = rng.standard_normal((3, 5))
    np.testing.assert_allclose(tape.hvp(x, V), H @ V, rtol=1e-12, atol=1e-12)
    assert tape.hvp(x, v).shape == (3,)


def test_many_directions_in_chunks(rng, monkeypatch):
    """Chunks smaller than the number of directions give the same result."""
    x = rng.uniform(-1, 1, 9)
    tape = adjit.trace(rosenbrock, x)
    monkeypatch.setattr(second, "_DIRECTIONS_BYTES", 16 * (tape.n_slots + 1) * 2)  # 2 at once
    np.testing.assert_allclose(second.hessian(tape, x, method="sweeps"), rosenbrock_hessian(x),
                               rtol=1e-13, atol=1e-10)


def test_repeated_operand_and_constants():
    # x*x (both operands one slot), constants on either side, a constant output term.
    f = lambda x: x[0] * x[0] * x[1] + 2.0 / x[1] - (3.0 - x[0]) ** 3 + 5.0
    x = np.array([0.7, 1.3])
    a, b = x
    H = np.array([[2 * b - 6 * (3 - a), 2 * a], [2 * a, 4 / b ** 3]])
    tape = adjit.trace(f, x)
    for method in METHODS:
        np.testing.assert_allclose(second.hessian(tape, x, method=method), H, rtol=1e-14)


def test_weighted_vector_tape(rng):
    fs = [lambda x: x[0] * x[1] * x[2], lambda x: np.sin(x[0]) * x[2] ** 2,
          lambda x: np.exp(x[1] - x[2])]
    x = rng.uniform(-1, 1, 3)
    tape = adjit.trace(lambda x: [f(x) for f in fs], x)
    with pytest.raises(ValueError, match="weights"):
        tape.hessian(x)
    with pytest.raises(ValueError, match="weights"):
        tape.hvp(x, np.ones(3))
    w = np.array([0.5, -2.0, 3.0])
    expected = sum(wi * adjit.trace(f, x).hessian(x) for wi, f in zip(w, fs))
    for method in METHODS:
        np.testing.assert_allclose(second.hessian(tape, x, w, method=method), expected,
                                   rtol=1e-13, atol=1e-13)
    with pytest.raises(ValueError, match=r"expected shape \(3,\)"):
        tape.hessian(x, w=[1.0, 2.0])


def test_hessian_transform_traces_once(rng):
    h = adjit.hessian(rosenbrock)
    for _ in range(3):
        x = rng.uniform(-1, 1, 5)
        np.testing.assert_allclose(h(x), rosenbrock_hessian(x), rtol=1e-13, atol=1e-10)
    assert h.n_traces == 1


def test_pair_potential_picks_domains_and_is_exact(rng):
    """A pair potential: the auto choice is the domain method; check against
    differences of the closed-form NumPy gradient."""
    def energy(x):
        p = x.reshape(-1, 3)
        e = 0.0
        for i in range(len(p)):
            for j in range(i + 1, len(p)):
                d = p[i] - p[j]
                r2 = d[0] * d[0] + d[1] * d[1] + d[2] * d[2]
                e = e + 1.0 / r2 ** 3 - 1.0 / r2
        return e

    def grad(x):
        p = x.reshape(-1, 3)
        d = p[:, None] - p[None]
        r2 = (d ** 2).sum(-1) + np.eye(len(p))
        c = -6.0 / r2 ** 4 + 2.0 / r2 ** 2
        np.fill_diagonal(c, 0.0)
        return (c[:, :, None] * d).sum(1).ravel()

    x = (np.arange(8)[:, None] * np.array([1.1, 0.3, 0.2]) + rng.uniform(0, 0.2, (8, 3))).ravel()
    tape = adjit.trace(energy, x)
    H = tape.hessian(x)
    from adjit.sparsity import _structure
    assert _structure(tape).hessian_method == "domains"
    assert_entries_close(H, fd_hessian(grad, x), rtol=1e-7, atol=1e-10)


# Ops whose second-order rules no other test reached with a constant operand:
# g(u) for u = x0 * x1, so H = g''(u) [[x1², x0 x1], [x0 x1, x0²]] + g'(u) [[0, 1], [1, 0]],
# with g' and g'' in closed form.
C = 1.7
COMPOSED = {
    "arctan": (np.arctan, lambda u: 1 / (1 + u * u), lambda u: -2 * u / (1 + u * u) ** 2),
    "atan2_vc": (lambda u: np.arctan2(u, C), lambda u: C / (u * u + C * C),
                 lambda u: -2 * u * C / (u * u + C * C) ** 2),
    "atan2_cv": (lambda u: np.arctan2(C, u), lambda u: -C / (u * u + C * C),
                 lambda u: 2 * u * C / (u * u + C * C) ** 2),
    "hypot_vc": (lambda u: np.hypot(u, C), lambda u: u / math.hypot(u, C),
                 lambda u: C * C / math.hypot(u, C) ** 3),
}


@pytest.mark.parametrize("name", sorted(COMPOSED))
def test_composed_with_a_constant_operand(name, rng):
    g, d1, d2 = COMPOSED[name]
    x = np.array([0.8, -1.3])
    tape = adjit.trace(lambda z: g(z[0] * z[1]), x)
    for x in rng.uniform(-2, 2, (3, 2)):
        a, b = x
        u = a * b
        H = d2(u) * np.array([[b * b, a * b], [a * b, a * a]]) + d1(u) * np.array([[0, 1],
                                                                                  [1, 0]])
        for method in METHODS:
            assert_entries_close(second.hessian(tape, x, method=method), H, rtol=1e-13,
                                 atol=1e-15)
        assert_entries_close(tape.sparse_hessian(x).toarray(), H, rtol=1e-13, atol=1e-15)
        v = rng.normal(size=2)
        assert_entries_close(tape.hvp(x, v), H @ v, rtol=1e-12, atol=1e-14)
