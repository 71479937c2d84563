"""Batched evaluation on several cores.

A large batch is split into contiguous chunks of rows, and the serial batch
kernel (compiled with ``nogil=True``) runs on each chunk in its own thread.
Rows are independent and each thread has its own work buffers (a Tape keeps
them per thread), so the results are identical, row for row, to a serial call.
Threads rather than a ``parallel=True`` kernel: no second compiled copy of the
value kernels, and no Numba threading layer competing with the caller's own
threads.
"""
from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np

#: threads for large batches; set to 1 to evaluate every batch serially
THREADS = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
#: rows x instructions below which one thread is faster than starting several
MIN_WORK = 1 << 20

_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()
_PREFIX = "adjit-batch"


def _executor(threads: int) -> ThreadPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None or _pool._max_workers != threads:
            _pool = ThreadPoolExecutor(threads, thread_name_prefix=_PREFIX)
        return _pool


def threads_for(tape, npts: int) -> int:
    """How many threads :func:`rows` uses for ``npts`` rows of ``tape``."""
    threads = int(THREADS or 1)
    if (threads < 2 or npts * max(tape.n_ops, 1) < MIN_WORK or npts < 2 * threads
            or threading.current_thread().name.startswith(_PREFIX)):
        return 1
    return threads


def rows(tape, run, xs: np.ndarray):
    """``run(xs)`` for a batch kernel call returning arrays along rows (values,
    gradients, per-row guard flips); large batches run as chunks in threads."""
    npts = xs.shape[0]
    threads = threads_for(tape, npts)
    if threads == 1:
        return run(xs)
    bounds = np.linspace(0, npts, threads + 1).astype(int)
    pool = _executor(threads)
    futures = [pool.submit(run, xs[a:b]) for a, b in zip(bounds[:-1], bounds[1:])]
    parts = [f.result() for f in futures]
    return tuple(np.concatenate(p) for p in zip(*parts))
