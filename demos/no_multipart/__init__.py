"""A folder that hides python-multipart: put it first on the path and the package seems not installed.

``explorer send --app-dir demos/no_multipart --fastapi demos.fastapi_app:app GET /forms/contact``
starts the FastAPI demo this way, to show what a missing python-multipart does: FastAPI checks for it
when a route declares a form field or a file, so the app fails to import, whatever route is asked for.
"""
