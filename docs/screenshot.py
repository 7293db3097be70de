"""Export the README screenshot: the app after sending GET /items/abc, Validation tab open.

.venv/bin/python docs/screenshot.py   (or: make screenshot)
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from explorer.runtime.http.request import RequestSpec
from explorer.tui.app import ExplorerApp
from tests.apptools import in_answers, send_and_wait, servers_ready, until

OUT = Path(__file__).resolve().parent / "screenshot.svg"


async def main() -> None:
    app = ExplorerApp(initial=RequestSpec("GET", "/items/abc"))
    async with app.run_test(size=(160, 48)) as pilot:
        await servers_ready(pilot)
        await send_and_wait(pilot)  # warm-up: the first request on each server includes one-off setup
        await send_and_wait(pilot)
        await until(pilot, lambda: in_answers(app))  # a send from the list hands the keyboard to the answers
        await pilot.press("3")  # the Validation tab
        await pilot.pause()
        app.save_screenshot(filename=OUT.name, path=str(OUT.parent))
    print(f"wrote {OUT}")


if __name__ == "__main__":
    asyncio.run(main())
