"""How one quantity is timed: warm up, size samples to at least ``min_sample``
seconds by repeating the call inside a sample, then report the median and the
minimum per call. The median is the honest figure on a shared machine; the
minimum shows what the code can do when the machine is quiet.
"""
from __future__ import annotations

import os
import resource
import statistics
import sys
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class Settings:
    """How hard to try: ``samples`` wanted, ``budget`` seconds per quantity at most."""

    min_sample: float = 2e-4
    samples: int = 21
    budget: float = 2.0


QUICK = Settings(samples=7, budget=0.3)
CHECK = Settings(samples=15, budget=0.6)  # --quick --check: a verdict wants steadier minima
# Full runs: samples of >= 10 ms, so 21 of them span a quarter second or more. This
# machine's shared cores switch between a quiet and a contended state every 20-200 ms
# (one kernel: 76 us or 116 us per call); 0.2 ms samples all fall in one state and the
# median is whichever it was, where longer ones see both and the minimum the quiet one.
FULL = Settings(min_sample=1e-2)


def measure(fn, settings: Settings = FULL) -> dict:
    """Per-call time of ``fn()``: ``{"median", "min", "samples", "repeats", "first"}``.

    ``first`` is the warm-up call's time. A call slower than a third of the
    budget is timed once more and no further (large tapes take seconds a call).
    """
    clock = time.perf_counter
    t0 = clock()
    fn()
    first = clock() - t0
    if first > settings.budget / 3:
        t0 = clock()
        fn()
        t = clock() - t0
        return {"median": t, "min": min(t, first), "samples": 1, "repeats": 1, "first": first}
    repeats = 1
    while True:  # grow the inner loop until one sample is long enough to time
        t0 = clock()
        for _ in range(repeats):
            fn()
        t = clock() - t0
        if t >= settings.min_sample:
            break
        repeats = max(repeats * 2, int(repeats * 1.2 * settings.min_sample / max(t, 1e-9)))
    times = [t / repeats]
    deadline = clock() + settings.budget
    while len(times) < settings.samples and (len(times) < 3 or clock() < deadline):
        t0 = clock()
        for _ in range(repeats):
            fn()
        times.append((clock() - t0) / repeats)
    return {"median": statistics.median(times), "min": min(times), "samples": len(times),
            "repeats": repeats, "first": first}


def once(fn) -> tuple[object, float]:
    """``(fn(), seconds)`` for a call timed a single time (compiles, traces)."""
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def peak_rss() -> int:
    """This process's peak resident set size in bytes."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def current_rss() -> int:
    """This process's resident set size now, in bytes (0 when unknown)."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def load() -> list[float]:
    """The 1-, 5- and 15-minute load averages (empty where the OS has none)."""
    try:
        return [round(v, 2) for v in os.getloadavg()]
    except (AttributeError, OSError):
        return []
