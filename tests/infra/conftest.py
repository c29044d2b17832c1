"""Terraform of infra/terraform parsed with python-hcl2, in a shape tests can read.

python-hcl2 keeps string quotes (``'"Allow"'``) and wraps expressions in ``${...}``; ``normalise``
removes the quotes and the parser's bookkeeping keys, so a literal reads ``"Allow"`` and a
reference reads ``"${aws_s3_bucket.results.arn}"`` whichever way it was written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import hcl2
import pytest

ROOT = Path(__file__).resolve().parents[2]
TERRAFORM_DIR = ROOT / "infra" / "terraform"


def normalise(value: Any) -> Any:
    if isinstance(value, dict):
        return {unquote(k): normalise(v) for k, v in value.items() if not str(k).startswith("__")}
    if isinstance(value, list):
        return [normalise(v) for v in value]
    if isinstance(value, str):
        return unquote(value)
    return value


def unquote(text: str) -> str:
    if len(text) >= 2 and text[0] == '"' and text[-1] == '"':
        return text[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    return text


@dataclass
class Terraform:
    resources: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    data: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    variables: dict[str, dict[str, Any]] = field(default_factory=dict)
    outputs: dict[str, dict[str, Any]] = field(default_factory=dict)
    locals: dict[str, Any] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)
    blocks: dict[tuple[str, str], str] = field(default_factory=dict)  # resource -> file name

    def resource(self, type_: str, name: str) -> dict[str, Any]:
        assert (type_, name) in self.resources, f"no resource {type_}.{name} in infra/terraform"
        return self.resources[(type_, name)]

    def of_type(self, type_: str) -> dict[str, dict[str, Any]]:
        return {name: body for (t, name), body in self.resources.items() if t == type_}

    def policy_document(self, name: str) -> list[dict[str, Any]]:
        """The statements of a policy document, those of its source_policy_documents included."""
        assert ("aws_iam_policy_document", name) in self.data, f"no policy document {name}"
        document = self.data[("aws_iam_policy_document", name)]
        statements: list[dict[str, Any]] = []
        for source in document.get("source_policy_documents", []):
            match = re.fullmatch(r"\$\{data\.aws_iam_policy_document\.(\w+)\.json\}", source)
            assert match, f"{name}: source document {source} is not a policy document of the module"
            statements += self.policy_document(match.group(1))
        return statements + list(document.get("statement", []))

    def default(self, variable: str) -> Any:
        return self.variables[variable].get("default")


def load_terraform(directory: Path = TERRAFORM_DIR) -> Terraform:
    tf = Terraform()
    for path in sorted(directory.glob("*.tf")):
        text = path.read_text(encoding="utf-8")
        tf.texts[path.name] = text
        parsed = normalise(hcl2.loads(text))
        for block in parsed.get("resource", []):
            for type_, named in block.items():
                for name, body in named.items():
                    assert (type_, name) not in tf.resources, f"duplicate {type_}.{name}"
                    tf.resources[(type_, name)] = body
                    tf.blocks[(type_, name)] = path.name
        for block in parsed.get("data", []):
            for type_, named in block.items():
                for name, body in named.items():
                    tf.data[(type_, name)] = body
        for block in parsed.get("variable", []):
            tf.variables.update(block)
        for block in parsed.get("output", []):
            tf.outputs.update(block)
        for block in parsed.get("locals", []):
            tf.locals.update(block)
    return tf


@pytest.fixture(scope="session")
def tf() -> Terraform:
    return load_terraform()


_REFERENCE = re.compile(r"^\$\{(.*)\}$", re.S)


def expression(value: Any) -> str | None:
    """The expression inside ``${...}``, or None for a literal."""
    if not isinstance(value, str):
        return None
    match = _REFERENCE.match(value)
    return match.group(1).strip() if match else None
