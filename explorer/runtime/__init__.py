"""The runtime: server processes, the HTTP client and the session that joins them."""
