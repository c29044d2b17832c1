"""The ride-hailing marketplace simulation: one deterministic discrete-event run per sweep point.

``simulate(params, seed)`` is the only entry point; SIMULATION.md is its specification.
"""

from domain.simulation.engine import simulate
from domain.simulation.model_version import SIMULATION_MODEL
from domain.simulation.outputs import SimulationOutput

__all__ = ["SIMULATION_MODEL", "SimulationOutput", "simulate"]
