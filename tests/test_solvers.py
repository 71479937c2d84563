"""adjit.newton and adjit.minimize: convergence against known solutions,
honest failure reports, and every scipy method the front end serves."""
import numpy as np
import pytest
import scipy.optimize as so
import scipy.sparse as sp

import adjit


def circle_hyperbola(x):
    return [x[0] ** 2 + x[1] ** 2 - 4.0, x[0] * x[1] - 1.0]


# The root near (2, 0.3): x0² = 2 + √3, x1 = 1/x0.
ROOT = np.array([np.sqrt(2 + np.sqrt(3)), 1 / np.sqrt(2 + np.sqrt(3))])


def test_newton_converges_quadratically():
    errors = []
    res = adjit.newton(circle_hyperbola, [2.0, 0.3], tol=1e-14,
                       callback=lambda x, r: errors.append(np.abs(x - ROOT).max()))
    assert res.success and res.status == 0, res.message
    np.testing.assert_allclose(res.x, ROOT, rtol=1e-15)
    assert len(res.residuals) == res.nit + 1 and res.residuals[-1] <= 1e-14
    e = [e for e in errors if e > 1e-13]
    # Quadratic: e_{k+1} <= C e_k² with a modest C, once close.
    ratios = [b / a ** 2 for a, b in zip(e[:-1], e[1:])]
    assert len(ratios) >= 2 and max(ratios) < 5.0
    assert res.nit <= 6


def test_newton_reports_singular_jacobian():
    res = adjit.newton(lambda x: [x[0] + x[1], 2 * x[0] + 2 * x[1] - 1], [1.0, 1.0])
    assert not res.success and res.status == 2
    assert "singular" in res.message


def test_newton_reports_nonfinite_residual():
    res = adjit.newton(lambda x: [np.log(x[0]) + x[1], x[1]], [-1.0, 0.0])
    assert not res.success and res.status == 3
    assert "not finite" in res.message


def test_newton_reports_no_convergence():
    res = adjit.newton(lambda x: [x[0] ** 2 + 1.0], [1.0], maxiter=20)
    assert not res.success and res.status in (1, 2, 4)
    assert res.message


def test_newton_sparse_auto_matches_dense(rng):
    n = 300

    def F(x):
        return [(x[i - 1] if i else 0.0) - 2.5 * x[i] + (x[i + 1] if i < n - 1 else 0.0)
                + 0.1 * np.sin(x[i]) + 1.0 for i in range(n)]
    sparse = adjit.newton(F, np.zeros(n), tol=1e-12)
    dense = adjit.newton(F, np.zeros(n), tol=1e-12, sparse=False)
    assert sparse.success and dense.success and sparse.sparse and not dense.sparse
    np.testing.assert_allclose(sparse.x, dense.x, rtol=1e-12, atol=1e-12)
    x = sparse.x  # the residual by plain NumPy
    r = -2.5 * x + np.r_[0, x[:-1]] + np.r_[x[1:], 0] + 0.1 * np.sin(x) + 1.0
    assert np.abs(r).max() < 1e-11


def test_newton_target_and_linear_solver():
    tape = adjit.trace(lambda x: [x[0] ** 3 + x[1], x[1] ** 3 - x[0]], np.ones(2))
    used = []

    def solver(J, b):
        used.append(type(J))
        return np.linalg.solve(J, b)
    res = adjit.newton(tape, [1.5, 0.5], target=[2.0, 0.0], linear_solver=solver, sparse=False,
                       tol=1e-13)
    assert res.success and used and res.tape is tape
    x = res.x
    np.testing.assert_allclose([x[0] ** 3 + x[1], x[1] ** 3 - x[0]], [2.0, 0.0], atol=1e-12)


def test_newton_rejects_non_square():
    with pytest.raises(ValueError, match="square"):
        adjit.newton(lambda x: [x[0], x[1], x[0] * x[1]], [1.0, 1.0])


def rosen(x):
    return sum(100.0 * (x[i + 1] - x[i] ** 2) ** 2 + (1 - x[i]) ** 2 for i in range(len(x) - 1))


@pytest.mark.parametrize("method", ["BFGS", "L-BFGS-B", "Newton-CG", "trust-ncg",
                                    "trust-krylov", "trust-exact", "trust-constr"])
def test_minimize_methods(method):
    res = adjit.minimize(rosen, np.full(6, -1.0), method=method, tol=1e-10)
    assert res.success, res.message
    np.testing.assert_allclose(res.x, np.ones(6), atol=1e-4)


def test_minimize_uses_second_derivatives():
    # With the exact Hessian trust-exact needs far fewer iterations than BFGS.
    exact = adjit.minimize(rosen, np.full(6, -1.0), method="trust-exact")
    bfgs = adjit.minimize(rosen, np.full(6, -1.0), method="BFGS")
    assert exact.nit < bfgs.nit


def test_minimize_sparse_hessian_trust_constr():
    res = adjit.minimize(rosen, np.full(30, -1.0), method="trust-constr", sparse_hessian=True)
    assert res.success
    np.testing.assert_allclose(res.x, np.ones(30), atol=1e-5)


def test_minimize_constraints():
    # min x² + y² subject to x + y = 1 (answer (½, ½)), and xy >= 1 (answer (1, 1)).
    res = adjit.minimize(lambda x: x[0] ** 2 + x[1] ** 2, [2.0, 0.0], method="SLSQP",
                         constraints=[{"type": "eq", "fun": lambda x: [x[0] + x[1] - 1.0]}])
    assert res.success
    np.testing.assert_allclose(res.x, [0.5, 0.5], atol=1e-8)
    res = adjit.minimize(lambda x: x[0] ** 2 + x[1] ** 2, [2.0, 1.0], method="trust-constr",
                         constraints=so.NonlinearConstraint(lambda x: [x[0] * x[1]], 1.0, np.inf),
                         options={"gtol": 1e-10, "xtol": 1e-12})
    assert res.success
    np.testing.assert_allclose(res.x, [1.0, 1.0], atol=1e-5)


def test_minimize_through_a_select():
    # A piecewise objective recorded with adjit.where: the minimizer crosses the kink.
    def f(x):
        return adjit.where(x[0] > 1.0, (x[0] - 1.0) ** 2, 2 * (x[0] - 1.0) ** 2) + x[1] ** 2
    res = adjit.minimize(f, [-1.0, 1.0], method="BFGS")
    assert res.success
    np.testing.assert_allclose(res.x, [1.0, 0.0], atol=1e-5)


def test_newton_reports_singular_sparse_jacobian():
    n = 250  # circular differences: J has the constant vector in its null space
    res = adjit.newton(lambda x: [x[i] - x[(i + 1) % n] + 0.0 * x[i] ** 2 for i in range(n)],
                       np.linspace(0, 1, n), sparse=True)
    assert res.sparse and not res.success and res.status == 2, res.message


# --- every Newton status, each reached by a problem built for it -------------------------

def test_newton_stops_at_the_iteration_limit():
    res = adjit.newton(circle_hyperbola, [2.0, 0.3], maxiter=2, tol=1e-14)
    assert not res.success and res.status == 1, res.message
    assert "maxiter = 2" in res.message and res.nit == 2 and len(res.residuals) == 3
    assert res.residuals[-1] < res.residuals[0]  # it was converging, only slowly


def test_newton_reports_a_failed_line_search():
    # arctan(x) = 0 from x = 3: the full Newton step overshoots to -9.5 where
    # |arctan| is larger; with one trial allowed there is no decrease.
    res = adjit.newton(lambda x: [np.arctan(x[0])], [3.0], max_backtracks=1)
    assert not res.success and res.status == 4, res.message
    assert "line search failed" in res.message and res.nit == 0
    np.testing.assert_array_equal(res.x, [3.0])  # not moved to the rejected point
    # with halvings allowed the same problem converges
    ok = adjit.newton(lambda x: [np.arctan(x[0])], [3.0])
    assert ok.success and abs(ok.x[0]) < 1e-10


def test_newton_reports_a_nonfinite_residual_along_the_step():
    # log(x) + 5 = 0 from x = 1: the Newton step goes to x = -4, where log is NaN
    res = adjit.newton(lambda x: [np.log(x[0]) + 5.0], [1.0], max_backtracks=1)
    assert not res.success and res.status == 3, res.message
    assert "along the Newton step" in res.message
    np.testing.assert_array_equal(res.x, [1.0])
    ok = adjit.newton(lambda x: [np.log(x[0]) + 5.0], [1.0])
    assert ok.success and ok.x[0] == pytest.approx(np.exp(-5.0), rel=1e-12)


def test_newton_callback_stops():
    seen = []
    res = adjit.newton(circle_hyperbola, [2.0, 0.3],
                       callback=lambda x, r: seen.append(r) or len(seen) == 2)
    assert not res.success and res.status == 1, res.message
    assert "callback" in res.message and res.nit == 2 and len(seen) == 2


def test_newton_reports_no_convergence_honestly():
    # x**2 + 1 has no real root: whatever status comes, it is not success,
    # and the residual it reports is the function's at the x it returns.
    res = adjit.newton(lambda x: [x[0] ** 2 + 1.0], [1.0], maxiter=20)
    assert not res.success and res.status in (1, 2, 4), res.message
    np.testing.assert_allclose(res.fun, [res.x[0] ** 2 + 1.0], rtol=1e-15)


# --- minimize: dogleg, the user's own derivatives ------------------------------------------

C = np.array([0.5, -1.0, 2.0])


def bowl(x):
    # strictly convex, minimum at C: the Hessian is positive definite (dogleg needs it)
    return sum(np.cosh(x[i] - C[i]) + (x[i] - C[i]) ** 2 for i in range(3))


def test_minimize_dogleg():
    res = adjit.minimize(bowl, np.zeros(3), method="dogleg")
    assert res.success, res.message
    np.testing.assert_allclose(res.x, C, atol=1e-8)


def test_minimize_uses_the_users_jac_and_hess():
    calls = {"jac": 0, "hess": 0}

    def jac(x):
        calls["jac"] += 1
        return np.sinh(x - C) + 2 * (x - C)

    def hess(x):
        calls["hess"] += 1
        return np.diag(np.cosh(x - C) + 2)

    res = adjit.minimize(bowl, np.zeros(3), method="trust-exact", jac=jac, hess=hess)
    assert res.success, res.message
    np.testing.assert_allclose(res.x, C, atol=1e-8)
    assert calls["jac"] > 0 and calls["hess"] > 0
    # only jac given: the user's gradient is used with a gradient-only method
    calls["jac"] = 0
    res = adjit.minimize(bowl, np.zeros(3), method="BFGS", jac=jac)
    assert res.success and calls["jac"] > 0
    np.testing.assert_allclose(res.x, C, atol=1e-5)
