#!/usr/bin/env python3
"""Writes docs/result.schema.json, the JSON Schema of the result (`--json`, the Action's `result` output),
from the pydantic models; run it after changing publisher/core/result.py. With --check, only says
whether the shipped file is current (exit 1 when stale), as tests/test_cli.py does in CI.

    .venv/bin/python scripts/json-schema.py [--check]
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from publisher.core.result import json_schema  # noqa: E402

SHIPPED = ROOT / "docs" / "result.schema.json"


def main(argv: list[str]) -> int:
    text = json_schema()
    if "--check" in argv:
        current = SHIPPED.exists() and SHIPPED.read_text(encoding="utf-8") == text
        print(f"{SHIPPED.relative_to(ROOT)}: {'current' if current else 'stale: run scripts/json-schema.py'}")
        return 0 if current else 1
    SHIPPED.write_text(text, encoding="utf-8")
    print(f"{SHIPPED.relative_to(ROOT)}: {len(text):,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
