"""The screens that do work: each one a panel screen (which only draws) plus the work it owns.

Each is handed what it needs when it is created (the session, the measurements, the session log)
and runs its work in its own workers, so the app only pushes it and reads its result: the lab runs
its experiments (:mod:`.lab`), the parity screen its requests file (:mod:`.parity`), the table its
latency measurement (:mod:`.table`), and the docs screen is built from what its fetch brought back
(:mod:`.docs`). A screen's workers end with it; the lab is installed once and lives as long as the
app, so a run goes on while the user looks elsewhere.

One module per screen, imported when the screen is first opened, so the app paints before any of
them (or the plotting library the lab needs) is loaded.
"""
