"""A pytest plugin loaded before Django's settings (`-p xinfang.testing.devmode` in pyproject.toml).

DEBUG is off by default, and then start-up requires real keys. The test suite, like `make run`, uses
the development keys, so it asks for DEBUG unless the environment says otherwise; pytest-django
still runs each test with settings.DEBUG False. Tests of the production start-up set their own
environment in a child process (config/tests/test_production_start.py).
"""

from __future__ import annotations

import os

os.environ.setdefault("DEBUG", "true")
