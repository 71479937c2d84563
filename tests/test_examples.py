"""Every script in examples/ runs, at a small size (`--small`), as a user would
run it. Each example checks its own results and exits non-zero if they fail."""
import os
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.py"))


@pytest.mark.parametrize("script", EXAMPLES, ids=lambda p: p.name)
def test_example_runs(script):
    if script.name.startswith("dask_"):
        pytest.importorskip("dask.distributed")  # the [dask] extra
    # the adjit of this checkout, installed or not (a script's own directory,
    # not the working directory, is first on its path)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT)] + [p for p in [env.get("PYTHONPATH")] if p])
    proc = subprocess.run([sys.executable, str(script), "--small"], capture_output=True,
                          text=True, timeout=600, env=env)
    assert proc.returncode == 0, f"{script.name} failed:\n{proc.stdout}\n{proc.stderr}"
