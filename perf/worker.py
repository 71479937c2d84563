"""The child process that runs one tool on one workload (``python -m perf.worker
JOB OUT``). Every measurement is appended to OUT as a JSON line the moment it
is made, so a time-out or out-of-memory kill by the parent keeps the rest."""
from __future__ import annotations

import importlib
import json
import os
import sys

# Threaded BLAS on a machine whose few cores are shared with other jobs spins
# and waits: the hand-written logistic Hessian's Xᵀ D X is then several times
# slower, and noisier, than on one thread (perf/README.md). The tools' own
# loops run on one thread too. Set the variable to override.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from . import timing  # noqa: E402
from .tools import TOOLS  # noqa: E402
from .tools.context import Context  # noqa: E402
from .workloads import NUMPY, make  # noqa: E402

REFERENCE_VALUE_OPS = 2_000_000  # skip the plain-Python reference value beyond this


def default_reference(ctx) -> None:
    """What can be known without any AD tool: the value (plain NumPy) and, where
    the workload has one, the analytic gradient and a Hessian-vector product by
    central differences of it."""
    w, x0 = ctx.w, ctx.w.x0
    if w.vector is not None:
        ctx.reference["value"] = np.atleast_1d(np.asarray(w.vector(x0, NUMPY), dtype=float))
    elif w.family != "random" or w.size <= REFERENCE_VALUE_OPS:
        ctx.reference["value"] = np.atleast_1d(np.asarray(w.scalar(x0, NUMPY), dtype=float))
    if w.gradient is not None:
        ctx.reference["gradient"] = w.gradient(x0)
        v = ctx.direction
        h = 1e-5 / max(1.0, float(np.max(np.abs(v))))
        ctx.reference["hv"] = (w.gradient(x0 + h * v) - w.gradient(x0 - h * v)) / (2 * h)
        if w.family in ("rosenbrock", "lj", "rosenvec", "ljvec") and "batch" in ctx.quantities:
            xs = w.points(ctx.batch)
            ctx.reference["batch_gradient"] = np.array([w.gradient(p) for p in xs])


def bundle_reference(ctx) -> None:
    """The first points' Jacobians by central differences of the plain function
    (the batched and the looped Jacobians are checked against them)."""
    from .tools.adjit_tool import FD_POINTS
    from .workloads import BUNDLE_POINTS, central_gradient
    w = ctx.w
    xs = w.points(BUNDLE_POINTS)[:FD_POINTS]
    ctx.reference["batch_jacobian"] = np.array([
        [central_gradient(lambda z, j=j: w.scalar(z, NUMPY)[j], x) for j in range(w.n_outputs)]
        for x in xs])


def main(argv) -> int:
    job_path, out_path = argv
    with open(job_path) as f:
        job = json.load(f)
    out = open(out_path, "a", buffering=1)

    def emit(rec):
        out.write(json.dumps(rec, default=_plain) + "\n")
        out.flush()

    tool = TOOLS[job["tool"]]
    note = tool.missing()
    if note:
        emit({"quantity": "info", "status": "missing", "note": note})
        return 0
    w = make(job["family"], job["size"])
    if w.traced == "vector" and dict(tool.options).get("style") == "scalar":
        # The vectorized families are about array code; their scalar loops are
        # measured as the scalar families (rosenbrock, bratu) already.
        emit({"quantity": "info", "status": "missing",
              "note": "adjit traces array code here; JAX on loops: the scalar families"})
        return 0
    settings = timing.Settings(**job["settings"])
    ctx = Context(w, job["quantities"], {}, settings, emit, dict(tool.options),
                  job.get("batch", 64))
    default_reference(ctx)
    if w.family == "bundle":
        bundle_reference(ctx)
    if job.get("reference_in"):
        try:
            with np.load(job["reference_in"]) as ref:
                for k in ref.files:
                    ctx.reference.setdefault(k, ref[k])
        except OSError:
            pass
    importlib.import_module(f"perf.tools.{tool.module}").run(ctx)
    if job.get("reference_out"):
        np.savez(job["reference_out"], **ctx.produced)
    emit({"quantity": "info", "peak_rss": timing.peak_rss()})
    return 0


def _plain(o):
    if isinstance(o, np.generic):
        return o.item()
    if isinstance(o, np.ndarray):
        return o.tolist()
    return str(o)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
