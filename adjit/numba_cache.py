"""Where Numba caches adjit's compiled kernels; imported by ``adjit/__init__.py``
before any ``@njit(cache=True)`` function is defined.

Numba caches next to the sources (``adjit/__pycache__``) when that is
writable, else in a per-user directory under ``HOME``; when neither is
writable (a read-only install run by a user without a writable home), every
cached function fails at definition with "no locator available", and adjit
could not even be imported. So, unless ``NUMBA_CACHE_DIR`` is set (Numba then
uses it for everything):

* ``adjit/__pycache__`` writable: Numba's default, nothing changes;
* otherwise adjit's kernels cache in the first writable of: the per-user cache
  directory (``$XDG_CACHE_HOME`` or ``~/.cache``, as Numba's own), a directory
  of this user's under the temporary directory. Cache files already next to
  the sources (shipped with the install) are copied there first, so the
  kernels compiled at install time are reused (Numba checks each against its
  source's hash). Only adjit's source files are redirected; other packages'
  caching is untouched.

The choice is logged on the ``"adjit"`` logger (INFO when redirected).
"""
from __future__ import annotations

import glob
import logging
import os
import shutil
import stat
import tempfile

_log = logging.getLogger("adjit")
PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))

#: The directory adjit's kernels are cached under when it is not Numba's
#: default (None: Numba's default, or NUMBA_CACHE_DIR).
cache_dir = None


def _writable_dir(path: str) -> bool:
    """Whether ``path`` exists or can be made, and a file can be written in it
    (the test Numba makes)."""
    try:
        os.makedirs(path, exist_ok=True)
        tempfile.TemporaryFile(dir=path).close()
        return True
    except OSError:
        return False


def _private_dir(path: str) -> bool:
    """``path`` made (0700) or found as a directory of this user's, writable.
    A shared temporary directory could hold another user's directory or link
    of that name; cached machine code is not taken from it."""
    try:
        os.makedirs(path, mode=0o700, exist_ok=True)
        st = os.lstat(path)
        if not stat.S_ISDIR(st.st_mode) or (hasattr(os, "getuid") and st.st_uid != os.getuid()):
            return False
    except OSError:
        return False
    return _writable_dir(path)


def _candidates():
    try:
        from numba.misc.appdirs import AppDirs
        yield os.path.join(AppDirs(appname="numba", appauthor=False).user_cache_dir, "adjit")
    except Exception:  # pragma: no cover - numba without its appdirs copy
        yield os.path.join(os.path.expanduser("~"), ".cache", "adjit")
    uid = os.getuid() if hasattr(os, "getuid") else os.getlogin()
    yield os.path.join(tempfile.gettempdir(), f"adjit-numba-cache-{uid}")


def _seed(src: str, dest: str) -> int:
    """Copy cache files shipped next to the sources into ``dest`` (those not
    there yet); the number copied."""
    n = 0
    for path in glob.glob(os.path.join(src, "*.nb[ic]")):
        target = os.path.join(dest, os.path.basename(path))
        if not os.path.exists(target):
            try:
                shutil.copyfile(path, target)
                n += 1
            except OSError:
                break
    return n


def configure() -> None:
    """Choose where adjit's kernels are cached (see the module docstring)."""
    global cache_dir
    from numba.core import caching, config
    if config.CACHE_DIR:
        _log.debug("adjit: Numba caches in NUMBA_CACHE_DIR=%s", config.CACHE_DIR)
        return
    in_tree = os.path.join(PACKAGE_DIR, "__pycache__")
    if _writable_dir(in_tree):
        _log.debug("adjit: Numba caches next to the sources, in %s", in_tree)
        return
    for base in _candidates():
        if _private_dir(base):
            break
    else:
        _log.warning("adjit: no writable directory for Numba's cache (%s is read-only, and so "
                     "are the user cache and temporary directories); set NUMBA_CACHE_DIR",
                     in_tree)
        return
    locator = _locator(base, caching)
    sub = locator.get_suitable_cache_subpath(os.path.join(PACKAGE_DIR, "__init__.py"))
    dest = os.path.join(base, sub)
    if not _private_dir(dest):
        _log.warning("adjit: cannot use %s for Numba's cache; set NUMBA_CACHE_DIR", dest)
        return
    copied = _seed(in_tree, dest)
    impl = getattr(caching, "_CacheImpl", None) or getattr(caching, "CacheImpl", None)
    classes = getattr(impl, "_locator_classes", None)
    if isinstance(classes, list):
        classes.insert(0, locator)
    else:  # pragma: no cover - a Numba that keeps its locators elsewhere: redirect all
        config.CACHE_DIR = base
    cache_dir = dest
    _log.info("adjit: %s is not writable; Numba caches adjit's kernels in %s%s", in_tree, dest,
              f" (seeded with {copied} files shipped with the package)" if copied else "")


def _locator(base: str, caching):
    """A Numba cache locator for adjit's own source files, under ``base``."""

    class AdjitCacheLocator(caching.UserProvidedCacheLocator):
        def __init__(self, py_func, py_file):
            self._py_file = py_file
            self._lineno = py_func.__code__.co_firstlineno
            self._cache_path = os.path.join(base, self.get_suitable_cache_subpath(py_file))

        @classmethod
        def from_function(cls, py_func, py_file):
            if os.path.dirname(os.path.abspath(py_file)) != PACKAGE_DIR:
                return None  # not adjit's: Numba's own locators decide
            # the mixin's: the source exists, the directory is writable
            return super(caching.UserProvidedCacheLocator, cls).from_function(py_func, py_file)

    return AdjitCacheLocator
