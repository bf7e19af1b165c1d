"""The JSON Schema of the persisted records, exported into ``docs/reference/``.

python -m reportgen.schema.jsonschema docs/reference
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from reportgen.schema.study import StudySpec
from reportgen.schema.trial import TrialRecord

EXPORTED = {"study-spec.schema.json": StudySpec, "trial-record.schema.json": TrialRecord}


def schema_texts() -> dict[str, str]:
    """File name → canonical JSON text of each record's JSON Schema."""
    return {
        name: json.dumps(model.model_json_schema(mode="validation"), indent=2, sort_keys=True)
        + "\n"
        for name, model in EXPORTED.items()
    }


def main(argv: list[str]) -> int:
    out = Path(argv[0] if argv else "docs/reference")
    out.mkdir(parents=True, exist_ok=True)
    for name, text in schema_texts().items():
        (out / name).write_text(text, encoding="utf-8")
        print(out / name)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
