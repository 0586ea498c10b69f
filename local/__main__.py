"""`python -m local`: run the local stack until Ctrl-C or SIGTERM.

    PORT=3000 python -m local [--no-seed] [--template template.yaml]

BACKLINE_SEED=0 skips the demo studio as --no-seed does.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from pathlib import Path
from types import FrameType

from local.stack import DEMO_STUDIO_ID, RunningStack, start
from local.template import DEFAULT_TEMPLATE


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m local", description=__doc__.splitlines()[0])
    parser.add_argument("--no-seed", action="store_true", help="do not create the demo studio")
    parser.add_argument("--template", type=Path, default=DEFAULT_TEMPLATE, help="SAM template")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "3000")))
    return parser.parse_args(argv)


def banner(stack: RunningStack, seeded: bool) -> str:
    url = stack.url
    lines = [
        "",
        "Backline local stack is ready",
        f"  API            {url}",
        f"  API docs       {url}/docs   (document: {url}/openapi.json)",
        f"  Mail sent      {url}/_local/mail",
        f"  Schedules      {url}/_local/schedules",
        f"  Demo studio    {DEMO_STUDIO_ID}" + ("" if seeded else "   (not seeded)"),
        f"  Table          {', '.join(stack.table_names) or '-'}",
        f"  AWS (moto)     {stack.aws_endpoint}   (region us-east-1, any credentials)",
        "",
        "  Get a token (role owner or staff, or customer_id instead of role):",
        f"    curl -s -X POST {url}/_local/token -H 'content-type: application/json' \\",
        f'      -d \'{{"studio_id": "{DEMO_STUDIO_ID}", "role": "owner"}}\'',
        f'  then: curl -s {url}/customers -H "Authorization: Bearer $TOKEN"',
        "",
        "Press Ctrl-C to stop.",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    arguments = _arguments(argv)
    seed = not arguments.no_seed and os.environ.get("BACKLINE_SEED", "1") != "0"
    stopping = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    try:
        stack = start(arguments.template, port=arguments.port, seed=seed)
    except OSError as error:
        print(f"Cannot start the local stack on port {arguments.port}: {error}", file=sys.stderr)
        print("Set PORT (or --port) to a free port.", file=sys.stderr)
        return 1
    try:
        print(banner(stack, seed), flush=True)
        while not stopping.wait(0.5):
            pass
        print("Stopping the local stack...", flush=True)
    finally:
        stack.stop()
    print("Stopped.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
