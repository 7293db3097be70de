"""A footer that, short of room, shows the keys that matter whole instead of cutting the row where the terminal ends.

Textual's footer lays every shown key out in binding order and the terminal's edge cuts the row: at 80 columns
the main view's ended ``g Whi▏``, with zoom, the other answer and quitting out of sight. When every key fits,
this footer is Textual's, unchanged. When they do not, it goes compact and shows, in this order, the keys of the
part that has the keyboard, then the keys named ``first`` (binding ids), then the rest, as many as fit whole.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable

from rich.cells import cell_len
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.geometry import Size
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer
from textual.widgets._footer import FooterKey  # Footer's own key widget, not re-exported by textual.widgets

from panels.footer_blank import FooterBlank, drawn_keys
from panels.later import later

__all__ = ["FittedFooter"]


class FittedFooter(Footer):
    """The stock footer while it fits; past that the part's keys and ``first``, compact, each one whole."""

    def __init__(self, first: Iterable[str] = (), stand_in: bool = False, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]  # Footer's own keywords, passed through
        self.first = tuple(first)
        self._stand_in = stand_in  # its first keys drawn by one FooterBlank, the key widgets mounted after that frame
        self._width = 0
        self._shown: tuple[object, ...] | None = None  # what the keys now drawn were composed from
        self._fitting = 0  # the screen's new width while the keys are chosen for it, before its layout

    def _what_to_show(self) -> tuple[object, ...]:
        """The width and every binding the footer shows, as it would draw it (key, action, words, enabled)."""
        palette = self.app.COMMAND_PALETTE_BINDING
        active = self.screen.active_bindings.items()
        return (
            self._fitting or self.size.width or self.app.size.width,  # as compose() measures: no relabel at the layout
            *((k, b.action, b.description, e) for k, (_, b, e, _) in active if b.show or k == palette),
        )

    async def recompose(self) -> None:
        """Textual recomposes the footer whenever the focus moves; most moves change none of its keys, and
        building the same keys again cost a few milliseconds of every key press. Only a change is drawn.

        A footer under another screen is not drawn again: the main view's, composed again for the keys it
        would offer while a screen covered it, cost about 20 ms three times as each screen opened, and once
        more as it closed. Under the help, which lets the main view show through dimmed, it keeps the keys it
        had (as Textual's own footer does under a modal screen): relabelled there for the keys offered while
        covered, it drew the help's whole frame a second time, blended over the main view again. Its screen's
        resume asks again (Textual refreshes a resumed screen's bindings).
        """
        if self.screen is not self.app.screen:
            return  # covered by another screen
        if self._shown is None or self._what_to_show() != self._shown:
            if not await self._relabel():
                await super().recompose()

    async def _relabel(self) -> bool:
        """Write the new keys into the key widgets drawn, mounting or removing only the keys past the shorter row.

        Composed again, the keys were removed and mounted anew: a layout of the whole screen more and about 50 ms
        of wall time on Escape from the answers to the list, for keys most of which only changed their words; ``z``
        changes their number too. Here each key widget takes its new words and is drawn again (a layout of the
        footer's row when a width changes). Keys past a shorter row are hidden, not removed (a removal ends in a
        layout of its own, a frame after the key's), and shown again with new words for a longer row. False, to
        compose, when a key kept would change its classes (enabled or not) or the row holds more than keys
        (Textual's groups' labels).
        """
        children = list(self.children)
        drawn = [key for key in children if key.display]
        spare = [key for key in children if not key.display]  # hidden by a shorter row, before the palette's key
        if self._shown is None or not drawn or not all(type(key) is FooterKey for key in children):
            return False
        compact, shown = self.compact, self._shown
        with self._context():  # the keys bind to the footer's compact: it is the active message pump
            keys = list(self.compose())  # sets the footer's compact and what it shows, as a compose would
        palette = [key for key in drawn if key.has_class("-command-palette")]  # last, whatever the keys before it
        old = [key for key in drawn if key not in palette]
        new_palette = [key for key in keys if key.has_class("-command-palette")]
        new = [key for key in keys if key not in new_palette]
        shown_again = list(zip(spare, new[len(old) :], strict=False))
        pairs = [*zip(old, new, strict=False), *zip(palette, new_palette, strict=False), *shown_again]
        if (  # the keys kept follow the footer's compact (bound to it): their classes compare as they will be
            len(palette) != len(new_palette)
            or drawn != old + palette
            or children != old + spare + palette
            or keys != new + new_palette
            or any(type(after) is not FooterKey or after.classes != before.classes for before, after in pairs)
        ):
            self.compact, self._shown = compact, shown  # as they were: super().recompose() composes again
            return False
        more = new[len(old) + len(spare) :]  # keys this row needs beyond the widgets it has: mounted, then drawn
        with self.app.batch_update() if more else contextlib.nullcontext():
            written, resized = self._write(pairs, old[len(new) :], [key for key, _ in shown_again])
            if not self._fitting:  # a resize's own layout, coming next, places and draws them (fit_to_screen)
                self._in_next_frame(written, resized)
            if more:  # no frame until they are: the keys relabelled were drawn without them for two frames (z)
                await self.mount(*more, before=palette[0] if palette else None)
        return True

    def _in_next_frame(self, keys: list[Widget], resized: bool) -> None:
        """The keys written drawn in the screen's next frame, and the screen laid out before it if a key's width
        changed or a key came or went; asked now, not by each key as it next idles: the layout came a frame late,
        and that frame drew the new words in the old keys' places (Escape from the answers to the list:
        ``esc Leave list   ^r Send f1 Help        ^q Qui f5 Rest``, the row laid out ~50 ms later), then each
        key's own repaint drew the row a third time."""
        screen = self.screen
        for key in keys:
            key._repaint_required = key._layout_required = False  # done here: nothing left for its idle to ask
        screen._compositor.update_widgets(set(keys))  # their places dirty now, drawn in the next frame
        if resized:
            self._clear_arrangement_cache()
            screen._layout_required = True
        screen.check_idle()

    @staticmethod
    def _write(
        pairs: list[tuple[Widget, Widget]], hidden: list[Widget], shown: list[Widget]
    ) -> tuple[list[Widget], bool]:
        """Each key drawn takes the words of the key composed for its place; keys past the row hidden, spare ones
        needed again shown. The keys given new words, and whether the row needs a layout (a key's width changed,
        or a key came or went)."""
        written: list[Widget] = []
        resized = bool(hidden or shown)
        for before, after in pairs:
            assert isinstance(before, FooterKey) and isinstance(after, FooterKey)
            words = (after.key, after.key_display, after.description, after.action, after._disabled, after.tooltip)
            if words != (
                before.key,
                before.key_display,
                before.description,
                before.action,
                before._disabled,
                before.tooltip,
            ):
                width = (before.key_display, before.description) != (after.key_display, after.description)
                before.key, before.key_display, before.description, before.action = words[:4]
                before._disabled, before.tooltip = words[4:]
                before.refresh(layout=width)
                written.append(before)
                resized = resized or width
        for key in hidden:
            key.display = False
        for key in shown:
            key.display = True
        return written, resized

    def bindings_changed(self, screen: Screen[object]) -> None:
        """Textual's, with the keys written before the screen's next layout rather than after its next refresh:
        Textual recomposed the footer after the frame the key drew, and its new keys asked for a second layout
        of the whole screen and a second frame (``z`` restoring a zoomed answer: ~15 ms of CPU at 80x24)."""
        self._bindings_ready = True
        if screen.app.app_focus and self.is_attached and screen is self.screen:
            self.call_later(self.recompose)

    def _entry_width(self, binding: Binding, compact: bool) -> int:
        """Cells one key takes: `` key description `` with Footer's padding; compact, ``key description`` and a margin."""
        return cell_len(self.app.get_key_display(binding)) + cell_len(binding.description) + (2 if compact else 3)

    def _palette_width(self, binding: Binding, compact: bool) -> int:
        """The palette's key, always drawn compact, after a border, with a padding on its right unless compact."""
        return (
            1 + cell_len(self.app.get_key_display(binding)) + 1 + cell_len(binding.description) + (0 if compact else 1)
        )

    def compose(self) -> ComposeResult:
        """The keys, or, composed for the first frame (``stand_in``), one :class:`FooterBlank` drawing them, which
        they replace just after that frame (:func:`panels.later.later`; at once if the footer is composed again)."""
        keys = list(self._keys())
        drawn = drawn_keys(keys) if self._stand_in and keys else None
        if drawn:
            self._stand_in = False
            blank = FooterBlank(drawn, self.compact)
            later(self, lambda: blank.replace_by(drawn))
            yield blank
            return
        self._stand_in = self._stand_in and not keys  # a footer with no keys yet waits for its first ones
        yield from keys

    def _keys(self) -> ComposeResult:
        if not self._bindings_ready:
            return
        self._width = self._fitting or self.size.width or self.app.size.width  # before its first layout, the terminal's
        self._shown = self._what_to_show()
        entries: dict[str, tuple[Binding, bool, str, bool]] = {}  # one per action, as Footer shows them
        for namespace, binding, enabled, tooltip in self.screen.active_bindings.values():
            if binding.show and binding.action not in entries:  # last: a key of the part with the keyboard
                entries[binding.action] = (binding, enabled, tooltip, namespace not in (self.app, self.screen))
        active = self.screen.active_bindings.get(self.app.COMMAND_PALETTE_BINDING)
        palette = active if self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE else None
        if sum(self._entry_width(b, False) for b, *_ in entries.values()) <= self._width - (
            self._palette_width(palette.binding, False) if palette else 0
        ):
            self.compact = False
            for widget in super().compose():
                yield (
                    _with_class(widget, "-command-palette" in widget.classes)
                    if isinstance(widget, FooterKey)
                    else widget
                )
            return
        self.compact = True
        room = self._width - (self._palette_width(palette.binding, True) if palette else 0)

        def rank(item: tuple[int, tuple[Binding, bool, str, bool]]) -> tuple[int, int]:
            index, (binding, _, _, own) = item
            if own:
                return 0, index
            if binding.id in self.first:
                return 1, self.first.index(binding.id)
            return 2, index

        used = 0
        for _, (binding, enabled, tooltip, _own) in sorted(enumerate(entries.values()), key=rank):
            used += self._entry_width(binding, True)
            if used > room:
                break  # the next key would be cut: it is left out, and so is every one after it
            key = FooterKey(
                binding.key,
                self.app.get_key_display(binding),
                binding.description,
                binding.action,
                disabled=not enabled,
                tooltip=tooltip,
            )
            yield _with_class(key, True).data_bind(compact=Footer.compact)
        if palette is not None:
            key = FooterKey(
                palette.binding.key,
                self.app.get_key_display(palette.binding),
                palette.binding.description,
                palette.binding.action,
                classes="-command-palette",
                disabled=not palette.enabled,
                tooltip=palette.binding.tooltip or palette.binding.description,
            )
            yield _with_class(key, True)

    async def fit_to_screen(self, size: Size) -> None:
        """The keys for the screen's new width, chosen as the terminal is resized, before the screen's layout for that
        size (:func:`explorer.tui.layout_patches.sized_before_laid_out` calls it): chosen on the footer's own Resize,
        they came a frame after that layout, which drew the old width's row cut at the new edge."""
        if self._bindings_ready and size.width != self._width:
            self._fitting = size.width
            try:
                with self._context():  # called by its screen: its keys bind to it (a screen built ahead, hidden,
                    await self.recompose()  # has its bindings before its first Resize, and composes them here)
            finally:
                self._fitting = 0

    def on_resize(self, event: events.Resize) -> None:
        """Which keys fit depends on the width: choose again when the terminal's width changes."""
        if self._bindings_ready and event.size.width != self._width:
            self.call_after_refresh(self.recompose)


def _with_class(key: FooterKey, compact: bool) -> FooterKey:
    """``key`` with its ``compact`` and the class that follows it set before it mounts.

    Textual's key starts compact and sets its class when it mounts, then again when its footer's ``compact``
    reaches it: one or two restyles of every key, each time a footer is composed. Set first, both change
    nothing. ``compact``: the footer's (the palette's key is always compact).
    """
    key.set_class(compact, "-compact", update=False)
    key.set_reactive(FooterKey.compact, compact)
    return key
