"""Start both demo servers, print their PIDs as JSON, then wait to be killed in some way.

Used by the exit-path tests: the test kills this process as a user's terminal or OS would and
then checks that no server PID survives it.
"""

import asyncio
import json
import sys

from explorer.apps.bundled import demo_spec
from explorer.runtime.session import Session


async def main() -> None:
    flask_server = sys.argv[1] if len(sys.argv) > 1 else "dev"
    session = Session([demo_spec("flask", flask_server), demo_spec("fastapi")])
    await session.start()
    import psutil

    pids = []
    for server in session.supervisor:
        pids += [server.status.pid] + [c.pid for c in psutil.Process(server.status.pid).children(recursive=True)]
    print(json.dumps(pids), flush=True)
    await asyncio.Event().wait()


asyncio.run(main())
