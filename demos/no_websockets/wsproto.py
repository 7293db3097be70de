"""Stands in for wsproto, as if it were not installed (see this folder's ``__init__``)."""

raise ModuleNotFoundError("No module named 'wsproto'", name="wsproto")
