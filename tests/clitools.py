"""The CLI's refusals run in the test process: ``main()`` as ``explorer`` would run it, up to its exit status 2; so
do the commands that start nothing (``report``, ``samples``, ``table``), each file keeping one real process of them.

Each refusal tested as a subprocess cost a Python start and the CLI's imports (0.12-0.2 s of CPU, some 75 runs in
the suite) to check what the argument checks decide before any server starts. Each file that tests refusals so
keeps one real ``explorer`` process refusing (the exit status and the one line as a shell sees them).
"""

from __future__ import annotations

import pytest


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    """``explorer ARGV`` in this process (every case given stops before a server starts): its one stderr line.

    Fails unless it ends with status 2, one line on stderr, no traceback and nothing on stdout."""
    from explorer.cli.main import main

    with pytest.raises(SystemExit) as stopped:
        main(list(argv))
    out, err = capsys.readouterr()
    assert stopped.value.code == 2, err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert out == "", out
    return err


def cli_in_process(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """``explorer ARGV`` in this process, for a command that starts no server and no process: its exit status,
    stdout and stderr (a Python start and the CLI's imports, ~0.3 s of CPU, saved a run)."""
    from explorer.cli.main import main

    capsys.readouterr()  # what the test printed before is not the command's
    with pytest.raises(SystemExit) as stopped:
        main(list(argv))
    out, err = capsys.readouterr()
    return int(stopped.value.code or 0), out, err
