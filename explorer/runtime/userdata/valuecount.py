"""How many values a JSON or YAML text holds, counted before the parser builds any of them.

A file within its byte cap still expands 50 to 250 times in memory once parsed: a 4 MiB YAML of
empty lists peaked at 1 GB (a composed node costs about 400 bytes), a 32 MiB JSON of ``[]`` at
1.6 GB and a 64 MiB one at 3.2 GB. So :mod:`explorer.runtime.userdata.datafile` counts first, cheaply, and
refuses past its bound with :class:`~explorer.runtime.userdata.bounded.DataLimitError`:

- JSON: every value but the first is the first item of a container or follows a comma, so there
  are at most 1 + commas + ``[`` + ``{``. Counted in the whole text first (fast, and within the
  bound for most files); when that is too many, again outside strings and without the empty
  containers, which is exact.
- YAML: a node is the document or comes after ``-``, ``[``, ``{``, ``,``, ``:`` or ``?`` (a pair,
  two nodes, after one ``:``), so twice their count bounds the nodes; when that is too many, a
  first pass counts the parser's events, keeping none. Keys count, as nodes cost memory too.
"""

from __future__ import annotations

import re

from explorer.runtime.userdata.bounded import DataLimitError

__all__ = ["count_json", "count_yaml"]

_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
_JSON_SPACED_EMPTY = re.compile(r"[\[{][ \t\n\r]+[\]}]")
_JSON_SPACE = " \t\n\r"


def count_json(text: str, limit: int) -> None:
    """:class:`DataLimitError` when the JSON ``text`` holds more than ``limit`` values."""
    if 1 + text.count(",") + text.count("[") + text.count("{") <= limit:
        return
    bare = _JSON_STRING.sub('""', text)
    empty = bare.count("[]") + bare.count("{}")
    if any(bare.count(opening + space) for opening in "[{" for space in _JSON_SPACE):
        empty += sum(1 for _ in _JSON_SPACED_EMPTY.finditer(bare))
    if 1 + bare.count(",") + bare.count("[") + bare.count("{") - empty > limit:
        raise DataLimitError(f"holds more than {limit:,} values")


def count_yaml(text: str, limit: int, loader_class: type) -> None:
    """:class:`DataLimitError` when the YAML ``text`` holds more than ``limit`` nodes, with where the one past is.

    ``loader_class`` is the loader that will parse it (its parser gives the events); its errors
    (``yaml.YAMLError``) are the caller's to report, as they would come from parsing anyway.
    """
    if 1 + 2 * sum(text.count(c) for c in "-[{,:?") <= limit:
        return
    from yaml.events import AliasEvent, MappingStartEvent, ScalarEvent, SequenceStartEvent, StreamEndEvent

    node_events = (ScalarEvent, SequenceStartEvent, MappingStartEvent, AliasEvent)
    loader = loader_class(text)
    try:
        count = 0
        while not loader.check_event(StreamEndEvent):
            event = loader.get_event()
            if isinstance(event, node_events):
                count += 1
                if count > limit:
                    mark = event.start_mark
                    where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
                    raise DataLimitError(f"holds more than {limit:,} values and keys{where}")
    finally:
        loader.dispose()
