"""A request that could not be sent leaves the line above the answers true of the answers still below it."""

from __future__ import annotations

from textual.widgets import Input, TextArea

from explorer.runtime.http.exchange import RequestSpec
from explorer.tui.app import ExplorerApp
from panels.fitted import FittedText
from tests.apptools import send_and_wait, servers_ready, until
from tests.conftest import LiveServers
from tests.shared import shared_session


async def test_not_sent_keeps_the_comparison_of_the_answers_below_and_says_whose_they_are(live: LiveServers) -> None:
    """Before, "Not sent: …" replaced the comparison of the send whose answers stayed below it: the answers had no
    line saying how they compare, under a line about a request they are not the answers to. Now the line says the
    request was not sent, then whose the answers below are and how they compare; the next send clears both. (The
    worker's demo servers: what they answer is not the subject.)"""
    app = ExplorerApp(session=shared_session(live), initial=RequestSpec("GET", "/items/1"))
    async with app.run_test(size=(120, 30)) as pilot:
        await servers_ready(pilot)
        await send_and_wait(pilot)
        claim = app.query_one("#claim", FittedText)
        compared = claim.full.plain
        assert compared and "Not sent" not in compared
        app.query_one("#headers-editor", TextArea).text = "Bad Header Name: 1"
        await pilot.press("ctrl+r")
        await until(pilot, lambda: "Not sent" in claim.full.plain)
        first, *rest = claim.full.plain.splitlines()
        assert first.startswith("Not sent: ") and "Bad Header Name" in first
        assert rest and rest[0] == f"The answers below are send #1's. {compared}", claim.full.plain
        await pilot.press("ctrl+r")  # still not sent: said once, over the same answers
        await until(pilot, lambda: claim.full.plain.count("Not sent") == 1 and "#1's" in claim.full.plain)
        app.query_one("#headers-editor", TextArea).text = ""
        app.query_one("#path", Input).value = "/items/2"
        await send_and_wait(pilot)
        assert "Not sent" not in claim.full.plain and "below are" not in claim.full.plain
