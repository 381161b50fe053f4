"""Stage 3: validated tables → a Frictionless Data Package (v2) on disk."""
