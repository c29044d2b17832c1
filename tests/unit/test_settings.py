"""CONTRACT.md §6: settings are read once and a missing one is named at start-up."""

from __future__ import annotations

import pytest

from entrypoints.settings import Settings, SettingsError


def test_defaults_run_locally_without_any_environment() -> None:
    settings = Settings.from_env({})
    assert settings.backend == "local"
    assert settings.limits.max_shards == 1000
    assert settings.limits.max_total_points == 1_000_000


def test_the_aws_backend_names_every_missing_setting() -> None:
    with pytest.raises(SettingsError) as caught:
        Settings.from_env({"SWEEP_BACKEND": "aws", "SWEEP_RESULTS_BUCKET": "b"})
    assert "SHARD_QUEUE_URL" in str(caught.value)
    assert "SWEEP_RESULTS_BUCKET" not in str(caught.value)


def test_an_invalid_number_is_named() -> None:
    with pytest.raises(SettingsError) as caught:
        Settings.from_env({"MAX_SHARDS": "many"})
    assert "MAX_SHARDS" in str(caught.value)


def test_an_unknown_backend_is_named() -> None:
    with pytest.raises(SettingsError) as caught:
        Settings.from_env({"SWEEP_BACKEND": "gcp"})
    assert "SWEEP_BACKEND" in str(caught.value)


def test_a_prefix_with_dot_segments_fails_at_start_up() -> None:
    with pytest.raises(SettingsError) as caught:
        Settings.from_env({"SWEEP_RESULTS_PREFIX": "a/../b"})
    assert "prefix" in str(caught.value)


def test_failure_injection_can_be_switched_off() -> None:
    settings = Settings.from_env({"ALLOW_FAILURE_INJECTION": "false", "MAX_SHARDS": "50"})
    assert settings.limits.allow_failure_injection is False
    assert settings.limits.max_shards == 50


def test_log_level_is_case_insensitive() -> None:
    assert Settings.from_env({"LOG_LEVEL": "debug"}).log_level == "DEBUG"
