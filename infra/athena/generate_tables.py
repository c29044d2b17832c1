"""Write the Glue table definitions and the Athena DDL of the six datasets from the Arrow schemas.

* ``infra/athena/glue_tables.json``: read by ``infra/terraform/glue_athena.tf`` (``jsondecode``);
* ``infra/athena/ddl/<dataset>.sql``: the same tables as ``CREATE EXTERNAL TABLE`` statements, for
  an account without the Terraform stack.

``make athena-tables`` rewrites both; a test in ``tests/analytics`` fails when they are stale.
Usage: ``python infra/athena/generate_tables.py [--check]``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from application.analytics.glue_tables import create_table_ddl, table_definitions

ATHENA_DIR = Path(__file__).resolve().parent
GLUE_TABLES_JSON = ATHENA_DIR / "glue_tables.json"
DDL_DIR = ATHENA_DIR / "ddl"


def generated_files() -> dict[Path, str]:
    definitions = table_definitions()
    files = {GLUE_TABLES_JSON: json.dumps(definitions, indent=2) + "\n"}
    for definition in definitions:
        files[DDL_DIR / f"{definition['name']}.sql"] = create_table_ddl(definition)
    return files


def stale_files() -> list[Path]:
    """Generated files whose committed text differs, plus DDL files no dataset produces any more."""
    files = generated_files()
    stale = [p for p, text in files.items() if not p.exists() or p.read_text(encoding="utf-8") != text]
    stale += [p for p in sorted(DDL_DIR.glob("*.sql")) if p not in files]
    return stale


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="exit 1 if a file is stale instead of writing it"
    )
    args = parser.parse_args(argv)
    if args.check:
        stale = stale_files()
        for path in stale:
            print(f"{path} is stale: run `make athena-tables`", file=sys.stderr)
        return 1 if stale else 0
    files = generated_files()
    DDL_DIR.mkdir(parents=True, exist_ok=True)
    for orphan in (p for p in DDL_DIR.glob("*.sql") if p not in files):
        orphan.unlink()
        print(f"removed {orphan}")
    for path, text in files.items():
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
