"""What a run measures: which workloads at which sizes, with which tools, and
which quantities for each. ``--quick`` is a smoke run (small sizes, adjit and
the hand-written Numba code only); the full run adds the peers and the large
sizes; ``--scaling`` adds the 10⁷-op random graph."""
from __future__ import annotations

from dataclasses import dataclass, field

from . import timing
from .tools import PEERS

QUICK_WORKLOADS = [("textbook2", 2), ("rosenbrock", 1000), ("lj", 64), ("bratu", 32),
                   ("kinetics", 40), ("random", 1000), ("bundle", 15), ("rosenvec", 1000),
                   ("logistic", 50), ("bratuslice", 32), ("gp", 30), ("ljvec", 64)]
FULL_WORKLOADS = [("textbook1", 1), ("textbook2", 2), ("rosenbrock", 1000),
                  ("rosenbrock", 10000), ("rosenbrock", 100000), ("lj", 64), ("lj", 512),
                  ("bratu", 32), ("bratu", 300), ("kinetics", 40), ("random", 1000),
                  ("random", 10000), ("random", 100000), ("random", 1000000),
                  ("bundle", 15), ("rosenvec", 1000), ("rosenvec", 10000),
                  ("rosenvec", 1000000), ("logistic", 200), ("bratuslice", 32),
                  ("bratuslice", 300), ("gp", 100), ("ljvec", 64), ("ljvec", 512)]
SCALING_EXTRA = [("random", 10000000)]
COLD_WORKLOADS = [("rosenbrock", 10000), ("lj", 64)]

HESSIAN_INPUTS = 2000  # dense Hessians beyond this are not asked of any tool
RECORD_ONLY = 100000   # vectorized Rosenbrock beyond this: recording speed alone


def quantities(family: str, size: int, n_inputs: int, n_outputs: int) -> list[str]:
    """The quantities asked of every tool for this workload (each does what it can)."""
    if family == "rosenvec" and size > RECORD_ONLY:
        return ["record"]  # the target: n = 10⁶ traced in milliseconds
    if family == "rosenvec":  # the rows of rosenbrock that JAX on array code has
        return ["record", "forward", "gradient", "transform", "hvp", "batch", "optimize"]
    if family == "logistic":  # a few calls on large arrays: no batch
        return ["record", "forward", "gradient", "hvp", "hessian", "optimize"]
    if family == "gp":  # matrix instructions: one Cholesky and one solve per call
        return ["record", "forward", "gradient", "hvp", "hessian", "batch", "optimize"]
    q = ["record", "forward"]
    big = family == "random" and size > 100000
    if n_outputs == 1:
        q += ["gradient", "hvp"]
        if n_inputs <= HESSIAN_INPUTS and family != "random":
            q.append("hessian")
        if family in ("rosenbrock", "lj", "ljvec"):
            q.append("sparse_hessian")
    else:
        q += ["jvp", "jacobian_forward", "jacobian_reverse", "jacobian_auto",
              "sparse_jacobian"]
    if family in ("textbook1", "textbook2"):
        q.append("transform")
    if family == "bundle":  # batched Jacobian blocks and hvps, against the per-point loops
        q += ["batch_jacobian", "batch_jacobian_loop", "batch_hvp", "batch_hvp_loop"]
    if not big:
        q.append("batch")
    q.append("optimize")
    return q


def workload_dims(family: str, size: int) -> tuple[int, int]:
    """(n_inputs, n_outputs) without building the workload."""
    from .workloads import random_inputs
    return {"textbook1": (1, 1), "textbook2": (2, 1), "rosenbrock": (size, 1),
            "lj": (3 * size, 1), "bratu": (size * size, size * size),
            "kinetics": (size + 1, size + 1), "random": (random_inputs(size), 1),
            "bundle": (15, 2), "rosenvec": (size, 1), "logistic": (size, 1),
            "bratuslice": (size * size, size * size), "gp": (size, 1),
            "ljvec": (3 * size, 1)}[family]


@dataclass
class Plan:
    workloads: list
    tools: list
    settings: timing.Settings
    cold: list = field(default_factory=list)
    cold_empty: bool = True   # also measure with an empty Numba cache (tens of seconds)
    timeout: float = 120.0    # seconds per tool and workload
    memory: int = 8 << 30     # address-space limit per tool process, bytes
    batch: int = 64
    mode: str = "full"


def make_plan(quick=False, scaling=False, only=None, peers=None, timeout=None,
              memory_gb=None, cold=True) -> Plan:
    if quick:
        plan = Plan(list(QUICK_WORKLOADS), ["adjit", "numba"], timing.QUICK,
                    cold=[("rosenbrock", 1000)] if cold else [], cold_empty=False,
                    timeout=300.0, mode="quick")  # room for a cold compile
    else:
        plan = Plan(list(FULL_WORKLOADS) + (SCALING_EXTRA if scaling else []),
                    ["adjit", *PEERS], timing.FULL,
                    cold=list(COLD_WORKLOADS) if cold else [],
                    mode="scaling" if scaling else "full")
    if peers is not None:
        plan.tools = ["adjit", *[p for p in peers if p != "adjit"]]
    if only:
        keep = lambda fam, size: any(o in (fam, f"{fam}-{size}") for o in only)  # noqa: E731
        plan.workloads = [w for w in plan.workloads if keep(*w)]
        plan.cold = [w for w in plan.cold if keep(*w)]
        if not plan.workloads:  # a size not in the default list: run it as asked
            plan.workloads = [_parse(o) for o in only if "-" in o]
    if timeout:
        plan.timeout = float(timeout)
    if memory_gb:
        plan.memory = int(memory_gb * (1 << 30))
    return plan


def _parse(name: str):
    family, _, size = name.rpartition("-")
    return family, int(size)
