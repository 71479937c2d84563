"""The tools a workload is run with: adjit itself and its peers.

Each tool is a module with ``run(ctx)`` (see :mod:`perf.tools.context`) and an
optional package it needs. A tool whose package is missing is skipped with a
note, never an error: none of the peers is a dependency of adjit.
"""
from __future__ import annotations

import importlib.util
from dataclasses import dataclass


@dataclass(frozen=True)
class Tool:
    name: str       # column name in tables and JSON
    module: str     # perf.tools.<module> holds run(ctx)
    requires: str   # top-level package that must be importable ("" for none)
    about: str
    options: tuple = ()  # extra (key, value) pairs handed to run() via ctx.options

    def missing(self) -> str | None:
        """A note saying why the tool cannot run here, or None when it can."""
        if not self.requires:
            return None
        try:
            found = importlib.util.find_spec(self.requires) is not None
        except (ImportError, ValueError):
            found = False
        return None if found else f"{self.requires} not installed"


TOOLS = {t.name: t for t in (
    Tool("adjit", "adjit_tool", "numba", "adjit tape, generic @njit kernels"),
    Tool("numba", "numba_tool", "numba", "hand-written analytic @njit code"),
    Tool("jax-vec", "jax_tool", "jax", "JAX jit, vectorized code", (("style", "vector"),)),
    Tool("jax-loop", "jax_tool", "jax", "JAX jit, scalar-loop code", (("style", "scalar"),)),
    Tool("casadi", "casadi_tool", "casadi", "CasADi SX functions from the scalar loop"),
    Tool("autograd", "autograd_tool", "autograd", "autograd on the vectorized code"),
    Tool("torch", "torch_tool", "torch", "PyTorch CPU on the vectorized code"),
)}

PEERS = tuple(name for name in TOOLS if name != "adjit")
