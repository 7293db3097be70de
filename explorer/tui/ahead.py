"""The kept screens built ahead, in idle time once the servers are up (issue 24: a screen's first opening instant).

Each screen a key opens from the main view is built on first use and kept (:mod:`explorer.tui.navigation`): its
later openings only show it, but its first one composed, mounted and styled all its widgets first, 40-125 ms of
CPU more (``benchmarks/keys.py``'s ``first`` column: the lab 262 ms against 137 shown again). Here, once the servers
are up and the main view has been built and drawn, each of those screens is built and mounted without being
shown, one screen a step of :mod:`panels.later`, then each laid out for the terminal's size in a step of its own: the
loop answers keys between two steps (a key typed meanwhile comes first), and a step waits while another screen
covers the main view. Its first opening then only draws it, as a later one does.

A screen built ahead is mounted hidden: nothing it does as it mounts may act as if it were shown (the sockets open
on their first showing, the table measures on it, the mirror starts polling and lists the routes on it, parity looks
for its requests file again; each screen's ``on_mount`` asks :func:`panels.kept.mounted_hidden`). The docs are built
empty (what they show is what the servers answer: fetching it ahead would send requests the user did not ask for) and
filled as ``d`` first opens them, once the servers have answered (:meth:`~explorer.tui.screens.docs.DocsScreen.fill`).
Its styles
are kept as a screen left is: restyled on its first showing only if the theme, the stylesheet or the app's classes
changed meanwhile (:func:`~explorer.tui.textual_patches.styled_as_left`). A screen built for another size than the
terminal's when it is first opened is built anew (its size classes and widths are the old size's).

The help comes last, built for what has the keyboard as its step runs (the list, at the start): ``f1`` shows it if
the keyboard is still there (:meth:`~explorer.tui.navigation.ScreensApp.kept_help`). Once the main view's keys have
changed and stayed so a moment (Enter sends and moves the keyboard to the answers; a zoom undone), the help for them
is built ahead in a step too, unless one kept says the same, and the one before is set aside, not dropped: ``f1``
after a send built a help (its two tables measured at two widths as its scroll bar came, 110-135 ms at 80x24), and
now shows one.
Not parity's runs: only what a screen draws before it is used.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

from textual.geometry import Size

from explorer.tui.textual_patches import styled_as_left
from panels.later import later

if TYPE_CHECKING:
    from textual.app import App
    from textual.screen import Screen
    from textual.timer import Timer

__all__ = ["AHEAD", "build_ahead", "fits_now"]

AHEAD = ("table", "guide", "lab", "parity", "sockets", "mirror", "docs")  # by binding id
_BUILT_FOR: WeakKeyDictionary[Screen[Any], Size] = WeakKeyDictionary()  # built ahead, not shown yet: at this size
_HELP_TIMER = "_explorer_help_ahead"  # the app's timer for the next help built ahead (on the app: it refers to it)
HELP_AFTER_S = 0.3  # the main view's keys unchanged this long (the keyboard staying put): their help built ahead


def build_ahead(app: App[Any]) -> None:
    """Queue one step per kept screen, each building and mounting it hidden unless it is built already; and from
    then on, the help for the main view's keys as they change (the keyboard moved), once they have stayed so a moment."""
    main = app.screen_stack[0]
    for name in (*AHEAD, "help"):
        later(main, partial(_build, app, name))
    main.bindings_updated_signal.subscribe(main, partial(_keys_changed, app, main), immediate=True)


def _keys_changed(app: App[Any], main: Screen[Any], _screen: object = None) -> None:
    """The keys of the main view may have changed (the keyboard moved, an answer zoomed or restored, ...): the help
    for them built ahead in a step once they have stayed so for :data:`HELP_AFTER_S` (each change before then puts
    it off: nothing is built for a state only passed through, such as a zoom undone at once)."""
    timer: Timer | None = getattr(app, _HELP_TIMER, None)
    if timer is not None:
        timer.stop()
    setattr(app, _HELP_TIMER, app.set_timer(HELP_AFTER_S, lambda: later(main, partial(_build_help, app))))


def _build(app: App[Any], name: str) -> None:
    if app.is_screen_installed(name) or not app.is_running:  # opened meanwhile (built then), or the app is ending
        return
    screens: Any = app  # a ScreensApp (explorer.tui.navigation), which imports this module: not named here
    _start(app, screens.kept_help() if name == "help" else screens.kept_screen(name))


def _build_help(app: App[Any]) -> None:
    """The help for what has the keyboard now, built unless the one installed or one set aside says that already
    (:meth:`~explorer.tui.navigation.ScreensApp.kept_help`)."""
    if app.is_running:
        screens: Any = app
        screen: Screen[Any] = screens.kept_help()
        if not screen.is_running:  # else kept, or set aside and installed again: built already
            _start(app, screen)


def _start(app: App[Any], screen: Screen[Any]) -> None:
    app._load_screen_css(screen)  # what a push does first: its CSS in the stylesheet before its widgets mount
    app._get_screen(screen)  # registered and started: composed and mounted, with its size classes, not shown
    styled_as_left(screen)  # as it starts to mount
    _BUILT_FOR[screen] = app.size
    later(app.screen_stack[0], partial(_lay_out, app, screen))


def _lay_out(app: App[Any], screen: Screen[Any]) -> None:
    """A later step for a screen built ahead: once mounted, its styles recorded with its own widgets' CSS, and laid
    out for the terminal's size (its widgets get their first Resize now, not as it first shows; nothing is drawn)."""
    if screen.is_mounted and screen not in app.screen_stack and _BUILT_FOR.get(screen) == app.size:
        styled_as_left(screen)
        screen._refresh_layout(app.size)


def fits_now(app: App[Any], name: str) -> bool:
    """Whether the installed screen ``name`` may be shown as it is: not built ahead for another size. Called as it
    is about to be shown: the first showing ends its time as built ahead, and the cursor of the field it gave the
    keyboard to blinks from then, shown, as in a screen built as it shows (it had begun as the screen mounted)."""
    screen = app.get_screen(name)
    built_for = _BUILT_FOR.pop(screen, None)
    restart_blink = getattr(screen.focused, "_restart_blink", None)  # an Input's, a TextArea's
    if built_for is not None and restart_blink is not None:
        restart_blink()
    return built_for is None or built_for == app.size
