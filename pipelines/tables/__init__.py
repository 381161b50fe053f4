"""Stage 2: report text + table descriptions → validated tables and a quality report."""
