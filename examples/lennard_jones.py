"""Minimize a Lennard-Jones cluster, then check it by vibrational analysis.

E(x) = Σ_{i<j} 4 (r_ij⁻¹² - r_ij⁻⁶) in reduced units, for 38 atoms (114
coordinates) started from a jittered fcc fragment. adjit.minimize runs
scipy's trust-region Newton ("trust-exact") with the exact Hessian from the
traced energy; at the minimum the Hessian has six zero eigenvalues (three
translations, three rotations) and all others positive.

    python examples/lennard_jones.py            # 38 atoms
    python examples/lennard_jones.py --small    # 13 atoms, as the tests run it

Checks (exit status 1 on failure): the optimizer converged; the gradient,
recomputed from the closed-form pair force in plain NumPy, vanishes; the
Hessian matches central differences of that NumPy gradient; six eigenvalues
are ~0 and the rest positive.
"""
import argparse
import sys
import time

import numpy as np

import adjit


def energy(x):
    p = x.reshape(-1, 3)
    e = 0.0
    for i in range(len(p)):
        for j in range(i + 1, len(p)):
            d = p[i] - p[j]
            inv6 = 1.0 / (d[0] * d[0] + d[1] * d[1] + d[2] * d[2]) ** 3
            e = e + 4.0 * (inv6 * inv6 - inv6)
    return e


def numpy_gradient(x):
    """dE/dx from the closed-form pair force, independent of adjit."""
    p = x.reshape(-1, 3)
    d = p[:, None, :] - p[None, :, :]
    r2 = (d ** 2).sum(-1)
    np.fill_diagonal(r2, 1.0)
    inv6 = r2 ** -3
    coef = (-48.0 * inv6 * inv6 + 24.0 * inv6) / r2  # (1/r) dV/dr
    np.fill_diagonal(coef, 0.0)
    return (coef[:, :, None] * d).sum(1).ravel()


def fcc_fragment(n_atoms, rng):
    """The n atoms of an fcc lattice nearest its center, at the pair minimum
    spacing 2^(1/6), jittered so no symmetry is exact."""
    a = 2 ** (1 / 6) * np.sqrt(2)
    cells = np.arange(-2, 3)
    base = np.array([[0, 0, 0], [0.5, 0.5, 0], [0.5, 0, 0.5], [0, 0.5, 0.5]])
    pts = np.array([(np.array([i, j, k]) + b) * a for i in cells for j in cells for k in cells
                    for b in base])
    pts = pts[np.argsort((pts ** 2).sum(1), kind="stable")][:n_atoms]
    return (pts + 0.05 * rng.standard_normal(pts.shape)).ravel()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="13 atoms (for the tests)")
    parser.add_argument("--atoms", type=int, default=38)
    args = parser.parse_args(argv)
    n_atoms = 13 if args.small else args.atoms
    rng = np.random.default_rng(1)
    x0 = fcc_fragment(n_atoms, rng)

    t0 = time.perf_counter()
    res = adjit.minimize(energy, x0, method="trust-exact", options={"gtol": 1e-6,
                                                                     "maxiter": 500})
    elapsed = time.perf_counter() - t0
    tape = res.tape
    x = res.x
    print(f"LJ{n_atoms}: {tape.n_ops:,} instructions; trust-exact: {res.message}")
    print(f"  E = {res.fun:.6f} after {res.nit} iterations ({res.nfev} energy, "
          f"{res.nhev} Hessian evaluations, {elapsed:.2f} s)")
    H = tape.hessian(x)
    times = []
    for _ in range(20):
        t0 = time.perf_counter()
        tape.hessian(x)
        times.append(time.perf_counter() - t0)
    print(f"  Hessian {H.shape[0]}x{H.shape[1]}: {np.median(times) * 1e3:.2f} ms (median)")
    eig = np.linalg.eigvalsh(H)
    print("  lowest eigenvalues:", " ".join(f"{v:.2e}" for v in eig[:8]))
    print(f"  highest eigenvalue: {eig[-1]:.2f}")

    failures = []
    if not res.success:
        failures.append(f"optimizer did not converge: {res.message}")
    g = np.abs(numpy_gradient(x)).max()
    print(f"  max |gradient| (NumPy closed form): {g:.2e}")
    if not g < 1e-5:
        failures.append(f"gradient {g:.2e} is not ~0")
    h = 1e-6
    fd = np.array([(numpy_gradient(x + h * e) - numpy_gradient(x - h * e)) / (2 * h)
                   for e in np.eye(x.size)])
    err = np.abs(fd - H).max() / np.abs(H).max()
    print(f"  Hessian vs central differences of the NumPy gradient: {err:.1e} relative")
    if not err < 1e-6:
        failures.append(f"Hessian differs from finite differences by {err:.1e}")
    scale = eig[-1]
    if not np.all(np.abs(eig[:6]) < 1e-6 * scale):
        failures.append(f"six rigid-body eigenvalues should be ~0, got {eig[:6]}")
    if not eig[6] > 1e-3 * scale:
        failures.append(f"eigenvalue 7 ({eig[6]:.3g}) should be positive: not a minimum")
    for f in failures:
        print("FAILED:", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
