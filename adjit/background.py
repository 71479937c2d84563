"""Compiling the kernels out of the way: a background process fills Numba's
cache while the user's process evaluates with NumPy (:mod:`adjit.levels`).

Numba compiles under a global lock and holds the GIL, so the compile runs in
another process (``python -m adjit.warmup --background``), at a slightly lower
priority, one job at a time (:data:`JOBS`, in the order a new user needs them). After
each job it writes a marker file naming the kernels now in the cache; the
user's process reads the markers (:func:`ready`) and calls those kernels
compiled from then on (Numba loads them from the cache).

Processes started together on an empty cache share one compile: it holds an
exclusive lock (``compile.lock`` next to the markers) and a process that finds
the lock taken does not start another. Numba writes each cache file whole
(to a temporary name, then renamed), so no process reads half an entry.

Markers live next to adjit's cache files, in a directory named by a
fingerprint of what makes a cache entry valid (Numba's and Python's versions,
the CPU, adjit's kernel sources): a new version, another machine or an edited
source starts afresh.
"""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time

from . import numba_cache

#: The warmup's jobs in the order they run; each compiles the kernels a group
#: of methods needs (:mod:`adjit.warmup`).
JOBS = ("gradient", "arrays", "gradient_rows", "forward", "trace", "derivatives", "batch",
        "second", "sparsity", "njit")
# For the tests: only these jobs (comma-separated; "probe" compiles one small kernel).
if os.environ.get("ADJIT_BACKGROUND_JOBS"):
    JOBS = tuple(os.environ["ADJIT_BACKGROUND_JOBS"].split(","))

#: adjit's source files that hold kernels: their stamps key the markers
_KERNEL_FILES = ("sweeps.py", "array_sweeps.py", "second.py", "sparsity.py", "optimize.py",
                 "compiled.py", "program.py", "tape.py")

_POLL = 0.05  # seconds between looks at the markers


class _State:
    directory: str | None = None
    ready_jobs: frozenset = frozenset()
    ready_kernels: frozenset = frozenset()
    last_poll = 0.0
    process: subprocess.Popen | None = None
    failed = False


_state = _State()


def fingerprint() -> str:
    """What a cache entry's validity depends on, hashed."""
    import numba
    parts = [numba.__version__, sys.version, sys.platform]
    try:
        from llvmlite import binding
        parts += [binding.get_host_cpu_name(), binding.get_host_cpu_features().flatten()]
    except Exception:  # pragma: no cover - an llvmlite without these
        pass
    for name in _KERNEL_FILES:
        try:
            st = os.stat(os.path.join(numba_cache.PACKAGE_DIR, name))
            parts.append(f"{name}:{st.st_size}:{st.st_mtime_ns}")
        except OSError:
            parts.append(name)
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def cache_root() -> str:
    """The directory Numba caches ``adjit/sweeps.py``'s kernels in."""
    from numba.core import caching
    path = os.path.join(numba_cache.PACKAGE_DIR, "sweeps.py")
    impl = getattr(caching, "_CacheImpl", None) or caching.CacheImpl
    for cls in impl._locator_classes:
        try:
            loc = cls.from_function(fingerprint, path)
        except Exception:  # pragma: no cover - a locator that wants more
            continue
        if loc is not None:
            return loc.get_cache_path()
    return numba_cache.cache_dir or os.path.join(numba_cache.PACKAGE_DIR, "__pycache__")


def directory() -> str:
    """The marker directory of this fingerprint (made on first use)."""
    if _state.directory is None:
        d = os.path.join(cache_root(), f"adjit-ready-{fingerprint()}")
        try:
            os.makedirs(d, exist_ok=True)
        except OSError:
            pass
        _state.directory = d
    return _state.directory


def mark(job: str, kernels) -> None:
    """Record that ``job``'s kernels are in the cache (written whole, then renamed)."""
    d = directory()
    tmp = os.path.join(d, f".{job}.{os.getpid()}")
    with open(tmp, "w") as f:
        f.write("\n".join(sorted(kernels)))
    os.replace(tmp, os.path.join(d, job))


def ready(force: bool = False) -> frozenset:
    """Names (``module.qualname``) of the kernels the markers say are cached;
    looks at the files at most every :data:`_POLL` seconds."""
    now = time.monotonic()
    if force or now - _state.last_poll >= _POLL:
        _state.last_poll = now
        d = directory()
        jobs, kernels = set(), set()
        for job in JOBS:
            try:
                with open(os.path.join(d, job)) as f:
                    kernels.update(f.read().split())
                jobs.add(job)
            except OSError:
                pass
        if len(jobs) != len(_state.ready_jobs):
            _state.ready_jobs, _state.ready_kernels = frozenset(jobs), frozenset(kernels)
        _check_process()
    return _state.ready_kernels


def all_ready() -> bool:
    """Whether every job's marker is present."""
    ready()
    return len(_state.ready_jobs) == len(JOBS)


def failed() -> bool:
    """Whether the compile stopped before every job was done (it crashed, or
    was killed): the caller then compiles what it needs itself."""
    return _state.failed


def _lock_free() -> bool:
    """Whether no process holds the compile lock (always True without fcntl)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: one compile per process
        return _state.process is None
    try:
        fd = os.open(os.path.join(directory(), "compile.lock"), os.O_RDWR | os.O_CREAT, 0o600)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    finally:
        os.close(fd)  # releases the lock if it was taken
    return True


def hold_lock():
    """Take the compile lock for this process's life (the background compile
    does); None if another process holds it."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover
        return True
    fd = os.open(os.path.join(directory(), "compile.lock"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    return fd


def start() -> None:
    """Start the background compile unless every job is done or one is running."""
    if _state.process is not None or all_ready() or not _lock_free():
        return
    env = dict(os.environ)
    # the child must find this adjit first, whatever its working directory
    root = os.path.dirname(numba_cache.PACKAGE_DIR)
    env["ADJIT_COLD_TIER"] = "0"
    env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    try:
        _state.process = subprocess.Popen(
            [sys.executable, "-m", "adjit.warmup", "--background"], env=env,
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True)
    except OSError:
        _state.failed = True


def _check_process() -> None:
    """Notice a compile that stopped early (ours, or anyone's: no lock held)."""
    if _state.failed or len(_state.ready_jobs) == len(JOBS):
        return
    p = _state.process
    if p is not None and p.poll() is not None:
        # ours ended: it finished (markers read next time), gave way to another
        # process's compile (lock held), or stopped early
        _state.process = None
        if _lock_free():
            _state.ready_jobs = frozenset()  # read the markers again
            again = [j for j in JOBS if not os.path.exists(os.path.join(directory(), j))]
            if again:
                _state.failed = True
