"""Rewrite the generated blocks of the query pack's presets (``application/analytics/queries``).

The Student t quantiles (from scipy), the key metrics and the parameter names are written between
``-- begin generated block NAME`` and ``-- end generated block NAME`` comments by
``application/analytics/sql_blocks.py``; everything else in a preset is written by hand.
``make query-pack`` rewrites them; a test in ``tests/analytics`` fails when one is stale.
Usage: ``python infra/athena/generate_query_pack.py [--check]``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from application.analytics.sql_blocks import refreshed

QUERIES_DIR = Path(__file__).resolve().parents[2] / "application" / "analytics" / "queries"


def generated_files() -> dict[Path, str]:
    return {path: refreshed(path.read_text(encoding="utf-8")) for path in sorted(QUERIES_DIR.glob("*.sql"))}


def stale_files() -> list[Path]:
    return [path for path, text in generated_files().items() if path.read_text(encoding="utf-8") != text]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="exit 1 if a preset is stale instead of writing it"
    )
    args = parser.parse_args(argv)
    if args.check:
        stale = stale_files()
        for path in stale:
            print(f"{path} is stale: run `make query-pack`", file=sys.stderr)
        return 1 if stale else 0
    for path, text in generated_files().items():
        if path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
