"""adjit in three steps: the two textbook examples, then an optimizer.

1. f(x) = x - exp(-2 sin²(4x)) at x = π/16, in forward mode: the evaluation
   trace with each intermediate's value and tangent (dx = 1).
2. f(x, y) = x·y + exp(x·y) at (1, 2), in reverse mode: each intermediate's
   adjoint; x and y each feed two products, so their adjoints are sums.
3. The extended Rosenbrock function of 1000 variables (500 independent
   Rosenbrock pairs, Moré-Garbow-Hillstrom) minimized by SciPy's L-BFGS-B,
   with value and gradient from one recorded tape.

Run: python examples/quickstart.py   (--small for a quick run)
"""
import math
import sys
import time

import numpy as np
import scipy.optimize

import adjit


def textbook_forward():
    def f(x):
        return x[0] - np.exp(-2.0 * np.sin(4.0 * x[0]) ** 2)

    x = [math.pi / 16]
    tape = adjit.trace(f, x)
    rows, table = tape.trace_table(x, v=[1.0])
    print("1. f(x) = x - exp(-2 sin²(4x)) at x = π/16, forward mode (dx = 1)\n")
    print(table)
    derivative = rows[-1]["tangent"]
    print(f"\n   f'(π/16) = {derivative:.15f}   (exact: 1 + 8/e = {1 + 8 / math.e:.15f})\n")
    return abs(derivative - (1 + 8 / math.e)) < 1e-14


def textbook_reverse():
    def f(x):
        return x[0] * x[1] + np.exp(x[0] * x[1])

    x = [1.0, 2.0]
    tape = adjit.trace(f, x)
    rows, table = tape.trace_table(x, w=[1.0])
    print("2. f(x, y) = x·y + exp(x·y) at (1, 2), reverse mode (output adjoint 1)\n")
    print(table)
    grad = tape.gradient(x)
    e2 = math.exp(2.0)
    print(f"\n   ∇f(1, 2) = {grad}   (exact: (2 + 2e², 1 + e²) = ({2 + 2 * e2}, {1 + e2}))\n")
    return np.allclose(grad, [2 + 2 * e2, 1 + e2], rtol=1e-15)


def extended_rosenbrock(x):
    return sum(100.0 * (x[i + 1] - x[i] ** 2) ** 2 + (1.0 - x[i]) ** 2
               for i in range(0, len(x) - 1, 2))


def optimize(n):
    x0 = np.ones(n)
    x0[::2] = -1.2  # the classic start (-1.2, 1) in every pair
    t0 = time.perf_counter()
    tape = adjit.trace(extended_rosenbrock, x0)
    t_trace = time.perf_counter() - t0
    t0 = time.perf_counter()
    # value_and_gradient gives both from one forward and one reverse sweep
    res = scipy.optimize.minimize(tape.value_and_gradient, x0, jac=True, method="L-BFGS-B",
                                  options={"maxiter": 20000, "gtol": 1e-10})
    t_opt = time.perf_counter() - t0
    x = res.x
    per_call = min(_timed(tape.value_and_gradient, x) for _ in range(5))
    print(f"3. extended Rosenbrock, n = {n}: {tape}")
    print(f"   traced in {t_trace * 1e3:.1f} ms; L-BFGS-B: {res.nit} iterations, "
          f"{res.nfev} evaluations in {t_opt:.2f} s; f = {res.fun:.3e}, "
          f"max |x - 1| = {np.abs(res.x - 1).max():.1e}")
    print(f"   one value and gradient: {per_call * 1e6:.0f} µs "
          f"({per_call / tape.n_ops * 1e9:.1f} ns per instruction)")
    return res.success and np.abs(res.x - 1).max() < 1e-4


def _timed(f, x, repeat=200):
    t0 = time.perf_counter()
    for _ in range(repeat):
        f(x)
    return (time.perf_counter() - t0) / repeat


def main(argv):
    small = "--small" in argv
    ok = textbook_forward() & textbook_reverse() & optimize(100 if small else 1000)
    print("\nall checks passed" if ok else "\nCHECK FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
