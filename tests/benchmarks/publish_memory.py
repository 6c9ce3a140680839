"""Peak memory of publishing a generation: sorting its search arrays and collecting its vocabulary.

A rebuild's peak comes at publish, when the collector sorts every token into arrays
(Collector.write) and the vocabulary is collected from the stored fields (vocabulary.collect).
This redoes each for a built index in a child process of its own, without writing into the index:
- arrays: a collector is filled with every token of the index in memory, section by section, as a
  rebuild's collector holds them at publish (read from the index's arrays); the write's own peak is
  the process's peak resident set (VmHWM) after the filling, reset through /proc/self/clear_refs;
- update: Collector.keep of the whole index, as an update keeps the serving generation, then the
  write; the peak of the whole (keep reads the older arrays a range of terms at a time);
- vocabulary: collected and dropped (peak RSS from getrusage).

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
def fill(collector, folder):
    # every section's tokens in the collector as in-memory parts, in section order (what add() makes)
    import numpy as np
    from chaja.index.arrays import FIELDS, Strings, load
    terms = Strings.open(folder, "terms")
    ids = Strings.open(folder, "article_ids").all()
    article_of, article_start = np.asarray(load(folder, "article_of")), np.asarray(load(folder, "article_start"))
    for s in range(len(article_of)):
        collector.sections.append((ids[article_of[s]], s - int(article_start[article_of[s]])))
    for a in ids:
        collector.articles[a] = ("", "")
    for i in range(len(terms)):
        collector.vocab[terms[i]] = i
    for f in FIELDS:
        start, docs, tfs = load(folder, f"{f}.start"), load(folder, f"{f}.docs"), np.asarray(load(folder, f"{f}.tfs"))
        row_term = np.repeat(np.repeat(np.arange(len(start) - 1, dtype=np.int32), np.diff(start)), tfs)
        row_section = np.repeat(np.asarray(docs), tfs)
        order = np.argsort(row_section, kind="stable")
        counts = np.bincount(row_section, minlength=len(article_of)).astype(np.int32)
        collector._parts[f].append((row_term[order], np.asarray(load(folder, f"{f}.pos"))[order], counts))
        del row_term, row_section, order


if sys.argv[1] == "arrays":
    collector = Collector()
    fill(collector, gen.path / arrays.FOLDER)
    out["filled_mb"] = int(open("/proc/self/statm").read().split()[1]) * 4096 // 2**20
    out["filling_peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    # the write's own peak: the collector now holds what a rebuild's holds at publish (its tokens, in
    # memory); the peak so far was keep()'s reading of the index's arrays, which a rebuild does not do
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # resets VmHWM, the process's peak resident set
    with tempfile.TemporaryDirectory() as tmp, gen.open().reader() as reader:
        collector.write(Path(tmp), reader)
    peak = [int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM")][0] // 1024
elif sys.argv[1] == "update":
    collector = Collector()
    collector.keep(gen.path / arrays.FOLDER, set())
    with tempfile.TemporaryDirectory() as tmp, gen.open().reader() as reader:
        collector.write(Path(tmp), reader)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
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
        for part in ("arrays", "update", "vocabulary"):
            print(root, part, measure(part, root), flush=True)
