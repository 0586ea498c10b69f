"""Run the template's functions in this process, as Lambda would.

A function's module is imported on first use, a cold start: its folder (CodeUri) and its
layers' folders go on sys.path and its environment (Globals plus its own) into os.environ
before the import, because settings are read at cold start. Every function of the stack
shares the process environment: a variable that two functions set differently keeps the
value of the last import, so functions should read their settings when imported.

`Functions.open()` sets aside modules already imported from those folders (say by unit
tests) so that the stack gets fresh ones; `close()` puts them back.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path
from types import ModuleType
from typing import Any

from local.template import FunctionSpec

Handler = Callable[[Any, Any], Any]


class FunctionLoadError(RuntimeError):
    """A function's module could not be imported or has no such handler."""


class LambdaContext:
    """The context object a Python handler receives."""

    def __init__(self, spec: FunctionSpec) -> None:
        self.function_name = spec.name
        self.function_version = "$LATEST"
        self.invoked_function_arn = spec.arn
        self.memory_limit_in_mb = spec.memory_mb
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{spec.name}"
        self.log_stream_name = f"local/[$LATEST]{uuid.uuid4().hex}"
        self.identity: Any = None
        self.client_context: Any = None
        self._deadline = time.monotonic() + spec.timeout_s

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


class Functions:
    """The template's functions by logical id, imported on first use."""

    def __init__(self, specs: Iterable[FunctionSpec]) -> None:
        self._specs = {spec.logical_id: spec for spec in specs}
        self._handlers: dict[str, Handler] = {}
        self._lock = threading.RLock()
        self._busy = {function_id: threading.Lock() for function_id in self._specs}
        folders = {folder for spec in self._specs.values() for folder in _folders(spec)}
        self._folders = sorted(folders)
        self._set_aside: dict[str, ModuleType] = {}
        self._added_paths: list[str] = []
        self._saved_environment: dict[str, str | None] = {}

    def __contains__(self, function_id: object) -> bool:
        return function_id in self._specs

    def spec(self, function_id: str) -> FunctionSpec:
        return self._specs[function_id]

    def specs(self) -> list[FunctionSpec]:
        return list(self._specs.values())

    def open(self) -> None:
        with self._lock:
            self._set_aside = self._take_modules()

    def close(self) -> None:
        with self._lock:
            self._take_modules()
            sys.modules.update(self._set_aside)
            for entry in self._added_paths:
                if entry in sys.path:
                    sys.path.remove(entry)
            for name, value in self._saved_environment.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
            self._handlers.clear()

    def module(self, function_id: str) -> ModuleType:
        """The function's module, imported (cold start) if it is not yet."""
        spec = self._specs[function_id]
        with self._lock:
            for name, value in spec.environment.items():
                self._saved_environment.setdefault(name, os.environ.get(name))
                os.environ[name] = value
            for folder in reversed(_folders(spec)):
                entry = str(folder)
                if entry not in sys.path:
                    sys.path.insert(0, entry)
                    self._added_paths.append(entry)
            try:
                module = importlib.import_module(spec.module)
            except Exception as error:
                raise FunctionLoadError(f"{function_id}: cannot import {spec.module}") from error
            location = Path(str(getattr(module, "__file__", "") or "")).resolve()
            if not location.is_relative_to(spec.code_dir):
                raise FunctionLoadError(
                    f"{function_id}: module {spec.module} was found at {location}, not in "
                    f"{spec.code_dir}; another folder on sys.path has a module of that name"
                )
            return module

    def handler(self, function_id: str) -> Handler:
        with self._lock:
            if function_id not in self._handlers:
                spec = self._specs[function_id]
                started = time.monotonic()
                handler = getattr(self.module(function_id), spec.attribute, None)
                if not callable(handler):
                    raise FunctionLoadError(f"{function_id}: {spec.module} has no {spec.attribute}")
                elapsed = (time.monotonic() - started) * 1000
                print(f"[lambda] cold start {function_id} ({spec.module}) {elapsed:.0f} ms")
                self._handlers[function_id] = handler
            return self._handlers[function_id]

    def invoke(self, function_id: str, event: Any) -> Any:
        """Call the handler with a JSON copy of `event`; returns its JSON-clean result.

        One invocation of a function at a time, as in one Lambda execution environment:
        handlers keep per-request state in module globals (a resolver's current event).
        """
        spec = self._specs[function_id]
        handler = self.handler(function_id)
        with self._busy[function_id]:
            context = LambdaContext(spec)
            started = time.monotonic()
            result = handler(json.loads(json.dumps(event)), context)
            elapsed = time.monotonic() - started
        if elapsed > spec.timeout_s:
            print(
                f"[lambda] {function_id} ran {elapsed:.1f} s, past its Timeout of "
                f"{spec.timeout_s:g} s: Lambda would have stopped it"
            )
        return json.loads(json.dumps(result))

    def _take_modules(self) -> dict[str, ModuleType]:
        """Remove and return the modules loaded from this stack's folders."""
        taken: dict[str, ModuleType] = {}
        for name, module in list(sys.modules.items()):
            location = getattr(module, "__file__", None)
            if location and any(Path(location).resolve().is_relative_to(f) for f in self._folders):
                taken[name] = sys.modules.pop(name)
        return taken


def _folders(spec: FunctionSpec) -> list[Path]:
    return [spec.code_dir, *spec.layer_dirs]
