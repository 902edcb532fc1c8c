"""Benchmark: building the web app (`create_app`), as every worker, command and test does, with
the OpenAPI document left until it is first read, against building it and writing the document
at once (what flask-smorest does by itself) in the same run.

    python bench/bench_app_start.py [--repeat 15]

Prints the median of each and their ratio. The app is built on an SQLite file in a temporary
folder; nothing connects. It is a script, never collected by pytest (no test_ prefix).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from procure import create_app  # noqa: E402
from procure.extensions import api  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    repeat = parser.parse_args().repeat
    folder = Path(tempfile.mkdtemp())
    config = {"database_url": f"sqlite:///{folder / 'bench.sqlite3'}", "secret_key": "bench"}

    def build(with_document: bool) -> float:
        started = time.perf_counter()
        create_app(config, instance_path=str(folder / "instance"))
        if with_document:
            api.spec.to_dict()  # every blueprint's views written into the document
        return time.perf_counter() - started

    build(True)  # imports and first-use caches out of the way
    lazy, eager = [], []
    for _ in range(repeat):  # interleaved, so the machine's load weighs on both alike
        lazy.append(build(False))
        eager.append(build(True))
    lazy_s, eager_s = statistics.median(lazy), statistics.median(eager)
    print(f"create_app, document when first read: {lazy_s:.3f} s (median of {repeat})")
    print(f"create_app, document written at once: {eager_s:.3f} s")
    print(f"ratio: {eager_s / lazy_s:.2f}x")


if __name__ == "__main__":
    main()
