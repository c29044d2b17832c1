"""Requests naming a parameter of simulation model 1 that model 2 removed get a 400 naming what
replaced it."""

from __future__ import annotations

import pytest

from domain.contract import Limits, parse_sweep_request
from domain.errors import RequestValidationError
from domain.parameters import PARAMETERS, REMOVED_PARAMETERS


@pytest.mark.parametrize(
    ("removed", "replacement"),
    [
        ("max_willingness_to_pay", "rider_value_base"),
        ("surge_radius_km", "surge_zone_km"),
        ("eta_weight", "idle_time_weight"),
    ],
)
@pytest.mark.parametrize("where", ["dimensions", "base_parameters"])
def test_a_removed_parameter_is_refused_with_its_replacement(
    removed: str, replacement: str, where: str
) -> None:
    request: dict[str, object] = {"run_id": "r1", "dimensions": {"num_riders": [100]}, "shard_count": 1}
    if where == "dimensions":
        request["dimensions"] = {removed: [1.0]}
    else:
        request["base_parameters"] = {removed: 1.0}
    with pytest.raises(RequestValidationError) as caught:
        parse_sweep_request(request, Limits())
    [detail] = caught.value.details
    assert detail.loc == (where, removed)
    assert "removed in simulation model 2" in detail.msg
    assert replacement in detail.msg
    assert "docs/model.md" in detail.msg


def test_every_replacement_named_is_a_parameter() -> None:
    for removed, message in REMOVED_PARAMETERS.items():
        assert removed not in PARAMETERS
        named = [name for name in PARAMETERS if name in message]
        assert named, removed


def test_every_parameter_has_a_unit_or_choices_and_a_description() -> None:
    for spec in PARAMETERS.values():
        assert spec.description, spec.name
        if spec.kind in ("int", "float"):
            assert spec.minimum is not None and spec.maximum is not None, spec.name
        if spec.kind == "enum":
            assert spec.default in spec.choices, spec.name
