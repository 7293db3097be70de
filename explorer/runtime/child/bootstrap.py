"""Start one of the explorer's child modules in any Python: ``python .../child/bootstrap.py MODULE ARGS...``.

The servers and the route lister may run under the user's own interpreter (a legacy app's venv),
where the explorer is not installed and must not be: its Flask and FastAPI would meet the app's
pinned versions. So they are started by this file's path, and it makes exactly one package
importable, ``explorer`` (whose child modules use the standard library only), without putting the
folder that holds it on ``sys.path``: that folder may be a site-packages full of the explorer's
own dependencies, or a checkout with a ``tests`` package of its own. As with ``python -m``, the
working directory (the app's folder) comes first on the path; this file's folder does not.

Standard library only, written for Python 3.8 and later.
"""

import importlib.util
import os
import runpy
import sys


def register_explorer() -> None:
    """Make ``explorer`` importable from where this file lies, and nothing next to it."""
    package = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    spec = importlib.util.spec_from_file_location(
        "explorer", os.path.join(package, "__init__.py"), submodule_search_locations=[package]
    )
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load the explorer package from {package}")
    module = importlib.util.module_from_spec(spec)
    sys.modules["explorer"] = module
    spec.loader.exec_module(module)


def main() -> None:
    if len(sys.argv) < 2:
        sys.exit("usage: bootstrap.py MODULE [ARGS...]")
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path[:] = [entry for entry in sys.path if os.path.abspath(entry or ".") != here]
    sys.path.insert(0, os.getcwd())
    register_explorer()
    module = sys.argv.pop(1)
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
