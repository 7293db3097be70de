"""The app's keys: every binding with an id (so a user can remap it), the keymap file, and the lists
the help screen and the command palette show, read from the live bindings so remapped keys show true.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from textual.binding import Binding, BindingType

from explorer.runtime.errors import ExplorerError

__all__ = ["BINDINGS", "KEYMAP_BYTES", "KEYMAP_FILE", "help_keys", "load_keymap", "palette_bindings"]

KEYMAP_BYTES = 64 * 1024
KEYMAP_FILE = Path(os.environ.get("XDG_CONFIG_HOME", Path.home() / ".config")) / "flask-fastapi-explorer" / "keymap.toml"

BINDINGS: list[BindingType] = [
    Binding("ctrl+r", "send", "Send", id="send",
            tooltip="Send the request in the editor to the visible server(s)"),
    Binding("f", "cycle_view", "View", id="cycle_view",
            tooltip="Cycle the view: Both, Flask only, FastAPI only (requests go only to what is shown)"),
    Binding("t", "table", "Table", id="table", tooltip="The comparison table, with measured rows"),
    Binding("g", "guide", "Which first?", id="guide", tooltip="Which should you learn first? A short guide"),
    Binding("d", "docs", "Docs", id="docs", tooltip="API docs: FastAPI's generated schema next to what Flask answers"),
    Binding("o", "open_docs", "Open /docs", id="open_docs", show=False, tooltip="Open FastAPI's /docs in your web browser"),
    Binding("r", "restart", "Restart", id="restart", tooltip="Restart both servers"),
    Binding("p", "lab", "Lab", id="lab", tooltip="Performance lab: async against sync under load, measured"),
    Binding("c", "parity", "Parity", id="parity", tooltip="Parity check: send a requests file to both apps and compare"),
    Binding("s", "switch_flask_server", "Flask server", id="switch_flask_server", show=False,
            tooltip="Switch Flask between the Werkzeug dev server and gunicorn (gthread)"),
    Binding("b", "toggle_raw", "Raw body", id="toggle_raw", show=False, tooltip="Show bodies raw or pretty-printed"),
    Binding("y", "copy_curl", "Copy curl", id="copy_curl", show=False, tooltip="Copy the current request as a curl command"),
    Binding("e", "export", "Export", id="export", show=False,
            tooltip="Write this session (servers, table, every request, lab runs) as Markdown and JSON"),
    Binding("k", "client('clear_cookies')", "Clear cookies", id="clear_cookies", show=False,
            tooltip="Clear both servers' cookie jars (shown in the Headers tab)"),
    Binding("x", "client('swap_cookies')", "Swap cookies", id="swap_cookies", show=False,
            tooltip="Swap the two servers' cookie jars: their session cookies are not interchangeable"),
    Binding("w", "client('sockets')", "WebSockets", id="sockets", show=False,
            tooltip="WebSockets: open a socket to each server and exchange messages"),
    Binding("1", "tab('body')", "Body tab", id="tab_body", show=False, tooltip="Body tab in both panels"),
    Binding("2", "tab('headers')", "Headers tab", id="tab_headers", show=False, tooltip="Headers tab in both panels"),
    Binding("3", "tab('validation')", "Validation tab", id="tab_validation", show=False, tooltip="Validation tab in both panels"),
    Binding("4", "tab('code')", "Code tab", id="tab_code", show=False, tooltip="Code tab: the handler that ran"),
    Binding("5", "tab('log')", "Log tab", id="tab_log", show=False, tooltip="Log tab: each server's output"),
    Binding("slash", "filter", "Filter", id="filter", show=False, tooltip="Filter the samples"),
    Binding("f1", "help", "Help", id="help", tooltip="This help"),
    Binding("ctrl+q", "quit", "Quit", id="quit", priority=True, tooltip="Quit (stops both servers)"),
    Binding("ctrl+c", "quit", "Quit", id="quit_ctrl_c", show=False,
            tooltip="Quit too, unless a text field has focus (there it copies)"),
]


def load_keymap(path: Path = KEYMAP_FILE) -> dict[str, str]:
    """``[keymap]`` of a TOML file: binding id -> keys, e.g. ``send = "ctrl+s"``. Missing file: no changes.

    Read by the loader every user file goes through (a regular file of at most 64 KiB, UTF-8, bounded nesting).
    """
    if not os.path.lexists(path):
        return {}
    from explorer.runtime.datafile import DataFileError, FileLimits, load_data_file

    try:
        data = load_data_file(path, FileLimits(KEYMAP_BYTES), "toml", label=f"keymap {path}")
    except DataFileError as exc:
        raise ExplorerError(str(exc)) from None
    keymap = data.get("keymap", {})
    if not isinstance(keymap, dict) or not all(isinstance(v, str) for v in keymap.values()):
        raise ExplorerError(f"{path}: [keymap] must map binding ids to key strings")
    return keymap


def _bindings() -> Iterator[Binding]:
    for binding in BINDINGS:
        assert isinstance(binding, Binding)
        yield binding


def help_keys(keymap: dict[str, str]) -> list[tuple[str, str]]:
    """(keys as the user has them, what they do) for every binding, then the keys every screen shares."""
    keys = [(keymap.get(b.id or "", b.key).replace(",", " "), b.tooltip or b.description) for b in _bindings()]
    return [*keys, ("enter", "On a sample: load and send it"), ("escape", "Leave a screen")]


def palette_bindings() -> Iterator[Binding]:
    """The bindings the command palette offers: all but quitting and help, which have their own entries."""
    return (b for b in _bindings() if b.id not in ("quit", "quit_ctrl_c", "help"))
