"""The app's keys: every binding with an id (so a user can remap it), the keymap file, and the lists
the help screen and the command palette show, read from the live bindings so remapped keys show true.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from textual.app import SystemCommand
from textual.binding import Binding, BindingType
from textual.keys import _character_to_key, key_to_character

from explorer.runtime.errors import ExplorerError

if TYPE_CHECKING:
    from textual.screen import Screen

__all__ = [
    "BINDINGS",
    "FOOTER_FIRST",
    "KEYMAP_BYTES",
    "KEYMAP_FILE",
    "MAIN_ONLY",
    "SCREENS",
    "key_for",
    "keymap_clashes",
    "load_keymap",
    "main_commands",
    "palette_bindings",
    "screen_commands",
    "screen_keys",
]

KEYMAP_BYTES = 64 * 1024
KEYMAP_FILE = (
    Path(os.environ.get("XDG_CONFIG_HOME", Path.home() / ".config")) / "flask-fastapi-explorer" / "keymap.toml"
)

# Letters act only where no text is typed: in a text field, and on the catalog (typing there filters
# it), every printable key is text. Whatever writes a file or restarts a server takes a modified key
# (ctrl+s, f5, ctrl+g), so no stray letter can do it.
BINDINGS: list[BindingType] = [
    Binding("ctrl+r", "send", "Send", id="send", tooltip="Send the request in the editor to the visible server(s)"),
    Binding("f1", "help", "Help", id="help", tooltip="Help for this screen and the part of it that has the keyboard"),
    Binding(
        "f",
        "cycle_view",
        "View",
        id="cycle_view",
        tooltip="Cycle the view: Both, Flask only, FastAPI only (requests go only to what is shown)",
    ),
    Binding("t", "table", "Table", id="table", tooltip="The comparison table, with measured rows"),
    Binding("g", "guide", "Which first?", id="guide", tooltip="Which should you learn first? A short guide"),
    Binding("d", "docs", "Docs", id="docs", tooltip="API docs: FastAPI's generated schema next to what Flask answers"),
    Binding(
        "o", "open_docs", "Open /docs", id="open_docs", show=False, tooltip="Open FastAPI's /docs in your web browser"
    ),
    Binding("p", "lab", "Lab", id="lab", tooltip="Performance lab: async against sync under load, measured"),
    Binding(
        "c", "parity", "Parity", id="parity", tooltip="Parity check: send a requests file to both apps and compare"
    ),
    Binding(
        "m",
        "mirror",
        "Mirror",
        id="mirror",
        show=False,
        tooltip="Mirror real traffic through Flask to the FastAPI port, counted by route; how far the port has come",
    ),
    Binding("f5", "restart", "Restart", id="restart", tooltip="Restart both servers"),
    Binding(
        "ctrl+g",
        "switch_flask_server",
        "Flask server",
        id="switch_flask_server",
        show=False,
        tooltip="Switch Flask between the Werkzeug dev server and gunicorn (gthread)",
    ),
    Binding(
        "ctrl+s",
        "export",
        "Export",
        id="export",
        show=False,
        tooltip="Write this session (servers, table, every request, lab runs) as Markdown and JSON "
        "in ~/.local/share/flask-fastapi-explorer/exports (or $EXPLORER_EXPORT_DIR)",
    ),
    # ctrl+h as in Posting, where the terminal tells it from Backspace; most send both as ^H, so ctrl+b too
    Binding(
        "ctrl+b,ctrl+h", "toggle_sidebar", "Hide list", id="toggle_sidebar", tooltip="Hide or show the list on the left"
    ),
    Binding(
        "z",
        "zoom",
        "Zoom",
        id="zoom",
        tooltip="Maximise the focused panel (an answer, the editor, the list); z or Escape restores",
    ),
    Binding(
        "a",
        "switch_answer",
        "Other answer",
        id="switch_answer",
        tooltip="Show the other answer (narrow screens show one at a time)",
    ),
    Binding("b", "toggle_raw", "Raw body", id="toggle_raw", show=False, tooltip="Show bodies raw or pretty-printed"),
    Binding(
        "l",
        "toggle_wrap",
        "Wrap lines",
        id="toggle_wrap",
        show=False,
        tooltip="Wrap long lines in the Body and Log tabs, or not",
    ),
    Binding("ctrl+f", "find", "Find", id="find", show=False, tooltip="Find text in the body of the answer in view"),
    Binding(
        "y", "copy_curl", "Copy curl", id="copy_curl", show=False, tooltip="Copy the current request as a curl command"
    ),
    Binding(
        "k",
        "client('clear_cookies')",
        "Clear cookies",
        id="clear_cookies",
        show=False,
        tooltip="Clear both servers' cookie jars (shown in the Headers tab)",
    ),
    Binding(
        "x",
        "client('swap_cookies')",
        "Swap cookies",
        id="swap_cookies",
        show=False,
        tooltip="Swap the two servers' cookie jars: their session cookies are not interchangeable",
    ),
    Binding(
        "w",
        "client('sockets')",
        "WebSockets",
        id="sockets",
        show=False,
        tooltip="WebSockets: open a socket to each server and exchange messages",
    ),
    Binding("1", "tab('body')", "Body tab", id="tab_body", show=False, tooltip="Body tab in both panels"),
    Binding("2", "tab('headers')", "Headers tab", id="tab_headers", show=False, tooltip="Headers tab in both panels"),
    Binding(
        "3",
        "tab('validation')",
        "Validation tab",
        id="tab_validation",
        show=False,
        tooltip="Validation tab in both panels",
    ),
    Binding("4", "tab('code')", "Code tab", id="tab_code", show=False, tooltip="Code tab: the handler that ran"),
    Binding("5", "tab('log')", "Log tab", id="tab_log", show=False, tooltip="Log tab: each server's output"),
    Binding(
        "slash", "filter", "Filter", id="filter", show=False, tooltip="Jump to the filter box of the list on the left"
    ),
    Binding("ctrl+q", "quit", "Quit", id="quit", priority=True, tooltip="Quit (stops both servers)"),
    Binding(
        "ctrl+c",
        "quit",
        "Quit",
        id="quit_ctrl_c",
        show=False,
        tooltip="Quit too, unless a text field has focus or text is selected (there it copies)",
    ),
]

# The keys a short footer keeps (after those of the part with the keyboard), by binding id: f1 names the rest.
FOOTER_FIRST = ("send", "switch_answer", "zoom", "help", "quit")

# The screens the main view opens, by binding id: f1 lists them first, and their keys work in the help.
SCREENS = ("table", "guide", "docs", "parity", "mirror", "lab", "sockets")

# The main view's actions: on every other screen they are neither run nor shown in the footer.
MAIN_ONLY = frozenset(
    b.action.split("(")[0] for b in BINDINGS if isinstance(b, Binding) and b.id not in ("help", "quit", "quit_ctrl_c")
)


def load_keymap(path: Path = KEYMAP_FILE) -> dict[str, str]:
    """``[keymap]`` of a TOML file: binding id -> keys, e.g. ``send = "ctrl+s"``. Missing file: no changes.

    Read by the loader every user file goes through (a regular file of at most 64 KiB, UTF-8, bounded nesting).
    """
    if not os.path.lexists(path):
        return {}
    from explorer.runtime.userdata.datafile import DataFileError, FileLimits, load_data_file

    try:
        data = load_data_file(path, FileLimits(KEYMAP_BYTES), "toml", label=f"keymap {path}")
    except DataFileError as exc:
        raise ExplorerError(str(exc)) from None
    keymap = data.get("keymap", {})
    if not isinstance(keymap, dict) or not all(isinstance(v, str) for v in keymap.values()):
        raise ExplorerError(f"{path}: [keymap] must map binding ids to key strings")
    return keymap


def key_for(binding_id: str, keymap: dict[str, str], bindings: list[BindingType] = BINDINGS) -> Binding | None:
    """The binding ``binding_id`` as the user has it: its first key from the keymap if remapped there."""
    for binding in bindings:
        if isinstance(binding, Binding) and binding.id == binding_id:
            key = keymap.get(binding_id, binding.key).split(",")[0].strip()
            return binding.with_key(key, key_display=None if binding_id in keymap else binding.key_display)
    return None


def keymap_clashes(keymap: dict[str, str], bindings: list[BindingType] = BINDINGS) -> list[str]:
    """One line for each key the keymap gives to one action while another had it: the other loses that key.

    Textual drops the other binding without a word (``ctrl+s`` given to send left the export with no
    key); this says so at start, naming the key and both actions. Keys that two actions share by design
    (Escape on the list: clear the filter, else leave) are not clashes: neither was remapped.
    """
    owners: dict[str, list[str]] = {}
    keys_of: dict[str, list[str]] = {}
    for binding in bindings:
        if not isinstance(binding, Binding) or not binding.id:
            continue
        keys = [k.strip() for k in keymap.get(binding.id, binding.key).split(",") if k.strip()]
        keys_of.setdefault(binding.id, []).extend(keys)
        for key in keys:
            owners.setdefault(key, []).append(binding.id)
    lines = []
    for key, ids in owners.items():
        remapped = [i for i in dict.fromkeys(ids) if i in keymap]
        others = [i for i in dict.fromkeys(ids) if i not in remapped]
        if not remapped or len(ids) < 2:
            continue
        for other in others or remapped[1:]:
            left = [k for k in keys_of[other] if k != key]
            rest = f"it keeps {', '.join(left)}" if left else "it now has no key: give it another in the keymap file"
            lines.append(f"keymap: {key} is given to {remapped[0]}, so {other} loses it ({rest})")
    return lines


def _bindings() -> Iterator[Binding]:
    for binding in BINDINGS:
        assert isinstance(binding, Binding)
        yield binding


def screen_keys(screen: Screen[object]) -> list[tuple[str, str]]:
    """(key as the user has it, what it does) for every key that works now on ``screen`` with its focus.

    Read from the screen's live bindings, so a remapped key shows as remapped and a key that does
    nothing here (a main-view key on another screen, a letter while a text field has the keyboard)
    is not listed. Textual's own bindings without an id (cursor moves in an editor) are left out
    unless Textual shows them in the footer.
    """
    keys = []
    focused = screen.focused
    for key, active in screen.active_bindings.items():
        binding = active.binding
        if not (binding.id or binding.show) or not active.enabled:
            continue
        if focused is not None and focused.check_consume_key(key, _character(key)):
            continue  # typed as text where the keyboard is (``/`` on the list filters), so not a command there
        keys.append(
            (binding.key_display or screen.app.get_key_display(binding), binding.tooltip or binding.description)
        )
    return keys


# Textual names some printable keys in words that its own lookup does not turn back into the character
# ("slash"), so a field would not be seen to take them; this table does, for the printable ASCII.
_PRINTABLE = {_character_to_key(chr(code)): chr(code) for code in range(33, 127)}


def _character(key: str) -> str | None:
    return key_to_character(key) or _PRINTABLE.get(key)


def palette_bindings() -> Iterator[Binding]:
    """The bindings the command palette offers: all but quitting and help, which have their own entries."""
    return (b for b in _bindings() if b.id not in ("quit", "quit_ctrl_c", "help"))


def _with_key(title: str, binding: Binding, screen: Screen[object], bindings: list[BindingType]) -> str:
    """``title (key)``, the key as the footer writes it after the user's keymap, so a remapped key shows remapped."""
    keymap: dict[str, str] = getattr(screen.app, "user_keymap", {})
    live = key_for(binding.id, keymap, bindings) if binding.id else None
    return f"{title} ({screen.app.get_key_display(live)})" if live is not None else title


def _palette_title(binding: Binding) -> str:
    """The binding's description, led by the screen's name (f1 and the first screen's) where it does not hold it:
    "Guide: Which first?", found by typing "guide"."""
    name = binding.id or ""
    if name in SCREENS and name not in binding.description.lower():
        return f"{name.capitalize()}: {binding.description}"
    return binding.description


def main_commands(screen: Screen[object]) -> Iterator[SystemCommand]:
    """The palette's entries on the main view: each action with its key, read from the keymap in force."""
    for binding in palette_bindings():
        yield SystemCommand(
            _with_key(_palette_title(binding), binding, screen, BINDINGS),
            binding.tooltip,
            partial(screen.app.run_action, binding.action),
        )


def screen_commands(screen: Screen[object]) -> Iterator[SystemCommand]:
    """The palette's entries on a screen other than the main view: that screen's own keys (run, stop, open…).

    Each is offered only while the screen would run it (Stop only while the lab runs), titled with the
    screen's name so the palette says where it acts, and with its key.
    """
    name = getattr(screen, "HELP_TITLE", None) or "This screen"
    for binding in screen.BINDINGS:
        if not isinstance(binding, Binding) or not binding.id:
            continue
        action = binding.action
        if not action.startswith("app.") and screen.check_action(action.split("(")[0], ()) is False:
            continue
        yield SystemCommand(
            _with_key(f"{name}: {binding.description}", binding, screen, screen.BINDINGS),
            binding.tooltip or binding.description,
            partial(screen.run_action, action),
        )


class KeyLabels(Protocol):
    """The explorer's app as its parts see it: a binding's key written as the footer writes it, after the keymap."""

    def key_label(self, binding_id: str) -> str: ...
