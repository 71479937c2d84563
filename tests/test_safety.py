"""Input checks, threads and parallel batches.

Threaded and parallel results are compared with serial ones bit for bit;
values with closed forms."""
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

import adjit
from adjit import TracingError, parallel, sweeps


def f(x):
    s = 0.0
    for i in range(60):
        s = s + np.sin(x[i % 3] * (i + 1)) * x[(i + 1) % 3]
    return s


def f_grad(x):
    g = np.zeros(3)
    for i in range(60):
        a, b = i % 3, (i + 1) % 3
        g[a] += (i + 1) * np.cos(x[a] * (i + 1)) * x[b]
        g[b] += np.sin(x[a] * (i + 1))
    return g


@pytest.fixture(scope="module")
def tape():
    return adjit.trace(f, np.ones(3))


def test_every_kernel_releases_the_gil():
    kernels = [v for v in vars(sweeps).values() if hasattr(v, "targetoptions")]
    assert len(kernels) > 10
    assert all(k.targetoptions.get("nogil") for k in kernels)


def test_python_runs_while_a_kernel_runs(tape, rng, monkeypatch):
    """The GIL is released inside kernels: a counter in another thread advances
    while this thread is inside a kernel call. The counter is read just before
    and just after the call. The switch interval is made far longer than the
    whole test, so the GIL changes hands only when a thread gives it up: the
    counting thread after each increment, this thread only inside a kernel
    that releases it. Were the GIL held for the call, the two reads would be
    equal on every try. Measured as overlap, not as a duration."""
    import sys
    import threading
    import time
    monkeypatch.setattr(parallel, "THREADS", 1)
    xs = rng.normal(size=(100_000, 3))
    tape.forward(xs[:10])
    counter = [0]
    stop = threading.Event()

    def count():
        while not stop.is_set():
            counter[0] += 1
            time.sleep(0)  # hands the GIL back at once

    advanced = []
    old = sys.getswitchinterval()
    sys.setswitchinterval(5.0)
    t = threading.Thread(target=count)
    t.start()
    try:
        for _ in range(10):
            before = counter[0]
            tape.forward(xs)
            advanced.append(counter[0] - before)
            if advanced[-1] > 0:
                break
    finally:
        stop.set()
        t.join()
        sys.setswitchinterval(old)
    assert max(advanced) > 0, advanced


def test_threads_give_the_serial_results(tape, rng):
    xs = rng.normal(size=(64, 3))
    serial = [tape.value_and_gradient(x) for x in xs]
    jac = [tape.jacobian(x) for x in xs]

    def work(k):
        x = xs[k]
        return tape.value_and_gradient(x), tape.jacobian(x), k

    with ThreadPoolExecutor(4) as pool:
        for (y, g), j, k in pool.map(work, list(range(64)) * 4):
            assert y == serial[k][0]
            np.testing.assert_array_equal(g, serial[k][1])
            np.testing.assert_array_equal(j, jac[k])
    np.testing.assert_allclose(serial[5][1], f_grad(xs[5]), rtol=1e-10)


def test_parallel_batches_match_serial(tape, rng, monkeypatch):
    xs = rng.normal(size=(3001, 3))
    monkeypatch.setattr(parallel, "THREADS", 1)
    ys1, gs1 = tape.value_and_gradient(xs)
    fw1 = tape.forward(xs)
    monkeypatch.setattr(parallel, "THREADS", 3)
    monkeypatch.setattr(parallel, "MIN_WORK", 1)  # split even this small batch
    calls = []
    real_rows = parallel.rows

    def spy(tape_, run, rows):
        out = real_rows(tape_, run, rows)
        calls.append(rows.shape[0])
        return out

    monkeypatch.setattr(parallel, "rows", spy)
    ys3, gs3 = tape.value_and_gradient(xs)
    fw3 = tape.forward(xs)
    assert calls == [3001, 3001]
    np.testing.assert_array_equal(ys3, ys1)
    np.testing.assert_array_equal(gs3, gs1)
    np.testing.assert_array_equal(fw3, fw1)
    np.testing.assert_allclose(gs3[17], f_grad(xs[17]), rtol=1e-10)


def test_parallel_batches_report_flipped_rows_by_global_index(monkeypatch):
    monkeypatch.setattr(parallel, "THREADS", 3)
    monkeypatch.setattr(parallel, "MIN_WORK", 1)
    tape = adjit.trace(lambda x: x[0] * 2.0 if x[0] < 0.5 else x[0], [0.0])
    xs = np.linspace(-1.0, 1.0, 301).reshape(-1, 1)  # x >= 0.5 flips
    with pytest.raises(adjit.BranchChanged) as info:
        tape.forward(xs)
    np.testing.assert_array_equal(info.value.rows, np.flatnonzero(xs[:, 0] >= 0.5))


def test_input_coercion_and_shape_errors(tape):
    x = np.array([1.0, 2.0, 3.0])
    assert tape.forward([1, 2, 3])[0] == tape.forward(x)[0]
    assert tape.forward(np.array([1, 2, 3], dtype=np.int8))[0] == tape.forward(x)[0]
    assert tape.forward(np.array([1.0, 2.0, 3.0], dtype=np.float32))[0] == tape.forward(x)[0]
    strided = np.array([1.0, 0.0, 2.0, 0.0, 3.0, 0.0])[::2]
    assert tape.forward(strided)[0] == tape.forward(x)[0]
    with pytest.raises(ValueError, match=r"expected shape \(3,\), got \(2,\)"):
        tape.forward([1.0, 2.0])
    with pytest.raises(ValueError, match=r"expected shape \(3,\), got \(0,\)"):
        tape.gradient([])
    with pytest.raises(ValueError, match=r"\(B, 3\).*\(4, 2\)"):
        tape.forward(np.zeros((4, 2)))
    with pytest.raises(ValueError, match=r"v: expected shape"):
        tape.jvp(x, [1.0])
    with pytest.raises(ValueError, match=r"w: expected shape"):
        tape.vjp(x, [1.0, 2.0])
    with pytest.raises(TypeError, match="complex"):
        tape.forward(x + 1j)
    with pytest.raises(TypeError, match="complex"):
        tape.jvp(x, [1j, 0, 0])
    with pytest.raises(TypeError, match="real numbers"):
        tape.forward(["a", "b", "c"])
    for bad in (None, "1.0", np.array(["1", "2", "3"])):
        with pytest.raises(TypeError, match="real numbers"):
            tape.forward(bad)
    ys = tape.forward(np.zeros((0, 3)))
    assert ys.shape == (0, 1)


def test_trace_input_checks():
    with pytest.raises(ValueError, match="empty"):
        adjit.trace(lambda x: x[0], [])
    with pytest.raises(TypeError, match="complex"):
        adjit.trace(lambda x: x[0], [1j])
    with pytest.raises(ValueError, match="empty"):
        adjit.trace(lambda x: x[0], np.zeros((3, 0)))
    with pytest.raises(TracingError, match="no traced value"):
        adjit.trace(lambda x: 3.0, [1.0])
    with pytest.raises(TracingError, match="None"):
        adjit.trace(lambda x: None, [1.0])
    with pytest.raises(TracingError, match="complex"):
        adjit.trace(lambda x: x[0] * 1j, [1.0])
    with pytest.raises(TypeError, match="callable"):
        adjit.trace(3.0, [1.0])
    with pytest.raises(TracingError, match="drop its derivative"):
        adjit.trace(lambda x: float(x[0]), [1.0])
    g = adjit.grad(lambda x: x[0] ** 2)
    assert g([3]) == pytest.approx([6.0])  # integer input coerced
    with pytest.raises(ValueError, match="one output"):  # x[0] of a (2, 2) x is a row
        g(np.zeros((2, 2)))
