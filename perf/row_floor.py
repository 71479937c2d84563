"""How close can sweeps that run one array row at a time come to fused code? (issue 15)

Each array instruction is one pass over memory. JAX (XLA) and hand-written Numba
fuse the Rosenbrock gradient into one loop that keeps every intermediate in
registers; adjit's generic kernels, compiled once for every function, cannot.
This script measures, side by side in one process, on one thread:

* ``pass``: the cheapest pass a reverse sweep makes, ``d[j] += p[j] * g[j]`` over
  ``n`` contiguous float64 (three loads, one store), timed inside one compiled
  loop so that no call overhead is in it;
* ``passes``: how many such passes the vectorized Rosenbrock gradient's program
  makes (each elementwise row in the forward sweep, each of its variable operands
  in the reverse sweep, the sum, the seed's broadcast);
* ``floor = passes x pass``: what any row-at-a-time sweep of that program costs
  at least, whatever the loop inside each row;
* adjit's batch gradient (64 points, per point), the hand-written Numba kernel's
  and, when JAX is installed, ``jax.vmap(jax.grad)``'s.

    PYTHONPATH=. python perf/row_floor.py [--sizes 1000,10000] [--rounds 9]

The floor is an estimate of the order (the passes differ a little in cost);
``perf/README.md`` quotes a run.
"""
from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("ADJIT_THREADS", "1")
os.environ.setdefault("ADJIT_COLD_TIER", "0")  # compiled kernels only

import numpy as np  # noqa: E402
from numba import njit  # noqa: E402

import adjit  # noqa: E402
from adjit import arrays  # noqa: E402
from perf import handwritten, workloads  # noqa: E402

BATCH = 64


@njit(cache=True)
def _passes(d, p, g, reps):
    for _ in range(reps):
        for j in range(d.shape[0]):
            d[j] += p[j] * g[j]


def pass_seconds(n: int, rounds: int) -> float:
    """Median seconds of one ``d += p * g`` pass over ``n`` elements."""
    d, p, g = (np.random.default_rng(k).random(n) * 1e-3 for k in range(3))
    reps = max(1, 2_000_000 // n)
    _passes(d, p, g, 1)
    times = []
    for _ in range(rounds):
        t = time.perf_counter()
        _passes(d, p, g, reps)
        times.append((time.perf_counter() - t) / reps)
    return float(np.median(times))


def count_passes(tape) -> int:
    """Passes over a block the gradient's two sweeps make on ``tape``'s program."""
    a = tape.arrays
    kinds = arrays.KINDS
    total = 0
    for row in a.code:
        total += 1  # forward: the row's values (and partials)
        if row[0] == 0:  # ELEM: one reverse pass per variable operand
            total += int(kinds[row[1]] == 2) + int(kinds[row[1]] > 0)
        else:
            total += 1
    return total


def per_point(fn, arg, rounds: int) -> float:
    fn(arg)
    t = time.perf_counter()
    fn(arg)
    reps = max(1, int(0.05 / max(time.perf_counter() - t, 1e-7)))
    times = []
    for _ in range(rounds):
        t = time.perf_counter()
        for _ in range(reps):
            fn(arg)
        times.append((time.perf_counter() - t) / reps / BATCH)
    return float(np.median(times))


def jax_batch(n):
    try:
        import jax
        import jax.numpy as jnp
    except ImportError:
        return None
    jax.config.update("jax_enable_x64", True)
    m = workloads.Namespace(jnp)
    g = jax.jit(jax.vmap(jax.grad(lambda x: workloads.rosenbrock_vector(x, m))))

    def run(xs):
        return g(xs).block_until_ready()
    return run


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="1000,10000")
    ap.add_argument("--rounds", type=int, default=9)
    args = ap.parse_args(argv)
    print("per point, µs (batch of 64, one thread)")
    print(f"{'n':>7} {'passes':>6} {'pass':>8} {'floor':>8} {'adjit':>8} {'numba':>8} "
          f"{'jax':>8}  adjit/floor")
    for n in (int(s) for s in args.sizes.split(",")):
        w = workloads.make("rosenvec", n)
        xs = w.points(BATCH)
        tape = adjit.trace(w.f, w.x0)
        k = count_passes(tape)
        one = pass_seconds(n, args.rounds)
        ours = per_point(tape.gradient, xs, args.rounds)
        hand = per_point(handwritten.rosenbrock_batch_gradient, xs, args.rounds)
        run = jax_batch(n)
        peer = per_point(run, xs, args.rounds) if run else float("nan")
        print(f"{n:>7} {k:>6} {1e6 * one:>8.3f} {1e6 * k * one:>8.2f} {1e6 * ours:>8.2f} "
              f"{1e6 * hand:>8.2f} {1e6 * peer:>8.2f}  {ours / (k * one):.2f}")


if __name__ == "__main__":
    main()
