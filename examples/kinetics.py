"""A stiff mass-action polymerization network advanced by implicit Euler.

Species: monomer M and chains of length i = 2..K+1 in two conformations,
P_i (growing) and Q_i (dormant), so 2K + 1 species (41 for K = 20):

    M + M    -> P_2               k_init  = 0.1
    M + P_i  -> P_{i+1}           k_grow  = 1          (i < K + 1)
    P_i     <-> Q_i               k_sleep = 1e5, k_wake = 3e4   (fast: stiff)
    Q_{i+1}  -> Q_i + M           k_drop  = 0.02

Mass-action rates give dc/dt = f(c), with the total monomer count
M + Σ i (P_i + Q_i) conserved. The conformer exchange is ~10⁷ times faster
than depolymerization, so explicit methods would need tiny steps; backward
Euler, c_{n+1} = c_n + Δt f(c_{n+1}), takes Δt = 0.05 and solves each step,
G(c_{n+1}) = c_n with G(c) = c - Δt f(c) traced once, by adjit.newton on the
sparse Jacobian. M couples to every chain: an arrowhead pattern, which
column or row coloring alone cannot compress (21 colors); adjit takes the
dense row by one adjoint sweep and colors the rest (6 directions in all).

    python examples/kinetics.py            # K = 20, t = 0 .. 20
    python examples/kinetics.py --small    # t = 0 .. 2, as the tests run it

Checks (exit status 1 on failure): every Newton solve converges; mass is
conserved to rounding; concentrations stay nonnegative; the fast pairs sit at
their equilibrium ratio; and the result agrees with scipy's Radau solver on
an independent NumPy right-hand side to the accuracy of a first-order method.
"""
import argparse
import sys
import time

import numpy as np
from scipy.integrate import solve_ivp

import adjit

K = 20
RATES = dict(init=0.1, grow=1.0, sleep=1e5, wake=3e4, drop=0.02)


def rhs(c, k=RATES):
    """dc/dt; c = [M, P_2..P_{K+1}, Q_2..Q_{K+1}]. Works on traced and float arrays."""
    M = c[0]
    P = [c[1 + i] for i in range(K)]
    Q = [c[1 + K + i] for i in range(K)]
    dM = -2.0 * k["init"] * M * M
    dP = [0.0] * K
    dQ = [0.0] * K
    dP[0] = dP[0] + k["init"] * M * M
    for i in range(K):
        if i + 1 < K:  # M + P_i -> P_{i+1}
            r = k["grow"] * M * P[i]
            dM, dP[i], dP[i + 1] = dM - r, dP[i] - r, dP[i + 1] + r
        r = k["sleep"] * P[i] - k["wake"] * Q[i]  # P_i <-> Q_i
        dP[i], dQ[i] = dP[i] - r, dQ[i] + r
        if i > 0:  # Q_{i+1} -> Q_i + M
            r = k["drop"] * Q[i]
            dQ[i], dQ[i - 1], dM = dQ[i] - r, dQ[i - 1] + r, dM + r
    return [dM] + dP + dQ


def numpy_rhs(t, c):
    return np.array(rhs(c), dtype=float)


def numpy_jac(t, c):
    """Central differences, only to help the reference solver along."""
    h = 1e-7
    return np.array([(numpy_rhs(t, c + h * e) - numpy_rhs(t, c - h * e)) / (2 * h)
                     for e in np.eye(c.size)]).T


def mass(c):
    sizes = np.arange(2, K + 2)
    return c[0] + sizes @ c[1:K + 1] + sizes @ c[K + 1:]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="t = 0 .. 2 (for the tests)")
    parser.add_argument("--dt", type=float, default=0.05)
    args = parser.parse_args(argv)
    t_end = 2.0 if args.small else 20.0
    dt = args.dt
    steps = int(round(t_end / dt))
    n = 2 * K + 1
    c = np.zeros(n)
    c[0] = 1.0

    rhs_tape = adjit.trace(rhs, c)
    pattern = rhs_tape.jacobian_sparsity()
    print(f"{n} species, {rhs_tape.n_ops} instructions; Jacobian {pattern.nnz} nonzeros, "
          f"{rhs_tape.jacobian_coloring().n_colors} colors ({rhs_tape.jacobian_coloring().mode})")
    # One tape for every step: G(c) = c - dt f(c), and each step solves
    # G(c_{n+1}) = c_n, so the previous state is the target, not a constant.
    def implicit(x):
        f = rhs(x)
        return [x[i] - dt * f[i] for i in range(n)]

    step_tape = adjit.trace(implicit, c)
    failures = []
    t0 = time.perf_counter()
    iterations = 0
    for step in range(steps):
        res = adjit.newton(step_tape, c, target=c, tol=1e-13, sparse=True)
        iterations += res.nit
        if not res.success:
            failures.append(f"step {step}: {res.message}")
            break
        c = res.x
    elapsed = time.perf_counter() - t0
    print(f"implicit Euler: {steps} steps of dt={dt} to t={t_end}, {iterations} Newton "
          f"iterations in all ({elapsed:.2f} s)")
    print(f"M = {c[0]:.5f}, Σ P = {c[1:K + 1].sum():.5f}, Σ Q = {c[K + 1:].sum():.5f}")

    drift = abs(mass(c) - 1.0)
    print(f"mass drift: {drift:.1e}")
    if not drift < 1e-11:
        failures.append(f"mass not conserved (drift {drift:.1e})")
    if not c.min() > -1e-12:
        failures.append(f"negative concentration {c.min():.2e}")
    ratio = c[K + 1:] / np.maximum(c[1:K + 1], 1e-300)
    active = c[1:K + 1] > 1e-8
    if not np.allclose(ratio[active], RATES["sleep"] / RATES["wake"], rtol=1e-3):
        failures.append("fast P/Q pairs are not at their equilibrium ratio")
    ref = solve_ivp(numpy_rhs, (0.0, t_end), np.eye(n)[0], method="Radau", rtol=1e-10,
                    atol=1e-13, jac=numpy_jac)
    err = np.abs(c - ref.y[:, -1]).max() / np.abs(ref.y[:, -1]).max()
    print(f"difference from scipy Radau (rtol 1e-10): {err:.1e} relative (first order in dt)")
    if not (ref.success and err < 20 * dt):
        failures.append(f"disagrees with the Radau reference by {err:.1e}")
    for f in failures:
        print("FAILED:", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
