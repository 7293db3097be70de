"""Textual's parsed CSS kept on disk, so a start loads the rules it parsed last time instead of parsing again.

Textual parses every widget type's ``DEFAULT_CSS`` and ``app.tcss`` at every start, some sources twice or more
(a widget type's CSS is parsed again when a subclass registered later lowers its tie-breaker): 41 parses of 32
sources before the first frame, ~3.5% of its instructions (docs/how-it-works.md, "The first paint"). Here
``Stylesheet._parse_rules`` looks each source up first in a file of the rules it gave last time, keyed by a
digest of everything the rules depend on: the CSS text, where it was read from, its flags, the CSS variables
(the theme) and the Textual whose classes the rules are made of (each of its CSS modules' size and time).

The file is ``flask-fastapi-explorer/css-rules.pickle`` under ``$XDG_CACHE_HOME`` (``~/.cache``), never the
repository or the current folder. It is a pickle, so it is read only if it is a regular file of at most 8 MiB
owned by the user and writable by no one else; one that cannot be read, is corrupt or was written for another
Python or Textual is ignored and replaced, never a traceback. It is written on quit, and only when something
was parsed that it did not hold; a source parsed again with other text (an upgraded explorer) replaces its old
rules there, so the file does not grow with every version. ``EXPLORER_CSS_CACHE=0`` turns it off (nothing read, nothing written).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import pickle
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import textual
from textual.css.model import RuleSet
from textual.css.stylesheet import Stylesheet

from explorer.runtime.userdata.cache_files import cache_folder, read_own_file, write_whole

__all__ = ["CACHE_VARIABLE", "cache_path", "kept_css"]

CACHE_VARIABLE = "EXPLORER_CSS_CACHE"
MAX_ENTRIES = 1000  # a file that grew past this (themes, versions) starts again from this session's rules
_textual_parse_rules = Stylesheet._parse_rules


def cache_path(environ: dict[str, str] | os._Environ[str] = os.environ) -> Path:
    """In the explorer's cache folder (:func:`explorer.runtime.userdata.cache_files.cache_folder`)."""
    return cache_folder(environ) / "css-rules.pickle"


def _textual_identity() -> str:
    """Python's version and each file of Textual's CSS package (name, size, time): a new Textual changes it."""
    folder = os.path.dirname(textual.__file__)
    css = os.path.join(folder, "css")
    files = [os.path.join(folder, "color.py"), os.path.join(folder, "geometry.py")]
    files += [os.path.join(css, name) for name in sorted(os.listdir(css)) if name.endswith(".py")]
    stats = [(name, (found := os.stat(name)).st_size, found.st_mtime_ns) for name in files]
    return repr((sys.version, stats))


class ParsedCss:
    """The rules read from the cache file, and those parsed this session that it did not hold."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.identity = _textual_identity()
        self.new: dict[str, list[RuleSet]] = {}
        self._variables: tuple[dict[str, str] | None, bytes] = (None, b"")

    @functools.cached_property
    def loaded(self) -> dict[str, list[RuleSet]]:
        """The file's rules, read at the first parse (after the terminal's first bytes, not before)."""
        data = read_own_file(self.path)
        if data is None:
            return {}
        try:
            identity, entries = pickle.loads(data)
        except Exception:  # noqa: BLE001 - missing, unreadable, corrupt, or of classes this Textual no longer has
            return {}
        return entries if identity == self.identity and isinstance(entries, dict) else {}

    def key(self, css: str, source: tuple[object, ...], variables: dict[str, str]) -> str:
        """``SLOT:TEXT``: a digest of where the CSS came from, its flags (``source``) and the variables, then one of
        the CSS text. A slot parsed again with other text (the explorer upgraded) replaces its old rules on save."""
        if variables != self._variables[0]:  # the same for every source of a theme: digested once
            self._variables = (dict(variables), hashlib.sha256(repr(sorted(variables.items())).encode()).digest())
        slot = hashlib.sha256(self._variables[1])
        slot.update(repr(source).encode())
        return f"{slot.hexdigest()[:32]}:{hashlib.sha256(css.encode()).hexdigest()[:32]}"

    def get(self, key: str) -> list[RuleSet] | None:
        rules = self.loaded.get(key)
        if type(rules) is list and all(type(rule) is RuleSet for rule in rules):
            return rules
        return None

    def save(self) -> None:
        """Write the file (atomically) if this session parsed anything it did not hold."""
        if not self.new:
            return
        slots = {key.partition(":")[0] for key in self.new}
        kept = {key: rules for key, rules in self.loaded.items() if ":" in key and key.partition(":")[0] not in slots}
        entries = {**kept, **self.new} if len(kept) + len(self.new) <= MAX_ENTRIES else self.new
        write_whole(self.path, pickle.dumps((self.identity, entries), protocol=pickle.HIGHEST_PROTOCOL))


def _cached_parse_rules(cache: ParsedCss) -> Any:
    def parse_rules(
        self: Stylesheet,
        css: str,
        read_from: tuple[str, str],
        is_default_rules: bool = False,
        tie_breaker: int = 0,
        scope: str = "",
    ) -> list[RuleSet]:
        source = (css, read_from, is_default_rules, tie_breaker, scope)
        if source in self._parse_cache:
            return self._parse_cache[source]
        key = cache.key(css, source[1:], self._variables)
        rules = cache.get(key)
        if rules is None:
            rules = _textual_parse_rules(self, css, read_from, is_default_rules, tie_breaker, scope)
            if not any(rule.errors for rule in rules):
                cache.new[key] = rules
        self._parse_cache[source] = rules
        return rules

    return parse_rules


@contextlib.contextmanager
def kept_css(environ: dict[str, str] | os._Environ[str] = os.environ) -> Iterator[ParsedCss | None]:
    """Textual's stylesheets parse through the cache file while this lasts; the file is written as it ends."""
    if environ.get(CACHE_VARIABLE) == "0":
        yield None
        return
    try:
        cache = ParsedCss(cache_path(environ))
    except Exception:  # noqa: BLE001 - no home folder, Textual's files unreadable: a start without the cache
        yield None
        return
    Stylesheet._parse_rules = _cached_parse_rules(cache)  # type: ignore[method-assign]  # the patch itself
    try:
        yield cache
    finally:
        Stylesheet._parse_rules = _textual_parse_rules  # type: ignore[method-assign]  # Textual's own again
        cache.save()
