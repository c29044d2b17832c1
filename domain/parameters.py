"""The simulation's parameters, defined once.

Every parameter of SIMULATION.md is a field of :class:`SimulationParameters`; its type, default,
range and unit live in the field's metadata. Request validation, effective parameters and the
typed Parquet/Athena columns are all generated from this one table.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

ParameterKind = Literal["int", "float", "bool", "enum"]
Scalar = bool | int | float | str

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MATCHING_ALGORITHMS = ("simple", "cost_based", "hungarian")
TRAFFIC_PROFILES = ("none", "city")


@dataclass(frozen=True, slots=True)
class ParameterSpec:
    """Type, range and unit of one simulation parameter."""

    name: str
    kind: ParameterKind
    default: Scalar
    unit: str = ""
    minimum: float | None = None
    maximum: float | None = None
    maximum_exclusive: bool = False
    choices: tuple[str, ...] = ()
    description: str = ""

    def describe_range(self) -> str:
        if self.kind == "bool":
            return "a boolean (true or false)"
        if self.kind == "enum":
            return "one of " + ", ".join(f'"{c}"' for c in self.choices)
        noun = "an integer" if self.kind == "int" else "a number"
        upper = "<" if self.maximum_exclusive else "≤"
        return f"{noun} {_fmt(self.minimum)} ≤ x {upper} {_fmt(self.maximum)}"

    def normalise(self, value: Any) -> Scalar:
        """Return ``value`` converted to this parameter's type, or raise ``ValueError``.

        The message is meant for a user: it names the expected type and range and the value given.
        """
        if self.kind == "bool":
            if isinstance(value, bool):
                return value
            raise ValueError(f"must be {self.describe_range()}, got {_show(value)}")
        if self.kind == "enum":
            if isinstance(value, str) and value in self.choices:
                return value
            raise ValueError(f"must be {self.describe_range()}, got {_show(value)}")
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"must be {self.describe_range()}, got {_show(value)}")
        if self.kind == "int":
            if not isinstance(value, int):
                raise ValueError(f"must be {self.describe_range()}, got {_show(value)}")
            number: float | int = value
        else:
            if isinstance(value, float) and not math.isfinite(value):
                raise ValueError(f"must be {self.describe_range()}, got {_show(value)}")
            try:
                number = float(value)
            except OverflowError:  # an integer beyond any float, e.g. 10**400
                raise ValueError(f"must be {self.describe_range()}, got {_show(value)}") from None
        if not self._in_range(number):
            raise ValueError(f"must be {self.describe_range()}, got {_show(value)}")
        return number

    def _in_range(self, number: float) -> bool:
        if self.minimum is not None and number < self.minimum:
            return False
        if self.maximum is None:
            return True
        return number < self.maximum if self.maximum_exclusive else number <= self.maximum


def _fmt(number: float | None) -> str:
    if number is None:
        return "∞"
    if float(number).is_integer():
        return f"{int(number):,}"
    return repr(number)


def _show(value: Any) -> str:
    text = show_value(value)
    return text if len(text) <= 60 else text[:57] + "..."


def show_value(value: Any) -> str:
    """A decoded JSON value as a user wrote it, for error messages (strings quoted)."""
    if isinstance(value, str):
        return repr(value)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return str(value)


def _p(
    kind: ParameterKind,
    default: Scalar,
    *,
    unit: str = "",
    lo: float | None = None,
    hi: float | None = None,
    hi_exclusive: bool = False,
    choices: tuple[str, ...] = (),
    doc: str = "",
) -> Any:
    spec = {
        "kind": kind,
        "unit": unit,
        "minimum": lo,
        "maximum": hi,
        "maximum_exclusive": hi_exclusive,
        "choices": choices,
        "description": doc,
    }
    return field(default=default, metadata={"spec": spec})


@dataclass(frozen=True, slots=True)
class SimulationParameters:
    """The fully resolved parameters of one simulation run (defaults included)."""

    num_riders: int = _p("int", 500, unit="riders", lo=1, hi=1_000_000,
                         doc="riders requested over the window, before demand shaping")
    num_drivers: int = _p("int", 100, unit="drivers", lo=1, hi=200_000)
    request_window_minutes: int = _p("int", 60, unit="min", lo=1, hi=1_440,
                                     doc="riders and drivers arrive during it")
    simulation_minutes: int = _p("int", 180, unit="min", lo=1, hi=10_080,
                                 doc="the run stops here; at least request_window_minutes")
    start_day: str = _p("enum", "monday", choices=WEEKDAYS)
    start_hour: int = _p("int", 7, unit="h", lo=0, hi=23, doc="UTC hour at t = 0")
    city_width_km: float = _p("float", 46.0, unit="km", lo=1, hi=200)
    city_height_km: float = _p("float", 38.0, unit="km", lo=1, hi=200)
    match_radius_km: float = _p("float", 3.0, unit="km", lo=0.1, hi=50)
    min_trip_km: float = _p("float", 1.0, unit="km", lo=0.1, hi=200)
    max_trip_km: float = _p("float", 15.0, unit="km", lo=0.1, hi=200)
    base_fare: float = _p("float", 2.50, unit="currency", lo=0, hi=1_000)
    per_km_rate: float = _p("float", 1.50, unit="currency/km", lo=0, hi=100)
    commission_rate: float = _p("float", 0.20, unit="share", lo=0, hi=1, hi_exclusive=True)
    surge_enabled: bool = _p("bool", False)
    surge_radius_km: float = _p("float", 1.0, unit="km", lo=0.1, hi=20)
    surge_max_multiplier: float = _p("float", 2.0, unit="x", lo=1, hi=10)
    matching_algorithm: str = _p("enum", "hungarian", choices=MATCHING_ALGORITHMS)
    batch_interval_seconds: int = _p("int", 5, unit="s", lo=1, hi=600)
    eta_weight: float = _p("float", 0.1, unit="km/s", lo=0, hi=10)
    mean_speed_kmh: float = _p("float", 40.0, unit="km/h", lo=5, hi=150)
    traffic_profile: str = _p("enum", "none", choices=TRAFFIC_PROFILES)
    rider_accept_probability: float = _p("float", 0.8, unit="probability", lo=0, hi=1)
    max_willingness_to_pay: float = _p("float", 100.0, unit="currency", lo=0, hi=100_000)
    max_acceptable_eta_minutes: float = _p("float", 10.0, unit="min", lo=0.5, hi=240)
    max_quote_rejections: int = _p("int", 3, unit="quotes", lo=0, hi=20)
    requote_delay_seconds: int = _p("int", 10, unit="s", lo=1, hi=3_600)
    rider_patience_min_seconds: int = _p("int", 120, unit="s", lo=1, hi=86_400)
    rider_patience_max_seconds: int = _p("int", 2_400, unit="s", lo=1, hi=86_400)
    driver_earnings_target_min: float = _p("float", 100.0, unit="currency", lo=0, hi=100_000)
    driver_earnings_target_max: float = _p("float", 300.0, unit="currency", lo=0, hi=100_000)
    driver_shift_hours_min: float = _p("float", 8.0, unit="h", lo=0.1, hi=24)
    driver_shift_hours_max: float = _p("float", 12.0, unit="h", lo=0.1, hi=24)

    def as_dict(self) -> dict[str, Scalar]:
        return {name: getattr(self, name) for name in PARAMETERS}

    @classmethod
    def from_values(cls, values: Mapping[str, Scalar]) -> SimulationParameters:
        """Build from already-normalised values; absent names take their defaults."""
        return cls(**values)  # type: ignore[arg-type]


def _build_registry() -> dict[str, ParameterSpec]:
    registry: dict[str, ParameterSpec] = {}
    for f in dataclasses.fields(SimulationParameters):
        default: Scalar = f.default  # type: ignore[assignment]
        registry[f.name] = ParameterSpec(name=f.name, default=default, **f.metadata["spec"])
    return registry


PARAMETERS: Mapping[str, ParameterSpec] = _build_registry()
"""Every simulation parameter by name, in declaration order."""


@dataclass(frozen=True, slots=True)
class OrderedPair:
    """A rule ``lower ≤ upper`` between two parameters that must hold for every point."""

    lower: str
    upper: str


ORDERED_PAIRS: tuple[OrderedPair, ...] = (
    OrderedPair("request_window_minutes", "simulation_minutes"),
    OrderedPair("min_trip_km", "max_trip_km"),
    OrderedPair("rider_patience_min_seconds", "rider_patience_max_seconds"),
    OrderedPair("driver_earnings_target_min", "driver_earnings_target_max"),
    OrderedPair("driver_shift_hours_min", "driver_shift_hours_max"),
)
