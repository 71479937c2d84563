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

import contextlib
import os
import threading
from concurrent.futures import ThreadPoolExecutor, wait

import numpy as np

from .errors import interruptible

def _default_threads() -> int:
    setting = os.environ.get("ADJIT_THREADS", "").strip()
    if setting:
        try:
            return max(1, int(setting))
        except ValueError:
            raise ValueError(f"ADJIT_THREADS: expected a positive integer, got {setting!r}") \
                from None
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


#: threads for large batches (the environment variable ADJIT_THREADS, else every
#: core this process may use); set to 1 to evaluate every batch serially
THREADS = _default_threads()
_serial = threading.local()


@contextlib.contextmanager
def serial():
    """Batches evaluated in this thread, inside the block, use one thread: for
    callers that run their own parallel workers (Dask tasks), where more threads
    per task only compete for the same cores."""
    before = getattr(_serial, "on", False)
    _serial.on = True
    try:
        yield
    finally:
        _serial.on = before
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


def _size(tape) -> int:
    """A tape's work per point in scalar instructions: its rows, or for a tape
    with array instructions the elements they compute (its slots)."""
    arrays = getattr(tape, "arrays", None)
    return max(arrays.n_slots if arrays is not None else tape.program.n_ops, 1)


def threads_for(tape, npts: int, cost: int = 1) -> int:
    """How many threads :func:`rows` uses for ``npts`` rows of ``tape`` (``cost``:
    sweeps over the tape per row)."""
    threads = int(THREADS or 1)
    if (threads < 2 or npts * _size(tape) * cost < MIN_WORK or npts < 2 * threads
            or threading.current_thread().name.startswith(_PREFIX)
            or getattr(_serial, "on", False)):
        return 1
    return threads


#: rows x instructions in one kernel call of a long batch. Kernels run without the
#: GIL and do not look at signals, so a batch is cut into calls of about this much
#: work (a few hundredths of a second) and Ctrl-C is acted on between them.
CHUNK_WORK = 1 << 24


def _chunks(tape, npts: int, parts: int, cost: int = 1) -> list:
    """``(start, stop)`` rows of the calls a batch is cut into: at least ``parts`` calls,
    none of more than about ``CHUNK_WORK`` work, each a multiple of 16 rows (a
    whole number of the kernels' blocks) but the last."""
    per = max(16, (CHUNK_WORK // (_size(tape) * cost)) // 16 * 16)
    count = max(parts, -(-npts // per))
    per = -(-npts // count)
    per = -(-per // 16) * 16 if count > 1 else per
    return [(a, min(a + per, npts)) for a in range(0, npts, per)]


def rows(tape, run, xs: np.ndarray, *more: np.ndarray, cost: int = 1):
    """``run(xs, *more)`` for a batch kernel call returning arrays along rows
    (values, gradients, per-row guard flips); ``more`` are further arrays with
    one row per point (directions), cut along with ``xs``, and ``cost`` the
    sweeps over the tape a row takes. A long batch runs as several calls, in
    threads when it is large enough, so that an interrupt surfaces within a
    fraction of a second as ``KeyboardInterrupt`` and stops the workers too."""
    npts = xs.shape[0]
    threads = threads_for(tape, npts, cost)
    if threads == 1 and npts * _size(tape) * cost <= CHUNK_WORK:
        return interruptible(run, xs, *more)  # one short call: the common small batch
    spans = _chunks(tape, npts, threads, cost)
    if len(spans) <= 1:
        return interruptible(run, xs, *more)
    if threads == 1:  # signals act between calls
        parts = [interruptible(run, xs[a:b], *(v[a:b] for v in more)) for a, b in spans]
    else:
        parts = _threaded(run, (xs,) + more, spans, threads)
    return tuple(np.concatenate(p) for p in zip(*parts))


def _threaded(run, arrays, spans, threads):
    """The spans' calls shared out to ``threads`` workers, which take the next span
    until none is left or the caller is interrupted."""
    results = [None] * len(spans)
    taken = iter(range(len(spans)))
    lock = threading.Lock()
    stop = threading.Event()

    def work():
        while not stop.is_set():
            with lock:
                k = next(taken, None)
            if k is None:
                return
            a, b = spans[k]
            results[k] = run(*(v[a:b] for v in arrays))

    pool = _executor(threads)
    futures = [pool.submit(work) for _ in range(threads)]
    try:
        for f in futures:
            f.result()
    except BaseException:
        # Ctrl-C (or a worker's error): the others finish the call they are in, a
        # fraction of a second, and take no more, so nothing runs on after we return.
        stop.set()
        wait(futures)
        raise
    return results


def block_size(tape, npts: int, per_point: int, cost: int = 1, most: int = 16,
               budget: int = 1 << 25, small: int = 1 << 19) -> int:
    """Points per block of a batched kernel whose work arrays take ``per_point``
    bytes a point: a power of two up to ``most`` (twice that when such a block
    stays within ``small`` bytes, the per-core cache: on a 62-instruction tape
    32 points a block ran 25-35 % faster than 16) that keeps the blocks of all
    threads within ``budget`` bytes (the last-level cache), and no wider than
    the rows one thread gets (a short last block is padded to full width)."""
    threads = threads_for(tape, npts, cost)
    if 2 * most * per_point <= small:
        most *= 2
    fit = max(1, min(most, budget // threads // max(per_point, 1)))
    block = 1 << (int(fit).bit_length() - 1)
    rows_each = -(-npts // threads)
    while block > 1 and block // 2 >= rows_each:
        block //= 2
    return block
