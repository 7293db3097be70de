"""The command line's parser class, loaded only when there are arguments to read (issue 24: ``explorer`` with no
argument starts the app without importing argparse)."""

from __future__ import annotations

import argparse
from typing import NoReturn

from explorer.cli.common import EXIT_USAGE

__all__ = ["OneLineParser"]


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one line on stderr, not a usage block."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see --help)\n")
