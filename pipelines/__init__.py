"""rendición abierta: accountability reports → open data."""

__version__ = "0.1.0"
