"""More NumPy functions on traced blocks, composed of array instructions.

:mod:`adjit.array_tracer` records a ufunc, a sum and a matrix product as one
array instruction each, and moves elements (slicing, transposes, reshapes,
concatenation, diagonals) for free. Written with those alone, the functions
here record a number of instructions that does not grow with the number of
elements (about log2 of a reduced length for the trees and scans):

* ``np.prod``, ``np.max``/``np.amax``, ``np.min``/``np.amin`` (and
  ``np.nanmax``/``np.nanmin``, ``np.ptp``): a pairwise tree along the reduced
  axes, one elementwise row per level; ``np.var``, ``np.std`` in a few rows;
* ``np.cumsum``, ``np.cumprod``: a work-efficient log-depth scan, two
  elementwise rows per halving;
* ``np.einsum`` (explicit and implicit output, repeated labels, ``...``),
  ``np.tensordot``, ``np.inner``, ``np.outer``, ``np.vdot``, ``np.trace``,
  and ``np.dot`` of more than two dimensions: moves, then per pair of
  operands one matrix product, or one broadcasting product and one sum;
* ``np.diag``, ``np.diagflat``: moves (and one constant for the zeros);
* the everyday helpers ``np.diff``, ``np.linalg.norm`` (vector and Frobenius
  norms), ``np.average``, ``np.triu``/``np.tril`` (moves), ``np.cross``,
  ``np.kron``, ``np.trapezoid``, ``np.polyval`` and ``np.dot`` with a scalar:
  a few rows each;
* through two hooks of :mod:`adjit.array_tracer` (which cannot import this
  module): ``@``/``np.matmul`` of more than two dimensions
  (``BATCHED_MATMUL``), and ``np.maximum.reduce``, ``np.add.accumulate``, ...
  (``UFUNC_METHODS``).

Each returns ``NotImplemented`` for what it does not cover (``out=``,
``where=``, a dtype other than float64, empty operands, a traced ``initial``,
...): the call then runs on the traced scalars, one scalar instruction per
element, exactly as without this module.

Ties: every maximum (minimum) row splits the derivative 0.5/0.5 between two
equal operands (the op table's rule), so the tree's weights at a tie are
powers of 1/2 that sum to 1 (each of ``k`` equal values of a power-of-two
lane gets ``1/k``); the scalar form (``ADJIT_ARRAYS=0``) folds left to right
and weighs ties differently. Both are subgradients. NaN propagates as in
NumPy (``np.nanmax`` takes the op table's ``fmax``, which skips it).
"""
from __future__ import annotations

import math
import numbers
import string

import numpy as np

from . import array_tracer
from .array_tracer import FUNCTIONS, TracedBlock
from .tracer import normalize_axes

_NOVALUE = np._NoValue


def _is_number(x) -> bool:
    return isinstance(x, (numbers.Real, np.integer, np.floating)) and not isinstance(
        x, (bool, np.bool_))


def _float_dtype(dtype) -> bool:
    return dtype is None or np.dtype(dtype) == np.float64


# --- reductions: a pairwise tree ---------------------------------------------------


def _tree(y, ufunc):
    """Combine the rows of ``y`` (axis 0) pairwise with ``ufunc``: row j with
    row j + k//2, an odd last row carried to the next level; ``y[:1]``."""
    while y.shape[0] > 1:
        k = y.shape[0]
        h = k // 2
        z = ufunc(y[:h], y[h:2 * h])
        y = np.concatenate([z, y[2 * h:]]) if k % 2 else z
    return y


def _reduce(a, axis, keepdims, initial, ufunc, who):
    """``ufunc.reduce`` of the traced block ``a`` over ``axis`` by a tree
    (NotImplemented for what the tree does not cover)."""
    if not isinstance(a, TracedBlock) or a.size == 0:
        return NotImplemented  # an empty lane: NumPy's identity or its error, per element
    if initial is not _NOVALUE and not _is_number(initial):
        return NotImplemented
    axes = normalize_axes(axis, a.ndim, who)
    rest = tuple(d for d in range(a.ndim) if d not in axes)
    kept = tuple(a.shape[d] for d in rest)
    k = math.prod(a.shape[d] for d in axes)
    # the reduced axes first: each level reads two contiguous halves
    y = _tree(a.transpose(axes + rest).reshape((k,) + kept), ufunc)
    if initial is not _NOVALUE:
        y = ufunc(y, float(initial))
    elif k == 1:
        y = y.copy()  # a new array, as NumPy's: assigning into it leaves ``a`` alone
    if keepdims:
        return y.reshape(tuple(1 if d in axes else n for d, n in enumerate(a.shape)))
    return y.reshape(kept)


def prod(a, axis=None, dtype=None, out=None, keepdims=False, initial=_NOVALUE, where=True):
    """``np.prod``: a tree of products, one ``mul`` row per level (ceil(log2 k)
    levels for k reduced elements). No division, so zeros are exact."""
    if out is not None or where is not True or not _float_dtype(dtype):
        return NotImplemented
    return _reduce(a, axis, keepdims, initial, np.multiply, "prod")


def _extreme(ufunc, who, doc):
    def impl(a, axis=None, out=None, keepdims=False, initial=_NOVALUE, where=True):
        if out is not None or (where is not True and where is not _NOVALUE):
            return NotImplemented
        return _reduce(a, axis, False if keepdims is _NOVALUE else keepdims, initial, ufunc, who)
    impl.__name__ = who
    impl.__doc__ = doc
    return impl


_TIES = (" A tie splits the derivative 0.5/0.5 at each level, so k equal values "
         "of a power-of-two lane get 1/k each; weights are powers of 1/2 summing to 1.")
amax = _extreme(np.maximum, "max", "``np.max``: a tree of ``maximum`` rows, one per level; "
                "NaN propagates." + _TIES)
amin = _extreme(np.minimum, "min", "``np.min``: a tree of ``minimum`` rows, one per level; "
                "NaN propagates." + _TIES)
nanmax = _extreme(np.fmax, "nanmax", "``np.nanmax``: a tree of ``fmax`` rows (NaN skipped; an "
                  "all-NaN lane gives NaN, without NumPy's warning)." + _TIES)
nanmin = _extreme(np.fmin, "nanmin", "``np.nanmin``: a tree of ``fmin`` rows (NaN skipped; an "
                  "all-NaN lane gives NaN, without NumPy's warning)." + _TIES)


def ptp(a, axis=None, out=None, keepdims=False):
    """``np.ptp``: the maximum's tree minus the minimum's."""
    if out is not None:
        return NotImplemented
    hi = amax(a, axis, keepdims=keepdims)
    if hi is NotImplemented:
        return hi
    return np.subtract(hi, amin(a, axis, keepdims=keepdims))


def var(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=True,
        mean=_NOVALUE, correction=_NOVALUE):
    """``np.var``: NumPy's formula (squared deviations from the mean, summed,
    divided by ``n - ddof``) in array rows."""
    if not isinstance(a, TracedBlock) or a.size == 0 or out is not None or (
            where is not True or mean is not _NOVALUE or not _float_dtype(dtype)):
        return NotImplemented
    if correction is not _NOVALUE:
        ddof = correction
    n = math.prod(a.shape[d] for d in normalize_axes(axis, a.ndim, "var"))
    d = a - np.mean(a, axis, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.sum(np.square(d), axis, keepdims=keepdims) / np.float64(max(n - ddof, 0))


def std(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=True,
        mean=_NOVALUE, correction=_NOVALUE):
    """``np.std``: the square root of :func:`var`."""
    r = var(a, axis, dtype, out, ddof, keepdims, where=where, mean=mean, correction=correction)
    return r if r is NotImplemented else np.sqrt(r)


# --- scans: log depth ---------------------------------------------------------------


def _prefix(y, ufunc):
    """Inclusive scan of ``y`` along its last axis with ``ufunc``, work-efficient:
    combine neighbouring pairs (one row), scan the pairs (half as long), then
    fill in the even positions (one row); ``2 ceil(log2 n)`` rows in all."""
    n = y.shape[-1]
    if n == 1:
        return y.copy()  # a new array, as NumPy's
    m = n // 2
    # pairs (2i, 2i+1): every other slot of a fresh block, read with one stride
    P = _prefix(ufunc(y[..., 0:2 * m:2], y[..., 1:2 * m:2]), ufunc)
    # P[i] is the scan at 2i + 1; the scan at 2i (i >= 1) is P[i-1] combined with y[2i]
    evens = y[..., :1]
    if n > 2:
        evens = np.concatenate([evens, ufunc(P[..., :(n - 1) // 2], y[..., 2::2])], axis=-1)
    body = np.stack([evens[..., :m], P], axis=-1).reshape(y.shape[:-1] + (2 * m,))
    return np.concatenate([body, evens[..., m:]], axis=-1) if n % 2 else body


def _scan(ufunc, who):
    def impl(a, axis=None, dtype=None, out=None):
        if not isinstance(a, TracedBlock) or a.size == 0 or out is not None or (
                not _float_dtype(dtype)):
            return NotImplemented
        if axis is None:
            a, axis = a.reshape(-1), 0
        (axis,) = normalize_axes(axis, a.ndim, who)
        # the scanned axis last: on a fresh block of even length, its pairs are
        # every other slot (one stride) whatever the other axes
        return np.moveaxis(_prefix(np.moveaxis(a, axis, -1), ufunc), -1, axis)
    impl.__name__ = who
    impl.__doc__ = (f"``np.{who}``: a work-efficient log-depth scan (Blelloch's up- and "
                    f"down-sweep), two ``{ufunc.__name__}`` rows per halving of the axis, "
                    "plus gathers of the interleaved partial scans: O(n) work and gathered "
                    "slots, where a Hillis-Steele scan would read n log n.")
    return impl


cumsum = _scan(np.add, "cumsum")
cumprod = _scan(np.multiply, "cumprod")


# --- contractions ------------------------------------------------------------------

_LABELS = string.ascii_letters


def _operand(x):
    """A traced block, a float array for a constant, or None (a traced scalar,
    an object array: left to the scalar form)."""
    if isinstance(x, TracedBlock):
        return x
    if _is_number(x):
        return np.asarray(x, dtype=np.float64)
    if isinstance(x, (np.ndarray, list, tuple)):
        try:
            c = np.asarray(x)
        except (TypeError, ValueError):
            return None
        if c.dtype.kind in "biuf":
            return c.astype(np.float64)
    return None


def _parse(subscripts, arrays):
    """NumPy's einsum subscripts as (input labels per operand, output labels),
    '...' replaced by unused labels and operands broadcast along them; None
    when anything is unusual (NumPy's own einsum then judges)."""
    spec = subscripts.replace(" ", "")
    if not set(spec) <= set(_LABELS) | set(",->."):
        return None
    if "->" in spec:
        ins, out = spec.split("->", 1)
        if "-" in out or ">" in out:
            return None
    else:
        ins, out = spec, None
    if "-" in ins or ">" in ins:
        return None
    inputs = ins.split(",")
    if len(inputs) != len(arrays):
        return None
    free = [c for c in _LABELS if c not in spec]
    counts = []
    for s, x in zip(inputs, arrays):
        if "." in s and (s.count("...") != 1 or s.count(".") != 3):
            return None
        named = len(s) - (3 if "..." in s else 0)
        extra = x.ndim - named
        if extra < 0 or (extra and "..." not in s):
            return None
        counts.append(extra if "..." in s else 0)
    nb = max(counts)
    if nb > len(free) or (out is not None and "." in out and (
            out.count("...") != 1 or out.count(".") != 3)):
        return None
    ell = "".join(free[:nb])
    labels = [s.replace("...", ell[nb - c:]) for s, c in zip(inputs, counts)]
    sizes = {}
    for s, x in zip(labels, arrays):
        for c, n in zip(s, x.shape):
            if sizes.setdefault(c, n) != n:
                if c not in ell or 1 not in (n, sizes[c]):
                    return None  # NumPy broadcasts a length-1 label too: its einsum decides
                sizes[c] = max(n, sizes[c])
    if out is None:
        once = sorted(c for c in set("".join(labels)) if c not in ell
                      and "".join(labels).count(c) == 1)
        out = ell + "".join(once)
    else:
        if "..." not in out and nb:
            return None
        out = out.replace("...", ell)
        if len(set(out)) != len(out) or not set(out) <= set(sizes):
            return None
    arrays = [x if x.shape == tuple(sizes[c] for c in s) else
              np.broadcast_to(x, tuple(sizes[c] for c in s)) for s, x in zip(labels, arrays)]
    return labels, out, arrays, sizes


def _arranged(x, labels, order, shape):
    """``x`` (labelled ``labels``) transposed to ``order`` and reshaped to
    ``shape``: a move."""
    if not labels:
        return x.reshape(shape)
    return x.transpose(tuple(labels.index(c) for c in order)).reshape(shape)


def _diagonals(x, labels):
    """Repeated labels of one operand taken as diagonals (moves)."""
    while len(set(labels)) < len(labels):
        c = next(c for c in labels if labels.count(c) > 1)
        i = labels.index(c)
        j = labels.index(c, i + 1)
        x = np.diagonal(x, axis1=i, axis2=j)
        labels = "".join(d for k, d in enumerate(labels) if k not in (i, j)) + c
    return x, labels


def _sum_out(x, labels, needed):
    """Sum the axes of labels nobody needs: one sum row."""
    axes = tuple(k for k, c in enumerate(labels) if c not in needed)
    if not axes or not labels:
        return x, labels
    labels = "".join(c for c in labels if c in needed)
    if not labels:  # a scalar stays a block of one until the end
        return np.sum(x, axis=axes, keepdims=True).reshape((1,)), labels
    return np.sum(x, axis=axes), labels


def _pair(A, la, B, lb, needed, sizes):
    """Contract two labelled operands, keeping the labels in ``needed``: a
    matrix product when no shared label is kept, else a broadcasting product
    and one sum."""
    batch = [c for c in la if c in lb and c in needed]
    summed = [c for c in la if c in lb and c not in needed]
    a_only = [c for c in la if c not in lb]
    b_only = [c for c in lb if c not in la]
    res = "".join(batch + a_only + b_only)
    dims = [sizes[c] for c in res]
    if not isinstance(A, TracedBlock) and not isinstance(B, TracedBlock):
        C = np.einsum(f"{la},{lb}->{res}", A.reshape([sizes[c] for c in la]),
                      B.reshape([sizes[c] for c in lb]))
        return (C, res) if res else (C.reshape((1,)), res)
    M = math.prod(sizes[c] for c in a_only)
    N = math.prod(sizes[c] for c in b_only)
    K = math.prod(sizes[c] for c in summed)
    if not batch:
        C = np.matmul(_arranged(A, la, a_only + summed, (M, K)),
                      _arranged(B, lb, summed + b_only, (K, N)))
        return C.reshape(dims if res else (1,)), res
    S = [sizes[c] for c in batch]
    P = np.multiply(
        _arranged(A, la, batch + a_only + summed,
                  S + [sizes[c] for c in a_only] + [1] * len(b_only) + [K]),
        _arranged(B, lb, batch + b_only + summed,
                  S + [1] * len(a_only) + [sizes[c] for c in b_only] + [K]))
    if summed:
        P = np.sum(P, axis=-1)
    return P.reshape(dims), res


def einsum(*operands, out=None, optimize=False, dtype=None, order="K", casting="safe"):
    """``np.einsum`` with subscripts: per operand, its repeated labels as
    diagonals (moves) and its private labels summed (one sum row); then, left
    to right, each pair contracted (:func:`_pair`: one matrix product, or one
    broadcasting product and one sum, plus the gathers of operands that
    transposes left out of order)."""
    if out is not None or not _float_dtype(dtype) or not operands or not isinstance(
            operands[0], str):
        return NotImplemented
    arrays = [_operand(x) for x in operands[1:]]
    if any(x is None for x in arrays) or not any(isinstance(x, TracedBlock) for x in arrays) \
            or any(x.size == 0 for x in arrays):
        return NotImplemented
    parsed = _parse(operands[0], arrays)
    if parsed is None:
        return NotImplemented
    labels, want, arrays, sizes = parsed
    terms = [_diagonals(x, s) for x, s in zip(arrays, labels)]
    while True:
        x, lx = terms[0]
        others = "".join(s for _, s in terms[1:])
        x, lx = _sum_out(x, lx, set(want) | set(others))
        if len(terms) == 1:
            break
        y, ly = terms[1]
        y, ly = _sum_out(y, ly, set(want) | set(lx) | set("".join(s for _, s in terms[2:])))
        needed = set(want) | set("".join(s for _, s in terms[2:]))
        terms = [_pair(x, lx, y, ly, needed, sizes)] + terms[2:]
    return _arranged(x, lx, want, tuple(sizes[c] for c in want))


def tensordot(a, b, axes=2):
    """``np.tensordot``: :func:`einsum` of the two (one matrix product)."""
    na, nb = np.ndim(a), np.ndim(b)
    try:
        if isinstance(axes, numbers.Integral):
            if not 0 <= axes <= min(na, nb):
                return NotImplemented
            ax_a, ax_b = list(range(na - axes, na)), list(range(axes))
        else:
            ax_a, ax_b = axes
            ax_a = [int(ax_a)] if isinstance(ax_a, numbers.Integral) else [int(v) for v in ax_a]
            ax_b = [int(ax_b)] if isinstance(ax_b, numbers.Integral) else [int(v) for v in ax_b]
            if len(ax_a) != len(ax_b):
                return NotImplemented
            ax_a = list(normalize_axes(tuple(ax_a), na, "tensordot"))
            ax_b = list(normalize_axes(tuple(ax_b), nb, "tensordot"))
    except (TypeError, ValueError):
        return NotImplemented
    if na + nb > len(_LABELS):
        return NotImplemented
    la = list(_LABELS[:na])
    lb = list(_LABELS[na:na + nb])
    for i, j in zip(ax_a, ax_b):
        lb[j] = la[i]
    res = [c for k, c in enumerate(la) if k not in ax_a] + [
        c for k, c in enumerate(lb) if k not in ax_b]
    return einsum(f"{''.join(la)},{''.join(lb)}->{''.join(res)}", a, b)


def inner(a, b):
    """``np.inner``: the last axes contracted."""
    na, nb = np.ndim(a), np.ndim(b)
    if not na or not nb:
        return NotImplemented
    return tensordot(a, b, ([na - 1], [nb - 1]))


def outer(a, b, out=None):
    """``np.outer``: the flattened operands' product, one matrix product row."""
    if out is not None:
        return NotImplemented
    return einsum("i,j->ij", np.ravel(a), np.ravel(b))


def vdot(a, b):
    """``np.vdot`` of real operands: the flattened dot product."""
    return einsum("i,i->", np.ravel(a), np.ravel(b))


def trace(a, offset=0, axis1=0, axis2=1, dtype=None, out=None):
    """``np.trace``: the diagonal (a move) summed, one sum row."""
    if not isinstance(a, TracedBlock) or out is not None or not _float_dtype(dtype):
        return NotImplemented
    d = np.diagonal(a, offset, axis1, axis2)
    if not isinstance(d, TracedBlock) or d.size == 0:
        return NotImplemented
    return np.sum(d, axis=-1)


def diag(v, k=0):
    """``np.diag``: of a matrix its k-th diagonal, of a vector the matrix with
    it on the k-th diagonal and zeros elsewhere: moves (the zeros are one
    constant's slot)."""
    if not isinstance(v, TracedBlock) or v.ndim not in (1, 2) or not isinstance(
            k, numbers.Integral):
        return NotImplemented
    if v.ndim == 2:
        return np.diagonal(v, k)
    n, a = v.shape[0], abs(int(k))
    # each element followed by n zeros, cut to n rows of n: v[i] lands at (i, i)
    square = np.pad(v[:, None], ((0, 0), (0, n))).reshape(-1)[:n * n].reshape(n, n)
    if not a:
        return square
    return np.pad(square, ((0, a), (a, 0)) if k > 0 else ((a, 0), (0, a)))


def diagflat(v, k=0):
    """``np.diagflat``: :func:`diag` of the flattened operand."""
    if not isinstance(v, TracedBlock):
        return NotImplemented
    return diag(v.reshape(-1), k)


def batched_matmul(a, b):
    """``a @ b`` with more than two dimensions: :func:`einsum` over NumPy's
    broadcast batch axes (one matrix product when only one operand has them,
    else one broadcasting product and one sum)."""
    na, nb = np.ndim(a), np.ndim(b)
    if not na or not nb:
        return NotImplemented
    left, right = ("...ij" if na > 1 else "j"), ("...jk" if nb > 1 else "j")
    res = ("...i" if na > 1 else "...") + ("k" if nb > 1 else "")
    return einsum(f"{left},{right}->{res}", a, b)


def dot(a, b, out=None):
    """``np.dot``: 1-D and 2-D as :func:`adjit.array_tracer.dot`; more
    dimensions as the tensordot of a's last axis with b's second to last; a
    scalar operand as a product."""
    got = array_tracer.dot(a, b, out)
    if got is not NotImplemented or out is not None:
        return got
    na, nb = np.ndim(a), np.ndim(b)
    if not na or not nb:
        return np.multiply(a, b)
    return tensordot(a, b, ([na - 1], [max(nb - 2, 0)]))


_REDUCE = {np.multiply: prod, np.maximum: amax, np.minimum: amin, np.fmax: nanmax,
           np.fmin: nanmin}
_ACCUMULATE = {np.add: cumsum, np.multiply: cumprod}


def ufunc_method(ufunc, method, a, kwargs):
    """``np.maximum.reduce(a, axis)`` and the like as :func:`amax` ...,
    ``np.add.accumulate(a, axis)`` as :func:`cumsum` (the ufunc methods'
    default axis is 0); anything else NotImplemented."""
    kw = dict(kwargs)
    axis = kw.pop("axis", 0)
    if method == "reduce" and ufunc in _REDUCE and set(kw) <= {"keepdims", "initial"}:
        return _REDUCE[ufunc](a, axis, keepdims=kw.get("keepdims", False),
                              initial=kw.get("initial", _NOVALUE))
    if method == "accumulate" and ufunc in _ACCUMULATE and not kw and axis is not None:
        return _ACCUMULATE[ufunc](a, axis)
    return NotImplemented


# --- everyday helpers of vectorized code --------------------------------------------


def _along(ndim, axis, part):
    """The index taking ``part`` (a slice) along ``axis`` and everything elsewhere."""
    key = [slice(None)] * ndim
    key[axis] = part
    return tuple(key)


def _operand_array(x):
    """A traced block as it is, a constant as a float array, anything else
    (a traced scalar, an object array) None."""
    if isinstance(x, TracedBlock):
        return x
    if isinstance(x, array_tracer.Tracer):
        return None
    try:
        c = np.asarray(x)
    except (TypeError, ValueError):
        return None
    return c.astype(np.float64) if c.dtype.kind in "biuf" else None


def diff(a, n=1, axis=-1, prepend=_NOVALUE, append=_NOVALUE):
    """``np.diff``: ``n`` differences of two shifted slices, one ``sub`` row
    each (``prepend``/``append`` are concatenated first, as NumPy does)."""
    if not isinstance(a, TracedBlock) or not isinstance(n, numbers.Integral):
        return NotImplemented
    if n < 0:
        raise ValueError(f"order must be non-negative but got {n!r}")
    if a.ndim == 0:
        raise ValueError("diff requires input that is at least one dimensional")
    axis = normalize_axes(axis, a.ndim, "diff")[0]
    if n == 0:
        return a
    parts = []
    for extra in (prepend, a, append):
        if extra is _NOVALUE:
            continue
        if extra is not a:
            got = _operand_array(extra)
            if got is None:
                return NotImplemented
            if got.ndim == 0:
                shape = list(a.shape)
                shape[axis] = 1
                got = np.broadcast_to(got, tuple(shape))
            extra = got
        parts.append(extra)
    if len(parts) > 1:
        a = np.concatenate(parts, axis=axis)
    hi, lo = _along(a.ndim, axis, slice(1, None)), _along(a.ndim, axis, slice(None, -1))
    for _ in range(n):
        a = a[hi] - a[lo]
    return a


def norm(x, ord=None, axis=None, keepdims=False):
    """``np.linalg.norm``: vector norms (``ord`` None, 2, 1, inf, -inf or any
    p >= 1) over one axis, the Frobenius norm over two (or all, for
    ``ord=None``), in a few reduction rows. Matrix norms that need an SVD or
    a maximum of column sums fall back to the scalar form. At zero the
    2-norm's derivative is 0 (a subgradient)."""
    if not isinstance(x, TracedBlock):
        return NotImplemented
    if ord == "f":
        ord = "fro"
    if axis is None and (ord is None or (ord == "fro" and x.ndim == 2)):
        axes = tuple(range(x.ndim))
        ord = 2
    else:
        if axis is None:
            if x.ndim != 1:
                return NotImplemented
            axis = 0
        axes = normalize_axes(axis, x.ndim, "norm")
        if len(axes) == 2 and ord in (None, "fro"):
            ord = 2
        elif len(axes) != 1 or isinstance(ord, str):
            return NotImplemented
    if ord is None or ord == 2:
        r = np.sqrt(np.sum(np.square(x), axis=axes, keepdims=keepdims))
    elif ord == 1:
        r = np.sum(np.abs(x), axis=axes, keepdims=keepdims)
    elif ord == np.inf:
        r = amax(np.abs(x), axes, keepdims=keepdims)
    elif ord == -np.inf:
        r = amin(np.abs(x), axes, keepdims=keepdims)
    elif _is_number(ord) and ord >= 1:
        p = float(ord)
        r = np.power(np.sum(np.power(np.abs(x), p), axis=axes, keepdims=keepdims), 1.0 / p)
    else:
        return NotImplemented
    return r


def average(a, axis=None, weights=None, returned=False, *, keepdims=False):
    """``np.average``: ``sum(a * w) / sum(w)`` over ``axis`` (NumPy's rules for
    1-D weights along one axis); without weights, :func:`np.mean`."""
    A, W = _operand_array(a), (None if weights is None else _operand_array(weights))
    if A is None or (weights is not None and W is None):
        return NotImplemented
    if keepdims is _NOVALUE:
        keepdims = False
    if W is None:
        avg = np.mean(A, axis=axis, keepdims=keepdims)
        if not returned:
            return avg
        scl = A.size / max(np.size(avg), 1)
        return avg, np.full(np.shape(avg), scl)
    if W.shape != A.shape:
        if axis is None:
            raise TypeError("Axis must be specified when shapes of a and weights differ.")
        if W.ndim != 1:
            raise TypeError("1D weights expected when shapes of a and weights differ.")
        ax = normalize_axes(axis, A.ndim, "average")
        if len(ax) != 1 or W.shape[0] != A.shape[ax[0]]:
            raise ValueError("Shape of weights must be consistent with shape of a along specified "
                             "axis.")
        shape = [1] * A.ndim
        shape[ax[0]] = W.shape[0]
        W = W.reshape(tuple(shape))
    scl = np.sum(np.broadcast_to(W, A.shape), axis=axis, keepdims=keepdims)
    if not isinstance(W, TracedBlock) and np.any(scl == 0.0):
        raise ZeroDivisionError("Weights sum to zero, can't be normalized")
    avg = np.sum(A * W, axis=axis, keepdims=keepdims) / scl
    return (avg, scl) if returned else avg


def triu(m, k=0):
    """``np.triu``: the kept elements' slots and one zero's; no instruction."""
    if not isinstance(m, TracedBlock) or m.ndim < 2 or not isinstance(k, numbers.Integral):
        return NotImplemented
    return np.where(np.tri(*m.shape[-2:], k=int(k) - 1, dtype=bool), 0.0, m)


def tril(m, k=0):
    """``np.tril``: the kept elements' slots and one zero's; no instruction."""
    if not isinstance(m, TracedBlock) or m.ndim < 2 or not isinstance(k, numbers.Integral):
        return NotImplemented
    return np.where(np.tri(*m.shape[-2:], k=int(k), dtype=bool), m, 0.0)


def cross(a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    """``np.cross`` of 3-vectors (broadcast over the other axes): six
    products and three differences, then a stack."""
    A, B = _operand_array(a), _operand_array(b)
    if A is None or B is None or A.ndim == 0 or B.ndim == 0:
        return NotImplemented
    if axis is not None:
        axisa = axisb = axisc = axis
    A, B = np.moveaxis(A, axisa, -1), np.moveaxis(B, axisb, -1)
    if A.shape[-1] != 3 or B.shape[-1] != 3:
        return NotImplemented  # 2-vectors: NumPy's deprecated z-component
    # components as (..., 1) blocks: 3-vectors' stay blocks, not traced scalars
    a0, a1, a2 = (A[..., j:j + 1] for j in range(3))
    b0, b1, b2 = (B[..., j:j + 1] for j in range(3))
    c = np.concatenate(np.broadcast_arrays(a1 * b2 - a2 * b1, a2 * b0 - a0 * b2,
                                           a0 * b1 - a1 * b0), axis=-1)
    return np.moveaxis(c, -1, axisc) if c.ndim > 1 else c


def kron(a, b):
    """``np.kron`` of two vectors or two matrices: one broadcasting product,
    then a reshape."""
    A, B = _operand_array(a), _operand_array(b)
    if A is None or B is None or A.ndim != B.ndim or A.ndim not in (1, 2):
        return NotImplemented
    if A.ndim == 1:
        return (A[:, None] * B[None, :]).reshape(-1)
    (p, q), (r, s) = A.shape, B.shape
    return (A[:, None, :, None] * B[None, :, None, :]).reshape(p * r, q * s)


def trapezoid(y, x=None, dx=1.0, axis=-1):
    """``np.trapezoid`` (``np.trapz``): the trapezoid rule along ``axis``, a
    few rows whatever the length."""
    Y = _operand_array(y)
    if Y is None or Y.ndim == 0:
        return NotImplemented
    ax = normalize_axes(axis, Y.ndim, "trapezoid")[0]
    if x is None:
        d = dx
    else:
        X = _operand_array(x)
        if X is None:
            return NotImplemented
        if X.ndim == 1:
            shape = [1] * Y.ndim
            shape[ax] = X.shape[0] - 1
            d = diff(X) if isinstance(X, TracedBlock) else np.diff(X)
            d = d.reshape(tuple(shape))
        else:
            d = diff(X, axis=ax) if isinstance(X, TracedBlock) else np.diff(X, axis=ax)
    hi, lo = _along(Y.ndim, ax, slice(1, None)), _along(Y.ndim, ax, slice(None, -1))
    return np.sum(d * (Y[hi] + Y[lo]) / 2.0, axis=ax)


def polyval(p, x):
    """``np.polyval``: Horner's rule, two rows per coefficient."""
    if isinstance(p, np.poly1d):
        return NotImplemented
    P, X = _operand_array(p), _operand_array(x)
    if P is None or P.ndim != 1 or P.shape[0] < 2 or (
            X is None and not isinstance(x, array_tracer.Tracer)):
        return NotImplemented
    y = P[0]
    for c in P[1:]:
        y = y * x + c
    return y


array_tracer.BATCHED_MATMUL = batched_matmul
array_tracer.UFUNC_METHODS = ufunc_method
FUNCTIONS.update({
    np.prod: prod, np.max: amax, np.amax: amax, np.min: amin, np.amin: amin,
    np.nanmax: nanmax, np.nanmin: nanmin, np.ptp: ptp, np.var: var, np.std: std,
    np.cumsum: cumsum,
    np.cumprod: cumprod, np.einsum: einsum, np.tensordot: tensordot, np.inner: inner,
    np.outer: outer, np.vdot: vdot, np.trace: trace, np.dot: dot, np.diag: diag,
    np.diagflat: diagflat, np.diff: diff, np.linalg.norm: norm, np.average: average,
    np.triu: triu, np.tril: tril, np.cross: cross, np.kron: kron, np.polyval: polyval,
})
FUNCTIONS.update({f: trapezoid for f in (getattr(np, "trapezoid", None), getattr(np, "trapz", None))
                  if f is not None})
