"""Reads of the hall and the grass roots, one module per area; each list goes through who may see it."""
