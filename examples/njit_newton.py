"""Implicit Euler on a stiff reaction network, with every Newton iteration
inside Numba: the right-hand side is traced once by adjit, and the @njit
integrator calls the tape's compiled Jacobian (adjit.compiled) each iteration.

40 species react by mass action (A + B -> P + Q) with Arrhenius rates that
depend on the temperature, which the reaction enthalpies change. Each step
solves  z - z_prev - h f(z) = 0  by Newton with (I - h J) dz = residual.

The same loop written in Python (tape.forward + tape.jacobian + np.linalg.solve)
runs for comparison; the script prints both times per Newton iteration and the
Jacobian alone, and checks itself: the two loops agree, the Jacobian matches
central differences of the plain NumPy right-hand side, and the trajectory
matches SciPy's BDF integrator to the accuracy of a first-order method.

    python examples/njit_newton.py [--small]
"""
import argparse
import sys
import time

import numpy as np
from numba import njit

import adjit
from adjit.compiled import call, check, jacobian


def network(species, seed=4):
    """Random reactions a (+ b) -> p (+ q); b, q = -1 when absent."""
    rng = np.random.default_rng(seed)
    r = 3 * species
    pick = lambda: rng.integers(0, species, r)  # noqa: E731
    return dict(a=pick(), b=np.where(rng.random(r) < 0.5, pick(), -1), p=pick(),
                q=np.where(rng.random(r) < 0.5, pick(), -1),
                A=10.0 ** rng.uniform(-1, 2, r), E=rng.uniform(0.5, 2.0, r),
                dH=rng.uniform(-0.5, 0.5, r), cp=rng.uniform(0.5, 2.0, species))


def rhs(net):
    """d/dt of (concentrations, temperature), written as plain NumPy-on-scalars code."""
    S = len(net["cp"])
    a, b, p, q = (net[k].tolist() for k in "abpq")
    A, E, dH, cp = (net[k].tolist() for k in ("A", "E", "dH", "cp"))

    def f(x):
        inv_t = 1.0 / x[S]
        dc = [0.0] * S
        heat = 0.0
        for r in range(len(a)):
            rate = A[r] * np.exp(-E[r] * inv_t) * x[a[r]]
            if b[r] >= 0:
                rate = rate * x[b[r]]
            dc[a[r]] = dc[a[r]] - rate
            if b[r] >= 0:
                dc[b[r]] = dc[b[r]] - rate
            dc[p[r]] = dc[p[r]] + rate
            if q[r] >= 0:
                dc[q[r]] = dc[q[r]] + rate
            heat = heat - dH[r] * rate
        capacity = 1.0
        for s in range(S):
            capacity = capacity + cp[s] * x[s]
        return dc + [heat / capacity]
    return f


@njit(cache=True)
def implicit_euler(T, B, z0, h, steps, tol, max_iter):
    """Integrate from z0; returns (z, Newton iterations, status): status 0 ok,
    1 a branch guard flipped, 2 Newton did not converge."""
    n = z0.shape[0]
    z = z0.copy()
    y = np.empty(n)
    J = np.empty((n, n))
    M = np.empty((n, n))
    F = np.empty(n)
    iterations = 0
    for _ in range(steps):
        z_prev = z.copy()
        converged = False
        for _ in range(max_iter):
            if jacobian(T, B, z, y, J) != -1:  # a flipped guard, or an error code
                return z, iterations, 1
            for i in range(n):
                F[i] = z[i] - z_prev[i] - h * y[i]
                for j in range(n):
                    M[i, j] = -h * J[i, j]
                M[i, i] += 1.0
            dz = np.linalg.solve(M, F)
            z -= dz
            iterations += 1
            if np.max(np.abs(dz)) <= tol * (1.0 + np.max(np.abs(z))):
                converged = True
                break
        if not converged:
            return z, iterations, 2
    return z, iterations, 0


def implicit_euler_python(tape, z0, h, steps, tol, max_iter):
    """The same iteration, driving the tape from Python."""
    n = len(z0)
    z = z0.copy()
    eye = np.eye(n)
    iterations = 0
    for _ in range(steps):
        z_prev = z.copy()
        for _ in range(max_iter):
            y = tape.forward(z)
            J = tape.jacobian(z)
            dz = np.linalg.solve(eye - h * J, z - z_prev - h * y)
            z -= dz
            iterations += 1
            if np.max(np.abs(dz)) <= tol * (1.0 + np.max(np.abs(z))):
                break
        else:
            raise RuntimeError("Newton did not converge")
    return z, iterations


@njit(cache=True)
def jacobian_only(T, B, z, y, J, reps):
    for _ in range(reps):
        jacobian(T, B, z, y, J)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", action="store_true", help="short run (used by the tests)")
    parser.add_argument("--species", type=int, default=40)
    args = parser.parse_args()
    S = args.species
    steps, h, tol, max_iter = (20, 0.02, 1e-12, 20) if args.small else (200, 0.005, 1e-12, 20)

    net = network(S)
    f = rhs(net)
    rng = np.random.default_rng(1)
    z0 = np.concatenate([rng.uniform(0.1, 1.0, S), [1.5]])
    tape = adjit.trace(f, z0)
    fns = tape.njit_functions()
    T, B = fns.tape, fns.buffers()
    print(f"{S} species + temperature: {tape}")

    ok = True
    # the compiled Jacobian against central differences of the plain function
    y, J = np.empty(S + 1), np.empty((S + 1, S + 1))
    check(jacobian(T, B, z0, y, J))
    eps = 1e-6
    fd = np.empty_like(J)
    for k in range(S + 1):
        dp, dm = z0.copy(), z0.copy()
        dp[k] += eps
        dm[k] -= eps
        fd[:, k] = (np.array(f(dp)) - np.array(f(dm))) / (2 * eps)
    err = np.max(np.abs(J - fd)) / np.max(np.abs(J))
    print(f"Jacobian vs central differences: max relative error {err:.1e}")
    ok &= err < 1e-6

    # compile, or load from cache (call() recompiles a cache built for another adjit)
    call(implicit_euler, T, B, z0, h, 1, tol, max_iter)
    t = time.perf_counter()
    z_njit, iters, status = implicit_euler(T, B, z0, h, steps, tol, max_iter)
    t_njit = (time.perf_counter() - t) / max(iters, 1)
    print(f"@njit loop: {steps} steps, {iters} Newton iterations, status {status}")
    ok &= status == 0

    t = time.perf_counter()
    z_py, iters_py = implicit_euler_python(tape, z0, h, steps, tol, max_iter)
    t_py = (time.perf_counter() - t) / iters_py
    diff = np.max(np.abs(z_njit - z_py)) / np.max(np.abs(z_py))
    print(f"Python loop: {iters_py} Newton iterations; states differ by {diff:.1e} (relative)")
    ok &= iters_py == iters and diff < 1e-10

    reps = 200 if args.small else 2000
    call(jacobian_only, T, B, z0, y, J, 1)
    t = time.perf_counter()
    jacobian_only(T, B, z0, y, J, reps)
    t_jac = (time.perf_counter() - t) / reps
    print(f"time per Newton iteration: @njit {t_njit * 1e6:.1f} us, Python {t_py * 1e6:.1f} us "
          f"({t_py / t_njit:.1f}x); Jacobian alone {t_jac * 1e6:.1f} us "
          f"(an @njit iteration costs {t_njit / t_jac:.2f} Jacobians)")

    try:
        from scipy.integrate import solve_ivp
    except ImportError:  # pragma: no cover - scipy is a test dependency
        print("scipy not installed: trajectory check skipped")
    else:
        ref = solve_ivp(lambda t, z: f(z), (0.0, steps * h), z0, method="BDF", rtol=1e-10,
                        atol=1e-12).y[:, -1]
        drift = np.max(np.abs(z_njit - ref)) / np.max(np.abs(ref))
        change = np.max(np.abs(ref - z0)) / np.max(np.abs(ref))
        # implicit Euler is first order: its error is about h times the change
        print(f"vs SciPy BDF at t = {steps * h:g}: relative difference {drift:.1e} "
              f"(state changed by {change:.1e})")
        ok &= drift < 0.1 * change

    print("OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
