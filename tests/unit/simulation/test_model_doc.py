"""docs/model.md, the users' page on the model, keeps up with the parameter registry."""

from __future__ import annotations

from pathlib import Path

from domain.parameters import PARAMETERS, REMOVED_PARAMETERS

MODEL_DOC = Path(__file__).resolve().parents[3] / "docs" / "model.md"


def test_every_parameter_has_a_row_with_its_default_in_the_model_page() -> None:
    rows = {
        line.split("|")[1].strip().strip("`"): line
        for line in MODEL_DOC.read_text().splitlines()
        if line.startswith("| `") and line.count("|") == 7  # the parameter table's six columns
    }
    for name, spec in PARAMETERS.items():
        assert name in rows, f"docs/model.md has no row for {name}"
        cells = [cell.strip() for cell in rows[name].split("|")]
        assert cells[2] == spec.kind, name
        default = cells[3].strip("`").strip('"')
        if spec.kind == "bool":
            assert default == str(spec.default).lower(), name
        elif spec.kind == "enum":
            assert default == spec.default, name
        else:
            assert float(default.replace(",", "")) == spec.default, name


def test_the_model_page_names_every_removed_parameter() -> None:
    text = MODEL_DOC.read_text()
    assert all(f"`{name}`" in text for name in REMOVED_PARAMETERS)
