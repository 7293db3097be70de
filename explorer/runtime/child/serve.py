"""Child-process entry point: run one web app on a listening socket handed down by the supervisor.

``python .../explorer/runtime/child/bootstrap.py explorer.runtime.child.serve KIND TARGET --fd N [--framework flask|fastapi]
[--parent PID] [--workers W] [--threads T]``

It may run under the user's own interpreter (``--flask-python``), so it imports the standard library
and the server it runs, nothing else; :mod:`explorer.runtime.child.bootstrap` starts it there without putting
the explorer's packages on the path. ``TARGET`` is found by :mod:`explorer.runtime.child.apptarget`
(factories, dotted attributes) and checked against ``--framework``.

Kinds: ``werkzeug`` (the dev server), ``gunicorn`` (gthread), ``gunicorn-gevent`` (gevent workers),
``uvicorn`` (one process), ``gunicorn-uvicorn`` (gunicorn with W uvicorn workers), ``granian-wsgi``
and ``granian-asgi`` (one Rust server for both kinds of app). Each imports only the standard library
and the server it runs, so this child works under any interpreter that has that server installed.

The supervisor binds 127.0.0.1 itself and passes the socket, so the port is known before the
child starts and no other interface is ever bound. The socket is made close-on-exec at once, so a
program the app runs does not inherit it (a forked copy of the server still does; the keeper above
this process ends those). Before anything else the child arranges to die with its parent (the
keeper, by default): a parent-death signal on Linux, and everywhere a watchdog thread that notices a
changed parent PID. Gunicorn workers get the same signal in their ``post_fork`` hook.
"""

from __future__ import annotations

import argparse
import inspect
import os
import socket
import sys
from typing import Any, Optional

from explorer.runtime.child import apptarget
from explorer.runtime.child.procs import die_with_parent

KINDS = ("werkzeug", "gunicorn", "gunicorn-gevent", "uvicorn", "gunicorn-uvicorn", "granian-wsgi", "granian-asgi")
_FRAMEWORK: Optional[str] = None  # set by main(): the framework the app was given for
# uvicorn's loop and parser, named: its "auto" would silently take uvloop (or h11 without httptools) as installed,
# and every FastAPI figure would change with the machine. What ServerSpec.loop and .parser say.
UVICORN_PINNED = {"loop": "asyncio", "http": "httptools"}


def load_app(target: str) -> Any:
    """The app ``target`` names, checked for its framework; a failure is logged and ends the process."""
    return apptarget.load_app(target, _FRAMEWORK)


def serve_werkzeug(target: str, fd: int) -> None:
    """What ``flask run`` gives a learner: Werkzeug's threaded dev server, never its debugger."""
    from werkzeug.serving import make_server

    app = load_app(target)
    server = make_server("127.0.0.1", 0, app, threaded=True, fd=fd)
    host, port = server.socket.getsockname()[:2]
    print(f" * Serving {target} on Werkzeug's development server (threaded, debugger off)", flush=True)
    print(f" * Running on http://{host}:{port}", flush=True)
    server.serve_forever()


def serve_uvicorn(target: str, fd: int) -> None:
    """One uvicorn process, access log off (the usual production setting)."""
    import uvicorn

    app = load_app(target)
    options: dict[str, Any] = {
        "access_log": False,
        "log_level": "info",
        "timeout_graceful_shutdown": 2,
        **UVICORN_PINNED,
    }
    known = inspect.signature(uvicorn.Config).parameters  # an app's own venv may hold an older uvicorn
    config = uvicorn.Config(app, **{key: value for key, value in options.items() if key in known})
    uvicorn.Server(config).run(sockets=[socket.socket(fileno=fd)])


def pinned_uvicorn_worker() -> Any:
    """Gunicorn's uvicorn worker on :data:`UVICORN_PINNED`, as the plain uvicorn start: its own choice ("auto")
    takes uvloop whenever it is importable, so the gunicorn pair's FastAPI ran another loop on another machine."""
    from uvicorn.workers import UvicornWorker

    class PinnedUvicornWorker(UvicornWorker):
        CONFIG_KWARGS = {**UvicornWorker.CONFIG_KWARGS, **UVICORN_PINNED}

    return PinnedUvicornWorker


def _post_fork(server: Any, worker: Any) -> None:
    die_with_parent(os.getppid(), watch=False)  # threads do not survive fork: gunicorn checks its parent itself
    _close_on_exec(worker.sockets)


def _when_ready(server: Any) -> None:
    _close_on_exec(server.LISTENERS)


def _close_on_exec(listeners: Any) -> None:
    """Gunicorn marks its sockets inheritable (for its re-exec upgrade, unused here): undo that."""
    for listener in listeners or ():
        try:
            listener.sock.set_inheritable(False)
        except (AttributeError, OSError):
            pass


def serve_gunicorn(target: str, fd: int, workers: int, threads: int, worker_class: Any) -> None:
    """Gunicorn configured in code: gthread or gevent for Flask, the uvicorn worker for FastAPI.

    The gevent worker monkey-patches the standard library in each worker as it starts (so Flask's
    ``time.sleep`` yields to other requests) and takes up to ``worker_connections`` at once; here
    ``threads`` sets that number, so one option means "how many requests a worker holds".
    """
    from gunicorn.app.base import BaseApplication

    options = {
        "bind": [f"fd://{fd}"],
        "workers": workers,
        "threads": threads if worker_class == "gthread" else 1,
        "worker_class": worker_class,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "info",
        "graceful_timeout": 2,
        "control_socket_disable": True,  # gunicorn >= 24 would otherwise share one ctl socket file
        "post_fork": _post_fork,
        "when_ready": _when_ready,
        "proc_name": f"explorer:{target}",
    }
    if worker_class == "gevent":  # gthread keeps worker_connections - threads connections alive: leave it be
        options["worker_connections"] = threads

    class Application(BaseApplication):
        def load_config(self) -> None:
            for key, value in options.items():
                if key in self.cfg.settings:  # an older gunicorn (in an app's own venv) lacks the newest settings
                    self.cfg.set(key, value)

        def load(self) -> Any:
            return load_app(target)

    sys.argv = [sys.argv[0]]  # gunicorn re-reads argv; ours are not its options
    Application().run()


def serve_granian(target: str, fd: int, interface: str, threads: int) -> None:
    """Granian (a Rust HTTP server) on our socket: one worker process, the asyncio loop, ``threads`` for WSGI.

    Granian binds its own port unless it is handed a socket; the subclass below hands it ours, the
    way its Windows path does, so nothing but 127.0.0.1 is ever bound. WSGI apps run on ``threads``
    blocking threads (the same number gthread gets); ASGI apps on the asyncio loop (not uvloop, so
    FastAPI's figures do not change with what happens to be installed).
    """
    import socket as socket_module

    from granian.constants import Interfaces, Loops
    from granian.net import SocketHolder
    from granian.server import Server

    class OnOurSocket(Server):  # type: ignore[misc,valid-type]  # granian picks Server at import: a variable to mypy
        def _init_shared_socket(self) -> None:
            self._ssp = None
            self._shd = SocketHolder(fd, False, 1024)  # type: ignore[call-arg]  # _granian.pyi leaves out its constructor
            self._sfd = fd
            sock = socket_module.socket(fileno=fd)
            sock.set_inheritable(True)
            self._sso = sock

    def load() -> Any:
        die_with_parent(os.getppid(), watch=False)  # in the worker process granian forks
        return load_app(target)

    wsgi = interface == "wsgi"
    listening = socket_module.socket(fileno=os.dup(fd))
    host, port = listening.getsockname()[:2]  # for granian's own log line
    # Accepted sockets inherit this on Linux. Granian's WSGI side writes an answer in more than one
    # segment, and without it Nagle holds the last until the client's delayed ACK: 40 ms an answer.
    listening.setsockopt(socket_module.IPPROTO_TCP, socket_module.TCP_NODELAY, 1)
    server = OnOurSocket(
        target,
        address=host,
        port=port,
        interface=Interfaces.WSGI if wsgi else Interfaces.ASGI,
        workers=1,
        loop=Loops.asyncio,
        blocking_threads=threads if wsgi else 1,
        log_access=False,
        websockets=False,
    )
    print(f" * Serving {target} on granian ({interface}, 1 worker)", flush=True)
    server.serve(target_loader=lambda *_: load(), wrap_loader=False)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="explorer.runtime.child.serve")
    parser.add_argument("kind", choices=KINDS)
    parser.add_argument("target")
    parser.add_argument("--fd", type=int, required=True)
    parser.add_argument("--parent", type=int, default=os.getppid())
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--framework", choices=("flask", "fastapi"))
    args = parser.parse_args(argv)
    global _FRAMEWORK
    _FRAMEWORK = args.framework
    os.set_inheritable(args.fd, False)
    die_with_parent(args.parent)
    if args.kind == "werkzeug":
        serve_werkzeug(args.target, args.fd)
    elif args.kind == "uvicorn":
        serve_uvicorn(args.target, args.fd)
    elif args.kind == "gunicorn":
        serve_gunicorn(args.target, args.fd, args.workers, args.threads, "gthread")
    elif args.kind == "gunicorn-gevent":
        serve_gunicorn(args.target, args.fd, args.workers, args.threads, "gevent")
    elif args.kind.startswith("granian-"):
        serve_granian(args.target, args.fd, args.kind[len("granian-") :], args.threads)
    else:
        serve_gunicorn(args.target, args.fd, args.workers, 1, pinned_uvicorn_worker())


if __name__ == "__main__":
    main()
