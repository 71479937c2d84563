"""adjit.dask on a local cluster: ``python -m perf.dask_scaling`` times a batch of
LJ-64 gradients in one single-threaded process and on ``--workers`` worker
processes (one thread each), and the cost Dask adds per task.

    python -m perf.dask_scaling                      # 10⁵ points, 2 workers
    python -m perf.dask_scaling --points 20000 --chunk 2000 --json out.json

The points are made on the workers, block by block, from a seed (the same rows
the single process makes), and the gradients stay there (``persist``): the
figure is the computation, not the 150 MB round trip through the client, which
is timed separately (``with gather``). Every time is the minimum and median of
``--repeats`` runs. The single process runs adjit with ``parallel.THREADS = 1``
(adjit's batches otherwise use every core; there is no environment variable for
it). Workers run adjit's default, one thread per core each, unless
``--serial-workers``.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time

import numpy as np

ATOMS = 64
SEED = 2026


def points(start: int, stop: int, x0: np.ndarray) -> np.ndarray:
    """Rows start..stop of the batch: the cluster near its lattice, jittered."""
    rng = np.random.default_rng([SEED, start])
    return x0 + rng.uniform(-0.02, 0.02, (stop - start, x0.size))


def _points_block(block_info=None, x0=None):
    (start, stop), _ = block_info[None]["array-location"]
    return points(start, stop, x0)


def _same(block):
    return block


def _cpu():
    return time.process_time()


def _times(fn, repeats, cpu=None):
    """Wall times of ``repeats`` calls; with ``cpu`` (a function giving the CPU
    seconds used so far by the processes doing the work), the CPU time per call."""
    out, used = [], []
    for _ in range(repeats):
        c = cpu() if cpu else 0.0
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
        used.append((cpu() - c) if cpu else 0.0)
    res = {"min": min(out), "median": statistics.median(out), "runs": out}
    if cpu:
        res["cpu"] = min(used)
    return res


def _say(*words):
    print(*words, file=sys.stderr, flush=True)


def _serial_adjit():
    from adjit import parallel
    parallel.THREADS = 1


def main(argv=None) -> dict:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--points", type=int, default=100_000)
    p.add_argument("--chunk", type=int, default=5_000, help="rows per block")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--serial-workers", action="store_true",
                   help="adjit one thread per worker (parallel.THREADS = 1 on each)")
    p.add_argument("--json", metavar="PATH")
    args = p.parse_args(argv)

    import dask
    import dask.array as da
    from dask.distributed import Client, LocalCluster, wait

    import adjit
    import adjit.dask as ad
    from perf.workloads import make

    w = make("lj", ATOMS)
    tape = adjit.trace(w.f, w.x0)
    n, N, chunk = tape.n_inputs, args.points, args.chunk
    res = {"workload": f"lj-{ATOMS}", "ops": tape.n_ops, "points": N, "chunk": chunk,
           "workers": args.workers, "serial_workers": args.serial_workers}

    # one process, one thread
    _serial_adjit()
    X = np.concatenate([points(a, min(a + chunk, N), w.x0) for a in range(0, N, chunk)])
    tape.gradient(X[:64])
    G = None

    def single():
        nonlocal G
        G = tape.gradient(X)
    res["single"] = _times(single, args.repeats, _cpu)
    _say(f"one process: {res['single']['runs']}")
    del X

    with LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        if args.serial_workers:
            client.run(_serial_adjit)
        Xd = da.map_blocks(_points_block, x0=w.x0, dtype=np.float64,
                           chunks=(tuple(min(chunk, N - a) for a in range(0, N, chunk)), (n,)))
        Xd = client.persist(Xd)
        wait(Xd)
        ad.gradient(tape, Xd[:64]).compute()  # kernels loaded, tape scattered
        _say("cluster up, points made")

        runs = iter(range(10 ** 6))

        def cluster_run():
            # fresh keys each run: results of the run before may not be released yet
            fresh = Xd.map_blocks(_same, dtype=np.float64, name=f"points-run-{next(runs)}")
            Gd = client.persist(ad.gradient(tape, fresh))
            wait(Gd)
            return Gd
        def workers_cpu():
            return sum(client.run(_cpu).values())
        res["cluster"] = _times(cluster_run, args.repeats, workers_cpu)
        _say(f"cluster: {res['cluster']['runs']}")
        Gd = cluster_run()
        same = np.array_equal(Gd.compute(), G)
        res["bitwise_equal"] = bool(same)
        res["cluster_with_gather"] = _times(
            lambda: ad.gradient(tape, Xd.map_blocks(_same, dtype=np.float64)).compute(), 1)
        res["speedup"] = res["single"]["min"] / res["cluster"]["min"]
        res["time_ratio"] = 1 / res["speedup"]
        # On a loaded machine the wall times say little; the CPU seconds the
        # workers spent against the single process's say what Dask costs.
        res["cpu_efficiency"] = res["single"]["cpu"] / res["cluster"]["cpu"]

        # Dask's cost per task: many one-row blocks of a tiny tape against one block.
        tiny = adjit.trace(lambda x: x[0] * x[1] + np.exp(x[0] * x[1]), [1.0, 2.0])
        tasks = 2000
        Y = client.persist(da.ones((tasks, 2), chunks=(1, 2)))
        Y1 = client.persist(da.ones((tasks, 2), chunks=(tasks, 2)))
        wait([Y, Y1])
        wait(client.persist(ad.gradient(tiny, Y1)))  # warm

        def tiny_run(A):
            fresh = A.map_blocks(_same, dtype=np.float64, name=f"tiny-run-{next(runs)}")
            wait(client.persist(ad.gradient(tiny, fresh)))
        many = _times(lambda: tiny_run(Y), args.repeats)
        one = _times(lambda: tiny_run(Y1), args.repeats)
        res["per_task_overhead"] = (many["min"] - one["min"]) / tasks
        res["tasks"] = tasks
        del dask
    single, clus = res["single"], res["cluster"]
    print(f"{res['workload']} ({res['ops']} ops), {N} gradients in blocks of {chunk}:")
    print(f"  one process, one thread : {single['min']:.2f} s (median {single['median']:.2f})")
    print(f"  {args.workers} worker processes    : {clus['min']:.2f} s (median "
          f"{clus['median']:.2f}); with gather {res['cluster_with_gather']['min']:.2f} s")
    print(f"  time ratio {res['time_ratio']:.3f} (scaling {res['speedup']:.2f}x); bitwise "
          f"equal: {res['bitwise_equal']}")
    print(f"  CPU: one process {single['cpu']:.2f} s, workers together {clus['cpu']:.2f} s "
          f"(efficiency {res['cpu_efficiency']:.2f}); load average {os.getloadavg()[0]:.1f}")
    print(f"  Dask per-task overhead: {1e3 * res['per_task_overhead']:.2f} ms "
          f"({tasks} one-row tasks vs one block)")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(res, fh, indent=1)
    return res


if __name__ == "__main__":
    main()
