"""PyTorch on CPU in float64, on the vectorized code (the scalar loop where a
workload has none): eager ``autograd.grad`` for the gradient as most users
write it, ``torch.func`` for Jacobians, Hessians and batches (``vmap``)."""
from __future__ import annotations

import numpy as np

from ..workloads import Namespace


def run(ctx):
    import torch
    import torch.func as tf

    w = ctx.w
    fn = w.vector or w.scalar
    ctx.info(style="vector" if w.vector else "scalar", threads=torch.get_num_threads())
    as_t = lambda a: torch.as_tensor(np.asarray(a), dtype=torch.float64)  # noqa: E731
    m = Namespace(torch, asarray=as_t, concat=torch.cat)

    def f(x):
        y = fn(x, m)
        if isinstance(y, list):
            return torch.stack([torch.as_tensor(v, dtype=torch.float64) for v in y])
        return y

    x0 = torch.tensor(w.x0, dtype=torch.float64)
    v = torch.tensor(ctx.direction, dtype=torch.float64)
    npy = lambda t: t.detach().numpy()  # noqa: E731

    def eager_grad():
        x = x0.clone().requires_grad_(True)
        return torch.autograd.grad(f(x), x)[0]

    with torch.no_grad():
        if ctx.want("forward"):
            ctx.time("forward", lambda: f(x0), key="value",
                     check=lambda y: np.atleast_1d(npy(y)))
    if w.n_outputs == 1:
        if ctx.want("gradient"):
            ctx.time("gradient", eager_grad, key="gradient", check=npy)
        if ctx.want("hvp"):
            hvp = lambda: tf.jvp(tf.grad(f), (x0,), (v,))[1]  # noqa: E731
            ctx.time("hvp", hvp, key="hv", check=npy)
        if ctx.want("hessian"):
            ctx.time("hessian", lambda: tf.hessian(f)(x0), key="hv",
                     check=lambda H: npy(H) @ npy(v))
        if ctx.want("batch"):
            xs = torch.tensor(w.points(ctx.batch), dtype=torch.float64)
            bg = tf.vmap(tf.grad(f))
            ctx.time("batch_gradient", lambda: bg(xs), key="batch_gradient",
                     per=ctx.batch, check=npy)
    else:
        if ctx.want("jvp"):
            ctx.time("jvp", lambda: tf.jvp(f, (x0,), (v,))[1], key="jv", check=npy)
        if w.n_inputs * w.n_outputs <= 4_000_000:
            for q, tr in (("jacobian_forward", tf.jacfwd), ("jacobian_reverse", tf.jacrev)):
                if ctx.want(q):
                    ctx.time(q, lambda: tr(f)(x0), key="jv", check=lambda J: npy(J) @ npy(v))
