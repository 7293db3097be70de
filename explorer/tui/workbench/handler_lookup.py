"""The handler that served a request, for the Code tab: from the app's route table when listed, else its module.

A plain function, not a part of the widget: finding a handler reads a table or a file and draws nothing.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from explorer.apps.handlers import Endpoint
    from explorer.apps.source import HandlerLookup
    from explorer.runtime.http.exchange import Exchange
    from explorer.runtime.http.request import RequestSpec
    from explorer.runtime.servers.supervisor import ManagedServer

__all__ = ["find_handler_for"]


def find_handler_for(
    server: ManagedServer, table: tuple[Endpoint, ...] | None, spec: RequestSpec, exchange: Exchange
) -> HandlerLookup:
    """The handler ``server`` ran for ``spec``, answered by ``exchange``; ``table`` is its app's route table, once listed.

    When the framework answered an OPTIONS request itself (a CORS preflight), the note says who answered,
    as the panel's reason does.
    """
    from explorer.apps.handlers import find_in_table
    from explorer.apps.source import find_handler, module_file
    from explorer.content.explain import preflight_answerer

    framework = server.framework
    if table:
        lookup = find_in_table(table, spec.method, spec.path, framework, server.spec.app_dir)
    else:
        file = module_file(server.spec.target, server.spec.app_dir)
        lookup = find_handler(file, spec.method, spec.path, framework)
    if answered_by := preflight_answerer(exchange, lookup.ran):
        lookup = replace(lookup, note=answered_by)
    return lookup
