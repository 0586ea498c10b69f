"""Cold start of each function against a bare boto3 module, as medians of fresh interpreters.

A run starts a new interpreter laid out as Lambda lays it out (the function's CodeUri plus the
shared layer on the path, the template's environment with stand-in values) and imports the
handler module, which builds its clients at import. The bare run imports boto3 and builds one
DynamoDB client. Runs are interleaved (bare, function, bare, function, ...) so that noise on
a shared machine falls on both sides alike; the figure is the ratio of the two medians.
"""

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from local.template import load_yaml  # noqa: E402
from tests.support import lambda_environment  # noqa: E402

GOAL = 1.3
BARE = "import boto3; boto3.client('dynamodb')"


def timed_run(code: str, env: dict[str, str]) -> float:
    """Seconds from starting a fresh interpreter on `code` to its exit."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True)
    return time.perf_counter() - started


def measure(template: dict[str, Any], name: str, runs: int) -> tuple[float, float]:
    env = lambda_environment(template, name)
    module = template["Resources"][name]["Properties"]["Handler"].rsplit(".", 1)[0]
    code = f"import {module}"
    bare_env = {key: value for key, value in env.items() if key != "PYTHONPATH"}

    # One untimed round so that both sides start with their bytecode caches written.
    timed_run(BARE, bare_env)
    timed_run(code, env)

    bare, function = [], []
    for _ in range(runs):
        bare.append(timed_run(BARE, bare_env))
        function.append(timed_run(code, env))
    return statistics.median(bare), statistics.median(function)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="timed runs of each side")
    args = parser.parse_args()

    template = load_yaml(REPO_ROOT / "template.yaml")
    names = [
        name
        for name, resource in template["Resources"].items()
        if resource["Type"] == "AWS::Serverless::Function"
    ]

    print(f"cold start, median of {args.runs} fresh interpreters (goal: ratio <= {GOAL})")
    print(f"{'function':<32} {'bare ms':>8} {'fn ms':>8} {'ratio':>6}")
    failed = False
    for name in names:
        try:
            bare, function = measure(template, name, args.runs)
        except subprocess.CalledProcessError as error:
            last_line = error.stderr.decode().strip().splitlines()[-1:] or ["no output"]
            print(f"{name:<32} handler did not import: {last_line[0]}")
            failed = True
            continue
        ratio = function / bare
        mark = "" if ratio <= GOAL else "  over goal"
        print(f"{name:<32} {bare * 1000:>8.0f} {function * 1000:>8.0f} {ratio:>6.2f}{mark}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
