"""What the app has loaded when its first frame is drawn (issue 24: the first paint).

``tests/test_startup.py`` checks the modules loaded until the app is built; these are loaded later, while
its first screen is composed and drawn, or were loaded by a module the first screen needs for something else:
each costs milliseconds of the first paint (``benchmarks/first_paint.py``) and is needed only later.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

# The app run headless until its first frame is drawn, its servers never started; then the modules loaded.
UNTIL_THE_FIRST_FRAME = """
import json, sys
from explorer.tui.app import ExplorerApp
from explorer.tui.lifecycle import Lifecycle

def boot(self, then):
    def first_frame():
        print(json.dumps(sorted(sys.modules)))
        self.app.exit()
    self.app.call_after_refresh(first_frame)

Lifecycle.boot = boot
ExplorerApp().run(headless=True, size=(160, 48))
"""

NOT_AT_THE_FIRST_FRAME = (
    "rich._emoji_codes",  # Rich's emoji table: a Tree label given as a str is read as markup
    "statistics",  # medians: of a measurement, of an exported session's requests
    "explorer.runtime.http.curl",  # reading a pasted curl command (~1% of the instructions to the first frame)
    # What the first frame does not draw, ~1% of its instructions together (2026-12-07, issue 24):
    "explorer.runtime.servers.kept",  # starting a server (its keeper, the checks before it): after the first frame
    "explorer.runtime.servers.prestart",
    "explorer.runtime.http.cookies",  # the jars: with the first request
    "explorer.runtime.http.pasted",  # a pasted URL or curl command: on the first paste or send
    "explorer.content.comparison",  # the comparison table's rows: the table screen, a report, a measurement
    "explorer.content.explain",  # these three draw an answer
    "panels.header_table",
    "panels.timings_text",
    "panels.routes",  # the user's apps' routes, in place of the demos' samples
    # TextArea and what it loads (~2% of the instructions to the first frame): the editor and the answers' bodies
    # are stand-ins in the first frame (panels/editor_blank.py, panels.body_view.BodyBlank)
    "textual.widgets._text_area",
    "textual.document._document",
    "tree_sitter",
    "panels.text_areas",
    "panels.editor_parts",
)


def test_the_first_frame_loads_no_module_it_does_not_draw(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", UNTIL_THE_FIRST_FRAME],
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "PYTHONDONTWRITEBYTECODE": "1"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    modules = set(json.loads(result.stdout.splitlines()[-1]))
    assert "panels.samples" in modules  # the first screen was composed
    assert [name for name in NOT_AT_THE_FIRST_FRAME if name in modules] == []
