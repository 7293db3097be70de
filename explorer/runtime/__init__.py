"""The runtime: server processes, the HTTP client, and the session that joins them.

The bottom layer: it imports nothing of ours above it. Public face (each name imported on first
use, so the app paints before httpx loads):

- :class:`Session` (``session``): start servers, send requests, stop them: the one object a front end needs.
- :class:`ServerSpec`, :func:`demo_spec`, :class:`ServerState`, :class:`ServerStatus` (``specs``):
  what to run and where it stands, as plain data.
- :class:`Supervisor`, :class:`ManagedServer`, :func:`kill_all_now` (``servers``): the processes.
  Each server runs in a child started as ``python -m explorer.runtime._serve``.
- :class:`RequestSpec`, :func:`curl_command` (``request``); :class:`FilePart` and the form encoders (``forms``); :class:`Exchange`, :class:`ServerClient`
  (``client``, on the timed transport in ``transport``); :class:`ValidationIssue` (``validation``).
- :func:`load_data_file` (``datafile``): the one loader of every file a user hands over; :func:`loads_json`,
  :func:`printable` (``userdata``): data from outside, measured and parsed within bounds.
- :class:`ExplorerError` and its kinds (``errors``): anything a user can get wrong raises one of these.
"""

from __future__ import annotations

from explorer.runtime.faces import lazy_face

_WHERE = {
    "Session": "session",
    "FRAMEWORKS": "specs", "ServerSpec": "specs", "ServerState": "specs", "ServerStatus": "specs",
    "demo_spec": "specs",
    "ManagedServer": "servers", "Supervisor": "servers", "kill_all_now": "servers",
    "METHODS": "request", "RequestSpec": "request", "curl_command": "request", "parse_request_line": "request",
    "Exchange": "exchange", "ServerClient": "client",
    "FilePart": "forms", "parse_file_arg": "forms", "parse_form_field": "forms", "read_file_part": "forms",
    "ValidationIssue": "validation", "normalise": "validation",
    "LogBuffer": "logbuffer",
    "DataFileError": "datafile", "FileLimits": "datafile", "load_data_file": "datafile",
    "DataLimitError": "userdata", "format_path": "userdata", "loads_json": "userdata", "printable": "userdata",
    "ExplorerError": "errors", "RequestError": "errors", "ServerError": "errors",
}  # fmt: skip

__all__ = [
    "FRAMEWORKS", "METHODS", "DataFileError", "DataLimitError", "Exchange", "ExplorerError", "FileLimits", "FilePart",
    "LogBuffer", "ManagedServer", "RequestError", "RequestSpec", "ServerClient", "ServerError", "ServerSpec",
    "ServerState", "ServerStatus", "Session", "Supervisor", "ValidationIssue", "curl_command", "demo_spec",
    "format_path", "kill_all_now", "load_data_file", "loads_json", "normalise", "parse_file_arg", "parse_form_field",
    "parse_request_line", "printable", "read_file_part",
]  # fmt: skip

__getattr__, __dir__ = lazy_face(__name__, _WHERE, __all__)
