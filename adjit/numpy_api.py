"""NumPy's API on traced arrays: the functions that record, the ones that run
unchanged on object arrays of tracers, and hints for the rest.

A NumPy function called with a traced array (or scalar) reaches
:func:`adjit.tracer.array_function` through ``__array_function__``. This
module fills its tables at import:

* ``ARRAY_FUNCTIONS``: implementations that record: reductions over any axes
  (``sum prod max min mean std var average all any``), ``cumsum cumprod
  diff``, ``np.where`` as a recorded select (no guard), ``np.clip``,
  ``np.interp`` on traced x with constant knots (a select chain, no guard),
  buffers (``np.zeros_like`` ... hold traced values), ``np.einsum``, and the
  linear algebra of :mod:`adjit.linalg`;
* ``PASS_THROUGH``: functions that only move elements (reshape, concatenate,
  take, ...) or combine them with the tracers' own operators (dot, outer,
  kron, sort, whose comparisons become guards), run by NumPy on plain object
  arrays;
* ``UFUNC_RULES`` / ``SCIPY_UFUNC_RULES``: ufuncs outside the op table, as
  formulas of ops (``np.logaddexp``, ``np.isnan`` as ``x != x``,
  ``scipy.special.expit``, ``xlogy``, ``gammaln`` ...).

Every other NumPy function is a TracingError naming it. SciPy's
``logsumexp`` is not traceable (it branches on dtypes and writes through
masks computed from the values); :func:`logsumexp` here is its recorded twin.
"""
from __future__ import annotations

import math
import operator

import numpy as np

from . import linalg, ops
from .errors import TracingError
from .tracer import (ARRAY_FUNCTIONS, HINTS, PASS_THROUGH, SCIPY_UFUNC_RULES, UFUNC_RULES,
                     TracedArray, Tracer, as_traced, binary, normalize_axes, plain,
                     reduce_lanes, unary, where)


def _register(*funcs):
    def deco(impl):
        for f in funcs:
            ARRAY_FUNCTIONS[f] = impl
        return impl
    return deco


def _obj(a) -> np.ndarray:
    """``a`` as a plain object array (tracers, numbers)."""
    return np.asarray(plain(a), dtype=object)


def _finish(result, out, who):
    """Write into ``out=`` (an object array) when given, as NumPy does."""
    if out is None:
        return result
    if not (isinstance(out, np.ndarray) and out.dtype == object):
        raise TracingError(f"{who}(..., out=...) would write traced values into an array of "
                           f"dtype {getattr(out, 'dtype', type(out).__name__)}; make it with "
                           "np.empty_like(x) of a traced x, or use the returned value")
    out[...] = result
    return out


def _no_where(where, who):
    if where is not True:
        raise TracingError(f"{who}(..., where=...) is not supported on traced values; "
                           "select with np.where(mask, x, 0.0) first")


def _check_dtype(dtype, who):
    if dtype is not None and np.dtype(dtype) not in (np.dtype(object), np.dtype(np.float64)):
        raise TracingError(f"{who}(..., dtype={np.dtype(dtype)}) of traced values: traced "
                           "values are float64")


# + and * on tracers take the operators' fast paths (binary() is the general one)
_add = operator.add
_mul = operator.mul


def _max(a, b):
    return binary("maximum", a, b)


def _min(a, b):
    return binary("minimum", a, b)


# --- reductions ------------------------------------------------------------------------

_NOVALUE = np._NoValue


@_register(np.sum)
def sum_(a, axis=None, dtype=None, out=None, keepdims=False, initial=_NOVALUE,
         where=True):
    _no_where(where, "np.sum")
    _check_dtype(dtype, "np.sum")
    r = reduce_lanes(a, axis, keepdims, _add, None if initial is _NOVALUE else initial, 0.0,
                     "np.sum")
    return _finish(r, out, "np.sum")


@_register(np.prod)
def prod(a, axis=None, dtype=None, out=None, keepdims=False, initial=_NOVALUE, where=True):
    _no_where(where, "np.prod")
    _check_dtype(dtype, "np.prod")
    r = reduce_lanes(a, axis, keepdims, _mul, None if initial is _NOVALUE else initial, 1.0,
                     "np.prod")
    return _finish(r, out, "np.prod")


def _extreme(combine, who):
    def impl(a, axis=None, out=None, keepdims=False, initial=_NOVALUE, where=True):
        _no_where(where, who)
        r = reduce_lanes(a, axis, keepdims, combine,
                         None if initial is _NOVALUE else initial, None, who)
        return _finish(r, out, who)
    impl.__name__ = who.split(".")[-1]
    impl.__doc__ = (f"``{who}``: NaN propagates, a tie splits the derivative (the op "
                    "table's maximum/minimum); no guard.")
    return impl


ARRAY_FUNCTIONS[np.max] = ARRAY_FUNCTIONS[np.amax] = _extreme(_max, "np.max")
ARRAY_FUNCTIONS[np.min] = ARRAY_FUNCTIONS[np.amin] = _extreme(_min, "np.min")


def _logical(name, who, empty):
    def impl(a, axis=None, out=None, keepdims=False, *, where=True):
        _no_where(where, who)

        def combine(acc, v):
            return binary(name, acc, v)
        r = reduce_lanes(_obj(a) != 0.0, axis, keepdims, combine, None, empty, who)
        return _finish(r, out, who)
    impl.__name__ = who.split(".")[-1]
    return impl


ARRAY_FUNCTIONS[np.all] = _logical("logical_and", "np.all", 1.0)
ARRAY_FUNCTIONS[np.any] = _logical("logical_or", "np.any", 0.0)


def _count(shape, axes) -> int:
    return math.prod(shape[a] for a in axes)


@_register(np.mean)
def mean(a, axis=None, dtype=None, out=None, keepdims=False, *, where=True):
    _no_where(where, "np.mean")
    _check_dtype(dtype, "np.mean")
    arr = _obj(a)
    n = _count(arr.shape, normalize_axes(axis, arr.ndim, "np.mean"))
    with np.errstate(divide="ignore", invalid="ignore"):
        r = sum_(arr, axis, keepdims=keepdims) / np.float64(n)
    return _finish(r, out, "np.mean")


@_register(np.var)
def var(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=True,
        mean=_NOVALUE, correction=_NOVALUE):
    """``np.var``: the mean of squared deviations from the mean, divided by
    ``n - ddof`` (NumPy's formula, recorded)."""
    _no_where(where, "np.var")
    _check_dtype(dtype, "np.var")
    if correction is not _NOVALUE:
        ddof = correction
    arr = _obj(a)
    n = _count(arr.shape, normalize_axes(axis, arr.ndim, "np.var"))
    m = ARRAY_FUNCTIONS[np.mean](arr, axis, keepdims=True) if mean is _NOVALUE else mean
    d = as_traced(arr) - m
    with np.errstate(divide="ignore", invalid="ignore"):
        r = sum_(np.square(d), axis, keepdims=keepdims) / np.float64(max(n - ddof, 0))
    return _finish(r, out, "np.var")


@_register(np.std)
def std(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=True,
        mean=_NOVALUE, correction=_NOVALUE):
    """``np.std``: the square root of :func:`var` (derivative inf where all
    values are equal, as the formula's)."""
    r = np.sqrt(var(a, axis, dtype, None, ddof, keepdims, where=where, mean=mean,
                    correction=correction))
    return _finish(r, out, "np.std")


@_register(np.average)
def average(a, axis=None, weights=None, returned=False, *, keepdims=False):
    arr = _obj(a)
    if weights is None:
        avg = mean(arr, axis, keepdims=keepdims)
        total = float(_count(arr.shape, normalize_axes(axis, arr.ndim, "np.average")))
        if returned:
            return avg, np.broadcast_to(total, np.shape(avg)).copy() if np.ndim(avg) else total
        return avg
    w = _obj(weights)
    if w.shape != arr.shape:
        if axis is None:
            raise TypeError("np.average: axis must be specified when shapes of a and weights "
                            "differ")
        axes = normalize_axes(axis, arr.ndim, "np.average")
        if w.shape != tuple(arr.shape[ax] for ax in axes):
            raise ValueError("np.average: shape of weights must be consistent with shape of "
                             "a along specified axis")
        shape = [1] * arr.ndim
        for ax, n in zip(axes, w.shape):
            shape[ax] = n
        w = np.broadcast_to(w.reshape(shape), arr.shape)
    wsum = sum_(w, axis, keepdims=keepdims)
    avg = sum_(as_traced(arr) * as_traced(w), axis, keepdims=keepdims) / wsum
    if returned:
        return avg, wsum
    return avg


@_register(np.ptp)
def ptp(a, axis=None, out=None, keepdims=False):
    r = np.subtract(ARRAY_FUNCTIONS[np.max](a, axis, keepdims=keepdims),
                    ARRAY_FUNCTIONS[np.min](a, axis, keepdims=keepdims))
    return _finish(r, out, "np.ptp")


@_register(np.cov)
def cov(m, y=None, rowvar=True, bias=False, ddof=None, fweights=None, aweights=None, *,
        dtype=None):
    """``np.cov`` without weights: centred rows, their products, divided by
    ``N - ddof`` (NumPy's formula)."""
    if fweights is not None or aweights is not None:
        raise TracingError("np.cov(..., fweights=/aweights=) is not supported on traced "
                           "values; weight the centred data and use @")
    X = _obj(m)
    if X.ndim > 2:
        raise ValueError("m has more than 2 dimensions")
    X = np.atleast_2d(X)
    if not rowvar and X.shape[0] != 1:
        X = X.T
    if y is not None:
        Y = np.atleast_2d(_obj(y))
        if not rowvar and Y.shape[0] != 1:
            Y = Y.T
        X = np.concatenate((X, Y), axis=0)
    if ddof is None:
        ddof = 0 if bias else 1
    n = X.shape[1]
    Xc = as_traced(X) - mean(X, axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        c = as_traced(np.dot(plain(Xc), plain(Xc).T)) / np.float64(max(n - ddof, 0))
    return c[0, 0] if c.shape == (1, 1) else c


@_register(np.corrcoef)
def corrcoef(x, y=None, rowvar=True, *, dtype=None):
    """``np.corrcoef``: the covariance scaled by the outer product of the
    standard deviations (NumPy then clips to [-1, 1]; rounding aside, the
    values already lie there, so no clip is recorded)."""
    c = cov(x, y, rowvar)
    if np.ndim(c) == 0:
        return c / c
    d = np.sqrt(np.diagonal(plain(c)))
    return as_traced(plain(c) / np.outer(d, d))


@_register(np.linspace)
def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0, *,
             device=None):
    """``np.linspace`` between traced scalar ends (NumPy's formula
    ``start + i * step``, the last point ``stop`` itself)."""
    num = operator.index(num)
    if np.ndim(start) or np.ndim(stop):
        raise TracingError("np.linspace with traced array ends is not supported; use "
                           "start + np.arange(num) / (num - 1) * (stop - start)")
    div = (num - 1) if endpoint else num
    delta = stop - start
    step = delta / float(div) if div > 0 else math.nan
    out = np.empty(num, dtype=object)
    for i in range(num):
        out[i] = start + i * step if div > 0 else start + i * delta
    if endpoint and num > 1:
        out[-1] = stop
    out = as_traced(out)
    return (out, step) if retstep else out


@_register(np.nan_to_num)
def nan_to_num(x, copy=True, nan=0.0, posinf=None, neginf=None):
    """``np.nan_to_num`` as recorded selects on x != x and x == +-inf."""
    big = np.finfo(np.float64).max
    posinf = big if posinf is None else posinf
    neginf = -big if neginf is None else neginf

    def one(t):
        r = where(binary("eq", t, math.inf), posinf, t)
        r = where(binary("eq", t, -math.inf), neginf, r)
        return where(binary("ne", t, t), nan, r)
    arr = _obj(x)
    if arr.ndim == 0:
        return one(arr[()])
    return as_traced(np.frompyfunc(one, 1, 1)(arr))


def _accumulate(combine, who):
    def impl(a, axis=None, dtype=None, out=None):
        _check_dtype(dtype, who)
        arr = _obj(a)
        if axis is None:
            arr, axis = arr.reshape(-1), 0
        (axis,) = normalize_axes(axis, arr.ndim, who)
        moved = np.moveaxis(arr, axis, -1)
        res = np.empty(moved.shape, dtype=object)
        flat_in = moved.reshape(-1, moved.shape[-1]) if moved.size else moved
        flat_out = res.reshape(-1, moved.shape[-1]) if moved.size else res
        for i in range(flat_in.shape[0] if moved.size else 0):
            acc = None
            for j, v in enumerate(flat_in[i].tolist()):
                acc = v if j == 0 else combine(acc, v)
                flat_out[i, j] = acc
        return _finish(as_traced(np.moveaxis(res, -1, axis)), out, who)
    impl.__name__ = who.split(".")[-1]
    return impl


ARRAY_FUNCTIONS[np.cumsum] = _accumulate(_add, "np.cumsum")
ARRAY_FUNCTIONS[np.cumprod] = _accumulate(_mul, "np.cumprod")


@_register(np.diff)
def diff(a, n=1, axis=-1, prepend=_NOVALUE, append=_NOVALUE):
    arr = _obj(a)
    if n < 0:
        raise ValueError(f"np.diff: order must be non-negative but got {n!r}")
    if arr.ndim == 0:
        raise ValueError("np.diff requires input that is at least one dimensional")
    (axis,) = normalize_axes(axis, arr.ndim, "np.diff")
    parts = []
    for extra in (prepend, None, append):
        if extra is None:
            parts.append(arr)
        elif extra is not _NOVALUE:
            e = _obj(extra)
            if e.ndim == 0:
                shape = list(arr.shape)
                shape[axis] = 1
                e = np.broadcast_to(e, shape)
            parts.append(e)
    arr = np.concatenate(parts, axis=axis) if len(parts) > 1 else arr
    for _ in range(n):
        hi = [slice(None)] * arr.ndim
        lo = [slice(None)] * arr.ndim
        hi[axis], lo[axis] = slice(1, None), slice(None, -1)
        arr = np.asarray(plain(as_traced(arr[tuple(hi)]) - as_traced(arr[tuple(lo)])),
                         dtype=object)
    return as_traced(arr)


# --- selection -------------------------------------------------------------------------


def _arg(name):
    def impl(a, axis=None, out=None, *, keepdims=False):
        arr = _obj(a)
        arr = arr.reshape(1) if arr.ndim == 0 else arr
        return getattr(arr.view(TracedArray), name)(axis, out, keepdims=keepdims)
    impl.__name__ = name
    impl.__doc__ = f"``np.{name}``: TracedArray.{name} (each comparison a guard)."
    return impl


ARRAY_FUNCTIONS[np.argmax] = _arg("argmax")
ARRAY_FUNCTIONS[np.argmin] = _arg("argmin")

_WHERE = np.frompyfunc(where, 3, 1)


@_register(np.where)
def where_(condition, x=_NOVALUE, y=_NOVALUE):
    """``np.where(c, x, y)`` with a traced condition: a recorded select, no
    guard (adjit.where elementwise); the one-argument form is np.nonzero."""
    if x is _NOVALUE and y is _NOVALUE:
        return nonzero(condition)
    if x is _NOVALUE or y is _NOVALUE:
        raise ValueError("either both or neither of x and y should be given")
    r = _WHERE(_obj(condition), _obj(x), _obj(y))
    return as_traced(r) if isinstance(r, np.ndarray) else r


@_register(np.select)
def select(condlist, choicelist, default=0.0):
    """``np.select``: the first choice whose condition holds, as a chain of
    recorded selects (no guard)."""
    if len(condlist) != len(choicelist):
        raise ValueError("list of cases must be same length as list of conditions")
    r = default
    for c, v in reversed(list(zip(condlist, choicelist))):
        r = where_(c, v, r)
    return r


@_register(np.nonzero, np.argwhere, np.flatnonzero)
def nonzero(a):
    arr = _obj(a)
    if any(isinstance(v, Tracer) for v in arr.flat):
        raise TracingError("np.nonzero / np.argwhere / np.where(condition) of traced values "
                           "would fix which elements are selected; select with "
                           "np.where(condition, a, b) / adjit.where instead")
    return np.nonzero(arr.astype(np.float64))


@_register(np.clip)
def clip(a, a_min=_NOVALUE, a_max=_NOVALUE, out=None, *, min=_NOVALUE, max=_NOVALUE,
         **kwargs):
    """``np.clip`` as maximum then minimum (NumPy's definition), recorded."""
    lo = a_min if a_min is not _NOVALUE else (None if min is _NOVALUE else min)
    hi = a_max if a_max is not _NOVALUE else (None if max is _NOVALUE else max)
    r = as_traced(_obj(a)) if isinstance(a, np.ndarray) else a
    if lo is not None:
        r = np.maximum(r, as_traced(_obj(lo)) if isinstance(lo, np.ndarray) else lo)
    if hi is not None:
        r = np.minimum(r, as_traced(_obj(hi)) if isinstance(hi, np.ndarray) else hi)
    return _finish(r, out, "np.clip")


@_register(np.interp)
def interp(x, xp, fp, left=None, right=None, period=None):
    """``np.interp`` at traced ``x`` with constant knots ``xp`` (increasing);
    ``fp`` may be traced. Recorded as a chain of selects, one per knot, with
    no guard: the tape stays valid wherever x moves. At a knot the derivative
    is the slope on its right."""
    if period is not None:
        raise TracingError("np.interp(..., period=...) is not supported on traced values")
    xp_arr = _obj(xp)
    if any(isinstance(v, Tracer) for v in xp_arr.flat):
        raise TracingError("np.interp with traced knots xp is not supported: the knots must "
                           "be constants (x and fp may be traced)")
    xp_f = xp_arr.astype(np.float64)
    fp_o = _obj(fp)
    if xp_f.ndim != 1 or fp_o.ndim != 1 or len(xp_f) != len(fp_o) or not len(xp_f):
        raise ValueError("np.interp: xp and fp must be 1-D sequences of the same nonzero "
                         "length")
    if np.any(np.diff(xp_f) <= 0):
        raise ValueError("np.interp of traced values needs strictly increasing knots xp")
    f = fp_o.tolist()
    lo = f[0] if left is None else left
    hi = f[-1] if right is None else right
    slopes = [(f[i + 1] - f[i]) / float(xp_f[i + 1] - xp_f[i]) for i in range(len(f) - 1)]
    knots = xp_f.tolist()

    def one(t):
        r = lo
        for i, k in enumerate(knots[:-1]):
            r = where(t >= k, f[i] + slopes[i] * (t - k), r)
        r = where(t >= knots[-1], f[-1], r)
        if right is not None:
            r = where(t > knots[-1], hi, r)
        return r

    xs = _obj(x)
    if xs.ndim == 0:
        return one(xs[()])
    return as_traced(np.frompyfunc(one, 1, 1)(xs))


# --- buffers that hold traced values --------------------------------------------------


def _like(fill, who):
    def impl(a, dtype=None, order="K", subok=True, shape=None, *, device=None, **kw):
        if dtype is not None and np.dtype(dtype) not in (np.dtype(object),
                                                         np.dtype(np.float64)):
            # an int or bool buffer is not for traced values
            return np.full(np.shape(a) if shape is None else shape, fill(), dtype=dtype)
        out = np.empty(np.shape(a) if shape is None else shape, dtype=object)
        out[...] = fill()
        return as_traced(out)
    impl.__name__ = who
    impl.__doc__ = (f"``np.{who}`` of a traced array: an object array that holds traced "
                    "values (item assignment, in-place operators).")
    return impl


ARRAY_FUNCTIONS[np.zeros_like] = _like(lambda: 0.0, "zeros_like")
ARRAY_FUNCTIONS[np.ones_like] = _like(lambda: 1.0, "ones_like")
ARRAY_FUNCTIONS[np.empty_like] = _like(lambda: 0.0, "empty_like")


@_register(np.full_like)
def full_like(a, fill_value, dtype=None, order="K", subok=True, shape=None, **kw):
    out = np.empty(np.shape(a) if shape is None else shape, dtype=object)
    fv = _obj(fill_value)
    out[...] = fv
    return as_traced(out)


@_register(np.copyto)
def copyto(dst, src, casting="same_kind", where=True):
    if where is not True:
        raise TracingError("np.copyto(..., where=...) with traced values: use "
                           "dst[...] = np.where(mask, src, dst)")
    if not (isinstance(dst, np.ndarray) and dst.dtype == object):
        raise TracingError("np.copyto would write traced values into an array of dtype "
                           f"{getattr(dst, 'dtype', '?')}; make dst with np.empty_like(x)")
    dst[...] = src


# --- products --------------------------------------------------------------------------


@_register(np.einsum)
def einsum(*operands, out=None, optimize=False, dtype=None, order="K", casting="safe"):
    """``np.einsum``, NumPy's own on object arrays (sums of products by the
    tracers' operators); ``optimize`` is ignored (the sums are the same)."""
    _check_dtype(dtype, "np.einsum")
    r = np.einsum(*[plain(o) if isinstance(o, np.ndarray) else (
        _obj(o) if isinstance(o, Tracer) else o) for o in operands], optimize=False)
    return _finish(as_traced(r) if isinstance(r, np.ndarray) else r, out, "np.einsum")


# --- SciPy's logsumexp, recorded ------------------------------------------------------


def _isfinite(t):
    # t - t is 0 for finite t, NaN for inf and NaN
    return binary("eq", binary("sub", t, t), 0.0)


def logsumexp(a, axis=None, b=None, keepdims=False, return_sign=False):
    """``scipy.special.logsumexp``, recorded (SciPy's own cannot be traced):
    ``m + log(sum(b * exp(a - m)))`` with ``m`` the maximum over ``axis``
    (0 where it is not finite), all without guards. Its derivative is the
    softmax whatever element is largest."""
    arr = as_traced(_obj(a))
    m = np.max(arr, axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0.0)
    e = np.exp(arr - m)
    if b is not None:
        e = e * (as_traced(_obj(b)) if isinstance(b, np.ndarray) else b)
    s = sum_(e, axis=axis, keepdims=True)
    if return_sign:
        sign = np.sign(s)
        s = np.abs(s)
    out = np.log(s) + m
    if not keepdims:
        ax = normalize_axes(axis, _obj(a).ndim, "logsumexp")
        out = _squeeze(out, ax)
        if return_sign:
            sign = _squeeze(sign, ax)
    return (out, sign) if return_sign else out


def _squeeze(r, axes):
    r = _obj(r)
    r = r.reshape(tuple(n for d, n in enumerate(r.shape) if d not in axes))
    return r[()] if r.ndim == 0 else as_traced(r)


# --- ufuncs outside the op table ------------------------------------------------------


def _expit(x):
    # 1 / (1 + e) with e = exp(-|x|) <= 1 (no overflow either side), written
    # through where so that the derivative at 0 is 1/4, not abs's 0
    pos = binary("ge", x, 0.0)
    e = unary("exp", where(pos, binary("mul", x, -1.0), x))
    d = binary("add", e, 1.0)
    return where(pos, binary("div", 1.0, d), binary("div", e, d))


def _xlogy(x, y, log="log"):
    # 0 where x == 0 (also at y == 0); d/dx is log(y) where y > 0
    both = binary("logical_and", binary("eq", x, 0.0), binary("eq", y, 0.0))
    safe = where(both, 1.0 if log == "log" else 0.0, y)
    return binary("mul", x, unary(log, safe))


def _logaddexp(a, b):
    # max + log1p(exp(-|a - b|)): the derivative at a tie is 1/2 each
    m = binary("maximum", a, b)
    d = unary("abs", binary("sub", a, b))
    return binary("add", m, unary("log1p", unary("exp", binary("mul", d, -1.0))))


_LN2 = math.log(2.0)

UFUNC_RULES.update({
    np.isnan: (1, lambda x: binary("ne", x, x)),
    np.isfinite: (1, _isfinite),
    np.isinf: (1, lambda x: binary("logical_and", binary("eq", x, x),
                                   unary("logical_not", _isfinite(x)))),
    np.logaddexp: (2, _logaddexp),
    np.logaddexp2: (2, lambda a, b: binary("div", _logaddexp(binary("mul", a, _LN2),
                                                               binary("mul", b, _LN2)), _LN2)),
    np.exp2: (1, lambda x: binary("pow", 2.0, x)),
    np.deg2rad: (1, lambda x: binary("mul", x, math.pi / 180.0)),
    np.radians: (1, lambda x: binary("mul", x, math.pi / 180.0)),
    np.rad2deg: (1, lambda x: binary("mul", x, 180.0 / math.pi)),
    np.degrees: (1, lambda x: binary("mul", x, 180.0 / math.pi)),
})

_SQRT1_2 = math.sqrt(0.5)

SCIPY_UFUNC_RULES.update({
    "erf": (1, lambda x: unary("erf", x)),
    "erfc": (1, lambda x: unary("erfc", x)),
    "expm1": (1, lambda x: unary("expm1", x)),
    "log1p": (1, lambda x: unary("log1p", x)),
    "cbrt": (1, lambda x: unary("cbrt", x)),
    "exp2": (1, lambda x: binary("pow", 2.0, x)),
    "exp10": (1, lambda x: binary("pow", 10.0, x)),
    "expit": (1, _expit),
    "logit": (1, lambda p: binary("sub", unary("log", p),
                                  unary("log1p", binary("mul", p, -1.0)))),
    "xlogy": (2, _xlogy),
    "xlog1py": (2, lambda x, y: _xlogy(x, y, "log1p")),
    "ndtr": (1, lambda x: binary("mul", unary("erfc", binary("mul", x, -_SQRT1_2)), 0.5)),
    # the op's lgamma on numbers too (math.lgamma raises at the poles, gammaln gives inf)
    "gammaln": (1, lambda x: unary("lgamma", x) if isinstance(x, Tracer) else ops.lgamma(x)),
})


# --- functions that run unchanged on object arrays ------------------------------------

PASS_THROUGH.update([
    # shapes and moves
    np.reshape, np.ravel, np.transpose, np.swapaxes, np.moveaxis, np.rollaxis, np.squeeze,
    np.expand_dims, np.atleast_1d, np.atleast_2d, np.atleast_3d, np.concatenate, np.stack,
    np.hstack, np.vstack, np.dstack, np.column_stack, np.block, np.split, np.array_split,
    np.hsplit, np.vsplit, np.dsplit, np.take, np.take_along_axis, np.put, np.put_along_axis,
    np.diagonal, np.diag, np.diagflat, np.tril, np.triu, np.flip, np.fliplr, np.flipud,
    np.roll, np.rot90, np.tile, np.repeat, np.broadcast_to, np.broadcast_arrays, np.copy,
    np.append, np.insert, np.delete, np.shape, np.ndim, np.size, np.fill_diagonal,
    np.meshgrid, np.pad,
    # questions about the type (traced values are real)
    np.iscomplexobj, np.isrealobj,
    # sums of products by the tracers' operators
    np.dot, np.vdot, np.inner, np.outer, np.tensordot, np.kron, np.cross, np.trace,
    np.convolve, np.polyval, *[getattr(np, n) for n in ("trapezoid", "trapz") if hasattr(np, n)],
    # orderings: each comparison is a guard (BranchChanged where the order differs)
    np.sort, np.argsort,
])

for _name in ("real", "conj", "conjugate"):
    ARRAY_FUNCTIONS[getattr(np, _name)] = lambda a, *args, **kw: a

HINTS.update({
    "np.round": "use np.floor(x + 0.5) for a traced rounding",
    "np.around": "use np.floor(x + 0.5) for a traced rounding",
    "np.isclose": "compare with np.abs(a - b) <= atol + rtol * np.abs(b) (a traced "
                  "condition) and select with np.where",
    "np.allclose": "compare with np.abs(a - b) <= tol and np.all; `if` on it records a guard",
    "np.array_equal": "compare with == and np.all",
    "np.unique": "the set of distinct values depends on the values; not recordable",
    "np.median": "sort with np.sort (its comparisons are guards) and take the middle",
    "np.percentile": "sort with np.sort (its comparisons are guards) and interpolate",
    "np.quantile": "sort with np.sort (its comparisons are guards) and interpolate",
    "np.nansum": "select with np.where(np.isnan(x), 0.0, x) and use np.sum",
    "np.nanmean": "select with np.where(np.isnan(x), 0.0, x) and divide by a count",
    "np.linalg.eig": "eigen/singular value decompositions are not recorded; np.linalg.solve, "
                     "inv, det, slogdet, cholesky and norm are",
    "np.linalg.eigh": "eigen/singular value decompositions are not recorded; np.linalg.solve, "
                      "inv, det, slogdet, cholesky and norm are",
    "np.linalg.svd": "singular value decompositions are not recorded; np.linalg.solve, inv, "
                     "det, slogdet, cholesky and norm are",
    "np.linalg.lstsq": "solve the normal equations with np.linalg.solve(A.T @ A, A.T @ b)",
    "np.linalg.pinv": "use np.linalg.solve / inv on a square system",
    "np.linalg.qr": "use np.linalg.cholesky or solve",
    "np.searchsorted": "the index depends on the values: compare and select with np.where",
})

# --- linear algebra --------------------------------------------------------------------

ARRAY_FUNCTIONS.update({
    np.linalg.norm: linalg.norm,
    np.linalg.solve: linalg.solve,
    np.linalg.inv: linalg.inv,
    np.linalg.det: linalg.det,
    np.linalg.slogdet: linalg.slogdet,
    np.linalg.cholesky: linalg.cholesky,
})

__all__ = ["logsumexp"]
