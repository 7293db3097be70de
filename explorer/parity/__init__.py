"""Parity: a requests file sent to a Flask app and its FastAPI port, every answer compared."""
