"""The HTTP client: what the user asks to send, the timed transport under httpx, and what came back.

Knows nothing of how the servers are run: it is handed a base URL. Modules: ``request`` (the request
and its checks), ``forms`` (form fields and files), ``pasted`` (a URL or curl command read back into a
request), ``client`` (one ``httpx.AsyncClient`` per server), ``transport`` and ``wire`` (HTTP/1.1 on
asyncio, timed), ``exchange`` (what one request gave), ``cookies`` (a jar per server), ``websocket``,
``validation`` (the frameworks' validation errors in one shape).
"""
