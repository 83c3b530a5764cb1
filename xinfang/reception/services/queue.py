"""(filled by its area)."""

__all__: list[str] = []
