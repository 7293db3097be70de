"""Reports as Markdown and JSON: one generic shape, and the session and parity reports on it."""
