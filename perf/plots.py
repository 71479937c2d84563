"""PNG charts of a run (matplotlib is optional: without it, a note and no files).

``scaling.png``: gradient time per op and the process's peak memory for the
random expression graphs as they grow (memory per op is the slope), one line
per tool, with a cross and a label where a tool stopped (timeout, out of
memory). ``peers.png``: gradient time of each tool on the
Rosenbrock and Lennard-Jones workloads, as a multiple of adjit's.
"""
from __future__ import annotations

from pathlib import Path

from .report import ok

STYLE = {"adjit": ("C0", "o"), "numba": ("k", "s"), "jax-vec": ("C1", "^"),
         "jax-loop": ("C3", "v"), "casadi": ("C2", "D"), "autograd": ("C4", "P"),
         "torch": ("C5", "X")}


def plot_all(results: dict, out_dir) -> list[str]:
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return ["--plot: matplotlib is not installed; no charts written "
                "(pip install matplotlib)"]
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    lines = []
    for name, fn in (("scaling.png", _scaling), ("peers.png", _peers)):
        fig = fn(plt, results)
        if fig is None:
            lines.append(f"--plot: no data for {name}")
            continue
        fig.savefig(out / name, dpi=72)
        plt.close(fig)
        lines.append(f"chart written to {out / name}")
    return lines


def _scaling(plt, results):
    rows = [(e["size"], e) for k, e in results.get("workloads", {}).items()
            if e.get("family") == "random"]
    if not rows:
        return None
    rows.sort(key=lambda r: r[0])
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.8))
    tools = sorted({t for _, e in rows for t in e["tools"]}, key=list(STYLE).index)
    for tool in tools:
        color, marker = STYLE.get(tool, ("grey", "."))
        xs, ys, mem = [], [], []
        for size, e in rows:
            t = e["tools"].get(tool, {})
            ops = e.get("n_ops") or size
            g = ok(t, "gradient")
            if g:
                xs.append(ops)
                ys.append(g / ops * 1e9)
                rss = t.get("info", {}).get("peak_rss")
                mem.append(rss / 2**20 if rss else float("nan"))
            elif t.get("status") not in (None, "missing", "ok") or any(
                    r.get("status") not in ("ok", None) for r in t.get("quantities", {}).values()):
                label = t.get("status") if t.get("status") != "ok" else "failed"
                y = ys[-1] if ys else 1.0
                ax1.plot([ops], [y], marker="x", color=color, ms=9)
                ax1.annotate(f"{tool}: {label}", (ops, y), fontsize=7, color=color,
                             xytext=(3, 3), textcoords="offset points")
                break
        if xs:
            ax1.plot(xs, ys, marker=marker, color=color, label=tool)
            ax2.plot(xs, mem, marker=marker, color=color, label=tool)
    for ax, title in ((ax1, "gradient time per op (ns)"), (ax2, "peak RSS of the process (MB)")):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("ops in the random expression graph")
        ax.set_title(title, fontsize=10)
        ax.grid(True, which="major", alpha=0.3)
    ax1.legend(fontsize=7)
    fig.tight_layout()
    return fig


def _peers(plt, results):
    keys = [k for k, e in results.get("workloads", {}).items()
            if e.get("family") in ("rosenbrock", "lj", "textbook2")
            and ok(e["tools"].get("adjit"), "gradient")]
    if not keys:
        return None
    tools = [t for t in STYLE if any(ok(results["workloads"][k]["tools"].get(t), "gradient")
                                     for k in keys)]
    fig, ax = plt.subplots(figsize=(10, 3.8))
    width = 0.8 / max(len(tools), 1)
    for i, tool in enumerate(tools):
        vals = []
        for k in keys:
            e = results["workloads"][k]["tools"]
            a, p = ok(e.get("adjit"), "gradient"), ok(e.get(tool), "gradient")
            vals.append(p / a if a and p else float("nan"))
        ax.bar([j + i * width for j in range(len(keys))], vals, width,
               color=STYLE[tool][0], label=tool)
    ax.set_yscale("log")
    ax.axhline(1.0, color="k", lw=0.5)
    ax.set_xticks([j + 0.4 - width / 2 for j in range(len(keys))], keys, fontsize=8)
    ax.set_ylabel("gradient time ÷ adjit's")
    ax.legend(fontsize=7, ncol=len(tools))
    fig.tight_layout()
    return fig
