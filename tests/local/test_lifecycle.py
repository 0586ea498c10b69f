"""Starting and stopping: nothing is left running, and `python -m local` exits cleanly."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time

import pytest
import requests

from local import start
from local.template import REPO_ROOT
from tests.local.helpers import TEMPLATE


def test_stop_ends_the_threads_frees_the_port_and_restores_the_environment() -> None:
    threads_before = {thread.name for thread in threading.enumerate()}
    environment_before = dict(os.environ)
    stack = start(TEMPLATE, stack_name="local-lifecycle", echo_mail=False, access_log=False)
    port = int(stack.url.rsplit(":", 1)[1])
    assert requests.get(f"{stack.url}/_local/schedules", timeout=10).ok

    stack.stop()

    with pytest.raises(requests.ConnectionError):
        requests.get(f"{stack.url}/_local/schedules", timeout=2)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", port))
    lingering = {thread.name for thread in threading.enumerate() if thread.is_alive()}
    assert lingering <= threads_before
    assert dict(os.environ) == environment_before


def test_two_stacks_run_side_by_side() -> None:
    with (
        start(TEMPLATE, stack_name="side-a", echo_mail=False, access_log=False) as first,
        start(TEMPLATE, stack_name="side-b", echo_mail=False, access_log=False) as second,
    ):
        assert first.url != second.url
        assert first.aws_endpoint == second.aws_endpoint
        assert requests.get(f"{second.url}/files/x", timeout=10).ok
        assert requests.get(f"{first.url}/files/x", timeout=10).ok


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM])
def test_python_m_local_prints_the_banner_and_exits_zero_on_signal(stop_signal: int) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "local", "--template", str(TEMPLATE), "--port", "0"],
        cwd=REPO_ROOT,
        env={**os.environ, "BACKLINE_SEED": "0", "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    output = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        output.append(line)
        if "Press Ctrl-C to stop." in line or not line:
            break
    banner = "".join(output)
    url = re.search(r"API\s+(http://127\.0\.0\.1:\d+)", banner)
    assert url is not None, banner
    assert requests.get(f"{url.group(1)}/_local/schedules", timeout=10).ok

    process.send_signal(stop_signal)

    assert process.wait(timeout=30) == 0
    rest = process.stdout.read()
    assert "Stopped." in rest
    assert "(not seeded)" in banner
    assert "/_local/token" in banner
