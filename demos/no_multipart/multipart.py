"""Stands in for python-multipart's old import name, as if it were not installed (see this folder's ``__init__``)."""

raise ModuleNotFoundError("No module named 'multipart'", name="multipart")
