"""Lucene nori (KoreanAnalyzer) + BM25 baseline for benchmarks, driven from Python via pyjnius.

Benchmark-only: needs a JDK, liblucene8-java (jars in /usr/share/java) and ``pip install pyjnius``.
Bulk work (indexing, batched queries) runs entirely in a small Java helper class, compiled with
javac on first use into ``tests/benchmarks/.build/``, so timings are Lucene's own, not JNI overhead.
"""

from __future__ import annotations

import glob
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

JAR_DIR = Path(os.environ.get("NORI_JAR_DIR", "/usr/share/java"))
JARS = ("lucene-core", "lucene-analyzers-common", "lucene-analyzers-nori", "lucene-queryparser")
BUILD_DIR = Path(__file__).resolve().parent / ".build"
HEAP = os.environ.get("NORI_HEAP", "-Xmx4g")

JAVA_SOURCE = r"""
import java.io.BufferedReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.ko.KoreanAnalyzer;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.queryparser.classic.MultiFieldQueryParser;
import org.apache.lucene.queryparser.classic.QueryParser;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.similarities.BM25Similarity;
import org.apache.lucene.store.MMapDirectory;

/** Index TSV files and run queries with nori + BM25(1.2, 0.75), timing everything in Java. */
public class NoriBench {
    private final Analyzer analyzer = new KoreanAnalyzer();
    private final BM25Similarity bm25 = new BM25Similarity(1.2f, 0.75f);
    private final MMapDirectory dir;
    private final IndexWriter writer;
    private IndexSearcher searcher;
    private DirectoryReader reader;

    public NoriBench(String path) throws Exception {
        dir = new MMapDirectory(Paths.get(path));
        IndexWriterConfig cfg = new IndexWriterConfig(analyzer);
        cfg.setSimilarity(bm25);
        cfg.setRAMBufferSizeMB(256);
        writer = new IndexWriter(dir, cfg);
    }

    /** Index a TSV file of id, title, text lines; commit; return {nanoseconds, docs}. */
    public long[] indexTsv(String path) throws Exception {
        long t0 = System.nanoTime(), n = 0;
        try (BufferedReader in = Files.newBufferedReader(Paths.get(path), StandardCharsets.UTF_8)) {
            String line;
            while ((line = in.readLine()) != null) {
                String[] f = line.split("\t", 3);
                Document doc = new Document();
                doc.add(new StringField("id", f[0], Field.Store.YES));
                doc.add(new TextField("title", f[1], Field.Store.NO));
                doc.add(new TextField("text", f[2], Field.Store.NO));
                writer.addDocument(doc);
                n++;
            }
        }
        writer.commit();
        searcher = null;
        return new long[] {System.nanoTime() - t0, n};
    }

    private IndexSearcher searcher() throws Exception {
        if (searcher == null) {
            if (reader != null) reader.close();
            reader = DirectoryReader.open(dir);
            searcher = new IndexSearcher(reader);
            searcher.setSimilarity(bm25);
        }
        return searcher;
    }

    /** Return "nanos" then "id<TAB>score" per hit for one query, timed parse through stored-id fetch. */
    private String[] run(IndexSearcher s, String q, int k) throws Exception {
        long t0 = System.nanoTime();
        MultiFieldQueryParser parser = new MultiFieldQueryParser(new String[] {"title", "text"}, analyzer);
        Query query = parser.parse(QueryParser.escape(q));
        ScoreDoc[] hits = s.search(query, k).scoreDocs;
        String[] out = new String[hits.length + 1];
        for (int i = 0; i < hits.length; i++)
            out[i + 1] = s.doc(hits[i].doc).get("id") + "\t" + hits[i].score;
        out[0] = Long.toString(System.nanoTime() - t0);
        return out;
    }

    /** Search one query; return "nanos" then "id<TAB>score" per hit. */
    public String[] search(String q, int k) throws Exception {
        return run(searcher(), q, k);
    }

    /** Search many queries (after `warmup` untimed passes); return one "nanos<TAB>id<TAB>score..." line each. */
    public String[] searchAll(String[] queries, int k, int warmup) throws Exception {
        IndexSearcher s = searcher();
        for (int w = 0; w < warmup; w++) for (String q : queries) run(s, q, k);
        String[] lines = new String[queries.length];
        for (int i = 0; i < queries.length; i++) lines[i] = String.join("\t", run(s, queries[i], k));
        return lines;
    }

    /** Close reader, writer and directory. */
    public void close() throws Exception {
        if (reader != null) reader.close();
        writer.close();
        dir.close();
    }
}
"""


def _jars() -> list[str]:
    """Return the Lucene jar paths, or raise FileNotFoundError naming the missing one."""
    found = []
    for name in JARS:
        hits = sorted(glob.glob(str(JAR_DIR / f"{name}-[0-9]*.jar"))) or sorted(glob.glob(str(JAR_DIR / f"{name}.jar")))
        if not hits:
            raise FileNotFoundError(f"{name}*.jar not found in {JAR_DIR} (apt install liblucene8-java)")
        found.append(hits[-1])
    return found


def _java_home() -> str | None:
    """Return JAVA_HOME, or the JDK that holds the javac on PATH."""
    if os.environ.get("JAVA_HOME"):
        return os.environ["JAVA_HOME"]
    javac = shutil.which("javac")
    return str(Path(os.path.realpath(javac)).parents[1]) if javac else None


def available() -> str | None:
    """Return None if Lucene-nori can run here, else a one-line reason."""
    home = _java_home()
    if not home or not Path(home, "bin", "javac").exists():
        return "no JDK (javac) found; set JAVA_HOME or apt install openjdk-17-jdk-headless"
    try:
        _jars()
    except FileNotFoundError as e:
        return str(e)
    try:
        import jnius_config
    except ImportError:
        return "pyjnius not installed (pip install pyjnius)"
    if "jnius" in sys.modules and not any("lucene-core" in p for p in jnius_config.get_classpath()):
        return "a JVM was already started by pyjnius without the Lucene classpath"
    return None


def _helper_dir() -> Path:
    """Compile the Java helper (once per source version) and return its class directory."""
    jars = _jars()
    digest = hashlib.sha1((JAVA_SOURCE + "".join(jars)).encode()).hexdigest()[:12]
    out = BUILD_DIR / digest
    if (out / "NoriBench.class").exists():
        return out
    BUILD_DIR.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=BUILD_DIR))
    (tmp / "NoriBench.java").write_text(JAVA_SOURCE, encoding="utf-8")
    javac = str(Path(_java_home() or "", "bin", "javac"))
    subprocess.run([javac, "-nowarn", "-cp", os.pathsep.join(jars), "-d", str(tmp), str(tmp / "NoriBench.java")],
                   check=True, capture_output=True)
    try:
        tmp.rename(out)
    except OSError:  # another process finished first
        shutil.rmtree(tmp, ignore_errors=True)
    return out


def _bench_class():
    """Start the JVM with Lucene on the classpath (once) and return the NoriBench class."""
    reason = available()
    if reason:
        raise RuntimeError(f"Lucene-nori not available: {reason}")
    classes = str(_helper_dir())
    if "jnius" not in sys.modules:
        os.environ.setdefault("JAVA_HOME", _java_home() or "")
        import jnius_config
        if not jnius_config.vm_running:
            jnius_config.add_options(HEAP)
            jnius_config.set_classpath(*_jars(), classes)
    from jnius import autoclass
    return autoclass("NoriBench")


def _clean(s: str) -> str:
    """Replace TSV separators with spaces (the analyzer treats all of them as whitespace)."""
    return s.replace("\t", " ").replace("\r", " ").replace("\n", " ")


class NoriIndex:
    """A Lucene index with KoreanAnalyzer and BM25(1.2, 0.75) over fields id, title and text."""

    def __init__(self, docs: Iterable[tuple[str, str, str]] = ()) -> None:
        """Create an empty index in a temp dir, then add `docs` of (docid, title, text)."""
        self._tmp = tempfile.mkdtemp(prefix="nori-")
        self._bench = _bench_class()(os.path.join(self._tmp, "index"))
        self.index_seconds = 0.0
        self.num_docs = 0
        docs = list(docs)
        if docs:
            self.add_all(docs)

    def add_all(self, docs: Iterable[tuple[str, str, str]]) -> tuple[float, int]:
        """Index `docs` in one Java call and return (seconds measured in Java, docs indexed)."""
        path = os.path.join(self._tmp, "batch.tsv")
        with open(path, "w", encoding="utf-8") as f:
            for docid, title, text in docs:
                f.write(f"{_clean(docid)}\t{_clean(title)}\t{_clean(text)}\n")
        nanos, n = self._bench.indexTsv(path)
        os.remove(path)
        self.index_seconds += nanos / 1e9
        self.num_docs += n
        return nanos / 1e9, n

    def search(self, query: str, k: int = 10) -> list[tuple[str, float]]:
        """Return the top `k` (docid, score) for `query` (OR over title and text)."""
        return _hits(list(self._bench.search(query, k))[1:])

    def search_batch(self, queries: list[str], k: int = 10, warmup: int = 1
                     ) -> list[tuple[int, list[tuple[str, float]]]]:
        """Run all `queries` in Java after `warmup` untimed passes; return (nanoseconds, hits) per query."""
        out = []
        for line in self._bench.searchAll(queries, k, warmup):
            nanos, *rest = line.split("\t")
            out.append((int(nanos), _hits(["\t".join(rest[i:i + 2]) for i in range(0, len(rest), 2)])))
        return out

    def close(self) -> None:
        """Close the Lucene index and delete its temp dir."""
        if self._bench is not None:
            self._bench.close()
            self._bench = None
            shutil.rmtree(self._tmp, ignore_errors=True)

    def __enter__(self) -> NoriIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _hits(lines: list[str]) -> list[tuple[str, float]]:
    """Parse "docid<TAB>score" strings."""
    return [(d, float(s)) for d, s in (line.split("\t") for line in lines)]
