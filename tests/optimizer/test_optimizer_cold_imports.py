"""A solve in a fresh process imports nothing it does not need: numpy 2.4's np.unique imports
numpy.ma on its first call (about 15 ms and 47 M instructions, most of a cold 10k solve's
overhead in bench/bench_optimizer_v2.py --instructions)."""

import json
import subprocess
import sys

from tests.optimizer.test_optimizer_version2 import random_v2_document

SCRIPT = """
import json, sys
import optimizer
for doc in json.loads(sys.stdin.read()):
    optimizer.solve(doc)
print(json.dumps(sorted(n for n in sys.modules if n == "numpy.ma" or n.startswith("numpy.ma."))))
"""


def test_a_cold_solve_does_not_import_numpy_ma():
    # capacities (monthly capacity rows), incumbent-free demand prices and max-share targets
    docs = [random_v2_document(seed) for seed in range(12)]
    assert any(doc["capacities"] for doc in docs)
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        input=json.dumps(docs),
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(done.stdout) == []
