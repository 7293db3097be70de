"""The project's own error types: anything the user can get wrong raises one of these, never a bare exception."""

from __future__ import annotations


class ExplorerError(Exception):
    """Base of every error the explorer reports to the user as a one-line message."""


class RequestError(ExplorerError):
    """A request the explorer refuses to send (bad method, path, header or body)."""


class ServerError(ExplorerError):
    """A server could not be started, or is not running when needed."""
