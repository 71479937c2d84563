"""First call in a fresh process: ``python -m perf.coldstart FAMILY SIZE`` times
importing adjit, recording the workload and its first gradient (first forward
for vector outputs) and prints them as JSON. The parent runs it with
``NUMBA_CACHE_DIR`` pointing at an empty directory, then again at the now
filled one: the compile a new user pays once, and what every later process pays.
"""
import time

_T0 = time.perf_counter()

import json  # noqa: E402
import sys  # noqa: E402


def main(family: str, size: int) -> dict:
    from perf.workloads import make
    w = make(family, size)
    t = time.perf_counter()
    import adjit
    t_import = time.perf_counter() - t
    t = time.perf_counter()
    tape = adjit.trace(w.f, w.x0)
    t_trace = time.perf_counter() - t
    t = time.perf_counter()
    if tape.n_outputs == 1:
        tape.gradient(w.x0)
    else:
        tape.forward(w.x0)
    t_first = time.perf_counter() - t
    return {"import": t_import, "record": t_trace, "first_call": t_first,
            "total": time.perf_counter() - _T0,
            "call": "gradient" if tape.n_outputs == 1 else "forward"}


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], int(sys.argv[2]))))
