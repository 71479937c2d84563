"""Turn a results dict into text: one table per workload (rows: quantities,
columns: tools), adjit's derived figures (ns per op, gradient/forward ratio,
recording speed) and each peer's time as a multiple of adjit's."""
from __future__ import annotations

import math

LABELS = {  # quantity -> row label, in display order
    "record": "record (trace)",
    "first": "first call (grad)",
    "forward": "forward",
    "gradient": "gradient",
    "transform": "adjit.grad(f)(x)",
    "jvp": "jvp (J·v)",
    "jacobian_forward": "jacobian fwd",
    "jacobian_reverse": "jacobian rev",
    "jacobian_auto": "jacobian auto",
    "sparse_jacobian": "sparse jacobian",
    "hvp": "hvp (H·v)",
    "hessian": "hessian",
    "sparse_hessian": "sparse hessian",
    "batch_gradient": "batch grad /pt",
    "batch_forward": "batch fwd /pt",
    "batch_jacobian": "batch jacobian /pt",
    "batch_jacobian_loop": "jacobian loop /pt",
    "batch_hvp": "batch hvp /pt",
    "batch_hvp_loop": "hvp loop /pt",
    "record_unoptimized": "record, no optimize",
    "gradient_unoptimized": "grad, no optimize",
    "forward_unoptimized": "fwd, no optimize",
}
STATUS_SHORT = {"wrong result": "WRONG", "out of memory": "out of mem", "timeout": "timeout",
                "error": "error", "skipped": "skipped"}
COL = 13


def fmt_time(s) -> str:
    if s is None or not isinstance(s, (int, float)) or math.isnan(s):
        return "n/a"
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6), ("ns", 1e-9)):
        if s >= scale or unit == "ns":
            v = s / scale
            return f"{v:.3g} {unit}" if v < 100 else f"{v:.0f} {unit}"
    return "n/a"


def fmt_bytes(b) -> str:
    if not b:
        return "n/a"
    for unit in ("B", "KB", "MB", "GB"):
        if b < 1024 or unit == "GB":
            return f"{b:.0f} {unit}" if unit == "B" else f"{b:.3g} {unit}"
        b /= 1024


def first_call(tool: dict) -> float | None:
    """Time of the first gradient call (forward for vector workloads): compile
    plus run for JIT peers, cache load plus run for adjit and Numba."""
    qs = tool.get("quantities", {})
    for q in ("gradient", "forward"):
        if qs.get(q, {}).get("status") == "ok":
            return qs[q].get("first")
    return None


def cell(tool: dict, quantity: str) -> str:
    """A table cell: the median time, a failure word, or blank for not measured.
    A tool that died (timeout, out of memory) says so once, in the first-call row."""
    if quantity == "first":
        if first_call(tool) is not None:
            return fmt_time(first_call(tool))
        st = tool.get("status", "ok")
        if st in ("ok", "missing"):
            return ""
        return STATUS_SHORT.get(st, "crashed" if st.startswith("crashed") else "error")
    rec = tool.get("quantities", {}).get(quantity)
    if rec is None:
        return ""
    if rec.get("status") != "ok":
        return STATUS_SHORT.get(rec.get("status"), rec.get("status", "?"))
    return fmt_time(rec.get("median"))


def ok(tool: dict | None, quantity: str):
    """The median of a quantity when it was measured and checked, else None."""
    rec = (tool or {}).get("quantities", {}).get(quantity, {})
    return rec.get("median") if rec.get("status") == "ok" else None


def workload_table(key: str, entry: dict) -> list[str]:
    tools = {k: v for k, v in entry["tools"].items() if v.get("status") != "missing"}
    n_ops = entry.get("n_ops")
    head = (f"== {key}: n={entry['n_inputs']:,}, m={entry['n_outputs']:,}"
            + (f", {n_ops:,} ops" if n_ops else ""))
    lines = [head, f"{'':<18}" + "".join(f"{t:>{COL}}" for t in tools)]
    for q, label in LABELS.items():
        cells = [cell(t, q) for t in tools.values()]
        if any(cells):
            lines.append(f"{label:<18}" + "".join(f"{c:>{COL}}" for c in cells))
    rss = [fmt_bytes(t["info"]["peak_rss"]) if t.get("quantities") and
           t.get("info", {}).get("peak_rss") else "" for t in tools.values()]
    if any(rss):
        lines.append(f"{'peak RSS':<18}" + "".join(f"{c:>{COL}}" for c in rss))
    lines += derived_lines(entry)
    missing = [f"{k} ({v.get('note', 'missing')})" for k, v in entry["tools"].items()
               if v.get("status") == "missing"]
    notes = [f"{k}: {v['status']}" + (f" — {v['note']}" if v.get("note") else "")
             for k, v in tools.items() if v.get("status") not in ("ok",)]
    notes += [f"{k}: {q} {r.get('status')}: {r.get('note', '')}"
              for k, v in tools.items() for q, r in v.get("quantities", {}).items()
              if r.get("status") not in ("ok", None)]
    if missing:
        lines.append("  not run: " + ", ".join(missing))
    lines += ["  note: " + n for n in notes]
    return lines


def derived_lines(entry: dict) -> list[str]:
    adj = entry["tools"].get("adjit", {})
    info = adj.get("info", {})
    n_ops = info.get("n_ops")
    out = []
    parts = []
    rec = adj.get("quantities", {}).get("record", {})
    if rec.get("ops_per_s"):
        parts.append(f"record {rec['ops_per_s'] / 1e6:.2f} M recorded ops/s")
    fwd, grad = ok(adj, "forward"), ok(adj, "gradient")
    if n_ops:
        if fwd:
            parts.append(f"forward {fwd / n_ops * 1e9:.2f} ns/op")
        if grad:
            parts.append(f"gradient {grad / n_ops * 1e9:.2f} ns/op")
        if fwd and grad:
            parts.append(f"gradient/forward {grad / fwd:.2f}")
        bg = ok(adj, "batch_gradient")
        if bg:
            parts.append(f"batch gradient {bg / n_ops * 1e9:.2f} ns/op/pt")
    for q in ("batch_jacobian", "batch_hvp"):
        one, loop = ok(adj, q), ok(adj, q + "_loop")
        if one and loop:
            parts.append(f"{q.replace('_', ' ')}: loop ÷ batched {loop / one:.3g}×")
    if info.get("peak_rss"):
        parts.append(f"peak RSS {fmt_bytes(info['peak_rss'])}")
    if parts:
        out.append("  adjit: " + " · ".join(parts))
    for name, tool in entry["tools"].items():
        if name == "adjit" or tool.get("status") == "missing":
            continue
        rel = []
        for q in ("gradient", "forward", "hessian", "batch_gradient", "jacobian_auto",
                  "sparse_jacobian"):
            a, p = ok(adj, q), ok(tool, q)
            if a and p:
                rel.append(f"{q} {p / a:.3g}×")
        if rel:
            out.append(f"  {name} time ÷ adjit time: " + ", ".join(rel))
    return out


def coldstart_lines(cold: dict) -> list[str]:
    if not cold:
        return []
    lines = ["== first call in a fresh process (import adjit + record + first call)"]
    for key, runs in cold.items():
        for name, r in runs.items():
            if r.get("status") != "ok" or "total" not in r:
                lines.append(f"  {key:<18} {name:<6} cache: {r.get('status')}")
                continue
            lines.append(f"  {key:<18} {name:<6} cache: {r['total']:.2f} s in the process "
                         f"(import {r['import']:.2f} s, record {r['record']:.2f} s, first "
                         f"{r.get('call', 'call')} {r['first_call']:.2f} s); "
                         f"full speed at {r.get('full_speed', float('nan')):.2f} s; "
                         f"wall {r['wall']:.2f} s")
    return lines


def text(results: dict) -> str:
    meta = results.get("meta", {})
    lines = [f"adjit perf — {meta.get('mode', '?')} run, {meta.get('cpu', '?')}, "
             f"{meta.get('cores', '?')} cores, started {meta.get('started', '?')}, "
             f"load {meta.get('load_before')} → {meta.get('load_after')}",
             "times: median per call (batched: per point); ns/op from adjit's op count", ""]
    for key, entry in results.get("workloads", {}).items():
        lines += workload_table(key, entry) + [""]
    lines += coldstart_lines(results.get("coldstart", {}))
    return "\n".join(lines)


SUMMARY = [  # (workload, quantity) rows of the Markdown summary
    ("textbook2-2", "gradient"), ("rosenbrock-1000", "gradient"),
    ("rosenbrock-10000", "forward"), ("rosenbrock-10000", "gradient"),
    ("rosenbrock-10000", "batch_gradient"), ("rosenbrock-100000", "gradient"),
    ("lj-64", "forward"), ("lj-64", "gradient"), ("lj-64", "batch_gradient"),
    ("lj-64", "hessian"), ("lj-512", "gradient"), ("bratu-32", "forward"),
    ("bratu-32", "jacobian_auto"), ("bratu-32", "jacobian_forward"),
    ("bratu-32", "sparse_jacobian"), ("bratu-300", "forward"), ("bratu-300", "sparse_jacobian"),
    ("kinetics-40", "forward"), ("kinetics-40", "jacobian_auto"),
    ("kinetics-40", "jacobian_forward"), ("random-100000", "gradient"),
    ("random-1000000", "gradient"),
    ("rosenvec-1000", "gradient"), ("rosenvec-10000", "gradient"),
    ("rosenvec-10000", "batch_gradient"), ("rosenvec-1000000", "record"),
    ("logistic-200", "gradient"), ("logistic-200", "hvp"), ("logistic-200", "hessian"),
    ("bratuslice-300", "record"), ("bratuslice-300", "sparse_jacobian"),
    ("gp-100", "record"), ("gp-100", "gradient"), ("gp-100", "hessian"),
    ("gp-100", "batch_gradient"), ("ljvec-64", "gradient"), ("ljvec-512", "gradient"),
]


def markdown(results: dict) -> str:
    """A Markdown summary: each tool's time and its ratio to adjit's (×), then
    adjit's own figures per workload and the fresh-process times."""
    meta = results.get("meta", {})
    wl = results.get("workloads", {})
    tools = []
    for e in wl.values():
        for t, v in e["tools"].items():
            if t not in tools and v.get("status") != "missing":
                tools.append(t)
    out = [f"Machine: {meta.get('cpu', '?')}, {meta.get('cores', '?')} cores; "
           f"{meta.get('mode', '?')} run started {meta.get('started', '?')}, load average "
           f"{meta.get('load_before')} → {meta.get('load_after')}; numpy {meta.get('numpy')}, "
           f"numba {meta.get('numba')}, adjit commit {meta.get('commit', '?')}.",
           "",
           "Median per call (batched: per point). In brackets: the tool's time ÷ adjit's "
           "(> 1 means adjit is faster).", "",
           "| workload | quantity | " + " | ".join(tools) + " |",
           "|---|---|" + "---|" * len(tools)]
    for key, q in SUMMARY:
        e = wl.get(key)
        if not e:
            continue
        a = ok(e["tools"].get("adjit"), q)
        cells = []
        for t in tools:
            tool = e["tools"].get(t, {})
            v = ok(tool, q)
            if v is not None:
                cells.append(fmt_time(v) + (f" ({v / a:.3g}×)" if a and t != "adjit" else ""))
            elif tool.get("status") in ("timeout", "out of memory") and q in (
                    "gradient", "forward"):
                cells.append(tool["status"])
            elif tool.get("status") == "skipped" and q in ("gradient", "forward"):
                cells.append("skipped")
            else:
                rec = tool.get("quantities", {}).get(q, {})
                cells.append(STATUS_SHORT.get(rec.get("status"), "—") if rec else "—")
        if any(c != "—" for c in cells):
            out.append(f"| {key} | {LABELS.get(q, q)} | " + " | ".join(cells) + " |")
    out += ["", "adjit's own figures:", "",
            "| workload | ops | record | first call (in worker) | forward | gradient | "
            "ns/op fwd | ns/op grad | grad/fwd | batch grad ns/op/pt | peak RSS |",
            "|---|---|---|---|---|---|---|---|---|---|---|"]
    for key, e in wl.items():
        adj = e["tools"].get("adjit", {})
        n = adj.get("info", {}).get("n_ops")
        if not n:
            continue
        rec = adj.get("quantities", {}).get("record", {})
        f, g, b = ok(adj, "forward"), ok(adj, "gradient"), ok(adj, "batch_gradient")
        ns = lambda t: f"{t / n * 1e9:.2f}" if t else "—"  # noqa: E731
        ratio = f"{g / f:.2f}" if f and g else "—"
        out.append(f"| {key} | {n:,} | {rec.get('ops_per_s', 0) / 1e6:.2f} Mop/s | "
                   f"{fmt_time(first_call(adj))} | {fmt_time(f)} | "
                   f"{fmt_time(g) if g else '—'} | {ns(f)} | {ns(g)} | {ratio} | {ns(b)} | "
                   f"{fmt_bytes(adj.get('info', {}).get('peak_rss'))} |")
    cold = results.get("coldstart", {})
    if cold:
        out += ["", "Fresh process: `import adjit` + record + first gradient, timed inside "
                "the process (wall time including interpreter start in brackets); full "
                "speed: seconds from the start until the compiled kernels served a call:", "",
                "| workload | first result, empty Numba cache | full speed, empty cache "
                "| warm start |", "|---|---|---|---|"]
        for key, runs in cold.items():
            cells = []
            for name in ("empty", "full", "warm"):
                r = runs.get("empty" if name == "full" else name, {})
                if name == "full":
                    cells.append(f"{r['full_speed']:.1f} s" if "full_speed" in r else "—")
                    continue
                cells.append(f"{r['total']:.2f} s ({r['wall']:.2f} s)" if "total" in r
                             else r.get("status", "—"))
            out.append(f"| {key} | " + " | ".join(cells) + " |")
    return "\n".join(out) + "\n"
