"""Stage 1: the report's text, its period, its numbers and department names."""
