"""Does folding scalar loops into array instructions pay? (issue 15, "Scalar loops too")

Times side by side, in one process and interleaved round by round, the gradient of
a scalar-loop workload three ways: the scalar tape (``Tape.gradient``), the same
tape folded into array instructions (:func:`adjit.folding.fold`, run by an
``ArrayTape``), and the hand-written Numba kernel (:mod:`perf.handwritten`); at one
point and for a batch of 64 points. Batches run on one thread (``ADJIT_THREADS=1``)
as the hand-written batch kernel does.

    PYTHONPATH=. python perf/folding_measure.py [--rounds 15] [--json out.json]

Prints the medians (µs of this thread's CPU time, and of wall time) and the
ratios folded/scalar and folded/hand-written (of the CPU-time medians).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

os.environ.setdefault("ADJIT_THREADS", "1")
os.environ.setdefault("ADJIT_COLD_TIER", "0")  # compiled kernels only: never the NumPy tier

import numpy as np  # noqa: E402

import adjit  # noqa: E402
from adjit import array_tape, arrays, folding  # noqa: E402
from perf import handwritten, workloads  # noqa: E402

CASES = (("lj", 64), ("lj", 256), ("rosenbrock", 1000))
BATCH = 64
HAND = {"lj": (handwritten.lj_gradient, handwritten.lj_batch_gradient),
        "rosenbrock": (handwritten.rosenbrock_gradient, handwritten.rosenbrock_batch_gradient)}


def _per_call(fn, arg, budget: float) -> tuple:
    """(wall, CPU) seconds per call of ``fn(arg)``, over about ``budget`` seconds.
    The CPU time (this thread's) is what to compare on a shared, loaded machine:
    time spent waiting for a core is not in it."""
    fn(arg)
    t = time.perf_counter()
    fn(arg)
    once = max(time.perf_counter() - t, 1e-7)
    reps = max(1, int(budget / once))
    t, c = time.perf_counter(), time.thread_time()
    for _ in range(reps):
        fn(arg)
    return (time.perf_counter() - t) / reps, (time.thread_time() - c) / reps


def measure(family: str, size: int, rounds: int, budget: float, runs: int = 0) -> dict:
    w = workloads.make(family, size)
    tape = adjit.trace(w.f, w.x0)
    t = time.perf_counter()
    a = arrays.fused_rows(folding.fold(tape.program, runs=runs))  # as Tape.folded()
    fold_s = time.perf_counter() - t
    ft = array_tape.make(a.code, a.index, a.constants, a.outputs, a.n_inputs, a.guards, (),
                         tape.signature)
    x = np.array(w.x0, dtype=float)
    xs = x + 0.01 * np.random.default_rng(1).standard_normal((BATCH, x.size))
    hand, hand_batch = HAND[family]
    ref = tape.gradient(x)
    for name, g in (("folded", ft.gradient(x)), ("hand-written", hand(x))):
        err = np.max(np.abs(g - ref)) / max(np.max(np.abs(ref)), 1e-300)
        if err > 1e-9:
            raise AssertionError(f"{family}-{size}: {name} gradient differs from the "
                                 f"scalar tape's by {err:.1e} (relative)")
    methods = {
        "scalar": (tape.gradient, x), "folded": (ft.gradient, x), "hand": (hand, x),
        "scalar_b64": (tape.gradient, xs), "folded_b64": (ft.gradient, xs),
        "hand_b64": (hand_batch, xs),
    }
    samples = {k: [] for k in methods}
    for _ in range(rounds):
        for k, (fn, arg) in methods.items():
            samples[k].append(_per_call(fn, arg, budget))
    wall = {k: 1e6 * float(np.median([s[0] for s in v])) for k, v in samples.items()}
    med = {k: 1e6 * float(np.median([s[1] for s in v])) for k, v in samples.items()}
    return dict(workload=f"{family}-{size}", scalar_rows=int(tape.program.n_ops),
                fold_seconds=fold_s, folded=folding.stats(a), median_us=med, wall_us=wall,
                folded_over_scalar=med["folded"] / med["scalar"],
                folded_over_hand=med["folded"] / med["hand"],
                scalar_over_hand=med["scalar"] / med["hand"],
                b64_folded_over_scalar=med["folded_b64"] / med["scalar_b64"],
                b64_folded_over_hand=med["folded_b64"] / med["hand_b64"],
                b64_scalar_over_hand=med["scalar_b64"] / med["hand_b64"])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=15)
    ap.add_argument("--budget", type=float, default=0.02, help="seconds per sample")
    ap.add_argument("--runs", type=int, default=0, help="fold(..., runs=RUNS)")
    ap.add_argument("--json", help="write the results here too")
    args = ap.parse_args(argv)
    load = os.getloadavg()
    results = []
    for family, size in CASES:
        r = measure(family, size, args.rounds, args.budget, args.runs)
        results.append(r)
        m, wall = r["median_us"], r["wall_us"]
        print(f"{r['workload']}: {r['scalar_rows']} scalar rows -> {r['folded']['rows']} "
              f"array rows ({r['folded']['gathered']} slots gathered), fold "
              f"{1e3 * r['fold_seconds']:.1f} ms")
        print(f"  gradient  CPU µs: scalar {m['scalar']:9.1f}  folded {m['folded']:9.1f}  "
              f"hand {m['hand']:9.1f}   folded/scalar {r['folded_over_scalar']:.2f}  "
              f"scalar/hand {r['scalar_over_hand']:.2f}  folded/hand {r['folded_over_hand']:.2f}")
        print(f"  batch-64  CPU µs: scalar {m['scalar_b64']:9.1f}  folded {m['folded_b64']:9.1f}  "
              f"hand {m['hand_b64']:9.1f}   folded/scalar {r['b64_folded_over_scalar']:.2f}  "
              f"scalar/hand {r['b64_scalar_over_hand']:.2f}  "
              f"folded/hand {r['b64_folded_over_hand']:.2f}")
        print("  wall µs: " + "  ".join(f"{k} {v:.1f}" for k, v in wall.items()))
        sys.stdout.flush()
    print(f"load average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; after: "
          + " ".join(f"{v:.2f}" for v in os.getloadavg()))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(dict(load_before=load, load_after=os.getloadavg(), results=results), f,
                      indent=1)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
