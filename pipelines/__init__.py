"""rendición abierta: accountability reports → open data."""
