"""The runtime: server processes, the HTTP client, and the session that joins them.

The bottom layer: it imports nothing of ours above it, and knows no app. Four parts: ``http`` (the
client), ``servers`` (the supervisor), ``child`` (what runs in the child processes, standard library
only) and ``userdata`` (what a user hands over); ``session`` joins the first two. Public face (each
name imported on first use, so the app paints before httpx loads):

- :class:`Session` (``session``): start servers, send requests, stop them: the one object a front end needs.
- :data:`FRAMEWORKS`, :func:`display_name` (``frameworks``): the pair compared, and how each is named.
- :class:`ServerSpec`, :class:`ServerState`, :class:`ServerStatus` (``servers.specs``): what to run and
  where it stands, as plain data.
- :class:`Supervisor`, :class:`ManagedServer`, :func:`kill_all_now` (``servers.supervisor``): the processes.
  Each server runs in a child started as ``python -m explorer.runtime.child.serve``.
- :class:`RequestSpec`, :func:`curl_command` (``http.request``); :class:`FilePart` and the form encoders
  (``http.forms``); :class:`Exchange`, :class:`ServerClient` (``http.client``, on the timed transport in
  ``http.transport``); :class:`ValidationIssue` (``http.validation``).
- :func:`load_data_file` (``userdata.datafile``): the one loader of every file a user hands over;
  :func:`loads_json`, :func:`printable` (``userdata.bounded``): data from outside, measured and parsed
  within bounds.
- :class:`ExplorerError` and its kinds (``errors``): anything a user can get wrong raises one of these.
"""

from __future__ import annotations

from explorer.runtime.faces import lazy_face

_WHERE = {
    "Session": "session",
    "FRAMEWORKS": "frameworks",
    "display_name": "frameworks",
    "ServerSpec": "servers.specs",
    "ServerState": "servers.specs",
    "ServerStatus": "servers.specs",
    "ManagedServer": "servers.supervisor",
    "Supervisor": "servers.supervisor",
    "kill_all_now": "servers.supervisor",
    "METHODS": "http.request",
    "RequestSpec": "http.request",
    "curl_command": "http.request",
    "parse_request_line": "http.request",
    "Exchange": "http.exchange",
    "ServerClient": "http.client",
    "FilePart": "http.forms",
    "parse_file_arg": "http.forms",
    "parse_form_field": "http.forms",
    "read_file_part": "http.forms",
    "ValidationIssue": "http.validation",
    "normalise": "http.validation",
    "LogBuffer": "servers.logbuffer",
    "DataFileError": "userdata.datafile",
    "FileLimits": "userdata.datafile",
    "load_data_file": "userdata.datafile",
    "DataLimitError": "userdata.bounded",
    "format_path": "userdata.bounded",
    "loads_json": "userdata.bounded",
    "printable": "userdata.bounded",
    "ExplorerError": "errors",
    "RequestError": "errors",
    "ServerError": "errors",
}

__all__ = [
    "FRAMEWORKS",
    "METHODS",
    "DataFileError",
    "DataLimitError",
    "Exchange",
    "ExplorerError",
    "FileLimits",
    "FilePart",
    "LogBuffer",
    "ManagedServer",
    "RequestError",
    "RequestSpec",
    "ServerClient",
    "ServerError",
    "ServerSpec",
    "ServerState",
    "ServerStatus",
    "Session",
    "Supervisor",
    "ValidationIssue",
    "curl_command",
    "display_name",
    "format_path",
    "kill_all_now",
    "load_data_file",
    "loads_json",
    "normalise",
    "parse_file_arg",
    "parse_form_field",
    "parse_request_line",
    "printable",
    "read_file_part",
]

__getattr__, __dir__ = lazy_face(__name__, _WHERE, __all__)
