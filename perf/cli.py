"""Command line of ``python -m perf``."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from . import regress, report, timing
from .plan import make_plan
from .progress import Progress
from .tools import PEERS, TOOLS


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m perf",
        description="Measure adjit against hand-written Numba code and its peers, side by "
                    "side in one run; optionally check ratios against a baseline.")
    p.add_argument("--quick", action="store_true",
                   help="smoke run under a minute: small sizes, adjit and hand-written Numba")
    p.add_argument("--scaling", action="store_true",
                   help="also the 10⁷-op random graph (minutes, GBs)")
    p.add_argument("--only", action="append", metavar="NAME",
                   help="workload family or family-size (e.g. lj, rosenbrock-10000); "
                        "repeat or comma-separate")
    p.add_argument("--peers", metavar="LIST",
                   help=f"comma-separated peers to run ({', '.join(PEERS)}), or 'none'")
    p.add_argument("--json", metavar="PATH", help="save all results as JSON")
    p.add_argument("--markdown", metavar="PATH",
                   help="write a Markdown summary (the README's results tables)")
    p.add_argument("--plot", metavar="DIR", help="write PNG charts (needs matplotlib)")
    p.add_argument("--check", metavar="BASELINE",
                   help="compare this run's ratios with BASELINE; exit 1 naming each "
                        "workload that got slower than the tolerance allows")
    p.add_argument("--update-baseline", nargs="?", const="", metavar="PATH",
                   help="write this run's ratios as the baseline (to --check's path, or "
                        "perf/baseline.json)")
    p.add_argument("--tolerance", type=float,
                   help=f"relative slowdown allowed by --check (default: the baseline's, "
                        f"else {regress.DEFAULT_TOLERANCE})")
    p.add_argument("--timeout", type=float, help="seconds per tool and workload")
    p.add_argument("--memory-gb", type=float, help="address-space limit per tool process")
    p.add_argument("--no-cold", action="store_true",
                   help="skip the fresh-process first-call measurements")
    p.add_argument("--from-json", metavar="PATH", action="append",
                   help="do not run: report, plot and check the results saved in PATH; "
                        "repeat it to make --update-baseline take the worst ratio over "
                        "several saved runs")
    p.add_argument("--quiet", action="store_true", help="no progress indicator")
    return p


def main(argv=None) -> int:
    args = parser().parse_args(argv)
    only = [o for arg in args.only or [] for o in arg.split(",") if o]
    peers = None
    if args.peers is not None:
        peers = [] if args.peers == "none" else [p for p in args.peers.split(",") if p]
        unknown = [p for p in peers if p not in TOOLS]
        if unknown:
            print(f"unknown peer(s): {', '.join(unknown)}; known: {', '.join(PEERS)}",
                  file=sys.stderr)
            return 2
    saved = []
    if args.from_json:
        saved = [json.loads(Path(p).read_text()) for p in args.from_json]
        results = saved[0]
    else:
        from .runner import run_plan
        plan = make_plan(quick=args.quick, scaling=args.scaling, only=only, peers=peers,
                         timeout=args.timeout, memory_gb=args.memory_gb, cold=not args.no_cold)
        if args.check and plan.settings.samples < timing.CHECK.samples:
            plan.settings = timing.CHECK  # ratios for a verdict deserve more samples
        if not plan.workloads:
            print(f"--only {','.join(only)} matches no workload", file=sys.stderr)
            return 2
        results = run_plan(plan, Progress(0, enabled=not args.quiet))
    print(report.text(results))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1, ensure_ascii=False))
        print(f"\nresults saved to {args.json}")
    if args.markdown:
        Path(args.markdown).write_text(report.markdown(results))
        print(f"Markdown summary written to {args.markdown}")
    if args.plot:
        from .plots import plot_all
        for line in plot_all(results, args.plot):
            print(line)
    status = 0
    if args.check:
        retry = None
        if not args.from_json:  # on a shared machine, confirm a slowdown before reporting it
            retry = lambda keys: _rerun(keys, args, peers)  # noqa: E731
        status = check(results, args.check, args.tolerance, retry)
    if args.update_baseline is not None:
        path = args.update_baseline or args.check or regress.DEFAULT_BASELINE
        tol = args.tolerance if args.tolerance is not None else regress.DEFAULT_TOLERANCE
        regress.write_baseline(path, results, tol, others=tuple(saved[1:]))
        print(f"baseline written to {path}")
    return status


RETRIES = 2  # extra attempts, in new processes, at workloads whose ratios look worse


def _rerun(keys, args, peers) -> dict:
    """Measure ``keys`` again (adjit and the hand-written code only) for a second opinion."""
    from .runner import run_plan
    plan = make_plan(quick=args.quick, only=list(keys), peers=["numba"],
                     timeout=args.timeout, memory_gb=args.memory_gb, cold=False)
    print(f"  re-measuring {', '.join(keys)} to confirm", file=sys.stderr)
    return run_plan(plan, Progress(0, enabled=not args.quiet))


def check(results: dict, path, tolerance=None, retry=None) -> int:
    """Compare with the baseline; ``retry(keys)`` re-runs workloads whose ratios
    look worse, and only a slowdown seen in both runs fails the check."""
    try:
        baseline, base_tol = regress.load_baseline(path)
    except (OSError, ValueError) as e:
        print(f"\ncannot read baseline {path}: {e}", file=sys.stderr)
        return 2
    tol = tolerance if tolerance is not None else (base_tol or regress.DEFAULT_TOLERANCE)
    current = regress.ratios(results)
    failures, notes = regress.compare(current, baseline, tol)
    # Kernel times on this kind of machine move by up to ±50 % from one process to
    # the next (memory placement, neighbours), so a slowdown must show in fresh
    # processes too before it counts.
    for _ in range(RETRIES if retry is not None else 0):
        if not failures:
            break
        keys = sorted({f.split(":", 1)[0] for f in failures})
        current = regress.best_of(current, regress.ratios(retry(keys)))
        failures, notes = regress.compare(current, baseline, tol)
    print(f"\n== regression check against {path} (tolerance {tol:.0%})")
    for key, rs in current.items():
        base = baseline.get(key, {})
        print(f"  {key:<18} " + ", ".join(
            f"{k} {v:.3g}" + (f" (baseline {base[k]:.3g})" if k in base else "")
            for k, v in rs.items()))
    for n in notes:
        print("  note: " + n)
    if failures:
        print("SLOWER than the baseline:")
        for f in failures:
            print("  " + f)
        return 1
    print("  all ratios within tolerance")
    return 0
