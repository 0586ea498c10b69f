from __future__ import annotations

from collections.abc import Iterator

import pytest

from local import RunningStack, start
from tests.local.helpers import TEMPLATE


@pytest.fixture(scope="module")
def stack() -> Iterator[RunningStack]:
    running = start(TEMPLATE, stack_name="local-tests", echo_mail=False, access_log=False)
    yield running
    running.stop()
