"""Patches to Textual's (8.2.8) layout, installed by :class:`explorer.tui.textual_patches.GuardedApp`.

A layout followed by a second one (:func:`one_layout_per_change`): when a layout of the screen changes a
widget's size, Textual sets the widget's ``virtual_size``, a reactive that asks for a layout of the screen
when it changes, though the layout that set it has just placed every widget with that size (nothing watches
it). So each key that resized anything (Escape between the list and the answers, as the editor folds; ``z``;
a send) laid the whole main view out twice, 6-20 ms of CPU and a frame apart. Here a layout records the sizes
it found without asking for another; a scroll bar that must appear or go still asks (``_scroll_update``), as
do the Resize handlers that change what they draw. Textual does the same for a layout after a scroll.

A new screen laid out twice before its first frame settles (:func:`first_layout_when_mounted`): Textual lays
a screen out, and draws it, the moment it first becomes active, then handles the messages its widgets posted
as they mounted (each asks for a layout and a repaint, a widget given the keyboard restyles) and lays it out
and draws it again, then repaints the whole screen (its resume asked for that too). The main screen's first
frame was drawn three times, the list in the wrong colours in the first (it had the keyboard, but not yet
its style), each time written whole to the terminal. Here a new screen's first layout waits for those
messages, as any later layout does: one layout and one full render, of the screen as it settles.

A request that the layout before it answered (:func:`one_layout_per_change` too): a widget asks for a layout
with ``refresh(layout=True)``, and tells its screen only when its own messages next run out (a ``Layout``
message). The screen lays itself out on its frame timer, so a screen that had asked for a layout itself often
laid out before the requests of widgets changed with it had arrived, then laid the whole screen out again for
each late one: ``z`` restoring an answer (the answer restyled, the footer's keys relabelled) and the first
opening of a screen (each widget restyled as it mounts) drew two or three frames, each a layout of the whole
screen. Here a request clears the arrangements it changes as it is made, and a request older than the start of
a full layout of its screen is answered by it: its late message is dropped. Repaints likewise
(:func:`one_layout_per_change` too): a widget's repaint requested before a frame that redrew the whole screen
(as every layout's does) is in that frame; its late ``Update`` message drew the widget again a frame later
(restoring a zoomed answer drew the screen, then the answer and the footer again: ~8 KB more to the terminal).
A screen beneath an opaque top screen changed (the answer panel the keyboard left as a screen opened over it)
made Textual draw the top screen again where it had changed: no longer, since none of it shows (noted for when it
is shown again; and not asked to repaint while covered: each of its frames asked for the next, ~30 ms apart, for as
long as it had messages). The terminal reporting its size unchanged (:func:`_check_resize`) draws the top screen
whole: that redraw of the top screen for a change beneath was what drew a lab that had been handed such a Resize.

Scroll bars in the frame of the layout that changed them (:func:`one_layout_per_change` too): a layout that
finds a scrolling widget's virtual size changed (a log written to) sets its scroll bars' range and asks them to
repaint, which Textual does a frame later, from their ``Update`` messages; the first lines of the WebSocket logs
drew the screen, then both scroll bars again ~30 ms later (1.4 KB). Here they are drawn with that layout's frame,
and their late message is dropped as drawn.
"""

from __future__ import annotations

import weakref
from itertools import count
from typing import Any

from textual import events, messages
from textual.app import App
from textual.dom import DOMNode
from textual.geometry import Size
from textual.screen import Screen
from textual.widget import Widget

__all__ = [
    "FIT_TO_SCREEN",
    "first_layout_when_mounted",
    "one_layout_per_change",
    "restyle_adds_nothing",
    "restyle_alone",
    "size_classes",
    "sized_before_laid_out",
    "whole_in_next_frame",
]

_textual_size_updated = Widget._size_updated
_textual_refresh = Widget.refresh
_textual_refresh_layout = Screen._refresh_layout
_textual_on_layout = Screen._on_layout
_ticks = count(1)  # orders layout requests and layouts: a request with a lower number came before
_ASKED, _STARTED = "_explorer_layout_asked", "_explorer_layout_started"
_PAINT_ASKED, _PAINTED = "_explorer_repaint_asked", "_explorer_full_frame"
_textual_compositor_refresh = Screen._compositor_refresh
_textual_on_update = Screen._on_update
_textual_refresh_scrollbars = Widget._refresh_scrollbars
_HELD: dict[Screen[Any], bool] = {}  # the screen in a layout's first pass: not drawn yet (True: a frame was put off)
_BARS_MOVED: dict[Screen[Any], bool] = {}  # a scroll bar came or went in that pass
_textual_scroll_update = Widget._scroll_update
_textual_check_resize = App._check_resize
_BARS, _BAR_DRAWN = "_explorer_bars_changed", "_explorer_bar_drawn"
_laying_out: list[Screen[Any]] = []  # the screen whose layout is running (layouts do not nest; a list for safety)


def _size_updated(widget: Widget, size: Size, virtual_size: Size, container_size: Size, layout: bool = True) -> bool:
    """Textual's, with the virtual size recorded as the layout found it (``layout=False``: no layout asked)."""
    return _textual_size_updated(widget, size, virtual_size, container_size, layout=False)


def _refresh(widget: Widget, *regions: Any, repaint: bool = True, layout: bool = False, recompose: bool = False) -> Any:
    """Textual's, with a layout request numbered and the arrangements it changes cleared now, as Textual
    clears them when it tells the screen (``Widget._check_refresh``): a layout from now on places it."""
    if layout and not recompose:
        setattr(widget, _ASKED, next(_ticks))
        for ancestor in widget.ancestors:
            if not isinstance(ancestor, Widget):
                break
            ancestor._clear_arrangement_cache()
            if not ancestor.styles.auto_dimensions:
                break
    if repaint and not recompose:
        setattr(widget, _PAINT_ASKED, next(_ticks))
    return _textual_refresh(widget, *regions, repaint=repaint, layout=layout, recompose=recompose)


def _refresh_layout(screen: Screen[Any], size: Size | None = None, scroll: bool = False) -> None:
    """Textual's, noting when a full layout (not a scroll's reflow of what shows) starts; and laid out again at once,
    before it is drawn, when a scroll bar came or went in it (:func:`_refresh_scrollbars`)."""
    if scroll and not screen._layout_widgets:
        _lay_out(screen, size, scroll)
        return
    setattr(screen, _STARTED, next(_ticks))
    if _HELD:  # within the first pass of a layout: as Textual does
        _lay_out(screen, size, scroll)
        return
    if screen._repaint_required and screen.is_current:  # a repaint asked for (a kept screen shown again) is drawn
        screen._compositor.update_widgets({screen})  # in this layout's frame: Textual's update timer drew the layout,
        screen._repaint_required = False  # then the whole screen once more, the same picture (the docs' first `d`)
    _HELD[screen] = False
    try:
        _lay_out(screen, size, scroll)  # not drawn: _HELD
    finally:
        bars_moved, held_draw = _BARS_MOVED.pop(screen, False), _HELD.pop(screen)
    if bars_moved:  # the second pass places every widget beside the bars as they now are, and draws
        setattr(screen, _STARTED, next(_ticks))
        _lay_out(screen, size, scroll)
    elif held_draw:
        screen._compositor_refresh()


def _refresh_scrollbars(widget: Widget) -> None:
    """Textual's, noting a scroll bar that came or went during a layout's first pass.

    Textual decides a widget's scroll bars after a layout has placed it, and that layout placed its content beside
    the bars it had: a bar that must come or go asks for a second layout, drawn a frame later. So the first frame
    after a key had the headers table laid out as if without its scroll bar (the Headers tab at 120x30), a list
    refilled without its bar, a list's last row taken by a horizontal bar it no longer needed."""
    bars = widget.show_horizontal_scrollbar, widget.show_vertical_scrollbar
    _textual_refresh_scrollbars(widget)
    if _HELD and bars != (widget.show_horizontal_scrollbar, widget.show_vertical_scrollbar):
        for screen in _HELD:
            _BARS_MOVED[screen] = True


def _lay_out(screen: Screen[Any], size: Size | None, scroll: bool) -> None:
    """Textual's layout, with the screen noted as laying out while it runs (:func:`_scroll_update`)."""
    _laying_out.append(screen)
    try:
        _textual_refresh_layout(screen, size, scroll)
    finally:
        _laying_out.pop()


def _scroll_update(widget: Widget, virtual_size: Size) -> None:
    """Textual's, with the scroll bars it repaints during a layout noted, to be drawn in that layout's frame."""
    _textual_scroll_update(widget, virtual_size)
    if _laying_out:
        bars: set[Widget] = vars(_laying_out[-1]).setdefault(_BARS, set())
        bars.update(bar for bar in (widget._vertical_scrollbar, widget._horizontal_scrollbar) if bar is not None)


async def _on_layout(screen: Screen[Any], message: messages.Layout) -> None:
    """Textual's, but a request the last full layout started after has been answered: no second layout."""
    widget: DOMNode = message.widget
    if screen not in _UNDRAWN and getattr(widget, _ASKED, 0) < getattr(screen, _STARTED, 0):
        message.stop()
        message.prevent_default()
        return
    await _textual_on_layout(screen, message)


def _compositor_refresh(screen: Screen[Any]) -> None:
    """Textual's, noting when a frame of the whole top screen (not of some widgets) starts, as Textual decides one
    (``Compositor.render_update``: the screen's whole region dirty; a resize's layout drew the whole screen unnoted,
    and every repaint asked for before it drew it again a frame later, the same); and a screen beneath an opaque one
    is not drawn through it (:func:`_hidden_beneath`)."""
    app = screen.app
    top = screen is app.screen and not app.is_inline
    if not top and _hidden_beneath(screen):
        return
    if top and (bars := vars(screen).pop(_BARS, None)):  # scroll bars a layout changed: drawn in its frame
        screen._compositor.update_widgets(bars)
        drawn = next(_ticks)
        for bar in bars:
            setattr(bar, _BAR_DRAWN, drawn)
    compositor = screen._compositor  # a frame of the whole screen: asked for, or a layout's for a new size
    if top and (screen in screen._dirty_widgets or compositor.size.region in compositor._dirty_regions):
        setattr(screen, _PAINTED, next(_ticks))
    _textual_compositor_refresh(screen)


def _hidden_beneath(screen: Screen[Any]) -> bool:
    """A change to the screen just beneath the top one, when the top one is opaque: noted for when it is shown again,
    not drawn. Textual redrew the top screen where the one beneath had changed (there for a top screen that lets it
    show through): every screen a key opened over the main view, shown again, was drawn whole a second time ~30 ms
    later (the main view's answer panel restyled as the keyboard left it). Textual also asked the screen beneath
    for a whole repaint, which its own frame timer (a screen beneath counts as current) made at its next idle, and
    which asked for the next: not here, as the screen just beneath is the next shown, and showing a screen again
    repaints it whole (``Screen._on_screen_resume``). A screen further down (beneath a see-through one) is left to
    Textual: shown again, the see-through screen would show it as it was before the change."""
    app = screen.app
    regions, stack = screen._compositor._dirty_regions, app.screen_stack
    if app.is_inline or not regions or len(stack) < 2 or stack[-2] is not screen or app.screen.styles.background.a < 1:
        return False
    screen._set_dirty(*regions)
    regions.clear()
    screen._dirty_widgets.clear()
    return True


def _check_resize(app: App[Any]) -> None:
    """Textual's, and the top screen drawn whole in its next frame when the terminal's size comes unchanged: the
    terminal may have changed beneath it (resized and back before the app read it; our driver's SIGCONT). Textual
    lays every screen out again for it, which draws only what moved (nothing); a screen at its size is not laid out
    again here (:func:`explorer.tui.textual_patches.covered_screens_keep_their_layout`)."""
    event = app._resize_event
    if event is not None and not app.is_inline and app.screen_stack:
        screen = app.screen
        if screen._compositor.size == event.size and screen not in _UNDRAWN and screen not in _LAYING_OUT:
            whole_in_next_frame(screen)  # (a screen not drawn yet is drawn whole: its first frame, when it settles)
    _textual_check_resize(app)


async def _on_update(screen: Screen[Any], message: messages.Update) -> None:
    """Textual's, but a repaint the last whole frame started after is drawn already: no second frame."""
    drawn = max(getattr(screen, _PAINTED, 0), getattr(message.widget, _BAR_DRAWN, 0))
    if screen not in _UNDRAWN and getattr(message.widget, _PAINT_ASKED, 0) < drawn:
        message.stop()
        message.prevent_default()
        return
    await _textual_on_update(screen, message)


def restyle_alone(screen: Screen[object]) -> None:
    """Apply ``screen``'s rules to the screen alone, and lay it out (the zoom's class on the screen): Textual's style
    properties that arrange children (``layout``, ``align``, ``overflow``) also refresh every descendant, each
    asking for a layout and dropping the sizes it had measured (each Rich table and text measured again: ~20 ms
    of the layout that restores a zoomed answer at 80x24), though none of their own styles changed; each widget
    the layout resizes is drawn again."""
    styles = screen._css_styles
    refresh = styles.refresh

    def own_refresh(
        *, layout: bool = False, children: bool = False, parent: bool = False, repaint: bool = True
    ) -> None:
        refresh(layout=layout, parent=parent, repaint=repaint)

    styles.refresh = own_refresh  # type: ignore[method-assign]  # for this restyle only, then Textual's again
    try:
        screen.app.stylesheet.update_nodes([screen], animate=True)
    finally:
        del styles.refresh
    screen._clear_arrangement_cache()  # a child's layout request cleared it; the screen's own does not
    screen.refresh(layout=True)


def restyle_adds_nothing(screen: Screen[Any], sources: dict[Any, Any]) -> bool:
    """Whether a screen left with the stylesheet's ``sources`` is styled as a full pass would style it now: the
    stylesheet holds ``sources`` and more, each added source scoped to a type no node of ``screen`` is
    (the CSS of a screen first opened meanwhile, and of its widgets' types): a scoped rule applies to a node of its
    type and below, so none of them matches on ``screen``. Each screen's first opening made every kept screen's next
    showing restyle whole (the lab: ~30 ms). A source Textual keeps with a lower tie-breaker (``Screen``'s, as a
    screen class deeper in its hierarchy mounts) keeps its rules' order among those of a screen's own classes."""
    now = screen.app.stylesheet.source
    if any((now[at].content, now[at].scope) != (was.content, was.scope) for at, was in sources.items() if at in now):
        return False
    if not sources.keys() <= now.keys():
        return False
    scopes = {source.scope for location, source in now.items() if location not in sources}
    if "" in scopes:
        return False
    return all(scopes.isdisjoint(node._css_type_names) for node in screen.walk_children(with_self=True))


def whole_in_next_frame(screen: Screen[Any]) -> None:
    """Draw all of ``screen`` in its next frame, with the layout that frame may bring (after frames made while the
    app's updates were batched: Textual made them and did not write them). ``screen.refresh()`` would draw it
    whole a frame after that layout's, from its ``Update`` message."""
    screen._set_dirty()
    screen._dirty_widgets.add(screen)
    screen.check_idle()


def one_layout_per_change() -> None:
    """A layout of the screen records the sizes it gives and answers every request made before it started; it
    no longer asks for a second layout of the screen. And a new screen is drawn once as it first shows
    (:func:`first_layout_when_mounted`; installed here, after
    :func:`explorer.tui.textual_patches.resume_without_restyle`, whose resume it wraps, and after the frame
    patch above, whose draw it wraps)."""
    Widget._size_updated = _size_updated  # type: ignore[method-assign,assignment]  # Textual's method, replaced in place
    Widget.refresh = _refresh  # type: ignore[method-assign,assignment]  # Textual's method, replaced in place
    Screen._refresh_layout = _refresh_layout  # type: ignore[method-assign,assignment]  # Textual's method, replaced in place
    Widget._refresh_scrollbars = _refresh_scrollbars  # type: ignore[method-assign,assignment]  # Textual's method, replaced in place
    Screen._on_layout = _on_layout  # type: ignore[method-assign,assignment]  # Textual's handler, replaced in place
    if Screen._compositor_refresh is _textual_compositor_refresh:  # not over a wrapper a test put there first
        Screen._compositor_refresh = _compositor_refresh  # type: ignore[method-assign,assignment]  # Textual's, in place
    Screen._on_update = _on_update  # type: ignore[method-assign,assignment]  # Textual's handler, replaced in place
    Widget._scroll_update = _scroll_update  # type: ignore[method-assign,assignment]  # Textual's method, replaced in place
    App._check_resize = _check_resize  # type: ignore[method-assign,assignment]  # Textual's method, replaced in place
    sized_before_laid_out()
    first_layout_when_mounted()


_LAYING_OUT: weakref.WeakSet[Screen[Any]] = weakref.WeakSet()  # new screens in their first resume's layout
_UNDRAWN: weakref.WeakSet[Screen[Any]] = weakref.WeakSet()  # new screens laid out but not drawn yet


def first_layout_when_mounted() -> None:
    """A new screen is drawn once its widgets have handled their first layout (their Resize) and it has been
    laid out again for what they changed, not at its first layout, then again, then whole once more (call after
    any other patch of ``Screen._on_screen_resume``: it wraps the one in place)."""
    resume, draw = Screen._on_screen_resume, Screen._compositor_refresh
    if getattr(resume, "draws_later", False):
        return

    def resume_draw_later(screen: Screen[Any], event: events.ScreenResume) -> None:
        if not screen.is_attached or screen._compositor.size:
            resume(screen, event)  # laid out before: shown again
            return
        _LAYING_OUT.add(screen)
        try:
            resume(screen, event)  # its layout, not drawn; and a repaint asked for, done once the messages its
        finally:  # widgets posted as they mounted and as that layout resized them are handled
            _LAYING_OUT.discard(screen)
        _UNDRAWN.add(screen)

    def draw_when_settled(screen: Screen[Any]) -> None:
        if screen in _LAYING_OUT:
            return
        if screen in _HELD:  # a layout's first pass: drawn once its scroll bars are known (_refresh_layout)
            _HELD[screen] = True
            return
        if screen in _UNDRAWN:  # its first frame, drawn whole (nothing is yet): the repaint asked for is done
            _UNDRAWN.discard(screen)
            screen._repaint_required = False
        draw(screen)

    async def callbacks_once_drawn(screen: Screen[Any]) -> None:
        if screen in _UNDRAWN or screen in _LAYING_OUT:  # "after refresh" is after its first frame: with that frame
            return  # put off, an idle ran them before anything was drawn; kept for the frame's own call
        await invoke_callbacks(screen)

    invoke_callbacks = Screen._invoke_and_clear_callbacks
    resume_draw_later.draws_later = True  # type: ignore[attr-defined]  # marks the wrapper: installed once
    Screen._invoke_and_clear_callbacks = callbacks_once_drawn  # type: ignore[method-assign,assignment]  # Textual's, wrapped
    Screen._on_screen_resume = resume_draw_later  # type: ignore[method-assign,assignment]  # Textual's handler, wrapped
    Screen._compositor_refresh = draw_when_settled  # type: ignore[method-assign,assignment]  # Textual's method, wrapped


def size_classes(screen: Screen[Any], size: Size) -> dict[str, bool]:
    """Each of ``screen``'s breakpoint classes (``-narrow``, ``-short``, ...), and whether ``size`` gives it, as
    Textual's ``Screen._on_resize`` decides them (the screen's breakpoints, else the app's)."""
    app, classes = screen.app, {}
    for extent, own, default in (
        (size.width, screen.HORIZONTAL_BREAKPOINTS, app.HORIZONTAL_BREAKPOINTS),
        (size.height, screen.VERTICAL_BREAKPOINTS, app.VERTICAL_BREAKPOINTS),
    ):
        breakpoints = (default if own is None else own) or []
        given = screen._get_breakpoint_classes(extent, breakpoints)
        classes.update({name: name in given for _, name in breakpoints})
    return classes


_textual_on_resize = Screen._on_resize
FIT_TO_SCREEN = "fit_to_screen"  # a widget's coroutine method, given the screen's new size before its layout


async def _on_resize(screen: Screen[Any], event: events.Resize) -> None:
    """Textual's, with the screen's size classes for the new size set, and each widget that fits its content to the
    screen's size (``fit_to_screen``: the footer's keys) fitted, before the screen is laid out for that size."""
    screen.update_classes(size_classes(screen, event.size), animate=False)
    for widget in list(screen.walk_children(Widget)):
        fit = getattr(widget, FIT_TO_SCREEN, None)
        if fit is not None:
            await fit(event.size)
    await _textual_on_resize(screen, event)  # its own update of the classes then changes nothing


def sized_before_laid_out() -> None:
    """A resized screen takes its size classes before its layout for the new size, not after it (issue 24).

    Textual lays a resized screen out and draws it, then sets the classes its breakpoints give the new size,
    which restyle it and ask for a second layout: every resize first drew the old size's layout at the new
    size for a frame (160x48 to 80x24: the wide list and both answers, cut at 80 columns). A widget that chooses
    what it shows by the screen's width did so on its own Resize, after that layout's frame, and drew a frame
    later again: the footer's keys (at 80 columns the 160-column row, cut) now come with the layout."""
    Screen._on_resize = _on_resize  # type: ignore[method-assign,assignment]  # Textual's handler, replaced in place
