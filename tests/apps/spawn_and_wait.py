"""Start a Flask and a FastAPI server, print their PIDs as JSON, then wait to be killed in some way.

Used by the exit-path tests: the test kills this process as a user's terminal or OS would and
then checks that no server PID survives it. The servers run the small pair beside this file
(parity_flask.py, parity_fastapi.py), not the demos: what ends them is the keepers' doing, and
each start costs less (tests/test_exit_paths.py runs the demos for ctrl+q).
"""

import asyncio
import json
import signal
import sys
from pathlib import Path

from explorer.apps.targets import specs_from_options
from explorer.runtime.session import Session


async def main() -> None:
    flask_server = sys.argv[1] if len(sys.argv) > 1 else "dev"
    here = Path(__file__).parent
    session = Session(specs_from_options("parity_flask:app", "parity_fastapi:app", here, flask_server))
    await session.start()
    import psutil

    pids = []
    for server in session.supervisor:
        pids += [server.status.pid] + [c.pid for c in psutil.Process(server.status.pid).children(recursive=True)]
    print(json.dumps(pids), flush=True)
    await asyncio.Event().wait()


# Started from `nohup` or a shell's background job, this process inherits SIGHUP/SIGINT ignored, and the
# test's signal would never reach it: take the defaults a terminal's foreground process has.
signal.signal(signal.SIGINT, signal.default_int_handler)
signal.signal(signal.SIGHUP, signal.SIG_DFL)
asyncio.run(main())
