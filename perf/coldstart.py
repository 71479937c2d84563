"""First call in a fresh process: ``python -m perf.coldstart FAMILY SIZE`` times
importing adjit, recording the workload and its first gradient (first forward
for vector outputs) and prints them as JSON. The parent runs it with
``NUMBA_CACHE_DIR`` pointing at an empty directory, then again at the now
filled one: what a new user waits for, and what every later process pays.

On an empty cache the first result comes from the no-compile tier while the
kernels compile in a background process; the run then keeps calling until the
compiled kernels answer and reports ``full_speed``, the seconds from the
process's start to the first call they served (and ``calls``, how many calls
the tier served meanwhile). With a warm cache that is the first call itself.
Before exiting it waits for the whole background compile (``all_compiled``),
so that the next run starts on a full cache.
"""
import time

_T0 = time.perf_counter()

import json  # noqa: E402
import sys  # noqa: E402

#: longest wait for the background compile, seconds
_PATIENCE = 900.0


def main(family: str, size: int) -> dict:
    from perf.workloads import make
    w = make(family, size)
    t = time.perf_counter()
    import adjit
    from adjit import background, tiers
    t_import = time.perf_counter() - t
    t = time.perf_counter()
    tape = adjit.trace(w.f, w.x0)
    t_trace = time.perf_counter() - t
    gradient = tape.n_outputs == 1
    first = tape.gradient if gradient else tape.forward
    t = time.perf_counter()
    first(w.x0)
    t_first = time.perf_counter() - t
    total = time.perf_counter() - _T0
    kernel = tape.program_in_runs() and _kernel(tape, gradient)
    calls = 1
    while tiers.cold(kernel) and time.perf_counter() - _T0 < _PATIENCE:
        first(w.x0)
        calls += 1
        if background.failed():
            break
    first(w.x0)  # the first call the compiled kernel serves (it loads here)
    full_speed = time.perf_counter() - _T0
    t = time.perf_counter()
    first(w.x0)
    t_next = time.perf_counter() - t
    # the run on the filled cache that follows must find every kernel compiled
    while not background.all_ready() and not background.failed() \
            and time.perf_counter() - _T0 < _PATIENCE:
        time.sleep(0.2)
    return {"import": t_import, "record": t_trace, "first_call": t_first, "total": total,
            "full_speed": full_speed, "calls": calls, "next_call": t_next,
            "all_compiled": time.perf_counter() - _T0,
            "call": "gradient" if gradient else "forward"}


def _kernel(tape, gradient: bool):
    """The compiled kernel behind the tape's gradient (or forward)."""
    from adjit import sweeps
    runs = tape.program_in_runs().in_runs
    if gradient:
        return sweeps.value_and_gradient_runs if runs else sweeps.value_and_gradient
    return sweeps.forward_runs if runs else sweeps.forward


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], int(sys.argv[2]))))
