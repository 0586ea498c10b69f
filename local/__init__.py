"""Backline's local stack: AWS for a laptop, driven by template.yaml (development only).

`python -m local` runs it; tests start it in-process with `local.start(...)`.
"""

from local.stack import RunningStack, start

__all__ = ["RunningStack", "start"]
