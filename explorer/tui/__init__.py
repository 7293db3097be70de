"""The Textual app: it composes the panels, wires their messages and routes the keys."""
