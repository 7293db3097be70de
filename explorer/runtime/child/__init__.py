"""Code that runs in the explorer's child processes, under any interpreter: standard library only.

``bootstrap`` (run by its path) makes the ``explorer`` package importable in a user's venv and runs one
of the entry points: ``serve`` (one web app on a socket handed down), ``routetable`` (print an app's
routes as JSON). ``keeper`` (run by its path with ``-I -S``) stands above each of them so nothing
outlives the explorer; ``apptarget`` finds the app a target names; ``procs`` holds the process-group
helpers that parent and child share. This package's ``__init__`` imports nothing.
"""
