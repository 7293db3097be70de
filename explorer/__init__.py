"""Flask vs FastAPI Explorer: two real servers, one client, every difference shown live.

One package per layer; imports point down only (``tests/test_layers.py`` checks it):

- ``runtime``: server processes, the HTTP client, the session that joins them.
- ``apps``: which apps run, their routes, their handlers' source, FastAPI's schema.
- ``content``: the samples, the comparison table, the guide, plain-language reasons.
- ``parity``, ``bench``: checking a port against its original; the performance lab.
- ``reports``: Markdown and JSON reports of a session or a parity run.
- ``cli`` and ``tui``: the entry layers, the command line and the Textual app (widgets in ``panels``).
"""

__version__ = "0.1.0"
