"""The ride-hailing marketplace simulation: one deterministic discrete-event run per sweep point.

``simulate(params, seed)`` is the only entry point; docs/model.md describes the model.

``SIMULATION_MODEL`` is imported eagerly and the engine on first use: planning a sweep needs the
model version alone, and importing the engine loads numpy and scipy (over a second of a cold start
on the API path).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from domain.simulation.model_version import SIMULATION_MODEL

if TYPE_CHECKING:
    from domain.simulation.engine import simulate
    from domain.simulation.outputs import SimulationOutput

__all__ = ["SIMULATION_MODEL", "SimulationOutput", "simulate"]


def __getattr__(name: str) -> Any:
    if name == "simulate":
        from domain.simulation.engine import simulate

        return simulate
    if name == "SimulationOutput":
        from domain.simulation.outputs import SimulationOutput

        return SimulationOutput
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
