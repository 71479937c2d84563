"""A parameter sweep on a Dask cluster: gradients at many points, and one Newton
solve per starting point, with adjit.dask.

The energy of a Lennard-Jones pair chain is traced once; its gradient is then
evaluated at many jittered configurations (a dask array chunked along the
points), and a small nonlinear system is solved from many starting points
(adjit.dask.solve_many), each row reporting its own status.

    python examples/dask_sweep.py                       # a LocalCluster on this machine
    python examples/dask_sweep.py --small               # fewer points (the tests run this)
    python examples/dask_sweep.py --scheduler tcp://scheduler-host:8786   # a real cluster

The code is the same either way: only the Client changes. On a real cluster
every worker needs adjit installed (`pip install "adjit[dask]"`); each worker
process compiles adjit's kernels on first use, or loads them from its Numba
cache when one is there (set NUMBA_CACHE_DIR to a shared directory to compile
once per machine).

Checks (exit status 1 on failure): the gradients equal the same tape's
single-process batch bit for bit and match the closed-form pair force; every
converging solve lands on the closed-form root; the bad starting point is
reported in its own row (status 3, non-finite).
"""
import argparse
import sys
import time

import numpy as np

import adjit


def chain_energy(x):
    """Lennard-Jones energy of atoms on a line at positions x (nearest and next
    nearest neighbours)."""
    e = 0.0
    for i in range(len(x) - 1):
        for j in range(i + 1, min(i + 3, len(x))):
            s6 = 1.0 / (x[j] - x[i]) ** 6
            e = e + 4.0 * (s6 * s6 - s6)
    return e


def chain_gradient(x):
    """dE/dx from the closed-form pair force, independent of adjit."""
    g = np.zeros_like(x)
    for i in range(len(x) - 1):
        for j in range(i + 1, min(i + 3, len(x))):
            r = x[j] - x[i]
            de = 4.0 * (-12.0 * r ** -13 + 6.0 * r ** -7)
            g[j] += de
            g[i] -= de
    return g


def system(x):
    """x0² = 2 + x1/10, x1³ = x0: one root with x0 > 0 per start near it."""
    return [x[0] * x[0] - 2.0 - 0.1 * x[1], x[1] * x[1] * x[1] - x[0]]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="fewer points (for the tests)")
    parser.add_argument("--scheduler", metavar="ADDRESS",
                        help="a running cluster's scheduler (tcp://host:8786); default: start "
                             "a LocalCluster of two worker processes")
    args = parser.parse_args(argv)

    import dask
    import dask.array as da
    from dask.distributed import Client, LocalCluster

    import adjit.dask

    atoms, points = 16, (2_000 if args.small else 200_000)
    if args.scheduler:
        client, cluster = Client(args.scheduler), None
    else:
        cluster = LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None)
        client = Client(cluster)
    try:
        print(client)
        x0 = 1.12 * np.arange(atoms, dtype=float)
        tape = adjit.trace(chain_energy, x0)

        # The points live on the workers: each block is made where it is used.
        rng = da.random.default_rng(0)
        X = x0 + rng.uniform(-0.05, 0.05, (points, atoms), chunks=(max(points // 8, 1), atoms))
        t = time.perf_counter()
        G = adjit.dask.gradient(tape, X)            # lazy: (points, atoms)
        norms = da.linalg.norm(G, axis=1)
        top = da.argtopk(norms, 3)                  # the three most strained configurations
        norms_, top_ = dask.compute(norms, top)
        print(f"{points} gradients in {time.perf_counter() - t:.2f} s; largest |∇E|: "
              f"{np.round(norms_[top_], 3)}")

        # Checks on a sample brought back to this process.
        sample = X[:200].compute()
        g = G[:200].compute()
        ok = np.array_equal(g, tape.gradient(sample))
        ok &= all(np.allclose(g[k], chain_gradient(sample[k]), rtol=1e-10, atol=1e-9)
                  for k in range(0, 200, 20))

        # One Newton solve per starting point; row 3 starts at a non-finite point.
        starts = np.abs(np.random.default_rng(1).normal(1.0, 0.3, (40, 2))) + 0.2
        starts[3] = [np.nan, 1.0]
        sols = adjit.dask.solve_many(system, da.from_array(starts, chunks=10), tol=1e-12)
        x, success, status, nit, message = dask.compute(*sols)
        print(f"{int(success.sum())} of {len(starts)} solves converged "
              f"(iterations {nit[success].min()}-{nit[success].max()}); row 3: {message[3]!r}")
        roots = np.roots([1.0, 0.0, 0.0, 0.0, 0.0, -0.1, -2.0])  # x1⁶ - x1/10 - 2 = 0
        x1 = max(r.real for r in roots if abs(r.imag) < 1e-12 and r.real > 0)
        ok &= bool(np.allclose(x[success], [x1 ** 3, x1], rtol=1e-12))
        ok &= bool(not success[3] and status[3] == adjit.solvers.NONFINITE)
        ok &= bool(success.sum() == len(starts) - 1)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    print("checks passed" if ok else "CHECKS FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
