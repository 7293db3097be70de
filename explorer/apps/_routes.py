"""Child-process entry point: print a Flask app's URL map as JSON, then exit.

``python -m explorer.apps._routes MODULE:ATTR [--parent PID]``

Flask does not publish its routes over HTTP, and the explorer never imports a user's app into its
own process (a crash or a side effect there would take the explorer down with it). So a short-lived
child imports the app, the same way the server process does, and prints one marked line::

    EXPLORER-ROUTES {"rules": [{"rule": "/items/<int:item_id>", "methods": ["GET"], "endpoint": "get_item"}]}

Anything the user's module prints on import comes before it and is ignored. An import failure ends
with exit code 3 and the traceback, exactly as in ``explorer.runtime._serve``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

from explorer.runtime._serve import load_app
from explorer.runtime.procs import die_with_parent

MARKER = "EXPLORER-ROUTES "
NOT_FLASK = 4


def url_map(app: Any) -> list[dict[str, Any]]:
    """The app's rules in registration order, without what Flask adds itself.

    HEAD and OPTIONS are answered automatically; the ``static`` rule exists in every app, so it is
    only listed when the app really has a static folder.
    """
    folder = getattr(app, "static_folder", None)
    has_static = bool(folder) and os.path.isdir(folder)
    rules = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" and not has_static:
            continue
        methods = sorted(rule.methods or ())
        explicit = [m for m in methods if m not in ("HEAD", "OPTIONS")] or methods
        rules.append({"rule": rule.rule, "methods": explicit, "endpoint": rule.endpoint})
    return rules


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="explorer.apps._routes")
    parser.add_argument("target")
    parser.add_argument("--parent", type=int, default=os.getppid())
    args = parser.parse_args(argv)
    die_with_parent(args.parent)
    app = load_app(args.target)
    if not hasattr(app, "url_map"):
        print(f"explorer: {args.target} is not a Flask app (it has no url_map)", flush=True)
        sys.exit(NOT_FLASK)
    print(MARKER + json.dumps({"rules": url_map(app)}), flush=True)


if __name__ == "__main__":
    main()
