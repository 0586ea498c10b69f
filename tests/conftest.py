from __future__ import annotations

import os

from tests.support import ENVIRONMENT

# Set before any handler module is imported: handlers read their settings at import.
for _name, _value in ENVIRONMENT.items():
    os.environ.setdefault(_name, _value)
os.environ.pop("AWS_ENDPOINT_URL", None)
