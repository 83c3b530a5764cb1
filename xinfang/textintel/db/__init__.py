"""The database side of text analysis: the duplicate index and 查重 over it (``intake``), 类案预警 and
their reviews (``alerts``), responsible-unit hints from past routing (``routing_hint``).

These read and write rows (``xinfang.textintel.models``, the cases); the algorithms they call are the
pure modules one level up, which import no Django.
"""
