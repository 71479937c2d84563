"""The 2-D Bratu problem  Δu + λ e^u = 0  on the unit square, u = 0 on the boundary.

Five-point finite differences on an N×N interior grid give N² equations
    (u_W + u_E + u_S + u_N - 4 u) + h² λ e^u = 0,
solved by adjit.newton with sparse Jacobians: the residual is traced once, its
Jacobian pattern colored once, and each Newton step costs one compressed
tangent sweep plus a sparse LU.

    python examples/bratu.py            # N = 300: 90,000 unknowns
    python examples/bratu.py --small    # N = 32, as the test suite runs it

Checks (exit status 1 on failure): Newton converges; the residual recomputed
with plain NumPy is tiny; adjit's Jacobian equals the hand-assembled one
(discrete Laplacian + diag(h² λ e^u)); the solution has the square's symmetry.
"""
import argparse
import sys
import time

import numpy as np
import scipy.sparse as sp

import adjit


def bratu_residual(N, lam):
    """F(u) for the N×N interior grid, written as NumPy on a padded array."""
    h2 = 1.0 / (N + 1) ** 2

    def F(u):
        U = np.zeros((N + 2, N + 2), dtype=object)  # zero boundary, traced interior
        U[1:-1, 1:-1] = u.reshape(N, N)
        C = U[1:-1, 1:-1]
        R = U[:-2, 1:-1] + U[2:, 1:-1] + U[1:-1, :-2] + U[1:-1, 2:] - 4.0 * C \
            + (h2 * lam) * np.exp(C)
        return R.ravel()
    return F


def numpy_residual(u, N, lam):
    U = np.zeros((N + 2, N + 2))
    U[1:-1, 1:-1] = u.reshape(N, N)
    C = U[1:-1, 1:-1]
    return (U[:-2, 1:-1] + U[2:, 1:-1] + U[1:-1, :-2] + U[1:-1, 2:] - 4.0 * C
            + lam / (N + 1) ** 2 * np.exp(C)).ravel()


def numpy_jacobian(u, N, lam):
    one = sp.diags([np.ones(N - 1), -2 * np.ones(N), np.ones(N - 1)], [-1, 0, 1])
    lap = sp.kronsum(one, one)  # the 5-point Laplacian times h²
    return (lap + sp.diags(lam / (N + 1) ** 2 * np.exp(u))).tocsr()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="N = 32 (for the tests)")
    parser.add_argument("-N", type=int, default=300, help="interior grid points per side")
    parser.add_argument("--lam", type=float, default=6.0, help="λ (solutions exist below ~6.808)")
    args = parser.parse_args(argv)
    N = 32 if args.small else args.N
    lam = args.lam
    n = N * N
    u0 = np.zeros(n)

    t0 = time.perf_counter()
    tape = adjit.trace(bratu_residual(N, lam), u0)
    t_trace = time.perf_counter() - t0
    t0 = time.perf_counter()
    coloring = tape.jacobian_coloring()
    t_color = time.perf_counter() - t0
    pattern = tape.jacobian_sparsity()
    tape.sparse_jacobian(u0)
    times = []
    for _ in range(5 if N > 100 else 50):
        t0 = time.perf_counter()
        tape.sparse_jacobian(u0)
        times.append(time.perf_counter() - t0)
    print(f"Bratu N={N}: {n:,} unknowns, lambda={lam}, {tape.n_ops:,} instructions "
          f"(traced in {t_trace:.2f} s)")
    print(f"Jacobian: {pattern.nnz:,} structural nonzeros, {coloring.n_colors} colors "
          f"({coloring.mode} sweep; pattern and coloring in {t_color:.3f} s)")
    print(f"time per sparse Jacobian: {np.median(times) * 1e3:.3f} ms (median)")

    t0 = time.perf_counter()
    res = adjit.newton(tape, u0, tol=1e-10, sparse=True)
    t_newton = time.perf_counter() - t0
    print(f"Newton: {res.message}; {res.nit} iterations, {res.nfev} residual evaluations, "
          f"{t_newton:.2f} s")
    print("max |F| per iteration: " + ", ".join(f"{r:.2e}" for r in res.residuals))
    u = res.x
    U = u.reshape(N, N)
    print(f"max u = {U.max():.6f}")

    failures = []
    if not res.success:
        failures.append(f"Newton failed: {res.message}")
    r = np.abs(numpy_residual(u, N, lam)).max()
    print(f"residual recomputed with NumPy: {r:.2e}")
    if not r < 1e-9:
        failures.append(f"NumPy residual {r:.2e} is not below 1e-9")
    J = tape.sparse_jacobian(u)
    err = abs(J - numpy_jacobian(u, N, lam)).max()
    if not err < 1e-12:
        failures.append(f"Jacobian differs from the hand-assembled one by {err:.2e}")
    sym = max(np.abs(U - U.T).max(), np.abs(U - U[::-1]).max(), np.abs(U - U[:, ::-1]).max())
    if not sym < 1e-8:
        failures.append(f"solution not symmetric (deviation {sym:.2e})")
    if not (U.min() > 0 and U.max() < 10):
        failures.append(f"solution out of range: min {U.min():.3g}, max {U.max():.3g}")
    for f in failures:
        print("FAILED:", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
