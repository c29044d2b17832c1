"""Which commands start the workers' forkserver before the CLI itself is imported: a local run
that will use more than one worker process, and nothing else (a wrong guess costs start-up time,
never a result)."""

from __future__ import annotations

import pytest

from entrypoints.launcher import wants_workers


@pytest.mark.parametrize(
    ("argv", "environ", "expected"),
    [
        (["run", "r.json", "--workers", "2"], {}, True),
        (["run", "r.json", "--workers=4"], {}, True),
        (["run", "r.json", "--workers", "1"], {}, False),
        (["run", "r.json", "--workers", "two"], {}, False),
        (["run", "r.json", "--workers", "2", "--backend", "aws"], {}, False),
        (["run", "r.json", "--workers", "2", "--backend=aws"], {}, False),
        (["run", "r.json", "--workers", "2"], {"SWEEP_BACKEND": "aws"}, False),
        (["run", "r.json", "--workers", "2", "--backend", "local"], {"SWEEP_BACKEND": "aws"}, True),
        (["status", "r", "--workers", "2"], {}, False),
        (["plan", "r.json"], {}, False),
        ([], {}, False),
        (["--version"], {}, False),
    ],
)
def test_only_a_local_run_with_several_workers_warms_them_up(
    argv: list[str], environ: dict[str, str], expected: bool
) -> None:
    assert wants_workers(argv, environ) is expected
