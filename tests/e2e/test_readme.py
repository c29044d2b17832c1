"""Every command block of the README runs as written, in order, in one shell, from a copy of the
checkout: the README cannot drift from what the commands do.

Conventions in README.md (also what a reader sees):

- a ```` ```sh ```` block is run; ```` ``` ```` blocks without a language are output, not run;
- ``<!-- readme-test: skip (why) -->`` on the line before a block skips it and says why;
- ``<!-- readme-test: background (why) -->``: the block's last command serves until stopped, and
  is started in the background;
- a command's trailing comment ``# ... exits N ...`` is the exit code it must end with (0
  otherwise); a ``curl`` command whose comment starts with an HTTP status (``# 202 ...``) must
  be answered with it;
- a command that ends with ``&`` serves on the port it names: the next command waits for it.

The ports 8080 and 5000 of the README are replaced by free ones, so the test never meets another
server; everything else is run verbatim.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
HANG_GUARD_SECONDS = 900
FENCE = re.compile(r"^(?P<indent>\s*)```(?P<lang>\w*)\s*$")
ANNOTATION = re.compile(r"<!--\s*readme-test:\s*(?P<kind>skip|background)\b(?P<why>.*?)-->")
HEREDOC = re.compile(r"<<-?\s*'?(?P<end>\w+)'?")

pytestmark = [pytest.mark.slow, pytest.mark.skipif(shutil.which("curl") is None, reason="needs curl")]


@dataclass(frozen=True)
class Command:
    text: str
    line: int
    expected_exit: int
    expected_http: str | None
    background: bool = False


@dataclass(frozen=True)
class Block:
    line: int
    commands: tuple[Command, ...]
    annotation: str | None
    reason: str


def blocks(readme: str) -> list[Block]:
    lines = readme.splitlines()
    found: list[Block] = []
    i = 0
    while i < len(lines):
        fence = FENCE.match(lines[i])
        if fence is None:
            i += 1
            continue
        start, indent, lang = i, fence.group("indent"), fence.group("lang")
        i += 1
        body: list[str] = []
        while i < len(lines) and not FENCE.match(lines[i]):
            body.append(lines[i][len(indent) :] if lines[i].startswith(indent) else lines[i].lstrip())
            i += 1
        i += 1
        if lang != "sh":
            continue
        before = next((line for line in reversed(lines[:start]) if line.strip()), "")
        note = ANNOTATION.search(before)
        found.append(
            Block(
                start + 1,
                tuple(commands(body, start + 2)),
                note.group("kind") if note else None,
                note.group("why").strip(" ()") if note else "",
            )
        )
    return found


def commands(body: list[str], first_line: int) -> list[Command]:
    parsed: list[Command] = []
    i = 0
    while i < len(body):
        line = body[i]
        if not line.strip() or line.lstrip().startswith("#"):
            i += 1
            continue
        start = i
        text = [line]
        heredoc = HEREDOC.search(line)
        while text[-1].endswith("\\") and i + 1 < len(body):
            i += 1
            text.append(body[i])
        if heredoc is not None:
            while i + 1 < len(body) and body[i].strip() != heredoc.group("end"):
                i += 1
                text.append(body[i])
        i += 1
        comment = _comment(text[0])
        exits = re.search(r"\bexits (\d+)", comment)
        http = re.match(r"\s*(\d{3})(?=\s*[+:]|\s*$)", comment) if text[0].startswith("curl ") else None
        parsed.append(
            Command(
                "\n".join(text),
                first_line + start,
                int(exits.group(1)) if exits else 0,
                http.group(1) if http else None,
            )
        )
    return parsed


def _comment(line: str) -> str:
    """The trailing ``# ...`` of a command line (outside quotes)."""
    quote = None
    for j, char in enumerate(line):
        if char in "'\"" and quote in (None, char):
            quote = None if quote else char
        elif char == "#" and quote is None and (j == 0 or line[j - 1].isspace()):
            return line[j + 1 :]
    return ""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def script(found: list[Block], ports: dict[str, str], outputs: Path) -> str:
    parts = [
        "set -u",
        "trap 'kill $(jobs -p) 2>/dev/null; wait 2>/dev/null' EXIT",
        "wait_for_port() { for _ in $(seq 1 300); do (exec 3<>/dev/tcp/127.0.0.1/$1) 2>/dev/null && return 0;"
        ' sleep 0.1; done; echo "README-TEST: nothing listens on port $1" >&2; exit 96; }',
        'check() { if [ "$1" != "$2" ]; then echo "README-TEST-FAIL: line $3 exited $1, expected $2" >&2;'
        " exit 97; fi; }",
    ]
    number = 0
    for block in found:
        if block.annotation == "skip":
            continue
        for k, command in enumerate(block.commands):
            text = command.text
            for literal, replacement in ports.items():
                text = text.replace(literal, replacement)
            background = block.annotation == "background" and k == len(block.commands) - 1
            if background:
                text += " &"
            if text.startswith("curl "):
                text = "curl -w '\\n[http %{http_code}]\\n' " + text.removeprefix("curl ")
            number += 1
            out = outputs / f"{number:03d}-line{command.line}.txt"
            parts.append(f"# README line {command.line}")
            parts.append(f"{{ {text}\n}} > {shlex.quote(str(out))} 2>&1")
            parts.append(f"check $? {command.expected_exit} {command.line}")
            if command.expected_http:
                status = command.expected_http
                parts.append(
                    f"grep -q '\\[http {status}\\]' {shlex.quote(str(out))} || "
                    f"{{ echo 'README-TEST-FAIL: line {command.line} was not answered {status}' >&2;"
                    " exit 98; }"
                )
            port = re.search(r"(?:--port|-p)\s+(\d+)", text)
            if text.rstrip().endswith("&") and port:
                parts.append(f"wait_for_port {port.group(1)}")
    return "\n".join(parts) + "\n"


def checkout_copy(target: Path) -> None:
    listed = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    for name in listed:
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)  # times kept: make sees the venv's stamps as newer
    (target / ".venv").symlink_to(Path(sys.prefix))


def test_the_readme_parses_into_blocks_each_runnable_or_skipped_for_a_reason() -> None:
    found = blocks(README.read_text(encoding="utf-8"))

    assert len(found) >= 10
    for block in found:
        assert block.commands, f"README line {block.line}: an empty sh block"
        if block.annotation == "skip":
            assert block.reason, f"README line {block.line}: a skipped block says why"


def test_every_command_block_of_the_readme_runs_as_written(tmp_path: Path) -> None:
    work = tmp_path / "checkout"
    outputs = tmp_path / "outputs"
    work.mkdir()
    outputs.mkdir()
    checkout_copy(work)
    ports = {
        "127.0.0.1:8080": f"127.0.0.1:{free_port()}",
        "127.0.0.1:5000": f"127.0.0.1:{free_port()}",
    }
    ports["--port 8080"] = "--port " + ports["127.0.0.1:8080"].rsplit(":", 1)[1]
    ports["-p 5000"] = "-p " + ports["127.0.0.1:5000"].rsplit(":", 1)[1]
    found = blocks(README.read_text(encoding="utf-8"))
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("AWS_", "SWEEP_", "SHARD_", "MAX_", "RUNTIME_LOG", "LOG_LEVEL"))
    }

    done = subprocess.run(
        ["bash", "-c", script(found, ports, outputs)],
        cwd=work,
        env=environment,
        capture_output=True,
        text=True,
        timeout=HANG_GUARD_SECONDS,
        check=False,
    )

    if done.returncode != 0:
        last = sorted(outputs.iterdir())[-1] if any(outputs.iterdir()) else None
        shown = last.read_text(encoding="utf-8", errors="replace")[-4000:] if last else ""
        pytest.fail(f"{done.stderr.strip()[-2000:]}\n--- output of {last.name if last else '-'}:\n{shown}")
