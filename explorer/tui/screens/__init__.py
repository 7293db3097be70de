"""Every screen the app opens, each in one place: what it draws and the work it owns.

A screen's module (a folder, ``lab/``, where one module would pass 400 lines) holds its view, which
only draws what it is handed and posts what the user asks, and, for a screen that does work, a
controller subclass that does it: the lab runs its experiments (:mod:`.lab`), the parity screen its
requests file (:mod:`.parity`), the table its latency measurement (:mod:`.table`), the sockets screen
its sockets (:mod:`.sockets`), the mirror screen a mirror in front of the apps (:mod:`.mirror`, installed
once like the lab, so it goes on while the user looks elsewhere), and the docs screen is built from what its fetch brought back
(:mod:`.docs`); the guide (:mod:`.guide`) and the help (:mod:`.help`) only draw. Each controller is
handed what it needs when it is created (the session, the measurements, the session log) and runs its
work in its own workers, so the app only pushes it and reads its result. The lab is installed once and
lives as long as the app, so a run goes on while the user looks elsewhere; the table, the guide, parity,
the WebSockets screen, the docs (while the same servers answer) and the help (while it would say the same)
are kept too, and each shown again starts as a new one did (``panels.kept``): parity's run stops and the
sockets close as the user leaves. The reusable widgets the screens are built from are in ``panels``.

Each screen is imported when it is first opened, so the app paints before any of them (or the
plotting library the lab needs) is loaded.
"""
