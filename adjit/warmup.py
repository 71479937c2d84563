"""``python -m adjit.warmup``: compile every kernel ahead, into Numba's cache.

For images, clusters and CI: run it once after installing and every later
process starts at full speed. The kernels are compiled in jobs (one group of
methods each, :data:`adjit.background.JOBS`) spread over parallel processes,
with a progress bar (``tqdm``, when installed). ``--jobs N`` sets the number
of processes (default: the number of CPUs); ``--only a,b`` runs some jobs.

The same jobs, one after another at a slightly lower priority, are what the background
compile of a fresh install runs (``--background``, started by
:mod:`adjit.background`; not for direct use).
"""
from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

from . import background, config, tiers


def _tapes(optimize: bool = False):
    """Two small tapes, one whose rows go in runs and one row by row (each
    single-point sweep has a kernel of each kind), both single-output."""
    import adjit

    def small(x):
        return x[0] * x[1] + np.exp(x[0] * x[1])

    def chain(x):
        return sum(100.0 * (x[i + 1] - x[i] ** 2) ** 2 + (1.0 - x[i]) ** 2
                   for i in range(len(x) - 1))
    return (adjit.trace(small, np.array([1.0, 2.0]), optimize=optimize),
            adjit.trace(chain, np.linspace(0.5, 1.5, 40), optimize=optimize))


def _trace():
    import adjit

    def branchy(x):
        return x[0] * x[1] if x[0] < x[1] else x[0] - x[1]
    adjit.trace(branchy, [1.0, 2.0])
    for t in _tapes(optimize=True):
        t.program_in_runs()


def _gradient():  # a tape in runs (most tapes of more than a few rows)
    t = _tapes()[1]
    t.value_and_gradient(np.linspace(0.5, 1.5, t.n_inputs))


def _gradient_rows():  # a small tape, row by row
    t = _tapes()[0]
    t.value_and_gradient(np.linspace(0.5, 1.5, t.n_inputs))


def _forward():
    for t in _tapes():
        t.forward(np.linspace(0.5, 1.5, t.n_inputs))


def _derivatives():
    import adjit
    for t in _tapes():
        x = np.linspace(0.5, 1.5, t.n_inputs)
        t.jvp(x, np.ones(t.n_inputs))
        t.vjp(x, np.ones(1))
        t.jacobian(x, mode="forward")
        t.jacobian(x, mode="reverse")
        t.trace_table(x, v=np.ones(t.n_inputs), w=np.ones(1))
        t.kinks(x)
    t = adjit.trace(lambda x: x[0] if x[0] < x[1] else x[1], [1.0, 2.0], optimize=False)
    try:
        t.forward([2.0, 1.0])
    except adjit.BranchChanged as e:
        str(e)  # what the guard compares: one value sweep


def _batch():
    for t in _tapes():
        xs = np.linspace(0.5, 1.5, 3 * t.n_inputs).reshape(3, t.n_inputs)
        t.forward(xs)
        t.value_and_gradient(xs)
        t.jacobian(xs, mode="forward")
        t.jacobian(xs, mode="reverse")
        t.hvp(xs, np.ones_like(xs))


def _second():
    for t in _tapes():
        x = np.linspace(0.5, 1.5, t.n_inputs)
        t.hvp(x, np.ones(t.n_inputs))
        t.hessian(x)
        t.sparse_hessian(x)


def _sparsity():
    import adjit
    vector = adjit.trace(lambda x: [x[0] * x[1], np.sin(x[1]) + x[2], x[2] ** 2],
                         np.ones(3), optimize=False)
    wide = adjit.trace(lambda x: [np.sum(x * x)], np.ones(8), optimize=False)
    for t in (vector, wide):
        t.jacobian_sparsity()
        t.hessian_sparsity()
        t.sparse_jacobian(np.linspace(0.5, 1.5, t.n_inputs))
    for t in _tapes():
        t.slot_program()


def _njit():
    for t in _tapes():
        t.njit_functions()


def _probe():
    from . import sweeps
    sweeps.pair_dispatch(np.array([1, 2, 1], dtype=np.int32))


def _arrays():  # vectorized NumPy code: the array instructions' kernels
    import adjit
    X = np.linspace(-1.0, 1.0, 12).reshape(4, 3)

    def f(x):
        a, b = x[:-1], x[1:]
        r = np.sum(100.0 * (b - a ** 2) ** 2 + (1.0 - a) ** 2)
        return r + np.sum(np.exp(X @ x[:3])) if r > -1.0 else r  # a guard: its values too

    t = adjit.trace(f, np.linspace(0.5, 1.5, 6))
    x = np.linspace(0.4, 1.4, 6)
    t.forward(x)
    t.value_and_gradient(x)
    t.forward(np.stack([x, x]))
    t.value_and_gradient(np.stack([x, x]))
    t.jvp(x, np.ones(6))
    t.vjp(x, np.ones(1))
    t.hvp(x, np.ones(6))
    t.hessian(x)


RUN = {"probe": _probe, "trace": _trace, "gradient": _gradient, "gradient_rows": _gradient_rows,
       "forward": _forward, "arrays": _arrays,
       "derivatives": _derivatives, "batch": _batch, "second": _second,
       "sparsity": _sparsity, "njit": _njit}


def kernels() -> set:
    """Names of adjit's kernels compiled in this process so far."""
    from numba.core.registry import CPUDispatcher
    from . import array_sweeps, compiled, optimize, program, second, sparsity, sweeps, tape
    out = set()
    for module in (sweeps, array_sweeps, second, sparsity, optimize, compiled, program, tape):
        for value in vars(module).values():
            if isinstance(value, CPUDispatcher) and value.overloads:
                out.add(tiers.name(value))
    return out


def run_job(job: str) -> tuple[str, list, float]:
    """Run one job; ``(job, kernels compiled, seconds)``."""
    t = time.perf_counter()
    RUN[job]()
    return job, sorted(kernels()), time.perf_counter() - t


def _background() -> int:
    """The background compile: every job not yet marked, in order."""
    lock = background.hold_lock()
    if lock is None:
        return 0  # another process is compiling
    try:
        os.nice(2)  # below the user's own work, but not starved on a busy machine
    except (AttributeError, OSError):  # pragma: no cover - no nice on this system
        pass
    for job in background.JOBS:
        if os.path.exists(os.path.join(background.directory(), job)):
            continue
        _, names, _ = run_job(job)
        background.mark(job, names)
    return 0


def _init_worker():
    os.environ["ADJIT_COLD_TIER"] = "0"
    config.cold_tier = False
    tiers.no_notice()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m adjit.warmup", description=__doc__.split(
        "\n\n")[0])
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                        help="parallel processes (default: the number of CPUs)")
    parser.add_argument("--only", default="", help="comma-separated jobs: " + ", ".join(
        background.JOBS))
    parser.add_argument("--background", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    config.cold_tier = False  # this process compiles: never the no-compile tier
    tiers.no_notice()
    if args.background:
        return _background()
    jobs = [j for j in args.only.split(",") if j] or list(background.JOBS)
    unknown = [j for j in jobs if j not in RUN]
    if unknown:
        parser.error(f"unknown jobs {unknown}; known: {', '.join(background.JOBS)}")
    lock = background.hold_lock()
    if lock is None:
        print("adjit.warmup: waiting for another process's compile to finish", file=sys.stderr)
        while (lock := background.hold_lock()) is None:
            time.sleep(0.5)
    t0 = time.perf_counter()
    bar = _bar(len(jobs))
    if args.jobs <= 1:
        for job in jobs:
            _done(bar, *run_job(job))
    else:
        import concurrent.futures
        import multiprocessing
        ctx = multiprocessing.get_context("spawn")
        with concurrent.futures.ProcessPoolExecutor(min(args.jobs, len(jobs)), mp_context=ctx,
                                                    initializer=_init_worker) as pool:
            for future in concurrent.futures.as_completed(
                    [pool.submit(run_job, j) for j in jobs]):
                _done(bar, *future.result())
    bar.close()
    print(f"adjit.warmup: {len(jobs)} jobs in {time.perf_counter() - t0:.1f} s; kernels cached "
          f"in {background.cache_root()}", file=sys.stderr)
    return 0


def _done(bar, job, names, seconds):
    background.mark(job, names)
    bar.set_postfix_str(f"{job} {seconds:.1f} s")
    bar.update(1)


class _Plain:
    """A progress report without tqdm: one line per job."""

    def __init__(self, total):
        self.n, self.total = 0, total

    def set_postfix_str(self, text):
        self.text = text

    def update(self, k):
        self.n += k
        print(f"adjit.warmup: [{self.n}/{self.total}] {self.text}", file=sys.stderr)

    def close(self):
        pass


def _bar(total):
    try:
        from tqdm import tqdm
    except ImportError:
        return _Plain(total)
    return tqdm(total=total, desc="adjit.warmup", unit=" job")


if __name__ == "__main__":
    sys.exit(main())
