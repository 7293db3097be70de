"""Run the real app in a pseudo-terminal, as a user's terminal would, and find its servers."""

from __future__ import annotations

import fcntl
import http.client
import os
import select
import struct
import subprocess
import sys
import termios
import time

import psutil


def _controlling_tty() -> None:
    """In the child, after setsid: make the pty our controlling terminal, so closing it sends SIGHUP."""
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


# A session leader that behaves as make does under `make run`: it survives SIGHUP (a handler, not
# SIG_IGN, which the app would inherit) and waits for its child, so a closed terminal sends the app no
# signal at all.
MAKE_LIKE_LEADER = (
    "import signal, subprocess, sys; signal.signal(signal.SIGHUP, lambda *a: None); "
    "sys.exit(subprocess.call(sys.argv[1:]))"
)


class PtyApp:
    """``explorer`` in a pty, 160x48 unless ``size`` (columns, lines) says otherwise; the test plays the terminal.

    ``under_make`` starts it below a make-like session leader instead of as the leader itself.
    """

    def __init__(
        self,
        *args: str,
        env: dict[str, str] | None = None,
        cwd: str | os.PathLike[str] | None = None,
        under_make: bool = False,
        size: tuple[int, int] = (160, 48),
    ) -> None:
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", size[1], size[0], 0, 0))
        # the pty's size is the terminal's: COLUMNS and LINES (set in pytest-xdist's workers, 80 and 24) would
        # override it (shutil.get_terminal_size), and a resize would reach the app as no change at all
        inherited = {key: value for key, value in os.environ.items() if key not in ("COLUMNS", "LINES")}
        full_env = {**inherited, "TERM": "xterm-256color", **(env or {})}
        leader = [sys.executable, "-c", MAKE_LIKE_LEADER] if under_make else []
        self.proc = subprocess.Popen(
            [*leader, sys.executable, "-m", "explorer", *args],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=full_env,
            start_new_session=True,
            preexec_fn=_controlling_tty,
            cwd=cwd,
        )
        os.close(slave)
        self.output = b""
        self.master_open = True

    def pump(self, seconds: float = 0.05) -> None:
        """Read what the app drew (a terminal must, or the app blocks on a full pty)."""
        if self.master_open and select.select([self.master], [], [], seconds)[0]:
            try:
                self.output += os.read(self.master, 1 << 20)[-200_000:]
            except OSError:
                pass

    def write(self, data: bytes) -> None:
        os.write(self.master, data)

    def close_terminal(self) -> None:
        os.close(self.master)
        self.master_open = False

    def server_pids(self, timeout: float = 20.0) -> list[int]:
        """Wait until both servers answer HTTP; return every process under the app (servers, workers)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.pump()
            serving = [p for p in _children(self.proc.pid) if "explorer.runtime.child.serve" in " ".join(_cmdline(p))]
            pids = {p.pid for p in serving}
            servers = [p for p in serving if _ppid(p) not in pids]  # a gunicorn worker carries its master's argv
            ports = [port for p in servers for port in _listening_ports(p)]
            if len(servers) == 2 and len(ports) == 2 and all(_answers(port) for port in ports):
                return [p.pid for p in _children(self.proc.pid)]
        raise AssertionError(f"servers not ready within {timeout} s")

    def wait_exit(self, timeout: float = 15.0) -> int | None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return self.proc.returncode
            self.pump()
        return None

    def cleanup(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if self.master_open:
            os.close(self.master)
            self.master_open = False


def _children(pid: int) -> list[psutil.Process]:
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def _cmdline(proc: psutil.Process) -> list[str]:
    try:
        return proc.cmdline()
    except (psutil.NoSuchProcess, psutil.ZombieProcess, psutil.AccessDenied):
        return []


def _listening_ports(proc: psutil.Process) -> list[int]:
    try:
        return [c.laddr.port for c in proc.net_connections("tcp") if c.status == psutil.CONN_LISTEN]
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return []


def _answers(port: int) -> bool:
    """One probe; the connection is closed whatever happens (a probe that times out while the app is
    still importing would otherwise leave its socket to the garbage collector, a ResourceWarning)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
    try:
        conn.request("GET", "/.well-known/explorer-probe")
        conn.getresponse().read()
        return True
    except OSError:
        return False
    finally:
        conn.close()


def _ppid(process: psutil.Process) -> int | None:
    try:
        return process.ppid()
    except psutil.Error:  # gone between listing and reading
        return None
