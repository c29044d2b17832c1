"""The simulation's parameters, defined once.

Every simulation parameter (docs/model.md) is a field of :class:`SimulationParameters`; its type, default,
range and unit live in the field's metadata. Request validation, effective parameters and the
typed Parquet/Athena columns are all generated from this one table.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from domain.suggestions import did_you_mean

ParameterKind = Literal["int", "float", "bool", "enum"]
Scalar = bool | int | float | str

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MATCHING_ALGORITHMS = ("simple", "cost_based", "hungarian")
TRAFFIC_PROFILES = ("none", "city")
REPOSITION_POLICIES = ("none", "toward_demand")


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
    """The fully resolved parameters of one simulation run (defaults included).

    docs/model.md explains what each lever does; ``ridesweep params`` lists this table.
    """

    num_riders: int = _p("int", 500, unit="riders", lo=1, hi=1_000_000,
                         doc="expected riders arriving over the request window (the hourly curve "
                             "shapes when they arrive, not how many)")
    num_drivers: int = _p("int", 100, unit="drivers", lo=1, hi=200_000,
                          doc="drivers on duty at t = 0 at the reference commission 0.20; "
                              "replacements arrive over the run")
    driver_supply_elasticity: float = _p("float", 1.0, unit="", lo=0, hi=5,
                                         doc="how strongly the fleet follows the drivers' share "
                                             "of fares; 0 = not at all")
    request_window_minutes: int = _p("int", 60, unit="min", lo=1, hi=1_440,
                                     doc="riders arrive during it; metrics cover it")
    simulation_minutes: int = _p("int", 180, unit="min", lo=1, hi=10_080,
                                 doc="the run stops here; at least request_window_minutes")
    start_day: str = _p("enum", "monday", choices=WEEKDAYS,
                        doc="weekday at t = 0 (Friday and Saturday have a late-night peak)")
    start_hour: int = _p("int", 7, unit="h", lo=0, hi=23,
                         doc="hour of day at t = 0; drives the demand, supply and traffic curves")
    city_width_km: float = _p("float", 20.0, unit="km", lo=1, hi=200, doc="width of the city")
    city_height_km: float = _p("float", 16.0, unit="km", lo=1, hi=200, doc="height of the city")
    demand_hotspot_share: float = _p("float", 0.5, unit="share", lo=0, hi=1,
                                     doc="share of rider origins drawn around the city centre "
                                         "(the rest uniform)")
    match_radius_km: float = _p("float", 3.0, unit="km", lo=0.1, hi=50,
                                doc="farthest pickup a batch may assign")
    min_trip_km: float = _p("float", 1.0, unit="km", lo=0.1, hi=200,
                            doc="shortest trip (at most max_trip_km)")
    max_trip_km: float = _p("float", 15.0, unit="km", lo=0.1, hi=200, doc="longest trip")
    base_fare: float = _p("float", 2.50, unit="currency", lo=0, hi=1_000,
                          doc="fixed part of every fare")
    per_km_rate: float = _p("float", 1.50, unit="currency/km", lo=0, hi=100,
                            doc="fare per km of trip")
    commission_rate: float = _p("float", 0.20, unit="share", lo=0, hi=1, hi_exclusive=True,
                                doc="platform's share of each fare; drivers keep the rest")
    rider_value_base: float = _p("float", 5.0, unit="currency", lo=0, hi=1_000,
                                 doc="what any trip is worth to the median rider")
    rider_value_per_km: float = _p("float", 2.5, unit="currency/km", lo=0, hi=100,
                                   doc="what each km of trip is worth to the median rider")
    willingness_to_pay_sigma: float = _p("float", 0.35, unit="", lo=0, hi=3,
                                         doc="spread of riders' valuations (log-normal sigma); "
                                             "0 = every rider values a trip at the median")
    surge_enabled: bool = _p("bool", False, doc="whether zones price by their demand and supply")
    surge_zone_km: float = _p("float", 2.0, unit="km", lo=0.25, hi=20,
                              doc="side of a square surge zone (also the repositioning map)")
    surge_sensitivity: float = _p("float", 0.3, unit="", lo=0, hi=5,
                                  doc="multiplier rise per unit of (demand - supply)/(supply + 1)")
    surge_max_multiplier: float = _p("float", 2.0, unit="x", lo=1, hi=10,
                                     doc="highest surge multiplier")
    surge_update_seconds: int = _p("int", 60, unit="s", lo=5, hi=3_600,
                                   doc="period of the zone counts behind surge and repositioning")
    matching_algorithm: str = _p("enum", "hungarian", choices=MATCHING_ALGORITHMS,
                                 doc="how a batch pairs waiting riders with idle drivers")
    batch_interval_seconds: int = _p("int", 5, unit="s", lo=1, hi=600,
                                     doc="time between matching batches")
    idle_time_weight: float = _p("float", 0.0, unit="km/h", lo=0, hi=10,
                                 doc="km of extra pickup worth one hour of a driver's idle time "
                                     "(fairness lever)")
    mean_speed_kmh: float = _p("float", 30.0, unit="km/h", lo=5, hi=150,
                               doc="mean driving speed before traffic")
    traffic_profile: str = _p("enum", "city", choices=TRAFFIC_PROFILES,
                              doc="city slows legs and quotes by hour of day; none does not")
    rider_accept_probability: float = _p("float", 0.9, unit="probability", lo=0, hi=1,
                                         doc="chance a rider takes a quote that passed the price "
                                             "and ETA tests")
    max_acceptable_eta_minutes: float = _p("float", 10.0, unit="min", lo=0.5, hi=240,
                                           doc="the median rider's longest acceptable pickup "
                                               "ETA (each rider's is 0.5-1.5 times it)")
    max_quote_rejections: int = _p("int", 3, unit="quotes", lo=0, hi=20,
                                   doc="rejected quotes a rider tolerates before abandoning")
    requote_delay_seconds: int = _p("int", 30, unit="s", lo=1, hi=3_600,
                                    doc="wait before a rider asks for a new quote")
    rider_patience_min_seconds: int = _p("int", 120, unit="s", lo=1, hi=86_400,
                                         doc="shortest wait for a pickup before cancelling")
    rider_patience_max_seconds: int = _p("int", 900, unit="s", lo=1, hi=86_400,
                                         doc="longest wait for a pickup before cancelling")
    driver_earnings_target_min: float = _p("float", 100.0, unit="currency", lo=0, hi=100_000,
                                           doc="smallest earnings a driver still wants today")
    driver_earnings_target_max: float = _p("float", 300.0, unit="currency", lo=0, hi=100_000,
                                           doc="largest earnings a driver still wants today")
    driver_shift_hours_min: float = _p("float", 6.0, unit="h", lo=0.1, hi=24,
                                       doc="shortest shift")
    driver_shift_hours_max: float = _p("float", 10.0, unit="h", lo=0.1, hi=24,
                                       doc="longest shift")
    driver_reservation_wage: float = _p("float", 20.0, unit="currency/h", lo=0, hi=1_000,
                                        doc="hourly pay below which drivers tend to refuse offers")
    reposition_policy: str = _p("enum", "toward_demand", choices=REPOSITION_POLICIES,
                                doc="whether idle drivers move toward zones short of drivers")
    reposition_after_seconds: int = _p("int", 120, unit="s", lo=0, hi=3_600,
                                       doc="idle time before a driver considers repositioning")
    reposition_max_km: float = _p("float", 3.0, unit="km", lo=0.1, hi=50,
                                  doc="longest repositioning leg (a driver looks again after each "
                                      "leg)")

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


REMOVED_PARAMETERS: Mapping[str, str] = {
    "max_willingness_to_pay": (
        "each rider's valuation replaced it: rider_value_base, rider_value_per_km and "
        "willingness_to_pay_sigma"
    ),
    "surge_radius_km": "surge zones replaced the radius: use surge_zone_km",
    "eta_weight": (
        "it never changed a matching decision; the matching cost lever is now idle_time_weight"
    ),
}
"""Parameters of simulation model 1 that model 2 no longer has, and what took their place."""


def unknown_parameter_message(name: str) -> str:
    """Why ``name`` is not a parameter: removed (and what replaced it) or never known."""
    shown = repr(name) if len(name) <= 60 else repr(name[:57] + "...")
    if name in REMOVED_PARAMETERS:
        return (
            f"parameter {shown} was removed in simulation model 2: "
            f"{REMOVED_PARAMETERS[name]} (see docs/model.md)"
        )
    return f"unknown parameter {shown}{did_you_mean(name, PARAMETERS)} (docs/model.md lists every parameter)"
