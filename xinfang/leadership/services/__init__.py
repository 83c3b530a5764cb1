"""Every change to the leaders' records: one function per step, keyword-only, atomic.

Views, the API, commands and the demo call these. A case is changed only through the case
services (``case_register`` for a matter received at a reception day, ``case_hearing_start`` /
``case_hearing_end`` for a hearing's pause of the clocks, ``case_note_leadership`` for the steps in
a case's history). Each area's module names what it exports in its ``__all__``; import the
functions from the module (``xinfang.leadership.services.ownership``).
"""
