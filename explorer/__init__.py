"""Flask vs FastAPI Explorer: two real servers, one client, every difference shown live."""

__version__ = "0.1.0"
