"""Benchmark: how long the analyst commands take as whole processes, against the work itself.

    python bench/bench_commands.py [--repeat 5]

For a 10,000-variable allocation document (bench_optimizer's generator, 100 vendors × 100
needs) it times, as separate processes, medians of `--repeat` runs:

* `python -c pass`: the interpreter's own start, the floor of any command;
* `procure optimize --help` through the entry point (`procure.entry`, what the console script
  runs) and through the Flask command group (`procure.cli`, the route before issue #23);
* `procure optimize doc.json` through each of the two;
* the bare solve: `optimizer.solve` on the same document inside this process (parse, build,
  HiGHS, extract), with no process start.

and prints each whole command as a ratio of the bare solve, measured in the same run (the
machine is noisy). Goal (issue #23): the whole `procure optimize` under 3× the bare solve at
10,000 variables. It is a script, never collected by pytest (no test_ prefix).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_optimizer import make_document  # noqa: E402

import optimizer  # noqa: E402

ENTRY = "from procure.entry import main; main()"
FLASK_GROUP = "from procure.cli import main; main()"


def seconds_of(argv: list[str], repeat: int) -> float:
    """Median wall time of a process, in seconds (its output thrown away)."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def command(code: str, *args: str) -> list[str]:
    return [sys.executable, "-c", f"import sys; sys.argv = ['procure', *{list(args)!r}]; {code}"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    repeat = parser.parse_args().repeat
    document = make_document(100, 100)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "problem.json"
        path.write_text(json.dumps(document))
        bare = []
        for _ in range(repeat):
            started = time.perf_counter()
            result = optimizer.solve(json.loads(path.read_text()))
            bare.append(time.perf_counter() - started)
        assert result["status"] == "optimal", result["status"]
        solve = statistics.median(bare)
        rows = [
            ("python -c pass", seconds_of([sys.executable, "-c", "pass"], repeat)),
            (
                "optimize --help, entry point",
                seconds_of(command(ENTRY, "optimize", "--help"), repeat),
            ),
            (
                "optimize --help, Flask group",
                seconds_of(command(FLASK_GROUP, "optimize", "--help"), repeat),
            ),
            (
                "optimize doc, entry point",
                seconds_of(command(ENTRY, "optimize", str(path)), repeat),
            ),
            (
                "optimize doc, Flask group",
                seconds_of(command(FLASK_GROUP, "optimize", str(path)), repeat),
            ),
        ]
    variables = len(document["offers"])
    print(f"{variables:,} variables; bare optimizer.solve in this process: {solve:.3f} s")
    print(f"{'process':<32} {'seconds':>8} {'÷ bare solve':>13}")
    for label, seconds in rows:
        print(f"{label:<32} {seconds:>8.3f} {seconds / solve:>12.2f}x")
    print("goal: the whole `procure optimize` (entry point) under 3x the bare solve")


if __name__ == "__main__":
    main()
