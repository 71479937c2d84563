"""The benchmark workloads: plain Python functions, each in scalar-loop style and,
where natural, in vectorized array style.

Every function takes ``(x, m)``: ``x`` the 1-D input, ``m`` a math namespace
(:class:`Namespace`) that supplies ``exp``, ``sin``, ``sum`` ... for the tool at
hand, so one definition serves adjit (NumPy ufuncs on traced values), JAX,
CasADi, autograd and PyTorch. Vector-valued scalar-loop functions return a
Python list (constants allowed among its entries); a tool stacks it its own way.

adjit traces the scalar loop of most families. The ``rosenvec``, ``logistic``
and ``bratuslice`` families are the vectorized code most scientific Python is
written in (slices, ufuncs, ``np.sum``, ``X @ w``): there adjit traces the array
form (``traced="vector"``), one NumPy call at a time, and the scalar loop is
only what CasADi builds its graph from.

A workload is rebuilt from its ``(family, size)`` alone, so a subprocess can
make exactly the same one: random structures use fixed seeds.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

import numpy as np


class Namespace:
    """The few math names the workloads use, taken from one array library.

    ``asarray`` turns a NumPy constant array into the library's array type (so
    PyTorch sees tensors); ``concat`` joins 1-D arrays.
    """

    def __init__(self, lib, asarray=None, concat=None, **overrides):
        for name in ("exp", "sin", "cos", "tanh", "sqrt", "sum", "log1p"):
            setattr(self, name, getattr(lib, name, None))
        self.asarray = asarray or (lambda a: a)
        self.concat = concat or getattr(lib, "concatenate", None)
        self._lib = lib
        for name, fn in overrides.items():
            setattr(self, name, fn)

    def __getattr__(self, name):  # the rest (log, eye, linalg, diagonal) as the library has it
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self.__dict__["_lib"], name)

    def pad(self, a):
        """``a`` (2-D) with a border of zeros one wide on every side.

        Written with ``concatenate``, which issue 15's array instructions cover;
        PyTorch's ``cat`` takes ``dim``, not ``axis``, so it uses its own pad.
        """
        lib = self._lib
        if getattr(lib, "__name__", "") == "torch":
            return lib.nn.functional.pad(a, (1, 1, 1, 1))
        rows, cols = a.shape
        row = lib.zeros((1, cols))
        a = self.concat([row, a, row], axis=0)
        col = lib.zeros((rows + 2, 1))
        return self.concat([col, a, col], axis=1)


NUMPY = Namespace(np, asarray=np.asarray)


@dataclass(frozen=True)
class Workload:
    """One benchmark problem at one size.

    ``scalar(x, m)`` is the scalar-loop form, ``vector(x, m)`` the array form or
    None, ``gradient(x)`` an analytic gradient (NumPy) or None. ``traced`` names
    the form adjit records: ``"scalar"`` (the loop) or ``"vector"`` (the array
    form, for the vectorized families). ``data`` holds a family's fixed
    arrays (the logistic regression's samples), for the hand-written code.
    """

    family: str
    size: int
    x0: np.ndarray
    n_outputs: int
    scalar: Callable
    vector: Callable | None = None
    gradient: Callable | None = None
    about: str = ""
    tags: frozenset = field(default_factory=frozenset)
    traced: str = "scalar"
    data: dict = field(default_factory=dict, compare=False)

    @property
    def key(self) -> str:
        return f"{self.family}-{self.size}"

    @property
    def n_inputs(self) -> int:
        return len(self.x0)

    def f(self, x, m=NUMPY):
        """The form adjit traces (see ``traced``), bound to ``m``."""
        if self.traced == "vector":
            return self.vector(x, m)
        return self.scalar(x, m)

    def points(self, count: int, seed: int = 1) -> np.ndarray:
        """``count`` points near ``x0`` (for batched evaluation), reproducibly."""
        rng = np.random.default_rng(seed)
        scale = 0.01 * np.maximum(np.abs(self.x0), 0.1)
        return self.x0 + scale * rng.uniform(-1.0, 1.0, (count, self.n_inputs))


# --- the two textbook examples (per-call overhead) ------------------------------

def _textbook1(x, m):
    # f(x) = x − exp(−2 sin²(4x)); f'(π/16) = 1 + 8/e
    return x[0] - m.exp(-2.0 * m.sin(4.0 * x[0]) ** 2)


def _textbook1_gradient(x):
    s, c = math.sin(4 * x[0]), math.cos(4 * x[0])
    return np.array([1.0 + 16.0 * s * c * math.exp(-2.0 * s * s)])


def _textbook2(x, m):
    # f(x, y) = x·y + exp(x·y); ∇f(1, 2) = (2 + 2e², 1 + e²)
    xy = x[0] * x[1]
    return xy + m.exp(xy)


def _textbook2_gradient(x):
    e = 1.0 + math.exp(x[0] * x[1])
    return np.array([x[1] * e, x[0] * e])


# --- chained Rosenbrock ---------------------------------------------------------

def rosenbrock_scalar(n):
    def f(x, m):
        s = 0.0
        for i in range(n - 1):
            s = s + 100.0 * (x[i + 1] - x[i] ** 2) ** 2 + (1.0 - x[i]) ** 2
        return s
    return f


def rosenbrock_vector(x, m):
    a, b = x[:-1], x[1:]
    return m.sum(100.0 * (b - a ** 2) ** 2 + (1.0 - a) ** 2)


def rosenbrock_gradient(x):
    x = np.asarray(x, dtype=float)
    a, b = x[:-1], x[1:]
    t = b - a * a
    g = np.zeros_like(x)
    g[:-1] = -400.0 * t * a - 2.0 * (1.0 - a)
    g[1:] += 200.0 * t
    return g


# --- Lennard-Jones cluster (ε = σ = 1) -------------------------------------------

def lj_positions(atoms: int, seed: int = 7) -> np.ndarray:
    """A jittered cubic lattice near the pair minimum (2^(1/6) ≈ 1.12), flattened."""
    side = math.ceil(atoms ** (1 / 3))
    grid = np.stack(np.meshgrid(*[np.arange(side)] * 3, indexing="ij"), -1).reshape(-1, 3)
    rng = np.random.default_rng(seed)
    pos = 1.12 * grid[:atoms] + rng.uniform(-0.05, 0.05, (atoms, 3))
    return pos.ravel().astype(float)


def lj_scalar(atoms):
    def f(x, m):
        e = 0.0
        for i in range(atoms):
            xi, yi, zi = x[3 * i], x[3 * i + 1], x[3 * i + 2]
            for j in range(i + 1, atoms):
                dx = xi - x[3 * j]
                dy = yi - x[3 * j + 1]
                dz = zi - x[3 * j + 2]
                r2 = dx * dx + dy * dy + dz * dz
                s6 = 1.0 / (r2 * r2 * r2)  # r⁻⁶
                e = e + (s6 * s6 - s6)
        return 4.0 * e
    return f


def lj_vector(atoms):
    i, j = np.triu_indices(atoms, 1)
    # Flat index arrays rather than reshape: every library indexes the same way.
    ix, jx = 3 * i, 3 * j

    def f(x, m):
        dx = x[ix] - x[jx]
        dy = x[ix + 1] - x[jx + 1]
        dz = x[ix + 2] - x[jx + 2]
        r2 = dx * dx + dy * dy + dz * dz
        s6 = 1.0 / (r2 * r2 * r2)
        return 4.0 * m.sum(s6 * s6 - s6)
    return f


def lj_gradient(x):
    pos = np.asarray(x, dtype=float).reshape(-1, 3)
    d = pos[:, None, :] - pos[None, :, :]
    r2 = np.einsum("ijk,ijk->ij", d, d)
    np.fill_diagonal(r2, 1.0)
    # dE/d(r²) for one pair: 4(−6 r⁻¹⁴ + 3 r⁻⁸); the diagonal contributes d = 0.
    dphi = 4.0 * (-6.0 * r2 ** -7 + 3.0 * r2 ** -4)
    return (2.0 * np.einsum("ij,ijk->ik", dphi, d)).ravel()


# --- 2-D Bratu residual ----------------------------------------------------------

BRATU_LAMBDA = 6.0  # below the fold at λ ≈ 6.81, so a solution exists


def bratu_scalar(side):
    h2 = 1.0 / (side + 1) ** 2

    def f(x, m):
        out = []
        for i in range(side):
            for j in range(side):
                k = i * side + j
                lap = 4.0 * x[k]
                # zero Dirichlet boundary: missing neighbours contribute nothing
                if i > 0:
                    lap = lap - x[k - side]
                if i < side - 1:
                    lap = lap - x[k + side]
                if j > 0:
                    lap = lap - x[k - 1]
                if j < side - 1:
                    lap = lap - x[k + 1]
                out.append(lap / h2 - BRATU_LAMBDA * m.exp(x[k]))
        return out
    return f


def bratu_vector(side):
    h2 = 1.0 / (side + 1) ** 2
    k = np.arange(side * side)
    i, j = k // side, k % side
    neighbours = []
    for ok, nb in ((i > 0, k - side), (i < side - 1, k + side), (j > 0, k - 1),
                   (j < side - 1, k + 1)):
        # a missing neighbour reads the point itself with weight 0
        neighbours.append((np.where(ok, nb, k), ok.astype(float)))

    def f(x, m):
        lap = 4.0 * x
        for idx, mask in neighbours:
            lap = lap - m.asarray(mask) * x[idx]
        return lap / h2 - BRATU_LAMBDA * m.exp(x)
    return f


def bratu_slices(side):
    """The Bratu residual as a stencil code is usually written: the grid padded
    with its zero boundary, the Laplacian from five shifted slices."""
    inv_h2 = float(side + 1) ** 2

    def f(x, m):
        u = x.reshape(side, side)
        U = m.pad(u)
        lap = (4.0 * U[1:-1, 1:-1] - U[:-2, 1:-1] - U[2:, 1:-1] - U[1:-1, :-2]
               - U[1:-1, 2:])
        return (lap * inv_h2 - BRATU_LAMBDA * m.exp(u)).reshape(-1)
    return f


def bratu_x0(side):
    k = np.arange(side * side)
    i, j = k // side + 1, k % side + 1
    s = side + 1
    return 0.5 * np.sin(np.pi * i / s) * np.sin(np.pi * j / s)


# --- dense logistic regression --------------------------------------------------

LOGISTIC_SAMPLES = 1000
LOGISTIC_LAMBDA = 0.1  # ridge weight: loss + λ/2 |w|²


def logistic_data(features: int, samples: int = LOGISTIC_SAMPLES, seed: int = 17):
    """Samples ``X`` (rows scaled so that X @ w is of order one for w of order
    one) and labels ``s = 2y − 1`` in {−1, 1}, y drawn from a logistic model."""
    rng = np.random.default_rng(seed + features)
    X = rng.standard_normal((samples, features)) / math.sqrt(features)
    w_true = rng.standard_normal(features)
    y = rng.random(samples) < 1.0 / (1.0 + np.exp(-(X @ w_true)))
    return X, np.where(y, 1.0, -1.0)


def logistic_vector(X, s, lam):
    def f(w, m):
        z = m.asarray(X) @ w
        return m.sum(m.log1p(m.exp(-m.asarray(s) * z))) + 0.5 * lam * (w @ w)
    return f


def logistic_scalar(X, s, lam):
    rows, signs = X.tolist(), s.tolist()

    def f(w, m):
        total = 0.0
        for row, si in zip(rows, signs):
            z = 0.0
            for a, wj in zip(row, w):
                z = z + a * wj
            total = total + m.log1p(m.exp(-si * z))
        reg = 0.0
        for wj in w:
            reg = reg + wj * wj
        return total + 0.5 * lam * reg
    return f


def logistic_gradient(X, s, lam):
    def g(w):
        w = np.asarray(w, dtype=float)
        # d/dz log(1 + e^(−s z)) = −s σ(−s z), σ(t) = 1 / (1 + e^(−t))
        return X.T @ (-s / (1.0 + np.exp(s * (X @ w)))) + lam * w
    return g


def logistic_hessian(X, s, lam, w):
    """Xᵀ D X + λ I with D = σ(z) σ(−z) (s² = 1): the reference for tests."""
    p = 1.0 / (1.0 + np.exp(-(X @ np.asarray(w, dtype=float))))
    return X.T @ (X * (p * (1.0 - p))[:, None]) + lam * np.eye(X.shape[1])


# --- Gaussian-process negative log-likelihood (np.linalg) -----------------------

GP_NOISE = 0.1  # the kernel matrix's nugget: K = exp(−(x_i − x_j)²/2) + GP_NOISE·I


def gp_targets(n: int, seed: int = 23) -> np.ndarray:
    return np.random.default_rng(seed + n).standard_normal(n)


def gp_vector(y):
    """½ yᵀK⁻¹y + ½ log det K as a user writes it: np.linalg.cholesky and solve."""
    def f(x, m):
        D = x[:, None] - x[None, :]
        K = m.exp(-0.5 * D * D) + GP_NOISE * m.eye(len(y))
        L = m.linalg.cholesky(K)
        alpha = m.linalg.solve(K, m.asarray(y))
        return 0.5 * (m.asarray(y) @ alpha) + m.sum(m.log(m.diagonal(L)))
    return f


def gp_scalar(y):
    """The same likelihood as loops: Cholesky, one triangular solve, yᵀK⁻¹y = |L⁻¹y|²."""
    ys = y.tolist()
    n = len(ys)

    def f(x, m):
        L = [[0.0] * n for _ in range(n)]
        for j in range(n):
            for i in range(j, n):
                d = x[i] - x[j]
                s = m.exp(-0.5 * d * d) + (GP_NOISE if i == j else 0.0)
                for k in range(j):
                    s = s - L[i][k] * L[j][k]
                L[i][j] = m.sqrt(s) if i == j else s / L[j][j]
        quad, logdet, z = 0.0, 0.0, []
        for i in range(n):
            s = ys[i]
            for k in range(i):
                s = s - L[i][k] * z[k]
            z.append(s / L[i][i])
            quad = quad + z[i] * z[i]
            logdet = logdet + m.log(L[i][i])
        return 0.5 * quad + logdet
    return f


def gp_gradient(y):
    def g(x):
        x = np.asarray(x, dtype=float)
        D = x[:, None] - x[None, :]
        k = np.exp(-0.5 * D * D)
        Ki = np.linalg.inv(k + GP_NOISE * np.eye(len(x)))
        alpha = Ki @ y
        G = 0.5 * (Ki - np.outer(alpha, alpha))  # d(likelihood)/dK
        return 2.0 * np.sum(G * (-D * k), axis=1)  # K_ij and K_ji both move with x_i
    return g


# --- mass-action reaction network with an energy balance -------------------------

@dataclass(frozen=True)
class Network:
    """Reactions ``a (+ b) -> p (+ q)`` with Arrhenius rates ``A exp(−E/T)``,
    reaction enthalpies, and a heat capacity that depends on the composition."""

    species: int
    a: np.ndarray
    b: np.ndarray  # −1: unimolecular
    p: np.ndarray
    q: np.ndarray  # −1: one product
    A: np.ndarray
    E: np.ndarray
    dH: np.ndarray
    cp: np.ndarray


def network(species: int, seed: int = 11) -> Network:
    rng = np.random.default_rng(seed + species)
    r = 3 * species
    pick = lambda: rng.integers(0, species, r)  # noqa: E731
    b = np.where(rng.random(r) < 0.5, pick(), -1)
    q = np.where(rng.random(r) < 0.5, pick(), -1)
    return Network(species, pick(), b, pick(), q, 10.0 ** rng.uniform(-1, 1, r),
                   rng.uniform(0.5, 2.0, r), rng.uniform(-1.0, 1.0, r),
                   rng.uniform(0.5, 2.0, species))


def kinetics_scalar(net: Network):
    S, R = net.species, len(net.a)
    a, b, p, q = (v.tolist() for v in (net.a, net.b, net.p, net.q))
    A, E, dH, cp = (v.tolist() for v in (net.A, net.E, net.dH, net.cp))

    def f(x, m):
        T = x[S]
        inv_t = 1.0 / T
        dc = [0.0] * S
        heat = 0.0
        for r in range(R):
            rate = A[r] * m.exp(-E[r] * inv_t) * x[a[r]]
            if b[r] >= 0:
                rate = rate * x[b[r]]
            dc[a[r]] = dc[a[r]] - rate
            if b[r] >= 0:
                dc[b[r]] = dc[b[r]] - rate
            dc[p[r]] = dc[p[r]] + rate
            if q[r] >= 0:
                dc[q[r]] = dc[q[r]] + rate
            heat = heat - dH[r] * rate
        heat_capacity = 1.0
        for s in range(S):
            heat_capacity = heat_capacity + cp[s] * x[s]
        return dc + [heat / heat_capacity]
    return f


def kinetics_vector(net: Network):
    S, R = net.species, len(net.a)
    stoich = np.zeros((S, R))
    for r in range(R):
        for s, sign in ((net.a[r], -1), (net.b[r], -1), (net.p[r], 1), (net.q[r], 1)):
            if s >= 0:
                stoich[s, r] += sign
    has_b = (net.b >= 0).astype(float)
    b = np.where(net.b >= 0, net.b, 0)

    def f(x, m):
        c, T = x[:S], x[S]
        second = c[b] * m.asarray(has_b) + m.asarray(1.0 - has_b)
        rate = m.asarray(net.A) * m.exp(-m.asarray(net.E) / T) * c[net.a] * second
        dc = m.asarray(stoich) @ rate
        heat = -m.sum(m.asarray(net.dH) * rate)
        dT = heat / (1.0 + m.sum(m.asarray(net.cp) * c))
        return m.concat([dc, dT.reshape(1) if hasattr(dT, "reshape") else [dT]])
    return f


def kinetics_x0(species: int):
    rng = np.random.default_rng(3 + species)
    return np.concatenate([rng.uniform(0.1, 1.0, species), [1.5]])


# --- random expression graphs (scaling) ------------------------------------------

RANDOM_WINDOW = 1000  # how far back a step's second operand may reach


def random_structure(ops: int, seed: int = 13):
    """Step kinds and second-operand indices for about ``ops`` instructions.

    Each step takes the previous value and one earlier value (within a window,
    so memory access stays realistic) and makes one or two instructions; all
    values stay in [−1, 1], so no step overflows however long the chain.
    """
    rng = np.random.default_rng(seed)
    steps = max(1, int(ops / 1.75))  # kinds cost 1, 2, 2, 2 instructions
    n = random_inputs(ops)
    kind = rng.integers(0, 4, steps)
    i = np.arange(steps) + n  # the step's own index among values
    back = rng.integers(1, RANDOM_WINDOW + 1, steps)
    other = np.maximum(i - back, 0)
    return kind.tolist(), other.tolist()


def random_inputs(ops: int) -> int:
    return int(min(1000, max(2, ops // 100)))


def random_scalar(ops: int):
    kind, other = random_structure(ops)

    def f(x, m):
        vals = [x[i] for i in range(len(x))]
        last = vals[-1]
        for k, o in zip(kind, other):
            b = vals[o]
            if k == 0:
                last = last * b
            elif k == 1:
                last = m.sin(last + b)
            elif k == 2:
                last = m.tanh(last - b)
            else:
                last = m.cos(last * b)
            vals.append(last)
        return last
    return f


# --- bundle adjustment: one reprojection residual, its Jacobian blocks at many points

BUNDLE_POINTS = 30_000  # observations whose 2×15 Jacobian blocks one batched call gives
BUNDLE_X0 = np.array([0.1, -0.2, 0.3, 0.5, -0.4, 4.0, 500.0, 510.0, 320.0, 240.0, -0.1, 0.01,
                      0.3, 0.2, 1.0])


def bundle_scalar(x, m):
    """A camera (angle-axis rotation w, translation t, focal lengths, principal
    point, radial distortion k1 k2) sees a 3-D point p: rotate (Rodrigues),
    translate, project, distort; the residual against an observed pixel."""
    w0, w1, w2, t0, t1, t2, fx, fy, cx, cy, k1, k2, p0, p1, p2 = (x[i] for i in range(15))
    th = m.sqrt(w0 * w0 + w1 * w1 + w2 * w2)
    c, s = m.cos(th), m.sin(th)
    u0, u1, u2 = w0 / th, w1 / th, w2 / th
    dot = (u0 * p0 + u1 * p1 + u2 * p2) * (1.0 - c)
    q0 = p0 * c + (u1 * p2 - u2 * p1) * s + u0 * dot + t0
    q1 = p1 * c + (u2 * p0 - u0 * p2) * s + u1 * dot + t1
    q2 = p2 * c + (u0 * p1 - u1 * p0) * s + u2 * dot + t2
    a, b = q0 / q2, q1 / q2
    r2 = a * a + b * b
    d = 1.0 + r2 * (k1 + k2 * r2)
    return [fx * d * a + cx - 320.5, fy * d * b + cy - 240.25]


def bundle_directions(count: int) -> np.ndarray:
    """One fixed direction per point for the batched Hessian-vector products."""
    return np.cos(0.7 * np.arange(count * 15)).reshape(count, 15)


# --- registry -------------------------------------------------------------------

FAMILIES = ("textbook1", "textbook2", "rosenbrock", "lj", "bratu", "kinetics", "random",
            "bundle", "rosenvec", "logistic", "bratuslice", "gp", "ljvec")


def make(family: str, size: int) -> Workload:
    """The workload ``family`` at ``size`` (the size's meaning depends on the family)."""
    size = int(size)
    if family == "textbook1":
        return Workload(family, 1, np.array([math.pi / 16]), 1, _textbook1, _textbook1,
                        _textbook1_gradient, "x − exp(−2 sin²(4x))", frozenset({"overhead"}))
    if family == "textbook2":
        return Workload(family, 2, np.array([1.0, 2.0]), 1, _textbook2, _textbook2,
                        _textbook2_gradient, "x·y + exp(x·y)", frozenset({"overhead"}))
    if family == "rosenbrock":
        x0 = np.random.default_rng(size).uniform(-1.0, 1.5, size)
        return Workload(family, size, x0, 1, rosenbrock_scalar(size), rosenbrock_vector,
                        rosenbrock_gradient, f"chained Rosenbrock, n={size}")
    if family == "rosenvec":  # the same function and points; adjit traces the array form
        x0 = np.random.default_rng(size).uniform(-1.0, 1.5, size)
        return Workload(family, size, x0, 1, rosenbrock_scalar(size), rosenbrock_vector,
                        rosenbrock_gradient, f"chained Rosenbrock, n={size}, traced "
                        "vectorized (x[:-1], x[1:], np.sum)", traced="vector")
    if family == "logistic":
        X, s = logistic_data(size)
        x0 = 0.5 * np.random.default_rng(size).standard_normal(size)
        return Workload(family, size, x0, 1, logistic_scalar(X, s, LOGISTIC_LAMBDA),
                        logistic_vector(X, s, LOGISTIC_LAMBDA),
                        logistic_gradient(X, s, LOGISTIC_LAMBDA),
                        f"dense logistic regression, {size} features, {len(X):,} samples, "
                        "traced vectorized (X @ w)", traced="vector",
                        data={"X": X, "s": s, "lam": LOGISTIC_LAMBDA})
    if family == "gp":
        y = gp_targets(size)
        x0 = np.linspace(0.0, 0.25 * size, size) + 0.1 * np.random.default_rng(size).random(size)
        return Workload(family, size, x0, 1, gp_scalar(y), gp_vector(y), gp_gradient(y),
                        f"Gaussian-process likelihood, {size} points, traced vectorized "
                        "(np.linalg.cholesky, solve)", traced="vector", data={"y": y})
    if family == "bratuslice":
        return Workload(family, size, bratu_x0(size), size * size, bratu_scalar(size),
                        bratu_slices(size), None, f"2-D Bratu residual, {size}×{size} grid, "
                        "traced as slices of the padded grid", traced="vector")
    if family == "lj":
        return Workload(family, size, lj_positions(size), 1, lj_scalar(size), lj_vector(size),
                        lj_gradient, f"Lennard-Jones energy, {size} atoms, "
                        f"{size * (size - 1) // 2} pairs")
    if family == "ljvec":  # the same energy and points; adjit traces the pair-index form
        return Workload(family, size, lj_positions(size), 1, lj_scalar(size), lj_vector(size),
                        lj_gradient, f"Lennard-Jones energy, {size} atoms, "
                        f"{size * (size - 1) // 2} pairs, traced vectorized (x[ix] - x[jx])",
                        traced="vector")
    if family == "bratu":
        return Workload(family, size, bratu_x0(size), size * size, bratu_scalar(size),
                        bratu_vector(size), None, f"2-D Bratu residual, {size}×{size} grid")
    if family == "kinetics":
        net = network(size)
        return Workload(family, size, kinetics_x0(size), size + 1, kinetics_scalar(net),
                        kinetics_vector(net), None,
                        f"mass-action network, {size} species, {3 * size} reactions, "
                        "energy balance")
    if family == "random":
        n = random_inputs(size)
        x0 = np.random.default_rng(size).uniform(-1.0, 1.0, n)
        return Workload(family, size, x0, 1, random_scalar(size), None, None,
                        f"random expression graph, ~{size:.0e} ops", frozenset({"scaling"}))
    if family == "bundle":
        if size != 15:
            raise ValueError(f"bundle has 15 inputs (bundle-15), not {size}")
        return Workload(family, 15, BUNDLE_X0.copy(), 2, bundle_scalar, None, None,
                        f"bundle-adjustment reprojection residual, 15 → 2, Jacobian blocks at "
                        f"{BUNDLE_POINTS:,} points", frozenset({"batch_jacobian"}))
    raise ValueError(f"unknown workload family {family!r}; known: {', '.join(FAMILIES)}")


def evaluate(w: Workload, x, vector: bool = False) -> np.ndarray:
    """The workload's value at ``x`` in plain NumPy, as a 1-D array."""
    fn = w.vector if vector else w.scalar
    return np.atleast_1d(np.asarray(fn(np.asarray(x, dtype=float), NUMPY), dtype=float))


def central_gradient(fn, x, h: float = 1e-6) -> np.ndarray:
    """Central differences of a scalar ``fn`` (for tests and sanity checks)."""
    x = np.asarray(x, dtype=float)
    g = np.empty_like(x)
    for i in range(len(x)):
        e = np.zeros_like(x)
        e[i] = h * max(1.0, abs(x[i]))
        g[i] = (float(fn(x + e)) - float(fn(x - e))) / (2 * e[i])
    return g
