"""The CLI's notes are one plain sentence each in its own voice, the same words as the app's, wrapped at 80 columns."""

from __future__ import annotations

import pytest

from explorer.apps.routes import RouteListing
from explorer.cli.common import note

SKIPPED = (
    'paths["/items/{item_id}"].get.parameters[1]: a parameter is a number, not an object',
    "components.schemas: is a list, not an object; references are not followed",
    "… and 1,204 more",
)


def test_a_part_left_out_is_one_sentence_naming_the_app_and_the_picker_says_the_same_words() -> None:
    """Before: ``explorer: note: fastapi openapi: could not use paths[…]`` (names only code knows), and the route
    picker said it in other words ("fastapi: 3 part(s) of the schema could not be used")."""
    listing = RouteListing("fastapi", "openapi", skipped=SKIPPED)
    assert listing.left_out() == [
        "Part of FastAPI's routes was left out, "
        'paths["/items/{item_id}"].get.parameters[1]: a parameter is a number, not an object.',
        "Part of FastAPI's routes was left out, "
        "components.schemas: is a list, not an object; references are not followed.",
        "… and 1,204 more parts of FastAPI's routes were left out.",
    ]
    assert listing.left_out_said() == (  # the route picker's note: how many, the first named as the CLI names it
        "1,206 parts of FastAPI's routes were left out, first "
        'paths["/items/{item_id}"].get.parameters[1]: a parameter is a number, not an object.'
    )
    one = RouteListing("flask", "url_map", skipped=SKIPPED[1:2])
    assert one.left_out_said() == one.left_out()[0].replace("FastAPI", "Flask")
    assert RouteListing("flask", "url_map").left_out_said() == ""


def test_a_note_is_wrapped_at_80_columns_between_words(capsys: pytest.CaptureFixture[str]) -> None:
    """A note longer than 80 columns went out as one line, cut by the terminal inside a word or a path."""
    said = RouteListing("fastapi", "openapi", skipped=SKIPPED[:1]).left_out()[0]
    note(said)
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) > 1 and all(len(line) <= 80 for line in lines), lines
    assert lines[0].startswith("explorer: note: Part of FastAPI's routes")
    assert all(line.startswith("  ") for line in lines[1:])
    assert " ".join(line.strip() for line in lines) == f"explorer: note: {said}"  # every word kept, none broken
