"""Regression check: ratios measured inside one run, compared with a baseline.

Absolute times on a shared machine drift by tens of percent between runs, so
the check never compares them. It compares ratios of two times taken in the
same run, side by side: adjit ÷ the hand-written Numba code (how far from the
practical limit) and adjit gradient ÷ adjit forward (the cheap-gradient
principle). Ratios use each quantity's minimum over samples: noise only ever
adds time, so the minimum is the steadier estimate of what the code costs.
"""
from __future__ import annotations

import json
from pathlib import Path

DEFAULT_TOLERANCE = 0.30
DEFAULT_BASELINE = Path(__file__).with_name("baseline.json")


def _best(tool: dict | None, quantity: str):
    rec = (tool or {}).get("quantities", {}).get(quantity, {})
    return rec.get("min") if rec.get("status") == "ok" and rec.get("min") else None


def ratios(results: dict) -> dict[str, dict[str, float]]:
    """``{workload: {ratio name: value}}`` for every ratio this run can form."""
    out = {}
    for key, entry in results.get("workloads", {}).items():
        adj, hand = entry["tools"].get("adjit"), entry["tools"].get("numba")
        r = {}
        g, f = _best(adj, "gradient"), _best(adj, "forward")
        if g and f:
            r["gradient/forward"] = g / f
        for q in ("forward", "gradient", "batch_gradient", "hessian"):
            a, h = _best(adj, q), _best(hand, q)
            if a and h:
                r[f"{q}/numba"] = a / h
        jac = _best(adj, "jacobian_auto") or _best(adj, "sparse_jacobian")
        if jac and f and entry.get("n_outputs", 1) > 1:
            r["jacobian/forward"] = jac / f
        if r:
            out[key] = {k: round(v, 4) for k, v in r.items()}
    return out


def compare(current: dict, baseline: dict, tolerance: float = DEFAULT_TOLERANCE):
    """``(failures, notes)``: ratios worse than the baseline by more than
    ``tolerance`` (relative), and what could not be compared."""
    failures, notes = [], []
    for key, base in baseline.items():
        now = current.get(key)
        if now is None:
            notes.append(f"{key}: not measured in this run")
            continue
        for name, b in base.items():
            c = now.get(name)
            if c is None:
                notes.append(f"{key}: {name} not measured in this run")
            elif b > 0 and c > b * (1.0 + tolerance):
                failures.append(f"{key}: {name} {b:.3g} → {c:.3g} "
                                f"(+{(c / b - 1) * 100:.0f}% > {tolerance * 100:.0f}%)")
    return failures, notes


def best_of(*runs: dict) -> dict:
    """Per workload and ratio, the lowest value over several runs' ratios: a
    slowdown is believed only when every attempt shows it (noise only adds time)."""
    out: dict[str, dict[str, float]] = {}
    for r in runs:
        for key, rs in r.items():
            for name, v in rs.items():
                cur = out.setdefault(key, {}).get(name)
                out[key][name] = v if cur is None else min(cur, v)
    return out


def worst_of(*runs: dict) -> dict:
    """Per workload and ratio, the highest value over several runs: a baseline made
    this way spans the machine's run-to-run spread, so only a slowdown beyond
    what noise has been seen to do fails the check."""
    out: dict[str, dict[str, float]] = {}
    for r in runs:
        for key, rs in r.items():
            mine = out.setdefault(key, {})
            for name, v in rs.items():
                mine[name] = max(v, mine.get(name, v))
    return out


def load_baseline(path) -> tuple[dict, float | None]:
    data = json.loads(Path(path).read_text())
    return data.get("ratios", {}), data.get("tolerance")


def write_baseline(path, results: dict, tolerance: float = DEFAULT_TOLERANCE,
                   others: tuple = ()) -> dict:
    """Write the ratios of ``results`` (the worst over it and ``others``, when given)."""
    meta = results.get("meta", {})
    data = {"about": "ratios measured side by side in one run of python -m perf; "
                     "python -m perf --check compares a new run's ratios with these",
            "tolerance": tolerance,
            "made": {k: meta.get(k) for k in ("cpu", "mode", "started", "commit",
                                              "load_before", "load_after")},
            "runs": 1 + len(others),
            "ratios": worst_of(ratios(results), *(ratios(o) for o in others))}
    Path(path).write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n")
    return data
