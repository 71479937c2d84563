"""Run a job in its own process with a time limit and an address-space limit,
so a tool that hangs compiling or eats all memory is recorded as such
("timeout", "out of memory") and the suite goes on."""
from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent  # makes `perf` (and a local `adjit`) importable

_OOM_SIGNS = ("MemoryError", "bad_alloc", "out of memory", "Out of memory",
              "Cannot allocate memory", "RESOURCE_EXHAUSTED", "failed to allocate",
              "std::length_error", "mmap failed")


def child_env(extra: dict | None = None) -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    env.setdefault("JAX_PLATFORMS", "cpu")        # no accelerator probing
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")   # keep XLA's chatter out of the log
    env["ADJIT_COLD_TIER"] = "0"  # timings are of the compiled kernels (coldstart: its own)
    env.update(extra or {})
    return env


def run(args: list[str], timeout: float, memory: int | None = None,
        env: dict | None = None) -> dict:
    """Run ``python -m <args>``; return ``status``, ``returncode``, ``wall``, ``log``."""
    def limit():
        if memory:
            resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    with tempfile.TemporaryFile("w+") as log:
        t0 = time.perf_counter()
        p = subprocess.Popen([sys.executable, "-m", *args], stdout=log, stderr=log,
                             stdin=subprocess.DEVNULL, env=env or child_env(),
                             preexec_fn=limit, start_new_session=True)
        status = "ok"
        try:
            p.wait(timeout)
        except subprocess.TimeoutExpired:
            status = "timeout"
            try:
                os.killpg(p.pid, signal.SIGKILL)  # the child's own group, started above
            except ProcessLookupError:
                pass
            p.wait()
        wall = time.perf_counter() - t0
        log.seek(0)
        text = log.read()
    if status == "ok" and p.returncode != 0:
        status = classify(p.returncode, text)
    return {"status": status, "returncode": p.returncode, "wall": wall, "log": text[-3000:]}


def classify(returncode: int, log: str) -> str:
    """Name a failed child's end: out of memory when the log or signal says so."""
    if any(s in log for s in _OOM_SIGNS):
        return "out of memory"
    if returncode < 0:
        name = signal.Signals(-returncode).name if -returncode in signal.Signals._value2member_map_ else str(-returncode)
        return f"crashed ({name})"
    lines = [ln for ln in log.strip().splitlines() if ln.strip()]
    return "error: " + (lines[-1][:160] if lines else f"exit code {returncode}")


def run_job(job: dict, timeout: float, memory: int | None = None) -> dict:
    """Run :mod:`perf.worker` on ``job``; the records it emitted plus the status."""
    with tempfile.TemporaryDirectory(prefix="perf-job-") as d:
        job_path, out_path = Path(d, "job.json"), Path(d, "out.jsonl")
        job_path.write_text(json.dumps(job))
        out_path.touch()
        res = run(["perf.worker", str(job_path), str(out_path)], timeout, memory)
        records = []
        for line in out_path.read_text().splitlines():
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError:  # a line cut by a kill
                pass
    res["records"] = records
    return res
