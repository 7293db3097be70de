"""A user's ``ignore_regex`` pattern sized before it is compiled, so compiling it is bounded.

The ``regex`` module (what compares with these patterns, for its time-out) expands a counted repeat
into copies while compiling: ``a{1000000000}``, 54 bytes of YAML, grew the process to 23 GB, and
``(?:a{1000}){1000}`` alone costs 280 MB (about 250 bytes per copy). Python's own ``re`` does not
expand them, and its parser (``re._parser``) reads a pattern into a tree without compiling it. So a
pattern is parsed by ``re._parser`` and refused, with the bound named, when it is:

- longer than :data:`MAX_REGEX_CHARS` characters, or nests groups deeper than :data:`MAX_GROUP_DEPTH`
  (measured by a scan first: the parser recurses once per group, 5,000 nested groups raised
  ``RecursionError``);
- larger than :data:`MAX_REGEX_PARTS` once every counted repeat is written out: each part of the tree
  counts once per copy of every repeat around it (``{n,m}`` as ``m`` copies, ``{n,}`` as ``n``), so
  nested repeats multiply. 100,000 parts compile in under 30 MB;
- in verbose mode (``(?x)``): there ``regex`` reads ``a{1000 000}`` as a repeat where ``re`` reads
  letters, so the tree would not be what ``regex`` compiles.

Every pattern accepted here is the ``re`` syntax that ``regex`` (VERSION0) also accepts.
"""

from __future__ import annotations

import re
import re._constants as sre
import re._parser as sre_parse
from typing import Any

__all__ = ["MAX_GROUP_DEPTH", "MAX_REGEXES", "MAX_REGEX_CHARS", "MAX_REGEX_PARTS", "RegexRefused", "check_regex"]

MAX_REGEXES = 100  # per ignore_regex list
MAX_REGEX_CHARS = 1000
MAX_GROUP_DEPTH = 50
MAX_REGEX_PARTS = 100_000

_REPEATS = {sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT}


class RegexRefused(ValueError):
    """Why a pattern is refused: one line, naming the bound."""


def _group_depth(pattern: str) -> int:
    """The deepest nesting of parentheses, skipping escapes and character classes (may over-count, never under)."""
    depth = deepest = 0
    i, n = 0, len(pattern)
    while i < n:
        char = pattern[i]
        if char == "\\":
            i += 2
            continue
        if char == "[":  # a class: a "]" right after "[" or "[^" is a member
            i += 2 if pattern.startswith("[^", i) else 1
            if i < n and pattern[i] == "]":
                i += 1
            while i < n and pattern[i] != "]":
                i += 2 if pattern[i] == "\\" else 1
        elif char == "(":
            depth += 1
            deepest = max(deepest, depth)
        elif char == ")":
            depth = max(depth - 1, 0)
        i += 1
    return deepest


def _children(op: Any, av: Any) -> tuple[int, list[Any]]:
    """The copies a node makes of its sub-patterns, and those sub-patterns."""
    if op in _REPEATS:
        low, high, sub = av
        return max(low if high == sre.MAXREPEAT else high, 1), [sub]
    if op == sre.SUBPATTERN:
        return 1, [av[3]]
    if op == sre.BRANCH:
        return 1, list(av[1])
    if op in (sre.ASSERT, sre.ASSERT_NOT):
        return 1, [av[1]]
    if op == sre.ATOMIC_GROUP:
        return 1, [av]
    if op == sre.GROUPREF_EXISTS:
        return 1, [sub for sub in av[1:] if sub is not None]
    return 1, []


def _verbose(tree: Any) -> bool:
    if tree.state.flags & sre.SRE_FLAG_VERBOSE:
        return True
    stack = [tree]
    while stack:
        for op, av in stack.pop().data:
            if op == sre.SUBPATTERN and (av[1] & sre.SRE_FLAG_VERBOSE):
                return True
            stack.extend(_children(op, av)[1])
    return False


def _parts(tree: Any, limit: int) -> int:
    """The parts of the tree with every repeat written out; stops counting once past ``limit``."""
    total = 0
    stack: list[tuple[Any, int]] = [(tree, 1)]
    while stack:
        sub, copies = stack.pop()
        for op, av in sub.data:
            total += copies
            if total > limit:
                return total
            times, subs = _children(op, av)
            stack.extend((child, copies * times) for child in subs)
    return total


def check_regex(pattern: str) -> None:
    """Refuse (:class:`RegexRefused`) a pattern that is malformed or too costly to compile; else return."""
    if len(pattern) > MAX_REGEX_CHARS:
        raise RegexRefused(f"is longer than {MAX_REGEX_CHARS:,} characters")
    if _group_depth(pattern) > MAX_GROUP_DEPTH:
        raise RegexRefused(f"nests groups deeper than {MAX_GROUP_DEPTH} levels")
    try:
        tree = sre_parse.parse(pattern)
    except re.error as exc:
        raise RegexRefused(f"is not a regular expression: {exc}") from None
    except OverflowError:  # a count past 4,294,967,295
        raise RegexRefused(f"has more than {MAX_REGEX_PARTS:,} parts once its repeats are written out") from None
    except RecursionError:
        raise RegexRefused(f"nests groups deeper than {MAX_GROUP_DEPTH} levels") from None
    if _verbose(tree):
        raise RegexRefused("uses verbose mode (?x), which ignore_regex does not support")
    if _parts(tree, MAX_REGEX_PARTS) > MAX_REGEX_PARTS:
        raise RegexRefused(
            f"has more than {MAX_REGEX_PARTS:,} parts once its repeats are written out "
            "(a{n} counts n times, nested repeats multiply)"
        )
