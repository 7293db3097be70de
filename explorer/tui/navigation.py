"""The screens the app opens from the main view, and the help for whichever screen is up.

Kept apart from :mod:`.app` so that module holds the main view only. Each screen is imported when it
is first opened, so the app paints before any of them (or the plotting library the lab needs) loads.
The table, the guide, the lab and the mirror are built once and kept: a key then only shows its screen
(building one took about as much CPU again as showing it); so is parity, and the docs while the same servers answer.
The main view's keys are offered on the main view alone (:meth:`ScreensApp.check_action`): another
screen's footer and help list that screen's keys, not the main view's.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any

from textual import work

from explorer.content.catalog import by_id
from explorer.runtime.userdata.bounded import printable
from explorer.tui.ahead import fits_now
from explorer.tui.keys import BINDINGS, MAIN_ONLY, SCREENS, key_for, keymap_clashes, screen_keys
from explorer.tui.textual_patches import GuardedApp

if TYPE_CHECKING:
    from textual.binding import Binding, BindingType
    from textual.dom import DOMNode
    from textual.screen import Screen

    from explorer.content.measured import Measurements
    from explorer.reports.session import SessionLog
    from explorer.runtime.http.request import RequestSpec
    from explorer.runtime.session import Session
    from explorer.tui.lifecycle import Lifecycle
    from explorer.tui.screens.help import HelpScreen, ScreenEntry
    from explorer.tui.screens.mirror import MirrorController
    from explorer.tui.workbench import Workbench

__all__ = ["MAIN_HELP", "ScreensApp", "browser_available"]

MAIN_HELP = {
    True: "The same request goes to a real Flask server and a real FastAPI server, and their answers appear side by "
    "side. Pick a sample on the left and press Enter, or edit the request and press ctrl+r.",
    False: "Your Flask app and its FastAPI port run side by side. Pick a route on the left and press Enter, or type a "
    "request and press ctrl+r: both apps get it and their answers appear side by side.",
}
KEYBOARD_HELP = (
    "Letters are commands only where no text is typed. In a text field, and on the list on the left (typing there "
    "filters it), every letter is text; Enter there sends the entry under the cursor and moves the keyboard to the "
    "answers, where the letters and the tab keys 1-5 work. Escape leaves a field, and from the list Escape goes to "
    "the answers. Keys that write a file or restart a server take a modifier (ctrl+s, f5, ctrl+g)."
)


def browser_available() -> bool:
    """Whether a graphical browser can be started from here; a text browser would take over this terminal.

    On Linux without a display (an SSH session, a container) Python's ``webbrowser`` falls back to
    console browsers such as lynx, which would fight the app for the terminal; so without a display
    (and without an explicit ``BROWSER``) there is none.
    """
    import webbrowser

    if sys.platform in ("darwin", "win32") or os.environ.get("BROWSER"):
        return True
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        return False
    try:
        webbrowser.get()
    except webbrowser.Error:
        return False
    return True


REBUILT_SCREENS = frozenset({"help", "docs"})  # installed again when what they show changes
HELPS_ASIDE = 3  # the helps for other parts of a screen kept besides the one installed (the list's, the answers', ...)


class ScreensApp(GuardedApp):
    """The app's screens: table, parity, lab, guide, docs and help, each pushed from the main view."""

    session: Session
    measurements: Measurements
    history: SessionLog
    workbench: Workbench
    mask: bool
    demo: bool
    user_keymap: dict[str, str] = {}  # replaced by apply_user_keymap, never changed in place
    _clashes_said: frozenset[str] = frozenset()
    mirror_screen: MirrorController | None = None  # built on first use or ahead; its mirror stops with the app
    life: Lifecycle
    _helps_aside: list[
        HelpScreen
    ] = []  # the helps last shown or built for other parts, newest first; never changed in place

    def install_screen(self, screen: Screen[Any], name: str) -> None:
        """Textual's; and a screen kept for the app's life, once built, set aside from later garbage collections
        (:meth:`~explorer.tui.lifecycle.Lifecycle.set_aside_when_built`). Not the help and the docs: built again when
        what they show changes, and a screen set aside, then dropped, would never be collected."""
        super().install_screen(screen, name)
        if name not in REBUILT_SCREENS:
            self.life.set_aside_when_built()

    def say(self, message: str, **kwargs: Any) -> None:
        """A notification whose text is shown literally: it often carries server or user text."""
        self.notify(printable(message, keep="\n"), markup=False, **kwargs)

    def apply_user_keymap(self, keymap: dict[str, str]) -> None:
        """Remap keys by binding id, and say at once which action lost a key to another (Textual drops it silently)."""
        self.user_keymap = keymap
        self._clashes_said = frozenset(keymap_clashes(keymap))
        if keymap:
            self.set_keymap(keymap)
        for line in sorted(self._clashes_said):
            self.say(line, severity="warning", timeout=15)

    def handle_bindings_clash(self, clashed_bindings: set[Binding], node: DOMNode) -> None:
        """A clash on another screen or part, found when its keys are first read: said once, like those at start."""
        for binding in clashed_bindings:
            winners = (i for i, keys in self.user_keymap.items() if binding.key in keys.split(","))
            winner = next(winners, "another action")
            line = f"keymap: {binding.key} is given to {winner}, so {binding.id or binding.action} loses it"
            if not any(said.startswith(line) for said in self._clashes_said):
                self._clashes_said |= {line}
                self.say(line, severity="warning", timeout=15)

    def key_label(self, binding_id: str, bindings: list[BindingType] = BINDINGS) -> str:
        """The key of ``binding_id`` (main view, or ``bindings``) as the footer writes it, after the keymap."""
        binding = key_for(binding_id, self.user_keymap, bindings)
        return self.get_key_display(binding) if binding is not None else ""

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The main view's keys work (and show) on the main view only."""
        if action in MAIN_ONLY and self.screen is not self.screen_stack[0]:
            return False
        if action == "switch_answer" and not self.workbench.can_switch_answer():
            return False  # both answers in view: not offered, nor listed by f1
        return super().check_action(action, parameters)

    def action_table(self) -> None:
        """The table, built on first use and kept: shown again, it starts on its first row (as a new one did)."""
        self.push_screen(self.kept_screen("table"), self._table_done)

    def kept_screen(self, name: str) -> Screen[Any]:
        """The screen kept under ``name`` (by its binding id: ``table``, ``guide``, ``lab``, ``parity``,
        ``sockets``, ``mirror``), built and installed now if it is not yet; one built ahead for another size is built anew."""
        if self.is_screen_installed(name) and not fits_now(self, name):
            self.get_screen(name).remove()
            self.uninstall_screen(name)
        if not self.is_screen_installed(name):
            self.install_screen(self._build_screen(name), name=name)
        return self.get_screen(name)

    def _build_screen(self, name: str) -> Screen[Any]:
        if name == "docs":  # built empty (ahead only): filled as it is first opened (open_docs_screen)
            from explorer.tui.screens.docs import DocsScreen

            return DocsScreen()
        if name == "mirror":
            from explorer.tui.screens.mirror import MirrorController

            self.mirror_screen = MirrorController(self.session, demo=self.demo, mask=self.mask)
            return self.mirror_screen
        if name == "table":
            from explorer.tui.screens.table import TableController

            return TableController(self.session, self.measurements, mask=self.mask, demo=self.demo)
        if name == "parity":
            from explorer.tui.screens.parity import ParityController

            return ParityController(self.session, demo=self.demo, mask=self.mask)
        if name == "lab":
            from explorer.bench.external import ENGINES, available
            from explorer.tui.screens.lab import LabController

            keys = {i: self.key_label(i, LabController.BINDINGS) for i in ("lab.run", "lab.stop")}
            return LabController([e for e in ENGINES if available(e)], self.history, mask=self.mask, keys=keys)
        if name == "guide":
            from explorer.tui.screens.guide import GuideScreen

            return GuideScreen()
        from explorer.tui.screens.sockets import SocketsController

        return SocketsController(self.session, mask=self.mask)

    def _table_done(self, sample_id: str | None) -> None:
        from panels.samples import SampleBrowser

        sample = by_id(sample_id) if sample_id and self.demo else None
        if sample is not None:
            self.query_one(SampleBrowser).select(sample.id)
            self.workbench.load_sample(sample, send=True)

    def action_parity(self) -> None:
        """The parity screen, built on first use and kept: shown again, it starts as a new one did."""
        self.push_screen(self.kept_screen("parity"), self._parity_done)

    def _parity_done(self, request: RequestSpec | None) -> None:
        if request is not None:
            self.workbench.load_request(request, send=True)

    def action_mirror(self) -> None:
        """The Mirror screen, kept (:meth:`kept_screen`): its mirror goes on while the user is elsewhere."""
        self.push_screen(self.kept_screen("mirror"))

    async def stop_mirror(self) -> None:
        """The mirror stopped with everything else when the app ends (held here: by then the app's screens
        are already taken down)."""
        if self.mirror_screen is not None:
            await self.mirror_screen.end()

    def action_lab(self) -> None:
        self.push_screen(self.kept_screen("lab"))

    def action_guide(self) -> None:
        """The guide, built on first use and kept: shown again, its questions are unanswered (as a new one's)."""
        self.push_screen(self.kept_screen("guide"))

    def action_docs(self) -> None:
        self.open_docs_screen()

    @work(group="docs", exclusive=True, exit_on_error=False)
    async def open_docs_screen(self) -> None:
        """The docs screen, kept while the same server processes answer (:func:`~explorer.tui.screens.docs.served`);
        fetched and built again when one has restarted since, or did not answer then."""
        from explorer.tui.screens.docs import DocsScreen, fetch_docs, served

        kept = self.get_screen("docs") if self.is_screen_installed("docs") else None
        if isinstance(kept, DocsScreen) and not kept.filled and fits_now(self, "docs"):  # built empty ahead
            await fetch_docs(self.session, into=kept)
        elif not isinstance(kept, DocsScreen) or not kept.fetched_from or kept.fetched_from != served(self.session):
            fresh = await fetch_docs(self.session)
            if kept is not None:
                self.uninstall_screen("docs")
                await kept.remove()
            self.install_screen(fresh, name="docs")
        await self.push_screen("docs")

    def action_open_docs(self) -> None:
        """FastAPI's /docs in the user's browser, when there is one; otherwise the URL to open by hand."""
        server = self.session.supervisor.servers.get("fastapi")
        url = server.status.base_url if server else None
        if not url:
            self.say("FastAPI is not running.", severity="warning")
            return
        if not browser_available():
            self.copy_to_clipboard(f"{url}/docs")
            self.say(
                f"No web browser found here. Open {url}/docs by hand (the URL is copied).",
                severity="warning",
                timeout=10,
            )
            return
        self.open_url(f"{url}/docs")
        self.say(f"Asked your browser to open {url}/docs.", timeout=4)

    def action_open_docs_page(self) -> None:
        """The docs screen's ``o``: the same as the main view's, under a name offered on that screen."""
        self.action_open_docs()

    def action_help(self) -> None:
        """Help for the screen that is up and the part of it that has the keyboard, with the keys that work there."""
        self.kept_help()
        self.push_screen("help", self._help_done)

    def kept_help(self) -> Screen[Any]:
        """The help for what has the keyboard now, installed as ``help``: the one kept (or built ahead,
        :mod:`explorer.tui.ahead`) if it says the same and fits the terminal's size, else built anew."""
        from explorer.tui.screens.help import HelpScreen

        screen = self.screen
        main = screen is self.screen_stack[0]
        title = "Main view" if main else getattr(screen, "HELP_TITLE", None) or "this screen"
        paragraphs = [MAIN_HELP[self.demo], KEYBOARD_HELP] if main else [screen.HELP or ""]
        focused = screen.focused
        for node in focused.ancestors_with_self if focused is not None else ():
            if node is screen:
                break
            if node.HELP:
                paragraphs.append(f"Here: {node.HELP}")
                break
        content = (
            f"Help: {title}",
            [p for p in paragraphs if p],
            screen_keys(screen),
            self.screen_entries() if main else [],
        )
        kept = self.get_screen("help") if self.is_screen_installed("help") else None
        if isinstance(kept, HelpScreen) and kept.content == content and fits_now(self, "help"):
            return kept  # the same help: shown again, not built
        if isinstance(kept, HelpScreen):
            self.uninstall_screen("help")
            if kept.content == content:  # built ahead for another size
                kept.remove()
            else:  # set aside: the keyboard may come back to where it was
                self._helps_aside = [kept, *self._helps_aside]
        for aside in self._helps_aside:
            if aside.content == content:
                self._helps_aside = [h for h in self._helps_aside if h is not aside]
                self.install_screen(aside, name="help")
                if fits_now(self, "help"):
                    break
                self.uninstall_screen("help")  # built ahead for another size
                aside.remove()
        else:
            self.install_screen(HelpScreen(*content), name="help")
        for dropped in self._helps_aside[HELPS_ASIDE:]:
            dropped.remove()
        self._helps_aside = self._helps_aside[:HELPS_ASIDE]
        return self.get_screen("help")

    def screen_entries(self) -> list[ScreenEntry]:
        """Every screen the main view opens, with its key after the keymap; the token is its binding id."""
        from explorer.tui.screens.help import ScreenEntry

        entries = []
        for binding_id in SCREENS:
            binding = key_for(binding_id, self.user_keymap)
            if binding is not None:
                shown = self.get_key_display(binding)
                entries.append(ScreenEntry(binding.key, shown, binding.description, binding.tooltip, binding_id))
        return entries

    def _help_done(self, binding_id: str | None) -> None:
        """A screen's key pressed in the help: open that screen, as its key does from the answers."""
        binding = key_for(binding_id, self.user_keymap) if binding_id else None
        if binding is not None:
            self.call_later(self.run_action, binding.action)
