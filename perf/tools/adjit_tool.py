"""adjit on a workload: record once, then every evaluation method the tape has.

Methods that other engineers are still adding (hessian, hvp, sparse Jacobians,
``optimize=``) are measured when present and simply absent from the results
otherwise, so the suite runs on every version of adjit.
"""
from __future__ import annotations

import inspect

import numpy as np

from .. import timing

DENSE_LIMIT = 4_000_000   # largest dense Jacobian/Hessian (entries) worth timing
HESSIAN_INPUTS = 2_000    # dense Hessians beyond this many inputs are skipped


def run(ctx):
    import adjit

    w, x0 = ctx.w, ctx.w.x0
    rss0 = timing.current_rss()
    tape, t_record = timing.once(lambda: adjit.trace(w.f, x0))
    n, m = tape.n_inputs, tape.n_outputs
    ctx.info(n_ops=tape.n_ops, n_inputs=n, n_outputs=m, tape_bytes=tape.nbytes,
             record_first=t_record, rss_after_record=timing.current_rss() - rss0)
    if ctx.want("record"):
        # measure() traces again after the first call: the first one in a process
        # also loads the optimizer's kernels, which is not recording speed.
        r = timing.measure(lambda: adjit.trace(w.f, x0), ctx.settings)
        # Recording speed counts the operations recorded, not the ones the
        # optimizer keeps: fusing and dropping ops must not look like slower tracing.
        recorded = _recorded_ops(adjit, w.f, x0, tape)
        ctx.emit({"quantity": "record", "status": "ok", "median": r["median"], "min": r["min"],
                  "samples": r["samples"], "repeats": r["repeats"], "first": t_record,
                  "ops_recorded": recorded, "ops_per_s": recorded / r["median"]})
    _optimized(ctx, adjit, tape)

    scalar = m == 1
    if scalar and ctx.want("gradient"):
        ctx.time("gradient", lambda: tape.gradient(x0), key="gradient", keep=True)
    if ctx.want("forward"):
        ctx.time("forward", lambda: tape.forward(x0), key="value", keep=True)
    if scalar and ctx.want("transform"):
        g = adjit.grad(w.f)
        ctx.time("transform", lambda: g(x0), key="gradient")
    v = ctx.direction
    if ctx.want("jvp"):
        ctx.time("jvp", lambda: tape.jvp(x0, v)[1], key="jv", keep=True)
    if not scalar:
        dense = n * m <= DENSE_LIMIT
        for mode in ("forward", "reverse", "auto"):
            if dense and ctx.want(f"jacobian_{mode}"):
                ctx.time(f"jacobian_{mode}", lambda: tape.jacobian(x0, mode=mode),
                         key="jv", check=lambda J: J @ v)
        if hasattr(tape, "sparse_jacobian") and ctx.want("sparse_jacobian"):
            ctx.time("sparse_jacobian", lambda: tape.sparse_jacobian(x0), key="jv",
                     check=lambda J: J @ v)
    else:
        if hasattr(tape, "hvp") and ctx.want("hvp"):
            ctx.time("hvp", lambda: tape.hvp(x0, v), key="hv", keep=True)
        if hasattr(tape, "hessian") and ctx.want("hessian") and n <= HESSIAN_INPUTS:
            ctx.time("hessian", lambda: tape.hessian(x0), key="hv", check=lambda H: H @ v)
        if hasattr(tape, "sparse_hessian") and ctx.want("sparse_hessian"):
            ctx.time("sparse_hessian", lambda: tape.sparse_hessian(x0), key="hv",
                     check=lambda H: H @ v)
    if ctx.want("batch"):
        xs = w.points(ctx.batch)
        if scalar:
            ctx.time("batch_gradient", lambda: tape.gradient(xs), key="batch_gradient",
                     per=ctx.batch, keep=True)
        else:
            ctx.time("batch_forward", lambda: tape.forward(xs), key="batch_forward",
                     per=ctx.batch, keep=True)
    if ctx.want("batch_jacobian") and hasattr(tape, "_jacobian_batch"):
        _batched_derivatives(ctx, tape)
    ctx.info(peak_rss=timing.peak_rss(),
             methods=[k for k in ("hessian", "hvp", "sparse_jacobian", "sparse_hessian",
                                  "jacobian_sparsity", "njit_functions")
                      if hasattr(tape, k)])


def _batched_derivatives(ctx, tape):
    """Jacobian blocks, and Hessian-vector products with one direction per point,
    at the workload's many points: one batched call against the per-point loop
    a user writes without it (both checked: the Jacobians against central
    differences at the first points, the batched hvps against the loop's)."""
    from ..workloads import BUNDLE_POINTS, bundle_directions
    xs = ctx.w.points(BUNDLE_POINTS)
    count = len(xs)
    head = lambda J: J[:FD_POINTS]  # noqa: E731
    ctx.time("batch_jacobian_loop", lambda: np.stack([tape.jacobian(x) for x in xs]),
             key="batch_jacobian", check=head, per=count)
    ctx.time("batch_jacobian", lambda: tape.jacobian(xs), key="batch_jacobian", check=head,
             per=count)
    vs = bundle_directions(count)
    w = np.ones(tape.n_outputs)
    ctx.time("batch_hvp_loop", lambda: np.stack([tape.hvp(x, v, w) for x, v in zip(xs, vs)]),
             key="batch_hv", per=count, keep=True)
    ctx.time("batch_hvp", lambda: tape.hvp(xs, vs, w), key="batch_hv", per=count)


FD_POINTS = 16  # points of a batch whose Jacobians are checked by central differences


def _recorded_ops(adjit, f, x0, tape):
    """Instructions the tracer records for f (before the optimizer)."""
    try:
        return adjit.trace(f, x0, optimize=False).n_ops
    except TypeError:  # an adjit without optimize=
        return tape.n_ops


def _optimized(ctx, adjit, tape):
    """When ``adjit.trace`` takes ``optimize=``, also record without it, so the
    optimizer's effect (ops removed, time saved) is measured beside the default."""
    try:
        takes = "optimize" in inspect.signature(adjit.trace).parameters
    except (TypeError, ValueError):
        takes = False
    if not takes or not ctx.want("optimize"):
        return
    w, x0 = ctx.w, ctx.w.x0
    try:
        raw, t = timing.once(lambda: adjit.trace(w.f, x0, optimize=False))
    except Exception as e:
        ctx.emit({"quantity": "record_unoptimized", "status": "error", "note": str(e)[:200]})
        return
    ctx.emit({"quantity": "record_unoptimized", "status": "ok", "median": t, "min": t,
              "samples": 1, "repeats": 1, "n_ops": raw.n_ops,
              "ops_removed_by_optimize": raw.n_ops - tape.n_ops})
    if raw.n_outputs == 1:
        ctx.time("gradient_unoptimized", lambda: raw.gradient(x0), key="gradient",
                 n_ops=raw.n_ops)
    else:
        ctx.time("forward_unoptimized", lambda: raw.forward(x0), key="value", n_ops=raw.n_ops)
