"""The command line: every ``explorer`` command and its Rich rendering."""

from explorer.cli.main import main

__all__ = ["main"]
