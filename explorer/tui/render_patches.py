"""A patch to Textual's (8.2.8) compositor, installed by :class:`explorer.tui.textual_patches.GuardedApp`: lines a
frame covers with the widgets in front are not drawn (issue 24: the first paint).

Textual draws a frame front to back: for every widget on the screen it renders each line of its region, then cuts
each line where a widget starts or ends and keeps, for every piece, the first (front-most) one. A container's lines
are rendered whole though the widgets inside it cover nearly all of them: the main view's first frame rendered 542
lines (the screen, the main row, the list's column, the workbench, the answers' row, each answer and its tabs, each a
full height) for a screen of 48, and each rendered line is styled, filtered and cut. Here a widget renders only the
lines where some piece of its columns is still uncovered, in runs (Textual renders a range of lines as readily as
all of them), and the pieces are kept as before: the frame is the same, cell for cell.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from textual._compositor import Compositor
from textual.geometry import Region
from textual.strip import Strip

__all__ = ["covered_lines_not_drawn"]


def _render_chops(
    compositor: Compositor, crop: Region, is_rendered_line: Callable[[int], bool]
) -> Sequence[Mapping[int, Strip]]:
    """Textual's ``Compositor._render_chops`` (a frame's pieces of line, front-most first), rendering a widget's
    lines only where a piece in its columns is not filled yet."""
    cuts = compositor.cuts
    chops: list[dict[int, Strip | None]] = [dict.fromkeys(cut_set[:-1]) for cut_set in cuts]
    intersection = Region.intersection
    crop_overlaps = crop.overlaps
    for widget, (region, clip) in compositor.visible_widgets.items():
        if not crop_overlaps(clip):
            continue
        render_region = intersection(region, clip)
        x, top, width, height = render_region
        if not (width and height):
            continue
        first_cut, last_cut = render_region.column_span
        runs: list[list[int]] = []  # [first line, line after] of each run of lines to draw
        for y in range(top, top + height):
            if not is_rendered_line(y):
                continue
            chops_line = chops[y]
            if all(chops_line.get(cut) is not None for cut in cuts[y] if last_cut > cut >= first_cut):
                continue  # every piece of it is covered by a widget in front
            if runs and runs[-1][1] == y:
                runs[-1][1] = y + 1
            else:
                runs.append([y, y + 1])
        for start, end in runs:
            strips = widget.render_lines(Region(x - region.x, start - region.y, width, end - start))
            for y, strip in zip(range(start, end), strips, strict=False):
                chops_line = chops[y]
                final_cuts = [cut for cut in cuts[y] if last_cut >= cut >= first_cut]
                for cut, piece in zip(final_cuts, strip.divide([cut - x for cut in final_cuts[1:]]), strict=False):
                    if chops_line.get(cut) is None:
                        chops_line[cut] = piece
    return chops  # type: ignore[return-value]  # every piece filled: Textual's own cast


def covered_lines_not_drawn() -> None:
    """Install :func:`_render_chops` in place of Textual's."""
    Compositor._render_chops = _render_chops  # type: ignore[method-assign,assignment]  # Textual's method, replaced in place
