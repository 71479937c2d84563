"""What a tool sees while it runs in its worker process: the workload, the
quantities wanted, reference results to check against, and ``emit`` to record
each measurement as soon as it is made (so a later blow-up loses nothing).

A result counts only after it matched the reference: a fast wrong answer is
recorded as ``wrong result`` with its error, and its time is dropped.
"""
from __future__ import annotations

import traceback

import numpy as np

from .. import timing

# Relative tolerance per reference key; Hessian-vector references come from
# central differences of an analytic gradient, so they are looser; so are the
# batched Jacobians', from central differences of the function.
TOLERANCE = {"hv": 1e-5, "batch_jacobian": 1e-6}
DEFAULT_TOLERANCE = 1e-7


def relative_error(got, ref) -> float:
    """max |got − ref| / max(1, max |ref|), for dense or scipy-sparse ``got``."""
    if hasattr(got, "toarray"):
        got = got.toarray()
    got = np.asarray(got, dtype=float)
    ref = np.asarray(ref, dtype=float)
    if got.size != ref.size:
        return float("inf")
    got = got.reshape(ref.shape)
    scale = max(1.0, float(np.max(np.abs(ref)))) if ref.size else 1.0
    with np.errstate(invalid="ignore"):
        err = float(np.max(np.abs(got - ref))) if ref.size else 0.0
    return err / scale if np.isfinite(err) else float("inf")


class Context:
    def __init__(self, workload, quantities, reference, settings, emit, options=None,
                 batch=64):
        self.w = workload
        self.quantities = list(quantities)
        self.reference = dict(reference)
        self.settings = settings
        self.emit = emit
        self.options = dict(options or {})
        self.batch = batch
        self.produced: dict[str, np.ndarray] = {}  # results others may check against
        self._v = None

    def want(self, quantity: str) -> bool:
        return quantity in self.quantities

    @property
    def direction(self) -> np.ndarray:
        """A fixed direction for J·v and H·v products and their checks."""
        if self._v is None:
            n = self.w.n_inputs
            self._v = np.cos(np.arange(n) * 0.7) / np.sqrt(n)
        return self._v

    def info(self, **fields):
        self.emit({"quantity": "info", **fields})

    def verify(self, quantity: str, key: str, value) -> bool:
        """Check ``value`` against the reference under ``key``; record a mismatch."""
        ref = self.reference.get(key)
        if ref is None:
            return True
        err = relative_error(value, ref)
        if err <= TOLERANCE.get(key, DEFAULT_TOLERANCE):
            return True
        self.emit({"quantity": quantity, "status": "wrong result",
                   "note": f"{key} differs from the reference by {err:.1e} (relative)"})
        return False

    def time(self, quantity: str, fn, key: str | None = None, per: int = 1,
             check=None, keep: bool = False, **extra):
        """Call ``fn`` once (timed: ``first``), verify, then time it; emit the record.

        ``check(result)`` maps the result to what is compared with
        ``reference[key]`` (default: the result itself). ``per`` divides times
        (batched calls report per point). ``keep`` stores the checked value
        under ``key`` for later tools. Returns the result, or None on failure.
        """
        try:
            value, first = timing.once(fn)
            shown = check(value) if check else value
            if key is not None:
                if not self.verify(quantity, key, shown):
                    return None
                if keep:
                    kept = np.asarray(shown, dtype=float)
                    self.produced[key] = kept
                    self.reference.setdefault(key, kept)
            r = timing.measure(fn, self.settings)
        except MemoryError:
            self.emit({"quantity": quantity, "status": "out of memory"})
            return None
        except Exception as e:  # a peer's failure is a result, not a crash
            self.emit({"quantity": quantity, "status": "error",
                       "note": f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}"[:200],
                       "trace": traceback.format_exc(limit=3)[-800:]})
            return None
        rec = {"quantity": quantity, "status": "ok", "median": r["median"] / per,
               "min": r["min"] / per, "samples": r["samples"], "repeats": r["repeats"],
               "first": first}
        if per != 1:
            rec["per"] = per
        rec.update(extra)
        self.emit(rec)
        return value
