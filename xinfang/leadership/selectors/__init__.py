"""Reads of the leaders' records, every one through the one access policy (``sees_case`` /
``cases_visible_to``): a record about a case the user may not see is not shown, and an organ's
own records are shown to its staff and to the organs above it."""
