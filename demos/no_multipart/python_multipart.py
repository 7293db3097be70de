"""Stands in for python-multipart, as if it were not installed (see this folder's ``__init__``)."""

raise ModuleNotFoundError("No module named 'python_multipart'", name="python_multipart")
