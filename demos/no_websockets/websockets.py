"""Stands in for websockets, as if it were not installed (see this folder's ``__init__``)."""

raise ModuleNotFoundError("No module named 'websockets'", name="websockets")
