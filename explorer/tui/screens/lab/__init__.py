"""The Performance lab (``p``): async against sync under load, its view and its work in one folder.

The view (:mod:`.view`, :class:`LabScreen`) draws the form, the live table and the plots; the controller
(:mod:`.controller`, :class:`LabController`) runs each experiment on servers of its own, the load in a
process of its own, and records every run in the session log. Two modules because together they pass
the 400 lines a module may have.
"""

from __future__ import annotations

from explorer.tui.screens.lab.controller import LabController
from explorer.tui.screens.lab.view import LabScreen

__all__ = ["LabController", "LabScreen"]
