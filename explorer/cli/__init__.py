"""The command line: every ``explorer`` command and its Rich rendering."""

from explorer.cli import code_cache

code_cache.install()  # before any dataclass is made: the command line's, the app's and Textual's (issue 24)

from explorer.cli.main import main  # noqa: E402 - after the install, which it must follow

__all__ = ["main"]
