"""The layout's rules, read from the source with ``ast``: imports point down, no circles, small modules.

Every import counts, wherever it is written: at the top, inside a function (a lazy import is still a
dependency) and under ``TYPE_CHECKING`` (a type is still something the module knows about). The
layers, from the bottom (docs/how-it-works.md):

    demos                       imports nothing of ours
    runtime                     knows no app: imports nothing of ours above it, not even demos
    apps                        runtime, demos (the bundled apps' specs and where they lie)
    content, parity             each on runtime only
    bench                       runtime, apps (the lab runs the bundled demos)
    mirror                      runtime, apps, parity (parity's comparer on real traffic, by route)
    reports                     runtime, content
    panels                      the reusable widgets: the core's data types and pure functions; never the app
    tui, cli                    entry layers: nothing imports them, except cli opening the app

Inside the app, each screen has one home (``SCREENS``): ``explorer/tui/screens/<name>.py``, or a folder
of that name where one module would pass 400 lines, with its view and the work it owns. No screen is
defined anywhere else, a screen's modules import no other screen's, and every patch to Textual itself
is in ``explorer/tui/textual_patches.py`` (``PATCHES``).

Inside the runtime, its subpackages (``RUNTIME``): ``child`` (run in child processes under any
interpreter) imports the standard library only; ``userdata``, then ``http`` (the client) and
``servers`` (the supervisor), which never import each other; ``session`` joins the last two.
"""

from __future__ import annotations

import ast
import functools
import importlib
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.serverless  # no server, no process: `make test-fast` runs this file

ROOT = Path(__file__).resolve().parent.parent
TOP = ("explorer", "panels", "demos")
CORE = ("runtime", "apps", "content", "parity", "bench", "reports", "mirror")
ALLOWED: dict[str, set[str]] = {
    "demos": set(),
    "runtime": set(),
    "apps": {"runtime", "demos"},
    "content": {"runtime", "demos"},  # the catalog signs its session cookies with the demos' secret
    "parity": {"runtime"},
    "bench": {"runtime", "apps"},
    "mirror": {"runtime", "apps", "parity"},  # the mirror: parity's comparer on real traffic
    "reports": {"runtime", "content"},
    "panels": {"runtime", "apps", "content", "parity", "bench"},
    "tui": {*CORE, "panels"},
    "cli": {*CORE, "tui"},  # `explorer` with no command opens the app
    "explorer": {"cli"},  # explorer/__main__.py
}
BASE = {"errors", "frameworks"}  # the runtime's own floor: anything but a child may use them
RUNTIME: dict[str, set[str]] = {
    "": {"faces"},  # explorer/runtime/__init__.py, the package's face
    "faces": set(),
    "errors": set(),
    "frameworks": set(),
    "child": set(),  # standard library only: these run under the user's interpreter
    "userdata": BASE,
    "http": BASE | {"userdata"},  # the client never imports the supervisor
    "servers": BASE | {"child", "userdata"},  # the supervisor never imports the client; it shows what it reads as data
    "session": BASE | {"http", "servers"},
}
SCREENS = "explorer.tui.screens"
PATCHES = "explorer.tui.textual_patches"
TEXTUAL_INTERNALS = ("textual.drivers", "textual.driver", "textual.command")  # what only a patch replaces
MAX_LINES = 400
MAX_APP_LINES = 300


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES: dict[str, Path] = {
    module_name(path): path
    for top in TOP
    for path in sorted((ROOT / top).rglob("*.py"))
    if "__pycache__" not in path.parts
}


def layer(module: str) -> str:
    """``explorer.runtime.http.client``: ``runtime``; ``panels.editor``: ``panels``; ``explorer.__main__``: ``explorer``."""
    top, _, rest = module.partition(".")
    if top != "explorer" or not rest:
        return top
    package = rest.split(".")[0]
    return package if (ROOT / "explorer" / package).is_dir() else "explorer"


def part(module: str) -> str:
    """``explorer.runtime.http.client``: ``http``; ``explorer.runtime.session``: ``session``; the face: ``""``."""
    return module.split(".")[2] if module.count(".") >= 2 else ""


@functools.cache
def import_nodes(module: str) -> tuple[ast.Import | ast.ImportFrom, ...]:
    """The import statements anywhere in ``module``, parsed once a test process: the tests here read them again and
    again (all the modules parsed about eight times, ~0.5 s of CPU each time). Only the statements are kept, not the
    trees (all of them held ~57 MB)."""
    path = MODULES[module]
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    return tuple(node for node in ast.walk(tree) if isinstance(node, (ast.Import, ast.ImportFrom)))


def imported_names(module: str) -> list[str]:
    """What each import statement of ``module`` names: ``import a.b`` gives ``a.b``, ``from a import b`` gives ``a``."""
    names = []
    for node in import_nodes(module):
        names += [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
    return names


def imports(module: str) -> Iterator[tuple[str, int]]:
    """Every module of ours that ``module`` imports, with the line: packages resolve to their ``__init__``."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in import_nodes(module):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            names = [f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base for a in node.names]
        else:
            continue
        for name in names:
            while name and name not in MODULES:  # `import explorer.runtime.http.client` names the module itself
                name = name.rpartition(".")[0]
            if name and name.split(".")[0] in TOP:
                yield name, node.lineno


def graph() -> dict[str, set[str]]:
    return {module: {target for target, _ in imports(module) if target != module} for module in MODULES}


def test_every_module_is_in_a_known_layer() -> None:
    assert {layer(m) for m in MODULES} <= set(ALLOWED), {m: layer(m) for m in MODULES if layer(m) not in ALLOWED}


def test_imports_point_down_only() -> None:
    wrong = [
        f"{MODULES[m].relative_to(ROOT)}:{line}: {layer(m)} imports {target} ({layer(target)})"
        for m in MODULES
        for target, line in imports(m)
        if layer(target) != layer(m) and layer(target) not in ALLOWED[layer(m)]
    ]
    assert wrong == []


def test_runtime_parts_import_only_what_their_rules_allow() -> None:
    runtime = [m for m in MODULES if layer(m) == "runtime"]
    assert {part(m) for m in runtime} == set(RUNTIME), {m: part(m) for m in runtime}
    wrong = [
        f"{MODULES[m].relative_to(ROOT)}:{line}: runtime.{part(m)} imports {target}"
        for m in runtime
        for target, line in imports(m)
        if part(target) != part(m) and part(target) not in RUNTIME[part(m)]
    ]
    assert wrong == []


def test_the_runtime_knows_no_app() -> None:
    named = [
        f"{MODULES[m].relative_to(ROOT)}:{node.lineno}: {node.value!r}"
        for m in MODULES
        if layer(m) == "runtime"
        for node in ast.walk(ast.parse(MODULES[m].read_text(encoding="utf-8")))
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith("demos.")
    ]
    assert named == []


def test_child_entry_points_import_only_the_standard_library_at_load() -> None:
    """A child may run under the user's interpreter, where only the standard library is sure to be."""
    import sys

    children = [m for m in MODULES if m.startswith("explorer.runtime.child")]
    assert "explorer.runtime.child.serve" in children and "explorer.runtime.child.routetable" in children
    found = []
    for module in children:
        for node in ast.parse(MODULES[module].read_text(encoding="utf-8")).body:  # a server is imported where it runs
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            names += [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            found += [
                f"{module}: {n}"
                for n in names
                if n.split(".")[0] not in (*sys.stdlib_module_names, "__future__")
                and not n.startswith("explorer.runtime.child")
            ]
    assert found == []


@functools.cache  # two tests ask; read, never changed
def screen_classes() -> dict[str, str]:
    """Every class of ours that is a Textual screen, with its module: a subclass of ``Screen``, ``ModalScreen``
    or of one of ours that is (``ParityController(ParityScreen)``), found by base name to a fixed point."""
    bases: dict[str, tuple[str, set[str]]] = {}
    for module, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                named = {
                    ast.unparse(b.value if isinstance(b, ast.Subscript) else b).rpartition(".")[2] for b in node.bases
                }
                bases[node.name] = (module, named)
    screens = {"Screen", "ModalScreen"}
    while grown := {name for name, (_, named) in bases.items() if named & screens} - screens:
        screens |= grown
    return {name: module for name, (module, named) in bases.items() if named & screens}


def test_each_screen_has_one_home_under_tui_screens() -> None:
    """A screen's view and its work are in ``explorer/tui/screens/<name>``: no screen class anywhere else."""
    found = screen_classes()
    assert {"ParityScreen", "ParityController", "LabScreen", "LabController", "HelpScreen"} <= set(found)
    assert {name: module for name, module in found.items() if not module.startswith(f"{SCREENS}.")} == {}
    homes = {module.split(".")[3] for module in found.values()}
    assert homes == {m.split(".")[3] for m in MODULES if m.startswith(f"{SCREENS}.")}  # no folder without a screen


def test_a_screen_imports_no_other_screen() -> None:
    wrong = [
        f"{MODULES[m].relative_to(ROOT)}:{line}: imports {target}"
        for m in MODULES
        if m.startswith(f"{SCREENS}.")
        for target, line in imports(m)
        if target.startswith(f"{SCREENS}.") and target.split(".")[3] != m.split(".")[3]
    ]
    assert wrong == []


def test_panels_hold_widgets_only_and_never_import_the_app() -> None:
    """``panels`` is what the screens are built from: no screen, no patch to Textual, nothing of ``explorer.tui``."""
    panels = [m for m in MODULES if layer(m) == "panels"]
    wrong = [f"{m}:{line}: imports {target}" for m in panels for target, line in imports(m) if layer(target) == "tui"]
    wrong += [f"{m}: defines the screen {name}" for name, m in screen_classes().items() if layer(m) == "panels"]
    wrong += [m for m in panels if m.endswith("_screen")]
    assert wrong == []


def test_every_patch_to_textual_is_in_one_module() -> None:
    """Only the patches module reaches into Textual's driver and command palette to replace them."""
    found = [(module, n) for module in MODULES for n in imported_names(module) if n.startswith(TEXTUAL_INTERNALS)]
    assert {module for module, _ in found} == {PATCHES}, found


def test_no_import_circles() -> None:
    """Tarjan's strongly connected components: any component of two or more modules is a circle."""
    edges = graph()
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(edges[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    assert circles == []


def test_the_core_cli_and_demos_import_no_textual() -> None:
    offenders = [
        f"{module}: {n}"
        for module in MODULES
        if layer(module) in (*CORE, "cli", "demos")
        for n in imported_names(module)
        if n.split(".")[0] in ("textual", "textual_plotext")
    ]
    assert offenders == []


def test_modules_are_small_and_the_app_smaller() -> None:
    sizes = {m: len(p.read_text(encoding="utf-8").splitlines()) for m, p in MODULES.items()}
    assert {m: n for m, n in sizes.items() if n > MAX_LINES and m.split(".")[0] != "demos"} == {}
    assert sizes["explorer.tui.app"] < MAX_APP_LINES


def test_only_a_handful_of_modules_lie_directly_in_explorer() -> None:
    assert sorted(p.name for p in (ROOT / "explorer").glob("*.py")) == ["__init__.py", "__main__.py"]


@pytest.mark.parametrize(
    "package",
    [
        "explorer.runtime",
        "explorer.apps",
        "explorer.content",
        "explorer.parity",
        "explorer.bench",
        "explorer.reports",
        "explorer.cli",
        "explorer.tui",
    ],
)
def test_each_package_face_names_what_it_exports(package: str) -> None:
    module = importlib.import_module(package)
    assert module.__doc__ and module.__all__
    missing = [name for name in module.__all__ if getattr(module, name, None) is None]
    assert missing == []


def test_the_demos_teach_without_checker_or_formatter_escapes() -> None:
    """The Code tab shows the demos as teaching material: typed and formatted, with no comment that silences a tool."""
    demos = Path(__file__).resolve().parent.parent / "demos"
    found = [
        f"{path.name}:{n}"
        for path in sorted(demos.glob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if "# type: ignore" in line or "# fmt: skip" in line
    ]
    assert found == []
