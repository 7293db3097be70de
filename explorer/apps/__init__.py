"""The apps under test: which to run, their routes, their handlers' source, FastAPI's schema."""
