"""Every patch to Textual (8.2.8) in one place: the app class that installs them, and the ten it installs
(the layout's, one more, in :mod:`explorer.tui.layout_patches`; the drawing's in :mod:`explorer.tui.render_patches`
and :mod:`explorer.tui.strip_patches`; the parsed CSS kept on disk, which ``explorer`` installs around the app's run,
in :mod:`explorer.tui.css_cache`; the widget classes' set-up, installed as :mod:`explorer.tui` loads, before any
widget class is made, in :mod:`explorer.tui.class_patches`).

:class:`GuardedApp` is Textual's App with all of them in place; the explorer's app builds on it, so its own
modules hold only what the explorer does. Each patch says what went wrong without it, so it can go
once Textual no longer needs it.

The terminal driver (:class:`ResumingLinuxDriver`): Textual's, but a SIGCONT it did not ask for no
longer doubles its threads. Textual's LinuxDriver handles SIGTSTP by leaving application mode and
stopping the process, and SIGCONT by starting application mode again. A plain SIGSTOP cannot be
caught, so after SIGSTOP and SIGCONT from outside (``kill -STOP``, a debugger, a shell's job control)
it started a second input thread and a second writer next to the running ones. The two input threads
raced for each key, one of them sat blocked in a read of stdin, and on quit Textual waited for it for
ever (ctrl+q failed in 5 of 8 trials, servers still running); the stray threads then posted to a
closed event loop ("Event loop is closed"). Here such a SIGCONT keeps the threads that run: it only
sets the terminal's raw mode again (a shell may have reset it meanwhile) and redraws the screen.

The command palette (:class:`SafeCommandPalette`, ``ctrl+p``): Textual's own, made safe for page keys
pressed as it opens. ``OptionList._move_page`` looks the highlighted option up in a line map that is
filled only once the list has a size. The palette fills and highlights its list before the first
layout, so ctrl+p followed at once by PageUp or PageDown raised ``KeyError: 0`` and ended the app.
Here a page key that arrives before the layout is carried out after the next refresh instead. (No
report of it upstream was found; a downstream project met the same KeyError in its own OptionList.)

Keys typed in one burst (:class:`explorer.tui.key_order.KeysInOrder`, which GuardedApp builds on): Tab moves
the keyboard as it arrives, and every key runs the bindings of the widget it was typed into.

The size classes (:meth:`GuardedApp.get_default_screen`): Textual sets a screen's breakpoint classes
(``-narrow``, ``-short``, ...) when the screen gets its first Resize, after it has laid out and drawn
the first frame without them. That frame used the widest layout whatever the terminal: at 60x20 the
sample list took 56 of the 60 columns, and the editors got none (below). Here the default screen has
its classes for the terminal's size before anything is laid out; Textual's own update then changes nothing.

The first frame's second styling (:func:`resume_without_restyle`): Textual styles each widget as it mounts,
and restyles it whenever a class, a pseudo-class (focus, hover), its order among its siblings or the
theme changes; then, as the default screen first becomes active, it styled the whole screen once more
(``ScreenResume(refresh_styles=True)``, meant for a screen shown again after another one, whose styles
may have gone stale meanwhile). On the main screen that is ~85 widgets and ~65 of their parts, about 25
ms of the first paint's CPU, for nothing: ``tests/test_startup.py`` restyles the first screen after its
first frame at three sizes and checks no style changes. Here every screen's first resume skips it, and each
screen pushed gets its size classes before it mounts (:meth:`GuardedApp._get_screen`; its first Resize
restyled it whole once more); a screen shown again is restyled only if what styles depend on changed.

The Escape key's wait (:func:`quicker_escape`): Textual waits ``ESCDELAY`` milliseconds (100 unless the
environment says otherwise) after an Escape byte for the rest of an escape sequence (an arrow, F1, Alt+key
all start with one), so Escape, the key that leaves every field and screen, took 100 ms before anything
happened. Here, unless the user set ``ESCDELAY``, the wait is 25 ms, what Vim, tmux and many terminals use
(see docs/app.md for the trade-off over slow links). The driver's input loop
(:meth:`ResumingLinuxDriver.run_input_thread`) is Textual's, but its wait for input ends when that wait
does: Textual's looked for the parser's time-out only every 0.1 s, so Escape still took up to 100 ms.

A focus change (:func:`focus_without_full_repaint`): Textual's ``Screen.focused`` is a reactive that repaints
the whole screen when it changes, though the widgets the focus left and entered restyle (and so repaint)
themselves. Every key that moved the keyboard (a tab key, ``a``, Escape to the list) drew the whole screen
again, 1,920 cells and about 30 KB to the terminal at 80x24. Here a focus change repaints only what changed.

Zoom (:func:`zoom_restyles_less`): Textual marks a maximised view with a class on the screen, and a class
change restyles every widget on the screen (about 110 on the main view, 40 ms of each ``z``). The only rules
on that class style the screen itself and the maximised widget (Textual's ``Screen.-maximized-view`` and its
``.-maximized``), so here the screen alone is restyled, then the widget zoomed or restored, with its
descendants only when a rule names ``.-maximized`` above them (an answer: 1 widget restyled, not 35), and the
screen's own new style without a refresh of every widget below it (:func:`layout_patches.restyle_alone`).

A screen opened (:func:`covered_screens_keep_their_layout`): the screen pushed gets a Resize as it is first
laid out, and Textual hands every screen beneath it that size, laying each out again though its size is the
one it has: the main view (and its Rich tables, measured again) under every screen and the help, each time.
Here a screen beneath is laid out again only when the size it is handed differs from its own.
"""

from __future__ import annotations

import contextlib
import os
import selectors
import termios
import tty
import weakref
from codecs import getincrementaldecoder
from typing import Any

from textual import constants, events
from textual._loop import loop_last
from textual._parser import ParseError
from textual._time import get_time
from textual._xterm_parser import XTermParser
from textual.command import CommandList, CommandPalette
from textual.css.model import CombinatorType, Selector, SelectorType
from textual.driver import Driver
from textual.drivers.linux_driver import LinuxDriver
from textual.geometry import Size
from textual.screen import Screen
from textual.widget import Widget

from explorer.tui.key_order import KeysInOrder
from explorer.tui.layout_patches import one_layout_per_change, restyle_adds_nothing, restyle_alone
from explorer.tui.paste_guard import PasteGuard
from explorer.tui.render_patches import covered_lines_not_drawn
from explorer.tui.strip_patches import strip_caches_on_first_use

__all__ = [
    "GuardedApp",
    "ResumingLinuxDriver",
    "SafeCommandPalette",
    "covered_screens_keep_their_layout",
    "focus_without_full_repaint",
    "quicker_escape",
    "resume_without_restyle",
    "styled_as_left",
    "terminal_driver",
    "zoom_restyles_less",
]

_PAGE_ACTIONS = ("page_up", "page_down")
_INPUT_POLL = 0.1  # Textual's wait for input: how soon the input thread sees that the app is ending


class GuardedApp(KeysInOrder):
    """An App whose terminal driver survives SIGSTOP/SIGCONT, whose palette survives early page keys, and
    where keys typed in one burst land where they were typed (:class:`KeysInOrder`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        resume_without_restyle()
        quicker_escape()
        focus_without_full_repaint()
        zoom_restyles_less()
        covered_screens_keep_their_layout()
        one_layout_per_change()  # explorer/tui/layout_patches.py
        covered_lines_not_drawn()  # explorer/tui/render_patches.py
        strip_caches_on_first_use()  # explorer/tui/strip_patches.py

    FIRST_FOCUS: str | None = None  # the main view's widget that gets the keyboard (a selector), as it is composed

    def get_default_screen(self) -> Screen[object]:
        """Textual's default screen, with the size classes for the terminal's size before its first layout, and
        no second styling of every widget as it first becomes active (:func:`resume_without_restyle`); it gives the
        keyboard to ``FIRST_FOCUS`` as it is composed: Textual gave it to the first focusable widget (the list's
        filter box), then the app's pick took it, restyling both and composing the footer's keys twice (issue 24)."""
        screen = self._styled_once(super().get_default_screen())
        if self.FIRST_FOCUS is not None:
            screen.AUTO_FOCUS = self.FIRST_FOCUS  # type: ignore[misc]  # this screen's own, as a Screen subclass sets it
        return screen

    def _get_screen(self, screen: Screen[Any] | str) -> tuple[Screen[Any], Any]:
        """Textual's, with the same for every screen pushed: one about to mount first gets its size classes, and
        its first resume restyles nothing (each widget is styled as it mounts)."""
        found = self.get_screen(screen)
        if not found.is_running:
            self._styled_once(found)
        return super()._get_screen(found)

    def _styled_once(self, screen: Screen[Any]) -> Screen[Any]:
        """``screen`` with its size classes for the terminal's size, and marked to skip its first resume's restyle."""
        width, height = self.size
        horizontal = (
            screen.HORIZONTAL_BREAKPOINTS if screen.HORIZONTAL_BREAKPOINTS is not None else self.HORIZONTAL_BREAKPOINTS
        )
        vertical = screen.VERTICAL_BREAKPOINTS if screen.VERTICAL_BREAKPOINTS is not None else self.VERTICAL_BREAKPOINTS
        for extent, breakpoints in ((width, horizontal), (height, vertical)):
            screen.add_class(*screen._get_breakpoint_classes(extent, breakpoints or []), update=False)
        _STYLED_AS_MOUNTED.add(screen)
        return screen

    def get_driver_class(self) -> type[Driver]:
        """Textual's driver, made safe for SIGSTOP and SIGCONT from outside (:class:`ResumingLinuxDriver`)."""
        return terminal_driver(super().get_driver_class())

    def action_command_palette(self) -> None:
        """Textual's palette, guarded against a page key pressed as it opens (:class:`SafeCommandPalette`)."""
        if self.use_command_palette and not SafeCommandPalette.is_open(self):  # type: ignore[arg-type]  # App[int] is no App[object] (invariant)
            self.push_screen(SafeCommandPalette(id="--command-palette"))


class ResumingLinuxDriver(LinuxDriver):
    """LinuxDriver whose SIGCONT restarts application mode only after it really left it."""

    _suspended_here = False

    def _sigtstp_application(self, *args: Any) -> None:
        self._suspended_here = self._auto_restart  # Textual leaves application mode, then stops
        super()._sigtstp_application(*args)

    def _sigcont_application(self, *args: Any) -> None:
        if self._suspended_here:
            self._suspended_here = False
            super()._sigcont_application(*args)
            return
        thread = self._key_thread
        if self._auto_restart and thread is not None and thread.is_alive():
            self._raw_again()
            width, height = self._get_terminal_size()
            self.send_message(events.Resize(Size(width, height), Size(width, height)))  # a full redraw

    def run_input_thread(self) -> None:
        """Textual's input loop (8.2.8), waiting for input no longer than the parser's pending time-out (an Escape
        byte waits ``ESCDELAY`` for more), where Textual's waited 0.1 s whatever the time-out."""
        selector = selectors.SelectSelector()
        selector.register(self.fileno, selectors.EVENT_READ)
        parser, guard = XTermParser(self._debug), PasteGuard()  # an escape in a paste stays text (paste_guard)
        decode = getincrementaldecoder("utf-8")(errors="replace").decode  # a byte not UTF-8 ended the input thread

        def process(selector_events: list[tuple[selectors.SelectorKey, int]], final: bool = False) -> None:
            for last, (_key, mask) in loop_last(selector_events):
                if mask & selectors.EVENT_READ:
                    unicode_data = decode(os.read(self.fileno, 1024 * 4), final=final and last)
                    if not unicode_data:
                        break  # stdin piped
                    for event in parser.feed(guard.feed(unicode_data)):
                        self.process_message(event)
            for event in parser.tick():
                self.process_message(event)

        def wait() -> float:
            due = parser._timeout_time
            return _INPUT_POLL if due is None else min(_INPUT_POLL, max(0.0, due - get_time()))

        try:
            while not self.exit_event.is_set():
                process(selector.select(wait()))
            selector.unregister(self.fileno)
            process(selector.select(_INPUT_POLL), final=True)
        finally:
            selector.close()
            with contextlib.suppress(EOFError, ParseError):
                for _event in parser.feed(""):
                    pass

    def _raw_again(self) -> None:
        """The terminal settings application mode set, applied again (nothing changes if they hold)."""
        with contextlib.suppress(termios.error, OSError):
            attrs = termios.tcgetattr(self.fileno)
            attrs[tty.LFLAG] = self._patch_lflag(attrs[tty.LFLAG])
            attrs[tty.IFLAG] = self._patch_iflag(attrs[tty.IFLAG])
            attrs[tty.CC][termios.VMIN] = 1
            termios.tcsetattr(self.fileno, termios.TCSANOW, attrs)


def terminal_driver(default: type[Driver]) -> type[Driver]:
    """The driver to use in place of ``default``: only Textual's own LinuxDriver is replaced."""
    return ResumingLinuxDriver if default is LinuxDriver else default


class SafeCommandPalette(CommandPalette):
    """Textual's command palette; a page key waits for the command list's first layout."""

    def _action_command_list(self, action: str, retried: bool = False) -> None:
        if action in _PAGE_ACTIONS and not self.query_one(CommandList).scrollable_content_region:
            if not retried:  # once: a list that still has no size after a refresh has nothing to page
                self.call_after_refresh(self._action_command_list, action, True)
            return
        super()._action_command_list(action)


_STYLED_AS_MOUNTED: weakref.WeakSet[Screen[Any]] = weakref.WeakSet()  # screens not yet resumed
_LEFT_WITH: weakref.WeakKeyDictionary[Screen[Any], tuple[Any, ...]] = weakref.WeakKeyDictionary()
_textual_screen_resume = Screen._on_screen_resume
_textual_screen_suspend = Screen._on_screen_suspend


def _style_context(screen: Screen[Any]) -> tuple[object, ...]:
    """What a widget's styles depend on besides its own classes and state, each of which restyles it as it
    changes: the stylesheet's rules (parsed again for a new theme or a screen's own CSS), the app's classes and
    pseudo-classes (focus, dark, ansi ...) and the theme. Textual restyles only the screens shown when these change."""
    app = screen.app
    return (app.stylesheet.rules, frozenset(app.get_pseudo_classes()), frozenset(app.classes), app.theme)


def _resume(self: Screen[Any], event: events.ScreenResume) -> None:
    left_with = _LEFT_WITH.pop(self, None)
    if self in _STYLED_AS_MOUNTED:
        _STYLED_AS_MOUNTED.discard(self)
        event.refresh_styles = False  # each widget was styled as it mounted, and again at every change since
    elif event.refresh_styles and left_with is not None:
        now = _style_context(self)
        if left_with[1:-1] == now[1:] and (left_with[0] is now[0] or restyle_adds_nothing(self, left_with[-1])):
            event.refresh_styles = False  # shown again with nothing its styles depend on changed meanwhile
    _textual_screen_resume(self, event)


def _suspend(self: Screen[Any]) -> None:
    _textual_screen_suspend(self)
    if self.is_attached:
        _LEFT_WITH[self] = (*_style_context(self), dict(self.app.stylesheet.source))


def styled_as_left(screen: Screen[Any]) -> None:
    """``screen``, built and mounted without being shown (:mod:`explorer.tui.ahead`), restyled as it first shows
    only if what its styles depend on changes meanwhile, as for a screen left (each widget is styled as it mounts).
    Called as it starts to mount, then again once it has mounted: the stylesheet then holds its own widgets' CSS
    too (recorded as it started, their types' rules, added as they mounted, restyled the lab whole, ~30 ms), and
    is recorded so unless the theme or the app's classes changed between the two (it is then restyled as it shows).
    """
    _STYLED_AS_MOUNTED.discard(screen)
    now = (*_style_context(screen), dict(screen.app.stylesheet.source))
    before = _LEFT_WITH.get(screen)
    if before is None or before[1:-1] == now[1:-1]:
        _LEFT_WITH[screen] = now


def resume_without_restyle() -> None:
    """Make a screen's resume skip restyling the whole screen when it is new (each widget was styled as it
    mounted) or when nothing its styles depend on changed since it was left (:func:`_style_context`)."""
    Screen._on_screen_resume = _resume  # type: ignore[method-assign]  # Textual's handler, replaced in place
    Screen._on_screen_suspend = _suspend  # type: ignore[method-assign]  # Textual's handler, replaced in place


ESCAPE_DELAY_MS = 25  # Escape's wait for the rest of a sequence unless ESCDELAY says otherwise (Textual: 100)


def quicker_escape(environ: dict[str, str] | os._Environ[str] = os.environ) -> None:
    """Escape acts after ``ESCAPE_DELAY_MS`` unless the user set ``ESCDELAY`` (which Textual then reads itself).

    Textual's input parser reads ``constants.ESCAPE_DELAY`` at each Escape byte, so setting it here works
    whenever Textual was imported; the environment is left as it was, for the servers the app starts.
    """
    if "ESCDELAY" not in environ:
        constants.ESCAPE_DELAY = ESCAPE_DELAY_MS / 1000  # type: ignore[misc]  # Final in Textual, read at each key


def focus_without_full_repaint() -> None:
    """A change of the screen's focused widget repaints what it restyles, no longer the whole screen."""
    Screen.focused._repaint = False  # a Reactive descriptor: Textual's default, repaint=True, redrew every cell


def _watch_maximized(screen: Screen[object], previously_maximized: Widget | None, maximized: Widget | None) -> None:
    """Textual's watcher, with the screen's class restyling the screen alone (its descendants' styles do not
    depend on it but through ``.-maximized``, which the zoomed widget gets after it, restyling its own), and
    ``.-maximized`` restyling the widget alone unless a rule names it above a descendant (:func:`_styled_below`)."""
    view = maximized is not None
    if screen.has_class("-maximized-view") != view:
        screen.set_class(view, "-maximized-view", update=False)
        restyle_alone(screen)
    for widget, zoomed in ((previously_maximized, False), (maximized, True)):
        if widget is not None and widget.has_class("-maximized") != zoomed:
            widget.set_class(zoomed, "-maximized", update=False)
            below = _styled_below(widget, "-maximized")
            screen.app.stylesheet.update_nodes(
                widget.walk_children(with_self=True) if below else [widget], animate=True
            )


def _styled_below(widget: Widget, name: str) -> bool:
    """Whether a rule names class ``name`` on an ancestor of what it styles, in a part ``widget`` could match
    (``#editor.-maximized #request-parts``): then a change of that class restyles the widget's descendants too."""
    for rule in widget.app.stylesheet.rules:
        for selector_set in rule.selector_set:
            part: list[Selector] = []
            for selector in selector_set.selectors:
                if part and selector.combinator is not CombinatorType.SAME:  # the part before ends here
                    named = any(s.type is SelectorType.CLASS and s.name == name for s in part)
                    if named and all(s.name == name or s.check(widget) for s in part):
                        return True
                    part = []
                part.append(selector)
    return False


def zoom_restyles_less() -> None:
    """Maximising or restoring a widget restyles the screen and that widget, not every widget on the screen."""
    Screen._watch_maximized = _watch_maximized  # type: ignore[method-assign,assignment]  # Textual's watcher, replaced in place


_textual_screen_resized = Screen._screen_resized


def _screen_resized(screen: Screen[object], size: Size) -> None:
    if screen._compositor.size != size:  # the size of its last layout: the same size lays it out the same
        _textual_screen_resized(screen, size)


def covered_screens_keep_their_layout() -> None:
    """A screen is laid out again for a new size only, not for each screen opened on top of it."""
    Screen._screen_resized = _screen_resized  # type: ignore[method-assign,assignment]  # Textual's method, replaced in place
