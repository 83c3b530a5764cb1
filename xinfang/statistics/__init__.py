"""Statistics and work reports."""
