"""Peak memory of publishing a generation: sorting its search arrays and collecting its vocabulary.

A rebuild's peak comes at publish, when the collector sorts every token into arrays
(Collector.write) and the vocabulary is collected from the stored fields (vocabulary.collect).
This redoes both for a built index, each in a child process of its own, without writing into
the index: the vocabulary is collected and dropped (peak RSS from getrusage); the arrays are
rewritten into a temporary folder from the index's own, filling a collector with Collector.keep
as an update keeps an older generation's, and the write's own peak is the process's peak
resident set (VmHWM) after the filling, reset through /proc/self/clear_refs.

Run: python tests/benchmarks/publish_memory.py INDEX [INDEX ...]
(PYTHONPATH=DIR puts an exported older chaja first, to compare).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

CHILD = r"""
import json, resource, sys, tempfile, time
from pathlib import Path
from chaja.index import arrays, store, vocabulary
from chaja.index.arrays_write import Collector

gen = store.require(Path(sys.argv[2]))
before = int(open("/proc/self/statm").read().split()[1]) * 4096 // 2**20
t = time.process_time()
out = {"before_mb": before}
if sys.argv[1] == "arrays":
    collector = Collector()
    collector.keep(gen.path / arrays.FOLDER, set())
    out["filled_mb"] = int(open("/proc/self/statm").read().split()[1]) * 4096 // 2**20
    out["filling_peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    # the write's own peak: the collector now holds what a rebuild's holds at publish (its tokens, in
    # memory); the peak so far was keep()'s reading of the index's arrays, which a rebuild does not do
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # resets VmHWM, the process's peak resident set
    with tempfile.TemporaryDirectory() as tmp, gen.open().reader() as reader:
        collector.write(Path(tmp), reader)
    peak = [int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM")][0] // 1024
else:
    vocabulary.collect(gen.open())
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
print(json.dumps({**out, "peak_mb": peak, "cpu_s": round(time.process_time() - t, 1)}))
"""


def measure(part: str, root: str) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD, part, root], capture_output=True, text=True, check=True,
                         env=os.environ)
    return json.loads(out.stdout)


if __name__ == "__main__":
    for root in sys.argv[1:]:
        for part in ("arrays", "vocabulary"):
            print(root, part, measure(part, root), flush=True)
