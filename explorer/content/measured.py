"""Live figures per framework (spawn time, latency), apart from the comparison table they fill.

The app holds one from its start, so it lives here rather than in :mod:`explorer.content.comparison`: the table's
rows are read only when a table is shown or written, not before the app's first frame (issue 24: the first paint).
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Measurements"]


@dataclass
class Measurements:
    """Live figures per framework, filled in as the servers start and answer."""

    spawn_ms: dict[str, float] = field(default_factory=dict)
    latency_ms: dict[str, float] = field(default_factory=dict)  # back to back
    spaced_ms: dict[str, float] = field(default_factory=dict)  # one at a time, SPACED_PAUSE apart

    def cell(self, key: str, framework: str) -> str:
        if key == "spawn":
            spawn = self.spawn_ms.get(framework)
            return "measuring…" if spawn is None else f"{spawn:.0f} ms"
        value, spaced = self.latency_ms.get(framework), self.spaced_ms.get(framework)
        if value is None:
            return "measuring…"
        return f"{value:.2f} ms back to back" + (f"; {spaced:.2f} ms one at a time" if spaced is not None else "")

    def spacing_effect(self) -> str:
        """What the pause between requests did to each server's median here, in words computed from the figures.

        The ratio depends on the server, the machine and its load, so it is computed, never a fixed phrase.
        """
        parts = []
        for framework, name in (("flask", "Flask"), ("fastapi", "FastAPI")):
            back, spaced = self.latency_ms.get(framework), self.spaced_ms.get(framework)
            if back is None or spaced is None or back <= 0:
                continue
            ratio = spaced / back
            how = f"{ratio:.1f} times as long" if ratio >= 1.05 else "about as long" if ratio > 0.95 else "less time"
            parts.append(f"{name} {back:.2f} ms back to back, {spaced:.2f} ms one at a time ({how})")
        if not parts:
            return "What the pause does here is said once both figures of a server are measured."
        return "Measured here: " + "; ".join(parts) + "."

    def forget(self, framework: str | None = None) -> None:
        """Drop the latency figures of one server (or all): they belong to the process that produced them."""
        for values in (self.latency_ms, self.spaced_ms):
            if framework is None:
                values.clear()
            else:
                values.pop(framework, None)
