"""(filled by its area)."""
