"""The JSON Schema in docs/reference/ must match the models (regenerate when the models change)."""

from reportgen.schema.jsonschema import schema_texts
from tests.conftest import REPO


def test_exported_json_schema_matches_models():
    for name, text in schema_texts().items():
        path = REPO / "docs" / "reference" / name
        assert path.is_file(), (
            f"{path} is missing: run python -m reportgen.schema.jsonschema docs/reference"
        )
        assert path.read_text(encoding="utf-8") == text, (
            f"{path} drifted from the models: run python -m reportgen.schema.jsonschema docs/reference"
        )
