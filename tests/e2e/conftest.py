"""End-to-end: `python -m local` in its own process, as `make run` starts it, and plain
HTTP against it, written to API.md alone."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.support import ROOT

START_SECONDS = 90
READY = "local stack is ready"  # the banner's first line, printed once the demo is seeded
READY = "local stack is ready"  # the banner's first line, printed once seeding is done


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Stack:
    url: str
    process: subprocess.Popen[str]
    console: Path

    def token(self, studio_id: str, **who: str) -> str:
        answer = requests.post(
            f"{self.url}/_local/token", json={"studio_id": studio_id, **who}, timeout=30
        )
        assert answer.status_code == 200, answer.text
        return str(answer.json()["token"])


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    port = _free_port()
    environment = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    environment["PORT"] = str(port)
    # The console goes to a file: a pipe that nobody reads fills up and stalls the stack.
    console = tmp_path_factory.mktemp("stack") / "console.log"
    with console.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "local"],
            cwd=ROOT,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
            text=True,
        )
    deadline = time.monotonic() + START_SECONDS
    while READY not in console.read_text():
        if process.poll() is not None:
            pytest.fail(f"the local stack exited at start:\n{console.read_text()}")
        if time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"the local stack was not ready in time:\n{console.read_text()}")
        time.sleep(0.25)
    yield Stack(f"http://127.0.0.1:{port}", process, console)
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=30) == 0, "the local stack did not stop cleanly on Ctrl-C"


Call = Callable[..., requests.Response]


def client(stack: Stack, token: str | None) -> Call:
    def call(method: str, path: str, **kwargs: Any) -> requests.Response:
        headers = dict(kwargs.pop("headers", {}))
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return requests.request(method, f"{stack.url}{path}", headers=headers, timeout=30, **kwargs)

    return call
