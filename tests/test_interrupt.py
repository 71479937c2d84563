"""Ctrl-C during an evaluation surfaces as KeyboardInterrupt, promptly.

Each case runs in a subprocess that sends itself SIGINT while a long loop of
forward or gradient calls, or one long batch (one thread, two threads), runs;
the child reports what it caught and how long after the signal. Kernels do not
look at signals, so without the batch being cut into short calls the interrupt
would wait for the whole batch (seconds), and workers would run on after it.
"""
import json
import subprocess
import sys
import textwrap

import pytest

CHILD = textwrap.dedent("""
    import json, os, signal, sys, threading, time
    import numpy as np
    import adjit
    from adjit import parallel

    case = sys.argv[1]
    parallel.THREADS = 2 if case.endswith("2") else 1
    # Python keeps SIGINT ignored when it starts with it ignored (a job started
    # in the background by a shell without job control): Ctrl-C's own handler
    signal.signal(signal.SIGINT, signal.default_int_handler)

    def f(x):
        s = x[0]
        for i in range(4000):
            s = np.sin(s) * x[i % 8] + x[(i + 3) % 8]
        return s

    n = 8
    tape = adjit.trace(f, np.full(n, 0.5))
    x = np.full(n, 0.5)
    xs = np.random.default_rng(0).uniform(0.1, 0.9, (200_000, n))
    tape.gradient(x); tape.forward(x); tape.gradient(xs[:64])   # compile/load first
    if case.startswith(("jacobian", "hvp")):
        tape.jacobian(xs[:64]); tape.hvp(xs[:64], xs[:64])
    sent = [None]

    def fire():
        time.sleep(0.5)
        sent[0] = time.perf_counter()
        os.kill(os.getpid(), signal.SIGINT)

    threading.Thread(target=fire, daemon=True).start()
    caught, done = "nothing", False
    try:
        if case == "forward":
            while True:
                tape.forward(x)
        elif case == "gradient":
            while True:
                tape.gradient(x)
        elif case.startswith("jacobian"):
            tape.jacobian(xs)            # batched Jacobians, hvps: the same chunks
            done = True
        elif case.startswith("hvp"):
            tape.hvp(xs, xs)
            done = True
        else:
            tape.gradient(xs)            # seconds of work in one call
            done = True
    except BaseException as e:
        caught = type(e).__name__
    latency = time.perf_counter() - sent[0] if sent[0] else None
    alive = [t.name for t in threading.enumerate() if t.name.startswith("adjit-batch")
             and t.is_alive()]
    busy = parallel._pool is not None and parallel._pool._work_queue.qsize()
    print(json.dumps({"caught": caught, "latency": latency, "done": done,
                      "queued": busy}))
""")


@pytest.mark.parametrize("case", ["forward", "gradient", "batch1", "batch2", "jacobian2",
                                  "hvp1"])
def test_sigint_surfaces_as_keyboard_interrupt(case):
    proc = subprocess.run([sys.executable, "-c", CHILD, case], capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert not report["done"], "the batch finished before the signal: make it longer"
    assert report["caught"] == "KeyboardInterrupt", report
    assert report["latency"] < 1.0, report   # the bound: within a second
    assert not report["queued"], report       # no work left queued for the workers
