"""Mutation check: does the test suite notice a 1.0001x error in any one rule?

Run from the repository root::

    python -m tests.mutants                 # every rule mutant, 40 kernel + 10 pair mutants
    python -m tests.mutants --quick         # a sample: 12 rule, 8 kernel, 3 pair mutants
    python -m tests.mutants --ops sin,atan2 --kernels block_reverse --kernel-mutants 0

Two kinds of mutant, each made in a scratch copy of the repository (a temporary
directory; the working tree is never touched):

* **rule mutants**: one op's first partial (d0, d1) or second partial (d00,
  d01, d11) in ``adjit.ops.TABLE`` multiplied by 1.0001 (structural zeros are
  skipped: they cannot be wrong by a factor), then ``python -m adjit.codegen``
  regenerates the kernels, so the generated-code freshness test passes and
  cannot be what kills the mutant;
* **kernel mutants**: one stored value (``work[...] = ...``,
  ``partials[...] = ...``, ``adj[...] += ...``) in one generated kernel's
  branch for one opcode multiplied by 1.0001, without regenerating; the
  freshness test is deselected.

For each mutant the tests that concern its op run (``tests/test_ops.py``,
``tests/test_second.py`` and ``tests/test_kernels.py`` rows whose parameter id
names the op or one of its opcodes) with ``NUMBA_DISABLE_JIT=1``, so the
kernels run as Python and no mutant waits for Numba to compile. A mutant is
killed when a test fails, and survives when they all pass. The same tests run
once on the unmutated copy first: they must pass there, or the report says so.
Exit status 0 when no mutant survived, 1 otherwise.
"""
from __future__ import annotations

import argparse
import os
import pathlib
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
FACTOR = "1.0001"
PARTIALS = ("d0", "d1", "d00", "d01", "d11")
TEST_FILES = ("tests/test_ops.py", "tests/test_second.py", "tests/test_kernels.py")
FRESHNESS = "test_generated_kernels_are_current"
_IGNORE = shutil.ignore_patterns(".git", "__pycache__", ".venv*", "*.pyc", ".pytest_cache",
                                 "perf_results*", "*.egg-info")


def _env(copy: pathlib.Path) -> dict:
    env = dict(os.environ)
    env["NUMBA_DISABLE_JIT"] = "1"
    env["PYTHONPATH"] = str(copy)
    env.pop("PYTEST_ADDOPTS", None)
    return env


def _run(cmd, copy, timeout):
    return subprocess.run(cmd, cwd=copy, env=_env(copy), capture_output=True, text=True,
                          timeout=timeout)


def _table(copy):
    """(op name, {partial: expr}, [opcode names]) for every op of the copy's table."""
    code = ("import json\nfrom adjit import ops\n"
            "print(json.dumps([[op.name, {w: getattr(op, w) for w in %r}, "
            "[v.name for v in ops.VARIANTS if v.op is op]] for op in ops.TABLE]))"
            % (PARTIALS,))
    out = _run([sys.executable, "-c", code], copy, 300)
    if out.returncode:
        raise SystemExit(f"cannot read the op table:\n{out.stderr}")
    import json
    return json.loads(out.stdout)


def _collect(copy):
    out = _run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p",
                "no:cacheprovider", *TEST_FILES], copy, 600)
    ids = [line.strip() for line in out.stdout.splitlines() if "::" in line]
    if not ids:
        raise SystemExit(f"no tests collected:\n{out.stdout}\n{out.stderr}")
    return ids


def _names_in(nodeid):
    """The tokens of a test id's parameters: 'sub_vc', 'sub_vc-16' ..."""
    m = re.search(r"\[(.*)\]$", nodeid)
    if not m:
        return set()
    return set(re.split(r"[-,\s]+", m.group(1)))


def _tests_for(ids, opcode_names, op_name):
    wanted = set(opcode_names) | {op_name}
    return [i for i in ids if _names_in(i) & wanted and FRESHNESS not in i]


def _pytest(copy, tests, timeout):
    """'killed', 'survived' or 'error: ...' for these test ids in the copy."""
    if not tests:
        return "survived (no tests)"
    try:
        out = _run([sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider",
                    "-W", "ignore", *tests], copy, timeout)
    except subprocess.TimeoutExpired:
        return "killed (timeout)"
    if out.returncode == 0:
        return "survived"
    if out.returncode == 1:
        failed = [ln for ln in out.stdout.splitlines() if ln.startswith("FAILED")]
        return "killed" + (f" by {failed[0][7:].split(' - ')[0]}" if failed else "")
    return f"error (pytest exit {out.returncode}): {out.stdout[-300:]}{out.stderr[-300:]}"


# --- rule mutants ----------------------------------------------------------------------

_MUTATE = '''

# --- mutant made by tests/mutants.py ---
def _mutant():
    op = OPS[{name!r}]
    object.__setattr__(op, {which!r}, "(" + op.{which} + ") * {factor}")
    op.pyfuncs.clear()


_mutant()
'''


def _rule_mutant(copy, name, which, tests, timeout):
    ops_py = copy / "adjit" / "ops.py"
    sweeps_py = copy / "adjit" / "sweeps.py"
    ops_src, sweeps_src = ops_py.read_text(), sweeps_py.read_text()
    try:
        ops_py.write_text(ops_src + _MUTATE.format(name=name, which=which, factor=FACTOR))
        gen = _run([sys.executable, "-m", "adjit.codegen"], copy, 600)
        if gen.returncode:
            return f"error (codegen): {gen.stderr[-300:]}"
        if sweeps_py.read_text() == sweeps_src:
            return "error (codegen wrote the same kernels)"
        return _pytest(copy, tests, timeout)
    finally:
        ops_py.write_text(ops_src)
        sweeps_py.write_text(sweeps_src)


# --- kernel mutants --------------------------------------------------------------------

_STORE = re.compile(r"^(\s+)(\w+\[[^\]]*\])\s*(\+?=)\s*(.+?)\s*$")
# stores of a structural zero (0.0, or (0.0) * g in an adjoint): equivalent mutants
_ZERO = re.compile(r"^\(?-?0\.0\)?(\s*\*.*)?$")


def _kernel_sites(text):
    """(kernel, branch label, opcode names, line number) of every mutable store
    in the generated region's branches: single opcodes (``# sin``) and
    superinstruction pairs (``# add + mul``)."""
    lines = text.splitlines()
    begin = next(i for i, ln in enumerate(lines) if "BEGIN GENERATED" in ln)
    end = next((i for i, ln in enumerate(lines) if "END GENERATED" in ln), len(lines))
    sites = []
    kernel = None
    i = begin
    while i < end:
        ln = lines[i]
        m = re.match(r"^def (\w+)\(", ln)
        if m:
            kernel = m.group(1)
        m = re.match(r"^(\s+)(?:el)?if op == \d+:  # (\w+)(?: \+ (\w+))?\s*$", ln)
        if m and kernel:
            names = tuple(n for n in m.groups()[1:] if n)
            indent = len(m.group(1))
            j = i + 1
            while j < end and (not lines[j].strip()
                               or len(lines[j]) - len(lines[j].lstrip()) > indent):
                s = _STORE.match(lines[j])
                if s and not _ZERO.match(s.group(4)):
                    sites.append((kernel, " + ".join(names), names, j))
                j += 1
            i = j
            continue
        i += 1
    return sites


def _kernel_mutant(copy, line_no, tests, timeout):
    sweeps_py = copy / "adjit" / "sweeps.py"
    src = sweeps_py.read_text()
    lines = src.splitlines(keepends=True)
    s = _STORE.match(lines[line_no].rstrip("\n"))
    lines[line_no] = f"{s.group(1)}{s.group(2)} {s.group(3)} ({s.group(4)}) * {FACTOR}\n"
    try:
        sweeps_py.write_text("".join(lines))
        return _pytest(copy, tests, timeout)
    finally:
        sweeps_py.write_text(src)


# --- driver ----------------------------------------------------------------------------


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tests.mutants", description=__doc__.split(
        "\n\n")[0])
    ap.add_argument("--ops", help="comma-separated op names (default: every op)")
    ap.add_argument("--partials", default=",".join(PARTIALS),
                    help="which rules to perturb (default: d0,d1,d00,d01,d11)")
    ap.add_argument("--kernels", help="comma-separated generated kernels for kernel mutants "
                    "(default: every switch kernel)")
    ap.add_argument("--rule-mutants", type=int, default=-1,
                    help="rule mutants to run, sampled (default: all)")
    ap.add_argument("--kernel-mutants", type=int, default=40,
                    help="kernel mutants to run, sampled (default 40; 0: none; -1: all)")
    ap.add_argument("--pair-mutants", type=int, default=10,
                    help="mutants in superinstruction-pair branches, sampled (default 10)")
    ap.add_argument("--quick", action="store_true",
                    help="a sample: 12 rule, 8 kernel and 3 pair mutants")
    ap.add_argument("--seed", type=int, default=0, help="sampling seed")
    ap.add_argument("--timeout", type=float, default=900, help="seconds per mutant's tests")
    ap.add_argument("--keep", action="store_true", help="keep the scratch copy")
    args = ap.parse_args(argv)
    if args.quick:
        args.rule_mutants, args.kernel_mutants, args.pair_mutants = 12, 8, 3
    rnd = random.Random(args.seed)

    tmp = pathlib.Path(tempfile.mkdtemp(prefix="adjit-mutants-"))
    copy = tmp / "repo"
    shutil.copytree(ROOT, copy, ignore=_IGNORE)
    t0 = time.time()
    try:
        table = _table(copy)
        if args.ops:
            keep = set(args.ops.split(","))
            unknown = keep - {name for name, _, _ in table}
            if unknown:
                raise SystemExit(f"--ops: unknown op(s) {sorted(unknown)}")
            table = [row for row in table if row[0] in keep]
        ids = _collect(copy)
        print(f"scratch copy: {copy}; {len(ids)} tests collected; NUMBA_DISABLE_JIT=1",
              flush=True)

        opcodes_of = {name: names for name, _, names in table}
        which = [w for w in args.partials.split(",") if w]
        rules = [(name, w) for name, exprs, _ in table for w in which
                 if exprs[w].strip() != "0.0"]
        if args.rule_mutants >= 0 and args.rule_mutants < len(rules):
            rules = sorted(rnd.sample(rules, args.rule_mutants), key=rules.index)

        all_sites = _kernel_sites((copy / "adjit" / "sweeps.py").read_text())
        names_ok = {n for names in opcodes_of.values() for n in names}
        all_sites = [s for s in all_sites if set(s[2]) & names_ok]
        if args.kernels:
            ks = set(args.kernels.split(","))
            all_sites = [s for s in all_sites if s[0] in ks]
        sites = []
        for pairs, count in ((False, args.kernel_mutants), (True, args.pair_mutants)):
            group = [s for s in all_sites if (len(s[2]) == 2) == pairs]
            if 0 <= count < len(group):
                group = rnd.sample(group, count)
            sites += group
        sites.sort(key=lambda s: s[3])

        # the unmutated copy must pass the tests every mutant runs
        needed = sorted({t for name, _ in rules
                         for t in _tests_for(ids, opcodes_of[name], name)}
                        | {t for s in sites for t in _tests_for(ids, s[2], s[2][0])})
        base = _pytest(copy, needed, args.timeout * 4)
        print(f"unmutated: {len(needed)} tests, {base.replace('survived', 'pass')}", flush=True)
        if base != "survived" and needed:
            print("the tests fail without a mutant: fix that first")
            return 2

        survivors = []
        for k, (name, w) in enumerate(rules, 1):
            tests = _tests_for(ids, opcodes_of[name], name)
            verdict = _rule_mutant(copy, name, w, tests, args.timeout)
            print(f"rule   {k:>3}/{len(rules)}  {name}.{w} * {FACTOR}: {verdict}", flush=True)
            if not verdict.startswith("killed"):
                survivors.append(f"rule {name}.{w}: {verdict}")
        text = (copy / "adjit" / "sweeps.py").read_text().splitlines()
        for k, (kernel, label, names, line_no) in enumerate(sites, 1):
            tests = _tests_for(ids, names, names[0])
            verdict = _kernel_mutant(copy, line_no, tests, args.timeout)
            what = f"{kernel}[{label}] line {line_no + 1}: {text[line_no].strip()}"
            print(f"kernel {k:>3}/{len(sites)}  {what} * {FACTOR}: {verdict}", flush=True)
            if not verdict.startswith("killed"):
                survivors.append(f"kernel {what}: {verdict}")

        total = len(rules) + len(sites)
        print(f"\n{total - len(survivors)} of {total} mutants killed in "
              f"{time.time() - t0:.0f} s; {len(survivors)} survived"
              + (":" if survivors else "."))
        for s in survivors:
            print("  SURVIVED", s)
        return 1 if survivors else 0
    finally:
        if args.keep:
            print(f"kept {copy}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
