"""The version of the simulation model this code implements.

It changes whenever the same parameters and seed would give different results. It travels in the
run-context record, every shard message and every metrics row, so a run is never completed with two
models and a reader can tell which model produced a row.
"""

from typing import Final

SIMULATION_MODEL: Final[int] = 2
