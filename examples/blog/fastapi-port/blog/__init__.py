"""The blog of ``../../flask-app`` ported to FastAPI: routers in their own modules, dependencies for the
database and the credentials, a mounted admin app. The package keeps the Flask app's name (``blog``),
as ports often do: each app runs in its own folder, so the two never meet."""
