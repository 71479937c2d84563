"""adjit imports and runs from a read-only install whose user has no writable
home: its kernels are cached in a writable directory (seeded with the cache
files shipped beside the sources), and a log line says where."""
import os
import shutil
import stat
import subprocess
import sys
import tempfile

import numpy as np
import pytest

import adjit

PACKAGE = os.path.dirname(os.path.abspath(adjit.__file__))
# Root writes anywhere (CAP_DAC_OVERRIDE): as root, run the child without the
# capabilities that bypass file permissions (util-linux setpriv), so that the
# read-only modes below bind it as they bind any user.
_SETPRIV = shutil.which("setpriv")
_NO_OVERRIDE = [_SETPRIV, "--bounding-set=-dac_override,-dac_read_search,-fowner,-chown",
                "--"] if _SETPRIV else None

_CHILD = """
import logging, sys
logging.basicConfig(level=logging.INFO, stream=sys.stderr)
import numpy as np, adjit
t = adjit.trace(lambda x: x[0] * np.exp(x[1]) + np.sin(x[0] * x[1]), [0.5, -0.3])
print(repr(t.gradient([0.7, 0.2]).tolist()))
print(adjit.numba_cache.cache_dir)
"""


def _tree(root, mode_dir, mode_file):
    for d, dirs, files in os.walk(root):
        for f in files:
            os.chmod(os.path.join(d, f), mode_file)
        os.chmod(d, mode_dir)


@pytest.mark.skipif(not hasattr(os, "geteuid"), reason="POSIX permissions")
@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0 and _SETPRIV is None,
                    reason="running as root without setpriv to drop CAP_DAC_OVERRIDE")
def test_import_and_gradient_from_a_read_only_install_with_an_unwritable_home():
    prefix = _NO_OVERRIDE if os.geteuid() == 0 else []
    top = tempfile.mkdtemp(prefix="adjit-ro-")
    try:
        os.chmod(top, 0o755)
        site = os.path.join(top, "site")
        shutil.copytree(PACKAGE, os.path.join(site, "adjit"),
                        ignore=shutil.ignore_patterns("*.pyc"))
        before = sorted(os.listdir(os.path.join(site, "adjit", "__pycache__")))
        shipped = [f for f in before if f.endswith(".nbi")]
        home, tmp = os.path.join(top, "home"), os.path.join(top, "tmp")
        os.mkdir(home)
        os.mkdir(tmp)
        _tree(site, 0o555, 0o444)
        os.chmod(home, 0o555)
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("NUMBA_") and k not in ("XDG_CACHE_HOME", "PYTHONPATH")}
        env.update(HOME=home, TMPDIR=tmp, PYTHONPATH=site, PYTHONDONTWRITEBYTECODE="1")
        probe = subprocess.run(prefix + [sys.executable, "-c", f"open({home!r} + '/x', 'w')"],
                               capture_output=True, env=env)
        assert probe.returncode != 0, "the child can write into a read-only directory"
        done = subprocess.run(prefix + [sys.executable, "-c", _CHILD], capture_output=True,
                              text=True, env=env, cwd=top, timeout=900)
        assert done.returncode == 0, done.stderr[-3000:]
        lines = done.stdout.strip().splitlines()
        x0, x1 = 0.7, 0.2
        want = [np.exp(x1) + x1 * np.cos(x0 * x1), x0 * np.exp(x1) + x0 * np.cos(x0 * x1)]
        np.testing.assert_allclose(eval(lines[0]), want, rtol=1e-14)
        cache = lines[1]
        assert cache.startswith(tmp + os.sep)
        assert "not writable; Numba caches adjit's kernels in " + cache in done.stderr
        written = os.listdir(cache)
        assert any(f.endswith(".nbi") for f in written)
        assert set(shipped) <= set(written)  # the shipped cache was carried over
        assert sorted(os.listdir(os.path.join(site, "adjit", "__pycache__"))) == before
    finally:
        _tree(top, 0o755, 0o644)
        shutil.rmtree(top, ignore_errors=True)
