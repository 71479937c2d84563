"""Branches, and tapes as files.

1. A Lennard-Jones pair energy with a cutoff (`if r < cutoff:`): the tape
   records the branch as a guard; evaluating it where the branch goes the
   other way raises adjit.BranchChanged naming the line, and adjit.grad
   re-traces by itself, keeping one tape per path.
2. The tape saved to a file, loaded back, and drawn as Graphviz DOT.

Run: python examples/branches.py   (--small for a quick run)
"""
import os
import sys
import tempfile

import numpy as np

import adjit

CUTOFF = 2.5


def energy(x):
    """Pair energy of two atoms at x = (x1, y1, x2, y2), zero beyond the cutoff."""
    r2 = (x[0] - x[2]) ** 2 + (x[1] - x[3]) ** 2
    if r2 < CUTOFF ** 2:
        s6 = 1.0 / r2 ** 3
        return 4.0 * (s6 * s6 - s6)
    return 0.0 * r2  # a traced zero: a tape needs a traced output


def energy_grad(x):
    """The same gradient by hand: dE/dr2 times d(r2)/dx."""
    d = np.array([x[0] - x[2], x[1] - x[3]])
    r2 = d @ d
    if r2 >= CUTOFF ** 2:
        return np.zeros(4)
    de = 4.0 * (-6.0 / r2 ** 7 + 3.0 / r2 ** 4)
    return de * 2.0 * np.array([d[0], d[1], -d[0], -d[1]])


def main(small):
    near, far = np.array([0.0, 0.0, 1.2, 0.0]), np.array([0.0, 0.0, 3.0, 0.0])
    tape = adjit.trace(energy, near)
    print(tape, "\nbranch recorded at", tape.guard_sources[0])
    try:
        tape.gradient(far)
    except adjit.BranchChanged as e:
        print("\nevaluating the near tape far away:\n ", e)

    g = adjit.grad(energy)
    points = np.random.default_rng(0).uniform(0.0, 3.0, size=(20 if small else 200, 4))
    for x in points:
        assert np.allclose(g(x), energy_grad(x), rtol=1e-10, atol=1e-12), x
    print(f"\nadjit.grad at {len(points)} points took {g.n_traces} traces (one per path)")
    assert g.n_traces == 2

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "lj.tape")
        tape.save(path)
        loaded = adjit.load(path)
        assert np.array_equal(loaded.gradient(near), tape.gradient(near))
        print(f"\nsaved and loaded {os.path.getsize(path)} bytes; DOT of the graph:\n")
    print(loaded.to_dot())


if __name__ == "__main__":
    main("--small" in sys.argv)
