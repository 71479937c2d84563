"""A fresh tape's first calls from many threads at once: every lazily built
structure is built once, under the tape's lock, and every thread gets the
single-thread answer (issue 18.6: sparse_jacobian and sparse_hessian used to
fail on half-built plans)."""
import threading

import numpy as np

import adjit

N_TAPES = 100
N_THREADS = 8
X = np.array([0.3, -0.8, 1.1, 0.6, -0.2, 0.9])


def _scalar(x):
    # sparse Hessian (a chain and one product), a branch-free tape
    return sum((x[i + 1] - x[i] ** 2) ** 2 for i in range(5)) + np.sin(x[0] * x[5])


def _vector(x):
    return [x[0] * x[1], np.exp(x[2]) + x[3], x[4] ** 3 - x[5], x[0] + x[5], np.cos(x[1])]


def _calls(scalar, vector):
    """Every lazily built method of a tape, as (name, thunk) pairs."""
    def njit_gradient():
        fns = scalar.njit_functions()
        g = np.empty(6)
        val, flip = fns.value_and_gradient(fns.tape, fns.buffers(), X.copy(), g)
        assert flip == -1
        return np.concatenate([[val], g])

    return [
        ("sparse_jacobian", lambda: vector.sparse_jacobian(X).toarray()),
        ("sparse_hessian", lambda: scalar.sparse_hessian(X).toarray()),
        ("jacobian_coloring", lambda: vector.jacobian_coloring().colors),
        ("hessian_coloring", lambda: scalar.hessian_coloring().colors),
        ("jacobian_sparsity", lambda: vector.jacobian_sparsity().toarray()),
        ("hessian_sparsity", lambda: scalar.hessian_sparsity().toarray()),
        ("forward", lambda: scalar.forward(X)),
        ("gradient", lambda: scalar.gradient(X)),
        ("hvp", lambda: scalar.hvp(X, np.arange(6.0))),
        ("hessian", lambda: scalar.hessian(X)),
        ("jacobian", lambda: vector.jacobian(X)),
        ("njit_functions", njit_gradient),
        ("optimized", lambda: vector.optimized().forward(X)),
        ("slot_program", lambda: scalar.slot_program().n_work),
    ]


def _reference():
    scalar, vector = adjit.trace(_scalar, X), adjit.trace(_vector, X)
    return {name: call() for name, call in _calls(scalar, vector)}


def test_first_calls_from_eight_threads_on_100_fresh_tapes():
    ref = _reference()
    # the references themselves, against independent checks
    h = 1e-6
    fd = np.array([(_scalar(X + h * e) - _scalar(X - h * e)) / (2 * h) for e in np.eye(6)])
    np.testing.assert_allclose(ref["gradient"], fd, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(ref["sparse_hessian"], ref["hessian"], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(ref["sparse_jacobian"], ref["jacobian"], rtol=1e-14)
    failures = []
    for round_ in range(N_TAPES):
        scalar, vector = adjit.trace(_scalar, X), adjit.trace(_vector, X)
        calls = _calls(scalar, vector)
        barrier = threading.Barrier(N_THREADS)

        def work(k, calls=calls, barrier=barrier):
            barrier.wait()
            # each thread starts at a different method, so first uses collide
            for name, call in calls[k:] + calls[:k]:
                try:
                    got = call()
                    if not np.array_equal(np.asarray(got), np.asarray(ref[name])):
                        failures.append((round_, k, name, "differs"))
                except Exception as e:  # noqa: BLE001 - the failure is the finding
                    failures.append((round_, k, name, repr(e)))

        threads = [threading.Thread(target=work, args=(k,)) for k in range(N_THREADS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert not failures, failures[:10]


def test_serial_blocks_and_adjit_threads_setting():
    """parallel.serial() makes batches in this thread use one thread (Dask tasks
    use it: the workers are the parallelism); ADJIT_THREADS sets the default."""
    import subprocess
    import sys

    from adjit import parallel
    tape = adjit.trace(lambda x: np.sum(np.sin(x) * x), np.ones(200))
    if parallel.THREADS > 1:
        assert parallel.threads_for(tape, 100_000) > 1
    with parallel.serial():
        assert parallel.threads_for(tape, 100_000) == 1
        X = np.random.default_rng(0).random((64, 200))
        np.testing.assert_allclose(tape.gradient(X), np.cos(X) * X + np.sin(X), rtol=1e-14)
    out = subprocess.run([sys.executable, "-c", "import adjit.parallel as p; print(p.THREADS)"],
                         env={**__import__("os").environ, "ADJIT_THREADS": "3"},
                         capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "3"
