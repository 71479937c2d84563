"""Hand-written analytic ``@njit`` kernels: the practical speed limit adjit is
measured against (what a user would write by hand in Numba).

Each is the straightforward loop a careful user writes, derivative worked out
on paper; no tricks beyond reusing common subexpressions. The batched versions
loop over points in compiled code, as adjit's batched kernels do.
"""
from __future__ import annotations

import numpy as np
from numba import njit


# --- the 2-input textbook example: per-call overhead of a compiled function ---

@njit(cache=True)
def textbook2_gradient(x):
    e = 1.0 + np.exp(x[0] * x[1])
    g = np.empty(2)
    g[0] = x[1] * e
    g[1] = x[0] * e
    return g


# --- chained Rosenbrock -------------------------------------------------------

@njit(cache=True)
def rosenbrock_forward(x):
    s = 0.0
    for i in range(x.shape[0] - 1):
        t = x[i + 1] - x[i] * x[i]
        u = 1.0 - x[i]
        s += 100.0 * t * t + u * u
    return s


@njit(cache=True)
def _rosenbrock_gradient_into(x, g):
    g[:] = 0.0
    for i in range(x.shape[0] - 1):
        t = x[i + 1] - x[i] * x[i]
        g[i] += -400.0 * t * x[i] - 2.0 * (1.0 - x[i])
        g[i + 1] += 200.0 * t


@njit(cache=True)
def rosenbrock_gradient(x):
    g = np.empty_like(x)
    _rosenbrock_gradient_into(x, g)
    return g


@njit(cache=True)
def rosenbrock_batch_gradient(xs):
    gs = np.empty_like(xs)
    for b in range(xs.shape[0]):
        _rosenbrock_gradient_into(xs[b], gs[b])
    return gs


# --- Lennard-Jones (ε = σ = 1), E = 4 Σ (r⁻¹² − r⁻⁶) -------------------------------

@njit(cache=True)
def lj_forward(x):
    n = x.shape[0] // 3
    e = 0.0
    for i in range(n):
        for j in range(i + 1, n):
            dx = x[3 * i] - x[3 * j]
            dy = x[3 * i + 1] - x[3 * j + 1]
            dz = x[3 * i + 2] - x[3 * j + 2]
            s6 = 1.0 / (dx * dx + dy * dy + dz * dz) ** 3
            e += s6 * s6 - s6
    return 4.0 * e


@njit(cache=True)
def _lj_gradient_into(x, g):
    n = x.shape[0] // 3
    g[:] = 0.0
    for i in range(n):
        for j in range(i + 1, n):
            dx = x[3 * i] - x[3 * j]
            dy = x[3 * i + 1] - x[3 * j + 1]
            dz = x[3 * i + 2] - x[3 * j + 2]
            inv = 1.0 / (dx * dx + dy * dy + dz * dz)
            s6 = inv * inv * inv
            # dE/dd = 2 φ'(r²) d with φ'(s) = 4(−6 s⁻⁷ + 3 s⁻⁴)
            c = 8.0 * (-6.0 * s6 * s6 + 3.0 * s6) * inv
            g[3 * i] += c * dx
            g[3 * i + 1] += c * dy
            g[3 * i + 2] += c * dz
            g[3 * j] -= c * dx
            g[3 * j + 1] -= c * dy
            g[3 * j + 2] -= c * dz


@njit(cache=True)
def lj_gradient(x):
    g = np.empty_like(x)
    _lj_gradient_into(x, g)
    return g


@njit(cache=True)
def lj_batch_gradient(xs):
    gs = np.empty_like(xs)
    for b in range(xs.shape[0]):
        _lj_gradient_into(xs[b], gs[b])
    return gs


@njit(cache=True)
def lj_hessian(x):
    """Dense Hessian: per pair, the 3×3 block 4 φ''(s) d dᵀ + 2 φ'(s) I (s = r²)
    enters the (i,i) and (j,j) blocks with + and the (i,j), (j,i) blocks with −."""
    n = x.shape[0] // 3
    h = np.zeros((3 * n, 3 * n))
    d = np.empty(3)
    for i in range(n):
        for j in range(i + 1, n):
            for k in range(3):
                d[k] = x[3 * i + k] - x[3 * j + k]
            inv = 1.0 / (d[0] * d[0] + d[1] * d[1] + d[2] * d[2])
            s3 = inv * inv * inv
            d1 = 4.0 * (-6.0 * s3 * s3 + 3.0 * s3) * inv            # φ'(s)
            d2 = 4.0 * (42.0 * s3 * s3 - 12.0 * s3) * inv * inv     # φ''(s)
            for a in range(3):
                for b in range(3):
                    v = 4.0 * d2 * d[a] * d[b]
                    if a == b:
                        v += 2.0 * d1
                    h[3 * i + a, 3 * i + b] += v
                    h[3 * j + a, 3 * j + b] += v
                    h[3 * i + a, 3 * j + b] -= v
                    h[3 * j + a, 3 * i + b] -= v
    return h


# --- 2-D Bratu residual ----------------------------------------------------------

@njit(cache=True)
def bratu_forward(x, side, lam):
    inv_h2 = float(side + 1) ** 2
    out = np.empty(side * side)
    for i in range(side):
        for j in range(side):
            k = i * side + j
            lap = 4.0 * x[k]
            if i > 0:
                lap -= x[k - side]
            if i < side - 1:
                lap -= x[k + side]
            if j > 0:
                lap -= x[k - 1]
            if j < side - 1:
                lap -= x[k + 1]
            out[k] = lap * inv_h2 - lam * np.exp(x[k])
    return out


# --- dense logistic regression: Σ log(1 + exp(−s z)) + λ/2 |w|², z = X w ----------
# What a user writes with the derivatives worked out: matrix-vector products for
# the gradient Xᵀ(−s σ(−s z)) + λ w and Xᵀ D X + λ I for the Hessian
# (D = σ(z) σ(−z), as s² = 1). ``Xt`` is Xᵀ stored contiguously, so every product
# goes to BLAS without a copy.

@njit(cache=True)
def logistic_forward(w, X, s, lam):
    z = X @ w
    total = 0.0
    for i in range(z.shape[0]):
        total += np.log1p(np.exp(-s[i] * z[i]))
    return total + 0.5 * lam * (w @ w)


@njit(cache=True)
def logistic_gradient(w, X, Xt, s, lam):
    z = X @ w
    c = np.empty_like(z)
    for i in range(z.shape[0]):
        c[i] = -s[i] / (1.0 + np.exp(s[i] * z[i]))
    return Xt @ c + lam * w


@njit(cache=True)
def logistic_hessian(w, X, Xt, s, lam):
    z = X @ w
    DX = np.empty_like(X)
    for i in range(X.shape[0]):
        p = 1.0 / (1.0 + np.exp(-z[i]))
        d = p * (1.0 - p)
        for j in range(X.shape[1]):
            DX[i, j] = d * X[i, j]
    H = Xt @ DX
    for j in range(H.shape[0]):
        H[j, j] += lam
    return H
