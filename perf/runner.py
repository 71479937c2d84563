"""Carry out a :class:`perf.plan.Plan`: every tool on every workload, each in
its own limited process, adjit first so its results become the reference the
peers are checked against; then the fresh-process (cold start) measurements.
The result is one plain dict (JSON-ready) holding everything side by side."""
from __future__ import annotations

import json
import os
import platform
import subprocess
import tempfile
import time
from pathlib import Path

from . import isolate, timing
from .plan import Plan, quantities, workload_dims
from .progress import Progress
from .tools import TOOLS

FATAL = ("timeout", "out of memory")  # a tool that hit these is not tried on larger sizes


def run_plan(plan: Plan, progress: Progress | None = None) -> dict:
    steps = len(plan.workloads) * len(plan.tools) + len(plan.cold) * (2 if plan.cold_empty
                                                                      else 1)
    progress = progress or Progress(steps)
    progress.total = steps
    results = {"meta": machine(plan), "workloads": {}, "coldstart": {}}
    failed: dict[str, dict[str, str]] = {}
    with tempfile.TemporaryDirectory(prefix="perf-ref-") as refs:
        for family, size in plan.workloads:
            n, m = workload_dims(family, size)
            key = f"{family}-{size}"
            entry = {"family": family, "size": size, "n_inputs": n, "n_outputs": m,
                     "tools": {}}
            results["workloads"][key] = entry
            ref = str(Path(refs, key + ".npz"))
            for tool in plan.tools:
                progress.step(f"{key} {tool}")
                entry["tools"][tool] = _run_tool(plan, tool, family, size, n, m, ref, failed)
            adj = entry["tools"].get("adjit", {}).get("info", {})
            if "n_ops" in adj:
                entry["n_ops"] = adj["n_ops"]
    for family, size in plan.cold:
        results["coldstart"][f"{family}-{size}"] = coldstart(plan, family, size, progress)
    progress.close()
    results["meta"]["load_after"] = timing.load()
    results["meta"]["finished"] = time.strftime("%Y-%m-%d %H:%M:%S")
    return results


def _run_tool(plan, tool, family, size, n, m, ref, failed) -> dict:
    spec = TOOLS[tool]
    note = spec.missing()
    if note:
        return {"status": "missing", "note": note}
    if family in failed.get(tool, {}):
        return {"status": "skipped", "note": f"{failed[tool][family]} at a smaller size"}
    job = {"tool": tool, "family": family, "size": size,
           "quantities": quantities(family, size, n, m),
           "settings": vars(plan.settings), "batch": plan.batch}
    job["reference_out" if tool == "adjit" else "reference_in"] = ref
    res = isolate.run_job(job, plan.timeout, plan.memory)
    out = summarize(res)
    if out["status"] in FATAL or any(q.get("status") in FATAL
                                     for q in out["quantities"].values()):
        failed.setdefault(tool, {})[family] = out["status"] if out["status"] in FATAL \
            else "out of memory"
    return out


def summarize(res: dict) -> dict:
    """Fold a job's records into ``{status, wall, info, quantities}``."""
    info, qs = {}, {}
    status = res["status"]
    for rec in res["records"]:
        rec = dict(rec)
        q = rec.pop("quantity", None)
        if q == "info":
            if rec.get("status") == "missing":
                status = "missing"
            info.update(rec)
        elif q:
            qs[q] = rec
    out = {"status": status, "wall": round(res["wall"], 2), "info": info, "quantities": qs}
    if status not in ("ok", "missing"):
        out["log"] = res.get("log", "")[-1500:]
    if "note" in info:
        out["note"] = info["note"]
    return out


def coldstart(plan: Plan, family: str, size: int, progress: Progress) -> dict:
    """First call in a fresh process with empty caches, then warm ones.

    Caches are Numba's and Python's bytecode (both in a new directory for the
    empty run): a user's second process has both, even where the environment
    sets PYTHONDONTWRITEBYTECODE, which would otherwise charge the warm run
    with recompiling every module's source."""
    out = {}
    with tempfile.TemporaryDirectory(prefix="perf-numba-cache-") as cache:
        fresh = {"NUMBA_CACHE_DIR": cache, "ADJIT_COLD_TIER": "1",
                 "PYTHONPYCACHEPREFIX": os.path.join(cache, "pycache")}
        runs = [("empty", fresh), ("warm", fresh)]
        if not plan.cold_empty:  # warm only: the project's own, already filled cache
            runs = [("warm", {"ADJIT_COLD_TIER": "1"})]
        for name, extra in runs:
            progress.step(f"{family}-{size} first call, {name} cache")
            env = isolate.child_env(extra)
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            res = isolate.run(["perf.coldstart", family, str(size)], timeout=600, env=env)
            rec = {"status": res["status"], "wall": round(res["wall"], 3)}
            for line in reversed(res["log"].strip().splitlines()):
                if line.startswith("{"):
                    try:
                        rec.update(json.loads(line))
                        break
                    except json.JSONDecodeError:
                        pass
            out[name] = rec
    return out


def machine(plan: Plan) -> dict:
    """Where and when: CPU, versions, load, settings."""
    import numba
    import numpy
    meta = {"cpu": cpu_model(), "cores": os.cpu_count(), "python": platform.python_version(),
            "numpy": numpy.__version__, "numba": numba.__version__,
            "started": time.strftime("%Y-%m-%d %H:%M:%S"), "load_before": timing.load(),
            "mode": plan.mode, "settings": vars(plan.settings), "timeout": plan.timeout,
            "memory_limit": plan.memory, "tools": plan.tools}
    try:
        meta["commit"] = subprocess.run(["git", "rev-parse", "--short", "HEAD"],
                                        cwd=isolate.ROOT, capture_output=True, text=True,
                                        timeout=5).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        pass
    return meta


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()
