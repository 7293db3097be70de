"""Setup and teardown steps: requests, or commands run next to each app, before and after a suite.

Parity against apps with persistent state (a database file, a folder of uploads) must start from the
same state every time. A step is a request entry (sent to both apps, its answer not compared, its
captures kept for the suite) or a command::

    setup:
      - {command: "python reset_db.py", timeout: 20}
      - {name: login, method: POST, path: /login, body: {...}, capture: {token: json.token}}

A command runs once per app (``framework: flask`` or ``fastapi`` for one of them), in that app's
folder, with the environment its server gets, split like a shell line but never run by a shell. It
runs under a keeper, so whatever it starts ends with it, and it is killed past its ``timeout``.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from explorer.parity.entry import ParityCase, ParityFileError, brief, parse_case

__all__ = ["CommandStep", "StepResult", "parse_step", "run_command"]

COMMAND_KEYS = ("name", "command", "framework", "timeout")
DEFAULT_TIMEOUT = 60.0
MAX_TIMEOUT = 600.0
_TAIL_LINES = 20
_OUTPUT_LIMIT = 1 << 20


@dataclass(frozen=True)
class CommandStep:
    """A command to run in each app's folder (or one app's, ``frameworks``), within ``timeout`` seconds."""

    name: str
    argv: tuple[str, ...]
    frameworks: tuple[str, ...] = ("flask", "fastapi")
    timeout: float = DEFAULT_TIMEOUT

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "command": shlex.join(self.argv), "frameworks": list(self.frameworks),
                "timeout": self.timeout}  # fmt: skip


@dataclass(frozen=True)
class StepResult:
    """What one step did for one app: an exit code or a status, the last lines of output, an error."""

    phase: str  # setup or teardown
    name: str
    framework: str
    ok: bool
    detail: str  # "exit 0", "201 Created", or why it failed
    output: tuple[str, ...] = ()

    def line(self) -> str:
        return f"{self.phase} {self.name} ({self.framework}): {self.detail}"

    def to_dict(self) -> dict[str, Any]:
        return {"phase": self.phase, "name": self.name, "framework": self.framework, "ok": self.ok,
                "detail": self.detail, "output": list(self.output), "line": self.line()}  # fmt: skip


def parse_step(item: Any, where: str, folder: Path | None = None) -> ParityCase | CommandStep:
    """A request entry, or a mapping with ``command``."""
    if not isinstance(item, dict) or "command" not in item:
        return parse_case(item, where, folder)
    unknown = [k for k in item if k not in COMMAND_KEYS]
    if unknown:
        raise ParityFileError(
            f"{where}: unknown key {brief(unknown[0])} in a command step; use {', '.join(COMMAND_KEYS)}"
        )
    command = item["command"]
    try:
        argv = tuple(shlex.split(command)) if isinstance(command, str) else None
    except ValueError as exc:
        raise ParityFileError(f"{where}: the command cannot be split like a shell line: {exc}") from None
    if isinstance(command, list) and command and all(isinstance(c, str) for c in command):
        argv = tuple(command)
    if not argv:
        raise ParityFileError(f"{where}: 'command' must be a command line or a list of arguments")
    if any("\x00" in a for a in argv):
        raise ParityFileError(f"{where}: the command contains a NUL character")
    framework = item.get("framework", "both")
    if framework not in ("flask", "fastapi", "both"):
        raise ParityFileError(f"{where}: 'framework' must be flask, fastapi or both, got {brief(framework)}")
    timeout = item.get("timeout", DEFAULT_TIMEOUT)
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not 0 < timeout <= MAX_TIMEOUT:
        raise ParityFileError(f"{where}: 'timeout' must be a number of seconds up to {MAX_TIMEOUT:g}")
    name = item.get("name")
    if name is not None and (not isinstance(name, str) or not name.strip()):
        raise ParityFileError(f"{where}: 'name' must be non-empty text")
    frameworks = ("flask", "fastapi") if framework == "both" else (framework,)
    return CommandStep(name.strip() if name else shlex.join(argv)[:60], argv, frameworks, float(timeout))


async def run_command(step: CommandStep, spec: Any, phase: str) -> StepResult:
    """Run ``step`` for the app of ``spec`` (a :class:`~explorer.runtime.specs.ServerSpec`)."""
    from explorer.runtime.keeper import spawn_kept
    from explorer.runtime.servers import server_env

    env = server_env(spec)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", os.defpath)])
    folder = str(spec.app_dir) if spec.app_dir else None
    try:
        kept = await spawn_kept(list(step.argv), env=env, cwd=folder)
    except OSError as exc:
        return StepResult(phase, step.name, spec.framework, False, f"could not start {step.argv[0]!r}: {exc}")
    assert kept.proc.stdout is not None
    printed = bytearray()
    reading = asyncio.create_task(_read(kept.proc.stdout, printed))
    try:
        code = await asyncio.wait_for(asyncio.shield(kept.wait()), step.timeout)
    except BaseException as exc:  # time-out or cancellation: never leave the command behind
        kept.kill_now()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(kept.wait()), 5.0)
        reading.cancel()
        if not isinstance(exc, TimeoutError):
            raise
        return StepResult(phase, step.name, spec.framework, False, f"did not finish within {step.timeout:g} s",
                          _tail(printed))  # fmt: skip
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(reading, 1.0)
    detail = "exit 0" if code == 0 else f"failed with exit code {code}"
    return StepResult(phase, step.name, spec.framework, code == 0, detail, _tail(printed))


async def _read(stream: asyncio.StreamReader, into: bytearray) -> None:
    while chunk := await stream.read(65536):
        into += chunk
        if len(into) > _OUTPUT_LIMIT:
            del into[: len(into) - _OUTPUT_LIMIT]


def _tail(output: bytearray) -> tuple[str, ...]:
    lines = bytes(output).decode("utf-8", "replace").splitlines()
    return tuple(line[:400] for line in lines[-_TAIL_LINES:])
