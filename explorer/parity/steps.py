"""Setup and teardown steps: requests, or commands run next to each app, before and after a suite.

Parity against apps with persistent state (a database file, a folder of uploads) must start from the
same state every time. A step is a request entry (sent to both apps, its answer not compared, its
captures kept for the suite) or a command::

    setup:
      - {command: "python reset_db.py", timeout: 20}          # each app, or `framework: flask` for one
      - name: fresh database                                  # each app its own command
        flask: {command: "flask --app blog init-db"}
        fastapi: {command: "python -m blog.db"}
      - {name: login, method: POST, path: /login, body: {...}, capture: {token: json.token}}

A command runs for an app the way that app's set-up command runs (:mod:`explorer.runtime.servers.prestart`):
in its folder, with its interpreter's ``bin`` first on PATH and its environment (the allow-list, its
env file and variables), split like a shell line but never run by a shell, under a keeper (whatever
it starts ends with it), killed past its ``timeout``. Its output goes to that app's log as well.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from explorer.parity.entry import ParityCase, ParityFileError, brief, parse_case
from explorer.runtime.frameworks import FRAMEWORKS

__all__ = ["COMMAND_KEYS", "CommandStep", "StepResult", "is_command_step", "parse_step", "run_command"]

COMMAND_KEYS = ("name", "command", "framework", "timeout", *FRAMEWORKS)
APP_KEYS = ("command", "timeout")  # what a `flask:` or `fastapi:` block of a command step may hold
DEFAULT_TIMEOUT = 60.0
MAX_TIMEOUT = 600.0
_TAIL_LINES = 20


@dataclass(frozen=True)
class CommandStep:
    """A command to run for each app (or one app's, ``frameworks``), within ``timeout`` seconds.

    ``argv`` and ``timeout`` are the shared ones; ``own`` holds an app's own command and time-out
    (from its ``flask:`` or ``fastapi:`` block), which win for that app.
    """

    name: str
    argv: tuple[str, ...]
    frameworks: tuple[str, ...] = FRAMEWORKS
    timeout: float = DEFAULT_TIMEOUT
    own: tuple[tuple[str, tuple[str, ...], float], ...] = ()

    def for_app(self, framework: str) -> tuple[tuple[str, ...], float]:
        """The command line and the time-out for one app."""
        for name, argv, timeout in self.own:
            if name == framework:
                return argv, timeout
        return self.argv, self.timeout

    def to_dict(self) -> dict[str, Any]:
        commands = {fw: shlex.join(self.for_app(fw)[0]) for fw in self.frameworks}
        return {
            "name": self.name,
            "command": shlex.join(self.argv) if self.argv else None,
            "commands": commands,
            "frameworks": list(self.frameworks),
            "timeout": self.timeout,
        }


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
        return {
            "phase": self.phase,
            "name": self.name,
            "framework": self.framework,
            "ok": self.ok,
            "detail": self.detail,
            "output": list(self.output),
            "line": self.line(),
        }


def is_command_step(item: Any) -> bool:
    """A mapping with ``command``, or with a ``flask:``/``fastapi:`` block that has one."""
    if not isinstance(item, dict):
        return False
    return "command" in item or any(isinstance(item.get(fw), dict) and "command" in item[fw] for fw in FRAMEWORKS)


def _argv(command: Any, where: str) -> tuple[str, ...]:
    if isinstance(command, list) and command and all(isinstance(c, str) for c in command):
        argv: tuple[str, ...] = tuple(command)
    elif isinstance(command, str):
        try:
            argv = tuple(shlex.split(command))
        except ValueError as exc:
            raise ParityFileError(f"{where}: the command cannot be split like a shell line: {exc}") from None
    else:
        argv = ()
    if not argv:
        raise ParityFileError(f"{where}: 'command' must be a command line or a list of arguments")
    if any("\x00" in a for a in argv):
        raise ParityFileError(f"{where}: the command contains a NUL character")
    return argv


def _timeout(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= MAX_TIMEOUT:
        raise ParityFileError(f"{where}: 'timeout' must be a number of seconds up to {MAX_TIMEOUT:g}")
    return float(value)


def parse_step(item: Any, where: str, folder: Path | None = None) -> ParityCase | CommandStep:
    """A request entry, or a command step (:func:`is_command_step`)."""
    if not is_command_step(item):
        return parse_case(item, where, folder)
    unknown = [k for k in item if k not in COMMAND_KEYS]
    if unknown:
        raise ParityFileError(
            f"{where}: unknown key {brief(unknown[0])} in a command step; use {', '.join(COMMAND_KEYS)}"
        )
    argv = _argv(item["command"], where) if "command" in item else ()
    timeout = _timeout(item.get("timeout", DEFAULT_TIMEOUT), where)
    own = []
    for fw in FRAMEWORKS:
        if fw not in item:
            continue
        block, here = item[fw], f"{where} ({fw})"
        if not isinstance(block, dict) or not block:
            raise ParityFileError(f"{here}: must be a mapping with {', '.join(APP_KEYS)}")
        bad = [k for k in block if k not in APP_KEYS]
        if bad:
            raise ParityFileError(
                f"{here}: unknown key {brief(bad[0])}; a command step's {fw}: block takes {', '.join(APP_KEYS)}"
            )
        own_argv = _argv(block["command"], here) if "command" in block else argv
        if not own_argv:
            raise ParityFileError(f"{here}: no command for the {fw} app")
        own.append((fw, own_argv, _timeout(block.get("timeout", timeout), here)))
    framework = item.get("framework", "both" if argv else None)
    if framework is None:  # only the apps with a command of their own
        frameworks = tuple(fw for fw, _, _ in own)
    elif framework in (*FRAMEWORKS, "both"):
        frameworks = FRAMEWORKS if framework == "both" else (framework,)
    else:
        raise ParityFileError(f"{where}: 'framework' must be flask, fastapi or both, got {brief(framework)}")
    unused = [fw for fw, _, _ in own if fw not in frameworks]
    if unused:
        raise ParityFileError(f"{where}: a {unused[0]}: block, but the step runs only for {frameworks[0]}")
    missing = [fw for fw in frameworks if not argv and fw not in {name for name, _, _ in own}]
    if missing:
        raise ParityFileError(f"{where}: no command for the {missing[0]} app (give 'command' or a {missing[0]}: block)")
    name = item.get("name")
    if name is not None and (not isinstance(name, str) or not name.strip()):
        raise ParityFileError(f"{where}: 'name' must be non-empty text")
    shown = shlex.join(argv or own[0][1])[:60]
    return CommandStep(name.strip() if name else shown, argv, frameworks, timeout, tuple(own))


async def run_command(step: CommandStep, spec: Any, phase: str, log: Any = None) -> StepResult:
    """Run ``step`` for the app of ``spec`` (a :class:`~explorer.runtime.servers.specs.ServerSpec`) as its set-up runs.

    ``log`` (the app's :class:`~explorer.runtime.servers.logbuffer.LogBuffer`) gets a line naming the step,
    each line it printed and how it ended.
    """
    from explorer.runtime.servers.logbuffer import LogBuffer
    from explorer.runtime.servers.prestart import run_kept

    argv, timeout = step.for_app(spec.framework)
    kept = LogBuffer(max_lines=_TAIL_LINES, max_line_chars=400)
    if log is not None:
        log.write(f"parity {phase} step {step.name!r}: {shlex.join(argv)} (in {spec.app_dir or 'the current folder'})")

        def mirror(lines: list[str]) -> None:
            for line in lines:
                log.write(f"{phase} | {line}")

        kept.subscribe(mirror)
    try:
        code = await run_kept(list(argv), spec, timeout, kept.feed)
    except OSError as exc:
        detail = f"could not start {argv[0]!r}: {exc}"
        if log is not None:
            log.write(f"parity {phase} step {step.name!r}: {detail}")
        return StepResult(phase, step.name, spec.framework, False, detail)
    kept.flush()
    if code is None:
        detail = f"did not finish within {timeout:g} s"
    else:
        detail = "exit 0" if code == 0 else f"failed with exit code {code}"
    if log is not None:
        log.write(f"parity {phase} step {step.name!r}: {detail}")
    return StepResult(phase, step.name, spec.framework, code == 0, detail, tuple(kept.lines()))
